-- Uploads (the receiving side of a transfer) and transfers (what this daemon is moving).

CREATE TABLE uploads (
  id          TEXT PRIMARY KEY,
  principal   TEXT    NOT NULL,
  kind        TEXT    NOT NULL CHECK (kind IN ('file', 'archive')),
  target      TEXT    NOT NULL,               -- the final path (its parent realpath'd at creation)
  temp        TEXT    NOT NULL,               -- the hidden temporary file in the same directory
  size        INTEGER,                        -- expected, when the sender knew it
  force       INTEGER NOT NULL DEFAULT 0,
  mode        INTEGER,
  mtime       INTEGER,
  state       TEXT    NOT NULL CHECK (state IN ('open', 'done', 'failed')),
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX uploads_state ON uploads (state, updated_at);

CREATE TABLE transfers (
  seq             INTEGER PRIMARY KEY AUTOINCREMENT,
  id              TEXT    NOT NULL UNIQUE,
  direction       TEXT    NOT NULL CHECK (direction IN ('push', 'pull')),
  peer_id         TEXT,
  peer_name       TEXT,
  source          TEXT    NOT NULL,
  destination     TEXT    NOT NULL,
  force           INTEGER NOT NULL DEFAULT 0,
  parents         INTEGER NOT NULL DEFAULT 0,
  kind            TEXT,
  state           TEXT    NOT NULL CHECK (state IN ('running', 'done', 'failed', 'canceled')),
  bytes           INTEGER NOT NULL DEFAULT 0,
  total           INTEGER,
  sha256          TEXT,
  attempts        INTEGER NOT NULL DEFAULT 0,
  upload_id       TEXT,                       -- the receiver's upload, to resume into
  final_path      TEXT,
  error_code      TEXT,
  error_message   TEXT,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL,
  ended_at        INTEGER
);
CREATE INDEX transfers_state ON transfers (state, seq);
