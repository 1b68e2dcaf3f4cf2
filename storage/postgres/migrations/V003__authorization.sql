-- The authorization code flow (RFC 6749 §4.1, RFC 7636): codes, browser
-- login sessions, remembered consents, and login throttling shared by every
-- replica. Codes and session ids are stored only as SHA-256 digests.

ALTER TABLE clients ADD COLUMN allow_plain_pkce boolean NOT NULL DEFAULT false;

CREATE TABLE authorization_codes (
  digest              bytea PRIMARY KEY,
  client_id           text NOT NULL REFERENCES clients ON DELETE CASCADE,
  user_id             text NOT NULL REFERENCES users ON DELETE CASCADE,
  redirect_uri        text NOT NULL,
  redirect_uri_given  boolean NOT NULL,  -- §4.1.3: then the exchange must repeat it
  scope               text NOT NULL,
  code_challenge      text NOT NULL DEFAULT '',
  challenge_method    text NOT NULL DEFAULT '',
  family_id           uuid NOT NULL,  -- the session its exchange opens
  issued_at           timestamptz NOT NULL,
  expires_at          timestamptz NOT NULL,
  used_at             timestamptz
);
CREATE INDEX authorization_codes_expiry ON authorization_codes (expires_at);

CREATE TABLE login_sessions (
  digest      bytea PRIMARY KEY,
  user_id     text NOT NULL REFERENCES users ON DELETE CASCADE,
  created_at  timestamptz NOT NULL,
  expires_at  timestamptz NOT NULL
);
CREATE INDEX login_sessions_expiry ON login_sessions (expires_at);

CREATE TABLE consents (
  user_id     text NOT NULL REFERENCES users ON DELETE CASCADE,
  client_id   text NOT NULL REFERENCES clients ON DELETE CASCADE,
  scopes      text[] NOT NULL,
  granted_at  timestamptz NOT NULL,
  PRIMARY KEY (user_id, client_id)
);

-- Failed logins per key ("account:<id>" or "address:<ip>").
CREATE TABLE login_failures (
  key           text PRIMARY KEY,
  failures      integer NOT NULL,
  last_failure  timestamptz NOT NULL
);
