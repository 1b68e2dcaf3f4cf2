#include "services/http/authorize_endpoints.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/common/form_codec.h"
#include "services/common/secrets.h"
#include "services/http/authorize_pages.h"
#include "services/http/discovery.h"
#include "services/token/oauth_error.h"

namespace tokend::http {
namespace {

constexpr absl::string_view kSessionCookie = "tokend_session";
constexpr absl::string_view kCsrfCookie = "tokend_csrf";
constexpr absl::string_view kCsrfField = "csrf_token";

bool IsForm(const Request& req) {
  absl::string_view type = ToAbsl(req[bhttp::field::content_type]);
  return absl::EqualsIgnoreCase(absl::StripAsciiWhitespace(type.substr(0, type.find(';'))),
                                "application/x-www-form-urlencoded");
}

// The request's parameters: the query string for GET, the form body for
// POST. Repeated parameters are refused (RFC 6749 §3.1).
absl::StatusOr<AuthorizationParams> ParamsOf(const Request& req) {
  absl::string_view source;
  if (req.method() == bhttp::verb::get) {
    absl::string_view target = ToAbsl(req.target());
    size_t q = target.find('?');
    source = q == absl::string_view::npos ? "" : target.substr(q + 1);
  } else {
    if (!IsForm(req)) {
      return absl::InvalidArgumentError("The form must be application/x-www-form-urlencoded.");
    }
    source = req.body();
  }
  auto fields = form::Parse(source);
  if (!fields.ok()) return absl::InvalidArgumentError("The request has malformed percent-encoding.");
  AuthorizationParams out;
  for (auto& [name, value] : *fields) {
    if (!out.emplace(std::move(name), std::move(value)).second) {
      return absl::InvalidArgumentError("A request parameter is repeated.");
    }
  }
  return out;
}

std::string Cookie(const Request& req, absl::string_view name) {
  for (absl::string_view part : absl::StrSplit(ToAbsl(req[bhttp::field::cookie]), ';')) {
    part = absl::StripAsciiWhitespace(part);
    if (absl::ConsumePrefix(&part, name) && absl::ConsumePrefix(&part, "=")) return std::string(part);
  }
  return "";
}

std::string SetCookie(absl::string_view name, absl::string_view value, absl::string_view path,
                      bool secure, int64_t max_age) {
  return absl::StrCat(name, "=", value, "; Path=", path, "; Max-Age=", max_age,
                      "; HttpOnly; SameSite=Lax", secure ? "; Secure" : "");
}

// Every page and redirect: not cached, not framed, no referrer leaking the
// code or state.
void Harden(Response& res) {
  res.set(bhttp::field::cache_control, "no-store");
  res.set(bhttp::field::pragma, "no-cache");
  res.set("X-Frame-Options", "DENY");
  res.set("Referrer-Policy", "no-referrer");
  res.set("X-Content-Type-Options", "nosniff");
}

Response Html(bhttp::status status, std::string body) {
  Response res{status, 11};
  res.set(bhttp::field::content_type, "text/html; charset=utf-8");
  res.set("Content-Security-Policy",
          "default-src 'none'; style-src 'unsafe-inline'; img-src https: http:; "
          "frame-ancestors 'none'; base-uri 'none'");
  Harden(res);
  res.body() = std::move(body);
  return res;
}

Response Redirect(bhttp::status status, const std::string& location) {
  Response res{status, 11};
  res.set(bhttp::field::location, location);
  Harden(res);
  return res;
}

Response Unavailable() {
  return Html(bhttp::status::service_unavailable,
              ErrorPage("Temporarily unavailable", "Please try again in a moment."));
}

class AuthorizeEndpoints {
 public:
  AuthorizeEndpoints(AuthorizationService& service, AuthorizeEndpointsOptions options)
      : service_(service), options_(options) {}

  Response Authorize(const Request& req) {
    auto params = ParamsOf(req);
    if (!params.ok()) return BadRequestPage(params.status().message());
    return Continue(req, *params);
  }

  Response Login(const Request& req) {
    return WithCheckedForm(req, [&](const AuthorizationParams& form, const AuthorizationRequest& request) {
      return LogIn(req, form, request);
    });
  }

