-- Accounts: users, server-side sessions, API keys and the record of failed logins that drives
-- the login rate limit. Timestamps are whole microseconds since the Unix epoch, UTC.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT    NOT NULL UNIQUE CHECK (email = lower(trim(email)) AND length(email) BETWEEN 3 AND 254),
    password_hash TEXT    NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    created_at    INTEGER NOT NULL
) STRICT;

-- Only a SHA-256 of each session token is kept, so a copy of the database cannot be replayed
-- as a cookie.
CREATE TABLE sessions (
    token_hash   TEXT    PRIMARY KEY CHECK (length(token_hash) = 64),
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL CHECK (last_seen_at >= created_at)
) STRICT;
CREATE INDEX sessions_by_user ON sessions (user_id);

CREATE TABLE api_keys (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    key_hash     TEXT    NOT NULL UNIQUE CHECK (length(key_hash) = 64),
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER
) STRICT;
CREATE INDEX api_keys_by_user ON api_keys (user_id);

-- One row per failed attempt. `scope` is 'account:<sha256 of the email>' or 'address:<ip>',
-- so the limit also covers emails that have no account, without storing them.
CREATE TABLE login_failures (
    id     INTEGER PRIMARY KEY,
    scope  TEXT    NOT NULL,
    at     INTEGER NOT NULL
) STRICT;
CREATE INDEX login_failures_by_scope ON login_failures (scope, at);
