// A throwaway PostgreSQL cluster for one test binary (started on first use,
// removed at exit) and a fresh, migrated database per suite.
#pragma once

#include <string>

#include "storage/postgres/local_cluster.h"

namespace tokend::testing {

// The cluster of this test binary. fsync is off: these rows are disposable.
storage::pg::LocalCluster& Cluster();

// Creates a new database, applies the migrations, returns its DSN.
std::string FreshDatabase(const std::string& prefix = "suite");

// A unique scratch directory under the build tree's temp area.
std::string ScratchDir(const std::string& prefix);

}  // namespace tokend::testing
