#include "services/token/token_service.h"

#include <algorithm>

#include "services/common/secrets.h"
#include "services/token/oauth_error.h"

namespace tokend {
namespace {

constexpr size_t kMaxField = 4096;

// RFC 6749 §5.2 invalid_request for any field beyond kMaxField bytes.
absl::Status CheckSizes(std::initializer_list<const std::string*> fields) {
  for (const std::string* f : fields) {
    if (f->size() > kMaxField) return oauth::InvalidRequest("A parameter exceeds 4096 bytes.");
  }
  return absl::OkStatus();
}

absl::Status CheckHint(const std::string& hint) {
  if (hint.empty() || hint == "access_token" || hint == "refresh_token") return absl::OkStatus();
  // RFC 7009 §2.1 / RFC 7662 §2.1: an unknown hint may be ignored; an
  // oversized one is still a malformed request.
  return CheckSizes({&hint});
}

bool Expired(const storage::TokenRecord& t, storage::Time now) { return t.expires_at <= now; }

// RFC 7662 §2.1 / RFC 7009 §2.1 request checks shared by Introspect and Revoke.
absl::Status CheckIntrospection(const std::string& token, const std::string& hint) {
  if (auto st = CheckSizes({&token}); !st.ok()) return st;
  if (auto st = CheckHint(hint); !st.ok()) return st;
  if (token.empty()) return oauth::InvalidRequest("token is required.");
  return absl::OkStatus();
}

absl::Status CheckTokenRequest(const TokenRequest& request) {
  if (auto st = CheckSizes({&request.grant_type, &request.username, &request.password,
                            &request.refresh_token, &request.code, &request.redirect_uri,
                            &request.code_verifier, &request.audience});
      !st.ok()) {
    return st;
  }
  if (request.scopes) {
    size_t total = 0;
    for (const auto& s : *request.scopes) total += s.size() + 1;
    if (total > kMaxField) return oauth::InvalidRequest("A parameter exceeds 4096 bytes.");
  }
  if (request.grant_type.empty()) return oauth::InvalidRequest("grant_type is required.");
  return absl::OkStatus();
}

}  // namespace

TokenService::TokenService(Options options, ClientAuthenticator& authenticator,
                           storage::TokenStore& tokens, TokenCache& cache,
                           const TokenFormats& formats)
    : options_(std::move(options)),
      authenticator_(authenticator),
      tokens_(tokens),
      cache_(cache),
      formats_(formats) {}

void TokenService::RegisterGrant(std::unique_ptr<GrantHandler> grant) {
  std::string name(grant->grant_type());
  grants_[name] = std::move(grant);
}

std::vector<std::string> TokenService::GrantTypes() const {
  std::vector<std::string> names;
  for (const auto& [name, _] : grants_) names.push_back(name);
  std::sort(names.begin(), names.end());
  return names;
}


void TokenService::ObserveToken(const std::string& grant_type,
                                const absl::StatusOr<TokenResponse>& result) {
  if (metrics_ == nullptr) return;
  metrics_->Record(TokenMetrics::Operation::kToken, grant_type, result.status());
  if (!result.ok()) return;
  metrics_->TokensIssued(1, result->refresh_token.empty() ? 0 : 1);
  if (grant_type == "refresh_token") metrics_->Refreshed();
}

absl::Status TokenService::Admit(const AuthenticatedClient& client) {
  const auto& own = client.record().rate_limit_per_second;
  absl::Status admitted = limiter_.Admit(client.id(), own ? *own : options_.default_rate_limit);
  if (!admitted.ok() && rate_limit_reporter_ != nullptr) rate_limit_reporter_->Exceeded(client.id());
  return admitted;
}

void TokenService::Observe(TokenMetrics::Operation op, const absl::Status& status) {
  if (metrics_ != nullptr) metrics_->Record(op, "", status);
}

absl::StatusOr<TokenResponse> TokenService::Token(const PresentedCredentials& credentials,
                                                  const TokenRequest& request) {
  auto result = IssueOrRefresh(credentials, request);
  ObserveToken(request.grant_type, result);
  return result;
}

bool TokenService::TryTokenNonBlocking(const PresentedCredentials& credentials,
                                       const TokenRequest& request, const TokenCallback& done) {
  if (metrics_ == nullptr) return TryTokenNonBlockingUnobserved(credentials, request, done);
  return TryTokenNonBlockingUnobserved(
      credentials, request, [this, grant = request.grant_type, done](absl::StatusOr<TokenResponse> r) {
        ObserveToken(grant, r);
        done(std::move(r));
      });
}

absl::StatusOr<TokenResponse> TokenService::IssueOrRefresh(const PresentedCredentials& credentials,
                                                           const TokenRequest& request) {
  if (auto st = CheckTokenRequest(request); !st.ok()) return st;
  auto client = authenticator_.Authenticate(credentials);
  if (!client.ok()) return client.status();
  if (auto st = Admit(*client); !st.ok()) return st;
  auto grant = SelectGrant(*client, request);
  if (!grant.ok()) return grant.status();
  return (*grant)->Handle(*client, request);
}

bool TokenService::TryTokenNonBlockingUnobserved(const PresentedCredentials& credentials,
                                                 const TokenRequest& request,
                                                 const TokenCallback& done) {
  if (auto st = CheckTokenRequest(request); !st.ok()) {
    done(st);
    return true;
  }
  auto client = authenticator_.AuthenticateCached(credentials);
  if (!client.has_value()) return false;
  if (!client->ok()) {
    done(client->status());
    return true;
  }
  auto grant = SelectGrant(**client, request);
  if (!grant.ok()) {
    done(grant.status());
    return true;
  }
  if (!(*grant)->CanHandleAsync()) return false;  // Token() admits it then
  if (auto st = Admit(**client); !st.ok()) {
    done(st);
    return true;
  }
  return (*grant)->HandleAsync(**client, request, done);
}

absl::StatusOr<GrantHandler*> TokenService::SelectGrant(const AuthenticatedClient& client,
                                                        const TokenRequest& request) {
  auto it = grants_.find(request.grant_type);
  if (it == grants_.end()) {
    return oauth::Error(oauth::ErrorCode::kUnsupportedGrantType,
                        "The grant_type is not supported.");
  }
  if (!client.AllowsGrant(request.grant_type)) {
    return oauth::UnauthorizedClient("The client is not allowed to use this grant type.");
  }
  return it->second.get();
}

absl::StatusOr<std::shared_ptr<const storage::TokenState>> TokenService::LoadState(
    const std::string& digest) {
  if (auto cached = cache_.Find(digest)) return cached;
  uint64_t epoch = cache_.Epoch();
  auto state = tokens_.FindToken(digest);
  if (absl::IsNotFound(state.status())) return nullptr;
  if (!state.ok()) return state.status();
  cache_.Put(*state, epoch);
  return std::make_shared<const storage::TokenState>(*std::move(state));
}

absl::StatusOr<Introspection> TokenService::Introspect(const PresentedCredentials& credentials,
                                                       const std::string& token,
                                                       const std::string& token_type_hint) {
  auto result = [&]() -> absl::StatusOr<Introspection> {
    if (auto st = CheckIntrospection(token, token_type_hint); !st.ok()) return st;
    auto client = authenticator_.Authenticate(credentials);
    if (!client.ok()) return client.status();
    if (auto st = Admit(*client); !st.ok()) return st;
    std::string digest = secrets::Sha256(token);
    if (formats_.ForToken(token).Check(token, digest, true) != TokenCheck::kPassed) {
      return Introspection{};
    }
    auto state = LoadState(digest);
    if (!state.ok()) return state.status();
    return Describe(*client, state->get());
  }();
  Observe(TokenMetrics::Operation::kIntrospect, result.status());
  return result;
}

std::optional<absl::StatusOr<Introspection>> TokenService::TryIntrospectCached(
    const PresentedCredentials& credentials, const std::string& token,
    const std::string& token_type_hint) {
  auto result = TryIntrospectCachedUnobserved(credentials, token, token_type_hint);
  if (result.has_value()) Observe(TokenMetrics::Operation::kIntrospect, result->status());
  return result;
}

std::optional<absl::StatusOr<Introspection>> TokenService::TryIntrospectCachedUnobserved(
    const PresentedCredentials& credentials, const std::string& token,
    const std::string& token_type_hint) {
  if (auto st = CheckIntrospection(token, token_type_hint); !st.ok()) return st;
  auto client = authenticator_.AuthenticateCached(credentials);
  if (!client.has_value()) return std::nullopt;
  if (!client->ok()) return client->status();
  std::string digest = secrets::Sha256(token);
  // A JWT's signature check is CPU-only: fine on the reactor.
  std::shared_ptr<const storage::TokenState> state;
  switch (formats_.ForToken(token).Check(token, digest, false)) {
    case TokenCheck::kPassed:
      state = cache_.Find(digest);
      if (state == nullptr) return std::nullopt;  // Introspect() admits it then
      break;
    case TokenCheck::kRejected:
      break;
    case TokenCheck::kNeedsBlocking:
      return std::nullopt;
  }
  if (auto st = Admit(**client); !st.ok()) return st;
  return Describe(**client, state.get());
}

Introspection TokenService::Describe(const AuthenticatedClient& client,
                                     const storage::TokenState* state) const {
  if (state == nullptr) return {};
  const storage::TokenRecord& t = state->token;
  bool visible = t.client_id == client.id() || client.HasPermission("introspect");
  return visible ? DescribeLive(state) : Introspection{};
}

Introspection TokenService::DescribeLive(const storage::TokenState* state) const {
  Introspection out;
  if (state == nullptr) return out;
  const storage::TokenRecord& t = state->token;
  bool live = !t.revoked_at && !t.used_at && !Expired(t, storage::Now());
  if (!live) return out;
  out.active = true;
  out.scope = t.scope;
  out.client_id = t.client_id;
  out.username = state->username;
  out.token_type = t.kind == storage::TokenKind::kAccess ? "Bearer" : "refresh_token";
  out.exp = storage::ToUnixSeconds(t.expires_at);
  out.iat = storage::ToUnixSeconds(t.issued_at);
  out.nbf = out.iat;
  out.sub = t.user_id.empty() ? t.client_id : t.user_id;
  out.aud = t.audience;
  out.iss = options_.issuer;
  out.jti = t.jti;
  out.user_id = t.user_id;
  return out;
}

absl::StatusOr<Introspection> TokenService::CheckAccessToken(const std::string& token) {
  if (token.empty() || token.size() > kMaxField) return Introspection{};
  std::string digest = secrets::Sha256(token);
  if (formats_.ForToken(token).Check(token, digest, true) != TokenCheck::kPassed) {
    return Introspection{};
  }
  auto state = LoadState(digest);
  if (!state.ok()) return state.status();
  if (*state == nullptr || (*state)->token.kind != storage::TokenKind::kAccess) return Introspection{};
  return DescribeLive(state->get());
}

absl::Status TokenService::Revoke(const PresentedCredentials& credentials, const std::string& token,
                                  const std::string& token_type_hint) {
  absl::Status st = RevokeUnobserved(credentials, token, token_type_hint);
  Observe(TokenMetrics::Operation::kRevoke, st);
  if (st.ok() && metrics_ != nullptr) metrics_->Revoked();
  return st;
}

absl::Status TokenService::RevokeUnobserved(const PresentedCredentials& credentials,
                                            const std::string& token,
                                            const std::string& token_type_hint) {
  if (auto st = CheckIntrospection(token, token_type_hint); !st.ok()) return st;
  auto client = authenticator_.Authenticate(credentials);
  if (!client.ok()) return client.status();
  if (auto st = Admit(*client); !st.ok()) return st;

  std::string digest = secrets::Sha256(token);
  auto state = tokens_.FindToken(digest);  // fresh from the ledger, not the cache
  if (absl::IsNotFound(state.status())) return absl::OkStatus();
  if (!state.ok()) return state.status();
  const storage::TokenRecord& t = state->token;
  if (t.client_id != client->id()) {
    return oauth::UnauthorizedClient("The token was issued to another client.");
  }
  if (t.kind == storage::TokenKind::kRefresh && !t.family_id.empty()) {
    if (auto st = tokens_.RevokeFamily(t.family_id, "revoked by client"); !st.ok()) return st;
    cache_.EraseFamily(t.family_id);
  } else {
    if (auto st = tokens_.RevokeToken(digest, "revoked by client"); !st.ok()) return st;
  }
  cache_.EraseToken(digest);
  return absl::OkStatus();
}

}  // namespace tokend
