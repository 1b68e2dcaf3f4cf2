#include "services/jwt/signature.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>

#include <memory>

#include "services/jwt/ecdsa_nonce_pool.h"

namespace tokend::jwt {
namespace {

constexpr size_t kP256Bytes = 32;

// SHA-256 fetched once (OpenSSL 3 otherwise fetches it on every init).
const EVP_MD* Sha256() {
  static const EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

// EdDSA hashes internally: no digest is named (RFC 8032).
const EVP_MD* DigestFor(Algorithm alg) { return alg == Algorithm::kEdDSA ? nullptr : Sha256(); }

using MdCtx = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

// R‖S, each left-padded to 32 bytes (RFC 7518 §3.4).
bool SigToJose(const ECDSA_SIG* sig, std::string* out) {
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig, &r, &s);
  out->assign(2 * kP256Bytes, '\0');
  auto* buf = reinterpret_cast<unsigned char*>(out->data());
  return BN_bn2binpad(r, buf, kP256Bytes) == kP256Bytes &&
         BN_bn2binpad(s, buf + kP256Bytes, kP256Bytes) == kP256Bytes;
}

// DER ECDSA-Sig-Value → R‖S.
bool DerToJose(absl::string_view der, std::string* out) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
  if (sig == nullptr) return false;
  bool ok = SigToJose(sig, out);
  ECDSA_SIG_free(sig);
  return ok;
}

// R‖S → DER; false unless exactly 64 bytes.
bool JoseToDer(absl::string_view jose, std::string* out) {
  if (jose.size() != 2 * kP256Bytes) return false;
  const auto* p = reinterpret_cast<const unsigned char*>(jose.data());
  ECDSA_SIG* sig = ECDSA_SIG_new();
  BIGNUM* r = BN_bin2bn(p, kP256Bytes, nullptr);
  BIGNUM* s = BN_bin2bn(p + kP256Bytes, kP256Bytes, nullptr);
  if (sig == nullptr || r == nullptr || s == nullptr || !ECDSA_SIG_set0(sig, r, s)) {
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(sig);
    return false;
  }
  unsigned char* der = nullptr;
  int len = i2d_ECDSA_SIG(sig, &der);
  ECDSA_SIG_free(sig);
  if (len <= 0) return false;
  out->assign(reinterpret_cast<char*>(der), len);
  OPENSSL_free(der);
  return true;
}

}  // namespace

absl::StatusOr<std::string> Sign(const JwtKey& key, absl::string_view input) {
  if (!KeyFits(key.alg, key.key.get())) return absl::InternalError("the key does not fit its algorithm");
  MdCtx ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  size_t len = 0;
  const auto* tbs = reinterpret_cast<const unsigned char*>(input.data());
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, DigestFor(key.alg), nullptr, key.key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, tbs, input.size()) != 1) {
    ERR_clear_error();
    return absl::InternalError("signing failed");
  }
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, tbs,
                     input.size()) != 1) {
    ERR_clear_error();
    return absl::InternalError("signing failed");
  }
  sig.resize(len);
  if (key.alg != Algorithm::kES256) return sig;
  std::string jose;
  if (!DerToJose(sig, &jose)) return absl::InternalError("bad ECDSA signature encoding");
  return jose;
}

// OpenSSL 3 deprecates the EC_KEY functions, but signing with precomputed
// nonces (ECDSA_do_sign_ex) has no EVP equivalent.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
absl::StatusOr<std::shared_ptr<const Signer>> Signer::Create(JwtKey key, SignerOptions options) {
  if (!KeyFits(key.alg, key.key.get())) return absl::InternalError("the key does not fit its algorithm");
  std::shared_ptr<Signer> signer(new Signer(std::move(key)));
  bool ok = true;
  switch (signer->key_.alg) {
    case Algorithm::kEdDSA:
      break;
    case Algorithm::kES256:
      signer->ec_key_ = EVP_PKEY_get1_EC_KEY(signer->key_.key.get());
      ok = signer->ec_key_ != nullptr;
      if (ok && options.precomputed_nonces > 0) {
        signer->nonces_ =
            std::make_unique<EcdsaNoncePool>(signer->ec_key_, options.precomputed_nonces);
      }
      break;
    case Algorithm::kRS256:
      signer->prepared_ = EVP_PKEY_CTX_new_from_pkey(nullptr, signer->key_.key.get(), nullptr);
      ok = signer->prepared_ != nullptr && EVP_PKEY_sign_init(signer->prepared_) == 1 &&
           EVP_PKEY_CTX_set_signature_md(signer->prepared_, Sha256()) == 1 &&
           EVP_PKEY_CTX_set_rsa_padding(signer->prepared_, RSA_PKCS1_PADDING) == 1;
      break;
  }
  ERR_clear_error();
  if (!ok) return absl::InternalError("cannot prepare the signing context");
  return signer;
}

Signer::Signer(JwtKey key) : key_(std::move(key)) {}

Signer::~Signer() {
  nonces_.reset();  // its thread reads ec_key_
  EC_KEY_free(ec_key_);
  EVP_PKEY_CTX_free(prepared_);
}

absl::StatusOr<std::string> Signer::SignEs256(absl::string_view input) const {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
  ECDSA_SIG* sig = nullptr;
  if (nonces_ != nullptr) {
    if (auto nonce = nonces_->Take()) {
      // Fails only if s came out 0 (probability ~2^-256); then in full below.
      sig = ECDSA_do_sign_ex(digest, sizeof(digest), nonce->k_inverse.get(), nonce->r.get(),
                             ec_key_);
    }
  }
  if (sig == nullptr) sig = ECDSA_do_sign(digest, sizeof(digest), ec_key_);
  std::string jose;
  bool ok = sig != nullptr && SigToJose(sig, &jose);
  ECDSA_SIG_free(sig);
  ERR_clear_error();
  if (!ok) return absl::InternalError("signing failed");
  return jose;
}
#pragma GCC diagnostic pop

absl::StatusOr<std::string> Signer::Sign(absl::string_view input) const {
  if (key_.alg == Algorithm::kES256) return SignEs256(input);
  if (prepared_ == nullptr) return jwt::Sign(key_, input);
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(EVP_PKEY_CTX_dup(prepared_),
                                                                  EVP_PKEY_CTX_free);
  size_t len = 0;
  std::string sig;
  bool ok = ctx && EVP_PKEY_sign(ctx.get(), nullptr, &len, digest, sizeof(digest)) == 1;
  if (ok) {
    sig.resize(len);
    ok = EVP_PKEY_sign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, digest,
                       sizeof(digest)) == 1;
  }
  ERR_clear_error();
  if (!ok) return absl::InternalError("signing failed");
  sig.resize(len);
  return sig;
}

bool Verify(const JwtKey& key, absl::string_view input, absl::string_view signature) {
  if (!KeyFits(key.alg, key.key.get())) return false;
  std::string der;
  switch (key.alg) {
    case Algorithm::kES256:
      if (!JoseToDer(signature, &der)) return false;
      signature = der;
      break;
    case Algorithm::kEdDSA:
      if (signature.size() != 64) return false;
      break;
    case Algorithm::kRS256:
      if (static_cast<int>(signature.size()) != EVP_PKEY_get_size(key.key.get())) return false;
      break;
  }
  MdCtx ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  bool ok = ctx &&
            EVP_DigestVerifyInit(ctx.get(), nullptr, DigestFor(key.alg), nullptr, key.key.get()) == 1 &&
            EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                             signature.size(), reinterpret_cast<const unsigned char*>(input.data()),
                             input.size()) == 1;
  ERR_clear_error();
  return ok;
}

}  // namespace tokend::jwt
