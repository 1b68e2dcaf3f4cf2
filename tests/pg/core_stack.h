// The whole OAuth core over a fresh PostgreSQL database, in process, for the
// pg tier: the same wiring as tokend's, minus the transports.
#pragma once

#include <memory>
#include <pqxx/pqxx>

#include "services/admin/client_registry.h"
#include "services/admin/user_registry.h"
#include "services/token/grants/client_credentials_grant.h"
#include "services/token/grants/password_grant.h"
#include "services/token/grants/refresh_token_grant.h"
#include "services/token/token_service.h"
#include "storage/postgres/connection_pool.h"
#include "storage/postgres/group_commit_writer.h"
#include "storage/postgres/pg_client_store.h"
#include "storage/postgres/pg_token_store.h"
#include "storage/postgres/pg_user_store.h"
#include "tests/testing/pg_harness.h"

namespace tokend::testing {

struct CoreStack {
  explicit CoreStack(const std::string& dsn)
      : dsn(dsn),
        pool({.dsn = dsn, .size = 16}),
        writer(pool, {}),
        clients(pool),
        users(pool),
        tokens(pool, writer),
        cache(std::chrono::seconds(30), 1 << 16),
        authenticator(clients, absl::Seconds(30)),
        issuer(tokens, cache),
        core({"https://issuer.test"}, authenticator, tokens, cache),
        client_registry(clients, authenticator),
        user_registry(users, hasher) {
    core.RegisterGrant(std::make_unique<ClientCredentialsGrant>(issuer));
    core.RegisterGrant(std::make_unique<PasswordGrant>(users, hasher, issuer));
    core.RegisterGrant(std::make_unique<RefreshTokenGrant>(issuer));
  }

  // A confidential client; returns its credentials.
  PresentedCredentials NewClient(storage::ClientRecord c = {}) {
    if (c.grant_types.empty()) c.grant_types = {"client_credentials", "password"};
    if (c.allowed_scopes.empty()) c.allowed_scopes = {"read", "write"};
    if (c.default_scopes.empty()) c.default_scopes = {"read"};
    auto created = client_registry.Create(c);
    EXPECT_TRUE(created.ok()) << created.status();
    return {created->client.client_id, created->client_secret};
  }

  std::string NewUser(const std::string& username, const std::string& password) {
    storage::UserRecord u;
    u.username = username;
    auto created = user_registry.Create(u, password);
    EXPECT_TRUE(created.ok()) << created.status();
    return created->id;
  }

  // One value from SQL, for assertions on the ledger itself.
  int64_t Count(const std::string& sql) {
    pqxx::connection c(dsn);
    pqxx::nontransaction tx(c);
    return tx.exec(sql)[0][0].as<int64_t>();
  }

  std::string dsn;
  storage::pg::ConnectionPool pool;
  storage::pg::GroupCommitWriter writer;
  storage::pg::PgClientStore clients;
  storage::pg::PgUserStore users;
  storage::pg::PgTokenStore tokens;
  TokenCache cache;
  ClientAuthenticator authenticator;
  PasswordHasher hasher;
  TokenIssuer issuer;
  TokenService core;
  ClientRegistry client_registry;
  UserRegistry user_registry;
};

}  // namespace tokend::testing
