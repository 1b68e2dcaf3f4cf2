#include "services/http/oauth_endpoints.h"

#include "services/http/form_request.h"
#include "services/http/json_response.h"
#include "services/token/oauth_error.h"
#include "services/token/scopes.h"

namespace tokend::http {
namespace {

absl::StatusOr<TokenFormat> FormatOf(const std::string& value) {
  if (value.empty()) return TokenFormat::kDefault;
  if (value == "jwt") return TokenFormat::kJwt;
  if (value == "opaque") return TokenFormat::kOpaque;
  return oauth::InvalidRequest("token_format must be jwt or opaque.");
}

absl::StatusOr<TokenRequest> TokenRequestOf(const FormRequest& form) {
  auto format = FormatOf(form.Get("token_format"));
  if (!format.ok()) return format.status();
  TokenRequest req;
  req.grant_type = form.Get("grant_type");
  req.username = form.Get("username");
  req.password = form.Get("password");
  req.refresh_token = form.Get("refresh_token");
  req.code = form.Get("code");
  req.redirect_uri = form.Get("redirect_uri");
  req.code_verifier = form.Get("code_verifier");
  if (auto scope = form.Find("scope")) req.scopes = scopes::Split(*scope);
  req.audience = form.Get("audience");
  req.format = *format;
  return req;
}

JsonObject TokenJson(const TokenResponse& t) {
  JsonObject out;
  out.SetString("access_token", t.access_token)
      .SetString("token_type", t.token_type)
      .SetNumber("expires_in", t.expires_in)
      .SetStringIfNotEmpty("refresh_token", t.refresh_token)
      .SetStringIfNotEmpty("scope", t.scope);
  return out;
}

JsonObject IntrospectionJson(const Introspection& info) {
  JsonObject out;
  out.SetBool("active", info.active);
  if (!info.active) return out;
  out.SetStringIfNotEmpty("scope", info.scope)
      .SetStringIfNotEmpty("client_id", info.client_id)
      .SetStringIfNotEmpty("username", info.username)
      .SetStringIfNotEmpty("token_type", info.token_type)
      .SetNumber("exp", info.exp)
      .SetNumber("iat", info.iat)
      .SetNumber("nbf", info.nbf)
      .SetStringIfNotEmpty("sub", info.sub)
      .SetStringIfNotEmpty("aud", info.aud)
      .SetStringIfNotEmpty("iss", info.iss)
      .SetStringIfNotEmpty("jti", info.jti);
  return out;
}

// `render(*answer)`, or the answer's error.
template <typename T, typename Render>
absl::StatusOr<JsonObject> RenderOr(absl::StatusOr<T> answer, Render render) {
  if (!answer.ok()) return answer.status();
  return render(*answer);
}

// Parses the form and resolves the client, then answers the JSON that
// `call(form, auth)` returns (no-store). Every failure becomes a §5.2 error,
// with the Basic challenge when the client used Basic.
template <typename Call>
Response Serve(const Request& req, Call call) {
  auto form = FormRequest::Parse(req);
  if (!form.ok()) return OAuthErrorResponse(form.status());
  auto auth = form->Credentials();
  if (!auth.ok()) return OAuthErrorResponse(auth.status());
  absl::StatusOr<JsonObject> body = call(*form, *auth);
  if (!body.ok()) return OAuthErrorResponse(body.status(), auth->used_basic);
  Response res = JsonResponse(bhttp::status::ok, *body);
  SetNoStore(res);
  return res;
}

}  // namespace

Response OAuthEndpoints::Token(const Request& req) {
  return Serve(req, [&](const FormRequest& form, const PresentedAuth& auth) {
    auto request = TokenRequestOf(form);
    if (!request.ok()) return absl::StatusOr<JsonObject>(request.status());
    return RenderOr(core_.Token(auth.credentials, *request), TokenJson);
  });
}

Response OAuthEndpoints::Introspect(const Request& req) {
  return Serve(req, [&](const FormRequest& form, const PresentedAuth& auth) {
    return RenderOr(
        core_.Introspect(auth.credentials, form.Get("token"), form.Get("token_type_hint")),
        IntrospectionJson);
  });
}

Response OAuthEndpoints::Revoke(const Request& req) {
  return Serve(req, [&](const FormRequest& form, const PresentedAuth& auth) {
    absl::Status st =
        core_.Revoke(auth.credentials, form.Get("token"), form.Get("token_type_hint"));
    // RFC 7009 §2.2: the client ignores the body of a success.
    return st.ok() ? absl::StatusOr<JsonObject>(JsonObject()) : absl::StatusOr<JsonObject>(st);
  });
}

}  // namespace tokend::http
