#include "services/keys/key_encryption.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <memory>

#include "absl/strings/escaping.h"
#include "services/common/secrets.h"

namespace tokend::keys {
namespace {

constexpr size_t kKeyBytes = 32;
constexpr size_t kNonceBytes = 12;
constexpr size_t kTagBytes = 16;

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

const unsigned char* U(absl::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }
unsigned char* U(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }

}  // namespace

absl::StatusOr<KeyEncryptionKey> KeyEncryptionKey::FromBase64(absl::string_view text) {
  std::string key;
  if ((!absl::Base64Unescape(text, &key) && !absl::WebSafeBase64Unescape(text, &key)) ||
      key.size() != kKeyBytes) {
    return absl::InvalidArgumentError("the key-encryption key must be base64 of 32 bytes");
  }
  return KeyEncryptionKey(std::move(key));
}

KeyEncryptionKey KeyEncryptionKey::Generate() { return KeyEncryptionKey(secrets::RandomBytes(kKeyBytes)); }

KeyEncryptionKey::~KeyEncryptionKey() { OPENSSL_cleanse(key_.data(), key_.size()); }

std::string KeyEncryptionKey::ToBase64() const { return absl::Base64Escape(key_); }

std::string KeyEncryptionKey::Seal(absl::string_view plaintext, absl::string_view aad) const {
  std::string out = secrets::RandomBytes(kNonceBytes);
  out.resize(kNonceBytes + plaintext.size() + kTagBytes);
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  int len = 0;
  unsigned char* body = U(out) + kNonceBytes;
  bool ok = ctx && EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, U(key_), U(out)) == 1 &&
            EVP_EncryptUpdate(ctx.get(), nullptr, &len, U(aad), static_cast<int>(aad.size())) == 1 &&
            EVP_EncryptUpdate(ctx.get(), body, &len, U(plaintext), static_cast<int>(plaintext.size())) == 1 &&
            EVP_EncryptFinal_ex(ctx.get(), body + len, &len) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes,
                                body + plaintext.size()) == 1;
  // AES-GCM cannot fail on valid sizes; sealing a key badly is worse than stopping.
  if (!ok) std::abort();
  return out;
}

absl::StatusOr<std::string> KeyEncryptionKey::Open(absl::string_view sealed,
                                                   absl::string_view aad) const {
  if (sealed.size() < kNonceBytes + kTagBytes) {
    return absl::FailedPreconditionError("sealed key too short");
  }
  absl::string_view nonce = sealed.substr(0, kNonceBytes);
  absl::string_view body = sealed.substr(kNonceBytes, sealed.size() - kNonceBytes - kTagBytes);
  std::string tag(sealed.substr(sealed.size() - kTagBytes));
  std::string out(body.size(), '\0');
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  int len = 0;
  bool ok = ctx && EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, U(key_), U(nonce)) == 1 &&
            EVP_DecryptUpdate(ctx.get(), nullptr, &len, U(aad), static_cast<int>(aad.size())) == 1 &&
            EVP_DecryptUpdate(ctx.get(), U(out), &len, U(body), static_cast<int>(body.size())) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, U(tag)) == 1 &&
            EVP_DecryptFinal_ex(ctx.get(), U(out) + len, &len) == 1;
  ERR_clear_error();
  if (!ok) {
    OPENSSL_cleanse(out.data(), out.size());
    return absl::FailedPreconditionError("the sealed key does not open with this key-encryption key");
  }
  return out;
}

}  // namespace tokend::keys
