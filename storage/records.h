// The rows of the token ledger as plain structs, shared by the OAuth core and
// the storage implementations.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tokend::storage {

using Clock = std::chrono::system_clock;
using Time = std::chrono::time_point<Clock, std::chrono::microseconds>;

inline Time Now() { return std::chrono::time_point_cast<std::chrono::microseconds>(Clock::now()); }
inline int64_t ToUnixSeconds(Time t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}
inline int64_t ToUnixMicros(Time t) { return t.time_since_epoch().count(); }
inline Time FromUnixMicros(int64_t us) { return Time(std::chrono::microseconds(us)); }

// The format of a client's access tokens when a request names none.
enum class TokenFormat { kDefault, kOpaque, kJwt };

struct ClientRecord {
  std::string client_id;
  std::string name;
  std::vector<std::string> grant_types;
  std::vector<std::string> allowed_scopes;
  std::vector<std::string> default_scopes;
  int64_t access_ttl_seconds = 7200;
  int64_t refresh_ttl_seconds = 14 * 24 * 3600;
  int32_t max_user_sessions = 2;  // 0 = unlimited
  std::vector<std::string> redirect_uris;
  std::string homepage_url;
  std::string logo_url;
  bool confidential = true;
  std::vector<std::string> permissions;
  TokenFormat default_token_format = TokenFormat::kOpaque;
  bool allow_plain_pkce = false;  // RFC 7636 "plain" (S256 is always allowed)
  std::optional<int32_t> rate_limit_per_second;  // nullopt: server default; 0: unlimited
  std::string secret_digest;  // raw SHA-256 of the secret; empty for public clients
  Time created_at{};
  Time updated_at{};
};

struct UserRecord {
  std::string id;
  std::string username;
  std::string email;
  std::string full_name;
  std::string nickname;
  std::string password_hash;  // Argon2id PHC string; empty = cannot log in
  Time created_at{};
  Time updated_at{};
  // Identity (Blender ID) profile fields.
  std::optional<Time> confirmed_email_at;
  std::optional<Time> date_deletion_requested;
  std::string avatar_url;
};

enum class TokenKind : int16_t { kAccess = 1, kRefresh = 2 };

struct TokenRecord {
  std::string digest;  // raw SHA-256 of the token string; the token itself is never stored
  TokenKind kind = TokenKind::kAccess;
  std::string client_id;
  std::string user_id;    // empty for client_credentials tokens
  std::string family_id;  // UUID of the session; empty for client_credentials tokens
  std::string scope;      // space separated
  std::string audience;
  std::string jti;
  Time issued_at{};
  Time expires_at{};
  std::optional<Time> used_at;     // refresh tokens: when it was exchanged
  std::optional<Time> revoked_at;
  // Access tokens: the format minted. kDefault for refresh tokens and for
  // tokens recorded before the ledger kept it.
  TokenFormat format = TokenFormat::kDefault;
};

// A token as Introspect sees it: the row plus its owner's username.
struct TokenState {
  TokenRecord token;
  std::string username;
};

// A JWT signing key. The private half is stored only sealed under the
// key-encryption key; the public half is published (JWKS) until
// `publish_until`.
struct SigningKeyRecord {
  std::string kid;
  std::string algorithm;           // "ES256", "EdDSA" or "RS256"
  std::string public_key;          // DER SubjectPublicKeyInfo
  std::string sealed_private_key;  // AES-256-GCM nonce ‖ ciphertext ‖ tag, AAD = kid
  Time created_at{};
  std::optional<Time> retired_at;     // null: the active key
  std::optional<Time> publish_until;  // set on retirement
};

// A page request: at most `limit` rows whose key sorts after `after`.
struct PageRequest {
  int limit = 50;
  std::string after;
};

}  // namespace tokend::storage
