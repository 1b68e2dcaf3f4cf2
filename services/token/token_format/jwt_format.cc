#include "services/token/token_format/jwt_format.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "services/jwt/jwt_signer.h"
#include "services/token/oauth_error.h"

namespace tokend {

JwtFormat::JwtFormat(keys::KeyManager& keys, JwtFormatOptions options)
    : keys_(keys),
      options_(std::move(options)),
      verifier_(jwt::VerifyOptions{options_.issuer, "", options_.leeway}) {
  if (options_.default_audience.empty()) options_.default_audience = options_.issuer;
}

absl::StatusOr<std::string> JwtFormat::Mint(AccessTokenClaims& claims) {
  auto signer = keys_.ActiveSigner();
  if (signer == nullptr) {
    // Only a key-encryption key that cannot open the active key gets here
    // (the log says so); it is not the client's fault nor transient.
    return oauth::Error(oauth::ErrorCode::kServerError,
                        "JWT access tokens cannot be signed on this server now.");
  }
  if (claims.audience.empty()) claims.audience = options_.default_audience;
  jwt::JwtClaims c;
  c.iss = options_.issuer;
  c.sub = claims.user_id.empty() ? claims.client_id : claims.user_id;
  c.aud = {claims.audience};
  c.iat = storage::ToUnixSeconds(claims.issued_at);
  c.nbf = c.iat;
  c.exp = storage::ToUnixSeconds(claims.expires_at);
  c.jti = claims.jti;
  c.client_id = claims.client_id;
  c.scope = claims.scope;
  auto token = signer->Sign(c);
  if (!token.ok()) return oauth::Error(oauth::ErrorCode::kServerError, "The token could not be signed.");
  return token;
}

bool JwtFormat::Recognizes(absl::string_view token) const {
  return absl::StartsWith(token, "eyJ") && std::count(token.begin(), token.end(), '.') == 2;
}

TokenCheck JwtFormat::Check(absl::string_view token, absl::string_view digest, bool may_block) {
  auto keys = keys_.Published();
  absl::Time now = absl::Now();
  if (auto known = Remembered(digest, keys->generation)) {
    return verifier_.CheckClaims(known->claims(), now).ok() ? TokenCheck::kPassed
                                                            : TokenCheck::kRejected;
  }
  auto verified = verifier_.Verify(token, keys->keys, now);
  if (!verified.ok() && jwt::JwtErrorOf(verified.status()) == jwt::JwtError::kUnknownKey) {
    if (!may_block) return TokenCheck::kNeedsBlocking;
    if (keys_.ReloadForUnknownKid()) {
      keys = keys_.Published();
      verified = verifier_.Verify(token, keys->keys, now);
    }
  }
  if (!verified.ok()) return TokenCheck::kRejected;
  Remember(digest, keys->generation, *verified);
  return TokenCheck::kPassed;
}

std::shared_ptr<const jwt::VerifiedJwt> JwtFormat::Remembered(absl::string_view digest,
                                                              uint64_t generation) {
  Shard& shard = shards_[absl::HashOf(digest) % kShards];
  std::lock_guard lock(shard.mu);
  auto it = shard.by_digest.find(digest);
  if (it == shard.by_digest.end() || it->second.generation != generation) return nullptr;
  return it->second.jwt;
}

void JwtFormat::Remember(absl::string_view digest, uint64_t generation, const jwt::VerifiedJwt& jwt) {
  Shard& shard = shards_[absl::HashOf(digest) % kShards];
  std::lock_guard lock(shard.mu);
  // A full shard is emptied rather than grown (as TokenCache does).
  if (shard.by_digest.size() >= options_.memo_capacity / kShards) shard.by_digest.clear();
  shard.by_digest[std::string(digest)] = Memo{generation, std::make_shared<const jwt::VerifiedJwt>(jwt)};
}

}  // namespace tokend
