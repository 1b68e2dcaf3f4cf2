-- Identity (Blender ID): the profile fields /api/me returns, roles and badges,
-- which roles each role may manage (grant and revoke), and the roles each
-- user holds. V003 belongs to the authorization-code tables; the migrator
-- applies every embedded version it has not recorded, so the two are
-- independent of each other's presence.

ALTER TABLE users
  ADD COLUMN confirmed_email_at      timestamptz,
  ADD COLUMN date_deletion_requested timestamptz,
  ADD COLUMN avatar_url              text NOT NULL DEFAULT '';

-- The badger API finds users by email: at most one user per address,
-- compared case-insensitively. Users without an email are not constrained.
CREATE UNIQUE INDEX users_email_ci ON users (lower(email)) WHERE email <> '';

CREATE TABLE roles (
  name          text PRIMARY KEY CHECK (name <> ''),
  is_badge      boolean NOT NULL DEFAULT false,
  is_active     boolean NOT NULL DEFAULT true,
  label         text NOT NULL DEFAULT '',
  description   text NOT NULL DEFAULT '',
  image_url     text NOT NULL DEFAULT '',
  link          text NOT NULL DEFAULT '',
  image_width   integer NOT NULL DEFAULT 0 CHECK (image_width >= 0),
  image_height  integer NOT NULL DEFAULT 0 CHECK (image_height >= 0),
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);

-- A holder of `role` may grant and revoke `managed_role` (the badger API).
CREATE TABLE role_manages (
  role          text NOT NULL REFERENCES roles ON DELETE CASCADE,
  managed_role  text NOT NULL REFERENCES roles ON DELETE CASCADE,
  PRIMARY KEY (role, managed_role)
);
CREATE INDEX role_manages_managed ON role_manages (managed_role);

CREATE TABLE user_roles (
  user_id     text NOT NULL REFERENCES users ON DELETE CASCADE,
  role        text NOT NULL REFERENCES roles ON DELETE CASCADE,
  granted_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, role)
);
CREATE INDEX user_roles_role ON user_roles (role);
