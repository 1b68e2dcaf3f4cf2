// tokend's gRPC benchmark and its two ceilings, measured in one run on this
// machine with server, PostgreSQL (synchronous_commit on, fsync on) and load
// generator together:
//   1. pgbench inserting one ledger-shaped row per transaction (1 and 64 clients)
//   2. an empty gRPC call (a generic server answering at once, in a child process)
//   3. `openssl speed` ES256 sign/verify (the JWT ceiling)
//   4. tokend: IssueToken (client_credentials, opaque and JWT), Introspect
//      (opaque and JWT), Refresh
// Each figure is the median of --runs runs of --seconds each.
//
//   build/tests/bench/grpc_bench [--seconds=5 --runs=3 --concurrency=64]
#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "services/common/serving_process.h"
#include "storage/postgres/local_cluster.h"
#include "tests/bench/cpu_meter.h"
#include "tests/bench/load_generator.h"
#include "tests/testing/pg_harness.h"
#include "tests/testing/tokend_process.h"
#include "tokend_client.h"

ABSL_FLAG(int, seconds, 5, "seconds per run");
ABSL_FLAG(int, warmup, 1, "unmeasured seconds of load before each figure's runs");
ABSL_FLAG(int, runs, 3, "runs per figure (the median is reported)");
ABSL_FLAG(int, concurrency, 64, "calls in flight");
ABSL_FLAG(int, connections, 1, "client connections the calls are spread over");
ABSL_FLAG(std::vector<std::string>, phases,
          std::vector<std::string>({"pgbench", "empty", "issue", "jwt_issue", "introspect",
                                    "jwt_introspect", "refresh", "http_token", "http_introspect"}),
          "which figures to measure");
ABSL_FLAG(std::string, serve_empty, "", "internal: serve the empty gRPC method on this address");

