// Signing algorithms and their keys, through OpenSSL's EVP API: generation
// and the DER forms tokend stores (PKCS#8 private, SubjectPublicKeyInfo
// public).
#pragma once

#include <openssl/evp.h>

#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tokend::jwt {

// RFC 7518 §3.4 ES256 (P-256), RFC 8037 EdDSA (Ed25519), RFC 7518 §3.3 RS256
// (2048-bit or larger).
enum class Algorithm { kES256, kEdDSA, kRS256 };

absl::string_view AlgorithmName(Algorithm alg);
// nullopt for any other name ("none", "HS256", ...).
std::optional<Algorithm> AlgorithmFromName(absl::string_view name);

// An EVP_PKEY, shared read-only between threads (OpenSSL allows concurrent
// use of one key with separate contexts).
using PkeyPtr = std::shared_ptr<EVP_PKEY>;
PkeyPtr AdoptPkey(EVP_PKEY* key);

// A fresh key pair for `alg`. INTERNAL if OpenSSL fails.
absl::StatusOr<PkeyPtr> GenerateKey(Algorithm alg);

// True when `key` is of the type (and for RSA, at least the size) `alg` needs.
bool KeyFits(Algorithm alg, const EVP_PKEY* key);

// PKCS#8 DER of a private key, and back. INVALID_ARGUMENT for bad input.
absl::StatusOr<std::string> PrivateKeyDer(const EVP_PKEY* key);
absl::StatusOr<PkeyPtr> PrivateKeyFromDer(absl::string_view der);

// SubjectPublicKeyInfo DER of the public half, and back.
absl::StatusOr<std::string> PublicKeyDer(const EVP_PKEY* key);
absl::StatusOr<PkeyPtr> PublicKeyFromDer(absl::string_view der);

// A key with its identity, for signing (private) or verifying (public).
struct JwtKey {
  std::string kid;
  Algorithm alg = Algorithm::kES256;
  PkeyPtr key;
};

}  // namespace tokend::jwt
