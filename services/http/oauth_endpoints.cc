#include "services/http/oauth_endpoints.h"

#include <optional>

#include "services/http/access_log.h"
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

// The JSON answer (no-store), or the §5.2 error with the Basic challenge
// when the client used Basic; noted with the presented client id.
Response Answer(const absl::StatusOr<JsonObject>& body, bool used_basic,
                absl::string_view client_id) {
  Response res = body.ok() ? JsonResponse(bhttp::status::ok, *body)
                           : OAuthErrorResponse(body.status(), used_basic);
  if (body.ok()) SetNoStore(res);
  NoteClientId(res, client_id);
  return res;
}

Response Answer(const absl::StatusOr<JsonObject>& body, const PresentedAuth& auth) {
  return Answer(body, auth.used_basic, auth.credentials.client_id);
}

// Parses the form and resolves the client, then calls `call(form, auth)`;
// a malformed request is answered through `reply` at once.
template <typename Call>
auto WithForm(const Request& req, const std::function<void(Response)>& reply, Call call) {
  auto form = FormRequest::Parse(req);
  if (!form.ok()) {
    reply(OAuthErrorResponse(form.status()));
    return decltype(call(*form, PresentedAuth{}))();
  }
  auto auth = form->Credentials();
  if (!auth.ok()) {
    reply(OAuthErrorResponse(auth.status()));
    return decltype(call(*form, *auth))();
  }
  return call(*form, *auth);
}

// Serves a blocking call: its answer rendered by Answer().
template <typename Call>
Response Serve(const Request& req, Call call) {
  std::optional<Response> early;
  auto body = WithForm(req, [&](Response r) { early = std::move(r); },
                       [&](const FormRequest& form, const PresentedAuth& auth) {
                         return std::optional<Response>(Answer(call(form, auth), auth));
                       });
  return early ? *std::move(early) : *std::move(body);
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

bool OAuthEndpoints::TryTokenNonBlocking(const Request& req,
                                         const std::function<void(Response)>& reply) {
  std::optional<bool> handled = WithForm(
      req, reply, [&](const FormRequest& form, const PresentedAuth& auth) -> std::optional<bool> {
        auto request = TokenRequestOf(form);
        if (!request.ok()) {
          reply(Answer(request.status(), auth));
          return true;
        }
        return core_.TryTokenNonBlocking(
            auth.credentials, *request,
            [reply, basic = auth.used_basic,
             client_id = auth.credentials.client_id](absl::StatusOr<TokenResponse> token) {
              reply(Answer(RenderOr(std::move(token), TokenJson), basic, client_id));
            });
      });
  return handled.value_or(true);  // nullopt: a malformed request, already answered
}

bool OAuthEndpoints::TryIntrospectCached(const Request& req,
                                         const std::function<void(Response)>& reply) {
  std::optional<bool> handled = WithForm(
      req, reply, [&](const FormRequest& form, const PresentedAuth& auth) -> std::optional<bool> {
        auto info = core_.TryIntrospectCached(auth.credentials, form.Get("token"),
                                              form.Get("token_type_hint"));
        if (!info.has_value()) return false;
        reply(Answer(RenderOr(*std::move(info), IntrospectionJson), auth));
        return true;
      });
  return handled.value_or(true);
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
