#include "services/authorization/authorization_request.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/authorization/pkce.h"
#include "services/token/scopes.h"

namespace tokend {
namespace {

const std::string& Param(const AuthorizationParams& params, absl::string_view name) {
  static const std::string* const kEmpty = new std::string;
  auto it = params.find(name);
  return it == params.end() ? *kEmpty : it->second;
}

AuthorizationError Page(std::string error, std::string description) {
  return {false, std::move(error), std::move(description), "", ""};
}

}  // namespace

const std::vector<std::string>& AuthorizationParamNames() {
  static const std::vector<std::string>* const kNames = new std::vector<std::string>{
      "client_id", "redirect_uri", "response_type", "scope", "state", "code_challenge",
      "code_challenge_method"};
  return *kNames;
}

std::string WithQuery(const std::string& redirect_uri, const std::string& query) {
  return absl::StrCat(redirect_uri, redirect_uri.find('?') == std::string::npos ? "?" : "&", query);
}

std::variant<AuthorizationRequest, AuthorizationError> CheckAuthorizationRequest(
    const AuthorizationParams& params, const std::optional<storage::ClientRecord>& client) {
  if (Param(params, "client_id").empty()) {
    return Page("invalid_request", "The request names no client (client_id is missing).");
  }
  if (!client.has_value()) return Page("invalid_client", "No application is registered with this client_id.");
  const std::vector<std::string>& registered = client->redirect_uris;
  AuthorizationRequest req;
  req.client = *client;
  req.redirect_uri_given = params.contains("redirect_uri");
  if (req.redirect_uri_given) {
    // Exact string comparison (RFC 9700 §2.1): no prefix or pattern matching.
    req.redirect_uri = Param(params, "redirect_uri");
    if (std::find(registered.begin(), registered.end(), req.redirect_uri) == registered.end()) {
      return Page("invalid_request", "The redirect_uri is not registered for this application.");
    }
  } else if (registered.size() == 1) {
    req.redirect_uri = registered[0];  // §3.1.2.3: the only one registered
  } else {
    return Page("invalid_request", "The request must name one of the application's redirect URIs.");
  }
  // From here on errors go back to the application.
  req.state = Param(params, "state");
  auto fail = [&](std::string error, std::string description) {
    return AuthorizationError{true, std::move(error), std::move(description), req.redirect_uri,
                              req.state};
  };
  if (!absl::EqualsIgnoreCase(Param(params, "response_type"), "code")) {
    return Param(params, "response_type").empty()
               ? fail("invalid_request", "response_type is required.")
               : fail("unsupported_response_type", "Only response_type=code is supported.");
  }
  const auto& grants = client->grant_types;
  if (std::find(grants.begin(), grants.end(), "authorization_code") == grants.end()) {
    return fail("unauthorized_client", "This application may not use the authorization code flow.");
  }
  std::optional<std::vector<std::string>> requested;
  if (params.contains("scope")) requested = scopes::Split(Param(params, "scope"));
  auto granted = scopes::Resolve(requested, client->allowed_scopes,
                                 scopes::UserDefaults(client->default_scopes));
  if (!granted.ok()) return fail("invalid_scope", std::string(granted.status().message()));
  req.scopes = *std::move(granted);

  req.code_challenge = Param(params, "code_challenge");
  const std::string& method = Param(params, "code_challenge_method");
  if (req.code_challenge.empty()) {
    if (!method.empty()) return fail("invalid_request", "code_challenge_method without code_challenge.");
    if (!client->confidential) {
      return fail("invalid_request", "Public clients must send a PKCE code_challenge (RFC 7636).");
    }
    return req;
  }
  // RFC 7636 §4.3: no method means plain.
  req.challenge_method = method.empty() ? std::string(pkce::kPlain) : method;
  if (req.challenge_method != pkce::kS256 && req.challenge_method != pkce::kPlain) {
    return fail("invalid_request", "code_challenge_method must be S256.");
  }
  if (req.challenge_method == pkce::kPlain && !client->allow_plain_pkce) {
    return fail("invalid_request", "This application must use code_challenge_method=S256.");
  }
  if (!pkce::WellFormed(req.code_challenge)) {
    return fail("invalid_request", "code_challenge must be 43 to 128 unreserved characters.");
  }
  return req;
}

}  // namespace tokend
