// Operator-minted access tokens for system accounts (seed 002: "Add an OAuth2
// token to the Blender Studio user for the Blender ID API application. Make
// sure it doesn't expire any time soon"). Minting itself is TokenIssuer's.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/admin/client_registry.h"
#include "services/admin/role_registry.h"
#include "services/token/token_issuer.h"

namespace tokend {

struct MintRequest {
  std::string user_id;   // or
  std::string username;
  std::string client_id;
  std::vector<std::string> scopes;  // empty: the client's default scopes
  storage::Time expires_at{};
};

class TokenMinter {
 public:
  TokenMinter(ClientRegistry& clients, RoleRegistry& users, TokenIssuer& issuer)
      : clients_(clients), users_(users), issuer_(issuer) {}

  // NOT_FOUND for an unknown client or user; INVALID_ARGUMENT for a scope
  // the client may not ask for, or an expiry that has passed. The token is
  // always opaque: a JWT would outlive the key that signed it.
  absl::StatusOr<TokenResponse> Mint(const MintRequest& request);

 private:
  ClientRegistry& clients_;
  RoleRegistry& users_;
  TokenIssuer& issuer_;
};

}  // namespace tokend
