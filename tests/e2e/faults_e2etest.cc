// Faults under load: while 12 gRPC IssueToken calls (client_credentials, each
// with a deadline) and 2 HTTP /oauth/token callers are in flight, PostgreSQL
// is killed, slowed by a table lock, or runs out of disk, and tokend itself is
// sent SIGTERM or SIGKILL. Every case checks that failures are clean and fast
// (UNAVAILABLE / HTTP 503 temporarily_unavailable, or the caller's own
// deadline), that tokend recovers by itself, and that every acknowledged token
// is in the ledger (by its SHA-256 digest, and by Introspect for a sample).
#include <fcntl.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <pqxx/pqxx>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "storage/postgres/local_cluster.h"
#include "storage/postgres/migrator.h"
#include "tests/bench/process_stats.h"
#include "tests/bench/token_load.h"
#include "tests/testing/ledger_check.h"
#include "tests/testing/pg_harness.h"
#include "tests/testing/tokend_process.h"
#include "tokend_client.h"

namespace tokend::testing {
namespace {

using bench::Clock;
using bench::TokenLoad;
using std::chrono::milliseconds;
using std::chrono::seconds;

// The disk-full case mounts a small tmpfs. A private mount namespace keeps it
// invisible to the rest of the machine and gone when the test ends; it must be
// entered before any thread starts, hence at static initialisation.
const bool kPrivateMounts = [] {
  return unshare(CLONE_NEWNS) == 0 && mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0;
}();

const std::set<std::string> kUnavailable = {"grpc UNAVAILABLE temporarily_unavailable",
                                            "http 503 temporarily_unavailable"};

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

std::string Kinds(const std::map<std::string, uint64_t>& failures) {
  return absl::StrJoin(failures, ", ", absl::PairFormatter("="));
}

// Failure kinds outside `allowed`.
std::vector<std::string> Unexpected(const std::map<std::string, uint64_t>& failures,
                                    const std::set<std::string>& allowed) {
  std::vector<std::string> out;
  for (const auto& [kind, n] : failures) {
    if (!allowed.count(kind)) out.push_back(absl::StrCat(kind, " x", n));
  }
  return out;
}

class FaultTest : public ::testing::Test {
 protected:
  // Starts tokend on `dsn` with a client; returns false if it did not start.
  bool Serve(const std::string& dsn, std::map<std::string, std::string> env = {}) {
    dsn_ = dsn;
    server_ = std::make_unique<TokendProcess>(TokendOptions{.database_url = dsn, .env = env});
    if (!server_->Start()) return false;
    v1::Client c;
    c.add_grant_types("client_credentials");
    creds_ = server_->CreateClient(c);
    return !creds_.first.empty();
  }

  std::unique_ptr<TokenLoad> Load(milliseconds deadline) {
    bench::TokenLoadOptions o;
    o.grpc_addr = server_->grpc_addr();
    o.http_addr = server_->http_addr();
    o.client_id = creds_.first;
    o.client_secret = creds_.second;
    o.deadline = deadline;
    return std::make_unique<TokenLoad>(o);
  }

  // Every acknowledged token is in the ledger, and a sample introspects
  // active through `server` (tokend's own view of the ledger).
  void ExpectNoneLost(const std::string& name, const TokenLoad& load, const TokendProcess& server) {
    auto tokens = load.Tokens();
    size_t found = CountInLedger(dsn_, tokens);
    std::printf("[faults] %s: acknowledged=%zu found=%zu missing=%zu ok=%llu failed=%llu {%s}\n",
                name.c_str(), tokens.size(), found, tokens.size() - found,
                static_cast<unsigned long long>(load.ok()),
                static_cast<unsigned long long>(load.failed()), Kinds(load.Failures()).c_str());
    EXPECT_GT(tokens.size(), 50u) << "the load acknowledged too little to prove anything";
    EXPECT_EQ(found, tokens.size()) << "acknowledged tokens missing from the ledger";
    auto stub = server.TokenStub();
    int inactive = 0;
    for (size_t i = 0; i < tokens.size(); i += std::max<size_t>(1, tokens.size() / 25)) {
      grpc::ClientContext ctx;
      client::AddClientAuth(&ctx, creds_.first, creds_.second);
      ctx.set_deadline(std::chrono::system_clock::now() + seconds(10));
      v1::IntrospectRequest req;
      req.set_token(tokens[i]);
      v1::IntrospectResponse info;
      grpc::Status st = stub->Introspect(&ctx, req, &info);
      EXPECT_TRUE(st.ok()) << st.error_message();
      inactive += !info.active();
    }
    EXPECT_EQ(inactive, 0) << "acknowledged tokens introspect inactive";
  }

