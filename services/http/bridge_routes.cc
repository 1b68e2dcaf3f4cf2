#include "services/http/bridge_routes.h"

#include <memory>
#include <string>

#include "services/http/discovery.h"
#include "services/http/json_response.h"
#include "services/http/oauth_endpoints.h"

namespace tokend::http {
namespace {

Response StatusResponse(bool ok, absl::string_view good) {
  return JsonResponse(ok ? bhttp::status::ok : bhttp::status::service_unavailable,
                      JsonObject().SetString("status", ok ? good : "unavailable"));
}

// RFC 7517 §8.5 media type. Cached for less time than a retired key stays
// published (at least publish_margin, 10 minutes, past any token's expiry),
// so a cached copy never lacks a key that signed a live token for long;
// verifiers also refetch on an unknown kid.
Response JwksResponse(const std::string& doc) {
  Response res{bhttp::status::ok, 11};
  res.set(bhttp::field::content_type, "application/jwk-set+json");
  res.set(bhttp::field::cache_control, "public, max-age=300");
  res.body() = doc;
  return res;
}

}  // namespace

Router BuildRouter(const HttpBridgeOptions& o, TokenService& core) {
  auto endpoints = std::make_shared<OAuthEndpoints>(core);
  auto discovery = std::make_shared<const std::string>(DiscoveryDocument(
      {o.issuer, core.GrantTypes(), o.scopes_supported, static_cast<bool>(o.jwks)}));
  auto readiness = o.readiness;
  Router r;
  r.Add({std::string(kTokenPath), "/oauth2/token", "/oauth2/token/", "/oauth/v2/accessToken"},
        bhttp::verb::post, Mode::kBlocking,
        [endpoints](const Request& req) { return endpoints->Token(req); },
        [endpoints](const Request& req, Reply reply) {
          return endpoints->TryTokenNonBlocking(req, reply);
        });
  r.Add({std::string(kIntrospectPath)}, bhttp::verb::post, Mode::kBlocking,
        [endpoints](const Request& req) { return endpoints->Introspect(req); },
        [endpoints](const Request& req, Reply reply) {
          return endpoints->TryIntrospectCached(req, reply);
        });
  r.Add({std::string(kRevokePath)}, bhttp::verb::post, Mode::kBlocking,
        [endpoints](const Request& req) { return endpoints->Revoke(req); });
  r.Add({"/.well-known/oauth-authorization-server", "/.well-known/openid-configuration"},
        bhttp::verb::get, Mode::kInline, [discovery](const Request&) {
          Response res{bhttp::status::ok, 11};
          res.set(bhttp::field::content_type, "application/json");
          res.set(bhttp::field::cache_control, "max-age=300");
          res.body() = *discovery;
          return res;
        });
  if (o.jwks) {
    r.Add({std::string(kJwksPath)}, bhttp::verb::get, Mode::kInline,
          [jwks = o.jwks](const Request&) { return JwksResponse(*jwks()); });
  }
  r.Add({"/healthz"}, bhttp::verb::get, Mode::kInline,
        [](const Request&) { return StatusResponse(true, "ok"); });
  r.Add({"/readyz"}, bhttp::verb::get, Mode::kBlocking,
        [readiness](const Request&) { return StatusResponse(!readiness || readiness(), "ready"); });
  for (const auto& install : o.routes) install(r);
  if (o.metrics != nullptr) {
    r.Add({"/metrics"}, bhttp::verb::get, Mode::kInline, [registry = o.metrics](const Request&) {
      Response res{bhttp::status::ok, 11};
      res.set(bhttp::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
      res.set(bhttp::field::cache_control, "no-store");
      res.body() = registry->Render();
      return res;
    });
  }
  return r;
}

}  // namespace tokend::http
