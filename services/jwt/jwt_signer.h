// Signs JWT access tokens (RFC 9068 §2.1: typ at+jwt, alg, kid) in the JWS
// compact serialization (RFC 7515 §7.1).
#pragma once

#include <google/protobuf/struct.pb.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "services/jwt/claims.h"
#include "services/jwt/key_material.h"
#include "services/jwt/signature.h"

namespace tokend::jwt {

// Signs access tokens with one key; the header (constant per key) is
// encoded once. Thread-safe.
class JwtSigner {
 public:
  // INTERNAL if the key does not fit its algorithm.
  static absl::StatusOr<std::shared_ptr<const JwtSigner>> Create(JwtKey key,
                                                                 SignerOptions options = {});

  const JwtKey& key() const { return signer_->key(); }
  // header.payload.signature with header {"alg", "kid", "typ": "at+jwt"}.
  // INTERNAL if signing fails.
  absl::StatusOr<std::string> Sign(const JwtClaims& claims) const;

 private:
  JwtSigner(std::shared_ptr<const Signer> signer, std::string header)
      : signer_(std::move(signer)), header_(std::move(header)) {}
  std::shared_ptr<const Signer> signer_;
  std::string header_;  // base64url
};

// JwtSigner::Create(key)->Sign(claims), for one-off tokens.
absl::StatusOr<std::string> SignJwt(const JwtKey& key, const JwtClaims& claims);

// The same over any header and payload objects (tests craft odd tokens with
// it); `header` is used as given.
absl::StatusOr<std::string> SignCompact(const JwtKey& key, const google::protobuf::Struct& header,
                                        const google::protobuf::Struct& payload);

}  // namespace tokend::jwt
