// Guessing lockouts over real sockets: wrong client secrets (HTTP Basic and
// gRPC metadata) and wrong passwords (the password grant) lock the client,
// the account or the source address for a capped, doubling wait during which
// even the right secret is refused with rate_limited; a second replica on the
// same ledger sees the lockout; /metrics counts it all and audit_events has
// a row when a lockout begins and when a client exceeds its rate.
#include <pqxx/pqxx>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "services/common/basic_auth.h"
#include "tests/testing/pg_harness.h"
#include "tests/testing/prometheus_text.h"
#include "tests/testing/tokend_process.h"
#include "tests/unit/http_test_client.h"
#include "tokend_client.h"

namespace tokend::testing {
namespace {

using Creds = std::pair<std::string, std::string>;

uint16_t PortOf(const std::string& addr) {
  uint32_t port = 0;
  EXPECT_TRUE(absl::SimpleAtoi(addr.substr(addr.rfind(':') + 1), &port)) << addr;
  return static_cast<uint16_t>(port);
}

int RetryAfter(const HttpResponse& res) {
  int seconds = -1;
  EXPECT_TRUE(absl::SimpleAtoi(std::string(res[bhttp::field::retry_after]), &seconds))
      << res[bhttp::field::retry_after];
  return seconds;
}

class LockoutE2eTest : public ::testing::Test {
 protected:
  // Small numbers so the test can wait them out: 3 free failures per
  // client or account, 6 per address, waits capped at 2 s.
  static TokendOptions Options(const std::string& dsn) {
    TokendOptions o;
    o.database_url = dsn;
    o.env = {{"TOKEND_GUESS_FREE_FAILURES", "3"},
             {"TOKEND_GUESS_FREE_ADDRESS_FAILURES", "6"},
             {"TOKEND_GUESS_MAX_DELAY_SECONDS", "2"},
             {"TOKEND_GUESS_FORGET_SECONDS", "60"}};
    return o;
  }
  LockoutE2eTest() : dsn_(FreshDatabase("lockout")), server_(Options(dsn_)) {}

  void SetUp() override { ASSERT_TRUE(server_.Start()); }

  Creds NewClient(std::optional<int> rate_limit = std::nullopt) {
    v1::Client c;
    c.set_name("lockout-e2e");
    c.add_grant_types("client_credentials");
    c.add_grant_types("password");
    c.add_allowed_scopes("read");
    c.add_default_scopes("read");
    if (rate_limit) c.set_rate_limit_per_second(*rate_limit);
    return server_.CreateClient(c);
  }

  HttpResponse Token(const Creds& creds, const std::string& body = "grant_type=client_credentials",
                     const std::string& source = "127.0.0.1",
                     const TokendProcess* server = nullptr) {
    const TokendProcess& s = server != nullptr ? *server : server_;
    return HttpConnection(ioc_, PortOf(s.http_addr()), source)
        .Send(FormPost("/oauth/token", body, basic_auth::Format(creds.first, creds.second)));
  }

  grpc::Status GrpcIssue(const Creds& creds) {
    grpc::ClientContext ctx;
    client::AddClientAuth(&ctx, creds.first, creds.second);
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    v1::IssueTokenRequest req;
    req.mutable_client_credentials();
    v1::IssueTokenResponse resp;
    return server_.TokenStub()->IssueToken(&ctx, req, &resp);
  }

