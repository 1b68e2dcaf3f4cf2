#include "services/http/identity_endpoints.h"

#include "absl/time/time.h"
#include "services/http/bearer_auth.h"
#include "services/http/form_request.h"
#include "services/http/identity_paths.h"
#include "services/http/json_response.h"
#include "services/token/oauth_error.h"

namespace tokend::http {
namespace {

Response NotFound() {
  return ErrorResponse(bhttp::status::not_found, "not_found", "No such endpoint.");
}

// RFC 3339 in UTC, as Blender ID prints its dates ("2024-05-01T12:00:00Z").
std::string Rfc3339(storage::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", absl::FromUnixMicros(storage::ToUnixMicros(t)),
                          absl::UTCTimeZone());
}

void SetTimeOrNull(JsonObject& out, absl::string_view key, const std::optional<storage::Time>& t) {
  if (t) {
    out.SetString(key, Rfc3339(*t));
  } else {
    out.SetNull(key);
  }
}

// /api/me: Blender ID's user document; `roles` maps each active role to true.
JsonObject ProfileJson(const identity::UserProfile& p) {
  JsonObject roles;
  for (const auto& r : p.roles) roles.SetBool(r, true);
  JsonObject out;
  out.SetString("id", p.user.id)
      .SetString("full_name", p.user.full_name)
      .SetString("email", p.user.email)
      .SetString("nickname", p.user.nickname)
      .SetObject("roles", roles);
  SetTimeOrNull(out, "date_deletion_requested", p.user.date_deletion_requested);
  SetTimeOrNull(out, "confirmed_email_at", p.user.confirmed_email_at);
  if (p.user.avatar_url.empty()) {
    out.SetNull("avatar_url");
  } else {
    out.SetString("avatar_url", p.user.avatar_url);
  }
  return out;
}

// /api/badges/<user_id>: optional fields are left out when empty.
JsonObject BadgesJson(const identity::BadgeList& list) {
  JsonObject badges;
  for (const auto& b : list.badges) {
    JsonObject badge;
    badge.SetString("label", b.label.empty() ? b.name : b.label)
        .SetStringIfNotEmpty("description", b.description)
        .SetStringIfNotEmpty("image", b.image_url)
        .SetStringIfNotEmpty("link", b.link);
    if (b.image_width > 0) badge.SetNumber("image_width", b.image_width);
    if (b.image_height > 0) badge.SetNumber("image_height", b.image_height);
    badges.SetObject(b.name, badge);
  }
  JsonObject out;
  out.SetString("user_id", list.user_id).SetObject("badges", badges);
  return out;
}

Response Json(bhttp::status status, const JsonObject& body) {
  Response res = JsonResponse(status, body);
  SetNoStore(res);
  return res;
}

// The answer of a core call: `render(*answer)` with `status`, or the error.
template <typename T, typename Render>
Response Answer(const absl::StatusOr<T>& answer, Render render,
                bhttp::status status = bhttp::status::ok) {
  if (!answer.ok()) return BearerErrorResponse(answer.status());
  return Json(status, render(*answer));
}

// Authenticates the Bearer token, then `call(principal)`.
template <typename Call>
Response WithPrincipal(const Request& req, const identity::BearerVerifier& verifier, Call call) {
  Response refusal;
  auto principal = AuthenticateBearer(req, verifier, &refusal);
  if (!principal) return refusal;
  return call(*principal);
}

}  // namespace

void IdentityEndpoints::Install(Router& r) {
  auto bind = [this](Response (IdentityEndpoints::*method)(const Request&)) {
    return [this, method](const Request& req) { return (this->*method)(req); };
  };
  r.Add({"/api/me", "/api/user"}, bhttp::verb::get, Mode::kBlocking, bind(&IdentityEndpoints::Me));
  r.Add({"/api/user/*"}, bhttp::verb::get, Mode::kBlocking, bind(&IdentityEndpoints::UserInfo));
  r.Add({"/api/badges/*"}, bhttp::verb::get, Mode::kBlocking, bind(&IdentityEndpoints::Badges));
  r.Add({"/api/badger/grant/*"}, bhttp::verb::post, Mode::kBlocking,
        bind(&IdentityEndpoints::BadgerGrant));
  r.Add({"/api/badger/revoke/*"}, bhttp::verb::post, Mode::kBlocking,
        bind(&IdentityEndpoints::BadgerRevoke));
  r.Add({"/api/authenticate"}, bhttp::verb::post, Mode::kBlocking,
        bind(&IdentityEndpoints::Authenticate));
  r.Add({"/api/create-user"}, bhttp::verb::post, Mode::kBlocking,
        bind(&IdentityEndpoints::CreateUser));
}

Response IdentityEndpoints::Me(const Request& req) {
  return WithPrincipal(req, verifier_, [&](const identity::BearerPrincipal& p) {
    return Answer(service_.Me(p), ProfileJson);
  });
}

Response IdentityEndpoints::UserInfo(const Request& req) {
  auto params = PathParams(ToAbsl(req.target()), "/api/user/", 1);
  if (!params) return NotFound();
  return WithPrincipal(req, verifier_, [&](const identity::BearerPrincipal& p) {
    return Answer(service_.UserInfo(p, (*params)[0]), ProfileJson);
  });
}

Response IdentityEndpoints::Badges(const Request& req) {
  auto params = PathParams(ToAbsl(req.target()), "/api/badges/", 1);
  if (!params) return NotFound();
  return WithPrincipal(req, verifier_, [&](const identity::BearerPrincipal& p) {
    return Answer(service_.Badges(p, (*params)[0]), BadgesJson);
  });
}

Response IdentityEndpoints::Badger(const Request& req, bool grant) {
  auto params =
      PathParams(ToAbsl(req.target()), grant ? "/api/badger/grant/" : "/api/badger/revoke/", 2);
  if (!params) return NotFound();
  return WithPrincipal(req, verifier_, [&](const identity::BearerPrincipal& p) {
    const std::string& role = (*params)[0];
    const std::string& email = (*params)[1];
    auto result = grant ? service_.BadgerGrant(p, role, email) : service_.BadgerRevoke(p, role, email);
    return Answer(result, [](identity::BadgerResult r) {
      return JsonObject().SetString("result", r == identity::BadgerResult::kOk ? "ok" : "no-op");
    });
  });
}

Response IdentityEndpoints::BadgerGrant(const Request& req) { return Badger(req, true); }
Response IdentityEndpoints::BadgerRevoke(const Request& req) { return Badger(req, false); }

Response IdentityEndpoints::Authenticate(const Request& req) {
  return WithPrincipal(req, verifier_, [&](const identity::BearerPrincipal& p) {
    auto form = FormRequest::Parse(req);
    if (!form.ok()) return BearerErrorResponse(form.status());
    return Answer(service_.Authenticate(p, form->Get("email"), form->Get("password")),
                  [](const identity::AuthenticatedUser& u) {
                    return JsonObject()
                        .SetString("user_id", u.user_id)
                        .SetString("email", u.email)
                        .SetString("full_name", u.full_name);
                  });
  });
}

Response IdentityEndpoints::CreateUser(const Request& req) {
  return WithPrincipal(req, verifier_, [&](const identity::BearerPrincipal& p) {
    auto form = FormRequest::Parse(req);
    if (!form.ok()) return BearerErrorResponse(form.status());
    identity::NewUser user{form->Get("email"), form->Get("full_name"), form->Get("password"),
                           form->Get("nickname")};
    return Answer(
        service_.CreateUser(p, user),
        [](const std::string& id) { return JsonObject().SetString("user_id", id); },
        bhttp::status::created);
  });
}

}  // namespace tokend::http
