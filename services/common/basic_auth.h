// The HTTP Basic client authentication scheme as RFC 6749 §2.3.1 defines it:
// base64(urlencode(client_id) ":" urlencode(client_secret)).
#pragma once

#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"

namespace tokend::basic_auth {

struct Credentials {
  std::string client_id;
  std::string client_secret;
};

// Parses an Authorization header value. The scheme name is case-insensitive.
// Fails (InvalidArgument) on another scheme, bad base64, a missing ':' or bad
// percent-encoding.
absl::StatusOr<Credentials> Parse(absl::string_view header_value);

// True when the header value uses the Basic scheme at all.
bool IsBasic(absl::string_view header_value);

// Builds the header value for the given credentials.
std::string Format(absl::string_view client_id, absl::string_view client_secret);

}  // namespace tokend::basic_auth
