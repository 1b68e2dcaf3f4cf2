// Operating tokend through tokenctl and the AdminService: audit queries with
// every filter and paging, token listings, and revoke-all over 1200 sessions
// (three batches) seen as inactive over gRPC and HTTP on this replica and on
// a second one sharing the ledger.
#include <grpcpp/grpcpp.h>

#include <pqxx/pqxx>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "services/common/basic_auth.h"
#include "services/token/password_hasher.h"
#include "tests/testing/pg_harness.h"
#include "tests/testing/tokend_process.h"
#include "tests/unit/http_test_client.h"
#include "tokend/v1/errors.pb.h"
#include "tokend_client.h"

namespace tokend::testing {
namespace {

using client::AddAdminKey;
using client::AddClientAuth;
using Creds = std::pair<std::string, std::string>;

constexpr int kSessions = 1200;

uint16_t PortOf(const std::string& addr) {
  uint32_t port = 0;
  EXPECT_TRUE(absl::SimpleAtoi(addr.substr(addr.rfind(':') + 1), &port)) << addr;
  return static_cast<uint16_t>(port);
}

std::vector<std::string> Lines(const std::string& out) {
  return absl::StrSplit(out, '\n', absl::SkipEmpty());
}

// The OAuth code in a failed call's details ("" if none).
std::string OAuthCode(const grpc::Status& st) {
  v1::RpcStatus details;
  v1::OAuthError error;
  if (!details.ParseFromString(st.error_details()) || details.details_size() == 0 ||
      !details.details(0).UnpackTo(&error)) {
    return "";
  }
  return error.error();
}

class OperatorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dsn_ = new std::string(FreshDatabase("ops"));
    server_ = new TokendProcess({.database_url = *dsn_});
    ASSERT_TRUE(server_->Start());
  }
  static void TearDownTestSuite() {
    delete server_;
    delete dsn_;
  }

  CommandResult Ctl(std::vector<std::string> args) {
    return RunCommand(BinaryFromEnv("TOKENCTL_BIN"), args, server_->ClientEnv());
  }

  static Creds NewClient(const std::string& name) {
    v1::Client c;
    c.set_name(name);
    for (const char* g : {"client_credentials", "password", "refresh_token"}) c.add_grant_types(g);
    c.add_allowed_scopes("read");
    c.add_default_scopes("read");
    c.set_max_user_sessions(0);       // unlimited
    c.set_rate_limit_per_second(0);   // unlimited
    return server_->CreateClient(c);
  }

  // A user whose password verifies cheaply: 1200 logins with the
  // interactive Argon2id parameters would take minutes on a CI core. The
  // hash is a genuine Argon2id PHC string; only its cost is lower.
  static std::string NewUser(const std::string& name) {
    std::string id = server_->CreateUser(name, "pw");
    auto hash = PasswordHasher(1, 8192, 1).Hash("pw");
    EXPECT_TRUE(hash.ok());
    pqxx::connection c(*dsn_);
    pqxx::nontransaction tx(c);
    tx.exec_params("UPDATE users SET password_hash = $1 WHERE id = $2", *hash, id);
    return id;
  }

