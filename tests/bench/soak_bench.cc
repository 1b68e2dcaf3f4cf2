// A soak run: tokend on a private, durable PostgreSQL under mixed load for
// --seconds (gRPC IssueToken client_credentials and password, Refresh chains,
// Introspect, Revoke; HTTP /oauth/token), sampling tokend's resident memory,
// threads and open file descriptors every --sample_every seconds. The verdict
// compares the end with the end of the warm-up: open fds must not grow (by
// more than --max_fd_growth), and the RSS peak of the second half of the
// samples after the warm-up may exceed that of the first half by at most
// --max_rss_growth_mb (RSS swings by tens of MiB between samples as malloc
// arenas fill and trim; a leak raises the peaks). Exits 1 when it fails.
//
//   build/tests/bench/soak_bench [--seconds=600 --warmup=60 --sample_every=10]
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "storage/postgres/local_cluster.h"
#include "tests/bench/process_stats.h"
#include "tests/bench/token_load.h"
#include "tests/testing/pg_harness.h"
#include "tests/testing/tokend_process.h"

ABSL_FLAG(int, seconds, 600, "length of the run");
ABSL_FLAG(int, warmup, 60, "seconds before the baseline sample");
ABSL_FLAG(int, sample_every, 10, "seconds between samples");
ABSL_FLAG(int, in_flight, 12, "gRPC calls in flight");
ABSL_FLAG(int, http_threads, 2, "blocking HTTP /oauth/token callers");
ABSL_FLAG(int, cache_ttl_seconds, 30, "tokend's TOKEND_CACHE_TTL_SECONDS (its default: 30)");
ABSL_FLAG(int, max_rss_growth_mb, 32, "RSS growth after the warm-up that fails the verdict");
ABSL_FLAG(int, max_fd_growth, 4, "open-fd growth after the warm-up that fails the verdict");

