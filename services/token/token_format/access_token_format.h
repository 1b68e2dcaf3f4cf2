// Access-token strategies (fosite's "token strategies"): how an access token
// string is minted, and what the string itself proves before the ledger is
// asked. TokenIssuer mints through one; TokenService checks through one.
// Refresh tokens are always opaque.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "storage/records.h"

namespace tokend {

// What goes into an access token (RFC 9068 §2.2 for JWTs).
struct AccessTokenClaims {
  std::string client_id;
  std::string user_id;   // empty for client_credentials (sub is then the client)
  std::string scope;     // space separated
  std::string audience;  // requested; a format may fill in its default
  std::string jti;
  storage::Time issued_at{};
  storage::Time expires_at{};
};

// The token-side verdict on a presented token.
enum class TokenCheck {
  kPassed,         // the ledger decides (opaque), or signature and times hold (JWT)
  kRejected,       // inactive whatever the ledger says
  kNeedsBlocking,  // cannot tell without blocking work (reload keys): retry off the reactor
};

class AccessTokenFormat {
 public:
  virtual ~AccessTokenFormat() = default;

  // The token string for `claims`; may fill in defaults it applies (the JWT
  // format's audience), which the issuer then records. server_error (or
  // temporarily_unavailable) when it cannot mint now.
  virtual absl::StatusOr<std::string> Mint(AccessTokenClaims& claims) = 0;

  // True when `token` has this format's shape (nothing verified).
  virtual bool Recognizes(absl::string_view token) const = 0;

  // What the string itself proves. `digest` is its SHA-256 (the ledger key).
  // With `may_block` false the check runs on a reactor thread and must not
  // block.
  virtual TokenCheck Check(absl::string_view token, absl::string_view digest, bool may_block) = 0;
};

}  // namespace tokend
