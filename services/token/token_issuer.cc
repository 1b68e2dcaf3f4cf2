#include "services/token/token_issuer.h"

#include <future>

#include "services/common/secrets.h"
#include "services/token/oauth_error.h"
#include "services/token/scopes.h"

namespace tokend {
namespace {

constexpr absl::string_view kRefreshPrefix = "tdr_";

}  // namespace

TokenIssuer::TokenIssuer(storage::TokenStore& store, TokenCache& cache, const TokenFormats& formats)
    : store_(store), cache_(cache), formats_(formats) {}

storage::TokenRecord TokenIssuer::NewRecord(storage::TokenKind kind,
                                            const storage::ClientRecord& client,
                                            const std::string& user_id,
                                            const std::string& family_id, const std::string& scope,
                                            const std::string& audience, storage::Time now,
                                            int64_t ttl_seconds) {
  storage::TokenRecord r;
  r.kind = kind;
  r.client_id = client.client_id;
  r.user_id = user_id;
  r.family_id = family_id;
  r.scope = scope;
  r.audience = audience;
  r.jti = secrets::Hex(secrets::RandomBytes(16));
  r.issued_at = now;
  r.expires_at = now + std::chrono::seconds(ttl_seconds);
  return r;
}

absl::StatusOr<TokenIssuer::Minted> TokenIssuer::MintAccess(
    AccessTokenFormat& format, const storage::ClientRecord& client, const std::string& user_id,
    const std::string& family_id, const std::string& scope, const std::string& audience,
    storage::Time now) const {
  Minted m;
  m.record = NewRecord(storage::TokenKind::kAccess, client, user_id, family_id, scope, audience,
                       now, client.access_ttl_seconds);
  AccessTokenClaims claims{client.client_id, user_id, scope, audience, m.record.jti, now,
                           m.record.expires_at};
  auto token = format.Mint(claims);
  if (!token.ok()) return token.status();
  m.token = *std::move(token);
  m.record.audience = claims.audience;  // as minted (a JWT's default aud)
  m.record.format = formats_.NameOf(format);
  m.record.digest = secrets::Sha256(m.token);
  return m;
}

TokenIssuer::Minted TokenIssuer::MintRefresh(const storage::ClientRecord& client,
                                             const std::string& user_id,
                                             const std::string& family_id, const std::string& scope,
                                             const std::string& audience, storage::Time now) {
  Minted m;
  m.token = secrets::NewToken(kRefreshPrefix);
  m.record = NewRecord(storage::TokenKind::kRefresh, client, user_id, family_id, scope, audience,
                       now, client.refresh_ttl_seconds);
  m.record.digest = secrets::Sha256(m.token);
  return m;
}

absl::StatusOr<AccessTokenFormat*> TokenIssuer::FormatFor(const storage::ClientRecord& client,
                                                          TokenFormat requested) const {
  return formats_.ForIssuing(requested, client.default_token_format);
}

void TokenIssuer::Remember(const std::vector<storage::TokenRecord>& records) {
  uint64_t epoch = cache_.Epoch();
  for (const auto& r : records) cache_.Put(storage::TokenState{r, ""}, epoch);
}

void TokenIssuer::IssueClientToken(const storage::ClientRecord& client,
                                   const std::vector<std::string>& scopes,
                                   const std::string& audience, TokenFormat format,
                                   TokenCallback done) {
  storage::Time now = storage::Now();
  std::string scope = scopes::Join(scopes);
  auto chosen = FormatFor(client, format);
  if (!chosen.ok()) return done(chosen.status());
  auto access = MintAccess(**chosen, client, "", "", scope, audience, now);
  if (!access.ok()) return done(access.status());
  TokenResponse response{access->token, "Bearer", client.access_ttl_seconds, "", scope, now};
  // Cached before the commit, here rather than in the callback: the callback
  // runs on the group-commit writer, one batch after another, where this took
  // a tenth of its time. Safe because nobody holds the token before the
  // commit answers; a failed commit takes the entry out again.
  Remember({access->record});
  store_.RecordTokens({std::move(access->record)},
                      [this, response = std::move(response),
                       done = std::move(done)](absl::Status st) mutable {
                        if (!st.ok()) {
                          cache_.EraseToken(secrets::Sha256(response.access_token));
                          return done(st);
                        }
                        done(std::move(response));
                      });
}

absl::StatusOr<TokenIssuer::PendingSession> TokenIssuer::MintSession(
    const storage::ClientRecord& client, const std::string& user_id,
    const std::vector<std::string>& scopes, const std::string& audience,
    const std::string& grant_type, TokenFormat format, const std::string& family_id,
    storage::Time now) {
  std::string scope = scopes::Join(scopes);
  auto chosen = FormatFor(client, format);
  if (!chosen.ok()) return chosen.status();
  auto access = MintAccess(**chosen, client, user_id, family_id, scope, audience, now);
  if (!access.ok()) return access.status();
  Minted refresh = MintRefresh(client, user_id, family_id, scope, audience, now);
  storage::NewSession session{family_id, client.client_id, user_id, grant_type, now,
                              refresh.record.expires_at, {access->record, refresh.record}};
  return PendingSession{std::move(session),
                        TokenResponse{access->token, "Bearer", client.access_ttl_seconds,
                                      refresh.token, scope, now}};
}

void TokenIssuer::ForgetFamilies(const std::vector<std::string>& family_ids) {
  for (const auto& f : family_ids) cache_.EraseFamily(f);
}

absl::StatusOr<TokenResponse> TokenIssuer::OpenUserSession(const storage::ClientRecord& client,
                                                           const std::string& user_id,
                                                           const std::vector<std::string>& scopes,
                                                           const std::string& audience,
                                                           const std::string& grant_type,
                                                           TokenFormat format) {
  auto pending = MintSession(client, user_id, scopes, audience, grant_type, format,
                             secrets::NewUuid(), storage::Now());
  if (!pending.ok()) return pending.status();
  auto evicted = store_.OpenSession(pending->session, client.max_user_sessions);
  if (!evicted.ok()) return evicted.status();
  ForgetFamilies(*evicted);
  return std::move(pending->response);
}

absl::StatusOr<TokenResponse> TokenIssuer::IssueUserTokenUntil(
    const storage::ClientRecord& client, const std::string& user_id,
    const std::vector<std::string>& scopes, storage::Time expires_at, TokenFormat format) {
  storage::Time now = std::chrono::floor<std::chrono::seconds>(storage::Now());
  if (expires_at <= now) return oauth::InvalidRequest("The expiry must lie in the future.");
  // The client's lifetime replaced by the requested one; the rest as usual.
  storage::ClientRecord c = client;
  c.access_ttl_seconds = std::chrono::floor<std::chrono::seconds>(expires_at - now).count();
  std::string scope = scopes::Join(scopes);
  auto chosen = FormatFor(c, format);
  if (!chosen.ok()) return chosen.status();
  auto access = MintAccess(**chosen, c, user_id, "", scope, "", now);
  if (!access.ok()) return access.status();
  std::promise<absl::Status> recorded;
  store_.RecordTokens({access->record}, [&recorded](absl::Status st) { recorded.set_value(st); });
  if (auto st = recorded.get_future().get(); !st.ok()) return st;
  // Not cached here: the cache would hold it without its owner's username.
  return TokenResponse{access->token, "Bearer", c.access_ttl_seconds, "", scope, now};
}

absl::StatusOr<TokenResponse> TokenIssuer::RotateRefreshToken(
    const storage::ClientRecord& client, const std::string& refresh_token,
    const std::optional<std::vector<std::string>>& requested_scopes, TokenFormat format) {
  storage::Time now = storage::Now();
  auto chosen = FormatFor(client, format);
  if (!chosen.ok()) return chosen.status();
  TokenResponse response;
  auto mint = [&](const storage::TokenRecord& old) -> absl::StatusOr<storage::Rotation> {
    auto narrowed = scopes::Narrow(requested_scopes, scopes::Split(old.scope));
    if (!narrowed.ok()) return narrowed.status();
    std::string scope = scopes::Join(*narrowed);
    auto access = MintAccess(**chosen, client, old.user_id, old.family_id, scope, old.audience, now);
    if (!access.ok()) return access.status();
    // The refresh token keeps the original scope so a later refresh may
    // return to it (RFC 6749 §6: "identical to that of the refresh token").
    Minted refresh = MintRefresh(client, old.user_id, old.family_id, old.scope, old.audience, now);
    response = TokenResponse{access->token, "Bearer", client.access_ttl_seconds, refresh.token,
                             scope, now};
    return storage::Rotation{{access->record, refresh.record}, refresh.record.expires_at};
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
