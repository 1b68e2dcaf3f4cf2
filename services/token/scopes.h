// Scope strings (RFC 6749 §3.3): parsing, validation and the client policy.
#pragma once

#include <optional>
#include <string>
#include "absl/strings/string_view.h"
#include <vector>

#include "absl/status/statusor.h"

namespace tokend::scopes {

// Splits a space-delimited scope string; repeated spaces are tolerated.
std::vector<std::string> Split(absl::string_view scope);

// Joins scopes with single spaces, in the given order.
std::string Join(const std::vector<std::string>& scopes);

// True for a non-empty scope-token of NQCHARs (%x21 / %x23-5B / %x5D-7E).
bool IsValidToken(absl::string_view token);

// Applies the client policy: no request → the defaults; every requested
// scope must be allowed (invalid_scope otherwise) and well formed
// (invalid_scope). Duplicates are removed, first occurrence kept.
absl::StatusOr<std::vector<std::string>> Resolve(
    const std::optional<std::vector<std::string>>& requested,
    const std::vector<std::string>& allowed, const std::vector<std::string>& defaults);

// The scope a user token carries when the request names none and the client
// has no default scopes (Blender ID, seed 002: "email: The default scope for
// any token given to a user upon login").
inline constexpr char kUserDefaultScope[] = "email";

// The defaults for a user grant (password, authorization_code): the client's
// default scopes, or {kUserDefaultScope} when it has none.
std::vector<std::string> UserDefaults(const std::vector<std::string>& client_defaults);

// For a refresh: the requested scopes must lie within `granted` (never widen).
absl::StatusOr<std::vector<std::string>> Narrow(
    const std::optional<std::vector<std::string>>& requested,
    const std::vector<std::string>& granted);

}  // namespace tokend::scopes
