// The path parameters of the identity endpoints: what follows a route's
// prefix, split on '/' and percent-decoded as path segments (RFC 3986: '+'
// stays '+', so "a+b%40example.com" is the email "a+b@example.com").
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace tokend::http {

// The `count` decoded segments of `target` (query ignored) after `prefix`;
// nullopt when the target does not start with it, a segment is empty or
// malformed, or there are more or fewer segments.
std::optional<std::vector<std::string>> PathParams(absl::string_view target,
                                                   absl::string_view prefix, size_t count);

}  // namespace tokend::http
