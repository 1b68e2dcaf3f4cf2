-- The token ledger: clients, users, sessions (token families), tokens, audit.
-- Tokens and client secrets are stored only as SHA-256 digests.

CREATE TABLE clients (
  client_id          text PRIMARY KEY,
  name               text NOT NULL DEFAULT '',
  secret_digest      bytea,
  grant_types        text[] NOT NULL,
  allowed_scopes     text[] NOT NULL DEFAULT '{}',
  default_scopes     text[] NOT NULL DEFAULT '{}',
  access_ttl_s       bigint NOT NULL,
  refresh_ttl_s      bigint NOT NULL,
  max_user_sessions  integer NOT NULL,
  redirect_uris      text[] NOT NULL DEFAULT '{}',
  homepage_url       text NOT NULL DEFAULT '',
  logo_url           text NOT NULL DEFAULT '',
  confidential       boolean NOT NULL DEFAULT true,
  permissions        text[] NOT NULL DEFAULT '{}',
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
  id             text PRIMARY KEY,
  username       text NOT NULL UNIQUE,
  email          text NOT NULL DEFAULT '',
  full_name      text NOT NULL DEFAULT '',
  nickname       text NOT NULL DEFAULT '',
  password_hash  text NOT NULL DEFAULT '',
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);

-- A session: the access token and refresh chain one user grant opened.
CREATE TABLE token_families (
  family_id   uuid PRIMARY KEY,
  client_id   text NOT NULL REFERENCES clients ON DELETE CASCADE,
  user_id     text NOT NULL REFERENCES users ON DELETE CASCADE,
  grant_type  text NOT NULL,
  created_at  timestamptz NOT NULL,
  expires_at  timestamptz NOT NULL,
  revoked_at  timestamptz
);
CREATE INDEX token_families_live ON token_families (user_id, client_id, created_at)
  WHERE revoked_at IS NULL;
CREATE INDEX token_families_client ON token_families (client_id);
CREATE INDEX token_families_expiry ON token_families (expires_at);

CREATE TABLE tokens (
  digest      bytea PRIMARY KEY,
  kind        smallint NOT NULL CHECK (kind IN (1, 2)),  -- 1 access, 2 refresh
  -- No foreign key to clients: every insert would share-lock the one client
  -- row from concurrent group commits. Deleting a client deletes its tokens
  -- in the same transaction (storage/postgres/pg_client_store.cc).
  client_id   text NOT NULL,
  user_id     text REFERENCES users ON DELETE CASCADE,
  family_id   uuid REFERENCES token_families ON DELETE CASCADE,
  scope       text NOT NULL,
  audience    text NOT NULL DEFAULT '',
  jti         text NOT NULL,
  issued_at   timestamptz NOT NULL,
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz,
  revoked_at  timestamptz
);
CREATE INDEX tokens_family ON tokens (family_id) WHERE family_id IS NOT NULL;
CREATE INDEX tokens_client ON tokens (client_id);
CREATE INDEX tokens_user ON tokens (user_id) WHERE user_id IS NOT NULL;
-- BRIN: rows arrive in roughly expiry order, and the purge scans ranges.
CREATE INDEX tokens_expiry ON tokens USING brin (expires_at);

CREATE TABLE audit_events (
  id         bigserial PRIMARY KEY,
  at         timestamptz NOT NULL DEFAULT now(),
  event      text NOT NULL,
  client_id  text,
  user_id    text,
  family_id  uuid,
  detail     text NOT NULL DEFAULT ''
);
CREATE INDEX audit_events_at ON audit_events USING brin (at);
CREATE INDEX audit_events_client ON audit_events (client_id, at);
