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
#include "services/token/token_types.h"
#include "storage/ledger.h"

namespace tokend {

class AuthenticatedClient {
 public:
  const storage::ClientRecord& record() const { return *record_; }
  const std::string& id() const { return record_->client_id; }
  bool HasPermission(absl::string_view permission) const;
  // True when the client is registered for the grant. refresh_token is
  // implied by password and authorization_code.
  bool AllowsGrant(absl::string_view grant_type) const;

 private:
  friend class ClientAuthenticator;
  explicit AuthenticatedClient(std::shared_ptr<const storage::ClientRecord> record)
      : record_(std::move(record)) {}
  std::shared_ptr<const storage::ClientRecord> record_;
};

class ClientAuthenticator {
 public:
  // Client rows are cached for `cache_ttl`; Invalidate() drops one at once
  // (the admin service calls it on every change).
  ClientAuthenticator(storage::ClientStore& store, absl::Duration cache_ttl);

  // invalid_client for a missing id, an unknown client, a wrong secret, or a
  // secret presented for a public client; temporarily_unavailable when the
  // ledger is down.
  absl::StatusOr<AuthenticatedClient> Authenticate(const PresentedCredentials& credentials);

  // The same from the cache only, without blocking: nullopt when the client
  // row is not cached (the caller then takes the blocking path).
  std::optional<absl::StatusOr<AuthenticatedClient>> AuthenticateCached(
      const PresentedCredentials& credentials);

  void Invalidate(const std::string& client_id);
  void InvalidateAll();

 private:
  using Record = std::shared_ptr<const storage::ClientRecord>;
  Record Cached(const std::string& client_id);
  absl::StatusOr<Record> Load(const std::string& client_id);
  // Checks the presented secret against a loaded client (or its absence).
  absl::StatusOr<AuthenticatedClient> Verify(const PresentedCredentials& credentials,
                                             const absl::StatusOr<Record>& record);

  struct Entry {
    std::shared_ptr<const storage::ClientRecord> record;
    absl::Time fetched;
  };
  storage::ClientStore& store_;
  absl::Duration cache_ttl_;
  std::mutex mu_;
  absl::flat_hash_map<std::string, Entry> cache_;
};

}  // namespace tokend