  Response Consent(const Request& req) {
    return WithCheckedForm(req, [&](const AuthorizationParams& form, const AuthorizationRequest& request) {
      return Decide(req, form, request);
    });
  }

 private:
  // What every form POST does first: parse, check the CSRF token, re-check
  // the authorization request it carries; then `next` answers.
  template <typename Next>
  Response WithCheckedForm(const Request& req, Next next) {
    auto form = ParamsOf(req);
    if (!form.ok()) return BadRequestPage(form.status().message());
    if (!CsrfHolds(req, *form)) return CsrfPage();
    auto checked = Checked(*form);
    if (!checked.ok()) return Unavailable();
    if (auto* error = std::get_if<AuthorizationError>(&*checked)) return ErrorAnswer(*error);
    return next(*form, std::get<AuthorizationRequest>(*checked));
  }

  Response LogIn(const Request& req, const AuthorizationParams& form,
                 const AuthorizationRequest& request) {
    std::string username = Field(form, "username");
    std::string password = Field(form, "password");
    std::string address(ToAbsl(req[kPeerAddressField]));
    auto login = service_.LogIn(username, password, address);
    if (auto wait = oauth::RetryAfterSeconds(login.status())) {
      Response res = LoginAnswer(
          req, form, request, bhttp::status::too_many_requests,
          absl::StrCat("Too many failed attempts. Try again in ", *wait, " seconds."), username);
      res.set(bhttp::field::retry_after, absl::StrCat(*wait));
      return res;
    }
    if (absl::IsPermissionDenied(login.status())) {
      return LoginAnswer(req, form, request, bhttp::status::unauthorized,
                         "The username or password is incorrect.", username);
    }
    if (!login.ok()) return Unavailable();
    // Post/redirect/get: the authorization request goes on as a GET.
    Response res = Redirect(bhttp::status::see_other, AuthorizeUrl(form));
    res.set(bhttp::field::set_cookie,
            SetCookie(kSessionCookie, login->session, "/", options_.secure_cookies,
                      service_.session_ttl().count()));
    return res;
  }

  Response Decide(const Request& req, const AuthorizationParams& form,
                  const AuthorizationRequest& request) {
    auto user = service_.SessionUser(Cookie(req, kSessionCookie));
    if (absl::IsNotFound(user.status())) {
      return LoginAnswer(req, form, request, bhttp::status::ok, "Please sign in again.", "");
    }
    if (!user.ok()) return Unavailable();
    if (Field(form, "decision") != "allow") {
      return Redirect(bhttp::status::see_other,
                      AuthorizationService::ErrorRedirect(
                          {true, "access_denied", "The user denied the request.",
                           request.redirect_uri, request.state}));
    }
    auto location = service_.Approve(*user, request, /*save_consent=*/true);
    if (!location.ok()) return Unavailable();
    return Redirect(bhttp::status::see_other, *location);
  }

  static std::string Field(const AuthorizationParams& form, absl::string_view name) {
    auto it = form.find(name);
    return it == form.end() ? "" : it->second;
  }

  // The authorization request's own parameters out of a form.
  static AuthorizationParams RequestParams(const AuthorizationParams& form) {
    AuthorizationParams out;
    for (const auto& name : AuthorizationParamNames()) {
      if (auto it = form.find(name); it != form.end()) out.emplace(name, it->second);
    }
    return out;
  }

  static std::string AuthorizeUrl(const AuthorizationParams& form) {
    std::string query;
    for (const auto& name : AuthorizationParamNames()) {
      if (auto it = form.find(name); it != form.end()) {
        absl::StrAppend(&query, query.empty() ? "" : "&", name, "=", form::Encode(it->second));
      }
    }
    return absl::StrCat(kAuthorizePath, "?", query);
  }

  absl::StatusOr<AuthorizationService::Checked> Checked(const AuthorizationParams& form) {
    return service_.Check(RequestParams(form));
  }

  static bool CsrfHolds(const Request& req, const AuthorizationParams& form) {
    std::string cookie = Cookie(req, kCsrfCookie);
    return !cookie.empty() && secrets::ConstantTimeEquals(cookie, Field(form, kCsrfField));
  }

