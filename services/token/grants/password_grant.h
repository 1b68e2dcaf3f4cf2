#pragma once

#include "services/token/grants/grant_handler.h"
#include "services/token/guess_throttle.h"
#include "services/token/password_hasher.h"
#include "services/token/token_issuer.h"
#include "storage/ledger.h"

namespace tokend {

// RFC 6749 §4.3: the resource owner's username and password, checked
// against an Argon2id hash. An unknown user and a wrong password give the
// same invalid_grant after the same work. Opens a session under the client's
// session limit. With a throttle, failures are counted per username and per
// source address, and while either must wait every attempt is refused
// (rate_limited), the right password too.
class PasswordGrant final : public GrantHandler {
 public:
  PasswordGrant(storage::UserStore& users, const PasswordHasher& hasher, TokenIssuer& issuer,
                GuessThrottle* throttle = nullptr)
      : users_(users), hasher_(hasher), issuer_(issuer), throttle_(throttle) {}
  absl::string_view grant_type() const override { return "password"; }
  absl::StatusOr<TokenResponse> Handle(const AuthenticatedClient& client,
                                       const TokenRequest& request) override;

 private:
  storage::UserStore& users_;
  const PasswordHasher& hasher_;
  TokenIssuer& issuer_;
  GuessThrottle* throttle_;
};

}  // namespace tokend
