// Verifies JWT access tokens (RFC 9068 §4, RFC 7515 §5.2) against a key set.
// One implementation for tokend's Introspect and for resource servers
// (clients/cpp/jwt_verifier.h). Only the verifier constructs a VerifiedJwt,
// so code holding one knows every check passed.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "services/jwt/claims.h"
#include "services/jwt/jwk.h"
#include "services/jwt/jwt_error.h"

namespace tokend::jwt {

class VerifiedJwt {
 public:
  const JwtClaims& claims() const { return claims_; }
  const std::string& kid() const { return kid_; }
  Algorithm algorithm() const { return alg_; }

 private:
  friend class JwtVerifier;
  VerifiedJwt(JwtClaims claims, std::string kid, Algorithm alg)
      : claims_(std::move(claims)), kid_(std::move(kid)), alg_(alg) {}
  JwtClaims claims_;
  std::string kid_;
  Algorithm alg_;
};

struct VerifyOptions {
  std::string issuer;    // iss must equal it; empty: not checked
  std::string audience;  // must be one of aud; empty: not checked
  absl::Duration leeway = absl::Seconds(30);  // clock skew allowed on exp and nbf
};

class JwtVerifier {
 public:
  explicit JwtVerifier(VerifyOptions options) : options_(std::move(options)) {}

  // Checks, in order, each failing with its jwt_error.h code: size
  // (kTooLarge); three base64url parts with a JSON header (kMalformed); alg
  // one of ES256/EdDSA/RS256 (kUnsupportedAlgorithm — "none" and HS* land
  // here); typ at+jwt (kWrongType); no "crit" (kMalformed); kid published
  // (kUnknownKey); alg equal to the key's (kAlgorithmMismatch); signature
  // (kBadSignature); payload claims (kMalformed); then CheckClaims.
  absl::StatusOr<VerifiedJwt> Verify(absl::string_view token, const KeySet& keys,
                                     absl::Time now) const;

  // The claim checks alone, for a token whose signature was verified before:
  // exp (kExpired), nbf (kNotYetValid), iss (kWrongIssuer), aud
  // (kWrongAudience).
  absl::Status CheckClaims(const JwtClaims& claims, absl::Time now) const;

 private:
  VerifyOptions options_;
};

}  // namespace tokend::jwt
