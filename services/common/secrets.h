// Random token minting, digests and constant-time comparison — the only place
// tokend touches its CSPRNG and hash primitives (OpenSSL).
#pragma once

#include <string>
#include "absl/strings/string_view.h"

namespace tokend::secrets {

// `n` bytes from OpenSSL's CSPRNG. Aborts if the CSPRNG fails: issuing a
// predictable token is worse than not running.
std::string RandomBytes(size_t n);

// A 256-bit random token, base64url without padding, after a short type
// prefix ("tda_" access, "tdr_" refresh, "tds_" client secret...) so that a
// leaked token is recognisable by secret scanners.
std::string NewToken(absl::string_view prefix);

// A random RFC 4122 version 4 UUID in its canonical text form.
std::string NewUuid();

// The raw 32-byte SHA-256 digest of `data`.
std::string Sha256(absl::string_view data);

// Lower-case hex of `bytes`.
std::string Hex(absl::string_view bytes);

// Compares two secrets in time independent of where they differ. Inputs of
// different length compare unequal (their lengths are not secret: digests).
bool ConstantTimeEquals(absl::string_view a, absl::string_view b);

}  // namespace tokend::secrets
