// Request ids: what a caller sent (x-request-id metadata, X-Request-Id
// header) when it is safe to log and echo, else a fresh random one.
#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace tokend::logging {

// Longest request id accepted from a caller.
inline constexpr size_t kMaxRequestIdLength = 128;

// True for 1..kMaxRequestIdLength characters of [A-Za-z0-9._:/+=@-]
// (UUIDs, trace ids, base64): nothing that could break a log line or a
// header.
bool IsValidRequestId(absl::string_view id);

// 128 random bits from the CSPRNG as 32 lower-case hex digits.
std::string NewRequestId();

// `presented` when valid, else NewRequestId() (absent, empty, too long or
// with other characters: the caller's value is dropped, never logged).
std::string RequestIdOr(absl::string_view presented);

}  // namespace tokend::logging
