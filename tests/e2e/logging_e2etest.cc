// tokend's log as operators see it, from a real process over real sockets:
// one access line per request with its request id (echoed over HTTP and
// gRPC), no secret ever logged, hostile request ids replaced, the level
// honoured, and the purge job's progress in the log and in /metrics.
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <chrono>
#include <fstream>
#include <pqxx/pqxx>
#include <regex>
#include <sstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "gtest/gtest.h"
#include "services/common/basic_auth.h"
#include "services/common/form_codec.h"
#include "tests/testing/pg_harness.h"
#include "tests/testing/prometheus_text.h"
#include "tests/testing/tokend_process.h"
#include "tests/unit/http_test_client.h"
#include "token_client.h"
#include "tokend_client.h"

namespace tokend::testing {
namespace {

using Object = google::protobuf::Struct;

uint16_t PortOf(const std::string& addr) {
  uint32_t port = 0;
  EXPECT_TRUE(absl::SimpleAtoi(addr.substr(addr.rfind(':') + 1), &port)) << addr;
  return static_cast<uint16_t>(port);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Str(const Object& o, const std::string& key) {
  auto it = o.fields().find(key);
  return it == o.fields().end() ? "<absent>" : it->second.string_value();
}

bool IsGeneratedId(const std::string& id) { return std::regex_match(id, std::regex("^[0-9a-f]{32}$")); }

// Every line of the log parsed; a line that is not one JSON object fails.
// tokend writes info lines every 50 ms, so the last ones get time to land.
std::vector<Object> Lines(const TokendProcess& server) {
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  std::vector<Object> out;
  std::istringstream in(ReadFile(server.log_path()));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    Object o;
    // PostgreSQL's own start-up chatter (the private cluster) is not ours.
    if (line[0] != '{') continue;
    EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(line, &o).ok()) << line;
    out.push_back(o);
  }
  return out;
}

// The access lines of one request, waiting up to 5 s for the first.
std::vector<Object> AccessLines(const TokendProcess& server, const std::string& request_id) {
  std::vector<Object> out;
  for (int tries = 0; tries < 25 && out.empty(); ++tries) {
    for (auto& o : Lines(server)) {
      if (Str(o, "msg") == "access" && Str(o, "request_id") == request_id) out.push_back(o);
    }
  }
  return out;
}

class LoggingE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dsn_ = new std::string(FreshDatabase("logs"));
    server_ = new TokendProcess({.database_url = *dsn_,
                                 .env = {{"TOKEND_PURGE_INTERVAL_SECONDS", "1"},
                                         {"TOKEND_LOG_LEVEL", "info"}}});
    ASSERT_TRUE(server_->Start());
    v1::Client c;
    c.set_name("logs-e2e");
    c.add_grant_types("client_credentials");
    c.add_grant_types("password");
    c.add_allowed_scopes("read");
    creds_ = new std::pair(server_->CreateClient(c));
    server_->CreateUser("alice", kPassword);
  }
  static void TearDownTestSuite() {
    delete server_;
    delete creds_;
    delete dsn_;
  }

  HttpResponse Call(HttpRequest req) {
    return HttpConnection(ioc_, PortOf(server_->http_addr())).Send(std::move(req));
  }
  static std::string Basic() { return basic_auth::Format(creds_->first, creds_->second); }

  static constexpr char kPassword[] = "wonderland-Passw0rd";
  static TokendProcess* server_;
  static std::pair<std::string, std::string>* creds_;
  static std::string* dsn_;
  net::io_context ioc_;
};
TokendProcess* LoggingE2eTest::server_ = nullptr;
std::pair<std::string, std::string>* LoggingE2eTest::creds_ = nullptr;
std::string* LoggingE2eTest::dsn_ = nullptr;

