// Long background jobs (migrations, the purge of expired rows, key rotation):
// each run is logged ("job started", progress at debug, "job finished" with
// outcome, rows and duration) and counted for /metrics:
//   tokend_job_runs_total{job}, tokend_job_failures_total{job},
//   tokend_job_rows_total{job}, tokend_job_running{job},
//   tokend_job_last_duration_seconds{job}.
// Recording is relaxed atomics only.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <string>

#include "absl/strings/string_view.h"
#include "services/metrics/metrics.h"

namespace tokend::metrics {

class Job {
 public:
  // Runs start and finish at info level. `quiet_when_idle` (a periodic job
  // that usually finds nothing to do): the start is at debug, and so is the
  // finish of a run that touched no rows and did not fail.
  explicit Job(std::string name, bool quiet_when_idle = false)
      : name_(std::move(name)), quiet_when_idle_(quiet_when_idle) {}
  Job(const Job&) = delete;
  Job& operator=(const Job&) = delete;

  const std::string& name() const { return name_; }

  // One run, from construction to destruction.
  class Run {
   public:
    explicit Run(Job& job);
    ~Run();
    Run(const Run&) = delete;
    Run& operator=(const Run&) = delete;

    // A step done: `rows` more rows; logged at debug with the running total.
    void Progress(absl::string_view step, uint64_t rows);
    // The run failed; `why` is logged (never a secret).
    void Fail(absl::string_view why);
    uint64_t rows() const { return rows_; }

   private:
    Job& job_;
    std::chrono::steady_clock::time_point started_;
    uint64_t rows_ = 0;
    bool failed_ = false;
  };

  // This job's samples (families written by CollectJobs).
  uint64_t runs() const { return runs_.Value(); }
  uint64_t failures() const { return failures_.Value(); }
  uint64_t rows() const { return rows_.Value(); }
  bool running() const { return running_.load(std::memory_order_relaxed) > 0; }
  double last_duration_seconds() const {
    return static_cast<double>(last_duration_us_.load(std::memory_order_relaxed)) / 1e6;
  }

 private:
  std::string name_;
  bool quiet_when_idle_;
  Counter runs_, failures_, rows_;
  std::atomic<int> running_{0};
  std::atomic<uint64_t> last_duration_us_{0};
};

// Writes the tokend_job_* families for `jobs` (null entries are skipped).
void CollectJobs(Exposition& out, std::initializer_list<const Job*> jobs);

}  // namespace tokend::metrics
