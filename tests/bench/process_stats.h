// What /proc says about a running process: resident memory, threads, open
// file descriptors. For the soak benchmark and the fault tests, which watch
// tokend for growth.
#pragma once

#include <sys/types.h>

#include <cstdint>

namespace tokend::bench {

struct ProcessStats {
  int64_t rss_kb = -1;  // VmRSS; -1 when the process is gone
  int threads = -1;
  int open_fds = -1;
};

ProcessStats SampleProcess(pid_t pid);

}  // namespace tokend::bench
