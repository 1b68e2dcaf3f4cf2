// Slows password guessing at the login page, per account and per client
// address, through counts in the ledger (so every replica sees them). After
// `free_failures` failures in a row, each further attempt must wait twice as
// long as the one before (1 s, 2 s, 4 s … at most `max_delay`) after the last
// failure; a success clears the account's count, and an hour without
// failures forgets it. The delay is capped, so nobody can be locked out for
// good by someone failing on their behalf.
#pragma once

#include <chrono>
#include <string>

#include "absl/status/statusor.h"
#include "storage/authorization_store.h"

namespace tokend {

struct ThrottlePolicy {
  int free_account_failures = 5;
  int free_address_failures = 20;
  std::chrono::seconds max_delay{300};
  std::chrono::seconds forget_after{3600};
};

class LoginThrottle {
 public:
  LoginThrottle(storage::AuthorizationStore& store, ThrottlePolicy policy)
      : store_(store), policy_(policy) {}

  // How long the caller must still wait before trying `account` from
  // `address` (zero: go ahead).
  absl::StatusOr<std::chrono::seconds> WaitBefore(const std::string& account,
                                                  const std::string& address, storage::Time now);
  absl::Status RecordFailure(const std::string& account, const std::string& address,
                             storage::Time now);
  absl::Status RecordSuccess(const std::string& account);

 private:
  std::chrono::seconds Delay(const storage::LoginFailures& f, int free, storage::Time now) const;
  storage::AuthorizationStore& store_;
  ThrottlePolicy policy_;
};

}  // namespace tokend
