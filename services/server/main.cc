// tokend: the OAuth 2.0 token service. `tokend` serves; `tokend migrate`
// applies the ledger migrations and exits.
#include <csignal>
#include <cstdio>

#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "services/common/serving_process.h"
#include "services/logging/log.h"
#include "services/server/config.h"
#include "services/server/tokend_server.h"
#include "storage/postgres/local_cluster.h"
#include "storage/postgres/migrator.h"

namespace {

using tokend::logging::Error;

int Migrate(const tokend::server::Config& config) {
  std::string dsn = config.database_url;
  std::unique_ptr<tokend::storage::pg::LocalCluster> cluster;
  if (dsn.empty()) {
    auto started = tokend::storage::pg::LocalCluster::Start({.dir = config.data_dir});
    if (!started.ok()) {
      Error("cannot start the private PostgreSQL").Str("error", started.status().message());
      return 1;
    }
    cluster = *std::move(started);
    dsn = cluster->Dsn();
  }
  auto applied = tokend::storage::pg::Migrate(dsn);
  if (!applied.ok()) {
    Error("migration failed").Str("error", applied.status().message());
    return 1;
  }
  std::printf("{\"applied\": %zu}\n", applied->size());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("tokend [migrate] [--flags]: the OAuth 2.0 token service");
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  tokend::TuneProcessForServing();
  auto config = tokend::server::LoadConfig();
  if (!config.ok()) {
    Error("bad configuration").Str("error", config.status().message());
    return 2;
  }
  tokend::logging::SetMinLevel(config->log_level);
  if (args.size() > 1 && std::string(args[1]) == "migrate") return Migrate(*config);
  if (args.size() > 1) {
    Error("unknown command").Str("command", args[1]);
    return 2;
  }

  // Block the stop signals in every thread; the main thread waits for them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  tokend::server::TokendServer server(*config);
  if (auto st = server.Start(); !st.ok()) {
    Error("cannot start").Str("error", st.message());
    server.Shutdown();
    return 1;
  }
  int sig = 0;
  sigwait(&stop_signals, &sig);
  tokend::logging::Info("signal received, draining").Int("signal", sig);
  server.Shutdown();
  return 0;
}
