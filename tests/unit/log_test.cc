// The JSON line log: every line parses back as one object with level, time
// and msg first; escaping survives hostile values; levels filter; request
// ids are checked; a job run is logged and counted.
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <cmath>
#include <mutex>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "services/logging/access_log.h"
#include "services/logging/log.h"
#include "services/logging/request_id.h"
#include "services/metrics/job.h"

namespace tokend::logging {
namespace {

// Captures what is logged while alive; restores the level afterwards.
class Capture {
 public:
  explicit Capture(Level level = Level::kDebug)
      : sink_([this](absl::string_view line) {
          std::lock_guard lock(mu_);
          lines_.emplace_back(line);
        }) {
    SetMinLevel(level);
  }
  ~Capture() { SetMinLevel(Level::kInfo); }
  std::vector<std::string> lines() {
    std::lock_guard lock(mu_);
    return lines_;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> lines_;
  ScopedLogSink sink_;
};

google::protobuf::Struct Parse(const std::string& line) {
  google::protobuf::Struct out;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(line, &out).ok()) << line;
  return out;
}

std::string Field(const google::protobuf::Struct& s, const std::string& key) {
  auto it = s.fields().find(key);
  return it == s.fields().end() ? "<absent>" : it->second.string_value();
}

TEST(LogTest, OneJsonObjectPerLineWithLevelTimeMsgFirst) {
  Capture capture;
  Info("tokend serving").Str("grpc", "127.0.0.1:1").Int("n", -42).Double("ms", 1.5).Bool("tls", true);
  auto lines = capture.lines();
  ASSERT_EQ(lines.size(), 1u);
  const std::string& line = lines[0];
  ASSERT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1);
  EXPECT_TRUE(std::regex_match(
      line, std::regex(R"(^\{"level":"info","time":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z","msg":"tokend serving",.*\}\n$)")))
      << line;
  auto s = Parse(line);
  EXPECT_EQ(Field(s, "grpc"), "127.0.0.1:1");
  EXPECT_EQ(s.fields().at("n").number_value(), -42);
  EXPECT_EQ(s.fields().at("ms").number_value(), 1.5);
  EXPECT_TRUE(s.fields().at("tls").bool_value());
}

TEST(LogTest, HostileValuesStayInsideTheirString) {
  Capture capture;
  std::string hostile = "a\"b\\c\nd\re\tf\x01g\x7f\",\"level\":\"error";
  std::string invalid_utf8 = "ok \xc3\xa9 bad \xff\xfe \xed\xa0\x80 trunc \xe2\x82";
  Warn(hostile).Str(hostile, hostile).Str("utf8", invalid_utf8);
  auto lines = capture.lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].find('\n'), lines[0].size() - 1);  // no raw newline inside
  EXPECT_EQ(lines[0].find('\r'), std::string::npos);
  auto s = Parse(lines[0]);
  EXPECT_EQ(Field(s, "level"), "warn");  // not forged by the message
  EXPECT_EQ(Field(s, "msg"), hostile);
  EXPECT_EQ(Field(s, hostile), hostile);
  // Valid sequences survive, invalid bytes become U+FFFD each.
  EXPECT_EQ(Field(s, "utf8"), "ok \xc3\xa9 bad \xef\xbf\xbd\xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd trunc \xef\xbf\xbd\xef\xbf\xbd");
}

TEST(LogTest, NonFiniteDoublesAreNull) {
  Capture capture;
  Info("x").Double("nan", std::nan("")).Double("big", 1e300);
  auto s = Parse(capture.lines().at(0));
  EXPECT_EQ(s.fields().at("nan").kind_case(), google::protobuf::Value::kNullValue);
  EXPECT_EQ(s.fields().at("big").number_value(), 1e300);
}

TEST(LogTest, LinesBelowTheMinimumLevelAreNotWritten) {
  Capture capture(Level::kWarn);
  Debug("d");
  Info("i");
  Warn("w");
  Error("e");
  LogAccess({.request_id = "r", .method = "GET", .path = "/", .outcome = "ok", .http_status = 200});
  auto lines = capture.lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(Field(Parse(lines[0]), "msg"), "w");
  EXPECT_EQ(Field(Parse(lines[1]), "level"), "error");
}

TEST(LogTest, LevelNames) {
  EXPECT_EQ(LevelFromName("debug"), Level::kDebug);
  EXPECT_EQ(LevelFromName("warning"), Level::kWarn);
  EXPECT_EQ(LevelFromName("error"), Level::kError);
  EXPECT_FALSE(LevelFromName("INFO").has_value());
  EXPECT_FALSE(LevelFromName("").has_value());
}

TEST(LogTest, ConcurrentLinesNeverInterleave) {
  Capture capture;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t] {
      for (int i = 0; i < 200; ++i) Info("line").Int("thread", t).Str("pad", std::string(300, 'x'));
    });
  }
  for (auto& t : threads) t.join();
  auto lines = capture.lines();
  ASSERT_EQ(lines.size(), 800u);
  for (const auto& line : lines) EXPECT_EQ(Field(Parse(line), "msg"), "line");
}

