// The JOSE encodings (RFC 7515 §2): unpadded base64url, and JSON objects
// through google::protobuf::Struct (protobuf's JSON parser and printer, so no
// JSON code of our own).
#pragma once

#include <google/protobuf/struct.pb.h>

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tokend::jwt {

// base64url without padding.
std::string Base64UrlEncode(absl::string_view bytes);

// Strict decoding: only the base64url alphabet, no padding, and the one
// canonical encoding of the result (no stray trailing bits). False on
// anything else.
bool Base64UrlDecode(absl::string_view text, std::string* bytes);

// A JSON object (anything else, or invalid JSON, is INVALID_ARGUMENT).
absl::StatusOr<google::protobuf::Struct> ParseJsonObject(absl::string_view json);

// Compact JSON.
std::string ToJson(const google::protobuf::Struct& object);

// Typed reads of one member; nullopt when absent or of another type.
std::optional<std::string> StringMember(const google::protobuf::Struct& o, const std::string& key);
// An integral JSON number in the range of int64 (NumericDate, RFC 7519 §2).
std::optional<int64_t> IntMember(const google::protobuf::Struct& o, const std::string& key);

}  // namespace tokend::jwt
