// Why a JWT was refused: one precise code per check, carried as structured
// data on an absl::Status (never parsed back from the message).
#pragma once

#include <optional>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace tokend::jwt {

enum class JwtError {
  kTooLarge,              // over kMaxTokenBytes
  kMalformed,             // not three base64url parts, bad JSON, missing claims
  kWrongType,             // header typ is not at+jwt (RFC 9068 §2.1)
  kUnsupportedAlgorithm,  // alg none, HS*, or anything but ES256/EdDSA/RS256
  kUnknownKey,            // no published key has this kid
  kAlgorithmMismatch,     // alg is not the algorithm of the kid's key
  kBadSignature,
  kExpired,
  kNotYetValid,
  kWrongIssuer,
  kWrongAudience,
  kRevoked,               // the verifier's optional revocation check said so
  kRevocationUnknown,     // that check could not be made (fails closed)
  kKeysUnavailable,       // the key set could not be fetched
};

// The largest token any verifier accepts (8 KiB).
inline constexpr size_t kMaxTokenBytes = 8 * 1024;

// A stable snake_case name, e.g. "bad_signature".
absl::string_view JwtErrorName(JwtError code);

// UNAUTHENTICATED (UNAVAILABLE for kKeysUnavailable and kRevocationUnknown)
// carrying `code`.
absl::Status Error(JwtError code, absl::string_view message);

// The code a status from Error() carries; nullopt for any other status.
std::optional<JwtError> JwtErrorOf(const absl::Status& status);

}  // namespace tokend::jwt
