// A private PostgreSQL cluster under a directory of ours: created on first
// use (initdb), started and stopped with pg_ctl, reachable only through a
// Unix socket in that directory. tokend uses it when no database URL is
// given; the test harness and benchmarks use it for a throwaway ledger.
// initdb refuses to run as root, so as root the server runs as `postgres`.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace tokend::storage::pg {

class LocalCluster {
 public:
  struct Options {
    std::string dir;            // the cluster lives in dir/postgres, its data in dir/postgres/data
    std::string wal_dir;        // empty: pg_wal inside the data directory
    std::string database = "tokend";
    bool fsync = true;          // off only for throwaway test clusters
    int port = 5432;            // names the socket file; nothing listens on TCP
    bool stop_on_destroy = true;
  };

  // Creates (if needed) and starts the cluster, and creates the database.
  // An already running server in that directory is reused.
  static absl::StatusOr<std::unique_ptr<LocalCluster>> Start(Options options);
  ~LocalCluster();

  // A libpq connection string for `database` (default: the options').
  std::string Dsn(const std::string& database = "") const;
  const std::string& socket_dir() const { return socket_dir_; }
  const std::string& bin_dir() const { return bin_dir_; }
  const std::string& data_dir() const { return data_dir_; }
  int port() const { return options_.port; }

  // Stops the server: "fast" (clean) or "immediate" (as if killed).
  absl::Status StopServer(const std::string& mode = "fast");
  absl::Status StartServer();
  absl::Status CreateDatabase(const std::string& name);

 private:
  explicit LocalCluster(Options options) : options_(std::move(options)) {}
  absl::Status Init();
  absl::Status RunAsOwner(const std::string& command) const;

  Options options_;
  std::string bin_dir_;
  std::string data_dir_;
  std::string socket_dir_;
  bool running_ = false;
};

}  // namespace tokend::storage::pg