TEST_F(LoggingE2eTest, HttpRequestIdIsEchoedAndLoggedOnce) {
  auto req = FormPost("/oauth/token?code=not-for-the-log", "grant_type=client_credentials", Basic());
  req.set("X-Request-Id", "test-abc-123");
  auto res = Call(std::move(req));
  ASSERT_EQ(res.result_int(), 200) << res.body();
  EXPECT_EQ(res["X-Request-Id"], "test-abc-123");
  // The internal notes never reach the client.
  for (const auto& field : res) {
    EXPECT_FALSE(absl::StartsWithIgnoreCase(std::string(field.name_string()), "X-Tokend"));
  }

  auto lines = AccessLines(*server_, "test-abc-123");
  ASSERT_EQ(lines.size(), 1u);
  const Object& line = lines[0];
  EXPECT_EQ(Str(line, "level"), "info");
  EXPECT_EQ(Str(line, "method"), "POST");
  EXPECT_EQ(Str(line, "path"), "/oauth/token");  // never the query string
  EXPECT_EQ(Str(line, "client_id"), creds_->first);
  EXPECT_EQ(Str(line, "outcome"), "ok");
  EXPECT_EQ(line.fields().at("status").number_value(), 200);
  EXPECT_GE(line.fields().at("latency_ms").number_value(), 0);
  EXPECT_EQ(ReadFile(server_->log_path()).find("not-for-the-log"), std::string::npos);
}

TEST_F(LoggingE2eTest, HttpWithoutRequestIdGetsAGeneratedOne) {
  auto res = Call(FormPost("/oauth/token", "grant_type=client_credentials", Basic()));
  ASSERT_EQ(res.result_int(), 200);
  std::string id(res["X-Request-Id"]);
  EXPECT_TRUE(IsGeneratedId(id)) << id;
  EXPECT_EQ(AccessLines(*server_, id).size(), 1u);
}

TEST_F(LoggingE2eTest, HttpFailuresCarryTheIdAndTheirOutcome) {
  auto bad = FormPost("/oauth/token", "grant_type=client_credentials",
                      basic_auth::Format(creds_->first, "wrong-secret"));
  bad.set("X-Request-Id", "bad-auth-1");
  auto res = Call(std::move(bad));
  ASSERT_EQ(res.result_int(), 401);
  EXPECT_EQ(res["X-Request-Id"], "bad-auth-1");
  auto lines = AccessLines(*server_, "bad-auth-1");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(Str(lines[0], "outcome"), "invalid_client");
  EXPECT_EQ(Str(lines[0], "client_id"), creds_->first);
  EXPECT_EQ(lines[0].fields().at("status").number_value(), 401);

  auto missing = Get("/nowhere");
  missing.set("X-Request-Id", "not-found-1");
  res = Call(std::move(missing));
  ASSERT_EQ(res.result_int(), 404);
  EXPECT_EQ(res["X-Request-Id"], "not-found-1");
  lines = AccessLines(*server_, "not-found-1");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(Str(lines[0], "outcome"), "not_found");
  EXPECT_EQ(Str(lines[0], "method"), "GET");
}

TEST_F(LoggingE2eTest, HostileRequestIdsAreReplacedNotLogged) {
  std::string quoted = "evil\",\"level\":\"error\",\"x\":\"";
  std::string huge(4096, 'h');  // a 10 KB header would be refused (431) before any id is read
  for (const std::string& hostile : {quoted, huge, std::string("spaces are not allowed")}) {
    auto req = Get("/healthz");
    req.set("X-Request-Id", hostile);
    auto res = Call(std::move(req));
    ASSERT_EQ(res.result_int(), 200);
    std::string id(res["X-Request-Id"]);
    EXPECT_TRUE(IsGeneratedId(id)) << id;
    EXPECT_EQ(AccessLines(*server_, id).size(), 1u);
  }
  // A bare newline inside the header: answered (with some id), and every
  // log line still parses (Lines() checks).
  HttpConnection raw(ioc_, PortOf(server_->http_addr()));
  raw.WriteRaw("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Request-Id: nl\n\"level\": error\r\n\r\n");
  auto res = raw.Read();
  EXPECT_FALSE(res["X-Request-Id"].empty()) << res;

  // gRPC: 10 KB and quotes in x-request-id.
  auto stub = server_->TokenStub();
  for (const std::string& hostile : {quoted, std::string(10240, 'g')}) {
    grpc::ClientContext ctx;
    client::AddClientAuth(&ctx, creds_->first, creds_->second);
    client::AddRequestId(&ctx, hostile);
    v1::IssueTokenRequest req;
    req.mutable_client_credentials();
    v1::IssueTokenResponse resp;
    grpc::Status st = stub->IssueToken(&ctx, req, &resp);
    if (st.ok()) {
      EXPECT_TRUE(IsGeneratedId(client::ResponseRequestId(ctx)));
    }
  }
  std::string log = ReadFile(server_->log_path());
  EXPECT_EQ(log.find("evil"), std::string::npos);
  EXPECT_EQ(log.find(huge), std::string::npos);
  EXPECT_EQ(log.find("gggggggggggggggg"), std::string::npos);
  EXPECT_EQ(log.find("spaces are not allowed"), std::string::npos);
}

