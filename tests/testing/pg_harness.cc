#include "tests/testing/pg_harness.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <memory>

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

std::string& ClusterDir() {
  static auto* dir = new std::string();
  return *dir;
}

void StopAtExit() {
  Holder().reset();
  std::error_code ec;
  if (!ClusterDir().empty()) fs::remove_all(ClusterDir(), ec);
}

}  // namespace

std::string ScratchDir(const std::string& prefix) {
  static std::atomic<int> counter{0};
  fs::path dir = fs::temp_directory_path() /
                 absl::StrCat("tokend-", prefix, "-", getpid(), "-", counter++);
  fs::create_directories(dir);
  fs::permissions(dir, fs::perms::all & ~fs::perms::group_write & ~fs::perms::others_write);
  return dir.string();
}

storage::pg::LocalCluster& Cluster() {
  auto& holder = Holder();
  if (!holder) {
    ClusterDir() = ScratchDir("pg");
    storage::pg::LocalCluster::Options opts;
    opts.dir = ClusterDir();
    opts.fsync = false;
    opts.database = "postgres";
    auto cluster = storage::pg::LocalCluster::Start(opts);
    if (!cluster.ok()) {
      // A missing PostgreSQL is a failure, never a skip.
      ADD_FAILURE() << "cannot start the test PostgreSQL: " << cluster.status();
      std::abort();
    }
    holder = *std::move(cluster);
    std::atexit(StopAtExit);
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
    std::abort();
  }
  auto applied = storage::pg::Migrate(cluster.Dsn(name));
  if (!applied.ok()) {
    ADD_FAILURE() << applied.status();
    std::abort();
  }
  return cluster.Dsn(name);
}

}  // namespace tokend::testing
