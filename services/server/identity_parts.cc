#include "services/server/identity_parts.h"

namespace tokend::server {

IdentityParts::IdentityParts(const Deps& d)
    : roles(d.pool),
      role_registry(roles, d.users),
      minter(d.client_registry, role_registry, d.issuer),
      verifier(d.core),
      service(d.users, roles, d.user_registry, d.hasher, &d.throttle),
      endpoints(service, verifier),
      grpc(service, verifier, d.executor) {}

}  // namespace tokend::server
