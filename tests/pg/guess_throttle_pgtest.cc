// Guessing counts shared through PostgreSQL: two "replicas" (each its own
// pool, store and throttle) on one database see each other's failures and
// waits, concurrent failures are all counted, and lockouts reach
// audit_events through the background audit writer.
#include <pqxx/pqxx>
#include <thread>

#include "gtest/gtest.h"
#include "services/token/guess_throttle.h"
#include "storage/postgres/connection_pool.h"
#include "storage/postgres/pg_audit_log.h"
#include "storage/postgres/pg_authorization_store.h"
#include "tests/testing/pg_harness.h"

namespace tokend::testing {
namespace {

using std::chrono::seconds;
constexpr GuessKind kSecret = GuessKind::kClientSecret;

struct Replica {
  explicit Replica(const std::string& dsn)
      : pool({.dsn = dsn, .size = 8}),
        store(pool),
        audit(pool),
        throttle(store,
                 {.free_subject_failures = 3, .free_address_failures = 100,
                  .max_delay = seconds(60), .forget_after = seconds(3600)},
                 &audit) {}
  storage::pg::ConnectionPool pool;
  storage::pg::PgAuthorizationStore store;
  storage::pg::PgAuditLog audit;
  GuessThrottle throttle;
};

class GuessThrottlePgTest : public ::testing::Test {
 protected:
  GuessThrottlePgTest() : dsn_(FreshDatabase("guess")), a_(dsn_), b_(dsn_) {}
  int64_t Count(const std::string& sql) {
    pqxx::connection c(dsn_);
    pqxx::nontransaction tx(c);
    return tx.exec(sql)[0][0].as<int64_t>();
  }
  std::string dsn_;
  Replica a_, b_;
};

TEST_F(GuessThrottlePgTest, ReplicasShareCountsWaitsAndSuccesses) {
  storage::Time t = storage::Now();
  EXPECT_EQ(*a_.throttle.RecordFailure(kSecret, "svc", "10.0.0.1", t), seconds(0));
  EXPECT_EQ(*b_.throttle.RecordFailure(kSecret, "svc", "10.0.0.2", t), seconds(0));
  // The third failure, on A, counts B's too: the wait begins.
  EXPECT_EQ(*a_.throttle.RecordFailure(kSecret, "svc", "10.0.0.1", t), seconds(1));
  EXPECT_EQ(b_.throttle.KnownWait(kSecret, "svc", "", t), seconds(0));  // not told yet
  EXPECT_EQ(*b_.throttle.WaitBefore(kSecret, "svc", "10.0.0.3", t), seconds(1));
  EXPECT_EQ(b_.throttle.KnownWait(kSecret, "svc", "", t), seconds(1));
  // After the wait, a success on B clears the count A built up.
  ASSERT_TRUE(b_.throttle.RecordSuccess(kSecret, "svc").ok());
  EXPECT_EQ(*a_.throttle.WaitBefore(kSecret, "svc", "", t + seconds(2)), seconds(0));
  EXPECT_EQ(Count("SELECT count(*) FROM login_failures WHERE key = 'client_secret:subject:svc'"), 0);
  EXPECT_EQ(Count("SELECT failures FROM login_failures WHERE key = 'client_secret:address:10.0.0.1'"), 2);
}

TEST_F(GuessThrottlePgTest, ConcurrentFailuresOnBothReplicasAreAllCounted) {
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    Replica& r = i % 2 == 0 ? a_ : b_;
    threads.emplace_back([&r] {
      for (int j = 0; j < 10; ++j) {
        ASSERT_TRUE(r.throttle.RecordFailure(GuessKind::kPassword, "alice", "", storage::Now()).ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(Count("SELECT failures FROM login_failures WHERE key = 'password:subject:alice'"), 80);
  // However many replicas saw the threshold go by, the count reached it once.
  a_.audit.Flush();
  b_.audit.Flush();
  EXPECT_EQ(Count("SELECT count(*) FROM audit_events WHERE event = 'lockout.started' AND "
                  "detail = 'kind=password subject=alice delay_seconds=1'"),
            1);
}

TEST_F(GuessThrottlePgTest, LockoutRowsNameTheClientAndAreWrittenInTheBackground) {
  storage::Time t = storage::Now();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(a_.throttle.RecordFailure(kSecret, "svc", "10.0.0.1", t).ok());
  a_.audit.Flush();
  EXPECT_EQ(Count("SELECT count(*) FROM audit_events WHERE event = 'lockout.started' AND "
                  "client_id = 'svc' AND detail = 'kind=client_secret subject=svc delay_seconds=1'"),
            1);
  EXPECT_EQ(a_.audit.dropped(), 0u);
}

}  // namespace
}  // namespace tokend::testing
