// Blender ID's resource API over HTTP (seed 002): each endpoint checks the
// Bearer token (bearer_auth.h), translates the request into one call on the
// identity core (services/identity) and its answer into Blender ID's JSON.
// No identity rules live here. Blocking: installed as Mode::kBlocking.
//
//   GET  /api/me, /api/user           the token owner           (scope email)
//   GET  /api/user/<id>               any user                  (scope userinfo)
//   GET  /api/badges/<user_id>        the owner's badges        (scope badge)
//   POST /api/badger/grant/<role>/<email>, /api/badger/revoke/<role>/<email>
//                                                               (scope badger)
//   POST /api/authenticate            form email, password      (scope authenticate)
//   POST /api/create-user             form email, full_name, password[, nickname]
//                                                               (scope usercreate)
#pragma once

#include "services/http/http_types.h"
#include "services/http/router.h"
#include "services/identity/bearer_principal.h"
#include "services/identity/identity_service.h"

namespace tokend::http {

class IdentityEndpoints {
 public:
  IdentityEndpoints(identity::IdentityService& service, const identity::BearerVerifier& verifier)
      : service_(service), verifier_(verifier) {}

  // Adds every route above; `this` must outlive the router.
  void Install(Router& router);

  Response Me(const Request& req);
  Response UserInfo(const Request& req);
  Response Badges(const Request& req);
  Response BadgerGrant(const Request& req);
  Response BadgerRevoke(const Request& req);
  Response Authenticate(const Request& req);
  Response CreateUser(const Request& req);

 private:
  Response Badger(const Request& req, bool grant);

  identity::IdentityService& service_;
  const identity::BearerVerifier& verifier_;
};

}  // namespace tokend::http
