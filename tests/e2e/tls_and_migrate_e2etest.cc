// TLS on both gRPC listeners, and `tokend migrate`.
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "storage/postgres/migrator.h"
#include "tests/testing/pg_harness.h"
#include "tests/testing/tokend_process.h"
#include "tokend_client.h"

namespace tokend::testing {
namespace {

TEST(TlsTest, BothListenersServeTlsAndRefusePlaintext) {
  auto [cert, key] = MakeSelfSignedCert(ScratchDir("tls"));
  ASSERT_FALSE(cert.empty());
  TokendProcess server({.database_url = FreshDatabase("tls"), .tls_cert = cert, .tls_key = key});
  ASSERT_TRUE(server.Start());  // health checks went over TLS

  v1::Client c;
  c.add_grant_types("client_credentials");
  auto creds = server.CreateClient(c);  // admin listener over TLS
  ASSERT_FALSE(creds.second.empty());
  grpc::ClientContext ctx;
  client::AddClientAuth(&ctx, creds.first, creds.second);
  v1::IssueTokenRequest req;
  req.mutable_client_credentials();
  v1::IssueTokenResponse resp;
  ASSERT_TRUE(server.TokenStub()->IssueToken(&ctx, req, &resp).ok());

  // A plaintext client gets nowhere.
  auto plain = v1::TokenService::NewStub(
      grpc::CreateChannel(server.grpc_addr(), grpc::InsecureChannelCredentials()));
  grpc::ClientContext pctx;
  pctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(3));
  client::AddClientAuth(&pctx, creds.first, creds.second);
  EXPECT_FALSE(plain->IssueToken(&pctx, req, &resp).ok());
}

TEST(MigrateCommandTest, AppliesOnceThenNothing) {
  auto& cluster = Cluster();
  ASSERT_TRUE(cluster.CreateDatabase("migrate_cmd").ok());
  std::map<std::string, std::string> env = {{"TOKEND_DATABASE_URL", cluster.Dsn("migrate_cmd")},
                                            {"TOKEND_DATA_DIR", ScratchDir("migrate")}};
  auto first = RunCommand(BinaryFromEnv("TOKEND_BIN"), {"migrate"}, env);
  EXPECT_EQ(first.exit_code, 0) << first.err;
  // Every embedded migration (V001 ledger, V002 signing keys, V004 identity, ...).
  EXPECT_EQ(first.out, "{\"applied\": " +
                           std::to_string(storage::pg::EmbeddedMigrations().size()) + "}\n");
  // Each step is logged with its place and duration.
  size_t n = storage::pg::EmbeddedMigrations().size();
  std::string last_step = absl::StrCat("\"step\":\"", n, "/", n, "\"");
  EXPECT_NE(first.err.find("\"msg\":\"migration step finished\",\"step\":\"1/"), std::string::npos)
      << first.err;
  EXPECT_NE(first.err.find(last_step), std::string::npos) << first.err;
  EXPECT_NE(first.err.find("\"duration_ms\":"), std::string::npos);
  auto second = RunCommand(BinaryFromEnv("TOKEND_BIN"), {"migrate"}, env);
  EXPECT_EQ(second.exit_code, 0);
  EXPECT_EQ(second.out, "{\"applied\": 0}\n");
  auto bad = RunCommand(BinaryFromEnv("TOKEND_BIN"), {"migrate"},
                        {{"TOKEND_DATABASE_URL", "host=/nonexistent dbname=x"},
                         {"TOKEND_DATA_DIR", ScratchDir("migrate")}});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("migration failed"), std::string::npos) << bad.err;
}

TEST(ConfigTest, BadSettingsAreRefusedAtStart) {
  auto r = RunCommand(BinaryFromEnv("TOKEND_BIN"), {},
                      {{"TOKEND_DB_POOL_SIZE", "zero"}, {"TOKEND_DATA_DIR", ScratchDir("cfg")}});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("db_pool_size"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace tokend::testing
