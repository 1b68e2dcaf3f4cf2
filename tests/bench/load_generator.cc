#include "tests/bench/load_generator.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>

#include "absl/strings/str_format.h"

namespace tokend::bench {
namespace {

using Clock = std::chrono::steady_clock;

double Percentile(std::vector<uint32_t>& v, double q) {
  if (v.empty()) return 0;
  size_t i = std::min(v.size() - 1, static_cast<size_t>(q * v.size()));
  std::nth_element(v.begin(), v.begin() + i, v.end());
  return v[i] / 1000.0;
}

struct Run {
  std::function<bool()> running;
  std::vector<std::vector<uint32_t>> latencies_us;  // one vector per loop
  std::atomic<uint64_t> errors{0};
  std::atomic<int> active{0};
  std::mutex mu;
  std::condition_variable cv;
};

void Launch(const std::shared_ptr<Run>& run, const StartCall& start, int loop) {
  auto t0 = Clock::now();
  start(loop, [run, &start, loop, t0](bool ok) {
    auto now = Clock::now();
    if (!ok) run->errors++;
    run->latencies_us[loop].push_back(static_cast<uint32_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(now - t0).count()));
    if (run->running()) {
      Launch(run, start, loop);
    } else if (--run->active == 0) {
      std::lock_guard lock(run->mu);
      run->cv.notify_all();
    }
  });
}

}  // namespace

LoadResult RunClosedLoop(int concurrency, std::chrono::seconds duration, const StartCall& start) {
  auto end = Clock::now() + duration;
  return RunClosedLoopWhile(concurrency, [end] { return Clock::now() < end; }, start);
}

LoadResult RunClosedLoopWhile(int concurrency, std::function<bool()> running,
                              const StartCall& start) {
  auto run = std::make_shared<Run>();
  run->latencies_us.resize(concurrency);
  for (auto& v : run->latencies_us) v.reserve(1 << 16);
  auto begin = Clock::now();
  run->running = std::move(running);
  run->active = concurrency;
  for (int i = 0; i < concurrency; ++i) Launch(run, start, i);
  {
    std::unique_lock lock(run->mu);
    run->cv.wait(lock, [&] { return run->active.load() == 0; });
  }
  double elapsed = std::chrono::duration<double>(Clock::now() - begin).count();
  std::vector<uint32_t> all;
  for (auto& v : run->latencies_us) all.insert(all.end(), v.begin(), v.end());
  LoadResult r;
  r.calls = all.size();
  r.errors = run->errors;
  r.calls_per_second = (r.calls - r.errors) / elapsed;
  r.p50_ms = Percentile(all, 0.50);
  r.p99_ms = Percentile(all, 0.99);
  return r;
}

LoadResult Median(std::vector<LoadResult> runs) {
  auto med = [&](auto field) {
    std::vector<double> v;
    for (auto& r : runs) v.push_back(static_cast<double>(r.*field));
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  LoadResult r;
  r.calls_per_second = med(&LoadResult::calls_per_second);
  r.p50_ms = med(&LoadResult::p50_ms);
  r.p99_ms = med(&LoadResult::p99_ms);
  r.calls = static_cast<uint64_t>(med(&LoadResult::calls));
  r.errors = static_cast<uint64_t>(med(&LoadResult::errors));
  return r;
}

std::string FormatRow(const std::string& name, const LoadResult& r) {
  return absl::StrFormat("| %-44s | %10.0f | %7.2f | %7.2f | %6d |", name, r.calls_per_second,
                         r.p50_ms, r.p99_ms, static_cast<int>(r.errors));
}

}  // namespace tokend::bench
