// Several tokend processes on one PostgreSQL behave as one service:
// migrations once under concurrent starts, cross-replica introspection,
// revocations seen everywhere within 1 s (LISTEN/NOTIFY cache invalidation),
// and no acknowledged token lost to SIGTERM under load.
#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <mutex>
#include <pqxx/pqxx>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "services/common/secrets.h"
#include "storage/postgres/migrator.h"
#include "tests/testing/ledger_check.h"
#include "tests/testing/pg_harness.h"
#include "tests/testing/tokend_process.h"
#include "tokend_client.h"

namespace tokend::testing {
namespace {

using Clock = std::chrono::steady_clock;
using Creds = std::pair<std::string, std::string>;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

grpc::Status Issue(const TokendProcess& server, const Creds& creds, v1::IssueTokenRequest req,
                   v1::IssueTokenResponse* resp) {
  grpc::ClientContext ctx;
  client::AddClientAuth(&ctx, creds.first, creds.second);
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  return server.TokenStub()->IssueToken(&ctx, req, resp);
}

bool Active(const TokendProcess& server, const Creds& creds, const std::string& token) {
  grpc::ClientContext ctx;
  client::AddClientAuth(&ctx, creds.first, creds.second);
  v1::IntrospectRequest req;
  req.set_token(token);
  v1::IntrospectResponse resp;
  grpc::Status st = server.TokenStub()->Introspect(&ctx, req, &resp);
  EXPECT_TRUE(st.ok()) << st.error_message();
  return resp.active();
}

void Revoke(const TokendProcess& server, const Creds& creds, const std::string& token) {
  grpc::ClientContext ctx;
  client::AddClientAuth(&ctx, creds.first, creds.second);
  v1::RevokeRequest req;
  req.set_token(token);
  v1::RevokeResponse resp;
  ASSERT_TRUE(server.TokenStub()->Revoke(&ctx, req, &resp).ok());
}

// How long until every replica in `others` reports `token` inactive.
std::chrono::milliseconds TimeUntilInactiveEverywhere(const std::vector<TokendProcess*>& others,
                                                      const Creds& creds, const std::string& token) {
  auto start = Clock::now();
  for (;;) {
    bool any_active = false;
    for (auto* s : others) any_active |= Active(*s, creds, token);
    auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
    if (!any_active || took > std::chrono::seconds(5)) return took;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

TEST(ReplicasTest, ConcurrentFirstStartMigratesOnce) {
  ASSERT_TRUE(Cluster().CreateDatabase("replicas_fresh").ok());
  std::string dsn = Cluster().Dsn("replicas_fresh");
  std::vector<std::unique_ptr<TokendProcess>> replicas;
  for (int i = 0; i < 3; ++i) replicas.push_back(std::make_unique<TokendProcess>(TokendOptions{.database_url = dsn}));
  std::vector<std::thread> starts;
  std::atomic<int> up{0};
  for (auto& r : replicas) starts.emplace_back([&r, &up] { up += r->Start(); });
  for (auto& t : starts) t.join();
  ASSERT_EQ(up.load(), 3);
  int applying = 0;
  for (auto& r : replicas) {
    std::string log = ReadFile(r->log_path());
    for (size_t at = log.find("migration step finished"); at != std::string::npos;
         at = log.find("migration step finished", at + 1)) {
      ++applying;
    }
  }
  EXPECT_EQ(applying, static_cast<int>(storage::pg::EmbeddedMigrations().size()));
  pqxx::connection c(dsn);
  pqxx::nontransaction tx(c);
  EXPECT_EQ(tx.exec("SELECT count(*) FROM schema_migrations")[0][0].as<int>(),
            static_cast<int>(storage::pg::EmbeddedMigrations().size()));
}

class ReplicaSetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dsn_ = FreshDatabase("replicas");
    std::string dsn = dsn_;
    for (int i = 0; i < 3; ++i) {
      // Long cache TTL: only notifications can make a revocation visible fast.
      replicas_.push_back(std::make_unique<TokendProcess>(
          TokendOptions{.database_url = dsn, .env = {{"TOKEND_CACHE_TTL_SECONDS", "300"}}}));
      ASSERT_TRUE(replicas_.back()->Start());
    }
    v1::Client c;
    c.add_grant_types("client_credentials");
    c.add_grant_types("password");
    c.set_max_user_sessions(0);
    creds_ = replicas_[0]->CreateClient(c);
    replicas_[0]->CreateUser("roamer", "pw");
  }
  TokendProcess& A() { return *replicas_[0]; }
  TokendProcess& B() { return *replicas_[1]; }
  TokendProcess& C() { return *replicas_[2]; }

  std::string dsn_;
  std::vector<std::unique_ptr<TokendProcess>> replicas_;
  Creds creds_;
};

TEST_F(ReplicaSetTest, IssuedOnOneIntrospectedOnAnotherRevokedEverywhereWithinOneSecond) {
  v1::IssueTokenRequest cc;
  cc.mutable_client_credentials();
  v1::IssueTokenResponse t;
  ASSERT_TRUE(Issue(A(), creds_, cc, &t).ok());
  EXPECT_TRUE(Active(B(), creds_, t.access_token()));  // now cached on B
  EXPECT_TRUE(Active(C(), creds_, t.access_token()));  // and on C
  Revoke(A(), creds_, t.access_token());
  auto took = TimeUntilInactiveEverywhere({&B(), &C()}, creds_, t.access_token());
  EXPECT_LT(took, std::chrono::seconds(1)) << took.count() << " ms";

  // A session: its access token cached on B and C, its refresh token revoked on C.
  v1::IssueTokenRequest login;
  login.mutable_password()->set_username("roamer");
  login.mutable_password()->set_password("pw");
  v1::IssueTokenResponse s;
  ASSERT_TRUE(Issue(A(), creds_, login, &s).ok());
  EXPECT_TRUE(Active(B(), creds_, s.access_token()));
  EXPECT_TRUE(Active(A(), creds_, s.access_token()));
  Revoke(C(), creds_, s.refresh_token());
  took = TimeUntilInactiveEverywhere({&A(), &B()}, creds_, s.access_token());
  EXPECT_LT(took, std::chrono::seconds(1)) << took.count() << " ms";
}

TEST_F(ReplicaSetTest, RotatedSecretIsRefusedByEveryReplicaWithinOneSecond) {
  v1::IssueTokenRequest cc;
  cc.mutable_client_credentials();
  v1::IssueTokenResponse t;
  ASSERT_TRUE(Issue(B(), creds_, cc, &t).ok());  // B caches the client
  grpc::ClientContext ctx;
  client::AddAdminKey(&ctx, A().admin_key());
  v1::RotateClientSecretRequest req;
  req.set_client_id(creds_.first);
  v1::RotateClientSecretResponse resp;
  ASSERT_TRUE(A().AdminStub()->RotateClientSecret(&ctx, req, &resp).ok());
  auto start = Clock::now();
  while (Issue(B(), creds_, cc, &t).ok() && Clock::now() - start < std::chrono::seconds(5)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(1));
  EXPECT_TRUE(Issue(B(), {creds_.first, resp.client_secret()}, cc, &t).ok());
}

TEST_F(ReplicaSetTest, SigtermUnderLoadLosesNoAcknowledgedToken) {
  v1::IssueTokenRequest cc;
  cc.mutable_client_credentials();
  std::mutex mu;
  std::vector<std::string> acknowledged;
  std::atomic<bool> stop{false};
  std::vector<std::thread> load;
  for (int i = 0; i < 16; ++i) {
    load.emplace_back([&] {
      auto stub = A().TokenStub();
      while (!stop) {
        grpc::ClientContext ctx;
        client::AddClientAuth(&ctx, creds_.first, creds_.second);
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
        v1::IssueTokenResponse resp;
        if (stub->IssueToken(&ctx, cc, &resp).ok()) {
          std::lock_guard lock(mu);
          acknowledged.push_back(resp.access_token());
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  int status = A().Stop(SIGTERM);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  stop = true;
  for (auto& t : load) t.join();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
  ASSERT_GT(acknowledged.size(), 100u);
  // Every acknowledged token is in the ledger.
  size_t found = CountInLedger(dsn_, acknowledged);
  EXPECT_EQ(found, acknowledged.size()) << "acknowledged tokens missing from the ledger";
  EXPECT_TRUE(Active(B(), creds_, acknowledged.back()));
}

}  // namespace
}  // namespace tokend::testing