  // How long after `from` the first call started after it succeeded (waits
  // up to `bound` for one).
  std::optional<double> RecoveryMs(const TokenLoad& load, Clock::time_point from, seconds bound) {
    while (Clock::now() - from < bound) {
      if (auto t = load.FirstSuccessStartedAfter(from)) return Ms(*t - from);
      std::this_thread::sleep_for(milliseconds(50));
    }
    return std::nullopt;
  }

  std::string dsn_;
  std::unique_ptr<TokendProcess> server_;
  std::pair<std::string, std::string> creds_;
};

// 1. PostgreSQL killed (pg_ctl stop -m immediate: every backend gets SIGQUIT
// and exits without a checkpoint, as in a crash) and restarted under load.
TEST_F(FaultTest, PostgresKilledAndRestartedUnderLoad) {
  ASSERT_TRUE(Serve(FreshDatabase("pgkill")));
  auto load = Load(milliseconds(2000));
  load->Start();
  std::this_thread::sleep_for(seconds(2));
  ASSERT_TRUE(Cluster().StopServer("immediate").ok());
  auto down = Clock::now();
  std::this_thread::sleep_for(seconds(4));
  auto window = load->Between(down, Clock::now());
  EXPECT_EQ(kill(server_->pid(), 0), 0) << "tokend must stay up while PostgreSQL is down";
  ASSERT_TRUE(Cluster().StartServer().ok());
  auto up = Clock::now();
  auto recovery = RecoveryMs(*load, up, seconds(15));
  std::this_thread::sleep_for(seconds(1));
  load->Stop();

  std::printf("[faults] pg_killed: while down: failed=%llu ok=%llu median=%.1f ms max=%.1f ms {%s}; "
              "recovered %.0f ms after restart\n",
              static_cast<unsigned long long>(window.failed), static_cast<unsigned long long>(window.ok),
              window.median_failure_ms, window.max_failure_ms, Kinds(window.failures).c_str(),
              recovery.value_or(-1));
  EXPECT_GT(window.failed, 20u);
  EXPECT_EQ(window.ok, 0u);
  EXPECT_LT(window.max_failure_ms, 2000) << "failures must be fast, not wait out the deadline";
  EXPECT_LT(window.median_failure_ms, 100);
  EXPECT_TRUE(Unexpected(window.failures, kUnavailable).empty())
      << absl::StrJoin(Unexpected(window.failures, kUnavailable), "; ");
  ASSERT_TRUE(recovery.has_value()) << "tokend did not recover after PostgreSQL came back";
  EXPECT_LT(*recovery, 10000);
  ExpectNoneLost("pg_killed", *load, *server_);
}

// 2. PostgreSQL slow: another session holds ACCESS EXCLUSIVE on the tokens
// table for 5 s while calls carry a 300 ms deadline.
TEST_F(FaultTest, TokensTableLockedCallsMeetTheirDeadlinesWithoutPilingUp) {
  ASSERT_TRUE(Serve(FreshDatabase("pglock")));
  const milliseconds deadline(300);
  auto load = Load(deadline);
  load->Start();
  std::this_thread::sleep_for(seconds(2));
  bench::ProcessStats before = bench::SampleProcess(server_->pid()), worst = before;

  pqxx::connection locker(dsn_);
  auto tx = std::make_unique<pqxx::work>(locker);
  tx->exec("LOCK TABLE tokens IN ACCESS EXCLUSIVE MODE");
  auto locked = Clock::now();
  while (Clock::now() - locked < seconds(5)) {
    std::this_thread::sleep_for(milliseconds(250));
    auto s = bench::SampleProcess(server_->pid());
    worst.threads = std::max(worst.threads, s.threads);
    worst.rss_kb = std::max(worst.rss_kb, s.rss_kb);
    worst.open_fds = std::max(worst.open_fds, s.open_fds);
  }
  auto window = load->Between(locked + deadline + milliseconds(100), Clock::now());
  tx->abort();
  auto released = Clock::now();
  auto recovery = RecoveryMs(*load, released, seconds(15));
  std::this_thread::sleep_for(seconds(1));
  load->Stop();
  std::this_thread::sleep_for(milliseconds(500));
  bench::ProcessStats after = bench::SampleProcess(server_->pid());

  std::printf("[faults] pg_locked: while locked: failed=%llu ok=%llu median=%.1f ms max=%.1f ms {%s}; "
              "threads %d -> %d, rss %lld -> %lld kB, fds %d -> %d -> %d after; recovered %.0f ms "
              "after release\n",
              static_cast<unsigned long long>(window.failed), static_cast<unsigned long long>(window.ok),
              window.median_failure_ms, window.max_failure_ms, Kinds(window.failures).c_str(),
              before.threads, worst.threads, static_cast<long long>(before.rss_kb),
              static_cast<long long>(worst.rss_kb), before.open_fds, worst.open_fds,
              after.open_fds, recovery.value_or(-1));
  EXPECT_GT(window.failed, 20u);
  EXPECT_EQ(window.ok, 0u);
  // gRPC calls end at their deadline; HTTP callers give up at theirs too.
  EXPECT_LT(window.max_ms, Ms(deadline) + 500) << "a call outlived its deadline";
  std::set<std::string> clean = kUnavailable;
  clean.insert({"grpc DEADLINE_EXCEEDED", "http no answer"});
  EXPECT_TRUE(Unexpected(window.failures, clean).empty())
      << absl::StrJoin(Unexpected(window.failures, clean), "; ");
  // No pile-up: tokend's threads are a fixed pool, its memory does not balloon.
  EXPECT_LE(worst.threads, before.threads + 4);
  EXPECT_LT(worst.rss_kb, before.rss_kb + 64 * 1024);
  // An HTTP caller that gave up leaves its connection open until tokend
  // answers (at the latest at the ledger's 5 s statement timeout): at most
  // 2 callers x 5 s / 300 ms of them, all closed once the lock is gone.
  EXPECT_LE(worst.open_fds, before.open_fds + 2 * 5000 / 300 + 16);
  EXPECT_LE(after.open_fds, before.open_fds + 4) << "connections leaked";
  ASSERT_TRUE(recovery.has_value()) << "calls did not succeed after the lock was released";
  EXPECT_LT(*recovery, 3000);
  ExpectNoneLost("pg_locked", *load, *server_);
}

// 3. The data directory's file system full: a dedicated cluster whose data
// directory is a 96 MB tmpfs (pg_wal on the ordinary disk, so PostgreSQL keeps
// running and fails each write that needs a new page with ENOSPC), filled by
// a filler file under load, then freed.
TEST_F(FaultTest, DataDirectoryDiskFullThenFreed) {
  ASSERT_TRUE(kPrivateMounts) << "unshare(CLONE_NEWNS) failed: this test needs root";
  std::string dir = ScratchDir("diskfull");
  std::string data = dir + "/postgres/data";
  std::filesystem::create_directories(data);
  struct passwd* pg = getpwnam("postgres");
  ASSERT_NE(pg, nullptr);
  std::string opts = absl::StrCat("size=96m,mode=0700,uid=", pg->pw_uid, ",gid=", pg->pw_gid);
  ASSERT_EQ(mount("tmpfs", data.c_str(), "tmpfs", 0, opts.c_str()), 0) << std::strerror(errno);
  std::unique_ptr<storage::pg::LocalCluster> cluster;
  {
    storage::pg::LocalCluster::Options o;
    o.dir = dir;
    o.wal_dir = dir + "/postgres/wal";
    o.fsync = false;
    auto started = storage::pg::LocalCluster::Start(o);
    ASSERT_TRUE(started.ok()) << started.status();
    cluster = *std::move(started);
  }
  ASSERT_TRUE(storage::pg::Migrate(cluster->Dsn()).ok());
  ASSERT_TRUE(Serve(cluster->Dsn()));
  auto load = Load(milliseconds(2000));
  load->Start();
  std::this_thread::sleep_for(seconds(2));

  std::string filler = data + "/filler";
  int fd = open(filler.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ASSERT_GE(fd, 0);
  std::string chunk(1 << 16, '\0');
  size_t filled = 0;
  for (size_t size = chunk.size(); size >= 4096;) {
    ssize_t n = write(fd, chunk.data(), size);
    if (n > 0) filled += n;
    if (n < static_cast<ssize_t>(size)) size /= 2;
  }
  close(fd);
  auto full = Clock::now();
  std::this_thread::sleep_for(seconds(4));
  // Pages already extended take rows for a moment; then every write fails.
  auto window = load->Between(full + seconds(1), Clock::now());
  EXPECT_EQ(kill(server_->pid(), 0), 0) << "tokend must stay up on a full disk";
  ASSERT_EQ(unlink(filler.c_str()), 0);
  auto freed = Clock::now();
  auto recovery = RecoveryMs(*load, freed, seconds(15));
  std::this_thread::sleep_for(seconds(1));
  load->Stop();

  std::printf("[faults] disk_full: filler %zu MB; while full: failed=%llu ok=%llu median=%.1f ms "
              "max=%.1f ms {%s}; recovered %.0f ms after freeing\n",
              filled >> 20, static_cast<unsigned long long>(window.failed),
              static_cast<unsigned long long>(window.ok), window.median_failure_ms,
              window.max_failure_ms, Kinds(window.failures).c_str(), recovery.value_or(-1));
  EXPECT_GT(window.failed, 20u);
  EXPECT_TRUE(Unexpected(window.failures, kUnavailable).empty())
      << "a full disk must answer 503/UNAVAILABLE, never 500/INTERNAL: "
      << absl::StrJoin(Unexpected(window.failures, kUnavailable), "; ");
  EXPECT_LT(window.max_failure_ms, 2000);
  ASSERT_TRUE(recovery.has_value()) << "tokend did not recover after space was freed";
  EXPECT_LT(*recovery, 5000);
  ExpectNoneLost("disk_full", *load, *server_);
  server_->Stop();
  cluster.reset();
  umount2(data.c_str(), MNT_DETACH);
}

// 4a. tokend sent SIGTERM mid-load: it drains and exits 0 within its grace
// period (TOKEND_DRAIN_TIMEOUT_SECONDS=5 in the harness); a new tokend on the
// same ledger serves, and knows every token the old one acknowledged.
TEST_F(FaultTest, TokendSigtermMidLoadDrainsAndLosesNothing) {
  ASSERT_TRUE(Serve(FreshDatabase("sigterm")));
  auto load = Load(milliseconds(2000));
  load->Start();
  std::this_thread::sleep_for(seconds(2));
  auto signalled = Clock::now();
  int status = server_->Stop(SIGTERM);
  double took = Ms(Clock::now() - signalled);
  std::this_thread::sleep_for(milliseconds(500));  // callers now find no server
  load->Stop();
  auto after = load->Between(signalled, Clock::now());
  std::printf("[faults] sigterm: exited in %.0f ms (status %d); after the signal: ok=%llu "
              "failed=%llu max=%.1f ms {%s}\n",
              took, status, static_cast<unsigned long long>(after.ok),
              static_cast<unsigned long long>(after.failed), after.max_ms,
              Kinds(after.failures).c_str());
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
  EXPECT_LT(took, 7000) << "beyond the 5 s drain period";
  EXPECT_LT(after.max_ms, 2500);
  // Refused calls: UNAVAILABLE (no listener, GOAWAY) or no HTTP answer. gRPC
  // cancels the few calls that reached the server but had not been started
  // when it began shutting down (CANCELLED); none of them was acknowledged.
  std::set<std::string> clean = kUnavailable;
  clean.insert({"grpc UNAVAILABLE", "grpc CANCELLED", "http no answer"});
  EXPECT_TRUE(Unexpected(after.failures, clean).empty())
      << absl::StrJoin(Unexpected(after.failures, clean), "; ");
  TokendProcess next({.database_url = dsn_});
  ASSERT_TRUE(next.Start());
  ExpectNoneLost("sigterm", *load, next);
}

// 4b. SIGKILL: nothing drains, yet every token acknowledged before the kill is
// in the ledger (tokens are acknowledged only after their group COMMIT).
TEST_F(FaultTest, TokendSigkillMidLoadLosesNoAcknowledgedToken) {
  ASSERT_TRUE(Serve(FreshDatabase("sigkill")));
  auto load = Load(milliseconds(2000));
  load->Start();
  std::this_thread::sleep_for(seconds(2));
  int status = server_->Stop(SIGKILL);
  std::this_thread::sleep_for(milliseconds(500));
  load->Stop();
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "status " << status;
  TokendProcess next({.database_url = dsn_});
  ASSERT_TRUE(next.Start());
  ExpectNoneLost("sigkill", *load, next);
}

}  // namespace
}  // namespace tokend::testing
