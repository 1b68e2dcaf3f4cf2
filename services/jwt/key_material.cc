#include "services/jwt/key_material.h"

#include <openssl/err.h>
#include <openssl/x509.h>

namespace tokend::jwt {
namespace {

constexpr struct {
  Algorithm alg;
  absl::string_view name;
} kAlgorithms[] = {{Algorithm::kES256, "ES256"}, {Algorithm::kEdDSA, "EdDSA"},
                   {Algorithm::kRS256, "RS256"}};

absl::Status OpenSslError(absl::string_view what) {
  ERR_clear_error();
  return absl::InternalError(what);
}

}  // namespace

absl::string_view AlgorithmName(Algorithm alg) {
  for (const auto& a : kAlgorithms) {
    if (a.alg == alg) return a.name;
  }
  return "";
}

std::optional<Algorithm> AlgorithmFromName(absl::string_view name) {
  for (const auto& a : kAlgorithms) {
    if (a.name == name) return a.alg;
  }
  return std::nullopt;
}

PkeyPtr AdoptPkey(EVP_PKEY* key) { return key ? PkeyPtr(key, EVP_PKEY_free) : nullptr; }

absl::StatusOr<PkeyPtr> GenerateKey(Algorithm alg) {
  EVP_PKEY* key = nullptr;
  switch (alg) {
    case Algorithm::kES256:
      key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
      break;
    case Algorithm::kEdDSA:
      key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
      break;
    case Algorithm::kRS256:
      key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048));
      break;
  }
  if (key == nullptr) return OpenSslError("key generation failed");
  return AdoptPkey(key);
}

bool KeyFits(Algorithm alg, const EVP_PKEY* key) {
  if (key == nullptr) return false;
  switch (alg) {
    case Algorithm::kES256:
      if (!EVP_PKEY_is_a(key, "EC")) return false;
      {
        char group[64] = {0};
        size_t len = 0;
        if (!EVP_PKEY_get_utf8_string_param(key, "group", group, sizeof(group), &len)) return false;
        return absl::string_view(group, len) == "prime256v1";
      }
    case Algorithm::kEdDSA:
      return EVP_PKEY_is_a(key, "ED25519");
    case Algorithm::kRS256:
      return EVP_PKEY_is_a(key, "RSA") && EVP_PKEY_get_bits(key) >= 2048;
  }
  return false;
}

absl::StatusOr<std::string> PrivateKeyDer(const EVP_PKEY* key) {
  PKCS8_PRIV_KEY_INFO* p8 = EVP_PKEY2PKCS8(key);
  if (p8 == nullptr) return OpenSslError("cannot encode the private key");
  unsigned char* der = nullptr;
  int len = i2d_PKCS8_PRIV_KEY_INFO(p8, &der);
  PKCS8_PRIV_KEY_INFO_free(p8);
  if (len <= 0) return OpenSslError("cannot encode the private key");
  std::string out(reinterpret_cast<char*>(der), len);
  OPENSSL_clear_free(der, len);
  return out;
}

absl::StatusOr<PkeyPtr> PrivateKeyFromDer(absl::string_view der) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  PKCS8_PRIV_KEY_INFO* p8 = d2i_PKCS8_PRIV_KEY_INFO(nullptr, &p, static_cast<long>(der.size()));
  if (p8 == nullptr) {
    ERR_clear_error();
    return absl::InvalidArgumentError("not a PKCS#8 private key");
  }
  EVP_PKEY* key = EVP_PKCS82PKEY(p8);
  PKCS8_PRIV_KEY_INFO_free(p8);
  if (key == nullptr) {
    ERR_clear_error();
    return absl::InvalidArgumentError("unsupported private key");
  }
  return AdoptPkey(key);
}

absl::StatusOr<std::string> PublicKeyDer(const EVP_PKEY* key) {
  unsigned char* der = nullptr;
  int len = i2d_PUBKEY(const_cast<EVP_PKEY*>(key), &der);
  if (len <= 0) return OpenSslError("cannot encode the public key");
  std::string out(reinterpret_cast<char*>(der), len);
  OPENSSL_free(der);
  return out;
}

absl::StatusOr<PkeyPtr> PublicKeyFromDer(absl::string_view der) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  EVP_PKEY* key = d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size()));
  if (key == nullptr) {
    ERR_clear_error();
    return absl::InvalidArgumentError("not a SubjectPublicKeyInfo");
  }
  return AdoptPkey(key);
}

}  // namespace tokend::jwt
