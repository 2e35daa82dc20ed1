-- Ferry schema, version 1. Times are Unix epoch milliseconds (INTEGER).

CREATE TABLE context (
  key         TEXT PRIMARY KEY,
  value       TEXT    NOT NULL,          -- JSON text
  version     INTEGER NOT NULL CHECK (version > 0),
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL,
  expires_at  INTEGER,                   -- NULL: never
  updated_by  TEXT    NOT NULL
) WITHOUT ROWID;
CREATE INDEX context_expires ON context (expires_at) WHERE expires_at IS NOT NULL;

CREATE TABLE jobs (
  seq               INTEGER PRIMARY KEY AUTOINCREMENT,  -- listing order and cursor
  id                TEXT    NOT NULL UNIQUE,
  argv              TEXT,                               -- JSON array, or NULL for a shell job
  shell             TEXT,
  cwd               TEXT    NOT NULL,
  env_keys          TEXT    NOT NULL DEFAULT '[]',      -- names only: values may be secrets
  principal         TEXT    NOT NULL,
  status            TEXT    NOT NULL,
  exit_code         INTEGER,
  signal            TEXT,
  timeout_ms        INTEGER NOT NULL,
  created_at        INTEGER NOT NULL,
  ended_at          INTEGER,
  stdout            TEXT    NOT NULL DEFAULT '',
  stderr            TEXT    NOT NULL DEFAULT '',
  stdout_truncated  INTEGER NOT NULL DEFAULT 0,
  stderr_truncated  INTEGER NOT NULL DEFAULT 0,
  error_code        TEXT,
  error_message     TEXT,
  pid               INTEGER,                            -- process group leader while running
  pid_start         TEXT                                -- its start time (/proc), so a reused pid is never mistaken for it
);
CREATE INDEX jobs_status ON jobs (status, seq);

CREATE TABLE audit (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  at           INTEGER NOT NULL,
  principal    TEXT    NOT NULL,
  action       TEXT    NOT NULL,
  target       TEXT,
  result       TEXT    NOT NULL CHECK (result IN ('ok', 'error', 'denied')),
  status       INTEGER NOT NULL,
  code         TEXT,
  duration_ms  REAL    NOT NULL,
  ip           TEXT
);
CREATE INDEX audit_at ON audit (at);
CREATE INDEX audit_principal ON audit (principal, id);
CREATE INDEX audit_action ON audit (action, id);

-- AUTOINCREMENT: event ids are never reused, even after the newest rows are pruned.
CREATE TABLE events (
  id     INTEGER PRIMARY KEY AUTOINCREMENT,
  at     INTEGER NOT NULL,
  type   TEXT    NOT NULL,
  topic  TEXT    NOT NULL,
  data   TEXT    NOT NULL
);

CREATE TABLE sessions (
  id_hash     TEXT PRIMARY KEY,            -- SHA-256 of the cookie value; the value itself is never stored
  csrf_token  TEXT    NOT NULL,
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL
) WITHOUT ROWID;