TEST_F(LoggingE2eTest, GrpcRequestIdIsEchoedAndLoggedWithTheRpc) {
  auto stub = server_->TokenStub();
  grpc::ClientContext ctx;
  client::AddRequestId(&ctx, "grpc-req-42");
  v1::IssueTokenRequest req;
  req.mutable_client_credentials();
  req.mutable_credentials()->set_client_id(creds_->first);
  req.mutable_credentials()->set_client_secret(creds_->second);
  v1::IssueTokenResponse resp;
  ASSERT_TRUE(stub->IssueToken(&ctx, req, &resp).ok());
  EXPECT_EQ(client::ResponseRequestId(ctx), "grpc-req-42");
  auto lines = AccessLines(*server_, "grpc-req-42");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(Str(lines[0], "rpc"), "tokend.v1.TokenService/IssueToken");
  EXPECT_EQ(Str(lines[0], "client_id"), creds_->first);
  EXPECT_EQ(Str(lines[0], "outcome"), "ok");
  EXPECT_EQ(Str(lines[0], "grpc_status"), "OK");
  EXPECT_GE(lines[0].fields().at("latency_ms").number_value(), 0);

  // Through the client library (Basic metadata), a failure.
  client::TokenClient wrong(grpc::CreateChannel(server_->grpc_addr(), server_->ChannelCredentials()),
                            creds_->first, "wrong-secret");
  auto issued = wrong.Issue({.request_id = "grpc-bad-7"});
  ASSERT_FALSE(issued.ok());
  EXPECT_EQ(issued.error().error, "invalid_client");
  EXPECT_EQ(issued.error().request_id, "grpc-bad-7");
  lines = AccessLines(*server_, "grpc-bad-7");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(Str(lines[0], "outcome"), "invalid_client");
  EXPECT_EQ(Str(lines[0], "grpc_status"), "UNAUTHENTICATED");
  EXPECT_EQ(Str(lines[0], "client_id"), creds_->first);
}

// Tokens issued, refreshed and introspected over both transports, the
// password grant used: none of the secrets is anywhere in the log.
TEST_F(LoggingE2eTest, NoSecretEverReachesTheLog) {
  std::vector<std::string> secrets = {creds_->second, kPassword, server_->admin_key()};
  auto res = Call(FormPost("/oauth/token", "grant_type=password&username=alice&password=" +
                                               form::Encode(kPassword),
                           Basic()));
  ASSERT_EQ(res.result_int(), 200) << res.body();
  secrets.push_back(JsonString(res, "access_token"));
  std::string refresh = JsonString(res, "refresh_token");
  secrets.push_back(refresh);
  res = Call(FormPost("/oauth/token", "grant_type=refresh_token&refresh_token=" + refresh, Basic()));
  ASSERT_EQ(res.result_int(), 200) << res.body();
  secrets.push_back(JsonString(res, "access_token"));
  secrets.push_back(JsonString(res, "refresh_token"));
  ASSERT_EQ(Call(FormPost("/oauth/introspect", "token=" + secrets.back(), Basic())).result_int(), 200);

  client::TokenClient grpc_client(
      grpc::CreateChannel(server_->grpc_addr(), server_->ChannelCredentials()), creds_->first,
      creds_->second);
  auto issued = grpc_client.Issue({.username = "alice", .password = kPassword});
  ASSERT_TRUE(issued.ok()) << issued.error().description;
  secrets.push_back(issued->access_token);
  auto refreshed = grpc_client.Refresh(issued->refresh_token);
  ASSERT_TRUE(refreshed.ok());
  secrets.push_back(issued->refresh_token);
  secrets.push_back(refreshed->access_token);
  secrets.push_back(refreshed->refresh_token);
  ASSERT_TRUE(grpc_client.Introspect(refreshed->access_token).ok());
  // A wrong password is refused, and not logged either.
  EXPECT_FALSE(grpc_client.Issue({.username = "alice", .password = "not-the-Passw0rd"}).ok());
  secrets.push_back("not-the-Passw0rd");

  int access_lines = 0;
  for (const auto& o : Lines(*server_)) access_lines += Str(o, "msg") == "access";
  std::string log = ReadFile(server_->log_path());
  EXPECT_GE(access_lines, 10);
  for (const auto& s : secrets) {
    ASSERT_FALSE(s.empty());
    EXPECT_EQ(log.find(s), std::string::npos) << "a secret is in the log: " << s.substr(0, 6);
  }
  EXPECT_EQ(log.find("Basic "), std::string::npos);
}

