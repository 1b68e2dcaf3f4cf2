#include "services/token/guess_throttle.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "services/token/oauth_error.h"

namespace tokend {
namespace {

constexpr size_t kMaxRemembered = 50000;  // per kind and scope
constexpr size_t kMaxAuditedName = 256;

// Usernames compare case-insensitively; client ids exactly.
std::string Subject(GuessKind kind, absl::string_view subject) {
  if (kind == GuessKind::kClientSecret) return std::string(subject);
  return absl::AsciiStrToLower(subject);
}

std::string LedgerKey(GuessKind kind, absl::string_view scope, absl::string_view value) {
  return absl::StrCat(GuessKindName(kind), ":", scope, ":", value);
}

}  // namespace

absl::string_view GuessKindName(GuessKind kind) {
  switch (kind) {
    case GuessKind::kLogin:
      return "login";
    case GuessKind::kPassword:
      return "password";
    case GuessKind::kClientSecret:
      return "client_secret";
  }
  return "other";
}

GuessThrottle::GuessThrottle(storage::FailureStore& store, GuessPolicy policy,
                             storage::AuditLog* audit)
    : store_(store), policy_(policy), audit_(audit) {}

std::chrono::seconds GuessThrottle::Delay(const storage::LoginFailures& f, int free,
                                          storage::Time now) const {
  if (f.failures < free || now - f.last_failure > policy_.forget_after) {
    return std::chrono::seconds(0);
  }
  int doublings = std::min(f.failures - free, 20);
  std::chrono::seconds wait =
      std::min(std::chrono::seconds(int64_t{1} << doublings), policy_.max_delay);
  auto ready = f.last_failure + wait;
  if (ready <= now) return std::chrono::seconds(0);
  return std::chrono::ceil<std::chrono::seconds>(ready - now);
}

std::chrono::seconds GuessThrottle::Recall(GuessKind kind, Scope scope, absl::string_view key,
                                           storage::Time now) {
  Memory& m = memory_[static_cast<int>(kind)][scope];
  std::lock_guard lock(m.mu);
  auto it = m.until.find(key);
  if (it == m.until.end()) return std::chrono::seconds(0);
  if (it->second <= now) {
    m.until.erase(it);
    remembered_.fetch_sub(1, std::memory_order_relaxed);
    return std::chrono::seconds(0);
  }
  return std::chrono::ceil<std::chrono::seconds>(it->second - now);
}

void GuessThrottle::Remember(GuessKind kind, Scope scope, const std::string& key,
                             storage::Time until) {
  Memory& m = memory_[static_cast<int>(kind)][scope];
  std::lock_guard lock(m.mu);
  if (m.until.size() >= kMaxRemembered && !m.until.contains(key)) {
    // Full: drop what has run out. Still full, the ledger keeps answering
    // (wrong secrets and cache misses ask it) — only memory is skipped.
    storage::Time now = storage::Now();
    size_t before = m.until.size();
    absl::erase_if(m.until, [now](const auto& e) { return e.second <= now; });
    remembered_.fetch_sub(static_cast<int>(before - m.until.size()), std::memory_order_relaxed);
    if (m.until.size() >= kMaxRemembered) return;
  }
  auto [it, added] = m.until.try_emplace(key, until);
  if (added) {
    remembered_.fetch_add(1, std::memory_order_relaxed);
  } else {
    it->second = std::max(it->second, until);
  }
}

std::chrono::seconds GuessThrottle::KnownWait(GuessKind kind, absl::string_view subject,
                                              absl::string_view address, storage::Time now) {
  if (remembered_.load(std::memory_order_relaxed) == 0) return std::chrono::seconds(0);
  std::chrono::seconds wait = Recall(kind, kSubject, Subject(kind, subject), now);
  if (!address.empty()) wait = std::max(wait, Recall(kind, kAddress, address, now));
  return wait;
}

absl::StatusOr<std::chrono::seconds> GuessThrottle::Consult(GuessKind kind, Scope scope,
                                                            const std::string& who,
                                                            storage::Time now, bool add_failure) {
  std::string key = LedgerKey(kind, scope == kSubject ? "subject" : "address", who);
  auto f = add_failure ? store_.AddLoginFailure(key, now, policy_.forget_after)
                       : store_.GetLoginFailures(key);
  if (!f.ok()) return f.status();
  int free = scope == kSubject ? policy_.free_subject_failures : policy_.free_address_failures;
  std::chrono::seconds wait = Delay(*f, free, now);
  if (wait.count() == 0) return wait;
  Remember(kind, scope, who, now + wait);
  if (add_failure && f->failures == free) LockoutStarted(kind, scope, who, wait);
  return wait;
}

absl::StatusOr<std::chrono::seconds> GuessThrottle::Both(GuessKind kind,
                                                         const std::string& subject,
                                                         const std::string& address,
                                                         storage::Time now, bool add_failure) {
  auto wait = Consult(kind, kSubject, Subject(kind, subject), now, add_failure);
  if (!wait.ok() || address.empty()) return wait;
  auto address_wait = Consult(kind, kAddress, address, now, add_failure);
  if (!address_wait.ok()) return address_wait.status();
  return std::max(*wait, *address_wait);
}

absl::StatusOr<std::chrono::seconds> GuessThrottle::WaitBefore(GuessKind kind,
                                                               const std::string& subject,
                                                               const std::string& address,
                                                               storage::Time now) {
  return Both(kind, subject, address, now, /*add_failure=*/false);
}

absl::StatusOr<std::chrono::seconds> GuessThrottle::RecordFailure(GuessKind kind,
                                                                  const std::string& subject,
                                                                  const std::string& address,
                                                                  storage::Time now) {
  failures_[static_cast<int>(kind)].Add();
  return Both(kind, subject, address, now, /*add_failure=*/true);
}

absl::Status GuessThrottle::RecordSuccess(GuessKind kind, const std::string& subject) {
  return store_.ClearLoginFailures(LedgerKey(kind, "subject", Subject(kind, subject)));
}

absl::Status GuessThrottle::Admit(GuessKind kind, const std::string& subject,
                                  const std::string& address, storage::Time now) {
  std::chrono::seconds wait = KnownWait(kind, subject, address, now);
  if (wait.count() == 0) {
    auto ledger_wait = WaitBefore(kind, subject, address, now);
    if (!ledger_wait.ok()) return ledger_wait.status();
    wait = *ledger_wait;
  }
  return wait.count() > 0 ? Refuse(kind, wait) : absl::OkStatus();
}

absl::Status GuessThrottle::Refuse(GuessKind kind, std::chrono::seconds wait) {
  refused_[static_cast<int>(kind)].Add();
  return oauth::TooManyFailures(static_cast<int>(std::max<int64_t>(1, wait.count())));
}

void GuessThrottle::LockoutStarted(GuessKind kind, Scope scope, const std::string& who,
                                   std::chrono::seconds wait) {
  lockouts_[static_cast<int>(kind)][scope].Add();
  if (audit_ == nullptr) return;
  absl::string_view name = absl::string_view(who).substr(0, kMaxAuditedName);
  storage::AuditEvent event;
  event.event = "lockout.started";
  if (kind == GuessKind::kClientSecret && scope == kSubject) event.client_id = std::string(name);
  event.detail = absl::StrCat("kind=", GuessKindName(kind), " ",
                              scope == kSubject ? "subject=" : "address=", name,
                              " delay_seconds=", wait.count());
  audit_->Append(std::move(event));
}

void GuessThrottle::Collect(metrics::Exposition& out) const {
  constexpr GuessKind kAll[] = {GuessKind::kLogin, GuessKind::kPassword, GuessKind::kClientSecret};
  out.Family("tokend_guess_failures_total", "counter",
             "Failed password or client-secret attempts, by kind.");
  for (GuessKind k : kAll) {
    out.Sample("tokend_guess_failures_total", {{"kind", std::string(GuessKindName(k))}},
               failures_[static_cast<int>(k)].Value());
  }
  out.Family("tokend_lockouts_total", "counter",
             "Waits imposed on a subject (account, client) or a source address after failures.");
  for (GuessKind k : kAll) {
    for (Scope s : {kSubject, kAddress}) {
      out.Sample("tokend_lockouts_total",
                 {{"kind", std::string(GuessKindName(k))},
                  {"scope", s == kSubject ? "subject" : "address"}},
                 lockouts_[static_cast<int>(k)][s].Value());
    }
  }
  out.Family("tokend_refused_locked_total", "counter",
             "Attempts refused because their subject or address must still wait, by kind.");
  for (GuessKind k : kAll) {
    out.Sample("tokend_refused_locked_total", {{"kind", std::string(GuessKindName(k))}},
               refused_[static_cast<int>(k)].Value());
  }
}

}  // namespace tokend
