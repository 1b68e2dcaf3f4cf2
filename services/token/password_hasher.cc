#include "services/token/password_hasher.h"

#include <sodium.h>

#include <condition_variable>
#include <cstdlib>
#include <mutex>

namespace tokend {

// Bounds how many Argon2id computations run at once: each one holds
// mem_limit bytes, and an unbounded burst of logins must not exhaust memory.
class PasswordHasher::Gate {
 public:
  explicit Gate(int n) : free_(n) {}
  void Enter() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return free_ > 0; });
    --free_;
  }
  void Leave() {
    {
      std::lock_guard lock(mu_);
      ++free_;
    }
    cv_.notify_one();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int free_;
};

PasswordHasher::PasswordHasher()
    : PasswordHasher(crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE, 4) {}

PasswordHasher::PasswordHasher(unsigned long long ops_limit, size_t mem_limit, int max_concurrent)
    : ops_limit_(ops_limit), mem_limit_(mem_limit), gate_(new Gate(max_concurrent)) {
  if (sodium_init() < 0) std::abort();
  dummy_hash_ = Hash("tokend-dummy-password").value_or("");
}

PasswordHasher::~PasswordHasher() { delete gate_; }

absl::StatusOr<std::string> PasswordHasher::Hash(absl::string_view password) const {
  char out[crypto_pwhash_STRBYTES];
  gate_->Enter();
  int rc = crypto_pwhash_str_alg(out, password.data(), password.size(), ops_limit_, mem_limit_,
                                 crypto_pwhash_ALG_ARGON2ID13);
  gate_->Leave();
  if (rc != 0) return absl::InternalError("argon2id hashing failed (out of memory)");
  return std::string(out);
}

bool PasswordHasher::Verify(absl::string_view phc_hash, absl::string_view password) const {
  bool known = !phc_hash.empty();
  std::string hash(known ? phc_hash : absl::string_view(dummy_hash_));
  gate_->Enter();
  int rc = crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size());
  gate_->Leave();
  return known && rc == 0;
}

}  // namespace tokend
