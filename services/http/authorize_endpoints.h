// The browser endpoints of the authorization code flow (RFC 6749 §4.1):
// GET/POST /oauth/authorize (and BellaDati's /auth/oauth/request), the login
// form's POST and the consent form's POST. Pages come from authorize_pages;
// the rules from services/authorization. Every form carries a CSRF token that
// must equal the HttpOnly CSRF cookie (double submit, SameSite=Lax).
#pragma once

#include <memory>

#include "services/authorization/authorization_service.h"
#include "services/http/router.h"

namespace tokend::http {

struct AuthorizeEndpointsOptions {
  bool secure_cookies = false;  // TLS: cookies get the Secure attribute
};

// Installs the routes into `router`; `service` must outlive it.
void AddAuthorizeRoutes(Router& router, AuthorizationService& service,
                        AuthorizeEndpointsOptions options);

}  // namespace tokend::http
