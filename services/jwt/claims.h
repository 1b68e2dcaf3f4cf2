// The claims of a JWT access token (RFC 9068 §2.2) as a struct, and their
// JSON object form.
#pragma once

#include <google/protobuf/struct.pb.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace tokend::jwt {

struct JwtClaims {
  std::string iss;
  std::string sub;
  std::vector<std::string> aud;  // one value is written as a string
  int64_t exp = 0;
  int64_t iat = 0;
  int64_t nbf = 0;
  std::string jti;
  std::string client_id;
  std::string scope;  // space separated; omitted when empty
};

// The compact JSON object, written directly (issuing a JWT writes one per
// token, and protobuf's JSON printer costs more than the ES256 signature).
std::string ClaimsToJson(const JwtClaims& claims);

// The same object as a Struct (for tests and tools that edit claims).
google::protobuf::Struct ClaimsToStruct(const JwtClaims& claims);

// Reads the claims. INVALID_ARGUMENT when iss, sub, exp, iat, jti or
// client_id is missing or of the wrong type, or aud is neither a string nor
// an array of strings. nbf defaults to iat.
absl::StatusOr<JwtClaims> ClaimsFromStruct(const google::protobuf::Struct& object);

}  // namespace tokend::jwt
