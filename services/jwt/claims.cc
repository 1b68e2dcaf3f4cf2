#include "services/jwt/claims.h"

#include "absl/strings/str_cat.h"
#include "services/common/json_string.h"
#include "services/jwt/jose.h"

namespace tokend::jwt {

using google::protobuf::Struct;

namespace {

// ,"name":value — every member after the first ("iss").
void AppendMember(std::string* out, absl::string_view name, absl::string_view value) {
  out->push_back(',');
  json::AppendString(out, name);
  out->push_back(':');
  json::AppendString(out, value);
}

void AppendMember(std::string* out, absl::string_view name, int64_t value) {
  out->push_back(',');
  json::AppendString(out, name);
  absl::StrAppend(out, ":", value);
}

}  // namespace

std::string ClaimsToJson(const JwtClaims& c) {
  std::string out = "{";
  out.reserve(256 + c.scope.size());
  json::AppendString(&out, "iss");
  out.push_back(':');
  json::AppendString(&out, c.iss);
  AppendMember(&out, "sub", c.sub);
  if (c.aud.size() == 1) {
    AppendMember(&out, "aud", c.aud[0]);
  } else if (!c.aud.empty()) {
    out.append(",\"aud\":[");
    for (size_t i = 0; i < c.aud.size(); ++i) {
      if (i > 0) out.push_back(',');
      json::AppendString(&out, c.aud[i]);
    }
    out.push_back(']');
  }
  AppendMember(&out, "exp", c.exp);
  AppendMember(&out, "iat", c.iat);
  AppendMember(&out, "nbf", c.nbf);
  AppendMember(&out, "jti", c.jti);
  AppendMember(&out, "client_id", c.client_id);
  if (!c.scope.empty()) AppendMember(&out, "scope", c.scope);
  out.push_back('}');
  return out;
}

Struct ClaimsToStruct(const JwtClaims& c) {
  // Valid UTF-8 in, a JSON object out: the parse cannot fail.
  return *ParseJsonObject(ClaimsToJson(c));
}

absl::StatusOr<JwtClaims> ClaimsFromStruct(const Struct& s) {
  JwtClaims c;
  auto iss = StringMember(s, "iss");
  auto sub = StringMember(s, "sub");
  auto exp = IntMember(s, "exp");
  auto iat = IntMember(s, "iat");
  auto jti = StringMember(s, "jti");
  auto client_id = StringMember(s, "client_id");
  if (!iss || !sub || !exp || !iat || !jti || !client_id) {
    return absl::InvalidArgumentError("a required claim is missing or mistyped");
  }
  c.iss = *iss;
  c.sub = *sub;
  c.exp = *exp;
  c.iat = *iat;
  c.jti = *jti;
  c.client_id = *client_id;
  if (s.fields().contains("nbf")) {
    auto nbf = IntMember(s, "nbf");
    if (!nbf) return absl::InvalidArgumentError("nbf is mistyped");
    c.nbf = *nbf;
  } else {
    c.nbf = c.iat;
  }
  if (s.fields().contains("scope")) {
    auto scope = StringMember(s, "scope");
    if (!scope) return absl::InvalidArgumentError("scope is mistyped");
    c.scope = *scope;
  }
  if (auto it = s.fields().find("aud"); it != s.fields().end()) {
    if (it->second.has_string_value()) {
      c.aud.push_back(it->second.string_value());
    } else if (it->second.has_list_value()) {
      for (const auto& v : it->second.list_value().values()) {
        if (!v.has_string_value()) return absl::InvalidArgumentError("aud is mistyped");
        c.aud.push_back(v.string_value());
      }
    } else {
      return absl::InvalidArgumentError("aud is mistyped");
    }
  }
  return c;
}

}  // namespace tokend::jwt
