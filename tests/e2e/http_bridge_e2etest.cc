// The HTTP bridge inside a real tokend process over PostgreSQL: the OAuth
// flows over HTTP/1.1, discovery, readiness through a ledger outage, and a
// clean stop.
#include <chrono>
#include <csignal>
#include <thread>

#include "absl/strings/numbers.h"
#include "gtest/gtest.h"
#include "services/common/basic_auth.h"
#include "services/common/form_codec.h"
#include "tests/testing/pg_harness.h"
#include "tests/testing/prometheus_text.h"
#include "tests/testing/tokend_process.h"
#include "tests/unit/http_test_client.h"

namespace tokend::testing {
namespace {

uint16_t PortOf(const std::string& addr) {
  uint32_t port = 0;
  EXPECT_TRUE(absl::SimpleAtoi(addr.substr(addr.rfind(':') + 1), &port)) << addr;
  return static_cast<uint16_t>(port);
}

class HttpE2eTest : public ::testing::Test {
 protected:
  static TokendOptions Options() {
    TokendOptions o;
    o.database_url = FreshDatabase("http");
    o.env = {{"TOKEND_CACHE_TTL_SECONDS", "0"}};  // every call reaches PostgreSQL
    return o;
  }
  HttpE2eTest() : server_(Options()) {}

  void SetUp() override {
    ASSERT_TRUE(server_.Start());
    v1::Client c;
    c.set_name("http-e2e");
    c.add_grant_types("client_credentials");
    c.add_grant_types("password");
    c.add_allowed_scopes("read");
    c.add_allowed_scopes("write");
    c.add_default_scopes("read");
    creds_ = server_.CreateClient(c);
    server_.CreateUser("alice", "wonderland");
  }

  HttpResponse Call(HttpRequest req) {
    return HttpConnection(ioc_, PortOf(server_.http_addr())).Send(std::move(req));
  }
  std::string Basic() const { return basic_auth::Format(creds_.first, creds_.second); }

