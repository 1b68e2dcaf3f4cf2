// JWS signatures (RFC 7515 §5, RFC 7518 §3) over EVP: ES256 in the JOSE form
// (raw R‖S, 64 bytes, not DER), EdDSA one-shot (RFC 8037), RS256 PKCS#1 v1.5.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/jwt/key_material.h"

namespace tokend::jwt {

class EcdsaNoncePool;  // ecdsa_nonce_pool.h: its threads and locks stay out of this header

// The signature of `input` under the private `key`. INTERNAL if OpenSSL fails
// or the key does not fit its algorithm.
absl::StatusOr<std::string> Sign(const JwtKey& key, absl::string_view input);

// How a Signer for the server's active key differs from a one-off one.
struct SignerOptions {
  // ES256 only: keep up to this many signatures' nonces precomputed at idle
  // priority (ecdsa_nonce_pool.h); 0 computes each in full.
  size_t precomputed_nonces = 0;
};

// Sign() for one key with its algorithm prepared once (OpenSSL 3 otherwise
// fetches the algorithm implementation on every init): ES256 signs a SHA-256
// digest with the key's EC_KEY, from the nonce pool when one is ready; RS256
// with a copy of a sign-initialised context; EdDSA, which signs the message
// itself, takes the one-shot path. Thread-safe.
class Signer {
 public:
  // INTERNAL if the key does not fit its algorithm.
  static absl::StatusOr<std::shared_ptr<const Signer>> Create(JwtKey key,
                                                              SignerOptions options = {});
  ~Signer();
  Signer(const Signer&) = delete;
  Signer& operator=(const Signer&) = delete;

  const JwtKey& key() const { return key_; }
  absl::StatusOr<std::string> Sign(absl::string_view input) const;

 private:
  explicit Signer(JwtKey key);
  absl::StatusOr<std::string> SignEs256(absl::string_view input) const;

  JwtKey key_;
  EVP_PKEY_CTX* prepared_ = nullptr;  // RS256 only
  EC_KEY* ec_key_ = nullptr;          // ES256 only
  std::unique_ptr<EcdsaNoncePool> nonces_;  // ES256 with precomputed nonces only
};

// True only when `signature` is a valid signature of `input` under the public
// `key` in the exact JOSE form of its algorithm.
bool Verify(const JwtKey& key, absl::string_view input, absl::string_view signature);

}  // namespace tokend::jwt
