#include "services/token/token_issuer.h"

#include "services/common/secrets.h"
#include "services/token/oauth_error.h"
#include "services/token/scopes.h"

namespace tokend {
namespace {

constexpr absl::string_view kAccessPrefix = "tda_";
constexpr absl::string_view kRefreshPrefix = "tdr_";

}  // namespace

TokenIssuer::TokenIssuer(storage::TokenStore& store, TokenCache& cache)
    : store_(store), cache_(cache) {}

TokenIssuer::Minted TokenIssuer::Mint(storage::TokenKind kind, const storage::ClientRecord& client,
                                      const std::string& user_id, const std::string& family_id,
                                      const std::string& scope, const std::string& audience,
                                      storage::Time now, int64_t ttl_seconds) const {
  Minted m;
  m.token = secrets::NewToken(kind == storage::TokenKind::kAccess ? kAccessPrefix : kRefreshPrefix);
  m.record.digest = secrets::Sha256(m.token);
  m.record.kind = kind;
  m.record.client_id = client.client_id;
  m.record.user_id = user_id;
  m.record.family_id = family_id;
  m.record.scope = scope;
  m.record.audience = audience;
  m.record.jti = secrets::Hex(secrets::RandomBytes(16));
  m.record.issued_at = now;
  m.record.expires_at = now + std::chrono::seconds(ttl_seconds);
  return m;
}

void TokenIssuer::Remember(const std::vector<storage::TokenRecord>& records) {
  uint64_t epoch = cache_.Epoch();
  for (const auto& r : records) cache_.Put(storage::TokenState{r, ""}, epoch);
}

void TokenIssuer::IssueClientToken(const storage::ClientRecord& client,
                                   const std::vector<std::string>& scopes,
                                   const std::string& audience, TokenCallback done) {
  storage::Time now = storage::Now();
  std::string scope = scopes::Join(scopes);
  Minted access = Mint(storage::TokenKind::kAccess, client, "", "", scope, audience, now,
                       client.access_ttl_seconds);
  TokenResponse response{access.token, "Bearer", client.access_ttl_seconds, "", scope, now};
  storage::TokenRecord record = access.record;
  store_.RecordTokens({std::move(access.record)},
                      [this, record = std::move(record), response = std::move(response),
                       done = std::move(done)](absl::Status st) mutable {
                        if (!st.ok()) return done(st);
                        Remember({record});
                        done(std::move(response));
                      });
}

absl::StatusOr<TokenResponse> TokenIssuer::OpenUserSession(const storage::ClientRecord& client,
                                                           const std::string& user_id,
                                                           const std::vector<std::string>& scopes,
                                                           const std::string& audience,
                                                           const std::string& grant_type) {
  storage::Time now = storage::Now();
  std::string scope = scopes::Join(scopes);
  std::string family = secrets::NewUuid();
  Minted access = Mint(storage::TokenKind::kAccess, client, user_id, family, scope, audience, now,
                       client.access_ttl_seconds);
  Minted refresh = Mint(storage::TokenKind::kRefresh, client, user_id, family, scope, audience,
                        now, client.refresh_ttl_seconds);
  storage::NewSession session{family, client.client_id, user_id, grant_type, now,
                              refresh.record.expires_at, {access.record, refresh.record}};
  auto evicted = store_.OpenSession(session, client.max_user_sessions);
  if (!evicted.ok()) return evicted.status();
  for (const auto& f : *evicted) cache_.EraseFamily(f);
  return TokenResponse{access.token, "Bearer", client.access_ttl_seconds, refresh.token, scope,
                       now};
}

absl::StatusOr<TokenResponse> TokenIssuer::RotateRefreshToken(
    const storage::ClientRecord& client, const std::string& refresh_token,
    const std::optional<std::vector<std::string>>& requested_scopes) {
  storage::Time now = storage::Now();
  TokenResponse response;
  auto mint = [&](const storage::TokenRecord& old) -> absl::StatusOr<storage::Rotation> {
    auto narrowed = scopes::Narrow(requested_scopes, scopes::Split(old.scope));
    if (!narrowed.ok()) return narrowed.status();
    std::string scope = scopes::Join(*narrowed);
    Minted access = Mint(storage::TokenKind::kAccess, client, old.user_id, old.family_id, scope,
                         old.audience, now, client.access_ttl_seconds);
    // The refresh token keeps the original scope so a later refresh may
    // return to it (RFC 6749 §6: "identical to that of the refresh token").
    Minted refresh = Mint(storage::TokenKind::kRefresh, client, old.user_id, old.family_id,
                          old.scope, old.audience, now, client.refresh_ttl_seconds);
    response = TokenResponse{access.token, "Bearer", client.access_ttl_seconds, refresh.token,
                             scope, now};
    return storage::Rotation{{access.record, refresh.record}, refresh.record.expires_at};
  };
  auto result = store_.RotateRefreshToken(secrets::Sha256(refresh_token), client.client_id, now,
                                          mint);
  if (!result.ok()) return result.status();
  switch (result->outcome) {
    case storage::RefreshOutcome::kRotated:
      return response;
    case storage::RefreshOutcome::kReused:
      cache_.EraseFamily(result->family_id);
      return oauth::InvalidGrant(
          "The refresh token was already used; every token of its session has been revoked.");
    case storage::RefreshOutcome::kWrongClient:
      return oauth::InvalidGrant("The refresh token was issued to another client.");
    case storage::RefreshOutcome::kInactive:
      return oauth::InvalidGrant("The refresh token has expired or was revoked.");
    case storage::RefreshOutcome::kUnknown:
      break;
  }
  return oauth::InvalidGrant("The refresh token is invalid.");
}

}  // namespace tokend
