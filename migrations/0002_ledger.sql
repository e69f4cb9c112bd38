-- The ledger and the funding rules' state: wallets, accounts, entries and postings, holds, the
-- models each user funded or chose, and stored idempotent outcomes. Amounts are whole
-- micro-units (6 decimal places); timestamps are whole microseconds since the Unix epoch, UTC.
--
-- Every rule the code checks is checked here a second time: balances of user accounts never go
-- below zero, entries balance, the ledger is append-only, a user has at most one primary model.

-- One wallet per user. `unlocked_until` is NULL while locked; otherwise the wallet is unlocked
-- until that moment (last wallet action + auto-lock timeout).
CREATE TABLE wallets (
    user_id           INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE RESTRICT,
    passphrase_hash   TEXT    NOT NULL CHECK (passphrase_hash LIKE '$argon2id$%'),
    auto_lock_minutes INTEGER NOT NULL CHECK (auto_lock_minutes BETWEEN 1 AND 60),
    unlocked_until    INTEGER,
    created_at        INTEGER NOT NULL
) STRICT;

-- One row per unlock attempt that has not (yet) succeeded; an attempt is written before the
-- passphrase is checked and removed when it proves right, so simultaneous guesses all count.
CREATE TABLE wallet_unlock_failures (
    id      INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    at      INTEGER NOT NULL
) STRICT;
CREATE INDEX wallet_unlock_failures_by_user ON wallet_unlock_failures (user_id, at);

-- Accounts. User accounts: one `wallet` per user, one `available` and one `held` per (user,
-- model). System accounts, one each: `funding_source` (goes negative by what was recharged),
-- `withdrawals` (what was paid back out), `fees` and `usage_revenue`. The sum of all balances is
-- always zero.
CREATE TABLE accounts (
    id       INTEGER PRIMARY KEY,
    kind     TEXT    NOT NULL CHECK (kind IN ('wallet', 'available', 'held', 'funding_source',
                                              'withdrawals', 'fees', 'usage_revenue')),
    user_id  INTEGER REFERENCES users (id) ON DELETE RESTRICT,
    model_id TEXT,
    balance  INTEGER NOT NULL DEFAULT 0,
    CHECK (CASE kind
        WHEN 'wallet' THEN user_id IS NOT NULL AND model_id IS NULL
        WHEN 'available' THEN user_id IS NOT NULL AND model_id IS NOT NULL
        WHEN 'held' THEN user_id IS NOT NULL AND model_id IS NOT NULL
        ELSE user_id IS NULL AND model_id IS NULL
    END),
    CONSTRAINT user_balance_never_negative CHECK (user_id IS NULL OR balance >= 0)
) STRICT;
CREATE UNIQUE INDEX accounts_one_per_owner
    ON accounts (kind, coalesce(user_id, 0), coalesce(model_id, ''));

INSERT INTO accounts (kind) VALUES ('funding_source'), ('withdrawals'), ('fees'), ('usage_revenue');

CREATE TRIGGER accounts_keep_their_owner
BEFORE UPDATE OF id, kind, user_id, model_id ON accounts
BEGIN
    SELECT RAISE(ABORT, 'an account never changes kind or owner');
END;

CREATE TRIGGER accounts_are_never_deleted
BEFORE DELETE ON accounts
BEGIN
    SELECT RAISE(ABORT, 'accounts are never deleted');
END;

-- Holds on a model balance. `status` moves once, from 'open' to 'settled', 'released' or
-- 'expired'; an open hold past `expires_at` counts as released for every read before the
-- sweeper writes its release.
CREATE TABLE holds (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    model_id   TEXT    NOT NULL,
    amount     INTEGER NOT NULL CHECK (amount > 0),
    status     TEXT    NOT NULL DEFAULT 'open'
               CHECK (status IN ('open', 'settled', 'released', 'expired')),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL CHECK (expires_at > created_at),
    closed_at  INTEGER,
    charged    INTEGER CHECK (charged >= 0),
    released   INTEGER CHECK (released >= 0),
    CHECK ((status = 'open') = (closed_at IS NULL)),
    CHECK (status = 'open' OR charged + released = amount)
) STRICT;
CREATE INDEX holds_open_by_owner ON holds (user_id, model_id) WHERE status = 'open';
CREATE INDEX holds_open_by_expiry ON holds (expires_at) WHERE status = 'open';

CREATE TRIGGER holds_close_once
BEFORE UPDATE ON holds
WHEN OLD.status <> 'open'
    OR NEW.id IS NOT OLD.id OR NEW.user_id IS NOT OLD.user_id
    OR NEW.model_id IS NOT OLD.model_id OR NEW.amount IS NOT OLD.amount
    OR NEW.created_at IS NOT OLD.created_at OR NEW.expires_at IS NOT OLD.expires_at
BEGIN
    SELECT RAISE(ABORT, 'a hold is closed once and otherwise never changes');
END;

