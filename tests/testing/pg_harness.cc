#include "tests/testing/pg_harness.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <mutex>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "storage/postgres/migrator.h"

namespace tokend::testing {
namespace fs = std::filesystem;
namespace {

std::unique_ptr<storage::pg::LocalCluster>& Holder() {
  static auto* cluster = new std::unique_ptr<storage::pg::LocalCluster>();
  return *cluster;
}

std::vector<std::string>& ScratchDirs() {
  static auto* dirs = new std::vector<std::string>();
  return *dirs;
}

// Stops the cluster and removes every scratch directory this binary made.
void CleanUpAtExit() {
  Holder().reset();
  std::error_code ec;
  for (const auto& dir : ScratchDirs()) fs::remove_all(dir, ec);
}

}  // namespace

std::string ScratchDir(const std::string& prefix) {
  static std::atomic<int> counter{0};
  static const bool registered = [] { return std::atexit(CleanUpAtExit) == 0; }();
  (void)registered;
  fs::path dir = fs::temp_directory_path() /
                 absl::StrCat("tokend-", prefix, "-", getpid(), "-", counter++);
  fs::create_directories(dir);
  fs::permissions(dir, fs::perms::all & ~fs::perms::group_write & ~fs::perms::others_write);
  static std::mutex mu;
  std::lock_guard lock(mu);
  ScratchDirs().push_back(dir.string());
  return dir.string();
}

storage::pg::LocalCluster& Cluster() {
  auto& holder = Holder();
  if (!holder) {
    storage::pg::LocalCluster::Options opts;
    opts.dir = ScratchDir("pg");
    opts.fsync = false;
    opts.database = "postgres";
    auto cluster = storage::pg::LocalCluster::Start(opts);
    if (!cluster.ok()) {
      // A missing PostgreSQL is a failure, never a skip.
      ADD_FAILURE() << "cannot start the test PostgreSQL: " << cluster.status();
      std::exit(1);  // atexit handlers stop the cluster
    }
    holder = *std::move(cluster);
  }
  return *holder;
}

std::string FreshDatabase(const std::string& prefix) {
  static std::atomic<int> counter{0};
  std::string name = absl::StrCat(prefix, "_", getpid(), "_", counter++);
  auto& cluster = Cluster();
  auto st = cluster.CreateDatabase(name);
  if (!st.ok()) {
    ADD_FAILURE() << st;
    std::exit(1);
  }
  auto applied = storage::pg::Migrate(cluster.Dsn(name));
  if (!applied.ok()) {
    ADD_FAILURE() << applied.status();
    std::exit(1);
  }
  return cluster.Dsn(name);
}

std::unique_ptr<storage::pg::LocalCluster> StartDurableCluster(const std::string& dir) {
  storage::pg::LocalCluster::Options opts;
  opts.dir = dir;
  opts.fsync = true;
  auto cluster = storage::pg::LocalCluster::Start(opts);
  if (!cluster.ok()) {
    std::cerr << cluster.status() << "\n";
    return nullptr;
  }
  return *std::move(cluster);
}

}  // namespace tokend::testing
