// Applies the numbered migrations in storage/postgres/migrations/ (embedded at
// build time) under a PostgreSQL advisory lock, so concurrent starts of
// several replicas apply each exactly once.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/metrics/job.h"

namespace tokend::storage::pg {

struct Migration {
  int version;
  std::string name;
  std::string sql;
};

// The embedded migrations, in version order.
const std::vector<Migration>& EmbeddedMigrations();

// Applies what is missing; returns the versions it applied (empty when the
// schema was current). UNAVAILABLE when PostgreSQL cannot be reached. Each
// step is logged ("migration step" i/n, name, duration) as one run of `job`
// (a job of its own when null).
absl::StatusOr<std::vector<int>> Migrate(const std::string& dsn, metrics::Job* job = nullptr);

}  // namespace tokend::storage::pg