  int64_t Count(const std::string& sql) {
    pqxx::connection c(dsn_);
    pqxx::nontransaction tx(c);
    return tx.exec(sql)[0][0].as<int64_t>();
  }
  // Audit rows are written in the background: wait up to 5 s for `want`.
  int64_t AuditRows(const std::string& where, int64_t want) {
    int64_t n = 0;
    for (int i = 0; i < 100; ++i) {
      n = Count("SELECT count(*) FROM audit_events WHERE " + where);
      if (n >= want) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return n;
  }
  std::string Metrics() {
    return HttpConnection(ioc_, PortOf(server_.http_addr())).Send(Get("/metrics")).body();
  }

  std::string dsn_;
  TokendProcess server_;
  net::io_context ioc_;
};

TEST_F(LockoutE2eTest, WrongSecretsOverHttpLockTheClientUntilRetryAfter) {
  Creds creds = NewClient();
  ASSERT_EQ(Token(creds).result_int(), 200);  // the right secret is now cached
  for (int i = 0; i < 3; ++i) {
    HttpResponse res = Token({creds.first, "wrong"});
    EXPECT_EQ(res.result_int(), 401);
    EXPECT_EQ(JsonString(res, "error"), "invalid_client");
  }
  HttpResponse locked = Token(creds);  // the RIGHT secret
  EXPECT_EQ(locked.result_int(), 429);
  EXPECT_EQ(JsonString(locked, "error"), "rate_limited");
  EXPECT_FALSE(JsonString(locked, "error_description").empty());
  int wait = RetryAfter(locked);
  EXPECT_GE(wait, 1);
  EXPECT_LE(wait, 2);
  EXPECT_EQ(Token({creds.first, "wrong"}).result_int(), 429);  // not counted, not lengthened
  EXPECT_EQ(Count("SELECT failures FROM login_failures WHERE key = 'client_secret:subject:" +
                  creds.first + "'"),
            3);

  std::this_thread::sleep_for(std::chrono::seconds(wait));
  EXPECT_EQ(Token(creds).result_int(), 200);
  EXPECT_EQ(Count("SELECT count(*) FROM login_failures WHERE key = 'client_secret:subject:" +
                  creds.first + "'"),
            0);
  EXPECT_EQ(AuditRows("event = 'lockout.started' AND client_id = '" + creds.first + "'", 1), 1);
}

TEST_F(LockoutE2eTest, WrongSecretsOverGrpcLockTheClientWithResourceExhausted) {
  Creds creds = NewClient();
  ASSERT_TRUE(GrpcIssue(creds).ok());
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(GrpcIssue({creds.first, "wrong"}).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  }
  grpc::Status locked = GrpcIssue(creds);
  EXPECT_EQ(locked.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(client::ErrorFromStatus(locked).error, "rate_limited");
  // Introspection authenticates the same client: refused too.
  grpc::ClientContext ctx;
  client::AddClientAuth(&ctx, creds.first, creds.second);
  v1::IntrospectRequest req;
  req.set_token("anything");
  v1::IntrospectResponse resp;
  EXPECT_EQ(server_.TokenStub()->Introspect(&ctx, req, &resp).error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
  std::this_thread::sleep_for(std::chrono::seconds(2));
  EXPECT_TRUE(GrpcIssue(creds).ok());
}

TEST_F(LockoutE2eTest, ASecondReplicaOnTheSameLedgerSeesTheLockout) {
  TokendProcess replica(Options(dsn_));
  ASSERT_TRUE(replica.Start());
  Creds creds = NewClient();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Token({creds.first, "wrong"}).result_int(), 401);
  HttpResponse there = Token(creds, "grant_type=client_credentials", "127.0.0.1", &replica);
  EXPECT_EQ(there.result_int(), 429);
  EXPECT_EQ(JsonString(there, "error"), "rate_limited");
}

TEST_F(LockoutE2eTest, FailuresFromOneAddressLockThatAddressOnly) {
  Creds creds = NewClient();
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(Token({"nobody-" + std::to_string(i), "guess"}, "grant_type=client_credentials",
                    "127.0.0.2")
                  .result_int(),
              401);
  }
  HttpResponse from_guesser = Token(creds, "grant_type=client_credentials", "127.0.0.2");
  EXPECT_EQ(from_guesser.result_int(), 429);
  EXPECT_EQ(JsonString(from_guesser, "error"), "rate_limited");
  EXPECT_EQ(Token(creds, "grant_type=client_credentials", "127.0.0.1").result_int(), 200);
  EXPECT_EQ(AuditRows("event = 'lockout.started' AND detail LIKE '%address=127.0.0.2%'", 1), 1);
}

TEST_F(LockoutE2eTest, WrongPasswordsLockTheAccountAndTheWaitIsCapped) {
  Creds creds = NewClient();
  server_.CreateUser("bob", "right-password");
  const std::string wrong = "grant_type=password&username=bob&password=nope";
  const std::string right = "grant_type=password&username=bob&password=right-password";
  for (int i = 0; i < 3; ++i) {
    HttpResponse res = Token(creds, wrong);
    EXPECT_EQ(res.result_int(), 400);
    EXPECT_EQ(JsonString(res, "error"), "invalid_grant");
  }
  HttpResponse locked = Token(creds, right);
  EXPECT_EQ(locked.result_int(), 429);
  EXPECT_EQ(JsonString(locked, "error"), "rate_limited");
  // Waits double (1 s, 2 s) and never pass the 2 s cap however long the
  // guessing goes on; after each wait the right password would work.
  for (int round = 0; round < 3; ++round) {
    HttpResponse refused = Token(creds, wrong);
    ASSERT_EQ(refused.result_int(), 429);
    int wait = RetryAfter(refused);
    EXPECT_GE(wait, 1);
    EXPECT_LE(wait, 2);
    std::this_thread::sleep_for(std::chrono::seconds(wait));
    EXPECT_EQ(Token(creds, wrong).result_int(), 400);  // counted: a new wait begins
  }
  std::this_thread::sleep_for(std::chrono::seconds(2));
  HttpResponse ok = Token(creds, right);
  EXPECT_EQ(ok.result_int(), 200) << ok.body();
  EXPECT_EQ(Count("SELECT count(*) FROM login_failures WHERE key = 'password:subject:bob'"), 0);
  // The client itself was never locked: its secret was right throughout.
  EXPECT_EQ(Count("SELECT count(*) FROM login_failures WHERE key LIKE 'client_secret:%'"), 0);
}

TEST_F(LockoutE2eTest, MetricsAndAuditShowLockoutsAndRateLimits) {
  Creds creds = NewClient();
  for (int i = 0; i < 3; ++i) (void)Token({creds.first, "wrong"});
  EXPECT_EQ(Token(creds).result_int(), 429);
  Creds limited = NewClient(1);  // one request per second
  int refused = 0;
  for (int i = 0; i < 6; ++i) refused += Token(limited).result_int() == 429 ? 1 : 0;
  EXPECT_GE(refused, 4);

  std::string text = Metrics();
  EXPECT_TRUE(PrometheusFormatErrors(text).empty());
  EXPECT_EQ(PrometheusSample(text, R"(tokend_guess_failures_total{kind="client_secret"})"), 3);
  EXPECT_EQ(PrometheusSample(text, R"(tokend_lockouts_total{kind="client_secret",scope="subject"})"), 1);
  EXPECT_EQ(PrometheusSample(text, R"(tokend_refused_locked_total{kind="client_secret"})"), 1);
  EXPECT_EQ(PrometheusSample(text, R"(tokend_guess_failures_total{kind="password"})"), 0);
  EXPECT_EQ(PrometheusSample(text, "tokend_rate_limited_total"), refused);
  EXPECT_EQ(PrometheusSample(text, "tokend_audit_dropped_total"), 0);
  // One audit row per client per minute, however many requests were refused.
  EXPECT_EQ(AuditRows("event = 'rate_limit.exceeded' AND client_id = '" + limited.first + "'", 1), 1);
  EXPECT_EQ(AuditRows("event = 'lockout.started' AND client_id = '" + creds.first +
                          "' AND detail = 'kind=client_secret subject=" + creds.first +
                          " delay_seconds=1'",
                      1),
            1);
}

}  // namespace
}  // namespace tokend::testing