  static Response BadRequestPage(absl::string_view message) {
    return Html(bhttp::status::bad_request, ErrorPage("Invalid request", message));
  }

  static Response CsrfPage() {
    return Html(bhttp::status::forbidden,
                ErrorPage("This form has expired",
                          "The form was not sent from this site or is too old. Go back to the "
                          "application and start signing in again."));
  }

  static Response ErrorAnswer(const AuthorizationError& error) {
    if (!error.redirect) {
      return Html(bhttp::status::bad_request, ErrorPage("This request cannot be authorized",
                                                        error.description));
    }
    return Redirect(bhttp::status::found, AuthorizationService::ErrorRedirect(error));
  }

  // The page for a checked request: login without a session, consent
  // unless it was given before, else straight back with a code.
  Response Continue(const Request& req, const AuthorizationParams& params) {
    auto checked = service_.Check(params);
    if (!checked.ok()) return Unavailable();
    if (auto* error = std::get_if<AuthorizationError>(&*checked)) return ErrorAnswer(*error);
    const auto& request = std::get<AuthorizationRequest>(*checked);
    auto user = service_.SessionUser(Cookie(req, kSessionCookie));
    if (absl::IsNotFound(user.status())) {
      return LoginAnswer(req, params, request, bhttp::status::ok, "", "");
    }
    if (!user.ok()) return Unavailable();
    auto consented = service_.HasConsent(user->id, request);
    if (!consented.ok()) return Unavailable();
    if (*consented) {
      auto location = service_.Approve(*user, request, /*save_consent=*/false);
      if (!location.ok()) return Unavailable();
      return Redirect(bhttp::status::found, *location);
    }
    PageContext ctx = Context(req, params, request);
    Response res = Html(bhttp::status::ok, ConsentPage(ctx, *user));
    SetCsrfCookie(res, ctx);
    return res;
  }

  Response LoginAnswer(const Request& req, const AuthorizationParams& params,
                       const AuthorizationRequest& request, bhttp::status status,
                       absl::string_view message, absl::string_view username) {
    PageContext ctx = Context(req, params, request);
    Response res = Html(status, LoginPage(ctx, message, username));
    SetCsrfCookie(res, ctx);
    return res;
  }

  // The page context; the CSRF token is the cookie's, or a new one.
  PageContext Context(const Request& req, const AuthorizationParams& params,
                      const AuthorizationRequest& request) {
    PageContext ctx{&request.client, request.scopes, {}};
    for (const auto& name : AuthorizationParamNames()) {
      if (auto it = params.find(name); it != params.end()) ctx.hidden.emplace_back(name, it->second);
    }
    std::string csrf = Cookie(req, kCsrfCookie);
    if (csrf.size() != 64) csrf = secrets::Hex(secrets::RandomBytes(32));
    ctx.hidden.emplace_back(kCsrfField, csrf);
    return ctx;
  }

  void SetCsrfCookie(Response& res, const PageContext& ctx) const {
    res.set(bhttp::field::set_cookie, SetCookie(kCsrfCookie, ctx.hidden.back().second, "/",
                                                options_.secure_cookies, 3600));
  }

  AuthorizationService& service_;
  AuthorizeEndpointsOptions options_;
};

}  // namespace

void AddAuthorizeRoutes(Router& router, AuthorizationService& service,
                        AuthorizeEndpointsOptions options) {
  auto endpoints = std::make_shared<AuthorizeEndpoints>(service, options);
  // BellaDati: /auth/oauth/request (its example says /auth/oauth/request:new).
  std::vector<std::string> authorize = {std::string(kAuthorizePath), "/auth/oauth/request",
                                        "/auth/oauth/request:new"};
  for (auto method : {bhttp::verb::get, bhttp::verb::post}) {
    router.Add(authorize, method, Mode::kBlocking,
               [endpoints](const Request& req) { return endpoints->Authorize(req); });
  }
  router.Add({"/oauth/authorize/login"}, bhttp::verb::post, Mode::kBlocking,
             [endpoints](const Request& req) { return endpoints->Login(req); });
  router.Add({"/oauth/authorize/consent"}, bhttp::verb::post, Mode::kBlocking,
             [endpoints](const Request& req) { return endpoints->Consent(req); });
}

}  // namespace tokend::http
