// A closed-loop gRPC load generator on the callback API: `concurrency` calls
// always in flight for `seconds`, recording each latency.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace tokend::bench {

struct LoadResult {
  double calls_per_second = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  uint64_t calls = 0;
  uint64_t errors = 0;
};

// Starts one call for loop `loop`; must invoke `done(ok)` exactly once, from
// any thread, when the call completes.
using StartCall = std::function<void(int loop, std::function<void(bool ok)> done)>;

LoadResult RunClosedLoop(int concurrency, std::chrono::seconds duration, const StartCall& start);

// The same, for as long as `running()` answers true (asked after each call;
// must be cheap and thread-safe); returns when every loop has stopped.
LoadResult RunClosedLoopWhile(int concurrency, std::function<bool()> running,
                              const StartCall& start);

// Median of several runs, field by field.
LoadResult Median(std::vector<LoadResult> runs);

std::string FormatRow(const std::string& name, const LoadResult& r);

}  // namespace tokend::bench
