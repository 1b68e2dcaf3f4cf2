#include "storage/postgres/migrator.h"

#include <chrono>
#include <pqxx/pqxx>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/logging/log.h"
#include "services/token/oauth_error.h"

namespace tokend::storage::pg {
namespace {

// pg_advisory_lock key: "tokend" in ASCII.
constexpr int64_t kLockKey = 0x746f6b656e64;

struct EmbeddedFile {
  const char* name;
  const char* sql;
};
#include "migrations_embedded.inc"  // defines kEmbeddedFiles[] from the .sql files

}  // namespace

const std::vector<Migration>& EmbeddedMigrations() {
  static const std::vector<Migration> migrations = [] {
    std::vector<Migration> out;
    for (const auto& f : kEmbeddedFiles) {
      std::string name = f.name;  // V001__ledger.sql
      int version = 0;
      (void)absl::SimpleAtoi(name.substr(1, name.find("__") - 1), &version);
      out.push_back({version, name, f.sql});
    }
    return out;
  }();
  return migrations;
}

absl::StatusOr<std::vector<int>> Migrate(const std::string& dsn, metrics::Job* job) {
  metrics::Job own("migrate");
  metrics::Job::Run run(job != nullptr ? *job : own);
  std::vector<int> applied;
  try {
    pqxx::connection conn(dsn);
    std::set<int> done;
    {
      pqxx::nontransaction tx(conn);
      tx.exec("SELECT pg_advisory_lock(" + std::to_string(kLockKey) + ")");
      tx.exec(
          "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, "
          "name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())");
      for (const auto& row : tx.exec("SELECT version FROM schema_migrations")) {
        done.insert(row[0].as<int>());
      }
    }
    std::vector<const Migration*> pending;
    for (const Migration& m : EmbeddedMigrations()) {
      if (!done.contains(m.version)) pending.push_back(&m);
    }
    for (size_t i = 0; i < pending.size(); ++i) {
      const Migration& m = *pending[i];
      std::string step = absl::StrCat(i + 1, "/", pending.size());
      logging::Info("migration step started").Str("step", step).Str("name", m.name);
      auto started = std::chrono::steady_clock::now();
      pqxx::work tx(conn);
      tx.exec(m.sql);
      tx.exec_params("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", m.version,
                     m.name);
      tx.commit();
      applied.push_back(m.version);
      logging::Info("migration step finished")
          .Str("step", step)
          .Str("name", m.name)
          .Double("duration_ms", std::chrono::duration<double, std::milli>(
                                     std::chrono::steady_clock::now() - started)
                                     .count());
      run.Progress(m.name, 1);
    }
    pqxx::nontransaction tx(conn);
    tx.exec("SELECT pg_advisory_unlock(" + std::to_string(kLockKey) + ")");
  } catch (const pqxx::broken_connection& e) {
    run.Fail("cannot connect to PostgreSQL");
    return oauth::LedgerUnavailable();
  } catch (const std::exception& e) {
    run.Fail(e.what());
    return absl::InternalError("migration failed");
  }
  return applied;
}

}  // namespace tokend::storage::pg
