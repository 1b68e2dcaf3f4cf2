// Registers resource owners; passwords are kept only as Argon2id hashes.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/token/password_hasher.h"
#include "storage/ledger.h"

namespace tokend {

class UserRegistry {
 public:
  UserRegistry(storage::UserStore& store, const PasswordHasher& hasher)
      : store_(store), hasher_(hasher) {}

  // INVALID_ARGUMENT for a malformed field, ALREADY_EXISTS for a taken
  // username. The id is generated. An empty password means the user cannot
  // log in until one is set.
  absl::StatusOr<storage::UserRecord> Create(storage::UserRecord user,
                                             const std::string& password);
  absl::StatusOr<storage::UserRecord> Get(const std::string& id);
  absl::StatusOr<storage::UserRecord> GetByUsername(const std::string& username);
  absl::StatusOr<std::vector<storage::UserRecord>> List(const storage::PageRequest& page);
  absl::StatusOr<storage::UserRecord> Update(storage::UserRecord user);
  absl::Status SetPassword(const std::string& id, const std::string& password);
  absl::Status Delete(const std::string& id);

  static absl::Status Validate(const storage::UserRecord& user);

 private:
  storage::UserStore& store_;
  const PasswordHasher& hasher_;
};

}  // namespace tokend
