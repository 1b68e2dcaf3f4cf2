#include "tests/bench/process_stats.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace tokend::bench {

ProcessStats SampleProcess(pid_t pid) {
  ProcessStats s;
  std::string dir = "/proc/" + std::to_string(pid);
  std::ifstream status(dir + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) s.rss_kb = std::atoll(line.c_str() + 6);
    if (line.rfind("Threads:", 0) == 0) s.threads = std::atoi(line.c_str() + 8);
  }
  std::error_code ec;
  int fds = 0;
  for (std::filesystem::directory_iterator it(dir + "/fd", ec), end; !ec && it != end;
       it.increment(ec)) {
    ++fds;
  }
  if (!ec && s.rss_kb >= 0) s.open_fds = fds;
  return s;
}

}  // namespace tokend::bench