TEST(LogTest, AccessLinesOverBothTransports) {
  Capture capture;
  LogAccess({.request_id = "req-1",
             .rpc = "tokend.v1.TokenService/IssueToken",
             .client_id = "c1",
             .outcome = "invalid_client",
             .grpc_code = 16,
             .latency_ms = 0.25});
  LogAccess({.request_id = "req-2", .method = "POST", .path = "/oauth/token", .outcome = "ok",
             .http_status = 200, .latency_ms = 3});
  auto lines = capture.lines();
  ASSERT_EQ(lines.size(), 2u);
  auto grpc = Parse(lines[0]);
  EXPECT_EQ(Field(grpc, "msg"), "access");
  EXPECT_EQ(Field(grpc, "request_id"), "req-1");
  EXPECT_EQ(Field(grpc, "rpc"), "tokend.v1.TokenService/IssueToken");
  EXPECT_EQ(Field(grpc, "client_id"), "c1");
  EXPECT_EQ(Field(grpc, "outcome"), "invalid_client");
  EXPECT_EQ(Field(grpc, "grpc_status"), "UNAUTHENTICATED");
  EXPECT_EQ(grpc.fields().at("latency_ms").number_value(), 0.25);
  auto http = Parse(lines[1]);
  EXPECT_EQ(Field(http, "method"), "POST");
  EXPECT_EQ(Field(http, "path"), "/oauth/token");
  EXPECT_EQ(http.fields().at("status").number_value(), 200);
  EXPECT_EQ(Field(http, "client_id"), "<absent>");
  EXPECT_EQ(Field(http, "rpc"), "<absent>");
}

TEST(RequestIdTest, AcceptsSafeIdsAndReplacesTheRest) {
  EXPECT_EQ(RequestIdOr("test-abc-123"), "test-abc-123");
  EXPECT_EQ(RequestIdOr("0f8fad5b-d9cb-469f-a165-70867728950e"), "0f8fad5b-d9cb-469f-a165-70867728950e");
  for (std::string bad : {std::string(""), std::string("a b"), std::string("a\nb"), std::string("a\"b"),
                          std::string(kMaxRequestIdLength + 1, 'a'), std::string(10240, 'x'),
                          std::string("caf\xc3\xa9")}) {
    std::string id = RequestIdOr(bad);
    EXPECT_NE(id, bad);
    EXPECT_TRUE(std::regex_match(id, std::regex("^[0-9a-f]{32}$"))) << id;
  }
  EXPECT_TRUE(IsValidRequestId(std::string(kMaxRequestIdLength, 'a')));
  EXPECT_NE(NewRequestId(), NewRequestId());
}

TEST(JobTest, ARunIsLoggedAndCounted) {
  Capture capture(Level::kDebug);
  metrics::Job job("purge_expired", /*quiet_when_idle=*/true);
  {
    metrics::Job::Run run(job);
    EXPECT_TRUE(job.running());
    run.Progress("tokens", 5000);
    run.Progress("tokens", 12);
  }
  {
    metrics::Job::Run run(job);
    run.Fail("ledger down");
  }
  EXPECT_FALSE(job.running());
  EXPECT_EQ(job.runs(), 2u);
  EXPECT_EQ(job.failures(), 1u);
  EXPECT_EQ(job.rows(), 5012u);
  std::vector<google::protobuf::Struct> finished;
  for (const auto& line : capture.lines()) {
    auto s = Parse(line);
    if (Field(s, "msg") == "job finished") finished.push_back(s);
  }
  ASSERT_EQ(finished.size(), 2u);
  EXPECT_EQ(Field(finished[0], "level"), "info");
  EXPECT_EQ(Field(finished[0], "job"), "purge_expired");
  EXPECT_EQ(finished[0].fields().at("rows").number_value(), 5012);
  EXPECT_EQ(Field(finished[1], "outcome"), "error");

  metrics::Exposition out;
  metrics::CollectJobs(out, {&job, nullptr});
  EXPECT_NE(out.text().find("tokend_job_runs_total{job=\"purge_expired\"} 2"), std::string::npos) << out.text();
  EXPECT_NE(out.text().find("tokend_job_rows_total{job=\"purge_expired\"} 5012"), std::string::npos);
  EXPECT_NE(out.text().find("tokend_job_running{job=\"purge_expired\"} 0"), std::string::npos);
  EXPECT_NE(out.text().find("tokend_job_last_duration_seconds{job=\"purge_expired\"}"), std::string::npos);
}

TEST(JobTest, AnIdleQuietRunLogsOnlyAtDebug) {
  Capture capture(Level::kInfo);
  metrics::Job job("purge_expired", /*quiet_when_idle=*/true);
  { metrics::Job::Run run(job); }
  EXPECT_TRUE(capture.lines().empty());
  EXPECT_EQ(job.runs(), 1u);
}

}  // namespace
}  // namespace tokend::logging
