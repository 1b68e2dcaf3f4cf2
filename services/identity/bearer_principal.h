// RFC 6750 resource access: who an access token presented as a Bearer
// credential stands for. A BearerPrincipal can only come out of
// BearerVerifier, so unchecked input cannot pass as a verified token.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/token/token_service.h"

namespace tokend::identity {

class BearerPrincipal {
 public:
  // The token's owner; empty for a client's own token (client_credentials).
  const std::string& user_id() const { return user_id_; }
  const std::string& client_id() const { return client_id_; }
  const std::vector<std::string>& scopes() const { return scopes_; }
  bool HasScope(absl::string_view scope) const;

 private:
  friend class BearerVerifier;
  BearerPrincipal() = default;
  std::string user_id_;
  std::string client_id_;
  std::vector<std::string> scopes_;
};

class BearerVerifier {
 public:
  explicit BearerVerifier(TokenService& core) : core_(core) {}

  // Blocking (may ask the ledger). invalid_token when the token is empty,
  // unknown, expired, revoked, or a refresh token; temporarily_unavailable
  // when the ledger cannot be asked.
  absl::StatusOr<BearerPrincipal> Verify(const std::string& token) const;

 private:
  TokenService& core_;
};

}  // namespace tokend::identity
