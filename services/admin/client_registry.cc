#include "services/admin/client_registry.h"

#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/common/secrets.h"
#include "services/token/scopes.h"

namespace tokend {
namespace {

constexpr absl::string_view kSecretPrefix = "tds_";
constexpr int64_t kMaxTtlSeconds = 10LL * 365 * 24 * 3600;

bool IsIdChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
         c == '~';
}

absl::Status Bad(absl::string_view field, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", why));
}

bool KnownGrant(absl::string_view g) {
  return g == "client_credentials" || g == "password" || g == "refresh_token" ||
         g == "authorization_code";
}

absl::Status CheckScopes(absl::string_view field, const std::vector<std::string>& list) {
  for (const auto& s : list) {
    if (!scopes::IsValidToken(s) || s.size() > 128) return Bad(field, "a scope is malformed");
  }
  return absl::OkStatus();
}

absl::Status CheckUrl(absl::string_view field, const std::string& url, bool required) {
  if (url.empty()) return required ? Bad(field, "must not be empty") : absl::OkStatus();
  if (url.size() > 2048) return Bad(field, "longer than 2048 bytes");
  if (!absl::StartsWith(url, "https://") && !absl::StartsWith(url, "http://") &&
      url.find(":/") == std::string::npos) {
    return Bad(field, "must be an absolute URI");
  }
  if (url.find('#') != std::string::npos) return Bad(field, "must not contain a fragment");
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20) return Bad(field, "contains whitespace or controls");
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ClientRegistry::Validate(const storage::ClientRecord& c) {
  if (c.client_id.empty() || c.client_id.size() > 128 ||
      !std::all_of(c.client_id.begin(), c.client_id.end(), IsIdChar)) {
    return Bad("client_id", "1-128 characters of A-Z a-z 0-9 - _ . ~");
  }
  if (c.name.size() > 200) return Bad("name", "longer than 200 bytes");
  if (c.grant_types.empty()) return Bad("grant_types", "must name at least one grant");
  for (const auto& g : c.grant_types) {
    if (!KnownGrant(g)) return Bad("grant_types", absl::StrCat("unknown grant '", g, "'"));
  }
  if (auto st = CheckScopes("allowed_scopes", c.allowed_scopes); !st.ok()) return st;
  if (auto st = CheckScopes("default_scopes", c.default_scopes); !st.ok()) return st;
  for (const auto& s : c.default_scopes) {
    if (std::find(c.allowed_scopes.begin(), c.allowed_scopes.end(), s) == c.allowed_scopes.end()) {
      return Bad("default_scopes", "every default scope must be allowed");
    }
  }
  if (c.access_ttl_seconds <= 0 || c.access_ttl_seconds > kMaxTtlSeconds) {
    return Bad("access_token_ttl_seconds", "must be between 1 and 10 years");
  }
  if (c.refresh_ttl_seconds <= 0 || c.refresh_ttl_seconds > kMaxTtlSeconds) {
    return Bad("refresh_token_ttl_seconds", "must be between 1 and 10 years");
  }
  if (c.max_user_sessions < 0) return Bad("max_user_sessions", "must not be negative");
  if (c.rate_limit_per_second && *c.rate_limit_per_second < 0) {
    return Bad("rate_limit_per_second", "must not be negative");
  }
  for (const auto& uri : c.redirect_uris) {
    if (auto st = CheckUrl("redirect_uris", uri, true); !st.ok()) return st;
  }
  bool code_flow = std::find(c.grant_types.begin(), c.grant_types.end(), "authorization_code") !=
                   c.grant_types.end();
  if (code_flow && c.redirect_uris.empty()) {
    return Bad("redirect_uris", "the authorization_code grant needs at least one");
  }
  if (auto st = CheckUrl("homepage_url", c.homepage_url, false); !st.ok()) return st;
  if (auto st = CheckUrl("logo_url", c.logo_url, false); !st.ok()) return st;
  for (const auto& p : c.permissions) {
    if (p != "introspect") return Bad("permissions", absl::StrCat("unknown permission '", p, "'"));
  }
  if (!c.confidential) {
    for (const auto& g : c.grant_types) {
      if (g == "client_credentials") {
        return Bad("grant_types", "a public client cannot use client_credentials");
      }
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<CreatedClient> ClientRegistry::Create(storage::ClientRecord client,
                                                     const std::string& imported_secret) {
  if (!imported_secret.empty()) {
    bool printable = std::all_of(imported_secret.begin(), imported_secret.end(),
                                 [](char c) { return c > 0x20 && c < 0x7f; });
    if (imported_secret.size() < 6 || imported_secret.size() > 512 || !printable) {
      return Bad("imported_secret", "6-512 printable ASCII characters");
    }
    if (!client.confidential) return Bad("imported_secret", "a public client has no secret");
  }
  if (client.client_id.empty()) {
    client.client_id = absl::StrCat("cl_", absl::WebSafeBase64Escape(secrets::RandomBytes(12)));
  }
  if (client.grant_types.empty()) client.grant_types = {"client_credentials"};
  if (auto st = Validate(client); !st.ok()) return st;
  CreatedClient out;
  if (client.confidential) {
    out.client_secret = imported_secret.empty() ? secrets::NewToken(kSecretPrefix) : imported_secret;
    client.secret_digest = secrets::Sha256(out.client_secret);
  }
  client.created_at = client.updated_at = storage::Now();
  if (auto st = store_.CreateClient(client); !st.ok()) return st;
  authenticator_.Invalidate(client.client_id);
  out.client = std::move(client);
  return out;
}

absl::StatusOr<storage::ClientRecord> ClientRegistry::Get(const std::string& client_id) {
  return store_.GetClient(client_id);
}

absl::StatusOr<std::vector<storage::ClientRecord>> ClientRegistry::List(
    const storage::PageRequest& page) {
  return store_.ListClients(page);
}

absl::StatusOr<storage::ClientRecord> ClientRegistry::Update(storage::ClientRecord client) {
  if (auto st = Validate(client); !st.ok()) return st;
  if (auto st = store_.UpdateClient(client); !st.ok()) return st;
  authenticator_.Invalidate(client.client_id);
  return store_.GetClient(client.client_id);
}

absl::Status ClientRegistry::Delete(const std::string& client_id) {
  auto st = store_.DeleteClient(client_id);
  authenticator_.Invalidate(client_id);
  return st;
}

absl::StatusOr<std::string> ClientRegistry::RotateSecret(const std::string& client_id) {
  auto client = store_.GetClient(client_id);
  if (!client.ok()) return client.status();
  if (!client->confidential) {
    return absl::FailedPreconditionError("a public client has no secret");
  }
  std::string secret = secrets::NewToken(kSecretPrefix);
  if (auto st = store_.SetClientSecretDigest(client_id, secrets::Sha256(secret)); !st.ok()) {
    return st;
  }
  authenticator_.Invalidate(client_id);
  return secret;
}

}  // namespace tokend
