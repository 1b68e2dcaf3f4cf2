#pragma once

#include "services/token/grants/grant_handler.h"
#include "services/token/token_issuer.h"

namespace tokend {

// RFC 6749 §6 with RFC 9700 §4.14.2 rotation: single-use refresh tokens,
// reuse revokes the family.
class RefreshTokenGrant final : public GrantHandler {
 public:
  explicit RefreshTokenGrant(TokenIssuer& issuer) : issuer_(issuer) {}
  absl::string_view grant_type() const override { return "refresh_token"; }
  absl::StatusOr<TokenResponse> Handle(const AuthenticatedClient& client,
                                       const TokenRequest& request) override;

 private:
  TokenIssuer& issuer_;
};

}  // namespace tokend
