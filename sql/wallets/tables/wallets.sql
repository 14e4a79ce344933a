CREATE TABLE wallets.wallets (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- owner non-empty, asset matching the category pattern, metadata an object: checked by the
    -- trigger wallets_identity (sql/wallets/triggers/wallet_identity.sql), not by CHECKs.
    owner text NOT NULL,
    asset text NOT NULL,
    allow_negative boolean NOT NULL DEFAULT false,
    metadata jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL,
    -- Caches derived from the ledger (wallets.check() recomputes them):
    -- balance_after of the last transaction; buckets past expiry but not yet swept still count here.
    ledger_balance bigint NOT NULL DEFAULT 0,
    -- Unbacked part of debits on an allow_negative wallet, repaid first by the next credits.
    debt bigint NOT NULL DEFAULT 0,
    -- Never later than the earliest expiry among buckets with a free remainder and active holds;
    -- NULL when none expires. Lets a write skip the expiry sweep with one comparison.
    expiry_floor timestamptz,
    -- Credits reserved by active holds (part of ledger_balance, not available).
    held bigint NOT NULL DEFAULT 0,
    -- Where the next draw-down starts: no bucket with credits to draw sorts before this
    -- (priority, expiry, transaction id) key in draw-down order (a NULL expiry, never, sorts
    -- last; priority -1, the default, before every bucket). Each draw-down moves it to the last
    -- bucket it took from; a credit or a released hold that opens a bucket before it moves it
    -- back. A bucket emptied by a debit leaves a dead entry in the draw-down index until VACUUM;
    -- starting from here skips them (a hot wallet's debits would otherwise walk every bucket
    -- emptied since the last VACUUM). Plain values, no infinities, so every driver reads the row.
    draw_from_priority integer NOT NULL DEFAULT -1,
    draw_from_expiry timestamptz,
    draw_from_id bigint NOT NULL DEFAULT 0,
    UNIQUE (owner, asset)
    -- Its rules on the caches: the trigger wallets_rules (triggers/wallet_rules.sql).
) WITH (fillfactor = 80);  -- room for HOT updates of the caches

COMMENT ON TABLE wallets.wallets IS 'One wallet per (owner, asset). ledger_balance, debt, expiry_floor, held and the draw_from key are caches of the ledger.';