CREATE TRIGGER holds_are_never_deleted
BEFORE DELETE ON holds
BEGIN
    SELECT RAISE(ABORT, 'holds are never deleted');
END;

-- Ledger entries. `amount` is what the entry moved in the direction its kind names (for
-- `hold_settled` the amount charged); `fee` is the funding fee. The balances after are the
-- user's wallet and, for entries about a model, that model's balance (available + held).
CREATE TABLE entries (
    id                   INTEGER PRIMARY KEY,
    kind                 TEXT    NOT NULL CHECK (kind IN ('recharge', 'withdrawal', 'funding',
                             'refund', 'usage', 'hold', 'hold_settled', 'hold_released')),
    user_id              INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    model_id             TEXT,
    hold_id              INTEGER REFERENCES holds (id),
    created_at           INTEGER NOT NULL,
    amount               INTEGER NOT NULL CHECK (amount >= 0),
    fee                  INTEGER NOT NULL DEFAULT 0 CHECK (fee >= 0),
    wallet_balance_after INTEGER NOT NULL CHECK (wallet_balance_after >= 0),
    model_balance_after  INTEGER CHECK (model_balance_after >= 0),
    description          TEXT    NOT NULL,
    source               TEXT,
    test_money           INTEGER NOT NULL DEFAULT 0 CHECK (test_money IN (0, 1)),
    CHECK ((kind IN ('recharge', 'withdrawal')) = (model_id IS NULL)),
    CHECK ((model_id IS NULL) = (model_balance_after IS NULL)),
    CHECK ((kind IN ('hold', 'hold_settled', 'hold_released')) = (hold_id IS NOT NULL)),
    CHECK ((kind IN ('recharge', 'withdrawal')) = (source IS NOT NULL)),
    CHECK (kind = 'funding' OR fee = 0)
) STRICT;
CREATE INDEX entries_by_user ON entries (user_id, id);
CREATE INDEX entries_by_user_model_kind ON entries (user_id, model_id, kind, created_at);

-- Postings are written before their entry; the entry's insert then proves they balance. The
-- foreign key is deferred to the commit so that order is possible.
CREATE TABLE postings (
    entry_id   INTEGER NOT NULL REFERENCES entries (id) DEFERRABLE INITIALLY DEFERRED,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    amount     INTEGER NOT NULL,
    PRIMARY KEY (entry_id, account_id)
) STRICT;
CREATE INDEX postings_by_account ON postings (account_id);

CREATE TRIGGER postings_only_for_new_entries
BEFORE INSERT ON postings
WHEN EXISTS (SELECT 1 FROM entries WHERE id = NEW.entry_id)
BEGIN
    SELECT RAISE(ABORT, 'postings cannot be added to an entry already written');
END;

-- The materialised balance moves with each posting, in the same transaction; the CHECK on
-- accounts refuses any posting that would take a user account below zero.
CREATE TRIGGER postings_move_balances
AFTER INSERT ON postings
BEGIN
    UPDATE accounts SET balance = balance + NEW.amount WHERE id = NEW.account_id;
END;

CREATE TRIGGER entries_balance
BEFORE INSERT ON entries
WHEN (SELECT count(*) FROM postings WHERE entry_id = NEW.id) < 2
    OR (SELECT sum(amount) FROM postings WHERE entry_id = NEW.id) <> 0
BEGIN
    SELECT RAISE(ABORT, 'an entry needs two or more postings that sum to zero');
END;

CREATE TRIGGER entries_are_append_only_update
BEFORE UPDATE ON entries
BEGIN
    SELECT RAISE(ABORT, 'entries are append-only');
END;

CREATE TRIGGER entries_are_append_only_delete
BEFORE DELETE ON entries
BEGIN
    SELECT RAISE(ABORT, 'entries are append-only');
END;

CREATE TRIGGER postings_are_append_only_update
BEFORE UPDATE ON postings
BEGIN
    SELECT RAISE(ABORT, 'postings are append-only');
END;

CREATE TRIGGER postings_are_append_only_delete
BEFORE DELETE ON postings
BEGIN
    SELECT RAISE(ABORT, 'postings are append-only');
END;

-- The models a user has funded or chosen: their funding status. At most one primary per user.
CREATE TABLE user_models (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    model_id   TEXT    NOT NULL,
    is_primary INTEGER NOT NULL DEFAULT 0 CHECK (is_primary IN (0, 1)),
    added_at   INTEGER NOT NULL,
    PRIMARY KEY (user_id, model_id)
) STRICT;
CREATE UNIQUE INDEX user_models_one_primary ON user_models (user_id) WHERE is_primary = 1;

-- The first successful outcome of each idempotent request, kept at least 24 hours.
-- `fingerprint` is the SHA-256 of the operation and its parameters; `outcome` its JSON result.
CREATE TABLE idempotency_keys (
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key         TEXT    NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    fingerprint TEXT    NOT NULL CHECK (length(fingerprint) = 64),
    outcome     TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (user_id, key)
) STRICT;
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);
