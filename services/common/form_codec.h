// application/x-www-form-urlencoded encoding and decoding (WHATWG URL §5,
// RFC 6749 Appendix B). Neither Boost 1.74 nor our other dependencies offer a
// public codec for it, so this is the one place it lives.
#pragma once

#include <string>
#include "absl/strings/string_view.h"
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace tokend::form {

// Decodes one form component: '+' is a space, %XX a byte. A '%' not followed
// by two hex digits is an error (InvalidArgument).
absl::StatusOr<std::string> Decode(absl::string_view in);

// Decodes one URL path segment (RFC 3986 §2.1): %XX is a byte and '+' stays
// '+' (so "a+b%40example.com" is "a+b@example.com"). Errors as Decode.
absl::StatusOr<std::string> DecodePathSegment(absl::string_view in);

// Encodes one component: unreserved characters stay, a space becomes '+',
// everything else %XX.
std::string Encode(absl::string_view in);

using Fields = std::vector<std::pair<std::string, std::string>>;

// Parses "a=1&b=2" into ordered name/value pairs (names may repeat; empty
// segments are skipped). Fails on malformed percent-encoding.
absl::StatusOr<Fields> Parse(absl::string_view body);

}  // namespace tokend::form
