// Concurrent token traffic against a running tokend that records what it was
// told: every acknowledged token and every failed call (code, latency). The
// load of the fault tests (tests/e2e/faults_e2etest.cc) and of the soak
// benchmark; the gRPC part runs on RunClosedLoopWhile, the HTTP part on
// blocking threads (POST /oauth/token, client_credentials).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tests/bench/load_generator.h"

namespace tokend::bench {

using Clock = std::chrono::steady_clock;

// What one gRPC loop does on each call.
enum class Op {
  kIssue,       // IssueToken client_credentials
  kPassword,    // IssueToken password grant (access + refresh token)
  kRefresh,     // walks its own refresh chain; logs in again when it breaks
  kIntrospect,  // a recently issued token
  kRevoke,      // a recently issued token
};

struct TokenLoadOptions {
  std::string grpc_addr;
  std::string http_addr;  // host:port
  std::string client_id, client_secret;
  std::string username, password;  // for kPassword and kRefresh
  std::vector<Op> grpc_ops = {Op::kIssue};  // loop i runs grpc_ops[i % size]
  int grpc_in_flight = 12;
  int http_threads = 2;
  std::chrono::milliseconds deadline{2000};  // per call, gRPC and HTTP
  // A loop whose call failed waits this long before its next one (a client's
  // back-off; keeps a fast-failing server from being hammered in a spin).
  std::chrono::milliseconds pause_after_failure{10};
  // Keep every acknowledged token and every call record (off for long runs,
  // which keep only the counters).
  bool keep_records = true;
};

// The calls that ended within a time window.
struct CallWindow {
  uint64_t ok = 0;
  uint64_t failed = 0;
  double max_ms = 0;  // of any call
  double median_failure_ms = 0;
  double max_failure_ms = 0;
  std::map<std::string, uint64_t> failures;  // by kind, see TokenLoad::Failures
};

class TokenLoad {
 public:
  explicit TokenLoad(TokenLoadOptions options);
  ~TokenLoad();  // Stop()

  void Start();
  // Stops starting calls and returns when every call in flight has ended.
  void Stop();

  uint64_t ok() const { return ok_.load(); }
  uint64_t failed() const { return failed_.load(); }
  // Failed calls by kind: "grpc <CODE> [oauth error]", "http <status> <oauth
  // error>", "http no answer".
  std::map<std::string, uint64_t> Failures() const;
  // Every acknowledged access and refresh token (keep_records).
  std::vector<std::string> Tokens() const;
  // The calls that ended in [from, to) (keep_records).
  CallWindow Between(Clock::time_point from, Clock::time_point to) const;
  // When the first call started at or after `t` succeeded; nullopt if none has.
  std::optional<Clock::time_point> FirstSuccessStartedAfter(Clock::time_point t) const;

 private:
  struct CallRecord {
    Clock::time_point start, end;
    int kind;  // -1 success, else an index into kinds_
  };
  class Delayer;
  struct Grpc;

  void StartCall(int loop, std::function<void(bool)> done);
  // Records one ended call: success when `failure` is empty.
  void Record(Clock::time_point start, const std::string& failure,
              std::vector<std::string> tokens);
  void HttpLoop();
  void Remember(const std::string& access_token);
  std::string Recent(bool take);

  TokenLoadOptions options_;
  std::unique_ptr<Grpc> grpc_;
  std::unique_ptr<Delayer> delayer_;
  std::atomic<bool> running_{false};
  std::thread grpc_thread_;
  std::vector<std::thread> http_threads_;
  std::atomic<uint64_t> ok_{0}, failed_{0};

  mutable std::mutex mu_;
  std::vector<std::string> kinds_;
  std::map<std::string, uint64_t> failures_;
  std::vector<std::string> tokens_;
  std::vector<CallRecord> records_;
  std::vector<std::string> recent_;  // a ring of live access tokens
  size_t recent_next_ = 0;
  std::vector<std::string> refresh_;  // per loop: its refresh chain's head
};

}  // namespace tokend::bench
