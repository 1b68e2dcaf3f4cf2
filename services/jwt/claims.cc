#include "services/jwt/claims.h"

#include "services/jwt/jose.h"

namespace tokend::jwt {

using google::protobuf::Struct;

Struct ClaimsToStruct(const JwtClaims& c) {
  Struct s;
  auto& f = *s.mutable_fields();
  f["iss"].set_string_value(c.iss);
  f["sub"].set_string_value(c.sub);
  if (c.aud.size() == 1) {
    f["aud"].set_string_value(c.aud[0]);
  } else if (!c.aud.empty()) {
    auto* list = f["aud"].mutable_list_value();
    for (const auto& a : c.aud) list->add_values()->set_string_value(a);
  }
  f["exp"].set_number_value(static_cast<double>(c.exp));
  f["iat"].set_number_value(static_cast<double>(c.iat));
  f["nbf"].set_number_value(static_cast<double>(c.nbf));
  f["jti"].set_string_value(c.jti);
  f["client_id"].set_string_value(c.client_id);
  if (!c.scope.empty()) f["scope"].set_string_value(c.scope);
  return s;
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
