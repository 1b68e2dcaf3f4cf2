#include "services/grpc/token_convert.h"

#include "absl/strings/strip.h"
#include "services/token/oauth_error.h"
#include "services/token/presented_credentials.h"

namespace tokend::grpc_adapter {

absl::StatusOr<PresentedCredentials> CredentialsOf(absl::string_view authorization,
                                                   const v1::ClientCredentials& fields,
                                                   bool has_fields) {
  std::optional<std::string> secret;
  if (has_fields && !fields.client_secret().empty()) secret = fields.client_secret();
  auto auth = ResolveCredentials(authorization, fields.client_id(), secret);
  if (!auth.ok()) return auth.status();
  return auth->credentials;
}

std::string PeerAddress(absl::string_view peer) {
  bool v4 = absl::ConsumePrefix(&peer, "ipv4:");
  if (!v4 && !absl::ConsumePrefix(&peer, "ipv6:")) return std::string(peer);
  size_t colon = peer.rfind(':');
  if (colon != absl::string_view::npos) peer = peer.substr(0, colon);  // the port
  if (!v4) {
    if (!absl::ConsumePrefix(&peer, "[")) absl::ConsumePrefix(&peer, "%5B");
    if (!absl::ConsumeSuffix(&peer, "]")) absl::ConsumeSuffix(&peer, "%5D");
  }
  return std::string(peer);
}

TokenFormat FormatOf(v1::TokenFormat f) {
  switch (f) {
    case v1::TOKEN_FORMAT_OPAQUE:
      return TokenFormat::kOpaque;
    case v1::TOKEN_FORMAT_JWT:
      return TokenFormat::kJwt;
    default:
      return TokenFormat::kDefault;
  }
}

std::optional<std::vector<std::string>> ScopesOf(
    const google::protobuf::RepeatedPtrField<std::string>& scopes) {
  if (scopes.empty()) return std::nullopt;
  return std::vector<std::string>(scopes.begin(), scopes.end());
}

absl::StatusOr<TokenRequest> ToTokenRequest(const v1::IssueTokenRequest& request) {
  TokenRequest req;
  switch (request.grant_case()) {
    case v1::IssueTokenRequest::kClientCredentials:
      req.grant_type = "client_credentials";
      break;
    case v1::IssueTokenRequest::kPassword:
      req.grant_type = "password";
      req.username = request.password().username();
      req.password = request.password().password();
      break;
    case v1::IssueTokenRequest::kAuthorizationCode:
      req.grant_type = "authorization_code";
      req.code = request.authorization_code().code();
      req.redirect_uri = request.authorization_code().redirect_uri();
      req.code_verifier = request.authorization_code().code_verifier();
      break;
    default:
      return oauth::InvalidRequest("The request names no grant.");
  }
  req.scopes = ScopesOf(request.scopes());
  req.audience = request.audience();
  req.format = FormatOf(request.token_format());
  return req;
}

TokenRequest ToRefreshRequest(const v1::RefreshRequest& request) {
  TokenRequest req;
  req.grant_type = "refresh_token";
  req.refresh_token = request.refresh_token();
  req.scopes = ScopesOf(request.scopes());
  req.format = FormatOf(request.token_format());
  return req;
}

}  // namespace tokend::grpc_adapter
