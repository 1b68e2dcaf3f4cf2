// JWS signatures (RFC 7515 §5, RFC 7518 §3) over EVP: ES256 in the JOSE form
// (raw R‖S, 64 bytes, not DER), EdDSA one-shot (RFC 8037), RS256 PKCS#1 v1.5.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/jwt/key_material.h"

namespace tokend::jwt {

// The signature of `input` under the private `key`. INTERNAL if OpenSSL fails
// or the key does not fit its algorithm.
absl::StatusOr<std::string> Sign(const JwtKey& key, absl::string_view input);

// Sign() for one key with its algorithm context prepared once (OpenSSL 3
// otherwise fetches the algorithm implementation on every init): ES256 and
// RS256 sign a SHA-256 digest with a copy of a sign-initialised context;
// EdDSA, which signs the message itself, takes the one-shot path. Thread-safe.
class Signer {
 public:
  // INTERNAL if the key does not fit its algorithm.
  static absl::StatusOr<std::shared_ptr<const Signer>> Create(JwtKey key);
  ~Signer();
  Signer(const Signer&) = delete;
  Signer& operator=(const Signer&) = delete;

  const JwtKey& key() const { return key_; }
  absl::StatusOr<std::string> Sign(absl::string_view input) const;

 private:
  explicit Signer(JwtKey key) : key_(std::move(key)) {}
  JwtKey key_;
  EVP_PKEY_CTX* prepared_ = nullptr;  // null for EdDSA
};

// True only when `signature` is a valid signature of `input` under the public
// `key` in the exact JOSE form of its algorithm.
bool Verify(const JwtKey& key, absl::string_view input, absl::string_view signature);

}  // namespace tokend::jwt
