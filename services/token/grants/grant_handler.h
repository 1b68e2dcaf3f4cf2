// One OAuth grant (RFC 6749 §4, §6). Each grant lives in its own file and is
// registered explicitly with the TokenService under its grant_type.
#pragma once

#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"
#include "services/token/client_auth.h"
#include "services/token/token_types.h"

namespace tokend {

class GrantHandler {
 public:
  virtual ~GrantHandler() = default;
  // The grant_type value this handler serves.
  virtual absl::string_view grant_type() const = 0;
  // Serves a request from a client already authenticated and allowed this
  // grant. Errors are OAuth errors (oauth_error.h).
  virtual absl::StatusOr<TokenResponse> Handle(const AuthenticatedClient& client,
                                               const TokenRequest& request) = 0;

  // The same without blocking, for grants that can: returns false (and never
  // calls `done`) when this grant needs to block; otherwise `done` runs once,
  // on any thread.
  // Whether HandleAsync can ever answer (so callers may commit to it).
  virtual bool CanHandleAsync() const { return false; }
  virtual bool HandleAsync(const AuthenticatedClient& client, const TokenRequest& request,
                           TokenCallback done) {
    return false;
  }
};

}  // namespace tokend
