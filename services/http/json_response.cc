#include "services/http/json_response.h"

#include <google/protobuf/util/json_util.h>

#include "services/http/access_log.h"
#include "services/token/oauth_error.h"

namespace tokend::http {

google::protobuf::Value& JsonObject::Field(absl::string_view key) {
  return (*fields_.mutable_fields())[std::string(key)];
}

JsonObject& JsonObject::SetString(absl::string_view key, absl::string_view value) {
  Field(key).set_string_value(std::string(value));
  return *this;
}

JsonObject& JsonObject::SetStringIfNotEmpty(absl::string_view key, absl::string_view value) {
  return value.empty() ? *this : SetString(key, value);
}

JsonObject& JsonObject::SetNumber(absl::string_view key, int64_t value) {
  Field(key).set_number_value(static_cast<double>(value));
  return *this;
}

JsonObject& JsonObject::SetBool(absl::string_view key, bool value) {
  Field(key).set_bool_value(value);
  return *this;
}

JsonObject& JsonObject::SetStrings(absl::string_view key, const std::vector<std::string>& values) {
  auto* list = Field(key).mutable_list_value();
  for (const auto& v : values) list->add_values()->set_string_value(v);
  return *this;
}

JsonObject& JsonObject::SetNull(absl::string_view key) {
  Field(key).set_null_value(google::protobuf::NULL_VALUE);
  return *this;
}

JsonObject& JsonObject::SetObject(absl::string_view key, const JsonObject& value) {
  *Field(key).mutable_struct_value() = value.fields_;
  return *this;
}

std::string JsonObject::Serialize() const {
  std::string out;
  // Only invalid UTF-8 can fail here; the printer then drops the string.
  (void)google::protobuf::util::MessageToJsonString(fields_, &out);
  return out;
}

Response JsonResponse(bhttp::status status, const JsonObject& body) {
  Response res{status, 11};
  res.set(bhttp::field::content_type, "application/json");
  res.body() = body.Serialize();
  return res;
}

Response ErrorResponse(bhttp::status status, absl::string_view error,
                       absl::string_view description) {
  Response res = JsonResponse(
      status, JsonObject().SetString("error", error).SetString("error_description", description));
  NoteOutcome(res, error);
  return res;
}

Response OAuthErrorResponse(const absl::Status& status, bool basic_challenge) {
  const oauth::ErrorMapping& row = oauth::MappingFor(oauth::CodeOf(status));
  Response res = ErrorResponse(static_cast<bhttp::status>(row.http_status), row.name,
                               oauth::PublicDescription(status));
  SetNoStore(res);
  if (basic_challenge && row.http_status == 401) {
    res.set(bhttp::field::www_authenticate, "Basic realm=\"tokend\"");
  }
  if (row.http_status == 503) res.set(bhttp::field::retry_after, "1");
  if (row.http_status == 429) {
    res.set(bhttp::field::retry_after, std::to_string(oauth::RetryAfterSeconds(status).value_or(1)));
  }
  return res;
}

Response OverloadedResponse() {
  return OAuthErrorResponse(oauth::Error(oauth::ErrorCode::kTemporarilyUnavailable,
                                         "The server is overloaded; retry shortly."));
}

void SetNoStore(Response& res) {
  res.set(bhttp::field::cache_control, "no-store");
  res.set(bhttp::field::pragma, "no-cache");
}

}  // namespace tokend::http
