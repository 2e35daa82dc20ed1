-- AI tasks: a prompt run by a coding agent (Claude Code, Gemini CLI, Codex CLI), its normalised
-- event stream (resumable with `since`), and the tool permissions it asked for.

CREATE TABLE ai_tasks (
  seq            INTEGER PRIMARY KEY AUTOINCREMENT,  -- listing order and cursor
  id             TEXT    NOT NULL UNIQUE,
  agent          TEXT    NOT NULL,
  prompt         TEXT    NOT NULL,
  cwd            TEXT    NOT NULL,
  model          TEXT,
  principal      TEXT    NOT NULL,                   -- who dispatched it: local or peer:<nodeId>
  status         TEXT    NOT NULL,                   -- queued, running, then a final status
  timeout_ms     INTEGER NOT NULL,
  created_at     INTEGER NOT NULL,
  started_at     INTEGER,
  ended_at       INTEGER,
  exit_code      INTEGER,
  error_code     TEXT,
  error_message  TEXT,
  result         TEXT,
  cost_usd       REAL,
  session_id     TEXT,
  event_count    INTEGER NOT NULL DEFAULT 0,
  pid            INTEGER,                            -- the agent's process group while it runs
  pid_start      TEXT
);
CREATE INDEX ai_tasks_status ON ai_tasks (status, seq);
CREATE INDEX ai_tasks_principal ON ai_tasks (principal, seq);

CREATE TABLE ai_task_events (
  task_id  TEXT    NOT NULL REFERENCES ai_tasks (id) ON DELETE CASCADE,
  seq      INTEGER NOT NULL,                          -- 1, 2, 3… per task
  at       INTEGER NOT NULL,
  type     TEXT    NOT NULL,
  data     TEXT    NOT NULL,                          -- JSON object
  PRIMARY KEY (task_id, seq)
) WITHOUT ROWID;

CREATE TABLE ai_task_permissions (
  id            TEXT    PRIMARY KEY,
  task_id       TEXT    NOT NULL REFERENCES ai_tasks (id) ON DELETE CASCADE,
  tool          TEXT    NOT NULL,
  input         TEXT    NOT NULL,                     -- JSON
  status        TEXT    NOT NULL,                     -- pending, allowed, denied, expired
  requested_at  INTEGER NOT NULL,
  expires_at    INTEGER NOT NULL,
  decided_at    INTEGER,
  decided_by    TEXT,
  message       TEXT
);
CREATE INDEX ai_task_permissions_task ON ai_task_permissions (task_id, requested_at);
CREATE INDEX ai_task_permissions_pending ON ai_task_permissions (status) WHERE status = 'pending';