  TokendProcess server_;
  std::pair<std::string, std::string> creds_;
  net::io_context ioc_;
};

TEST_F(HttpE2eTest, OAuthFlowsOverHttp) {
  auto res = Call(FormPost("/oauth/token", "grant_type=client_credentials&scope=write", Basic()));
  ASSERT_EQ(res.result_int(), 200) << res.body();
  EXPECT_EQ(res[bhttp::field::cache_control], "no-store");
  EXPECT_EQ(JsonString(res, "scope"), "write");
  std::string access = JsonString(res, "access_token");

  res = Call(FormPost("/oauth/introspect", "token=" + access, Basic()));
  ASSERT_EQ(res.result_int(), 200);
  auto info = ParseJson(res.body());
  EXPECT_TRUE(info.fields().at("active").bool_value());
  EXPECT_EQ(info.fields().at("client_id").string_value(), creds_.first);

  // client_secret_post, password grant, then refresh.
  res = Call(FormPost("/oauth2/token",
                      "grant_type=password&username=alice&password=wonderland"
                      "&client_id=" +
                          form::Encode(creds_.first) +
                          "&client_secret=" + form::Encode(creds_.second)));
  ASSERT_EQ(res.result_int(), 200) << res.body();
  std::string refresh = JsonString(res, "refresh_token");
  ASSERT_FALSE(refresh.empty());
  res =
      Call(FormPost("/oauth/token", "grant_type=refresh_token&refresh_token=" + refresh, Basic()));
  ASSERT_EQ(res.result_int(), 200) << res.body();

  res = Call(FormPost("/oauth/revoke", "token=" + access, Basic()));
  EXPECT_EQ(res.result_int(), 200);
  res = Call(FormPost("/oauth/introspect", "token=" + access, Basic()));
  EXPECT_EQ(res.body(), "{\"active\":false}");

  res = Call(FormPost("/oauth/token", "grant_type=client_credentials",
                      basic_auth::Format(creds_.first, "wrong")));
  EXPECT_EQ(res.result_int(), 401);
  EXPECT_EQ(res[bhttp::field::www_authenticate], "Basic realm=\"tokend\"");
}

TEST_F(HttpE2eTest, DiscoveryNamesTheDefaultIssuer) {
  auto res = Call(Get("/.well-known/oauth-authorization-server"));
  ASSERT_EQ(res.result_int(), 200);
  std::string issuer = "http://" + server_.http_addr();
  EXPECT_EQ(JsonString(res, "issuer"), issuer);
  EXPECT_EQ(JsonString(res, "token_endpoint"), issuer + "/oauth/token");
}

TEST_F(HttpE2eTest, ReadinessFollowsTheLedger) {
  EXPECT_EQ(Call(Get("/readyz")).result_int(), 200);
  ASSERT_TRUE(Cluster().StopServer("fast").ok());
  EXPECT_EQ(Call(Get("/readyz")).result_int(), 503);
  EXPECT_EQ(Call(Get("/healthz")).result_int(), 200);
  auto res = Call(FormPost("/oauth/token", "grant_type=client_credentials", Basic()));
  EXPECT_EQ(res.result_int(), 503) << res.body();
  EXPECT_EQ(JsonString(res, "error"), "temporarily_unavailable");
  ASSERT_TRUE(Cluster().StartServer().ok());
  bool ready = false;
  for (int i = 0; i < 150 && !ready; ++i) {
    ready = Call(Get("/readyz")).result_int() == 200;
    if (!ready) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_TRUE(ready);
}

TEST_F(HttpE2eTest, StopsCleanlyWithKeepAliveConnectionsOpen) {
  HttpConnection idle(ioc_, PortOf(server_.http_addr()));
  EXPECT_EQ(idle.Send(Get("/healthz")).result_int(), 200);
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(server_.Stop(SIGTERM), 0);  // exited with status 0
  // An idle keep-alive connection does not hold the drain (10 s by default).
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_TRUE(idle.ClosedByPeer(std::chrono::seconds(5)));
}


// /metrics: valid text format whose counters moved with what was asked.
TEST_F(HttpE2eTest, MetricsCountWhatHappened) {
  ASSERT_EQ(Call(FormPost("/oauth/token", "grant_type=client_credentials", Basic())).result_int(), 200);
  ASSERT_EQ(Call(FormPost("/oauth/token", "grant_type=client_credentials",
                          basic_auth::Format(creds_.first, "wrong"))).result_int(), 401);
  auto pw = Call(FormPost("/oauth/token", "grant_type=password&username=alice&password=wonderland", Basic()));
  ASSERT_EQ(pw.result_int(), 200);
  ASSERT_EQ(Call(FormPost("/oauth/revoke", "token=" + JsonString(pw, "refresh_token"), Basic())).result_int(), 200);
  ASSERT_EQ(Call(Get("/nowhere")).result_int(), 404);

  auto res = Call(Get("/metrics"));
  ASSERT_EQ(res.result_int(), 200);
  EXPECT_EQ(res[bhttp::field::content_type], "text/plain; version=0.0.4; charset=utf-8");
  const std::string& text = res.body();
  auto errors = PrometheusFormatErrors(text);
  EXPECT_TRUE(errors.empty()) << errors.front() << "\n" << text;
  auto sample = [&](const std::string& series) { return PrometheusSample(text, series); };
  EXPECT_EQ(sample(R"(tokend_oauth_requests_total{operation="token",grant_type="client_credentials",outcome="ok"})"), 1);
  EXPECT_EQ(sample(R"(tokend_oauth_requests_total{operation="token",grant_type="client_credentials",outcome="invalid_client"})"), 1);
  EXPECT_EQ(sample(R"(tokend_oauth_requests_total{operation="token",grant_type="password",outcome="ok"})"), 1);
  EXPECT_EQ(sample(R"(tokend_oauth_requests_total{operation="revoke",grant_type="none",outcome="ok"})"), 1);
  EXPECT_EQ(sample(R"(tokend_tokens_issued_total{kind="access"})"), 2);
  EXPECT_EQ(sample(R"(tokend_tokens_issued_total{kind="refresh"})"), 1);
  EXPECT_EQ(sample("tokend_tokens_revoked_total"), 1);
  EXPECT_EQ(sample(R"(tokend_http_requests_total{path="/oauth/token",method="POST",code="200"})"), 2);
  EXPECT_EQ(sample(R"(tokend_http_requests_total{path="/oauth/token",method="POST",code="401"})"), 1);
  EXPECT_EQ(sample(R"(tokend_http_requests_total{path="other",method="",code="404"})"), 1);
  EXPECT_EQ(sample(R"(tokend_http_request_duration_seconds_count{path="/oauth/token",method="POST"})"), 3);
  EXPECT_EQ(sample(R"(tokend_grpc_requests_total{method="/tokend.v1.AdminService/CreateClient",code="0"})"), 1);
  EXPECT_GE(sample("tokend_group_commit_batch_rows_count"), 1);
  EXPECT_GE(sample(R"(tokend_db_pool_connections{state="size"})"), 1);
  EXPECT_GE(sample("tokend_db_pool_waiting"), 0);
  EXPECT_GT(sample("process_resident_memory_bytes"), 1 << 20);
  EXPECT_GE(sample("tokend_http_open_connections"), 1);
  EXPECT_GE(sample(R"(tokend_token_cache_lookups_total{result="miss"})"), 0);
  // No token or secret ever reaches the exposition.
  EXPECT_EQ(text.find(creds_.second), std::string::npos);
  EXPECT_EQ(text.find(JsonString(pw, "access_token")), std::string::npos);
}


// A client over its own request rate gets 429 + Retry-After over HTTP and
// RESOURCE_EXHAUSTED with the OAuth code over gRPC; other clients do not.
TEST_F(HttpE2eTest, PerClientRateLimits) {
  v1::Client c;
  c.set_name("limited");
  c.add_grant_types("client_credentials");
  c.set_rate_limit_per_second(2);
  auto limited = server_.CreateClient(c);
  std::string basic = basic_auth::Format(limited.first, limited.second);
  int ok = 0, limited_answers = 0;
  HttpResponse last;
  for (int i = 0; i < 4; ++i) {
    last = Call(FormPost("/oauth/token", "grant_type=client_credentials", basic));
    if (last.result_int() == 200) ++ok;
    if (last.result_int() == 429) {
      ++limited_answers;
      EXPECT_EQ(JsonString(last, "error"), "rate_limited");
      EXPECT_EQ(last[bhttp::field::retry_after], "1");
    }
  }
  EXPECT_EQ(ok, 2);
  EXPECT_EQ(limited_answers, 2);
  // The same bucket serves gRPC.
  auto stub = server_.TokenStub();
  v1::IssueTokenRequest req;
  req.mutable_client_credentials();
  req.mutable_credentials()->set_client_id(limited.first);
  req.mutable_credentials()->set_client_secret(limited.second);
  v1::IssueTokenResponse resp;
  grpc::ClientContext ctx;
  grpc::Status st = stub->IssueToken(&ctx, req, &resp);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  // Others are not affected.
  EXPECT_EQ(Call(FormPost("/oauth/token", "grant_type=client_credentials", Basic())).result_int(), 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  EXPECT_EQ(Call(FormPost("/oauth/token", "grant_type=client_credentials", basic)).result_int(), 200);
}

}  // namespace
}  // namespace tokend::testing
