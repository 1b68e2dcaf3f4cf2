#include "storage/postgres/migrator.h"

#include <cstdio>
#include <pqxx/pqxx>

#include "absl/strings/numbers.h"
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

absl::StatusOr<std::vector<int>> Migrate(const std::string& dsn) {
  std::vector<int> applied;
  try {
    pqxx::connection conn(dsn);
    {
      pqxx::nontransaction tx(conn);
      tx.exec("SELECT pg_advisory_lock(" + std::to_string(kLockKey) + ")");
      tx.exec(
          "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, "
          "name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())");
    }
    for (const Migration& m : EmbeddedMigrations()) {
      pqxx::work tx(conn);
      if (!tx.exec_params("SELECT 1 FROM schema_migrations WHERE version = $1", m.version).empty()) {
        continue;
      }
      std::fprintf(stderr, "{\"level\":\"info\",\"msg\":\"applying migration\",\"name\":\"%s\"}\n",
                   m.name.c_str());
      tx.exec(m.sql);
      tx.exec_params("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", m.version,
                     m.name);
      tx.commit();
      applied.push_back(m.version);
    }
    pqxx::nontransaction tx(conn);
    tx.exec("SELECT pg_advisory_unlock(" + std::to_string(kLockKey) + ")");
  } catch (const pqxx::broken_connection& e) {
    std::fprintf(stderr, "{\"level\":\"error\",\"msg\":\"migration: cannot connect\"}\n");
    return oauth::LedgerUnavailable();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "{\"level\":\"error\",\"msg\":\"migration failed\",\"detail\":\"%s\"}\n",
                 e.what());
    return absl::InternalError("migration failed");
  }
  return applied;
}

}  // namespace tokend::storage::pg
