// AIP-158 paging for the operator listings: page sizes and opaque page
// tokens. A token carries the keyset of the last row served and a
// fingerprint of the query it belongs to, base64url-encoded; anything that
// does not decode to a token of the same listing and query is rejected.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tokend::paging {

inline constexpr int kDefaultPageSize = 100;
inline constexpr int kMaxPageSize = 1000;

// 0 → the default; above the maximum → the maximum; negative → invalid_request.
absl::StatusOr<int> PageSize(int32_t requested);

// A short digest of the query's filters (each part separated unambiguously).
std::string Fingerprint(const std::vector<std::string>& filters);

// The token for a page that ends at `key` (the keyset parts, none holding '|').
std::string Encode(absl::string_view listing, absl::string_view fingerprint,
                   const std::vector<std::string>& key);

// invalid_request: the page token is not one this listing handed out.
absl::Status InvalidPageToken();

// The keyset parts of `token`; invalid_request (INVALID_ARGUMENT) when it is
// malformed, of another listing or query, or has not `parts` parts.
absl::StatusOr<std::vector<std::string>> Decode(absl::string_view token,
                                                absl::string_view listing,
                                                absl::string_view fingerprint, size_t parts);

}  // namespace tokend::paging
