#include "services/authorization/login_throttle.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace tokend {
namespace {

std::string AccountKey(const std::string& account) {
  return absl::StrCat("account:", absl::AsciiStrToLower(account));
}
std::string AddressKey(const std::string& address) { return absl::StrCat("address:", address); }

}  // namespace

std::chrono::seconds LoginThrottle::Delay(const storage::LoginFailures& f, int free,
                                          storage::Time now) const {
  if (f.failures < free || now - f.last_failure > policy_.forget_after) return std::chrono::seconds(0);
  int doublings = std::min(f.failures - free, 20);
  std::chrono::seconds wait = std::min(std::chrono::seconds(int64_t{1} << doublings), policy_.max_delay);
  auto ready = f.last_failure + wait;
  if (ready <= now) return std::chrono::seconds(0);
  return std::chrono::ceil<std::chrono::seconds>(ready - now);
}

absl::StatusOr<std::chrono::seconds> LoginThrottle::WaitBefore(const std::string& account,
                                                               const std::string& address,
                                                               storage::Time now) {
  auto by_account = store_.GetLoginFailures(AccountKey(account));
  if (!by_account.ok()) return by_account.status();
  auto by_address = store_.GetLoginFailures(AddressKey(address));
  if (!by_address.ok()) return by_address.status();
  return std::max(Delay(*by_account, policy_.free_account_failures, now),
                  Delay(*by_address, policy_.free_address_failures, now));
}

absl::Status LoginThrottle::RecordFailure(const std::string& account, const std::string& address,
                                          storage::Time now) {
  if (auto st = store_.AddLoginFailure(AccountKey(account), now, policy_.forget_after); !st.ok()) {
    return st.status();
  }
  return store_.AddLoginFailure(AddressKey(address), now, policy_.forget_after).status();
}

absl::Status LoginThrottle::RecordSuccess(const std::string& account) {
  return store_.ClearLoginFailures(AccountKey(account));
}

}  // namespace tokend
