// PostgreSQL stopped in the middle of a run: tokend answers UNAVAILABLE fast,
// stays up, and recovers by itself when PostgreSQL returns.
#include <signal.h>

#include <chrono>
#include <thread>

#include "gtest/gtest.h"
#include "tests/testing/pg_harness.h"
#include "tests/testing/tokend_process.h"
#include "tokend_client.h"

namespace tokend::testing {
namespace {

using Clock = std::chrono::steady_clock;

TEST(LedgerOutageTest, UnavailableWhileDownThenRecoversWithoutRestart) {
  TokendProcess server({.database_url = FreshDatabase("outage"),
                        .env = {{"TOKEND_CACHE_TTL_SECONDS", "0"}}});
  ASSERT_TRUE(server.Start());
  v1::Client c;
  c.add_grant_types("client_credentials");
  auto creds = server.CreateClient(c);
  auto stub = server.TokenStub();
  auto issue = [&](v1::IssueTokenResponse* resp) {
    grpc::ClientContext ctx;
    client::AddClientAuth(&ctx, creds.first, creds.second);
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    v1::IssueTokenRequest req;
    req.mutable_client_credentials();
    return stub->IssueToken(&ctx, req, resp);
  };
  v1::IssueTokenResponse before;
  ASSERT_TRUE(issue(&before).ok());

  ASSERT_TRUE(Cluster().StopServer("fast").ok());
  for (int i = 0; i < 5; ++i) {
    v1::IssueTokenResponse resp;
    auto start = Clock::now();
    grpc::Status st = issue(&resp);
    auto took = Clock::now() - start;
    EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAVAILABLE) << st.error_message();
    EXPECT_EQ(client::ErrorFromStatus(st).error, "temporarily_unavailable");
    EXPECT_LT(took, std::chrono::seconds(3)) << "calls must fail fast, not hang";
  }
  EXPECT_EQ(kill(server.pid(), 0), 0) << "tokend must not exit when PostgreSQL goes away";

  ASSERT_TRUE(Cluster().StartServer().ok());
  bool recovered = false;
  auto deadline = Clock::now() + std::chrono::seconds(30);
  while (!recovered && Clock::now() < deadline) {
    v1::IssueTokenResponse resp;
    recovered = issue(&resp).ok();
    if (!recovered) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_TRUE(recovered) << "tokend did not recover after PostgreSQL came back";
  // What was issued before the outage is still there.
  grpc::ClientContext ctx;
  client::AddClientAuth(&ctx, creds.first, creds.second);
  v1::IntrospectRequest req;
  req.set_token(before.access_token());
  v1::IntrospectResponse info;
  ASSERT_TRUE(stub->Introspect(&ctx, req, &info).ok());
  EXPECT_TRUE(info.active());
}

}  // namespace
}  // namespace tokend::testing
