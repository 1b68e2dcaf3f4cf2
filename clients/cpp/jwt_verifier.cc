#include "jwt_verifier.h"

#include "services/common/basic_auth.h"
#include "services/common/form_codec.h"
#include "services/jwt/jose.h"

namespace tokend::client {
namespace {

// After a failed fetch with no keys at all, retry at most this often.
constexpr absl::Duration kRetryAfterFailure = absl::Seconds(1);
constexpr size_t kMaxRemembered = 100000;

}  // namespace

std::unique_ptr<JwksSource> HttpJwksSource::Create(std::string url, HttpOptions options) {
  return std::make_unique<HttpJwksSource>(std::move(url), std::move(options));
}

absl::StatusOr<std::string> HttpJwksSource::Fetch() {
  auto reply = HttpCall(url_, "", {{"Accept", "application/jwk-set+json, application/json"}}, options_);
  if (!reply.ok()) return reply.status();
  if (reply->status != 200) return absl::UnavailableError("the JWKS endpoint did not answer 200");
  return std::move(reply->body);
}

IntrospectionRevocationChecker::IntrospectionRevocationChecker(std::string introspect_url,
                                                               std::string client_id,
                                                               std::string client_secret,
                                                               HttpOptions options,
                                                               absl::Duration cache_for)
    : url_(std::move(introspect_url)),
      client_id_(std::move(client_id)),
      client_secret_(std::move(client_secret)),
      options_(std::move(options)),
      cache_for_(cache_for) {}

absl::StatusOr<bool> IntrospectionRevocationChecker::IsRevoked(absl::string_view token,
                                                               const jwt::VerifiedJwt& jwt) {
  const std::string& jti = jwt.claims().jti;
  {
    std::lock_guard lock(mu_);
    if (revoked_.contains(jti)) return true;
    auto it = active_until_.find(jti);
    if (it != active_until_.end() && it->second > absl::Now()) return false;
  }
  auto reply = HttpCall(url_, "token=" + form::Encode(token) + "&token_type_hint=access_token",
                        {{"Authorization", basic_auth::Format(client_id_, client_secret_)}}, options_);
  if (!reply.ok()) return reply.status();
  auto body = reply->status == 200 ? jwt::ParseJsonObject(reply->body)
                                   : absl::UnavailableError("introspection failed");
  if (!body.ok()) return absl::UnavailableError("introspection failed");
  auto active = body->fields().find("active");
  if (active == body->fields().end() || !active->second.has_bool_value()) {
    return absl::UnavailableError("introspection answered no \"active\"");
  }
  std::lock_guard lock(mu_);
  if (revoked_.size() + active_until_.size() > kMaxRemembered) {
    revoked_.clear();
    active_until_.clear();
  }
  if (!active->second.bool_value()) {
    revoked_[jti] = true;
    return true;
  }
  active_until_[jti] = absl::Now() + cache_for_;
  return false;
}

JwtVerifier::JwtVerifier(std::unique_ptr<JwksSource> source, JwtVerifierOptions options,
                         std::unique_ptr<RevocationChecker> revocation)
    : source_(std::move(source)),
      options_(std::move(options)),
      revocation_(std::move(revocation)),
      verifier_(jwt::VerifyOptions{options_.issuer, options_.audience, options_.leeway}) {}

std::shared_ptr<const jwt::KeySet> JwtVerifier::Refetch(absl::Duration min_interval) {
  std::lock_guard fetching(fetch_mu_);
  absl::Time now = options_.now();
  {
    std::lock_guard lock(mu_);
    if (now - attempted_at_ < min_interval) return keys_;
    attempted_at_ = now;
  }
  auto doc = source_->Fetch();
  auto set = doc.ok() ? jwt::ParseJwks(*doc) : absl::StatusOr<jwt::KeySet>(doc.status());
  std::lock_guard lock(mu_);
  if (set.ok()) {
    keys_ = std::make_shared<const jwt::KeySet>(*std::move(set));
    fetched_at_ = now;
  }
  return keys_;  // a failed refetch keeps what we had
}

std::shared_ptr<const jwt::KeySet> JwtVerifier::Keys() {
  {
    std::lock_guard lock(mu_);
    if (keys_ != nullptr && options_.now() - fetched_at_ < options_.max_cache_age) return keys_;
  }
  return Refetch(kRetryAfterFailure);
}

absl::Status JwtVerifier::Refresh() {
  std::shared_ptr<const jwt::KeySet> before;
  {
    std::lock_guard lock(mu_);
    before = keys_;
  }
  auto after = Refetch(absl::ZeroDuration());
  if (after == nullptr || after == before) {
    return jwt::Error(jwt::JwtError::kKeysUnavailable, "the JWKS could not be fetched");
  }
  return absl::OkStatus();
}

absl::StatusOr<jwt::VerifiedJwt> JwtVerifier::Verify(absl::string_view token) {
  if (token.size() > jwt::kMaxTokenBytes) {
    return jwt::Error(jwt::JwtError::kTooLarge, "the token exceeds 8 KiB");
  }
  auto keys = Keys();
  if (keys == nullptr) return jwt::Error(jwt::JwtError::kKeysUnavailable, "no JWKS could be fetched");
  auto verified = verifier_.Verify(token, *keys, options_.now());
  if (!verified.ok() && jwt::JwtErrorOf(verified.status()) == jwt::JwtError::kUnknownKey) {
    auto fresh = Refetch(options_.min_refetch_interval);  // a rotation we have not seen yet?
    if (fresh != keys) verified = verifier_.Verify(token, *fresh, options_.now());
  }
  if (!verified.ok() || revocation_ == nullptr) return verified;
  auto revoked = revocation_->IsRevoked(token, *verified);
  if (!revoked.ok()) {
    return jwt::Error(jwt::JwtError::kRevocationUnknown, "the revocation check failed");
  }
  if (*revoked) return jwt::Error(jwt::JwtError::kRevoked, "the token was revoked");
  return verified;
}

}  // namespace tokend::client
