// tokenctl against a running tokend: JSON out, one-line errors, exit codes.
#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "tests/testing/pg_harness.h"
#include "tests/testing/tokend_process.h"

namespace tokend::testing {
namespace {

// Pulls "key": "value" out of tokenctl's JSON (enough for these flat fields).
std::string Field(const std::string& json, const std::string& key) {
  std::string needle = "\"" + key + "\": \"";
  size_t at = json.find(needle);
  if (at == std::string::npos) return "";
  at += needle.size();
  return json.substr(at, json.find('"', at) - at);
}

class TokenctlTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new TokendProcess({.database_url = FreshDatabase("ctl")});
    ASSERT_TRUE(server_->Start());
  }
  static void TearDownTestSuite() { delete server_; }

  CommandResult Ctl(std::vector<std::string> args,
                    std::map<std::string, std::string> env = {}) {
    auto full = server_->ClientEnv();
    for (auto& [k, v] : env) full[k] = v;
    return RunCommand(BinaryFromEnv("TOKENCTL_BIN"), args, full);
  }
  static TokendProcess* server_;
};
TokendProcess* TokenctlTest::server_ = nullptr;

TEST_F(TokenctlTest, ClientLifecycleAndTokens) {
  auto created = Ctl({"client", "create", "--name=demo", "--grant_types=client_credentials,password",
                      "--allowed_scopes=read,write", "--default_scopes=read"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  std::string id = Field(created.out, "client_id");
  std::string secret = Field(created.out, "client_secret");
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(absl::StartsWith(secret, "tds_"));

  auto issued = Ctl({"token", "issue", "--client_id=" + id, "--client_secret=" + secret, "--scope=read write"});
  ASSERT_EQ(issued.exit_code, 0) << issued.err;
  std::string token = Field(issued.out, "access_token");
  EXPECT_EQ(Field(issued.out, "scope"), "read write");

  auto info = Ctl({"token", "introspect", "--client_id=" + id, "--client_secret=" + secret, token});
  EXPECT_EQ(info.exit_code, 0);
  EXPECT_NE(info.out.find("\"active\": true"), std::string::npos) << info.out;

  EXPECT_EQ(Ctl({"token", "revoke", "--client_id=" + id, "--client_secret=" + secret, token}).exit_code, 0);
  auto gone = Ctl({"token", "introspect", "--client_id=" + id, "--client_secret=" + secret, token});
  EXPECT_EQ(gone.out, "{\"active\": false}\n");

  auto rotated = Ctl({"client", "rotate-secret", id});
  ASSERT_EQ(rotated.exit_code, 0);
  auto old = Ctl({"token", "issue", "--client_id=" + id, "--client_secret=" + secret});
  EXPECT_EQ(old.exit_code, 1);
  EXPECT_TRUE(absl::StartsWith(old.err, "tokenctl: invalid_client:")) << old.err;
  EXPECT_EQ(std::count(old.err.begin(), old.err.end(), '\n'), 1);  // one line

  auto updated = Ctl({"client", "update", id, "--name=renamed"});
  EXPECT_EQ(updated.exit_code, 0) << updated.err;
  EXPECT_EQ(Field(Ctl({"client", "get", id}).out, "name"), "renamed");
  EXPECT_NE(Ctl({"client", "list"}).out.find(id), std::string::npos);
  EXPECT_EQ(Ctl({"client", "delete", id}).exit_code, 0);
  auto missing = Ctl({"client", "get", id});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("NOT_FOUND"), std::string::npos);
}

TEST_F(TokenctlTest, UsersAndPasswordGrant) {
  auto created = Ctl({"client", "create", "--grant_types=password"});
  std::string id = Field(created.out, "client_id"), secret = Field(created.out, "client_secret");
  auto user = Ctl({"user", "create", "--username=pedroetb", "--password=password", "--email=p@example.test"});
  ASSERT_EQ(user.exit_code, 0) << user.err;
  std::string user_id = Field(user.out, "id");
  ASSERT_FALSE(user_id.empty());
  auto login = Ctl({"token", "issue", "--grant=password", "--client_id=" + id, "--client_secret=" + secret,
                    "--username=pedroetb", "--password=password"});
  ASSERT_EQ(login.exit_code, 0) << login.err;
  std::string refresh = Field(login.out, "refresh_token");
  auto refreshed = Ctl({"token", "refresh", "--client_id=" + id, "--client_secret=" + secret, refresh});
  EXPECT_EQ(refreshed.exit_code, 0) << refreshed.err;
  auto reused = Ctl({"token", "refresh", "--client_id=" + id, "--client_secret=" + secret, refresh});
  EXPECT_EQ(reused.exit_code, 1);
  EXPECT_TRUE(absl::StartsWith(reused.err, "tokenctl: invalid_grant:")) << reused.err;

  EXPECT_EQ(Ctl({"user", "set-password", user_id, "--password=new"}).exit_code, 0);
  EXPECT_EQ(Ctl({"token", "issue", "--grant=password", "--client_id=" + id, "--client_secret=" + secret,
                 "--username=pedroetb", "--password=password"}).exit_code, 1);
  EXPECT_EQ(Ctl({"user", "update", user_id, "--full_name=Pedro"}).exit_code, 0);
  EXPECT_EQ(Field(Ctl({"user", "get", user_id}).out, "full_name"), "Pedro");
  EXPECT_EQ(Field(Ctl({"user", "get", "--username=pedroetb"}).out, "id"), user_id);
  EXPECT_EQ(Ctl({"user", "delete", user_id}).exit_code, 0);
}

TEST_F(TokenctlTest, ImportedSecretForAMigratingClient) {
  auto created = Ctl({"client", "create", "--client_id=application", "--imported_secret=secret"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  EXPECT_EQ(Field(created.out, "client_secret"), "secret");
  auto issued = Ctl({"token", "issue", "--client_id=application", "--client_secret=secret"});
  EXPECT_EQ(issued.exit_code, 0) << issued.err;
  auto weak = Ctl({"client", "create", "--imported_secret=abc"});
  EXPECT_EQ(weak.exit_code, 1);
  EXPECT_NE(weak.err.find("imported_secret"), std::string::npos) << weak.err;
}

TEST_F(TokenctlTest, WrongAdminKeyAndUsageErrors) {
  auto r = Ctl({"client", "list"}, {{"TOKEND_ADMIN_KEY", "tdk_wrong_key_1234567890"}});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("UNAUTHENTICATED"), std::string::npos);
  EXPECT_NE(Ctl({"frobnicate", "x"}).exit_code, 0);
  EXPECT_NE(Ctl({"client", "get"}).exit_code, 0);
}

}  // namespace
}  // namespace tokend::testing
