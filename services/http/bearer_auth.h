// RFC 6750 on the HTTP bridge: reads the Bearer token of a request, verifies
// it, and builds the refusals with their WWW-Authenticate challenges (§3).
#pragma once

#include <optional>

#include "absl/status/status.h"
#include "services/http/http_types.h"
#include "services/identity/bearer_principal.h"

namespace tokend::http {

// The principal of the request's `Authorization: Bearer` token, or nullopt
// with `*refusal` set: 401 with a bare `Bearer realm="tokend"` challenge when
// no Bearer token was sent (§3.1: no error attribute), 400 invalid_request
// for a malformed one, 401 invalid_token for an unknown, expired or revoked
// token, 503 when the ledger cannot be asked. Blocking.
std::optional<identity::BearerPrincipal> AuthenticateBearer(const Request& req,
                                                           const identity::BearerVerifier& verifier,
                                                           Response* refusal);

// The answer for a failed resource call: the JSON error from the one table
// (services/token/oauth_error.h), no-store, and for invalid_token,
// insufficient_scope (with the `scope` it needs) and invalid_request the
// `WWW-Authenticate: Bearer` challenge of §3.
Response BearerErrorResponse(const absl::Status& status);

// The `WWW-Authenticate` value for `status` (§3): realm, error,
// error_description and, for insufficient_scope, scope.
std::string BearerChallenge(const absl::Status& status);

}  // namespace tokend::http
