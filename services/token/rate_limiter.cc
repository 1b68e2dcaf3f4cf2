#include "services/token/rate_limiter.h"

#include <algorithm>
#include <cmath>

#include "absl/hash/hash.h"
#include "services/token/oauth_error.h"

namespace tokend {

absl::Status RateLimiter::Admit(const std::string& client_id, double per_second,
                                Clock::time_point now) {
  if (per_second <= 0) return absl::OkStatus();
  double burst = std::max(1.0, per_second);
  Shard& shard = shards_[absl::HashOf(client_id) % kShards];
  std::lock_guard lock(shard.mu);
  auto [it, created] = shard.buckets.try_emplace(client_id, Bucket{burst, now});
  Bucket& b = it->second;
  if (!created) {
    double elapsed = std::chrono::duration<double>(now - b.refilled).count();
    b.tokens = std::min(burst, b.tokens + std::max(0.0, elapsed) * per_second);
    b.refilled = now;
  }
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return absl::OkStatus();
  }
  int wait = static_cast<int>(std::ceil((1 - b.tokens) / per_second));
  return oauth::RateLimited(std::max(1, wait));
}

}  // namespace tokend
