#include "services/jwt/jose.h"

#include <google/protobuf/util/json_util.h>

#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"

namespace tokend::jwt {

std::string Base64UrlEncode(absl::string_view bytes) { return absl::WebSafeBase64Escape(bytes); }

bool Base64UrlDecode(absl::string_view text, std::string* bytes) {
  if (text.size() % 4 == 1) return false;
  for (char c : text) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  }
  if (!absl::WebSafeBase64Unescape(text, bytes)) return false;
  return Base64UrlEncode(*bytes) == text;
}

absl::StatusOr<google::protobuf::Struct> ParseJsonObject(absl::string_view json) {
  google::protobuf::Struct out;
  // A Struct only parses from a JSON object; arrays, strings and numbers fail.
  if (json.empty() || json.front() != '{') return absl::InvalidArgumentError("not a JSON object");
  auto st = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), &out);
  if (!st.ok()) return absl::InvalidArgumentError("invalid JSON");
  return out;
}

std::string ToJson(const google::protobuf::Struct& object) {
  std::string out;
  // Only invalid UTF-8 can fail here; our claims are built from valid text.
  (void)google::protobuf::util::MessageToJsonString(object, &out);
  return out;
}

std::optional<std::string> StringMember(const google::protobuf::Struct& o, const std::string& key) {
  auto it = o.fields().find(key);
  if (it == o.fields().end() || it->second.kind_case() != google::protobuf::Value::kStringValue) {
    return std::nullopt;
  }
  return it->second.string_value();
}

std::optional<int64_t> IntMember(const google::protobuf::Struct& o, const std::string& key) {
  auto it = o.fields().find(key);
  if (it == o.fields().end() || it->second.kind_case() != google::protobuf::Value::kNumberValue) {
    return std::nullopt;
  }
  double v = it->second.number_value();
  if (!std::isfinite(v) || v != std::floor(v) || std::fabs(v) > 9.0e15) return std::nullopt;
  return static_cast<int64_t>(v);
}

}  // namespace tokend::jwt
