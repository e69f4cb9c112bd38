-- DESIGN.md lets a new user skip steps 3 to 6 of the path for now, picking a primary model
-- among them: someone still learning the product need not choose yet. SQLite cannot change a
-- CHECK in place, so the table is made again with 'model' allowed and its rows copied over.
CREATE TABLE setup_skips_with_model (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    step       TEXT    NOT NULL CHECK (step IN ('recharge', 'model', 'fund')),
    skipped_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, step)
) STRICT;

INSERT INTO setup_skips_with_model (user_id, step, skipped_at)
SELECT user_id, step, skipped_at FROM setup_skips;

DROP TABLE setup_skips;
ALTER TABLE setup_skips_with_model RENAME TO setup_skips;
