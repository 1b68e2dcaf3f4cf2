// The guessing throttle's policy over an in-memory failure store (free
// failures, doubling, the cap, forgetting, success), what it tells metrics
// and the audit log, and how client authentication uses it: the right secret
// is refused while a wait runs, and a cached right secret never asks the
// ledger.
#include "services/token/guess_throttle.h"

#include <gtest/gtest.h>

#include <map>
#include <thread>

#include "absl/strings/match.h"
#include "services/common/secrets.h"
#include "services/token/client_auth.h"
#include "services/token/oauth_error.h"
#include "tests/unit/http_fakes.h"

namespace tokend {
namespace {

using std::chrono::seconds;

class CountingFailureStore : public storage::FailureStore {
 public:
  absl::StatusOr<storage::LoginFailures> GetLoginFailures(const std::string& key) override {
    ++calls;
    auto it = rows.find(key);
    return it == rows.end() ? storage::LoginFailures{} : it->second;
  }
  absl::StatusOr<storage::LoginFailures> AddLoginFailure(const std::string& key, storage::Time now,
                                                         seconds forget_after) override {
    ++calls;
    storage::LoginFailures& f = rows[key];
    if (now - f.last_failure > forget_after) f.failures = 0;
    ++f.failures;
    f.last_failure = now;
    return f;
  }
  absl::Status ClearLoginFailures(const std::string& key) override {
    ++calls;
    rows.erase(key);
    return absl::OkStatus();
  }
  std::map<std::string, storage::LoginFailures> rows;
  int calls = 0;
};

class RecordingAudit : public storage::AuditLog {
 public:
  void Append(storage::AuditEvent e) override { events.push_back(std::move(e)); }
  std::vector<storage::AuditEvent> events;
};

constexpr GuessKind kPw = GuessKind::kPassword;

GuessPolicy SmallPolicy() {
  return {.free_subject_failures = 3, .free_address_failures = 6,
          .max_delay = seconds(8), .forget_after = seconds(60)};
}

TEST(GuessThrottleTest, FreeFailuresThenDoublingWaitsUpToTheCap) {
  CountingFailureStore store;
  GuessThrottle throttle(store, SmallPolicy());
  storage::Time t = storage::Now();
  for (int i = 0; i < 2; ++i) EXPECT_EQ(*throttle.RecordFailure(kPw, "Alice", "10.0.0.1", t), seconds(0));
  EXPECT_EQ(*throttle.WaitBefore(kPw, "alice", "10.0.0.1", t), seconds(0));
  // The third failure (the last free one) starts a 1 s wait; each failure
  // after a wait doubles it, up to 8 s.
  EXPECT_EQ(*throttle.RecordFailure(kPw, "alice", "10.0.0.1", t), seconds(1));
  for (int expected : {2, 4, 8, 8, 8}) {
    t += seconds(10);
    EXPECT_EQ(*throttle.WaitBefore(kPw, "ALICE", "10.0.0.9", t), seconds(0));
    EXPECT_EQ(*throttle.RecordFailure(kPw, "alice", "10.0.0.9", t), seconds(expected));
    EXPECT_EQ(*throttle.WaitBefore(kPw, "alice", "10.0.0.9", t + seconds(1)),
              seconds(expected - 1));
  }
  // The cap bounds the wait: after max_delay the victim may try again.
  EXPECT_EQ(*throttle.WaitBefore(kPw, "alice", "", t + seconds(8)), seconds(0));
  // A minute without failures forgets the count.
  t += seconds(61);
  EXPECT_EQ(*throttle.RecordFailure(kPw, "alice", "", t), seconds(0));
}

TEST(GuessThrottleTest, SuccessClearsTheSubjectButNotTheAddressAndKindsAreApart) {
  CountingFailureStore store;
  GuessThrottle throttle(store, SmallPolicy());
  storage::Time t = storage::Now();
  for (int i = 0; i < 6; ++i) {
    (void)throttle.RecordFailure(kPw, "user" + std::to_string(i % 2), "10.0.0.2", t);
  }
  // Six failures from one address over two accounts lock the address.
  EXPECT_EQ(*throttle.WaitBefore(kPw, "someone-else", "10.0.0.2", t), seconds(1));
  EXPECT_EQ(*throttle.WaitBefore(kPw, "someone-else", "10.0.0.3", t), seconds(0));
  EXPECT_EQ(*throttle.WaitBefore(GuessKind::kClientSecret, "c", "10.0.0.2", t), seconds(0));
  EXPECT_EQ(*throttle.WaitBefore(kPw, "user0", "", t), seconds(1));
  ASSERT_TRUE(throttle.RecordSuccess(kPw, "USER0").ok());
  EXPECT_EQ(*throttle.WaitBefore(kPw, "user0", "", t), seconds(0));
  EXPECT_EQ(*throttle.WaitBefore(kPw, "user0", "10.0.0.2", t), seconds(1));
}

TEST(GuessThrottleTest, WaitsAreRememberedAndReplicasShareTheLedger) {
  CountingFailureStore store;
  GuessThrottle here(store, SmallPolicy());
  GuessThrottle there(store, SmallPolicy());
  storage::Time t = storage::Now();
  EXPECT_EQ(here.KnownWait(kPw, "bob", "10.0.0.1", t), seconds(0));
  for (int i = 0; i < 3; ++i) (void)here.RecordFailure(kPw, "bob", "10.0.0.1", t);
  int calls = store.calls;
  EXPECT_EQ(here.KnownWait(kPw, "Bob", "10.0.0.7", t), seconds(1));
  EXPECT_EQ(store.calls, calls);  // from memory
  EXPECT_EQ(here.KnownWait(kPw, "bob", "", t + seconds(1)), seconds(0));  // ran out
  // The other replica knows nothing until the ledger tells it.
  EXPECT_EQ(there.KnownWait(kPw, "bob", "", t), seconds(0));
  EXPECT_EQ(*there.WaitBefore(kPw, "bob", "", t), seconds(1));
  EXPECT_EQ(there.KnownWait(kPw, "bob", "", t), seconds(1));
}

TEST(GuessThrottleTest, LockoutsAreAuditedOnceAndCounted) {
  CountingFailureStore store;
  RecordingAudit audit;
  GuessThrottle throttle(store, SmallPolicy(), &audit);
  storage::Time t = storage::Now();
  for (int i = 0; i < 6; ++i) (void)throttle.RecordFailure(GuessKind::kClientSecret, "app", "10.1.1.1", t + seconds(10 * i));
  // One row when the client's wait began, one when the address's did.
  ASSERT_EQ(audit.events.size(), 2u);
  EXPECT_EQ(audit.events[0].event, "lockout.started");
  EXPECT_EQ(audit.events[0].client_id, "app");
  EXPECT_EQ(audit.events[0].detail, "kind=client_secret subject=app delay_seconds=1");
  EXPECT_EQ(audit.events[1].client_id, "");
  EXPECT_EQ(audit.events[1].detail, "kind=client_secret address=10.1.1.1 delay_seconds=1");
  absl::Status refused = throttle.Refuse(GuessKind::kClientSecret, seconds(7));
  EXPECT_EQ(oauth::CodeOf(refused), oauth::ErrorCode::kRateLimited);
  EXPECT_EQ(oauth::RetryAfterSeconds(refused), 7);
  metrics::Exposition out;
  throttle.Collect(out);
  const std::string& text = out.text();
  EXPECT_TRUE(absl::StrContains(text, "tokend_guess_failures_total{kind=\"client_secret\"} 6"));
  EXPECT_TRUE(absl::StrContains(
      text, "tokend_lockouts_total{kind=\"client_secret\",scope=\"subject\"} 1"));
  EXPECT_TRUE(absl::StrContains(
      text, "tokend_lockouts_total{kind=\"client_secret\",scope=\"address\"} 1"));
  EXPECT_TRUE(absl::StrContains(text, "tokend_refused_locked_total{kind=\"client_secret\"} 1"));
}

class ClientThrottleTest : public ::testing::Test {
 protected:
  ClientThrottleTest() : throttle_(failures_, SmallPolicy()), auth_(clients_, absl::Minutes(1)) {
    storage::ClientRecord c;
    c.client_id = "svc";
    c.confidential = true;
    c.secret_digest = secrets::Sha256("right");
    c.grant_types = {"client_credentials"};
    EXPECT_TRUE(clients_.CreateClient(c).ok());
    auth_.AttachThrottle(&throttle_);
  }
  PresentedCredentials Creds(const std::string& secret, const std::string& address = "10.0.0.1") {
    return {.client_id = "svc", .client_secret = secret, .source_address = address};
  }
  CountingFailureStore failures_;
  GuessThrottle throttle_;
  testing::FakeClientStore clients_;
  ClientAuthenticator auth_;
};

TEST_F(ClientThrottleTest, ACachedRightSecretNeverAsksTheLedger) {
  ASSERT_TRUE(auth_.Authenticate(Creds("right")).ok());  // cache miss: asks and clears
  int calls = failures_.calls;
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(auth_.Authenticate(Creds("right")).ok());
  auto cached = auth_.AuthenticateCached(Creds("right"));
  ASSERT_TRUE(cached.has_value() && cached->ok());
  EXPECT_EQ(failures_.calls, calls);
  EXPECT_EQ(cached->value().source_address(), "10.0.0.1");
  // A wrong secret is never answered from the cache: it must be counted.
  EXPECT_FALSE(auth_.AuthenticateCached(Creds("wrong")).has_value());
}

TEST_F(ClientThrottleTest, TheRightSecretIsRefusedWhileTheClientMustWait) {
  for (int i = 0; i < 3; ++i) {
    auto r = auth_.Authenticate(Creds("wrong" + std::to_string(i)));
    EXPECT_EQ(oauth::CodeOf(r.status()), oauth::ErrorCode::kInvalidClient);
  }
  for (auto* creds : {"right", "wrong"}) {
    auto r = auth_.Authenticate(Creds(creds));
    EXPECT_EQ(oauth::CodeOf(r.status()), oauth::ErrorCode::kRateLimited) << creds;
    EXPECT_EQ(oauth::RetryAfterSeconds(r.status()), 1);
    auto cached = auth_.AuthenticateCached(Creds(creds));
    ASSERT_TRUE(cached.has_value());
    EXPECT_EQ(oauth::CodeOf(cached->status()), oauth::ErrorCode::kRateLimited);
  }
  // Attempts during the wait are not counted.
  EXPECT_EQ(failures_.rows["client_secret:subject:svc"].failures, 3);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  ASSERT_TRUE(auth_.Authenticate(Creds("right")).ok());
  EXPECT_EQ(failures_.rows.count("client_secret:subject:svc"), 0u);  // cleared
  EXPECT_EQ(failures_.rows["client_secret:address:10.0.0.1"].failures, 3);  // kept
}

TEST_F(ClientThrottleTest, AnotherReplicasWaitIsFoundOnTheFirstWrongSecret) {
  ASSERT_TRUE(auth_.Authenticate(Creds("right")).ok());  // cached here
  GuessThrottle elsewhere(failures_, SmallPolicy());
  for (int i = 0; i < 3; ++i) {
    (void)elsewhere.RecordFailure(GuessKind::kClientSecret, "svc", "10.9.9.9", storage::Now());
  }
  auto wrong = auth_.Authenticate(Creds("wrong", "10.0.0.5"));
  EXPECT_EQ(oauth::CodeOf(wrong.status()), oauth::ErrorCode::kRateLimited);
  EXPECT_EQ(failures_.rows["client_secret:subject:svc"].failures, 3);  // not counted
  auto right = auth_.Authenticate(Creds("right", "10.0.0.5"));
  EXPECT_EQ(oauth::CodeOf(right.status()), oauth::ErrorCode::kRateLimited);
}

}  // namespace
}  // namespace tokend
