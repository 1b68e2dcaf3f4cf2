// JSON answers: a small builder over google::protobuf::Struct (printed by
// protobuf's JSON printer, so no JSON code of our own), and the response
// shapes every endpoint shares, including RFC 6749 §5.2 errors.
#pragma once

#include <google/protobuf/struct.pb.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "services/http/http_types.h"

namespace tokend::http {

class JsonObject {
 public:
  JsonObject& SetString(absl::string_view key, absl::string_view value);
  // Skips the key when `value` is empty.
  JsonObject& SetStringIfNotEmpty(absl::string_view key, absl::string_view value);
  // Printed as an integer (exact up to 2^53).
  JsonObject& SetNumber(absl::string_view key, int64_t value);
  JsonObject& SetBool(absl::string_view key, bool value);
  JsonObject& SetStrings(absl::string_view key, const std::vector<std::string>& values);
  JsonObject& SetNull(absl::string_view key);
  JsonObject& SetObject(absl::string_view key, const JsonObject& value);

  std::string Serialize() const;

 private:
  google::protobuf::Value& Field(absl::string_view key);
  google::protobuf::Struct fields_;
};

// A JSON response; the session fills in version, keep-alive and length.
Response JsonResponse(bhttp::status status, const JsonObject& body);

// {"error": error, "error_description": description} with `status`.
Response ErrorResponse(bhttp::status status, absl::string_view error,
                       absl::string_view description);

// RFC 6749 §5.2: the error and HTTP status from the one table in
// services/token/oauth_error.h, the public description, no-store headers, and
// `WWW-Authenticate: Basic` on a 401 when the client used Basic (§5.2).
Response OAuthErrorResponse(const absl::Status& status, bool basic_challenge = false);

// The 503 temporarily_unavailable answer when the executor is saturated.
Response OverloadedResponse();

// Cache-Control: no-store and Pragma: no-cache (RFC 6749 §5.1).
void SetNoStore(Response& res);

}  // namespace tokend::http
