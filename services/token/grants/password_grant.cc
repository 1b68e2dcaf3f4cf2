#include "services/token/grants/password_grant.h"

#include "services/token/oauth_error.h"
#include "services/token/scopes.h"

namespace tokend {
namespace {

constexpr GuessKind kKind = GuessKind::kPassword;

}  // namespace

absl::StatusOr<TokenResponse> PasswordGrant::Handle(const AuthenticatedClient& client,
                                                    const TokenRequest& request) {
  if (request.username.empty() || request.password.empty()) {
    return oauth::InvalidRequest("The password grant needs username and password.");
  }
  const storage::ClientRecord& c = client.record();
  auto granted =
      scopes::Resolve(request.scopes, c.allowed_scopes, scopes::UserDefaults(c.default_scopes));
  if (!granted.ok()) return granted.status();

  const std::string& address = client.source_address();
  storage::Time now = storage::Now();
  if (throttle_ != nullptr) {
    if (auto st = throttle_->Admit(kKind, request.username, address, now); !st.ok()) return st;
  }
  auto user = users_.GetUserByUsername(request.username);
  if (!user.ok() && !absl::IsNotFound(user.status())) return user.status();
  std::string hash = user.ok() ? user->password_hash : "";
  if (!hasher_.Verify(hash, request.password) || !user.ok()) {
    if (throttle_ != nullptr) {
      auto counted = throttle_->RecordFailure(kKind, request.username, address, now);
      if (!counted.ok()) return counted.status();
    }
    return oauth::InvalidGrant("The username or password is incorrect.");
  }
  if (throttle_ != nullptr) {
    if (auto st = throttle_->RecordSuccess(kKind, request.username); !st.ok()) return st;
  }
  return issuer_.OpenUserSession(c, user->id, *granted, request.audience, "password",
                                 request.format);
}

}  // namespace tokend
