-- Idempotency keys are scoped by caller, as API.md says ("same key, caller and request"): each
-- user has a key space of their own (`user:<id>`), and the operator's metering service has one
-- key space across every user (`metering`). Keyed by user alone, a metering key reused for a
-- second user would have moved that user's money too, instead of being refused as a reuse.
-- `user_id` stays: it is whose money the request moved, and a deleted user's keys go with them.
CREATE TABLE idempotency_keys_by_caller (
    caller      TEXT    NOT NULL CHECK (caller = 'metering' OR caller GLOB 'user:[0-9]*'),
    key         TEXT    NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    fingerprint TEXT    NOT NULL CHECK (length(fingerprint) = 64),
    outcome     TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (caller, key)
) STRICT;

-- Keys stored so far were all kept per user; they stay valid in that user's key space.
INSERT INTO idempotency_keys_by_caller (caller, key, user_id, fingerprint, outcome, created_at)
SELECT 'user:' || user_id, key, user_id, fingerprint, outcome, created_at FROM idempotency_keys;

DROP TABLE idempotency_keys;
ALTER TABLE idempotency_keys_by_caller RENAME TO idempotency_keys;
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);
CREATE INDEX idempotency_keys_by_user ON idempotency_keys (user_id);
