#include "services/token/grants/client_credentials_grant.h"

#include <future>

#include "services/token/oauth_error.h"
#include "services/token/scopes.h"

namespace tokend {

absl::StatusOr<TokenResponse> ClientCredentialsGrant::Handle(const AuthenticatedClient& client,
                                                             const TokenRequest& request) {
  std::promise<absl::StatusOr<TokenResponse>> result;
  HandleAsync(client, request, [&](absl::StatusOr<TokenResponse> r) { result.set_value(std::move(r)); });
  return result.get_future().get();
}

bool ClientCredentialsGrant::HandleAsync(const AuthenticatedClient& client,
                                         const TokenRequest& request, TokenCallback done) {
  const storage::ClientRecord& c = client.record();
  if (!c.confidential) {
    done(oauth::UnauthorizedClient("Public clients may not use the client_credentials grant."));
    return true;
  }
  auto granted = scopes::Resolve(request.scopes, c.allowed_scopes, c.default_scopes);
  if (!granted.ok()) {
    done(granted.status());
    return true;
  }
  issuer_.IssueClientToken(c, *granted, request.audience, request.format, std::move(done));
  return true;
}

}  // namespace tokend
