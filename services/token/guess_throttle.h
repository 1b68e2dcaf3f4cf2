// Slows guessing — passwords at the login page and the password grant,
// client secrets wherever a client authenticates — per subject (account or
// client id) and per source address, through counts in the ledger so that
// every replica sees them. After the free failures, each further attempt must
// wait twice as long as the one before (1 s, 2 s, 4 s … at most `max_delay`)
// after the last failure. While a wait runs every attempt is refused, the
// right secret too (else the answer would tell a right guess from a wrong
// one), and is not counted. A success clears the subject's count, never the
// address's; `forget_after` without failures forgets both. The delay is
// capped, so nobody failing on a victim's behalf can hold it longer than
// `max_delay` past their last counted failure.
//
// Each replica also remembers the waits the ledger told it about, so that a
// locked subject or address is refused from memory, without a round trip.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <mutex>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/metrics/metrics.h"
#include "storage/failure_store.h"
#include "storage/ledger.h"

namespace tokend {

enum class GuessKind { kLogin, kPassword, kClientSecret };
// "login", "password", "client_secret" (metrics labels, ledger keys, audit).
absl::string_view GuessKindName(GuessKind kind);

struct GuessPolicy {
  int free_subject_failures = 5;
  int free_address_failures = 20;
  std::chrono::seconds max_delay{900};
  std::chrono::seconds forget_after{3600};
};

class GuessThrottle {
 public:
  // `audit` (optional) receives a `lockout.started` row whenever a wait begins.
  GuessThrottle(storage::FailureStore& store, GuessPolicy policy,
                storage::AuditLog* audit = nullptr);

  // The wait still owed according to what this replica has learned from the
  // ledger; never blocks. Zero: not known to be locked.
  std::chrono::seconds KnownWait(GuessKind kind, absl::string_view subject,
                                 absl::string_view address, storage::Time now);
  // The wait still owed according to the ledger (remembered when non-zero).
  // Errors: the store's.
  absl::StatusOr<std::chrono::seconds> WaitBefore(GuessKind kind, const std::string& subject,
                                                  const std::string& address, storage::Time now);
  // Counts one failure for the subject and one for the address ("": none)
  // and returns the wait that now applies (remembered). A wait that begins
  // here is counted and audited as a lockout. Errors: the store's.
  absl::StatusOr<std::chrono::seconds> RecordFailure(GuessKind kind, const std::string& subject,
                                                     const std::string& address,
                                                     storage::Time now);
  // Clears the subject's count (not the address's). Errors: the store's.
  absl::Status RecordSuccess(GuessKind kind, const std::string& subject);
  // OK when neither `subject` nor `address` owes a wait (this replica's
  // memory first, then the ledger); otherwise Refuse()'s answer, or the
  // store's error.
  absl::Status Admit(GuessKind kind, const std::string& subject, const std::string& address,
                     storage::Time now);
  // The answer to an attempt made during `wait` (oauth rate_limited with its
  // retry delay), counted.
  absl::Status Refuse(GuessKind kind, std::chrono::seconds wait);

  void Collect(metrics::Exposition& out) const;

 private:
  static constexpr int kKinds = 3;
  enum Scope { kSubject = 0, kAddress = 1 };
  struct Memory {
    std::mutex mu;
    absl::flat_hash_map<std::string, storage::Time> until;
  };
  std::chrono::seconds Delay(const storage::LoginFailures& f, int free, storage::Time now) const;
  std::chrono::seconds Recall(GuessKind kind, Scope scope, absl::string_view key,
                              storage::Time now);
  void Remember(GuessKind kind, Scope scope, const std::string& key, storage::Time until);
  // The wait the ledger's count for `who` imposes (remembered), after
  // counting one more failure when `add_failure`.
  absl::StatusOr<std::chrono::seconds> Consult(GuessKind kind, Scope scope, const std::string& who,
                                               storage::Time now, bool add_failure);
  // Consult for the subject and, unless "", the address; the longer wait.
  absl::StatusOr<std::chrono::seconds> Both(GuessKind kind, const std::string& subject,
                                            const std::string& address, storage::Time now,
                                            bool add_failure);
  void LockoutStarted(GuessKind kind, Scope scope, const std::string& who,
                      std::chrono::seconds wait);

  storage::FailureStore& store_;
  GuessPolicy policy_;
  storage::AuditLog* audit_;
  std::array<std::array<Memory, 2>, kKinds> memory_;
  std::atomic<int> remembered_{0};  // entries in memory_: zero skips every lock
  std::array<metrics::Counter, kKinds> failures_, refused_;
  std::array<std::array<metrics::Counter, 2>, kKinds> lockouts_;
};

}  // namespace tokend
