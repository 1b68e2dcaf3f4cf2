// Argon2id password hashing through libsodium's crypto_pwhash, stored as PHC
// strings ("$argon2id$v=19$m=...,t=...,p=1$salt$hash").
#pragma once

#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"

namespace tokend {

class PasswordHasher {
 public:
  // `ops_limit`/`mem_limit` default to libsodium's INTERACTIVE parameters.
  // At most `max_concurrent` hashes run at once (each takes mem_limit bytes).
  PasswordHasher();
  PasswordHasher(unsigned long long ops_limit, size_t mem_limit, int max_concurrent);
  ~PasswordHasher();

  // INTERNAL if libsodium runs out of memory.
  absl::StatusOr<std::string> Hash(absl::string_view password) const;

  // True when `password` matches `phc_hash`. An empty hash verifies against a
  // dummy so that an unknown user costs as much time as a wrong password.
  bool Verify(absl::string_view phc_hash, absl::string_view password) const;

 private:
  class Gate;
  unsigned long long ops_limit_;
  size_t mem_limit_;
  Gate* gate_;
  std::string dummy_hash_;
};

}  // namespace tokend
