// Offline verification of tokend's JWT access tokens for resource servers
// (RFC 9068 §4): the JWKS is fetched once and cached; a token naming an
// unknown kid triggers a refetch (rate-limited), so a key rotation needs no
// restart. The checks themselves are tokend's own (services/jwt), so a
// resource server accepts exactly what tokend's Introspect accepts.
//
//   tokend::client::JwtVerifier verifier(
//       tokend::client::HttpJwksSource::Create("https://auth.example/.well-known/jwks.json"),
//       {.issuer = "https://auth.example", .audience = "https://api.example"});
//   auto jwt = verifier.Verify(bearer_token);
//   if (!jwt.ok()) {  // tokend::jwt::JwtErrorOf(jwt.status()) says why
//   } else { use jwt->claims().sub, .scope, .client_id ... }
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "http_fetch.h"
#include "services/jwt/jwt_verifier.h"

namespace tokend::client {

// Where the JWKS document comes from.
class JwksSource {
 public:
  virtual ~JwksSource() = default;
  // The document; UNAVAILABLE when it cannot be fetched now.
  virtual absl::StatusOr<std::string> Fetch() = 0;
};

// GETs the JWKS over HTTP(S) (tokend serves it at /.well-known/jwks.json).
class HttpJwksSource final : public JwksSource {
 public:
  static std::unique_ptr<JwksSource> Create(std::string url, HttpOptions options = {});
  HttpJwksSource(std::string url, HttpOptions options)
      : url_(std::move(url)), options_(std::move(options)) {}
  absl::StatusOr<std::string> Fetch() override;

 private:
  std::string url_;
  HttpOptions options_;
};

// Optional online revocation check: a signature cannot say a token was
// revoked after it was issued.
class RevocationChecker {
 public:
  virtual ~RevocationChecker() = default;
  // True when tokend no longer considers the token active; UNAVAILABLE when
  // it cannot tell now.
  virtual absl::StatusOr<bool> IsRevoked(absl::string_view token, const jwt::VerifiedJwt& jwt) = 0;
};

// Asks tokend's RFC 7662 endpoint (with the resource server's own client
// credentials, which need the "introspect" permission for other clients'
// tokens), remembering an "active" answer for `cache_for` and a "revoked"
// one for good.
class IntrospectionRevocationChecker final : public RevocationChecker {
 public:
  IntrospectionRevocationChecker(std::string introspect_url, std::string client_id,
                                 std::string client_secret, HttpOptions options = {},
                                 absl::Duration cache_for = absl::Seconds(10));
  absl::StatusOr<bool> IsRevoked(absl::string_view token, const jwt::VerifiedJwt& jwt) override;

 private:
  std::string url_, client_id_, client_secret_;
  HttpOptions options_;
  absl::Duration cache_for_;
  std::mutex mu_;
  absl::flat_hash_map<std::string, absl::Time> active_until_;  // by jti
  absl::flat_hash_map<std::string, bool> revoked_;
};

struct JwtVerifierOptions {
  std::string issuer;    // tokend's issuer; required
  std::string audience;  // this resource server; empty: aud is not checked
  absl::Duration leeway = absl::Seconds(30);
  absl::Duration max_cache_age = absl::Minutes(5);          // then refetch in the background of a call
  absl::Duration min_refetch_interval = absl::Seconds(30);  // unknown-kid refetches at most this often
  std::function<absl::Time()> now = [] { return absl::Now(); };
};

class JwtVerifier {
 public:
  JwtVerifier(std::unique_ptr<JwksSource> source, JwtVerifierOptions options,
              std::unique_ptr<RevocationChecker> revocation = nullptr);

  // The verified token, or an error whose jwt::JwtErrorOf() code says why:
  // every code of jwt::JwtVerifier::Verify, kKeysUnavailable when no JWKS
  // could be fetched, kRevoked when the revocation checker says so.
  // Thread-safe; blocks only to fetch the JWKS (or ask the checker).
  absl::StatusOr<jwt::VerifiedJwt> Verify(absl::string_view token);

  // Fetches the JWKS now (e.g. at start-up). kKeysUnavailable on failure.
  absl::Status Refresh();

 private:
  std::shared_ptr<const jwt::KeySet> Keys();
  // Refetches unless one ran within `min_interval`; returns the keys now held.
  std::shared_ptr<const jwt::KeySet> Refetch(absl::Duration min_interval);

  std::unique_ptr<JwksSource> source_;
  JwtVerifierOptions options_;
  std::unique_ptr<RevocationChecker> revocation_;
  jwt::JwtVerifier verifier_;
  std::mutex fetch_mu_;  // one fetch at a time
  std::mutex mu_;
  std::shared_ptr<const jwt::KeySet> keys_;
  absl::Time fetched_at_ = absl::InfinitePast();
  absl::Time attempted_at_ = absl::InfinitePast();
};

}  // namespace tokend::client
