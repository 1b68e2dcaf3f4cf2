-- JWT access tokens: a per-client default token format, and the signing keys
-- every replica shares (private halves sealed under the key-encryption key).

ALTER TABLE clients ADD COLUMN default_token_format text NOT NULL DEFAULT 'opaque'
  CHECK (default_token_format IN ('opaque', 'jwt'));

CREATE TABLE signing_keys (
  kid                 text PRIMARY KEY,
  algorithm           text NOT NULL CHECK (algorithm IN ('ES256', 'EdDSA', 'RS256')),
  public_key          bytea NOT NULL,   -- DER SubjectPublicKeyInfo
  sealed_private_key  bytea NOT NULL,   -- AES-256-GCM nonce || ciphertext || tag, AAD = kid
  created_at          timestamptz NOT NULL DEFAULT now(),
  retired_at          timestamptz,
  publish_until       timestamptz,
  CHECK ((retired_at IS NULL) = (publish_until IS NULL))
);
-- At most one active key, whatever the replicas do.
CREATE UNIQUE INDEX signing_keys_one_active ON signing_keys ((true)) WHERE retired_at IS NULL;
