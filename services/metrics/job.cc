#include "services/metrics/job.h"

#include "services/logging/log.h"

namespace tokend::metrics {

Job::Run::Run(Job& job) : job_(job), started_(std::chrono::steady_clock::now()) {
  job_.running_.fetch_add(1, std::memory_order_relaxed);
  logging::Line(job_.quiet_when_idle_ ? logging::Level::kDebug : logging::Level::kInfo,
                "job started")
      .Str("job", job_.name_);
}

void Job::Run::Progress(absl::string_view step, uint64_t rows) {
  rows_ += rows;
  job_.rows_.Add(rows);
  logging::Debug("job progress")
      .Str("job", job_.name_)
      .Str("step", step)
      .Int("rows", static_cast<int64_t>(rows))
      .Int("total_rows", static_cast<int64_t>(rows_));
}

void Job::Run::Fail(absl::string_view why) {
  failed_ = true;
  logging::Error("job failed").Str("job", job_.name_).Str("error", why);
}

Job::Run::~Run() {
  auto elapsed = std::chrono::steady_clock::now() - started_;
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count();
  job_.last_duration_us_.store(static_cast<uint64_t>(us), std::memory_order_relaxed);
  job_.runs_.Add();
  if (failed_) job_.failures_.Add();
  job_.running_.fetch_sub(1, std::memory_order_relaxed);
  bool quiet = job_.quiet_when_idle_ && rows_ == 0 && !failed_;
  logging::Line(quiet ? logging::Level::kDebug : logging::Level::kInfo, "job finished")
      .Str("job", job_.name_)
      .Str("outcome", failed_ ? "error" : "ok")
      .Int("rows", static_cast<int64_t>(rows_))
      .Double("duration_ms", static_cast<double>(us) / 1000.0);
}

void CollectJobs(Exposition& out, std::initializer_list<const Job*> jobs) {
  struct FamilyDef {
    const char* name;
    const char* type;
    const char* help;
  };
  auto each = [&](const FamilyDef& f, auto value) {
    out.Family(f.name, f.type, f.help);
    for (const Job* job : jobs) {
      if (job != nullptr) out.Sample(f.name, {{"job", job->name()}}, value(*job));
    }
  };
  each({"tokend_job_runs_total", "counter", "Completed runs of a background job."},
       [](const Job& j) { return j.runs(); });
  each({"tokend_job_failures_total", "counter", "Runs of a background job that failed."},
       [](const Job& j) { return j.failures(); });
  each({"tokend_job_rows_total", "counter", "Rows (or steps) a background job has processed."},
       [](const Job& j) { return j.rows(); });
  each({"tokend_job_running", "gauge", "1 while a run of the job is in progress."},
       [](const Job& j) { return static_cast<uint64_t>(j.running() ? 1 : 0); });
  each({"tokend_job_last_duration_seconds", "gauge", "How long the job's last run took."},
       [](const Job& j) { return j.last_duration_seconds(); });
}

}  // namespace tokend::metrics
