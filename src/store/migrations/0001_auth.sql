-- The auth module's tables: the branch tree, staff, sessions, API and write keys, and the
-- append-only audit chain. Owned by src/auth; see docs/security.md.
-- Times are UTC microseconds since the Unix epoch (INTEGER).

-- The bank's organisation tree. `path` materialises the ancestry as "/1/4/9/" so that a subtree
-- is a prefix match; it is rewritten for a moved branch and all its descendants.
CREATE TABLE branch (
  id INTEGER PRIMARY KEY,
  parent_id INTEGER REFERENCES branch (id),
  code TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('head_office', 'branch', 'sub_branch')),
  address TEXT NOT NULL DEFAULT '',
  latitude REAL NOT NULL,
  longitude REAL NOT NULL,
  path TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  CHECK ((kind = 'head_office') = (parent_id IS NULL))
);
CREATE INDEX branch_parent ON branch (parent_id);
CREATE INDEX branch_path ON branch (path);
-- Exactly one head office.
CREATE UNIQUE INDEX branch_one_head_office ON branch (kind) WHERE kind = 'head_office';

-- Bank employees who use the console. password_hash is an Argon2id string (libsodium
-- crypto_pwhash_str); it never leaves the auth module.
CREATE TABLE staff (
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  email TEXT NOT NULL DEFAULT '',
  password_hash TEXT NOT NULL,
  role TEXT NOT NULL,
  branch_id INTEGER NOT NULL REFERENCES branch (id),
  status TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
  locale TEXT NOT NULL,
  failed_logins INTEGER NOT NULL DEFAULT 0,
  locked_until INTEGER,
  last_login_at INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX staff_branch ON staff (branch_id);
CREATE INDEX staff_role_status ON staff (role, status);

-- Console sessions. The token itself is never stored: id_hash is its SHA-256 (hex).
CREATE TABLE session (
  id_hash TEXT PRIMARY KEY,
  staff_id INTEGER NOT NULL REFERENCES staff (id),
  created_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  remote_address TEXT NOT NULL DEFAULT ''
);
CREATE INDEX session_staff ON session (staff_id);
CREATE INDEX session_expires ON session (expires_at);

-- API keys ("bk_…", for integrations) and write keys ("wk_…", event ingestion only). The secret
-- is never stored: secret_hash is its SHA-256 (hex). permissions are space-separated names.
-- branch_id NULL means the whole bank. created_by is a staff id, or 0 for the system.
CREATE TABLE api_key (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('api', 'write')),
  prefix TEXT NOT NULL,
  secret_hash TEXT NOT NULL UNIQUE,
  permissions TEXT NOT NULL,
  branch_id INTEGER REFERENCES branch (id),
  created_by INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER,
  revoked_at INTEGER,
  last_used_at INTEGER
);

-- The audit chain: seq runs 1, 2, 3, … without gaps; hash is an HMAC-SHA-256 (keyed with the
-- audit key file) over the row's canonical encoding, which includes prev_hash, the previous
-- row's hash. docs/security.md describes the encoding and how to verify it.
CREATE TABLE audit_log (
  seq INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  request_id TEXT NOT NULL,
  remote_address TEXT NOT NULL,
  actor_kind TEXT NOT NULL,
  actor_id INTEGER NOT NULL,
  actor_name TEXT NOT NULL,
  actor_branch_path TEXT NOT NULL,
  action TEXT NOT NULL,
  target_type TEXT NOT NULL,
  target_id TEXT NOT NULL,
  outcome TEXT NOT NULL,
  details TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_actor ON audit_log (actor_id, seq);
CREATE INDEX audit_log_action ON audit_log (action, seq);
CREATE INDEX audit_log_target ON audit_log (target_type, target_id, seq);

-- Append-only: rows can be inserted, never changed or removed.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;
