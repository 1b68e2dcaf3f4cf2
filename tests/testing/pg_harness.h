// A throwaway PostgreSQL cluster for one test binary (started on first use,
// removed at exit) and a fresh, migrated database per suite.
#pragma once

#include <memory>
#include <string>

#include "storage/postgres/local_cluster.h"

namespace tokend::testing {

// The cluster of this test binary. fsync is off: these rows are disposable.
storage::pg::LocalCluster& Cluster();

// Creates a new database, applies the migrations, returns its DSN.
std::string FreshDatabase(const std::string& prefix = "suite");

// A unique scratch directory under the build tree's temp area.
std::string ScratchDir(const std::string& prefix);

// A cluster of a benchmark's own in `dir`, fsync on (durable, as in
// production); null after printing why to stderr when it cannot start.
std::unique_ptr<storage::pg::LocalCluster> StartDurableCluster(const std::string& dir);

}  // namespace tokend::testing
