// Registers OAuth clients: validation, secret generation (shown once, kept
// only as a digest), and cache invalidation on every change.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/token/client_auth.h"
#include "storage/ledger.h"

namespace tokend {

struct CreatedClient {
  storage::ClientRecord client;
  std::string client_secret;  // empty for public clients
};

class ClientRegistry {
 public:
  ClientRegistry(storage::ClientStore& store, ClientAuthenticator& authenticator)
      : store_(store), authenticator_(authenticator) {}

  // INVALID_ARGUMENT for a malformed field (the message names it),
  // ALREADY_EXISTS for a taken client_id. An empty client_id is generated;
  // empty grant_types mean client_credentials.
  // `imported_secret` (optional) keeps a migrating client's existing secret.
  absl::StatusOr<CreatedClient> Create(storage::ClientRecord client,
                                       const std::string& imported_secret = "");
  absl::StatusOr<storage::ClientRecord> Get(const std::string& client_id);
  absl::StatusOr<std::vector<storage::ClientRecord>> List(const storage::PageRequest& page);
  // Validates and stores `client` in full (the caller merged the mask).
  absl::StatusOr<storage::ClientRecord> Update(storage::ClientRecord client);
  absl::Status Delete(const std::string& client_id);
  // Returns the new secret; FAILED_PRECONDITION for a public client.
  absl::StatusOr<std::string> RotateSecret(const std::string& client_id);

  // INVALID_ARGUMENT naming the first bad field, or OK.
  static absl::Status Validate(const storage::ClientRecord& client);

 private:
  storage::ClientStore& store_;
  ClientAuthenticator& authenticator_;
};

}  // namespace tokend
