// Public keys as JWKs and key sets as JWKS documents (RFC 7517; EC and RSA
// members per RFC 7518 §6, OKP per RFC 8037).
#pragma once

#include <google/protobuf/struct.pb.h>

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/jwt/key_material.h"

namespace tokend::jwt {

// Verification keys by kid.
class KeySet {
 public:
  // Replaces a key with the same kid.
  void Add(JwtKey key);
  // Null when no key has `kid`.
  const JwtKey* Find(absl::string_view kid) const;
  const std::vector<JwtKey>& keys() const { return keys_; }

 private:
  std::vector<JwtKey> keys_;  // a handful: a linear search beats hashing
};

// The public JWK of `key` (kty, crv/x/y or n/e, kid, alg, use=sig).
// INTERNAL if the key's parameters cannot be read.
absl::StatusOr<google::protobuf::Struct> ToJwk(const JwtKey& key);

// {"keys": [...]} for every key of `keys`.
absl::StatusOr<std::string> ToJwks(const KeySet& keys);

// The public key a JWK describes. INVALID_ARGUMENT for a missing kid or alg,
// an unsupported kty/crv/alg, a use other than "sig", private members, or
// key material that does not fit the alg (e.g. RSA under 2048 bits).
absl::StatusOr<JwtKey> FromJwk(const google::protobuf::Struct& jwk);

// The usable keys of a JWKS document; keys FromJwk refuses are skipped.
// INVALID_ARGUMENT when the document is not JSON with a "keys" array.
absl::StatusOr<KeySet> ParseJwks(absl::string_view json);

}  // namespace tokend::jwt
