-- Messages: the outbox (what this daemon sends, with a row per recipient), the inbox, and the
-- acknowledgements on their way back to senders. Every row is written before an API answers.

CREATE TABLE outbox (
  id          TEXT PRIMARY KEY,
  type        TEXT    NOT NULL,
  body        TEXT    NOT NULL,             -- JSON
  reply_to    TEXT,
  thread      TEXT    NOT NULL,
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE outbox_recipients (
  message_id    TEXT    NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
  peer_id       TEXT    NOT NULL,
  peer_name     TEXT    NOT NULL,
  status        TEXT    NOT NULL CHECK (status IN ('queued', 'delivered', 'acknowledged', 'expired', 'failed')),
  attempts      INTEGER NOT NULL DEFAULT 0,
  next_at       INTEGER NOT NULL,
  reason        TEXT,
  delivered_at  INTEGER,
  acked_at      INTEGER,
  PRIMARY KEY (message_id, peer_id)
) WITHOUT ROWID;
CREATE INDEX outbox_due ON outbox_recipients (status, next_at);

CREATE TABLE inbox (
  seq          INTEGER PRIMARY KEY AUTOINCREMENT,
  id           TEXT    NOT NULL,
  from_node    TEXT    NOT NULL,             -- from the sender's certificate, never from the message
  from_name    TEXT    NOT NULL,
  type         TEXT    NOT NULL,
  body         TEXT    NOT NULL,
  reply_to     TEXT,
  thread       TEXT    NOT NULL,
  created_at   INTEGER NOT NULL,
  received_at  INTEGER NOT NULL,
  expires_at   INTEGER NOT NULL,
  status       TEXT    NOT NULL CHECK (status IN ('unread', 'acknowledged', 'expired')),
  acked_at     INTEGER,
  UNIQUE (id)
);
CREATE INDEX inbox_status ON inbox (status, seq);
CREATE INDEX inbox_thread ON inbox (thread, seq);

CREATE TABLE ack_outbox (
  message_id  TEXT    NOT NULL,
  peer_id     TEXT    NOT NULL,             -- the original sender, to tell
  acked_at    INTEGER NOT NULL,
  attempts    INTEGER NOT NULL DEFAULT 0,
  next_at     INTEGER NOT NULL,
  PRIMARY KEY (message_id, peer_id)
) WITHOUT ROWID;
