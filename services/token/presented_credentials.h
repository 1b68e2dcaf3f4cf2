// Decides which client credentials a request presents (RFC 6749 §2.3):
// HTTP Basic / gRPC `authorization: Basic` metadata, or id and secret in the
// request itself — never both.
#pragma once

#include <optional>
#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"
#include "services/token/token_types.h"

namespace tokend {

struct PresentedAuth {
  PresentedCredentials credentials;
  bool used_basic = false;  // the HTTP bridge answers 401 + WWW-Authenticate then
};

// `authorization` is the Authorization header / metadata value (empty when
// absent; a non-Basic scheme is ignored). invalid_request when both methods
// carry a secret, when a body client_id contradicts the Basic one, or when the
// Basic value is malformed.
absl::StatusOr<PresentedAuth> ResolveCredentials(absl::string_view authorization,
                                                 const std::string& body_client_id,
                                                 const std::optional<std::string>& body_secret);

}  // namespace tokend
