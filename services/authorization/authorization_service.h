// The browser side of the authorization code flow (RFC 6749 §4.1): checks
// authorization requests, logs users in (throttled), remembers consent and
// issues single-use codes. No HTTP here: services/http/authorize_endpoints
// turns these calls into pages, cookies and redirects. Blocking.
#pragma once

#include <chrono>
#include <string>
#include <variant>

#include "absl/status/statusor.h"
#include "services/authorization/authorization_request.h"
#include "services/token/guess_throttle.h"
#include "services/token/password_hasher.h"
#include "storage/authorization_store.h"
#include "storage/ledger.h"

namespace tokend {

class AuthorizationService {
 public:
  struct Options {
    std::string issuer;  // sent back as `iss` with the code (RFC 9207)
    std::chrono::seconds code_ttl{60};
    std::chrono::seconds session_ttl{8 * 3600};
  };

  // Logins are throttled through `throttle` (kind "login"), per username and
  // per address.
  AuthorizationService(Options options, storage::ClientStore& clients, storage::UserStore& users,
                       storage::AuthorizationStore& store, const PasswordHasher& hasher,
                       GuessThrottle& throttle);

  using Checked = std::variant<AuthorizationRequest, AuthorizationError>;
  // CheckAuthorizationRequest with the client looked up.
  absl::StatusOr<Checked> Check(const AuthorizationParams& params);

  struct Login {
    std::string session;  // the cookie value; only its digest is stored
    storage::UserRecord user;
  };
  // PERMISSION_DENIED for a wrong username or password (the same answer,
  // after the same work, for both); oauth rate_limited, carrying the seconds
  // to wait (oauth::RetryAfterSeconds), while throttled.
  absl::StatusOr<Login> LogIn(const std::string& username, const std::string& password,
                              const std::string& address);
  // The user a session cookie stands for; NOT_FOUND when unknown or expired.
  absl::StatusOr<storage::UserRecord> SessionUser(const std::string& session);
  absl::Status LogOut(const std::string& session);

  // Whether the user has already consented to every scope asked for.
  absl::StatusOr<bool> HasConsent(const std::string& user_id, const AuthorizationRequest& request);

  // Issues a code for the user (saving the consent first when asked) and
  // returns the URL to send the browser to.
  absl::StatusOr<std::string> Approve(const storage::UserRecord& user,
                                      const AuthorizationRequest& request, bool save_consent);

  std::chrono::seconds session_ttl() const { return options_.session_ttl; }

  // The redirect for an error that goes back to the application.
  static std::string ErrorRedirect(const AuthorizationError& error);

 private:
  Options options_;
  storage::ClientStore& clients_;
  storage::UserStore& users_;
  storage::AuthorizationStore& store_;
  const PasswordHasher& hasher_;
  GuessThrottle& throttle_;
};

}  // namespace tokend
