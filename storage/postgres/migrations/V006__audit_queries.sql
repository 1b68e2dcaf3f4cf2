-- Operating tokend (issue #8): audit queries, token listing and revoke-all.
--
-- The access-token format each token was minted in; NULL for tokens issued
-- before this migration (and for refresh tokens, which are always opaque).
ALTER TABLE tokens ADD COLUMN format text CHECK (format IN ('opaque', 'jwt'));

-- Listing a user's or a client's tokens newest first, paged on
-- (issued_at, jti): these replace the single-column indexes of V001 (same
-- leading column, so every existing use keeps its index; no extra index to
-- maintain on the issuing path).
DROP INDEX tokens_client;
CREATE INDEX tokens_client ON tokens (client_id, issued_at, jti);
DROP INDEX tokens_user;
CREATE INDEX tokens_user ON tokens (user_id, issued_at, jti) WHERE user_id IS NOT NULL;

-- Audit queries, newest first and paged on (at, id), filtered by user or by
-- event type (by client: audit_events_client from V001).
CREATE INDEX audit_events_user ON audit_events (user_id, at, id) WHERE user_id IS NOT NULL;
CREATE INDEX audit_events_event ON audit_events (event, at, id);
