#include "services/identity/bearer_principal.h"

#include <algorithm>

#include "services/token/oauth_error.h"
#include "services/token/scopes.h"

namespace tokend::identity {

bool BearerPrincipal::HasScope(absl::string_view scope) const {
  return std::find(scopes_.begin(), scopes_.end(), scope) != scopes_.end();
}

absl::StatusOr<BearerPrincipal> BearerVerifier::Verify(const std::string& token) const {
  auto info = core_.CheckAccessToken(token);
  if (!info.ok()) return info.status();
  if (!info->active) {
    return oauth::Error(oauth::ErrorCode::kInvalidToken,
                        "The access token is unknown, expired or revoked.");
  }
  BearerPrincipal p;
  p.user_id_ = info->user_id;
  p.client_id_ = info->client_id;
  p.scopes_ = scopes::Split(info->scope);
  return p;
}

}  // namespace tokend::identity
