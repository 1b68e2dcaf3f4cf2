// The core's request and answer types, free of gRPC, HTTP and SQL. The gRPC
// adapter and the HTTP bridge both translate into these.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "storage/records.h"

namespace tokend {

// Client credentials as presented (Basic header or request fields).
struct PresentedCredentials {
  std::string client_id;
  std::optional<std::string> client_secret;  // nullopt: none presented (public client)
  // The TCP peer's IP address as the transport saw it ("" when unknown).
  // Forwarding headers such as X-Forwarded-For are never trusted for it.
  std::string source_address;
};

// kDefault: the client's default_token_format.
using TokenFormat = storage::TokenFormat;

// One token request; `grant_type` names the grant (RFC 6749 §4, §6).
struct TokenRequest {
  std::string grant_type;
  std::string username;
  std::string password;
  std::string refresh_token;
  std::string code;
  std::string redirect_uri;
  std::string code_verifier;
  std::optional<std::vector<std::string>> scopes;  // nullopt: none requested
  std::string audience;
  TokenFormat format = TokenFormat::kDefault;
};

// RFC 6749 §5.1.
struct TokenResponse {
  std::string access_token;
  std::string token_type = "Bearer";
  int64_t expires_in = 0;
  std::string refresh_token;  // empty when none is issued
  std::string scope;
  storage::Time issued_at{};
};

// RFC 7662 §2.2. Only `active` is meaningful when it is false.
struct Introspection {
  bool active = false;
  std::string scope;
  std::string client_id;
  std::string username;
  std::string token_type;
  int64_t exp = 0;
  int64_t iat = 0;
  int64_t nbf = 0;
  std::string sub;
  std::string aud;
  std::string iss;
  std::string jti;
  std::string user_id;  // not an RFC 7662 field: empty for client tokens
};

// Completion of a non-blocking token request; may run on any thread.
using TokenCallback = std::function<void(absl::StatusOr<TokenResponse>)>;

}  // namespace tokend
