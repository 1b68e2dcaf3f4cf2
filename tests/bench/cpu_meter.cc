#include "tests/bench/cpu_meter.h"

#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace tokend::bench {
namespace {

struct ProcStat {
  pid_t ppid = 0;
  double own = 0;       // utime + stime
  double children = 0;  // cutime + cstime: exited children it waited for
};

// /proc/<pid>/stat; false if the process is gone.
bool ReadStat(pid_t pid, ProcStat* out) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return false;
  // The command name is in parentheses and may hold spaces: parse after it.
  size_t close = line.rfind(')');
  if (close == std::string::npos) return false;
  std::istringstream rest(line.substr(close + 2));
  std::string field;
  unsigned long long v[15] = {};
  // Fields 3..17 of proc(5): state ppid pgrp session tty tpgid flags minflt
  // cminflt majflt cmajflt utime stime cutime cstime.
  rest >> field;  // state
  for (auto& x : v) rest >> x;
  double tick = static_cast<double>(sysconf(_SC_CLK_TCK));
  out->ppid = static_cast<pid_t>(v[0]);
  out->own = (v[10] + v[11]) / tick;
  out->children = (v[12] + v[13]) / tick;
  return true;
}

pid_t Postmaster(const std::string& data_dir) {
  std::ifstream in(data_dir + "/postmaster.pid");
  pid_t pid = 0;
  in >> pid;
  return pid;
}

double Seconds(const timeval& tv) { return tv.tv_sec + tv.tv_usec / 1e6; }

}  // namespace

CpuSeconds operator-(const CpuSeconds& a, const CpuSeconds& b) {
  return {a.tokend - b.tokend, a.postgres - b.postgres, a.load_generator - b.load_generator};
}

CpuSeconds CpuMeter::Now() const {
  CpuSeconds s;
  ProcStat stat;
  if (ReadStat(tokend_, &stat)) s.tokend = stat.own;
  pid_t postmaster = Postmaster(pg_data_dir_);
  if (postmaster > 0 && ReadStat(postmaster, &stat)) {
    s.postgres = stat.own + stat.children;
    for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
      pid_t pid = std::atoi(entry.path().filename().c_str());
      ProcStat child;
      if (pid > 0 && ReadStat(pid, &child) && child.ppid == postmaster) s.postgres += child.own;
    }
  }
  rusage self{}, children{};
  getrusage(RUSAGE_SELF, &self);
  getrusage(RUSAGE_CHILDREN, &children);
  s.load_generator = Seconds(self.ru_utime) + Seconds(self.ru_stime) +
                     Seconds(children.ru_utime) + Seconds(children.ru_stime);
  return s;
}

}  // namespace tokend::bench
