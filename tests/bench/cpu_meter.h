// CPU time spent by the processes of a benchmark run: tokend, its PostgreSQL
// (the postmaster and its backends) and this load generator (with the
// children it waited for, such as wrk). On a shared, noisy machine the rate
// of a run moves with the neighbours, but the CPU each call costs moves much
// less, so per-call CPU is what compares two code paths (opaque vs JWT,
// gRPC vs HTTP) most reliably.
#pragma once

#include <sys/types.h>

#include <string>

namespace tokend::bench {

struct CpuSeconds {
  double tokend = 0;
  double postgres = 0;
  double load_generator = 0;
};

CpuSeconds operator-(const CpuSeconds& a, const CpuSeconds& b);

class CpuMeter {
 public:
  // `pg_data_dir` holds postmaster.pid, which names the postmaster.
  CpuMeter(pid_t tokend, std::string pg_data_dir)
      : tokend_(tokend), pg_data_dir_(std::move(pg_data_dir)) {}

  // CPU consumed so far (user + system, all threads).
  CpuSeconds Now() const;

 private:
  pid_t tokend_;
  std::string pg_data_dir_;
};

}  // namespace tokend::bench