namespace tokend::bench {
namespace {

namespace fs = std::filesystem;

int Main(const std::string& self) {
  const int seconds = absl::GetFlag(FLAGS_seconds), warmup = absl::GetFlag(FLAGS_warmup),
            every = absl::GetFlag(FLAGS_sample_every);
  if (seconds < warmup + 2 * every || every <= 0 || warmup % every != 0) {
    std::cerr << "--seconds must exceed --warmup by two samples; --warmup a multiple of "
                 "--sample_every\n";
    return 2;
  }
  std::string dir = testing::ScratchDir("soak");
  auto cluster = testing::StartDurableCluster(dir);  // fsync on, as in production
  if (cluster == nullptr) return 1;
  setenv("TOKEND_BIN", (fs::path(self).parent_path() / "../../bin/tokend").c_str(), 0);
  auto server = std::make_unique<testing::TokendProcess>(testing::TokendOptions{
      .database_url = cluster->Dsn(),
      .data_dir = dir + "/tokend",
      .env = {{"TOKEND_CACHE_TTL_SECONDS", std::to_string(absl::GetFlag(FLAGS_cache_ttl_seconds))}}});
  if (!server->Start()) return 1;
  v1::Client c;
  c.add_grant_types("client_credentials");
  c.add_grant_types("password");
  c.add_grant_types("refresh_token");
  c.set_max_user_sessions(0);
  auto [id, secret] = server->CreateClient(c);
  server->CreateUser("soak-user", "soak-password");

  TokenLoadOptions o;
  o.grpc_addr = server->grpc_addr();
  o.http_addr = server->http_addr();
  o.client_id = id;
  o.client_secret = secret;
  o.username = "soak-user";
  o.password = "soak-password";
  o.grpc_ops = {Op::kIssue, Op::kPassword, Op::kRefresh, Op::kIntrospect, Op::kRevoke, Op::kIssue};
  o.grpc_in_flight = absl::GetFlag(FLAGS_in_flight);
  o.http_threads = absl::GetFlag(FLAGS_http_threads);
  o.deadline = std::chrono::milliseconds(5000);
  o.keep_records = false;
  TokenLoad load(o);

  std::printf("soak: %d s (warm-up %d s), %d gRPC calls in flight (issue, password, refresh, "
              "introspect, revoke, issue) + %d HTTP /oauth/token callers; %u cores; tokend "
              "TOKEND_CACHE_TTL_SECONDS=%d\n\n",
              seconds, warmup, o.grpc_in_flight, o.http_threads, std::thread::hardware_concurrency(),
              absl::GetFlag(FLAGS_cache_ttl_seconds));
  std::printf("| %6s | %8s | %7s | %8s | %10s | %8s |\n", "t (s)", "RSS MiB", "threads", "open fds",
              "calls/s", "errors");
  std::printf("|-------:|---------:|--------:|---------:|-----------:|---------:|\n");
  auto print = [](int t, const ProcessStats& s, double rate, uint64_t errors) {
    std::printf("| %6d | %8.1f | %7d | %8d | %10.0f | %8llu |\n", t, s.rss_kb / 1024.0, s.threads,
                s.open_fds, rate, static_cast<unsigned long long>(errors));
    std::fflush(stdout);
  };
  print(0, SampleProcess(server->pid()), 0, 0);
  auto begin = Clock::now();
  load.Start();
  ProcessStats base, last;
  std::vector<int64_t> rss_after_warmup;
  uint64_t prev_calls = 0;
  for (int t = every; t <= seconds; t += every) {
    std::this_thread::sleep_until(begin + std::chrono::seconds(t));
    last = SampleProcess(server->pid());
    uint64_t calls = load.ok() + load.failed();
    print(t, last, static_cast<double>(calls - prev_calls) / every, load.failed());
    prev_calls = calls;
    if (t == warmup) base = last;
    if (t > warmup) rss_after_warmup.push_back(last.rss_kb);
    if (last.rss_kb < 0) break;  // tokend is gone
  }
  load.Stop();
  double elapsed = std::chrono::duration<double>(Clock::now() - begin).count();
  server->Stop();

  size_t half = rss_after_warmup.size() / 2;
  int64_t first_peak = *std::max_element(rss_after_warmup.begin(), rss_after_warmup.begin() + half);
  int64_t second_peak = *std::max_element(rss_after_warmup.begin() + half, rss_after_warmup.end());
  double rss_growth_mb = (second_peak - first_peak) / 1024.0;
  int fd_growth = last.open_fds - base.open_fds;
  bool ok = last.rss_kb >= 0 && rss_growth_mb <= absl::GetFlag(FLAGS_max_rss_growth_mb) &&
            fd_growth <= absl::GetFlag(FLAGS_max_fd_growth);
  std::printf("\ncalls: %llu ok, %llu failed (%.0f ok/s overall)",
              static_cast<unsigned long long>(load.ok()),
              static_cast<unsigned long long>(load.failed()), load.ok() / elapsed);
  auto failures = load.Failures();
  if (!failures.empty()) std::printf(" {%s}", absl::StrJoin(failures, ", ", absl::PairFormatter("=")).c_str());
  std::printf("\nafter warm-up (t=%d s) -> end (t=%d s): RSS %.1f -> %.1f MiB; RSS peak, first -> "
              "second half after warm-up: %.1f -> %.1f MiB (%+.1f MiB, bound %d); open fds %d -> %d "
              "(%+d, bound %d); threads %d -> %d\nverdict: %s\n",
              warmup, seconds, base.rss_kb / 1024.0, last.rss_kb / 1024.0, first_peak / 1024.0,
              second_peak / 1024.0, rss_growth_mb, absl::GetFlag(FLAGS_max_rss_growth_mb),
              base.open_fds, last.open_fds, fd_growth,
              absl::GetFlag(FLAGS_max_fd_growth), base.threads, last.threads,
              ok ? "flat (PASS)" : "GROWING (FAIL)");
  server.reset();
  cluster.reset();
  std::error_code ec;
  fs::remove_all(dir, ec);
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace tokend::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return tokend::bench::Main(std::filesystem::canonical("/proc/self/exe").string());
}
