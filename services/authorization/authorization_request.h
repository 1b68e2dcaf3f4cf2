// RFC 6749 §4.1.1 / RFC 7636 §4.3: an authorization request, checked against
// its client before anyone is asked to log in or consent.
#pragma once

#include <optional>
#include <variant>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "storage/records.h"

namespace tokend {

// The request's parameters as sent (query string for GET, form for POST).
using AuthorizationParams = absl::flat_hash_map<std::string, std::string>;

// A request fit to show to the user.
struct AuthorizationRequest {
  storage::ClientRecord client;
  std::string redirect_uri;
  bool redirect_uri_given = false;
  std::vector<std::string> scopes;
  std::string state;
  std::string code_challenge;
  std::string challenge_method;  // "S256" or "plain"; empty without PKCE
};

// Why a request cannot go on. `redirect` is false for the two errors that
// must never redirect (§4.1.2.1: unknown client, bad redirect_uri): those
// show an error page instead.
struct AuthorizationError {
  bool redirect = false;
  std::string error;  // RFC 6749 §4.1.2.1 code
  std::string description;
  std::string redirect_uri;  // when `redirect`
  std::string state;
};

// The parameters an authorization request is made of, in a fixed order (for
// echoing them through the login and consent forms).
const std::vector<std::string>& AuthorizationParamNames();

// Checks `params` against `client` (nullopt: no such client). The
// response_type is compared case-insensitively (BellaDati sends "CODE").
std::variant<AuthorizationRequest, AuthorizationError> CheckAuthorizationRequest(
    const AuthorizationParams& params, const std::optional<storage::ClientRecord>& client);

// The redirect_uri with `query` (already encoded) appended with ? or &.
std::string WithQuery(const std::string& redirect_uri, const std::string& query);

}  // namespace tokend
