// The HTTP request path on arbitrary bytes: Beast's request parser with the
// bridge's header and body limits, then the bridge's real router (OAuth
// endpoints, discovery, JWKS, health, the authorization pages) over a real
// TokenService on in-memory fakes (tests/unit/http_fakes.h), as
// http_session.cc dispatches a request. A fresh world per input keeps every
// run reproducible. Every request is served twice: cold, then with the
// client cached, so the non-blocking fast paths run too.
//
// Invariants: a final status (2xx, 3xx with Location, 4xx; no 5xx, since the
// fakes never fail), JSON bodies that are JSON objects (errors with an
// "error" member), no CR/LF in any header value, a serializable response.
#include <boost/asio/buffer.hpp>
#include <boost/beast/http.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <sstream>

#include "absl/strings/match.h"
#include "services/authorization/authorization_service.h"
#include "services/http/authorize_endpoints.h"
#include "services/http/bridge_routes.h"
#include "services/jwt/jose.h"
#include "tests/fuzz/fake_authorization_store.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/unit/http_fakes.h"

namespace tokend::http {
namespace {

// What the bridge serves, over fakes holding a confidential client
// "app"/"s3cret" (client_credentials, password), a public code-flow client
// "web" and the user alice/wonderland.
struct World {
  World()
      : throttle(codes, GuessPolicy{}),
        authorization({.issuer = "https://issuer.test"}, fake.clients(), fake.users(), codes,
                      fake.hasher(), throttle) {
    fake.AddClient("app", "s3cret");
    fake.AddUser("u-1", "alice", "wonderland");
    storage::ClientRecord web;
    web.client_id = "web";
    web.name = "Web <app> & \"friends\"";
    web.grant_types = {"authorization_code", "refresh_token"};
    web.allowed_scopes = {"read", "write"};
    web.default_scopes = {"read"};
    web.redirect_uris = {"https://app.test/cb", "http://127.0.0.1:8765/callback"};
    web.confidential = false;
    web.created_at = web.updated_at = storage::Now();
    (void)fake.clients().CreateClient(web);

    HttpBridgeOptions options;
    options.issuer = "https://issuer.test";
    options.readiness = [] { return true; };
    options.jwks = [] {
      static const auto* doc = new std::shared_ptr<const std::string>(
          std::make_shared<const std::string>("{\"keys\":[]}"));
      return *doc;
    };
    options.routes.push_back([this](Router& r) { AddAuthorizeRoutes(r, authorization, {}); });
    router = BuildRouter(options, fake.core());
  }

  testing::FakeCore fake;
  testing::FakeAuthorizationStore codes;
  GuessThrottle throttle;
  AuthorizationService authorization;
  Router router;
};

// http_session.cc's OnRead: inline routes at once, then the fast path, then
// the blocking handler (run here on the calling thread). The fakes answer
// the fast path synchronously.
Response Serve(const Router& router, const Request& req) {
  Router::Match match = router.Find(req);
  if (match.route == nullptr) return std::move(match.response);
  const Route& route = *match.route;
  if (route.mode == Mode::kInline) return route.handler(req);
  if (route.fast) {
    int replies = 0;
    std::optional<Response> reply;
    bool handled = route.fast(req, [&](Response res) {
      ++replies;
      reply = std::move(res);
    });
    FUZZ_CHECK(replies == (handled ? 1 : 0));
    if (handled) return *std::move(reply);
  }
  return route.handler(req);
}

void CheckResponse(Response& res) {
  unsigned status = res.result_int();
  FUZZ_CHECK(status >= 200 && status < 500);
  if (status >= 300 && status < 400) FUZZ_CHECK(!res[bhttp::field::location].empty());
  for (const auto& field : res) {
    absl::string_view value = ToAbsl(field.value());
    FUZZ_CHECK(value.find_first_of("\r\n") == absl::string_view::npos);
  }
  if (!res.body().empty()) FUZZ_CHECK(!res[bhttp::field::content_type].empty());
  if (absl::StartsWith(ToAbsl(res[bhttp::field::content_type]), "application/json")) {
    auto json = jwt::ParseJsonObject(res.body());
    FUZZ_CHECK(json.ok());
    if (status >= 400) FUZZ_CHECK(jwt::StringMember(*json, "error").has_value());
  }
  res.prepare_payload();
  std::ostringstream wire;
  wire << res;
  FUZZ_CHECK(wire.good());
}

}  // namespace
}  // namespace tokend::http

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tokend::http;
  HttpBridgeOptions limits;  // the bridge's defaults: 8 KiB of headers, 16 KiB of body
  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(limits.max_header_bytes);
  parser.body_limit(limits.max_body_bytes);
  parser.eager(true);
  beast::error_code ec;
  size_t used = 0;
  while (!parser.is_done() && used < size) {
    size_t n = parser.put(boost::asio::buffer(data + used, size - used), ec);
    used += n;
    if (ec == bhttp::error::need_more) {
      ec = {};
      break;
    }
    if (ec || n == 0) break;
  }
  if (!ec && !parser.is_done()) parser.put_eof(ec);
  if (ec || !parser.is_done()) return 0;  // the session answers 400/413/431 or closes

  Request req = parser.release();
  req.set(kPeerAddressField, "192.0.2.7");  // as the session does
  World world;
  for (int round = 0; round < 2; ++round) {
    Response res = Serve(world.router, req);
    CheckResponse(res);
  }
  return 0;
}
