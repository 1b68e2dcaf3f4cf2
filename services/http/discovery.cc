#include "services/http/discovery.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "services/http/json_response.h"

namespace tokend::http {

std::string DiscoveryDocument(const DiscoveryInputs& in) {
  absl::string_view base = absl::StripSuffix(in.issuer, "/");
  const std::vector<std::string> auth_methods = {"client_secret_basic", "client_secret_post"};
  JsonObject doc;
  doc.SetString("issuer", in.issuer)
      .SetString("token_endpoint", absl::StrCat(base, kTokenPath))
      .SetString("introspection_endpoint", absl::StrCat(base, kIntrospectPath))
      .SetString("revocation_endpoint", absl::StrCat(base, kRevokePath))
      .SetStrings("grant_types_supported", in.grant_types)
      .SetStrings("token_endpoint_auth_methods_supported", auth_methods)
      .SetStrings("introspection_endpoint_auth_methods_supported", auth_methods)
      .SetStrings("revocation_endpoint_auth_methods_supported", auth_methods)
      // Empty until the authorization endpoint exists.
      .SetStrings("response_types_supported", {});
  if (in.jwks) doc.SetString("jwks_uri", absl::StrCat(base, kJwksPath));
  // Omitted rather than [] (which would read as "no scopes at all").
  if (!in.scopes_supported.empty()) doc.SetStrings("scopes_supported", in.scopes_supported);
  return doc.Serialize();
}

}  // namespace tokend::http
