// Per-client request rate limits: a token bucket per client id, refilled at
// `per_second` up to `burst`. In memory, per replica (N replicas admit up to
// N times the rate). Sharded locks: admitting one request takes one
// uncontended mutex.
#pragma once

#include <array>
#include <chrono>
#include <mutex>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"

namespace tokend {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  // OK, or oauth rate_limited saying when to retry. `per_second` <= 0: no
  // limit. The burst is `per_second` (one second's worth), at least 1.
  absl::Status Admit(const std::string& client_id, double per_second,
                     Clock::time_point now = Clock::now());

 private:
  struct Bucket {
    double tokens = 0;
    Clock::time_point refilled{};
  };
  struct Shard {
    std::mutex mu;
    absl::flat_hash_map<std::string, Bucket> buckets;
  };
  static constexpr size_t kShards = 16;
  std::array<Shard, kShards> shards_;
};

}  // namespace tokend
