#include "services/token/rate_limiter.h"

#include <gtest/gtest.h>

#include "services/token/oauth_error.h"

namespace tokend {
namespace {

using Clock = RateLimiter::Clock;

TEST(RateLimiterTest, ABurstThenTheRefillRate) {
  RateLimiter limiter;
  Clock::time_point t0 = Clock::now();
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(limiter.Admit("a", 5, t0).ok()) << i;
  absl::Status refused = limiter.Admit("a", 5, t0);
  EXPECT_EQ(oauth::CodeOf(refused), oauth::ErrorCode::kRateLimited);
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(oauth::RetryAfterSeconds(refused), 1);
  // Another client has its own bucket.
  EXPECT_TRUE(limiter.Admit("b", 5, t0).ok());
  // 200 ms at 5/s refills one request, not two.
  Clock::time_point t1 = t0 + std::chrono::milliseconds(200);
  EXPECT_TRUE(limiter.Admit("a", 5, t1).ok());
  EXPECT_FALSE(limiter.Admit("a", 5, t1).ok());
  // The bucket never holds more than one second's worth.
  Clock::time_point t2 = t1 + std::chrono::hours(1);
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(limiter.Admit("a", 5, t2).ok());
  EXPECT_FALSE(limiter.Admit("a", 5, t2).ok());
}

TEST(RateLimiterTest, SlowRatesSayHowLongToWaitAndZeroIsUnlimited) {
  RateLimiter limiter;
  Clock::time_point t0 = Clock::now();
  EXPECT_TRUE(limiter.Admit("slow", 0.1, t0).ok());
  absl::Status refused = limiter.Admit("slow", 0.1, t0);
  EXPECT_EQ(oauth::RetryAfterSeconds(refused), 10);
  for (int i = 0; i < 100000; ++i) ASSERT_TRUE(limiter.Admit("free", 0, t0).ok());
}

}  // namespace
}  // namespace tokend
