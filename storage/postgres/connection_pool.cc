#include "storage/postgres/connection_pool.h"

#include <pqxx/pqxx>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/logging/log.h"
#include "services/token/oauth_error.h"
#include "storage/postgres/statements.h"

namespace tokend::storage::pg {
namespace {

std::string WithDefaults(const std::string& dsn) {
  std::string out = dsn;
  bool uri = absl::StartsWith(dsn, "postgres://") || absl::StartsWith(dsn, "postgresql://");
  if (!absl::StrContains(dsn, "connect_timeout")) {
    if (uri) {
      absl::StrAppend(&out, absl::StrContains(dsn, "?") ? "&" : "?", "connect_timeout=2");
    } else {
      absl::StrAppend(&out, " connect_timeout=2");
    }
  }
  return out;
}

void LogError(absl::string_view what, absl::string_view detail) {
  logging::Error(what).Str("component", "ledger").Str("detail", detail);
}

}  // namespace

struct ConnectionPool::Slot {
  std::unique_ptr<pqxx::connection> conn;
};

ConnectionPool::ConnectionPool(Options options) : options_(std::move(options)) {
  options_.dsn = WithDefaults(options_.dsn);
  for (int i = 0; i < options_.size; ++i) {
    slots_.push_back(std::make_unique<Slot>());
    idle_.push_back(slots_.back().get());
  }
}

ConnectionPool::~ConnectionPool() = default;

int ConnectionPool::in_use() const {
  std::lock_guard lock(mu_);
  return static_cast<int>(slots_.size() - idle_.size());
}

absl::Status ConnectionPool::Connect(Slot& slot) {
  {
    std::lock_guard lock(mu_);
    if (std::chrono::steady_clock::now() < down_until_) return oauth::LedgerUnavailable();
  }
  try {
    auto conn = std::make_unique<pqxx::connection>(options_.dsn);
    {
      pqxx::nontransaction tx(*conn);
      tx.exec(absl::StrCat("SET statement_timeout = ", options_.statement_timeout.count()));
    }
    PrepareStatements(*conn);
    slot.conn = std::move(conn);
    return absl::OkStatus();
  } catch (const std::exception& e) {
    std::lock_guard lock(mu_);
    down_until_ = std::chrono::steady_clock::now() + options_.retry_after;
    LogError("cannot connect to PostgreSQL", e.what());
    return oauth::LedgerUnavailable();
  }
}

absl::Status ConnectionPool::Acquire(Slot** slot) {
  std::unique_lock lock(mu_);
  waiting_.fetch_add(1, std::memory_order_relaxed);
  bool got = cv_.wait_for(lock, options_.acquire_timeout, [&] { return !idle_.empty(); });
  waiting_.fetch_sub(1, std::memory_order_relaxed);
  if (!got) {
    return oauth::Error(oauth::ErrorCode::kTemporarilyUnavailable,
                        "The token ledger is overloaded; retry shortly.");
  }
  *slot = idle_.back();
  idle_.pop_back();
  lock.unlock();
  if ((*slot)->conn == nullptr || !(*slot)->conn->is_open()) {
    (*slot)->conn.reset();
    if (auto st = Connect(**slot); !st.ok()) {
      Release(*slot, true);
      return st;
    }
  }
  return absl::OkStatus();
}

void ConnectionPool::Release(Slot* slot, bool broken) {
  if (broken) slot->conn.reset();
  {
    std::lock_guard lock(mu_);
    idle_.push_back(slot);
  }
  cv_.notify_one();
}

absl::Status ConnectionPool::Run(const std::function<absl::Status(pqxx::connection&)>& work) {
  Slot* slot = nullptr;
  if (auto st = Acquire(&slot); !st.ok()) return st;
  bool broken = false;
  absl::Status result;
  try {
    result = work(*slot->conn);
  } catch (const pqxx::broken_connection& e) {
    broken = true;
    LogError("PostgreSQL connection lost", e.what());
    result = oauth::LedgerUnavailable();
  } catch (const pqxx::in_doubt_error& e) {
    broken = true;
    LogError("commit outcome unknown", e.what());
    result = oauth::LedgerUnavailable();
  } catch (const pqxx::unique_violation& e) {
    result = absl::AlreadyExistsError("already exists");
  } catch (const pqxx::sql_error& e) {
    std::string state = e.sqlstate();
    // 57014 query_canceled (statement_timeout), 57P01-03 shutdown, 08xxx
    // connection exceptions, 40001/40P01 serialization/deadlock, 53xxx
    // insufficient resources (53100 disk full, 53200 out of memory, 53300
    // too many connections): the ledger cannot take the write now, and a
    // retry later may succeed.
    if (state == "57014" || absl::StartsWith(state, "57P") || absl::StartsWith(state, "08") ||
        state == "40001" || state == "40P01" || absl::StartsWith(state, "53")) {
      broken = absl::StartsWith(state, "57P") || absl::StartsWith(state, "08");
      LogError("PostgreSQL unavailable", e.what());
      result = oauth::LedgerUnavailable();
    } else {
      LogError("unexpected SQL error", e.what());
      result = absl::InternalError("ledger error");
    }
  } catch (const std::exception& e) {
    broken = slot->conn == nullptr || !slot->conn->is_open();
    LogError("ledger failure", e.what());
    result = broken ? oauth::LedgerUnavailable() : absl::InternalError("ledger error");
  }
  Release(slot, broken);
  return result;
}

bool ConnectionPool::Ping() {
  return Run([](pqxx::connection& c) {
           pqxx::nontransaction tx(c);
           tx.exec("SELECT 1");
           return absl::OkStatus();
         })
      .ok();
}

}  // namespace tokend::storage::pg
