#include "storage/postgres/local_cluster.h"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <pqxx/pqxx>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace tokend::storage::pg {
namespace fs = std::filesystem;
namespace {

std::string Quote(const std::string& s) {
  return absl::StrCat("'", absl::StrReplaceAll(s, {{"'", "'\\''"}}), "'");
}

std::string FindBinDir() {
  if (const char* env = std::getenv("TOKEND_PG_BINDIR")) return env;
  std::string best;
  int best_version = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    int v = std::atoi(entry.path().filename().c_str());
    if (v > best_version && fs::exists(entry.path() / "bin" / "initdb")) {
      best_version = v;
      best = (entry.path() / "bin").string();
    }
  }
  return best;
}

bool IsRoot() { return geteuid() == 0; }

absl::Status ChownToPostgres(const std::string& path) {
  struct passwd* pw = getpwnam("postgres");
  if (pw == nullptr) return absl::FailedPreconditionError("running as root but no 'postgres' user exists");
  if (chown(path.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
    return absl::InternalError(absl::StrCat("cannot chown ", path));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status LocalCluster::RunAsOwner(const std::string& command) const {
  std::string full = IsRoot() ? absl::StrCat("runuser -u postgres -- ", command) : command;
  int rc = std::system(full.c_str());
  if (rc != 0) {
    return absl::InternalError(absl::StrCat("command failed (", rc, "): ", command));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<LocalCluster>> LocalCluster::Start(Options options) {
  std::unique_ptr<LocalCluster> cluster(new LocalCluster(std::move(options)));
  if (auto st = cluster->Init(); !st.ok()) return st;
  if (auto st = cluster->StartServer(); !st.ok()) return st;
  if (auto st = cluster->CreateDatabase(cluster->options_.database); !st.ok()) return st;
  return cluster;
}

LocalCluster::~LocalCluster() {
  if (options_.stop_on_destroy && running_) (void)StopServer("fast");
}

absl::Status LocalCluster::Init() {
  bin_dir_ = FindBinDir();
  if (bin_dir_.empty()) {
    return absl::FailedPreconditionError(
        "no PostgreSQL server binaries under /usr/lib/postgresql (apt-get install postgresql)");
  }
  std::error_code ec;
  fs::path root = fs::absolute(options_.dir);
  fs::create_directories(root, ec);
  fs::permissions(root, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                            fs::perms::others_read | fs::perms::others_exec, ec);
  fs::path base = root / "postgres";
  fs::create_directories(base, ec);
  data_dir_ = (base / "data").string();
  socket_dir_ = (base / "run").string();
  if (socket_dir_.size() + 20 > 100) {  // sun_path holds 107 bytes
    char tmpl[] = "/tmp/tokend-pg-XXXXXX";
    if (mkdtemp(tmpl) == nullptr) return absl::InternalError("mkdtemp failed");
    socket_dir_ = tmpl;
  }
  fs::create_directories(socket_dir_, ec);
  std::string waldir_arg;
  if (!options_.wal_dir.empty()) {
    fs::create_directories(options_.wal_dir, ec);
    waldir_arg = " --waldir " + Quote(fs::absolute(options_.wal_dir).string());
  }
  if (IsRoot()) {
    for (const std::string& p : {base.string(), socket_dir_, options_.wal_dir}) {
      if (p.empty()) continue;
      if (auto st = ChownToPostgres(p); !st.ok()) return st;
    }
  }
  if (fs::exists(fs::path(data_dir_) / "PG_VERSION")) return absl::OkStatus();
  auto st = RunAsOwner(absl::StrCat(Quote(bin_dir_ + "/initdb"), " -D ", Quote(data_dir_),
                                    waldir_arg, " -U postgres -A trust -E UTF8 --locale=C --no-sync >",
                                    Quote((base / "initdb.log").string()), " 2>&1"));
  if (!st.ok()) {
    return absl::InternalError(absl::StrCat("initdb failed; see ", (base / "initdb.log").string(),
                                            " (the directory must be reachable by the "
                                            "'postgres' user when running as root)"));
  }
  std::ofstream conf(fs::path(data_dir_) / "postgresql.auto.conf", std::ios::app);
  conf << "listen_addresses = ''\n"
       << "unix_socket_directories = '" << socket_dir_ << "'\n"
       << "port = " << options_.port << "\n"
       << "max_connections = 300\n"
       << "shared_buffers = '256MB'\n"
       << "fsync = " << (options_.fsync ? "on" : "off") << "\n"
       << "synchronous_commit = on\n"
       // Fewer checkpoints under a steady write load (each one makes the next
       // writes of every page log a full page image).
       << "max_wal_size = '4GB'\n"
       << "checkpoint_timeout = '15min'\n";
  return absl::OkStatus();
}

absl::Status LocalCluster::StartServer() {
  std::string pg_ctl = Quote(bin_dir_ + "/pg_ctl");
  std::string status_cmd = absl::StrCat(pg_ctl, " -D ", Quote(data_dir_), " status >/dev/null 2>&1");
  if (RunAsOwner(status_cmd).ok()) {
    running_ = true;  // left running by an earlier process: reuse it
    return absl::OkStatus();
  }
  // The socket directory may have been redirected to a fresh /tmp path.
  std::string opts = absl::StrCat("-c unix_socket_directories=", socket_dir_);
  auto st = RunAsOwner(absl::StrCat(pg_ctl, " -D ", Quote(data_dir_), " -l ",
                                    Quote(data_dir_ + "/../postgres.log"), " -w -t 60 -o ",
                                    Quote(opts), " start >/dev/null"));
  if (!st.ok()) {
    return absl::InternalError(
        absl::StrCat("PostgreSQL did not start; see ", data_dir_, "/../postgres.log"));
  }
  running_ = true;
  return absl::OkStatus();
}

absl::Status LocalCluster::StopServer(const std::string& mode) {
  auto st = RunAsOwner(absl::StrCat(Quote(bin_dir_ + "/pg_ctl"), " -D ", Quote(data_dir_), " -m ",
                                    mode, " -w stop >/dev/null 2>&1"));
  running_ = false;
  return st;
}

std::string LocalCluster::Dsn(const std::string& database) const {
  return absl::StrCat("host=", socket_dir_, " port=", options_.port, " user=postgres dbname=",
                      database.empty() ? options_.database : database);
}

absl::Status LocalCluster::CreateDatabase(const std::string& name) {
  try {
    pqxx::connection conn(Dsn("postgres"));
    pqxx::nontransaction tx(conn);
    if (tx.exec_params("SELECT 1 FROM pg_database WHERE datname = $1", name).empty()) {
      tx.exec("CREATE DATABASE " + tx.quote_name(name));
    }
    return absl::OkStatus();
  } catch (const std::exception& e) {
    return absl::UnavailableError(absl::StrCat("cannot create database ", name, ": ", e.what()));
  }
}

}  // namespace tokend::storage::pg