// Expired rows past the retention hour: the next purge (every second here)
// deletes them, says so in the log and counts them in /metrics.
TEST_F(LoggingE2eTest, PurgeProgressInTheLogAndInMetrics) {
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(Call(FormPost("/oauth/token", "grant_type=client_credentials", Basic())).result_int(), 200);
  }
  int expired = 0;
  {
    pqxx::connection c(*dsn_);
    pqxx::nontransaction tx(c);
    expired = tx.exec("UPDATE tokens SET expires_at = now() - interval '2 hours'").affected_rows();
  }
  ASSERT_GE(expired, 3);
  double purged = 0;
  for (int i = 0; i < 100 && purged < expired; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    purged = 0;
    for (const auto& o : Lines(*server_)) {
      if (Str(o, "msg") == "job finished" && Str(o, "job") == "purge_expired") {
        EXPECT_EQ(Str(o, "level"), "info");
        EXPECT_EQ(Str(o, "outcome"), "ok");
        EXPECT_GE(o.fields().at("duration_ms").number_value(), 0);
        purged += o.fields().at("rows").number_value();
      }
    }
  }
  EXPECT_GE(purged, expired);

  auto res = Call(Get("/metrics"));
  ASSERT_EQ(res.result_int(), 200);
  const std::string& text = res.body();
  auto errors = PrometheusFormatErrors(text);
  EXPECT_TRUE(errors.empty()) << errors.front();
  EXPECT_GE(PrometheusSample(text, R"(tokend_job_runs_total{job="purge_expired"})"), 1);
  EXPECT_GE(PrometheusSample(text, R"(tokend_job_rows_total{job="purge_expired"})"), expired);
  EXPECT_GE(PrometheusSample(text, R"(tokend_job_running{job="purge_expired"})"), 0);
  EXPECT_GE(PrometheusSample(text, R"(tokend_job_last_duration_seconds{job="purge_expired"})"), 0);
  // The start-up migration (nothing to do: the harness migrated the
  // database) and the first signing key ran as jobs too.
  EXPECT_EQ(PrometheusSample(text, R"(tokend_job_runs_total{job="migrate"})"), 1);
  EXPECT_GE(PrometheusSample(text, R"(tokend_job_runs_total{job="key_rotation"})"), 1);
  int steps = 0;
  for (const auto& o : Lines(*server_)) steps += Str(o, "msg") == "migration step finished";
  EXPECT_EQ(steps, PrometheusSample(text, R"(tokend_job_rows_total{job="migrate"})"));
}

TEST(LoggingLevelTest, WarnSuppressesAccessLines) {
  TokendProcess server({.database_url = FreshDatabase("logs_warn"),
                        .env = {{"TOKEND_LOG_LEVEL", "warn"}}});
  ASSERT_TRUE(server.Start());
  net::io_context ioc;
  auto req = Get("/healthz");
  req.set("X-Request-Id", "quiet-1");
  auto res = HttpConnection(ioc, PortOf(server.http_addr())).Send(std::move(req));
  ASSERT_EQ(res.result_int(), 200);
  EXPECT_EQ(res["X-Request-Id"], "quiet-1");  // still echoed
  grpc::ClientContext ctx;
  client::AddRequestId(&ctx, "quiet-2");
  v1::GetJwksRequest jwks_req;
  v1::GetJwksResponse jwks;
  ASSERT_TRUE(server.TokenStub()->GetJwks(&ctx, jwks_req, &jwks).ok());
  EXPECT_EQ(client::ResponseRequestId(ctx), "quiet-2");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // past a flush
  std::string log = ReadFile(server.log_path());
  EXPECT_EQ(log.find("\"access\""), std::string::npos) << log;
  EXPECT_EQ(log.find("\"level\":\"info\""), std::string::npos) << log;
}

}  // namespace
}  // namespace tokend::testing
