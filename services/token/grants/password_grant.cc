#include "services/token/grants/password_grant.h"

#include "services/token/oauth_error.h"
#include "services/token/scopes.h"

namespace tokend {

absl::StatusOr<TokenResponse> PasswordGrant::Handle(const AuthenticatedClient& client,
                                                    const TokenRequest& request) {
  if (request.username.empty() || request.password.empty()) {
    return oauth::InvalidRequest("The password grant needs username and password.");
  }
  const storage::ClientRecord& c = client.record();
  auto granted =
      scopes::Resolve(request.scopes, c.allowed_scopes, scopes::UserDefaults(c.default_scopes));
  if (!granted.ok()) return granted.status();

  auto user = users_.GetUserByUsername(request.username);
  if (!user.ok() && !absl::IsNotFound(user.status())) return user.status();
  std::string hash = user.ok() ? user->password_hash : "";
  if (!hasher_.Verify(hash, request.password) || !user.ok()) {
    return oauth::InvalidGrant("The username or password is incorrect.");
  }
  return issuer_.OpenUserSession(c, user->id, *granted, request.audience, "password",
                                 request.format);
}

}  // namespace tokend
