// The Bearer authentication scheme of RFC 6750 §2.1, as both the HTTP bridge
// (Authorization header) and the gRPC adapters (`authorization` metadata)
// read it.
#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace tokend::bearer {

enum class Presence {
  kNone,       // no Authorization value, or another scheme (e.g. Basic)
  kMalformed,  // "Bearer" without a well-formed b64token
  kToken,
};

struct Presented {
  Presence presence = Presence::kNone;
  std::string token;  // set for kToken
};

// Parses an Authorization value: the scheme name case-insensitively, one or
// more spaces, then a b64token (RFC 6750 §2.1: ALPHA / DIGIT / "-" / "." /
// "_" / "~" / "+" / "/", then any "="), surrounding spaces tolerated.
Presented Parse(absl::string_view authorization);

}  // namespace tokend::bearer
