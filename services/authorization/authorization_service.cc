#include "services/authorization/authorization_service.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/common/form_codec.h"
#include "services/common/secrets.h"

namespace tokend {
namespace {

constexpr absl::string_view kCodePrefix = "tdc_";
constexpr GuessKind kKind = GuessKind::kLogin;

std::string Query(std::initializer_list<std::pair<absl::string_view, absl::string_view>> fields) {
  std::string out;
  for (const auto& [name, value] : fields) {
    if (value.empty()) continue;
    absl::StrAppend(&out, out.empty() ? "" : "&", name, "=", form::Encode(value));
  }
  return out;
}

}  // namespace

AuthorizationService::AuthorizationService(Options options, storage::ClientStore& clients,
                                           storage::UserStore& users,
                                           storage::AuthorizationStore& store,
                                           const PasswordHasher& hasher,
                                           GuessThrottle& throttle)
    : options_(std::move(options)),
      clients_(clients),
      users_(users),
      store_(store),
      hasher_(hasher),
      throttle_(throttle) {}

absl::StatusOr<AuthorizationService::Checked> AuthorizationService::Check(
    const AuthorizationParams& params) {
  std::optional<storage::ClientRecord> client;
  if (auto it = params.find("client_id"); it != params.end() && !it->second.empty()) {
    auto found = clients_.GetClient(it->second);
    if (found.ok()) {
      client = *std::move(found);
    } else if (!absl::IsNotFound(found.status())) {
      return found.status();
    }
  }
  return CheckAuthorizationRequest(params, client);
}

absl::StatusOr<AuthorizationService::Login> AuthorizationService::LogIn(
    const std::string& username, const std::string& password, const std::string& address) {
  storage::Time now = storage::Now();
  if (auto st = throttle_.Admit(kKind, username, address, now); !st.ok()) return st;
  auto user = users_.GetUserByUsername(username);
  if (!user.ok() && !absl::IsNotFound(user.status())) return user.status();
  std::string hash = user.ok() ? user->password_hash : "";
  if (!hasher_.Verify(hash, password) || !user.ok()) {
    if (auto st = throttle_.RecordFailure(kKind, username, address, now); !st.ok()) {
      return st.status();
    }
    return absl::PermissionDeniedError("The username or password is incorrect.");
  }
  if (auto st = throttle_.RecordSuccess(kKind, username); !st.ok()) return st;
  Login login{secrets::NewToken("tds_"), *std::move(user)};
  storage::LoginSessionRecord session{secrets::Sha256(login.session), login.user.id, now,
                                      now + options_.session_ttl};
  if (auto st = store_.SaveLoginSession(session); !st.ok()) return st;
  return login;
}

absl::StatusOr<storage::UserRecord> AuthorizationService::SessionUser(const std::string& session) {
  if (session.empty() || session.size() > 256) return absl::NotFoundError("no session");
  auto found = store_.FindLoginSession(secrets::Sha256(session), storage::Now());
  if (!found.ok()) return found.status();
  return users_.GetUser(found->user_id);
}

absl::Status AuthorizationService::LogOut(const std::string& session) {
  return store_.DeleteLoginSession(secrets::Sha256(session));
}

absl::StatusOr<bool> AuthorizationService::HasConsent(const std::string& user_id,
                                                      const AuthorizationRequest& request) {
  auto consented = store_.ConsentedScopes(user_id, request.client.client_id);
  if (!consented.ok()) return consented.status();
  if (!consented->has_value()) return false;
  const std::vector<std::string>& given = **consented;
  return std::all_of(request.scopes.begin(), request.scopes.end(), [&](const std::string& s) {
    return std::find(given.begin(), given.end(), s) != given.end();
  });
}

absl::StatusOr<std::string> AuthorizationService::Approve(const storage::UserRecord& user,
                                                          const AuthorizationRequest& request,
                                                          bool save_consent) {
  storage::Time now = storage::Now();
  if (save_consent) {
    auto st = store_.SaveConsent(user.id, request.client.client_id, request.scopes, now);
    if (!st.ok()) return st;
  }
  std::string code = secrets::NewToken(kCodePrefix);
  storage::AuthorizationCodeRecord record;
  record.digest = secrets::Sha256(code);
  record.client_id = request.client.client_id;
  record.user_id = user.id;
  record.redirect_uri = request.redirect_uri;
  record.redirect_uri_given = request.redirect_uri_given;
  record.scope = absl::StrJoin(request.scopes, " ");
  record.code_challenge = request.code_challenge;
  record.challenge_method = request.challenge_method;
  record.family_id = secrets::NewUuid();
  record.issued_at = now;
  record.expires_at = now + options_.code_ttl;
  if (auto st = store_.SaveCode(record); !st.ok()) return st;
  return WithQuery(request.redirect_uri,
                   Query({{"code", code}, {"state", request.state}, {"iss", options_.issuer}}));
}

std::string AuthorizationService::ErrorRedirect(const AuthorizationError& error) {
  return WithQuery(error.redirect_uri, Query({{"error", error.error},
                                              {"error_description", error.description},
                                              {"state", error.state}}));
}

}  // namespace tokend
