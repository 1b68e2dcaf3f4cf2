// The OAuth endpoints over HTTP: each translates a form request into one call
// on the core and the core's answer (or error, through the one table in
// services/token/oauth_error.h) into JSON. No OAuth rules live here.
// Blocking (the core talks to PostgreSQL): run them on the executor.
#pragma once

#include <functional>

#include "services/http/http_types.h"
#include "services/token/token_service.h"

namespace tokend::http {

class OAuthEndpoints {
 public:
  explicit OAuthEndpoints(TokenService& core) : core_(core) {}

  // RFC 6749 §3.2, §4.3, §4.4, §5, §6.
  Response Token(const Request& req);
  // RFC 7662.
  Response Introspect(const Request& req);
  // RFC 7009.
  Response Revoke(const Request& req);

  // Non-blocking attempts (false: use the blocking call above): a
  // client_credentials grant for a cached client, completed by the
  // group-commit writer; an Introspect answered from the caches.
  bool TryTokenNonBlocking(const Request& req, const std::function<void(Response)>& reply);
  bool TryIntrospectCached(const Request& req, const std::function<void(Response)>& reply);

 private:
  TokenService& core_;
};

}  // namespace tokend::http
