// A user's or a client's tokens for operators: listing them (never their
// values or digests) and revoking all of them in batches, with progress.
// Revocations are erased from this process's token cache after each batch
// and announced to the other replicas by the ledger in the same transaction.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/token/token_cache.h"
#include "storage/admin_store.h"

namespace tokend {

struct TokenListRequest {
  storage::TokenOwner owner;  // exactly one of user_id, client_id
  bool include_inactive = false;
  int32_t page_size = 0;  // 0: 100; at most 1000
  std::string page_token;
};

struct TokenPage {
  std::vector<storage::TokenRecord> tokens;  // digests left empty
  std::string next_page_token;
};

struct RevokeProgress {
  int64_t total_families = 0;  // live sessions when the revocation started
  int64_t total_tokens = 0;    // live tokens outside sessions then
  int64_t revoked_families = 0;
  int64_t revoked_tokens = 0;
  bool done = false;
};

class TokenInventory {
 public:
  // Sessions revoked per transaction, so that none holds locks for long.
  static constexpr int kRevokeBatch = 500;

  TokenInventory(storage::TokenAdminStore& store, TokenCache& cache) : store_(store), cache_(cache) {}

  // invalid_request (INVALID_ARGUMENT) unless exactly one of user_id and
  // client_id is given, for a negative page size or a page token that is not
  // this query's; UNAVAILABLE / INTERNAL from the ledger.
  absl::StatusOr<TokenPage> List(const TokenListRequest& request);

  // Revokes every live token of `owner` (a user, a client, or a user with
  // one client), one batch per transaction, audited with "revoked by admin".
  // Calls `progress` once counted and after every batch; when it returns
  // false (the caller went away) stops with CANCELLED, keeping what was
  // revoked. invalid_request when no owner is named.
  absl::StatusOr<RevokeProgress> RevokeAll(
      const storage::TokenOwner& owner,
      const std::function<bool(const RevokeProgress&)>& progress);

 private:
  storage::TokenAdminStore& store_;
  TokenCache& cache_;
};

}  // namespace tokend
