#include "bearer_guard.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/common/secrets.h"

namespace tokend::client {
namespace {

constexpr char kSubject[] = "tokend.subject";
constexpr char kClientId[] = "tokend.client_id";
constexpr char kUsername[] = "tokend.username";
constexpr char kScope[] = "tokend.scope";
constexpr char kExpiresAt[] = "tokend.expires_at";

std::string Str(grpc::string_ref s) { return std::string(s.data(), s.size()); }

}  // namespace

bool Principal::HasScope(const std::string& scope) const {
  return std::find(scopes.begin(), scopes.end(), scope) != scopes.end();
}

IntrospectionVerifier::IntrospectionVerifier(std::shared_ptr<const TokenClient> client,
                                             std::chrono::milliseconds ttl, size_t max_entries)
    : client_(std::move(client)), ttl_(ttl), max_entries_(max_entries) {}

Result<std::optional<Principal>> IntrospectionVerifier::Verify(const std::string& token) {
  std::string key = secrets::Sha256(token);
  auto now = std::chrono::system_clock::now();
  {
    std::lock_guard lock(mu_);
    auto it = cache_.find(key);
    if (it != cache_.end() && now < it->second.until) {
      return std::optional<Principal>(it->second.principal);
    }
  }
  Result<Introspection> info = client_->Introspect(token);
  if (!info.ok()) return info.error();
  std::lock_guard lock(mu_);
  if (!info->active) {
    cache_.erase(key);
    return std::optional<Principal>();
  }
  Principal p{info->sub.empty() ? info->client_id : info->sub, info->client_id, info->username,
              info->Scopes(), info->exp};
  auto until = now + ttl_;
  if (info->exp != 0) {
    until = std::min(until, std::chrono::system_clock::time_point(std::chrono::seconds(info->exp)));
  }
  if (cache_.size() >= max_entries_) {
    std::erase_if(cache_, [&](const auto& e) { return e.second.until <= now; });
    if (cache_.size() >= max_entries_) cache_.clear();
  }
  cache_[key] = Entry{p, until};
  return std::optional<Principal>(std::move(p));
}

BearerGuard::BearerGuard(std::shared_ptr<Verifier> verifier, GuardOptions options)
    : verifier_(std::move(verifier)), options_(std::move(options)) {}

grpc::Status BearerGuard::Authorize(const std::string& method, const std::string& authorization,
                                    Principal* principal) const {
  absl::string_view header = authorization;
  size_t space = header.find(' ');
  absl::string_view token =
      space == absl::string_view::npos ? "" : absl::StripAsciiWhitespace(header.substr(space + 1));
  if (space == absl::string_view::npos ||
      !absl::EqualsIgnoreCase(header.substr(0, space), "bearer") || token.empty()) {
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "a bearer token is required");
  }
  auto verified = verifier_->Verify(std::string(token));
  if (!verified.ok()) {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                        "cannot verify the token now: " + verified.error().description);
  }
  if (!verified->has_value()) {
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "the token is not active");
  }
  *principal = **verified;
  auto it = options_.required_scopes.find(method);
  const auto& required =
      it == options_.required_scopes.end() ? options_.default_scopes : it->second;
  for (const auto& scope : required) {
    if (!principal->HasScope(scope)) {
      return grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "the token lacks scope " + scope);
    }
  }
  return grpc::Status::OK;
}

grpc::Status BearerGuard::Process(const InputMetadata& auth_metadata, grpc::AuthContext* context,
                                  OutputMetadata* consumed_auth_metadata, OutputMetadata*) {
  std::string method, authorization;
  if (auto it = auth_metadata.find(":path"); it != auth_metadata.end()) method = Str(it->second);
  if (auto it = auth_metadata.find("authorization"); it != auth_metadata.end()) {
    authorization = Str(it->second);
    consumed_auth_metadata->emplace("authorization", authorization);
  }
  Principal p;
  grpc::Status status = Authorize(method, authorization, &p);
  if (!status.ok()) return status;
  context->AddProperty(kSubject, p.subject);
  context->AddProperty(kClientId, p.client_id);
  context->AddProperty(kUsername, p.username);
  context->AddProperty(kExpiresAt, absl::StrCat(p.expires_at));
  for (const auto& s : p.scopes) context->AddProperty(kScope, s);
  context->SetPeerIdentityPropertyName(kSubject);
  return grpc::Status::OK;
}

std::optional<Principal> PrincipalFromContext(const grpc::ServerContextBase& ctx) {
  auto auth = ctx.auth_context();
  if (auth == nullptr) return std::nullopt;
  auto first = [&](const char* name) {
    auto values = auth->FindPropertyValues(name);
    return values.empty() ? std::string() : Str(values[0]);
  };
  if (auth->FindPropertyValues(kSubject).empty()) return std::nullopt;
  Principal p{first(kSubject), first(kClientId), first(kUsername), {}, 0};
  for (const auto& s : auth->FindPropertyValues(kScope)) p.scopes.push_back(Str(s));
  if (!absl::SimpleAtoi(first(kExpiresAt), &p.expires_at)) p.expires_at = 0;
  return p;
}

}  // namespace tokend::client
