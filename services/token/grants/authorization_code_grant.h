#pragma once

#include "services/token/grants/grant_handler.h"
#include "services/token/token_issuer.h"
#include "storage/authorization_store.h"

namespace tokend {

// RFC 6749 §4.1.3 with RFC 7636: exchanges a single-use code for a session.
// The code must be the client's, live (60 s), presented with the
// redirect_uri of its request (when that request named one) and with the
// verifier of its PKCE challenge (a verifier without a challenge is refused,
// RFC 9700 §2.1.1). A second exchange revokes every token the first one got.
class AuthorizationCodeGrant final : public GrantHandler {
 public:
  AuthorizationCodeGrant(storage::AuthorizationStore& codes, TokenIssuer& issuer)
      : codes_(codes), issuer_(issuer) {}
  absl::string_view grant_type() const override { return "authorization_code"; }
  absl::StatusOr<TokenResponse> Handle(const AuthenticatedClient& client,
                                       const TokenRequest& request) override;

 private:
  storage::AuthorizationStore& codes_;
  TokenIssuer& issuer_;
};

}  // namespace tokend
