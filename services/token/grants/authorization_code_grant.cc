#include "services/token/grants/authorization_code_grant.h"

#include "services/authorization/pkce.h"
#include "services/common/secrets.h"
#include "services/token/oauth_error.h"
#include "services/token/scopes.h"

namespace tokend {
namespace {

// The request's redirect_uri and code_verifier against what the code was
// issued for.
absl::Status CheckBinding(const storage::AuthorizationCodeRecord& code, const TokenRequest& request) {
  if (code.redirect_uri_given ? request.redirect_uri != code.redirect_uri
                              : !request.redirect_uri.empty() && request.redirect_uri != code.redirect_uri) {
    return oauth::InvalidGrant("redirect_uri differs from the one of the authorization request.");
  }
  if (code.code_challenge.empty()) {
    if (!request.code_verifier.empty()) {
      return oauth::InvalidGrant("code_verifier was sent but the authorization request had no code_challenge.");
    }
    return absl::OkStatus();
  }
  if (request.code_verifier.empty()) return oauth::InvalidGrant("code_verifier is required.");
  if (!pkce::Matches(code.challenge_method, code.code_challenge, request.code_verifier)) {
    return oauth::InvalidGrant("code_verifier does not match the code_challenge.");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<TokenResponse> AuthorizationCodeGrant::Handle(const AuthenticatedClient& client,
                                                             const TokenRequest& request) {
  if (request.code.empty()) return oauth::InvalidRequest("code is required.");
  const storage::ClientRecord& c = client.record();
  storage::Time now = storage::Now();
  TokenResponse response;
  auto mint = [&](const storage::AuthorizationCodeRecord& code) -> absl::StatusOr<storage::NewSession> {
    if (auto st = CheckBinding(code, request); !st.ok()) return st;
    auto pending = issuer_.MintSession(c, code.user_id, scopes::Split(code.scope), request.audience,
                                       "authorization_code", request.format, code.family_id, now);
    if (!pending.ok()) return pending.status();
    response = std::move(pending->response);
    return std::move(pending->session);
  };
  auto exchange = codes_.ExchangeCode(secrets::Sha256(request.code), c.client_id, now,
                                      c.max_user_sessions, mint);
  if (!exchange.ok()) return exchange.status();
  switch (exchange->outcome) {
    case storage::CodeOutcome::kExchanged:
      issuer_.ForgetFamilies(exchange->evicted_families);
      return response;
    case storage::CodeOutcome::kReused:
      issuer_.ForgetFamilies({exchange->family_id});
      return oauth::InvalidGrant(
          "The authorization code was already used; the tokens issued for it are revoked.");
    case storage::CodeOutcome::kExpired:
      return oauth::InvalidGrant("The authorization code has expired.");
    case storage::CodeOutcome::kWrongClient:
      return oauth::InvalidGrant("The authorization code was issued to another client.");
    case storage::CodeOutcome::kUnknown:
      break;
  }
  return oauth::InvalidGrant("The authorization code is invalid.");
}

}  // namespace tokend
