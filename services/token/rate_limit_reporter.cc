#include "services/token/rate_limit_reporter.h"

namespace tokend {
namespace {

constexpr size_t kMaxTracked = 10000;

}  // namespace

void RateLimitReporter::Exceeded(const std::string& client_id, Clock::time_point now) {
  refused_.Add();
  if (audit_ == nullptr) return;
  {
    std::lock_guard lock(mu_);
    if (last_audit_.size() >= kMaxTracked) {
      absl::erase_if(last_audit_, [now](const auto& e) { return now - e.second >= kAuditEvery; });
      if (last_audit_.size() >= kMaxTracked) return;  // every one audited within the minute
    }
    auto [it, added] = last_audit_.try_emplace(client_id, now);
    if (!added) {
      if (now - it->second < kAuditEvery) return;
      it->second = now;
    }
  }
  audit_->Append(storage::AuditEvent{.event = "rate_limit.exceeded",
                                     .client_id = client_id,
                                     .detail = "per-client request rate exceeded"});
}

void RateLimitReporter::Collect(metrics::Exposition& out) const {
  out.Family("tokend_rate_limited_total", "counter",
             "Requests refused by the per-client request rate limit.");
  out.Sample("tokend_rate_limited_total", {}, refused_.Value());
}

}  // namespace tokend
