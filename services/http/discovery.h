// The authorization server metadata document (RFC 8414), also served as
// /.well-known/openid-configuration.
#pragma once

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace tokend::http {

// The endpoint paths the bridge serves; discovery advertises these.
inline constexpr absl::string_view kTokenPath = "/oauth/token";
inline constexpr absl::string_view kAuthorizePath = "/oauth/authorize";
inline constexpr absl::string_view kIntrospectPath = "/oauth/introspect";
inline constexpr absl::string_view kRevokePath = "/oauth/revoke";
inline constexpr absl::string_view kJwksPath = "/.well-known/jwks.json";

struct DiscoveryInputs {
  std::string issuer;
  std::vector<std::string> grant_types;
  std::vector<std::string> scopes_supported;
  bool jwks = false;  // advertise jwks_uri
};

// The metadata as JSON; endpoint URLs are absolute, built from the issuer.
std::string DiscoveryDocument(const DiscoveryInputs& in);

}  // namespace tokend::http
