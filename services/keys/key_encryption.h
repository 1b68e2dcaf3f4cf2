// The key-encryption key (KEK): seals signing keys before they reach the
// ledger, AES-256-GCM through EVP with a random 96-bit nonce per seal and the
// kid as associated data (a sealed key moved to another kid does not open).
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tokend::keys {

class KeyEncryptionKey {
 public:
  // From base64 (standard or URL-safe, padding optional) of exactly 32
  // bytes; INVALID_ARGUMENT otherwise.
  static absl::StatusOr<KeyEncryptionKey> FromBase64(absl::string_view text);
  // 32 fresh bytes from the CSPRNG.
  static KeyEncryptionKey Generate();

  KeyEncryptionKey(const KeyEncryptionKey&) = default;
  KeyEncryptionKey& operator=(const KeyEncryptionKey&) = default;
  ~KeyEncryptionKey();

  std::string ToBase64() const;

  // nonce (12) ‖ ciphertext ‖ tag (16).
  std::string Seal(absl::string_view plaintext, absl::string_view aad) const;

  // The plaintext; FAILED_PRECONDITION when the tag does not verify (another
  // KEK, another aad, or altered bytes).
  absl::StatusOr<std::string> Open(absl::string_view sealed, absl::string_view aad) const;

 private:
  explicit KeyEncryptionKey(std::string key) : key_(std::move(key)) {}
  std::string key_;
};

}  // namespace tokend::keys
