// Cross-replica cache invalidation over PostgreSQL LISTEN/NOTIFY. Every
// transaction that revokes tokens or changes a client also NOTIFYs the
// `tokend_changes` channel (delivered only if it commits); each tokend
// process listens on a dedicated connection and drops what changed from its
// caches. When that connection is lost, notifications may have been missed:
// the feed reports a reset (drop every cache) and reconnects.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/string_view.h"

namespace pqxx {
class transaction_base;
}

namespace tokend::storage::pg {

// What a notification names.
struct Change {
  enum class Kind { kToken, kFamily, kClient, kReset };
  Kind kind;
  std::string key;  // raw token digest, family uuid, or client_id
};

// Announces a change inside `tx`; delivered to every listener on commit.
void AnnounceTokenRevoked(pqxx::transaction_base& tx, const std::string& digest);
void AnnounceFamilyRevoked(pqxx::transaction_base& tx, const std::string& family_id);
// Many at once, in one statement (revoke-all batches).
void AnnounceTokensRevoked(pqxx::transaction_base& tx, const std::vector<std::string>& digests);
void AnnounceFamiliesRevoked(pqxx::transaction_base& tx, const std::vector<std::string>& families);
void AnnounceClientChanged(pqxx::transaction_base& tx, const std::string& client_id);
// Anything broader (a user deleted): listeners drop every cached token.
void AnnounceReset(pqxx::transaction_base& tx);

// Parses a notification payload; kReset for anything unrecognised (safe).
Change ParseChange(absl::string_view payload);

class ChangeFeed {
 public:
  using Handler = std::function<void(const Change&)>;

  // Starts listening on its own connection to `dsn`; `handler` runs on the
  // feed's thread. The first connection also reports a reset.
  ChangeFeed(std::string dsn, Handler handler);
  ~ChangeFeed();  // stops the thread

  // True while the listening connection is up (for readiness and tests).
  bool connected() const { return connected_.load(); }

 private:
  void Run();

  std::string dsn_;
  Handler handler_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> connected_{false};
  std::thread thread_;
};

}  // namespace tokend::storage::pg
