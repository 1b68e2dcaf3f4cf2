// Authenticates OAuth clients (RFC 6749 §2.3). Only the authenticator can
// build an AuthenticatedClient, so code holding one knows the check was made.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/token/guess_throttle.h"
#include "services/token/token_types.h"
#include "storage/ledger.h"

namespace tokend {

class AuthenticatedClient {
 public:
  const storage::ClientRecord& record() const { return *record_; }
  const std::string& id() const { return record_->client_id; }
  // Where the authenticated request came from ("" when unknown).
  const std::string& source_address() const { return source_address_; }
  bool HasPermission(absl::string_view permission) const;
  // True when the client is registered for the grant. refresh_token is
  // implied by password and authorization_code.
  bool AllowsGrant(absl::string_view grant_type) const;

 private:
  friend class ClientAuthenticator;
  AuthenticatedClient(std::shared_ptr<const storage::ClientRecord> record,
                      std::string source_address)
      : record_(std::move(record)), source_address_(std::move(source_address)) {}
  std::shared_ptr<const storage::ClientRecord> record_;
  std::string source_address_;
};

class ClientAuthenticator {
 public:
  // Client rows are cached for `cache_ttl`; Invalidate() drops one at once
  // (the admin service calls it on every change).
  ClientAuthenticator(storage::ClientStore& store, absl::Duration cache_ttl);

  // Optional, before serving: failed authentications are counted per client
  // id and per source address, and a guessing client or address is refused
  // (rate_limited) while it must wait — the right secret too.
  //
  // Cost: a right secret checked against a cached client row asks nothing
  // of the ledger; the throttle's ledger counts are read only for a wrong
  // secret (to record it) and on a cache miss, and waits learned from the
  // ledger are kept in memory. A wrong secret evicts the client's row, so the
  // next right one goes past the ledger (which clears the count). Residual,
  // with N replicas: a replica whose cached row is warm and which has not yet
  // heard of a wait started elsewhere accepts the right secret. It learns
  // of the wait from the ledger at the first wrong secret it sees, so an
  // attacker spreading guesses over replicas gains at most one guess per
  // replica per wait, and a legitimate client on that replica keeps working.
  void AttachThrottle(GuessThrottle* throttle) { throttle_ = throttle; }

  // invalid_client for a missing id, an unknown client, a wrong secret, or a
  // secret presented for a public client; rate_limited while the client or
  // the address must wait after failures; temporarily_unavailable when the
  // ledger is down.
  absl::StatusOr<AuthenticatedClient> Authenticate(const PresentedCredentials& credentials);

  // The same from the cache and memory only, without blocking: nullopt when
  // the client row is not cached or the authentication failed and must be
  // counted (the caller then takes the blocking path).
  std::optional<absl::StatusOr<AuthenticatedClient>> AuthenticateCached(
      const PresentedCredentials& credentials);

  void Invalidate(const std::string& client_id);
  void InvalidateAll();

 private:
  using Record = std::shared_ptr<const storage::ClientRecord>;
  Record Cached(const std::string& client_id);
  absl::StatusOr<Record> Load(const std::string& client_id);
  // The throttle's refusal when this replica knows the client or address
  // must wait (no ledger).
  std::optional<absl::Status> RefusedFromMemory(const PresentedCredentials& credentials,
                                                storage::Time now);
  // After a failed check: refused if a wait runs, else the failure counted.
  absl::Status CountFailure(const PresentedCredentials& credentials, storage::Time now);
  // After a right secret checked against a freshly loaded row: the ledger's
  // wait, if any, else the client's count cleared.
  absl::Status CheckLedgerWait(const PresentedCredentials& credentials, storage::Time now);
  // Checks the presented secret against a loaded client (or its absence).
  absl::StatusOr<AuthenticatedClient> Verify(const PresentedCredentials& credentials,
                                             const absl::StatusOr<Record>& record);

  struct Entry {
    std::shared_ptr<const storage::ClientRecord> record;
    absl::Time fetched;
  };
  storage::ClientStore& store_;
  absl::Duration cache_ttl_;
  GuessThrottle* throttle_ = nullptr;
  std::mutex mu_;
  absl::flat_hash_map<std::string, Entry> cache_;
};

}  // namespace tokend
