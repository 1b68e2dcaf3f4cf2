// RFC 7636 Proof Key for Code Exchange: checking a code_verifier against the
// code_challenge the authorization request carried.
#pragma once

#include "absl/strings/string_view.h"

namespace tokend::pkce {

inline constexpr absl::string_view kS256 = "S256";
inline constexpr absl::string_view kPlain = "plain";

// §4.1/§4.2: 43 to 128 characters of [A-Za-z0-9-._~]. Both verifiers and
// challenges (S256 gives 43 base64url characters) have this shape.
bool WellFormed(absl::string_view value);

// §4.6: whether `verifier` answers `challenge` under `method` ("S256" or
// "plain"); compared in constant time.
bool Matches(absl::string_view method, absl::string_view challenge, absl::string_view verifier);

}  // namespace tokend::pkce
