-- The optional steps of the onboarding path a user chose to skip for now. Everything else the
-- wizard shows is derived from the ledger and the wallet; only a skip leaves no other trace.
CREATE TABLE setup_skips (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    step       TEXT    NOT NULL CHECK (step IN ('recharge', 'fund')),
    skipped_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, step)
) STRICT;
