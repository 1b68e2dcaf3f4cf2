#include "storage/postgres/row_codec.h"

#include <pqxx/pqxx>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace tokend::storage::pg {

ArrayLiteral& ArrayLiteral::Text(absl::string_view value) {
  Separate();
  out_.push_back('"');
  for (char c : value) {
    if (c == '"' || c == '\\') out_.push_back('\\');
    out_.push_back(c);
  }
  out_.push_back('"');
  return *this;
}

ArrayLiteral& ArrayLiteral::Int(int64_t value) {
  Separate();
  absl::StrAppend(&out_, value);
  return *this;
}

std::string ArrayLiteral::Take() {
  out_.push_back('}');
  return std::move(out_);
}

std::string TextArray(const std::vector<std::string>& values) {
  ArrayLiteral array;
  for (const auto& v : values) array.Text(v);
  return array.Take();
}

template <typename Int>
std::string IntArray(const std::vector<Int>& values) {
  ArrayLiteral array;
  for (Int v : values) array.Int(v);
  return array.Take();
}
template std::string IntArray<int64_t>(const std::vector<int64_t>&);
template std::string IntArray<int>(const std::vector<int>&);

std::vector<std::string> ParseTextArray(const pqxx::field& f) {
  std::vector<std::string> out;
  if (f.is_null()) return out;
  pqxx::array_parser parser = f.as_array();
  for (;;) {
    auto [junction, value] = parser.get_next();
    if (junction == pqxx::array_parser::done) break;
    if (junction == pqxx::array_parser::string_value) out.push_back(value);
  }
  return out;
}

std::optional<Time> OptionalMicros(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return FromUnixMicros(f.as<int64_t>());
}

std::string OptionalMicrosParam(const std::optional<Time>& t) {
  return t ? std::to_string(ToUnixMicros(*t)) : std::string();
}

std::string ToHex(const std::string& raw) { return absl::BytesToHexString(raw); }
std::string FromHex(const std::string& hex) { return absl::HexStringToBytes(hex); }

ClientRecord ClientFromRow(const pqxx::row& r) {
  ClientRecord c;
  c.client_id = r[0].as<std::string>();
  c.name = r[1].as<std::string>();
  c.secret_digest = FromHex(r[2].as<std::string>());
  c.grant_types = ParseTextArray(r[3]);
  c.allowed_scopes = ParseTextArray(r[4]);
  c.default_scopes = ParseTextArray(r[5]);
  c.access_ttl_seconds = r[6].as<int64_t>();
  c.refresh_ttl_seconds = r[7].as<int64_t>();
  c.max_user_sessions = r[8].as<int>();
  c.redirect_uris = ParseTextArray(r[9]);
  c.homepage_url = r[10].as<std::string>();
  c.logo_url = r[11].as<std::string>();
  c.confidential = r[12].as<bool>();
  c.permissions = ParseTextArray(r[13]);
  c.created_at = FromUnixMicros(r[14].as<int64_t>());
  c.updated_at = FromUnixMicros(r[15].as<int64_t>());
  c.default_token_format = TokenFormatFromName(r[16].as<std::string>());
  c.allow_plain_pkce = r[17].as<bool>();
  if (int rate = r[18].as<int>(); rate >= 0) c.rate_limit_per_second = rate;
  return c;
}

std::string TokenFormatName(TokenFormat format) {
  return format == TokenFormat::kJwt ? "jwt" : "opaque";
}

TokenFormat TokenFormatFromName(const std::string& name) {
  return name == "jwt" ? TokenFormat::kJwt : TokenFormat::kOpaque;
}

SigningKeyRecord KeyFromRow(const pqxx::row& r) {
  SigningKeyRecord k;
  k.kid = r[0].as<std::string>();
  k.algorithm = r[1].as<std::string>();
  k.public_key = FromHex(r[2].as<std::string>());
  k.sealed_private_key = FromHex(r[3].as<std::string>());
  k.created_at = FromUnixMicros(r[4].as<int64_t>());
  k.retired_at = OptionalMicros(r[5]);
  k.publish_until = OptionalMicros(r[6]);
  return k;
}

UserRecord UserFromRow(const pqxx::row& r) {
  UserRecord u;
  u.id = r[0].as<std::string>();
  u.username = r[1].as<std::string>();
  u.email = r[2].as<std::string>();
  u.full_name = r[3].as<std::string>();
  u.nickname = r[4].as<std::string>();
  u.password_hash = r[5].as<std::string>();
  u.created_at = FromUnixMicros(r[6].as<int64_t>());
  u.updated_at = FromUnixMicros(r[7].as<int64_t>());
  u.confirmed_email_at = OptionalMicros(r[8]);
  u.date_deletion_requested = OptionalMicros(r[9]);
  u.avatar_url = r[10].as<std::string>();
  return u;
}

TokenRecord TokenFromRow(const pqxx::row& r, int first) {
  TokenRecord t;
  t.digest = FromHex(r[first + 0].as<std::string>());
  t.kind = static_cast<TokenKind>(r[first + 1].as<int>());
  t.client_id = r[first + 2].as<std::string>();
  t.user_id = r[first + 3].as<std::string>();
  t.family_id = r[first + 4].as<std::string>();
  t.scope = r[first + 5].as<std::string>();
  t.audience = r[first + 6].as<std::string>();
  t.jti = r[first + 7].as<std::string>();
  t.issued_at = FromUnixMicros(r[first + 8].as<int64_t>());
  t.expires_at = FromUnixMicros(r[first + 9].as<int64_t>());
  t.used_at = OptionalMicros(r[first + 10]);
  t.revoked_at = OptionalMicros(r[first + 11]);
  return t;
}

}  // namespace tokend::storage::pg
