#include "services/http/discovery.h"

#include <algorithm>

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
      .SetStrings("revocation_endpoint_auth_methods_supported", auth_methods);
  bool code_flow = std::find(in.grant_types.begin(), in.grant_types.end(), "authorization_code") !=
                   in.grant_types.end();
  if (code_flow) {
    doc.SetString("authorization_endpoint", absl::StrCat(base, kAuthorizePath))
        .SetStrings("response_types_supported", {"code"})
        .SetStrings("response_modes_supported", {"query"})
        .SetStrings("code_challenge_methods_supported", {"S256", "plain"})
        .SetBool("authorization_response_iss_parameter_supported", true);
  } else {
    doc.SetStrings("response_types_supported", {});  // no authorization endpoint
  }
  if (in.jwks) doc.SetString("jwks_uri", absl::StrCat(base, kJwksPath));
  // Omitted rather than [] (which would read as "no scopes at all").
  if (!in.scopes_supported.empty()) doc.SetStrings("scopes_supported", in.scopes_supported);
  return doc.Serialize();
}

}  // namespace tokend::http
