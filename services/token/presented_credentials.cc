#include "services/token/presented_credentials.h"

#include "services/common/basic_auth.h"
#include "services/token/oauth_error.h"

namespace tokend {

absl::StatusOr<PresentedAuth> ResolveCredentials(absl::string_view authorization,
                                                 const std::string& body_client_id,
                                                 const std::optional<std::string>& body_secret) {
  PresentedAuth out;
  if (basic_auth::IsBasic(authorization)) {
    auto basic = basic_auth::Parse(authorization);
    if (!basic.ok()) return oauth::InvalidRequest("The Basic authorization header is malformed.");
    if (body_secret.has_value()) {
      return oauth::InvalidRequest(
          "Client credentials were sent both in the Authorization header and in the request; "
          "use one method.");
    }
    if (!body_client_id.empty() && body_client_id != basic->client_id) {
      return oauth::InvalidRequest("client_id differs from the one in the Authorization header.");
    }
    out.credentials = {basic->client_id, basic->client_secret};
    out.used_basic = true;
    return out;
  }
  out.credentials = {body_client_id, body_secret};
  return out;
}

}  // namespace tokend