namespace tokend::bench {
namespace {

namespace fs = std::filesystem;
using testing::TokendProcess;

// The empty-call ceiling: a callback generic service that answers every
// method at once with an empty message.
class EmptyService : public grpc::CallbackGenericService {
  grpc::ServerGenericBidiReactor* CreateReactor(grpc::GenericCallbackServerContext*) override {
    class Reactor : public grpc::ServerGenericBidiReactor {
     public:
      Reactor() { StartRead(&request_); }
      void OnReadDone(bool ok) override {
        if (!ok) {
          Finish(grpc::Status::OK);
          return;
        }
        grpc::Slice empty("");
        response_ = grpc::ByteBuffer(&empty, 1);
        StartWriteAndFinish(&response_, grpc::WriteOptions(), grpc::Status::OK);
      }
      void OnDone() override { delete this; }

     private:
      grpc::ByteBuffer request_, response_;
    };
    return new Reactor;
  }
};

int ServeEmpty(const std::string& addr) {
  EmptyService service;
  grpc::ServerBuilder b;
  b.AddListeningPort(addr, grpc::InsecureServerCredentials());
  b.RegisterCallbackGenericService(&service);
  auto server = b.BuildAndStart();
  server->Wait();
  return 0;
}

bool Wanted(const std::string& phase) {
  auto phases = absl::GetFlag(FLAGS_phases);
  return std::find(phases.begin(), phases.end(), phase) != phases.end();
}

// CPU per call of each tokend phase, over all its runs (see cpu_meter.h).
const CpuMeter* cpu_meter = nullptr;
std::vector<std::pair<std::string, CpuSeconds>> cpu_per_call;

// Runs before each tokend phase (see Main).
std::function<void()> settle_ledger = [] {};

// Seconds of the run under way: --warmup while warming up, else --seconds.
bool warming_up = false;
int RunSeconds() { return absl::GetFlag(warming_up ? FLAGS_warmup : FLAGS_seconds); }

LoadResult Repeat(const std::string& phase, const std::function<LoadResult()>& once) {
  if (!Wanted(phase)) return {};
  settle_ledger();
  // An unmeasured run first: the first calls of a phase open pool
  // connections, fill caches and grow heaps, which is start-up, not load.
  if (absl::GetFlag(FLAGS_warmup) > 0) {
    warming_up = true;
    once();
    warming_up = false;
  }
  CpuSeconds before = cpu_meter ? cpu_meter->Now() : CpuSeconds{};
  std::vector<LoadResult> runs;
  uint64_t calls = 0;
  for (int i = 0; i < absl::GetFlag(FLAGS_runs); ++i) {
    runs.push_back(once());
    calls += runs.back().calls;
  }
  if (cpu_meter != nullptr && calls > 0) {
    CpuSeconds used = cpu_meter->Now() - before;
    double us = 1e6 / static_cast<double>(calls);
    cpu_per_call.emplace_back(phase, CpuSeconds{used.tokend * us, used.postgres * us,
                                                used.load_generator * us});
  }
  return Median(runs);
}

std::chrono::seconds Duration() { return std::chrono::seconds(RunSeconds()); }

LoadResult EmptyCallCeiling(const std::string& self) {
  if (!Wanted("empty")) return {};
  std::string addr = absl::StrCat("127.0.0.1:", testing::FreePort());
  pid_t child = fork();
  if (child == 0) {
    execl(self.c_str(), self.c_str(), ("--serve_empty=" + addr).c_str(), nullptr);
    _exit(127);
  }
  auto channel = grpc::CreateChannel(addr, grpc::InsecureChannelCredentials());
  channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(10));
  grpc::GenericStub stub(channel);
  grpc::Slice empty("");
  grpc::ByteBuffer request(&empty, 1);
  auto result = Repeat("empty", [&] {
    return RunClosedLoop(absl::GetFlag(FLAGS_concurrency), Duration(), [&](int, auto done) {
      auto* ctx = new grpc::ClientContext;
      auto* resp = new grpc::ByteBuffer;
      stub.UnaryCall(ctx, "/bench.Empty/Call", grpc::StubOptions(), &request, resp,
                     [ctx, resp, done](grpc::Status st) {
                       delete ctx;
                       delete resp;
                       done(st.ok());
                     });
    });
  });
  kill(child, SIGTERM);
  waitpid(child, nullptr, 0);
  return result;
}

// Runs one SQL command in the ledger database with psql, output discarded.
void RunSql(const storage::pg::LocalCluster& cluster, const std::string& sql) {
  std::system(absl::StrCat(cluster.bin_dir(), "/psql -q -h ", cluster.socket_dir(), " -p ",
                           cluster.port(), " -U postgres -d tokend -c '", sql, "' >/dev/null")
                  .c_str());
}

// pgbench against the same cluster: one ledger-shaped row per transaction.
double PgbenchTps(storage::pg::LocalCluster& cluster, const std::string& dir, int clients) {
  if (!Wanted("pgbench")) return 0;
  std::string script = dir + "/insert.sql";
  std::ofstream(script) << "INSERT INTO bench_tokens (digest, kind, client_id, scope, jti, issued_at, "
                           "expires_at) VALUES (sha256(random()::text::bytea), 1, 'bench', 'read', "
                           "md5(random()::text), now(), now() + interval '2 hours');\n";
  RunSql(cluster,
         "CREATE TABLE IF NOT EXISTS bench_tokens (digest bytea PRIMARY KEY, kind smallint, "
         "client_id text, scope text, jti text, issued_at timestamptz, expires_at timestamptz)");
  std::vector<double> tps;
  for (int i = 0; i < absl::GetFlag(FLAGS_runs); ++i) {
    std::string out = dir + "/pgbench.out";
    std::string cmd = absl::StrCat(cluster.bin_dir(), "/pgbench -n -c ", clients, " -j 2 -T ",
                                   absl::GetFlag(FLAGS_seconds), " -f ", script, " -h ",
                                   cluster.socket_dir(), " -p ", cluster.port(),
                                   " -U postgres tokend > ", out, " 2>&1");
    std::system(cmd.c_str());
    std::ifstream in(out);
    std::string line;
    while (std::getline(in, line)) {
      double v = 0;
      if (std::sscanf(line.c_str(), "tps = %lf", &v) == 1) tps.push_back(v);
    }
  }
  std::sort(tps.begin(), tps.end());
  return tps.empty() ? 0 : tps[tps.size() / 2];
}

// `openssl speed` for ES256 (tokend's default JWT algorithm) on one core:
// {sign/s, verify/s}, the ceiling of JWT issuance and verification.
std::pair<double, double> OpensslEs256(const std::string& dir) {
  if (!Wanted("jwt_issue") && !Wanted("jwt_introspect")) return {0, 0};
  std::string out = dir + "/openssl.out";
  std::system(("openssl speed -seconds 3 ecdsap256 > " + out + " 2>/dev/null").c_str());
  std::ifstream in(out);
  std::string line;
  double sign = 0, verify = 0;
  while (std::getline(in, line)) {
    size_t at = line.find("ecdsa (nistp256)");
    if (at == std::string::npos) continue;
    double t1 = 0, t2 = 0;
    std::sscanf(line.c_str() + at + 16, " %lfs %lfs %lf %lf", &t1, &t2, &sign, &verify);
  }
  return {sign, verify};
}

// wrk (Debian) against the HTTP bridge: POST `body` to `path` with Basic
// auth over keep-alive connections; the median of --runs runs.
LoadResult Wrk(const std::string& phase, const std::string& dir, const std::string& addr,
               const std::string& path, const std::string& basic, const std::string& body) {
  if (!Wanted(phase)) return {};
  std::string script = dir + "/" + phase + ".lua";
  std::ofstream(script) << "wrk.method = \"POST\"\n"
                        << "wrk.body = \"" << body << "\"\n"
                        << "wrk.headers[\"Content-Type\"] = \"application/x-www-form-urlencoded\"\n"
                        << "wrk.headers[\"Authorization\"] = \"" << basic << "\"\n";
  return Repeat(phase, [&] {
    std::string out = dir + "/wrk.out";
    std::string cmd = absl::StrCat("wrk -t2 -c", absl::GetFlag(FLAGS_concurrency), " -d",
                                   RunSeconds(), "s --latency -s ", script,
                                   " http://", addr, path, " > ", out, " 2>&1");
    std::system(cmd.c_str());
    std::ifstream in(out);
    std::string line;
    LoadResult r;
    while (std::getline(in, line)) {
      double v = 0;
      char unit[8] = {0};
      if (std::sscanf(line.c_str(), "Requests/sec: %lf", &v) == 1) r.calls_per_second = v;
      if (std::sscanf(line.c_str(), " 50%% %lf%7s", &v, unit) == 2) r.p50_ms = std::string(unit) == "us" ? v / 1000 : std::string(unit) == "s" ? v * 1000 : v;
      if (std::sscanf(line.c_str(), " 99%% %lf%7s", &v, unit) == 2) r.p99_ms = std::string(unit) == "us" ? v / 1000 : std::string(unit) == "s" ? v * 1000 : v;
      int errors = 0;
      if (std::sscanf(line.c_str(), "  Non-2xx or 3xx responses: %d", &errors) == 1) r.errors = errors;
    }
    r.calls = static_cast<uint64_t>(r.calls_per_second * RunSeconds());
    return r;
  });
}

int Main(const std::string& self) {
  std::string dir = testing::ScratchDir("bench");
  auto cluster = testing::StartDurableCluster(dir);  // fsync on, as in production
  if (cluster == nullptr) return 1;
  int n = absl::GetFlag(FLAGS_concurrency);
  std::printf("machine: %u cores; concurrency %d over %d connections; %d runs x %d s each; medians\n",
              std::thread::hardware_concurrency(), n, absl::GetFlag(FLAGS_connections), absl::GetFlag(FLAGS_runs),
              absl::GetFlag(FLAGS_seconds));

  // Like pgbench, which vacuums before it measures: each phase starts from a
  // vacuumed ledger, so autovacuum cleaning up after the rows of the phases
  // before it does not land in its figures (it cut the later phases' rates,
  // Refresh to a third). No CHECKPOINT: the full-page writes after one would
  // land in the next phase instead.
  settle_ledger = [&cluster] { RunSql(*cluster, "VACUUM ANALYZE"); };
  double pg1 = PgbenchTps(*cluster, dir, 1);
  double pg64 = PgbenchTps(*cluster, dir, n);
  LoadResult empty = EmptyCallCeiling(self);
  auto [es256_sign, es256_verify] = OpensslEs256(dir);

  setenv("TOKEND_BIN", (fs::path(self).parent_path() / "../../bin/tokend").c_str(), 0);
  TokendProcess server({.database_url = cluster->Dsn(), .data_dir = dir + "/tokend"});
  if (!server.Start()) return 1;
  CpuMeter meter(server.pid(), cluster->data_dir());
  cpu_meter = &meter;
  v1::Client c;
  c.add_grant_types("client_credentials");
  c.add_grant_types("password");
  c.add_allowed_scopes("read");
  c.add_default_scopes("read");
  c.set_max_user_sessions(0);
  auto [id, secret] = server.CreateClient(c);
  server.CreateUser("bench-user", "bench-password");
  // Several HTTP/2 connections, as a fleet of callers would open: one
  // connection serialises its frames on one server thread.
  std::vector<std::unique_ptr<v1::TokenService::Stub>> stubs;
  for (int i = 0; i < absl::GetFlag(FLAGS_connections); ++i) {
    grpc::ChannelArguments args;
    args.SetInt("tokend.bench.connection", i);  // distinct args: a distinct connection
    stubs.push_back(v1::TokenService::NewStub(
        grpc::CreateCustomChannel(server.grpc_addr(), grpc::InsecureChannelCredentials(), args)));
  }
  auto& stub = stubs[0];
  auto stub_for = [&](int loop) { return stubs[loop % stubs.size()].get(); };

  auto call_ctx = [&] {
    auto* ctx = new grpc::ClientContext;
    client::AddClientAuth(ctx, id, secret);
    return ctx;
  };
  v1::IssueTokenRequest issue_req;
  issue_req.mutable_client_credentials();
  v1::IssueTokenRequest jwt_req = issue_req;
  jwt_req.set_token_format(v1::TOKEN_FORMAT_JWT);
  auto issue_load = [&](const v1::IssueTokenRequest& req) {
    return RunClosedLoop(n, Duration(), [&](int loop, auto done) {
      auto* ctx = call_ctx();
      auto* resp = new v1::IssueTokenResponse;
      stub_for(loop)->async()->IssueToken(ctx, &req, resp, [ctx, resp, done](grpc::Status st) {
        delete ctx;
        delete resp;
        done(st.ok());
      });
    });
  };
  LoadResult issue = Repeat("issue", [&] { return issue_load(issue_req); });
  LoadResult jwt_issue = Repeat("jwt_issue", [&] { return issue_load(jwt_req); });

  // Introspect over a pool of live tokens.
  auto make_probes = [&](const v1::IssueTokenRequest& req) {
    std::vector<v1::IntrospectRequest> probes(1024);
    for (auto& p : probes) {
      grpc::ClientContext ctx;
      client::AddClientAuth(&ctx, id, secret);
      v1::IssueTokenResponse t;
      stub->IssueToken(&ctx, req, &t);
      p.set_token(t.access_token());
    }
    return probes;
  };
  std::atomic<uint64_t> next{0};
  auto introspect_load = [&](const std::vector<v1::IntrospectRequest>& probes) {
    return RunClosedLoop(n, Duration(), [&](int loop, auto done) {
      auto* ctx = call_ctx();
      auto* resp = new v1::IntrospectResponse;
      const auto& req = probes[next++ % probes.size()];
      stub_for(loop)->async()->Introspect(ctx, &req, resp, [ctx, resp, done](grpc::Status st) {
        bool ok = st.ok() && resp->active();
        delete ctx;
        delete resp;
        done(ok);
      });
    });
  };
  std::vector<v1::IntrospectRequest> probes = make_probes(issue_req);
  LoadResult introspect = Repeat("introspect", [&] { return introspect_load(probes); });
  std::vector<v1::IntrospectRequest> jwt_probes =
      Wanted("jwt_introspect") ? make_probes(jwt_req) : std::vector<v1::IntrospectRequest>{};
  LoadResult jwt_introspect = Repeat("jwt_introspect", [&] { return introspect_load(jwt_probes); });

  // Refresh: each loop walks its own refresh chain.
  std::vector<v1::RefreshRequest> chains(n);
  for (auto& r : chains) {
    grpc::ClientContext ctx;
    client::AddClientAuth(&ctx, id, secret);
    v1::IssueTokenRequest login;
    login.mutable_password()->set_username("bench-user");
    login.mutable_password()->set_password("bench-password");
    v1::IssueTokenResponse t;
    stub->IssueToken(&ctx, login, &t);
    r.set_refresh_token(t.refresh_token());
  }
  LoadResult refresh = Repeat("refresh", [&] {
    return RunClosedLoop(n, Duration(), [&](int loop, auto done) {
      auto* ctx = call_ctx();
      auto* resp = new v1::RefreshResponse;
      stub_for(loop)->async()->Refresh(ctx, &chains[loop], resp, [ctx, resp, done, &chains, loop](grpc::Status st) {
        if (st.ok()) chains[loop].set_refresh_token(resp->refresh_token());
        delete ctx;
        delete resp;
        done(st.ok());
      });
    });
  });
  std::string basic = "Basic " + absl::Base64Escape(id + ":" + secret);
  LoadResult http_token = Wrk("http_token", dir, server.http_addr(), "/oauth/token", basic,
                              "grant_type=client_credentials");
  LoadResult http_introspect = Wrk("http_introspect", dir, server.http_addr(), "/oauth/introspect",
                                   basic, "token=" + probes[0].token());
  cpu_meter = nullptr;
  server.Stop();

  std::printf("\n| %-44s | %10s | %7s | %7s | %6s |\n", "figure", "per second", "p50 ms", "p99 ms", "errors");
  std::printf("|%s|%s|%s|%s|%s|\n", std::string(46, '-').c_str(), std::string(12, '-').c_str(),
              std::string(9, '-').c_str(), std::string(9, '-').c_str(), std::string(8, '-').c_str());
  std::printf("| %-44s | %10.0f | %7s | %7s | %6s |\n", "pgbench 1-row commits, 1 client", pg1, "", "", "");
  std::printf("| %-44s | %10.0f | %7s | %7s | %6s |\n",
              absl::StrCat("pgbench 1-row commits, ", n, " clients").c_str(), pg64, "", "", "");
  std::puts(FormatRow("empty gRPC call (ceiling)", empty).c_str());
  std::printf("| %-44s | %10.0f | %7s | %7s | %6s |\n", "openssl speed ES256 sign, 1 core (ceiling)",
              es256_sign, "", "", "");
  std::printf("| %-44s | %10.0f | %7s | %7s | %6s |\n", "openssl speed ES256 verify, 1 core", es256_verify,
              "", "", "");
  std::puts(FormatRow("IssueToken client_credentials", issue).c_str());
  std::puts(FormatRow("IssueToken client_credentials, JWT ES256", jwt_issue).c_str());
  std::puts(FormatRow("Introspect (opaque)", introspect).c_str());
  std::puts(FormatRow("Introspect (JWT ES256)", jwt_introspect).c_str());
  std::puts(FormatRow("Refresh (rotation, 1 tx each)", refresh).c_str());
  std::puts(FormatRow("HTTP /oauth/token (wrk, client_credentials)", http_token).c_str());
  std::puts(FormatRow("HTTP /oauth/introspect (wrk)", http_introspect).c_str());
  std::printf("\nratios: IssueToken / pgbench(1 client) = %.2f; IssueToken / pgbench(%d clients) = %.2f; "
              "IssueToken / empty gRPC = %.2f; Introspect / empty gRPC = %.2f\n",
              issue.calls_per_second / pg1, n, issue.calls_per_second / pg64,
              issue.calls_per_second / empty.calls_per_second,
              introspect.calls_per_second / empty.calls_per_second);
  std::printf("ratios: JWT IssueToken / opaque = %.2f (target >= 0.85); JWT Introspect / opaque = %.2f "
              "(target >= 0.90); JWT IssueToken / openssl ES256 sign = %.2f\n",
              jwt_issue.calls_per_second / issue.calls_per_second,
              jwt_introspect.calls_per_second / introspect.calls_per_second,
              jwt_issue.calls_per_second / es256_sign);
  std::printf("ratios: HTTP token / gRPC IssueToken = %.2f; HTTP introspect / gRPC Introspect = %.2f\n",
              http_token.calls_per_second / issue.calls_per_second,
              http_introspect.calls_per_second / introspect.calls_per_second);
  std::printf("\nCPU per call, microseconds, over all runs of each figure (load generator includes wrk):\n"
              "| %-16s | %8s | %8s | %8s | %8s |\n", "figure", "tokend", "postgres", "loadgen", "total");
  for (const auto& [phase, c] : cpu_per_call) {
    std::printf("| %-16s | %8.1f | %8.1f | %8.1f | %8.1f |\n", phase.c_str(), c.tokend, c.postgres,
                c.load_generator, c.tokend + c.postgres + c.load_generator);
  }
  std::error_code ec;
  settle_ledger = [] {};
  cluster.reset();
  fs::remove_all(dir, ec);
  return 0;
}

}  // namespace
}  // namespace tokend::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  // The load generator and the empty-call ceiling run with tokend's process
  // settings, so the ceiling is not lowered by a slower allocator.
  tokend::TuneProcessForServing();
  if (!absl::GetFlag(FLAGS_serve_empty).empty()) {
    return tokend::bench::ServeEmpty(absl::GetFlag(FLAGS_serve_empty));
  }
  return tokend::bench::Main(std::filesystem::canonical("/proc/self/exe").string());
}
