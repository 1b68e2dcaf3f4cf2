#include "services/token/grants/client_credentials_grant.h"

#include "services/token/oauth_error.h"
#include "services/token/scopes.h"

namespace tokend {

absl::StatusOr<TokenResponse> ClientCredentialsGrant::Handle(const AuthenticatedClient& client,
                                                             const TokenRequest& request) {
  const storage::ClientRecord& c = client.record();
  if (!c.confidential) {
    return oauth::UnauthorizedClient("Public clients may not use the client_credentials grant.");
  }
  auto granted = scopes::Resolve(request.scopes, c.allowed_scopes, c.default_scopes);
  if (!granted.ok()) return granted.status();
  return issuer_.IssueClientToken(c, *granted, request.audience);
}

}  // namespace tokend