  static v1::IssueTokenResponse Issue(v1::TokenService::Stub& stub, const Creds& creds,
                                      const std::string& user) {
    v1::IssueTokenRequest req;
    if (user.empty()) {
      req.mutable_client_credentials();
    } else {
      req.mutable_password()->set_username(user);
      req.mutable_password()->set_password("pw");
    }
    grpc::ClientContext ctx;
    AddClientAuth(&ctx, creds.first, creds.second);
    v1::IssueTokenResponse resp;
    grpc::Status st = stub.IssueToken(&ctx, req, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return resp;
  }

  static bool ActiveOverGrpc(const TokendProcess& server, const Creds& creds,
                             const std::string& token) {
    grpc::ClientContext ctx;
    AddClientAuth(&ctx, creds.first, creds.second);
    v1::IntrospectRequest req;
    req.set_token(token);
    v1::IntrospectResponse resp;
    grpc::Status st = server.TokenStub()->Introspect(&ctx, req, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return resp.active();
  }

  bool ActiveOverHttp(const TokendProcess& server, const Creds& creds, const std::string& token) {
    auto res = HttpConnection(ioc_, PortOf(server.http_addr()))
                   .Send(FormPost("/oauth/introspect", "token=" + token,
                                  basic_auth::Format(creds.first, creds.second)));
    EXPECT_EQ(res.result_int(), 200) << res.body();
    return ParseJson(res.body()).fields().at("active").bool_value();
  }

  static grpc::Status AdminCall(
      const std::function<grpc::Status(v1::AdminService::Stub&, grpc::ClientContext*)>& call) {
    grpc::ClientContext ctx;
    AddAdminKey(&ctx, server_->admin_key());
    return call(*server_->AdminStub(), &ctx);
  }

  net::io_context ioc_;
  static std::string* dsn_;
  static TokendProcess* server_;
};
std::string* OperatorTest::dsn_ = nullptr;
TokendProcess* OperatorTest::server_ = nullptr;

TEST_F(OperatorTest, AuditQueriesListingsAndRevokeAllAcrossReplicas) {
  std::string before = absl::FormatTime(absl::RFC3339_full, absl::Now() - absl::Seconds(1),
                                        absl::UTCTimeZone());
  Creds app = NewClient("app"), other = NewClient("other");
  std::string alice = NewUser("alice"), bob = NewUser("bob");

  // 1200 sessions for alice (four threads), three for bob, client tokens.
  std::vector<v1::IssueTokenResponse> alices(kSessions);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      auto stub = server_->TokenStub();
      for (int i = t; i < kSessions; i += 4) alices[i] = Issue(*stub, app, "alice");
    });
  }
  for (auto& t : threads) t.join();
  auto stub = server_->TokenStub();
  std::vector<v1::IssueTokenResponse> bobs;
  for (int i = 0; i < 3; ++i) bobs.push_back(Issue(*stub, app, "bob"));
  v1::IssueTokenResponse app_token = Issue(*stub, app, "");
  v1::IssueTokenResponse other_token = Issue(*stub, other, "");
  ASSERT_FALSE(alices.back().refresh_token().empty());

  // --- audit list: each filter, paging, time range ---
  auto opened = Ctl({"audit", "list", "--client=" + app.first, "--event=session.opened", "--all",
                     "--limit=500", "--json"});
  ASSERT_EQ(opened.exit_code, 0) << opened.err;
  EXPECT_EQ(Lines(opened.out).size(), static_cast<size_t>(kSessions + 3));
  auto bobs_rows = Ctl({"audit", "list", "--user=" + bob, "--json"});
  EXPECT_EQ(Lines(bobs_rows.out).size(), 3u) << bobs_rows.out;
  auto table = Ctl({"audit", "list", "--client=" + other.first});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  ASSERT_EQ(Lines(table.out).size(), 2u) << table.out;  // header and one row
  EXPECT_TRUE(absl::StartsWith(table.out, "TIME"));
  EXPECT_TRUE(absl::StrContains(Lines(table.out)[1], "token.issued")) << table.out;
  // Paging by hand: bob's three rows two at a time, then the flag for the next page.
  auto first = Ctl({"audit", "list", "--user=" + bob, "--limit=2", "--json"});
  auto first_lines = Lines(first.out);
  ASSERT_EQ(first_lines.size(), 3u) << first.out;
  ASSERT_TRUE(absl::StartsWith(first_lines[2], "{\"next_page_token\":\"")) << first.out;
  std::string next = first_lines[2].substr(first_lines[2].find(":\"") + 2);
  next = next.substr(0, next.find('"'));
  auto rest = Ctl({"audit", "list", "--user=" + bob, "--limit=2", "--json", "--page_token=" + next});
  EXPECT_EQ(rest.exit_code, 0) << rest.err;
  EXPECT_EQ(Lines(rest.out).size(), 1u) << rest.out;
  EXPECT_NE(Lines(rest.out)[0], first_lines[0]);
  auto table_page = Ctl({"audit", "list", "--user=" + bob, "--limit=2"});
  EXPECT_TRUE(absl::StrContains(table_page.out, "more: --page_token=" + next)) << table_page.out;
  auto in_range = Ctl({"audit", "list", "--client=" + other.first, "--json", "--since=" + before});
  EXPECT_EQ(Lines(in_range.out).size(), 1u) << in_range.out;
  EXPECT_EQ(Lines(Ctl({"audit", "list", "--client=" + other.first, "--json", "--until=" + before}).out).size(), 0u);
  auto multi = Ctl({"audit", "list", "--user=" + bob, "--event=session.opened,token.issued", "--json"});
  EXPECT_EQ(Lines(multi.out).size(), 3u) << multi.out;

  // --- token list ---
  auto bob_tokens = Ctl({"token", "list", "--user=" + bob, "--json"});
  ASSERT_EQ(bob_tokens.exit_code, 0) << bob_tokens.err;
  EXPECT_EQ(Lines(bob_tokens.out).size(), 6u) << bob_tokens.out;
  for (const auto& t : bobs) {
    EXPECT_FALSE(absl::StrContains(bob_tokens.out, t.access_token()));
    EXPECT_FALSE(absl::StrContains(bob_tokens.out, t.refresh_token()));
  }
  EXPECT_TRUE(absl::StrContains(bob_tokens.out, "\"format\":\"TOKEN_FORMAT_OPAQUE\""));
  auto other_table = Ctl({"token", "list", "--client=" + other.first});
  ASSERT_EQ(Lines(other_table.out).size(), 2u) << other_table.out;
  EXPECT_TRUE(absl::StrContains(Lines(other_table.out)[1], "active")) << other_table.out;

  // --- errors: INVALID_ARGUMENT with invalid_request ---
  for (auto& req : {std::pair<std::string, std::string>{"", ""}, {alice, app.first}}) {
    grpc::Status st = AdminCall([&](auto& admin, auto* ctx) {
      v1::ListTokensRequest r;
      r.set_user_id(req.first);
      r.set_client_id(req.second);
      v1::ListTokensResponse resp;
      return admin.ListTokens(ctx, r, &resp);
    });
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(OAuthCode(st), "invalid_request");
  }
  grpc::Status bad_token = AdminCall([](auto& admin, auto* ctx) {
    v1::ListAuditEventsRequest r;
    r.set_page_token("Zm9yZ2Vk");
    v1::ListAuditEventsResponse resp;
    return admin.ListAuditEvents(ctx, r, &resp);
  });
  EXPECT_EQ(bad_token.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(OAuthCode(bad_token), "invalid_request");
  grpc::Status bad_time = AdminCall([](auto& admin, auto* ctx) {
    v1::ListAuditEventsRequest r;
    r.mutable_start_time()->set_nanos(-5);
    v1::ListAuditEventsResponse resp;
    return admin.ListAuditEvents(ctx, r, &resp);
  });
  EXPECT_EQ(bad_time.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  grpc::Status no_owner = AdminCall([](auto& admin, auto* ctx) {
    v1::RevokeTokensRequest r;
    auto reader = admin.RevokeTokens(ctx, r);
    v1::RevokeTokensResponse m;
    while (reader->Read(&m)) {
    }
    return reader->Finish();
  });
  EXPECT_EQ(no_owner.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(OAuthCode(no_owner), "invalid_request");
  auto ctl_bad_token = Ctl({"audit", "list", "--page_token=garbage!"});
  EXPECT_EQ(ctl_bad_token.exit_code, 1);
  EXPECT_TRUE(absl::StrContains(ctl_bad_token.err, "invalid_request")) << ctl_bad_token.err;
  EXPECT_TRUE(absl::StrContains(ctl_bad_token.err, "INVALID_ARGUMENT")) << ctl_bad_token.err;
  auto ctl_bad_time = Ctl({"audit", "list", "--since=yesterday"});
  EXPECT_EQ(ctl_bad_time.exit_code, 1);
  EXPECT_TRUE(absl::StrContains(ctl_bad_time.err, "--since")) << ctl_bad_time.err;
  EXPECT_NE(Ctl({"token", "list"}).exit_code, 0);
  EXPECT_NE(Ctl({"token", "list", "--user=" + alice, "--client=" + app.first}).exit_code, 0);
  EXPECT_NE(Ctl({"token", "revoke-all"}).exit_code, 0);
  EXPECT_NE(Ctl({"audit", "list", "--all", "--page_token=x"}).exit_code, 0);

  // --- a second replica, with alice's sample tokens in its cache ---
  TokendProcess replica({.database_url = *dsn_});
  ASSERT_TRUE(replica.Start());
  std::vector<int> sample;
  for (int i = 0; i < kSessions; i += 97) sample.push_back(i);
  sample.push_back(kSessions - 1);
  for (int i : sample) {
    ASSERT_TRUE(ActiveOverGrpc(*server_, app, alices[i].access_token()));
    ASSERT_TRUE(ActiveOverGrpc(replica, app, alices[i].access_token()));
  }

  // --- revoke-all for alice: three batches, a progress line each ---
  auto revoked = Ctl({"token", "revoke-all", "--user=" + alice});
  ASSERT_EQ(revoked.exit_code, 0) << revoked.err;
  auto progress = Lines(revoked.err);
  EXPECT_EQ(progress.size(), 5u) << revoked.err;  // counted, 3 batches, done
  for (const char* line : {"revoked 0/1200 families", "revoked 500/1200 families",
                           "revoked 1000/1200 families", "revoked 1200/1200 families"}) {
    EXPECT_TRUE(absl::StrContains(revoked.err, line)) << line << " in\n" << revoked.err;
  }
  EXPECT_TRUE(absl::StrContains(revoked.out, "\"revoked_families\": 1200")) << revoked.out;

  for (int i : sample) {  // this replica: at once, over gRPC and HTTP
    EXPECT_FALSE(ActiveOverGrpc(*server_, app, alices[i].access_token())) << i;
    EXPECT_FALSE(ActiveOverHttp(*server_, app, alices[i].access_token())) << i;
    EXPECT_FALSE(ActiveOverHttp(*server_, app, alices[i].refresh_token())) << i;
  }
  for (int i : sample) {  // the other replica: once the change feed delivers
    bool active = true;
    for (int tries = 0; tries < 50 && active; ++tries) {
      active = ActiveOverGrpc(replica, app, alices[i].access_token());
      if (active) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    EXPECT_FALSE(active) << i;
    EXPECT_FALSE(ActiveOverHttp(replica, app, alices[i].access_token())) << i;
  }
  // Everyone else untouched.
  for (const auto& t : bobs) {
    EXPECT_TRUE(ActiveOverGrpc(*server_, app, t.access_token()));
    EXPECT_TRUE(ActiveOverHttp(replica, app, t.access_token()));
  }
  EXPECT_TRUE(ActiveOverGrpc(*server_, app, app_token.access_token()));
  EXPECT_TRUE(ActiveOverGrpc(*server_, other, other_token.access_token()));
  // One audit row per session, naming alice and the admin.
  auto audit = Ctl({"audit", "list", "--user=" + alice, "--event=family.revoked", "--all", "--json",
                    "--limit=1000"});
  auto audit_lines = Lines(audit.out);
  EXPECT_EQ(audit_lines.size(), static_cast<size_t>(kSessions));
  EXPECT_TRUE(absl::StrContains(audit_lines.front(), "revoked by admin")) << audit_lines.front();
  EXPECT_EQ(Lines(Ctl({"token", "list", "--user=" + alice, "--json"}).out).size(), 0u);
  EXPECT_EQ(Lines(Ctl({"token", "list", "--user=" + alice, "--json", "--include_inactive", "--all"}).out).size(),
            static_cast<size_t>(2 * kSessions));

  // revoke-all for one client of bob's: only those.
  auto bob_app = Ctl({"token", "revoke-all", "--user=" + bob, "--client=" + app.first});
  ASSERT_EQ(bob_app.exit_code, 0) << bob_app.err;
  EXPECT_TRUE(absl::StrContains(bob_app.out, "\"revoked_families\": 3")) << bob_app.out;
  EXPECT_FALSE(ActiveOverGrpc(*server_, app, bobs[0].access_token()));
  EXPECT_TRUE(ActiveOverGrpc(*server_, app, app_token.access_token()));
}

}  // namespace
}  // namespace tokend::testing
