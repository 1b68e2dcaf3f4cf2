-- A client's own request rate limit (requests per second per replica);
-- NULL: the server's default, 0: unlimited.
ALTER TABLE clients ADD COLUMN rate_limit_per_second integer;
