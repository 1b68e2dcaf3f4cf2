// The identity API's parts (Blender ID: roles, badges, /api endpoints,
// tokend.v1.IdentityService, the admin role RPCs and MintToken), built on the
// server's ledger pool and core. tokend_server.cc holds one of these.
#pragma once

#include <memory>

#include "services/admin/role_registry.h"
#include "services/admin/token_minter.h"
#include "services/grpc/identity_grpc_service.h"
#include "services/http/identity_endpoints.h"
#include "services/identity/bearer_principal.h"
#include "services/identity/identity_service.h"
#include "storage/postgres/pg_role_store.h"

namespace tokend::server {

struct IdentityParts {
  struct Deps {
    storage::pg::ConnectionPool& pool;
    storage::UserStore& users;
    UserRegistry& user_registry;
    ClientRegistry& client_registry;
    const PasswordHasher& hasher;
    TokenService& core;
    TokenIssuer& issuer;
    BoundedExecutor& executor;
    GuessThrottle& throttle;
  };
  explicit IdentityParts(const Deps& deps);

  // Adds the /api routes to the HTTP bridge's router.
  void InstallRoutes(http::Router& router) { endpoints.Install(router); }

  storage::pg::PgRoleStore roles;
  RoleRegistry role_registry;
  TokenMinter minter;
  identity::BearerVerifier verifier;
  identity::IdentityService service;
  http::IdentityEndpoints endpoints;
  grpc_adapter::IdentityGrpcService grpc;
};

}  // namespace tokend::server
