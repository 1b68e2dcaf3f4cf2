#include "services/admin/token_minter.h"

#include "services/token/scopes.h"

namespace tokend {

absl::StatusOr<TokenResponse> TokenMinter::Mint(const MintRequest& r) {
  auto user = users_.FindUser(r.user_id, r.username);
  if (!user.ok()) return user.status();
  if (r.client_id.empty()) return absl::InvalidArgumentError("client_id: required");
  auto client = clients_.Get(r.client_id);
  if (!client.ok()) return client.status();
  std::optional<std::vector<std::string>> requested;
  if (!r.scopes.empty()) requested = r.scopes;
  auto scopes = scopes::Resolve(requested, client->allowed_scopes, client->default_scopes);
  if (!scopes.ok()) {
    return absl::InvalidArgumentError("scopes: the client may not ask for every scope named");
  }
  auto token = issuer_.IssueUserTokenUntil(*client, user->id, *scopes, r.expires_at,
                                           TokenFormat::kOpaque);
  if (absl::IsInvalidArgument(token.status())) {
    return absl::InvalidArgumentError("expires_at: must lie in the future");
  }
  return token;
}

}  // namespace tokend
