-- Peers (pinned by certificate fingerprint), manual addresses, and approvals of "ask" requests.

CREATE TABLE peers (
  node_id      TEXT PRIMARY KEY,
  name         TEXT    NOT NULL UNIQUE,
  fingerprint  TEXT    NOT NULL UNIQUE,           -- SHA-256 of the certificate (DER): the pin
  certificate  TEXT    NOT NULL,                  -- PEM, as seen in the pairing TLS session
  addresses    TEXT    NOT NULL DEFAULT '[]',     -- JSON: where it was reached or reached us
  port         INTEGER NOT NULL,                  -- its peer listener port
  policy       TEXT    NOT NULL,                  -- JSON: what it may do here
  paired_at    INTEGER NOT NULL,
  last_seen    INTEGER
) WITHOUT ROWID;

CREATE TABLE manual_peers (
  address   TEXT    NOT NULL,
  port      INTEGER NOT NULL,
  added_at  INTEGER NOT NULL,
  PRIMARY KEY (address, port)
) WITHOUT ROWID;

CREATE TABLE approvals (
  id          TEXT PRIMARY KEY,
  peer_id     TEXT    NOT NULL,
  peer_name   TEXT    NOT NULL,
  scope       TEXT    NOT NULL,
  summary     TEXT    NOT NULL,
  detail      TEXT    NOT NULL,                   -- JSON
  programs    TEXT    NOT NULL DEFAULT '[]',      -- JSON
  status      TEXT    NOT NULL CHECK (status IN ('pending', 'approved', 'denied', 'expired')),
  remember    INTEGER NOT NULL DEFAULT 0,
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL,
  decided_at  INTEGER
) WITHOUT ROWID;
CREATE INDEX approvals_status ON approvals (status, created_at);
CREATE INDEX jobs_principal ON jobs (principal, seq);
