// Failed guesses (passwords at the login page and the password grant, client
// secrets) counted under a key in the ledger, so every replica sees the same
// counts. Same error contract as storage/ledger.h.
#pragma once

#include <chrono>
#include <string>

#include "absl/status/statusor.h"
#include "storage/records.h"

namespace tokend::storage {

struct LoginFailures {
  int failures = 0;
  Time last_failure{};
};

class FailureStore {
 public:
  virtual ~FailureStore() = default;
  // Failures recorded under `key`; zero failures when none.
  virtual absl::StatusOr<LoginFailures> GetLoginFailures(const std::string& key) = 0;
  // Counts one more failure at `now` (a count older than `forget_after`
  // restarts at 1) and returns the count now shared by every replica.
  virtual absl::StatusOr<LoginFailures> AddLoginFailure(const std::string& key, Time now,
                                                        std::chrono::seconds forget_after) = 0;
  virtual absl::Status ClearLoginFailures(const std::string& key) = 0;
};

}  // namespace tokend::storage
