-- A peer trusted without a pairing ceremony (a local session: POST /peers/trust) is accepted
-- only over loopback: its trust can never be used from another machine, even with its key.
ALTER TABLE peers ADD COLUMN local_only INTEGER NOT NULL DEFAULT 0;
