// The bridge's routes: the OAuth endpoints over the core, discovery, JWKS,
// health checks, and whatever `options.routes` installs. Apart from the
// listener so that the request path can be driven without sockets (the
// fuzz harness in tests/fuzz does).
#pragma once

#include "services/http/http_bridge.h"
#include "services/http/router.h"
#include "services/token/token_service.h"

namespace tokend::http {

// `core` (and whatever the installed routes hold) must outlive the router.
Router BuildRouter(const HttpBridgeOptions& options, TokenService& core);

}  // namespace tokend::http
