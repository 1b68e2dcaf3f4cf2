// JWT access tokens (RFC 9068) signed with the key manager's active key. A
// presented JWT passes Check only with a valid signature by a published key,
// typ at+jwt, our issuer, and exp/nbf holding; the ledger then decides
// revocation as for opaque tokens. Verification is CPU-only and memoised by
// token digest per key-set generation, so repeated introspection of one
// token costs a hash lookup.
#pragma once

#include <array>
#include <memory>
#include <mutex>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "services/jwt/jwt_verifier.h"
#include "services/keys/key_manager.h"
#include "services/token/token_format/access_token_format.h"

namespace tokend {

struct JwtFormatOptions {
  std::string issuer;            // iss of every token, and required on input
  std::string default_audience;  // aud when a request names none; empty: the issuer
  absl::Duration leeway = absl::Seconds(5);  // clock skew between replicas
  size_t memo_capacity = 1 << 16;
};

class JwtFormat final : public AccessTokenFormat {
 public:
  JwtFormat(keys::KeyManager& keys, JwtFormatOptions options);

  // server_error when no signing key is usable (a wrong KEK).
  absl::StatusOr<std::string> Mint(AccessTokenClaims& claims) override;
  // Three dot-separated parts starting with a base64url JSON object.
  bool Recognizes(absl::string_view token) const override;
  // kNeedsBlocking for an unknown kid when !may_block (reloading the keys
  // blocks); with may_block the keys are reloaded (rate-limited) and the
  // token verified again.
  TokenCheck Check(absl::string_view token, absl::string_view digest, bool may_block) override;

 private:
  struct Memo {
    uint64_t generation;
    std::shared_ptr<const jwt::VerifiedJwt> jwt;
  };
  struct Shard {
    std::mutex mu;
    absl::flat_hash_map<std::string, Memo> by_digest;
  };
  static constexpr size_t kShards = 16;
  std::shared_ptr<const jwt::VerifiedJwt> Remembered(absl::string_view digest, uint64_t generation);
  void Remember(absl::string_view digest, uint64_t generation, const jwt::VerifiedJwt& jwt);

  keys::KeyManager& keys_;
  JwtFormatOptions options_;
  jwt::JwtVerifier verifier_;
  std::array<Shard, kShards> shards_;
};

}  // namespace tokend
