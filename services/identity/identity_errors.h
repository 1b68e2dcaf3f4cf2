// The identity API's refusals, as statuses carrying their code from the one
// table (services/token/oauth_error.h). insufficient_scope also carries the
// scope the call needs, for the RFC 6750 §3 `scope` attribute.
#pragma once

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace tokend::identity {

// insufficient_scope (403 / PERMISSION_DENIED) naming `scope`.
absl::Status InsufficientScope(absl::string_view scope);
// The scope an insufficient_scope status names; nullopt for any other status.
std::optional<std::string> RequiredScopeOf(const absl::Status& status);

// access_denied (403 / PERMISSION_DENIED).
absl::Status AccessDenied(absl::string_view description);

}  // namespace tokend::identity
