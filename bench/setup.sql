-- The benchmark's own objects, in schema bench of the throwaway database (never in a real one):
-- the two baselines every scenario is compared with, the bulk-insert reference of expire_due,
-- and the loaders that write test data straight into the wallets tables as superuser.
-- The loaders keep the ledger consistent (wallets.check() stays empty): balance chains, buckets
-- and the wallets' caches are written exactly as the ledger functions would write them.
\set ON_ERROR_STOP on
CREATE SCHEMA bench;

-- Baseline 1: a raw single-row UPDATE of a balance (bench/scenarios/raw_update.sql).
CREATE TABLE bench.raw_accounts (
    id bigint PRIMARY KEY,
    balance bigint NOT NULL DEFAULT 0
) WITH (fillfactor = 80);

-- Baseline 2: a minimal ledger write, one UPDATE plus one INSERT in a plain SQL function
-- (bench/scenarios/ledger_write.sql). The entry table is keyed like wallets.transactions.
CREATE TABLE bench.accounts (
    id bigint PRIMARY KEY,
    balance bigint NOT NULL DEFAULT 0
) WITH (fillfactor = 80);

CREATE TABLE bench.entries (
    id bigint GENERATED ALWAYS AS IDENTITY,
    account_id bigint NOT NULL,
    amount bigint NOT NULL,
    balance_after bigint NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, id)
);

CREATE FUNCTION bench.ledger_write(account_id bigint, amount bigint)
RETURNS bigint
LANGUAGE sql
AS $$
    WITH moved AS (
        UPDATE bench.accounts a SET balance = a.balance + ledger_write.amount
        WHERE a.id = ledger_write.account_id
        RETURNING a.id, a.balance
    )
    INSERT INTO bench.entries (account_id, amount, balance_after)
    SELECT moved.id, ledger_write.amount, moved.balance FROM moved
    RETURNING id
$$;

-- Rows 1..10000 for the uniform runs, row 0 for the hot one.
INSERT INTO bench.raw_accounts (id) SELECT g FROM generate_series(0, 10000) g;
INSERT INTO bench.accounts (id) SELECT g FROM generate_series(0, 10000) g;

-- Floors: the rows a transfer and a hold + capture write, written by plain SQL functions into
-- tables keyed and indexed like the ledger's (no checks, no locks, no draw-down search). A ledger
-- operation cannot beat the floor of its own rows; comparing it with its floor separates the
-- cost of what it writes from the cost of how the ledger decides it. Every account draws from
-- its bucket 0 (bench.floor_buckets, loaded below).
CREATE TABLE bench.floor_entries (
    id bigint GENERATED ALWAYS AS IDENTITY,
    account_id bigint NOT NULL,
    amount bigint NOT NULL,
    balance_after bigint NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, id)
);
CREATE INDEX floor_entries_id ON bench.floor_entries (id);

CREATE TABLE bench.floor_buckets (
    account_id bigint NOT NULL,
    entry_id bigint NOT NULL,
    remaining bigint NOT NULL,
    held bigint NOT NULL DEFAULT 0,
    open boolean NOT NULL,  -- remaining > 0, set by the writers as the ledger's bucket_state is
    PRIMARY KEY (account_id, entry_id)
) WITH (fillfactor = 80);
CREATE INDEX floor_buckets_draw_down ON bench.floor_buckets (account_id, entry_id) WHERE open;

CREATE TABLE bench.floor_allocations (
    account_id bigint NOT NULL,
    entry_id bigint NOT NULL,
    bucket_id bigint NOT NULL,
    amount bigint NOT NULL,
    PRIMARY KEY (account_id, entry_id, bucket_id)
);

CREATE TABLE bench.floor_transfers (
    id bigint GENERATED ALWAYS AS IDENTITY,
    from_id bigint NOT NULL,
    to_id bigint NOT NULL,
    amount bigint NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (from_id, id)
);
CREATE INDEX floor_transfers_id ON bench.floor_transfers (id);

CREATE TABLE bench.floor_holds (
    id bigint GENERATED ALWAYS AS IDENTITY,
    account_id bigint NOT NULL,
    amount bigint NOT NULL,
    status text NOT NULL DEFAULT 'active',
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, id)
);
CREATE INDEX floor_holds_id ON bench.floor_holds (id);
CREATE INDEX floor_holds_active ON bench.floor_holds (account_id) WHERE status = 'active';

CREATE TABLE bench.floor_hold_allocations (
    account_id bigint NOT NULL,
    hold_id bigint NOT NULL,
    bucket_id bigint NOT NULL,
    amount bigint NOT NULL,
    PRIMARY KEY (account_id, hold_id, bucket_id)
);

-- The floor functions are PL/pgSQL with one plain statement per row, like the ledger's own
-- functions: their plans are cached per session (a SQL function's body is planned at every call).

-- A transfer's rows: the transfer, an outbound and an inbound entry, the sender's bucket drawn
-- and its allocation, the receiver's new bucket, both balances.
CREATE FUNCTION bench.transfer_rows(from_id bigint, to_id bigint, amount bigint)
RETURNS bigint
LANGUAGE plpgsql
AS $$
DECLARE
    moved_id bigint;
    balance bigint;
    entry_id bigint;
BEGIN
    INSERT INTO bench.floor_transfers (from_id, to_id, amount) VALUES (from_id, to_id, amount) RETURNING id INTO moved_id;
    UPDATE bench.accounts a SET balance = a.balance - transfer_rows.amount WHERE a.id = transfer_rows.from_id
    RETURNING a.balance INTO balance;
    INSERT INTO bench.floor_entries (account_id, amount, balance_after) VALUES (from_id, -amount, balance)
    RETURNING id INTO entry_id;
    UPDATE bench.floor_buckets b SET remaining = b.remaining - transfer_rows.amount, open = b.remaining > transfer_rows.amount
    WHERE b.account_id = transfer_rows.from_id AND b.entry_id = 0;
    INSERT INTO bench.floor_allocations (account_id, entry_id, bucket_id, amount) VALUES (from_id, entry_id, 0, amount);
    UPDATE bench.accounts a SET balance = a.balance + transfer_rows.amount WHERE a.id = transfer_rows.to_id
    RETURNING a.balance INTO balance;
    INSERT INTO bench.floor_entries (account_id, amount, balance_after) VALUES (to_id, amount, balance)
    RETURNING id INTO entry_id;
    INSERT INTO bench.floor_buckets (account_id, entry_id, remaining, open) VALUES (to_id, entry_id, amount, true);
    RETURN moved_id;
END
$$;

-- A hold's rows: the hold, its bucket reserved and the reservation, the account.
CREATE FUNCTION bench.hold_rows(account_id bigint, amount bigint)
RETURNS bigint
LANGUAGE plpgsql
AS $$
DECLARE
    reserved_id bigint;
BEGIN
    INSERT INTO bench.floor_holds (account_id, amount) VALUES (account_id, amount) RETURNING id INTO reserved_id;
    UPDATE bench.floor_buckets b SET remaining = b.remaining - hold_rows.amount, open = b.remaining > hold_rows.amount, held = b.held + hold_rows.amount
    WHERE b.account_id = hold_rows.account_id AND b.entry_id = 0;
    INSERT INTO bench.floor_hold_allocations (account_id, hold_id, bucket_id, amount) VALUES (account_id, reserved_id, 0, amount);
    UPDATE bench.accounts a SET balance = a.balance WHERE a.id = hold_rows.account_id;
    RETURN reserved_id;
END
$$;

-- A capture's rows: the hold (found by id alone) closed, the entry and its allocation, the bucket
-- released, the balance.
CREATE FUNCTION bench.capture_rows(hold_id bigint)
RETURNS bigint
LANGUAGE plpgsql
AS $$
DECLARE
    closed bench.floor_holds;
    balance bigint;
    entry_id bigint;
BEGIN
    UPDATE bench.floor_holds h SET status = 'captured' WHERE h.id = capture_rows.hold_id RETURNING * INTO closed;
    -- Bucket, then account, as hold_rows: concurrent holds and captures of one account would
    -- deadlock in the other order.
    UPDATE bench.floor_buckets b SET held = b.held - closed.amount WHERE b.account_id = closed.account_id AND b.entry_id = 0;
    UPDATE bench.accounts a SET balance = a.balance - closed.amount WHERE a.id = closed.account_id RETURNING a.balance INTO balance;
    INSERT INTO bench.floor_entries (account_id, amount, balance_after) VALUES (closed.account_id, -closed.amount, balance)
    RETURNING id INTO entry_id;
    INSERT INTO bench.floor_allocations (account_id, entry_id, bucket_id, amount) VALUES (closed.account_id, entry_id, 0, closed.amount);
    RETURN entry_id;
END
$$;

-- Floors in the ledger's own tables, for pgbench (scenarios *_ledger_rows) and the instruction
-- counts (pgwallets bench-instructions): the rows a transfer, a hold and a capture write, into wallets.* with its indexes and CHECK
-- functions, by plain statements: no locks, no checks in code, no reads but the one that finds
-- the bucket (a transfer from a wallet with one bucket, policy none). They are to the ledger's
-- own functions what the floor_* tables are to the ledger's schema.
CREATE FUNCTION bench.transfer_ledger_rows(from_id bigint, to_id bigint, amount bigint)
RETURNS bigint
LANGUAGE plpgsql
AS $$
DECLARE
    moved_id bigint;
    bucket_id bigint;
    balance bigint;
    entry_id bigint;
BEGIN
    INSERT INTO wallets.transfers (from_wallet_id, to_wallet_id, asset, amount, category, expiration_policy, metadata, created_at)
    VALUES (from_id, to_id, 'credits', amount, 'transfer', 'none', '{}', now()) RETURNING id INTO moved_id;
    UPDATE wallets.wallets w SET ledger_balance = w.ledger_balance - transfer_ledger_rows.amount WHERE w.id = from_id
    RETURNING w.ledger_balance INTO balance;
    INSERT INTO wallets.transactions (wallet_id, amount, category, balance_before, balance_after, metadata, created_at, transfer_id)
    VALUES (from_id, -amount, 'transfer_out', balance + amount, balance, '{}', now(), moved_id) RETURNING id INTO entry_id;
    SELECT b.transaction_id INTO bucket_id FROM wallets.bucket_state b WHERE b.wallet_id = from_id AND b.open LIMIT 1;
    UPDATE wallets.bucket_state b SET remaining = b.remaining - transfer_ledger_rows.amount, open = b.remaining > transfer_ledger_rows.amount
    WHERE b.wallet_id = from_id AND b.transaction_id = bucket_id;
    INSERT INTO wallets.allocations (wallet_id, transaction_id, source_transaction_id, amount) VALUES (from_id, entry_id, bucket_id, amount);
    UPDATE wallets.wallets w SET ledger_balance = w.ledger_balance + transfer_ledger_rows.amount WHERE w.id = to_id
    RETURNING w.ledger_balance INTO balance;
    INSERT INTO wallets.transactions (wallet_id, amount, category, priority, balance_before, balance_after, metadata, created_at, transfer_id)
    VALUES (to_id, amount, 'transfer_in', 50, balance - amount, balance, '{}', now(), moved_id) RETURNING id INTO entry_id;
    INSERT INTO wallets.bucket_state (wallet_id, transaction_id, priority, remaining, open) VALUES (to_id, entry_id, 50, amount, true);
    RETURN moved_id;
END
$$;

CREATE FUNCTION bench.hold_ledger_rows(wallet_id bigint, amount bigint)
RETURNS bigint
LANGUAGE plpgsql
AS $$
DECLARE
    reserved_id bigint;
    bucket_id bigint;
BEGIN
    INSERT INTO wallets.holds (wallet_id, amount, expires_at, metadata, created_at)
    VALUES (wallet_id, amount, now() + interval '15 minutes', '{}', now()) RETURNING id INTO reserved_id;
    SELECT b.transaction_id INTO bucket_id FROM wallets.bucket_state b WHERE b.wallet_id = hold_ledger_rows.wallet_id AND b.open LIMIT 1;
    UPDATE wallets.bucket_state b SET remaining = b.remaining - hold_ledger_rows.amount, open = b.remaining > hold_ledger_rows.amount, held = b.held + hold_ledger_rows.amount
    WHERE b.wallet_id = hold_ledger_rows.wallet_id AND b.transaction_id = bucket_id;
    INSERT INTO wallets.hold_allocations (wallet_id, hold_id, source_transaction_id, amount) VALUES (wallet_id, reserved_id, bucket_id, amount);
    UPDATE wallets.wallets w SET held = w.held + hold_ledger_rows.amount WHERE w.id = hold_ledger_rows.wallet_id;
    RETURN reserved_id;
END
$$;

CREATE FUNCTION bench.capture_ledger_rows(hold_id bigint)
RETURNS bigint
LANGUAGE plpgsql
AS $$
DECLARE
    closed wallets.holds;
    bucket_id bigint;
    balance bigint;
    entry_id bigint;
BEGIN
    UPDATE wallets.holds h SET status = 'captured', captured_amount = h.amount, closed_at = now() WHERE h.id = capture_ledger_rows.hold_id
    RETURNING * INTO closed;
    SELECT r.source_transaction_id INTO bucket_id FROM wallets.hold_allocations r WHERE r.wallet_id = closed.wallet_id AND r.hold_id = closed.id;
    UPDATE wallets.bucket_state b SET held = b.held - closed.amount WHERE b.wallet_id = closed.wallet_id AND b.transaction_id = bucket_id;
    UPDATE wallets.wallets w SET ledger_balance = w.ledger_balance - closed.amount, held = w.held - closed.amount WHERE w.id = closed.wallet_id
    RETURNING w.ledger_balance INTO balance;
    INSERT INTO wallets.transactions (wallet_id, amount, category, balance_before, balance_after, metadata, created_at, hold_id)
    VALUES (closed.wallet_id, -closed.amount, 'debit', balance + closed.amount, balance, '{}', now(), closed.id) RETURNING id INTO entry_id;
    INSERT INTO wallets.allocations (wallet_id, transaction_id, source_transaction_id, amount) VALUES (closed.wallet_id, entry_id, bucket_id, closed.amount);
    RETURN entry_id;
END
$$;

-- Lower bounds in the ledger's own tables (scenarios *_bound): the least any implementation of
-- the operation must do under the project's rules, so a target the bound cannot reach is out of
-- reach of the operation itself. Each is SECURITY DEFINER with a pinned search_path and owned by
-- wallets_owner, as the ledger's functions are; it serializes the writers of a wallet, reads its
-- balance after taking the lock, refuses an overdraft and writes the operation's rows. It leaves
-- out what the ledger must also do, so it costs less than any correct implementation: argument
-- rules beyond a positive amount, idempotency keys, expiry sweeps, debt, worded errors and, but
-- for debit_bound, more than one bucket (they draw from the wallet's first bucket) and the
-- draw_from key. Wallets are locked by the first UPDATE of their row, which also reads and writes
-- the balance: one statement where the ledger's functions spend three (advisory lock, read,
-- update; see _lock_wallet.sql for why they do), except in debit_bound (below). These functions
-- serve the benchmark only: the row locks of transfer_bound and hold_bound do not exclude the
-- ledger's advisory locks.
CREATE FUNCTION bench.transfer_bound(from_id bigint, to_id bigint, amount bigint)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    sender record;
    receiver record;
    moved_id bigint;
    bucket_id bigint;
    entry_id bigint;
BEGIN
    IF amount IS NULL OR amount <= 0 OR from_id = to_id THEN
        RAISE EXCEPTION 'bench.transfer_bound(%, %, %): bad arguments', from_id, to_id, amount;
    END IF;
    -- Both rows locked in ascending id order, as wallets.transfer locks them.
    IF from_id < to_id THEN
        UPDATE wallets.wallets w SET ledger_balance = w.ledger_balance - transfer_bound.amount WHERE w.id = from_id
        RETURNING w.ledger_balance, w.held, w.asset INTO sender;
        UPDATE wallets.wallets w SET ledger_balance = w.ledger_balance + transfer_bound.amount WHERE w.id = to_id
        RETURNING w.ledger_balance, w.asset INTO receiver;
    ELSE
        UPDATE wallets.wallets w SET ledger_balance = w.ledger_balance + transfer_bound.amount WHERE w.id = to_id
        RETURNING w.ledger_balance, w.asset INTO receiver;
        UPDATE wallets.wallets w SET ledger_balance = w.ledger_balance - transfer_bound.amount WHERE w.id = from_id
        RETURNING w.ledger_balance, w.held, w.asset INTO sender;
    END IF;
    IF sender.asset IS DISTINCT FROM receiver.asset OR sender.ledger_balance - sender.held < 0 THEN
        RAISE EXCEPTION 'bench.transfer_bound(%, %, %): refused', from_id, to_id, amount;
    END IF;
    INSERT INTO wallets.transfers (from_wallet_id, to_wallet_id, asset, amount, category, expiration_policy, metadata, created_at)
    VALUES (from_id, to_id, sender.asset, amount, 'transfer', 'none', '{}', now()) RETURNING id INTO moved_id;
    INSERT INTO wallets.transactions (wallet_id, amount, category, balance_before, balance_after, metadata, created_at, transfer_id)
    VALUES (from_id, -amount, 'transfer_out', sender.ledger_balance + amount, sender.ledger_balance, '{}', now(), moved_id)
    RETURNING id INTO entry_id;
    SELECT b.transaction_id INTO bucket_id FROM wallets.bucket_state b
    WHERE b.wallet_id = from_id AND b.open
    ORDER BY b.priority, coalesce(b.expires_at, 'infinity'::timestamptz), b.transaction_id LIMIT 1;
    UPDATE wallets.bucket_state b SET remaining = b.remaining - transfer_bound.amount, open = b.remaining > transfer_bound.amount
    WHERE b.wallet_id = from_id AND b.transaction_id = bucket_id;
    INSERT INTO wallets.allocations (wallet_id, transaction_id, source_transaction_id, amount) VALUES (from_id, entry_id, bucket_id, amount);
    INSERT INTO wallets.transactions (wallet_id, amount, category, priority, balance_before, balance_after, metadata, created_at, transfer_id)
    VALUES (to_id, amount, 'transfer_in', 50, receiver.ledger_balance - amount, receiver.ledger_balance, '{}', now(), moved_id)
    RETURNING id INTO entry_id;
    INSERT INTO wallets.bucket_state (wallet_id, transaction_id, priority, remaining, open) VALUES (to_id, entry_id, 50, amount, true);
    RETURN moved_id;
END
$$;

-- transfer_bound plus what every transfer must do before its rows under the ledger's rules and
-- lock protocol, as wallets.transfer does it: the argument rules of an entry (_entry_fault) and
-- of the expiration policy, both wallets' advisory locks in ascending id order (one statement),
-- then both rows read in a new statement (see _lock_wallet.sql for why the ledger locks so). It
-- still leaves out idempotency keys, expiry sweeps, debt, more than one bucket, the draw_from key
-- and the layering of the posting functions; the gap from here to wallets.transfer is theirs.
-- The call of transfer_bound at the end costs what a call costs.
CREATE FUNCTION bench.transfer_rules_bound(from_id bigint, to_id bigint, amount bigint,
                                           category text DEFAULT 'transfer', expiration_policy text DEFAULT 'preserve',
                                           expires_at timestamptz DEFAULT NULL, metadata jsonb DEFAULT '{}')
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    pair record;
BEGIN
    IF wallets._entry_fault(amount, category, metadata) IS NOT NULL
       OR expiration_policy NOT IN ('preserve', 'none', 'fixed')
       OR (expiration_policy = 'fixed') <> (expires_at IS NOT NULL) THEN
        RAISE EXCEPTION 'bench.transfer_rules_bound(%, %, %): bad arguments', from_id, to_id, amount;
    END IF;
    PERFORM pg_catalog.pg_advisory_xact_lock(wallets._lock_key(least(from_id, to_id))),
            pg_catalog.pg_advisory_xact_lock(wallets._lock_key(greatest(from_id, to_id)));
    -- Read as the ledger reads them; transfer_bound's UPDATEs then write from their own RETURNING,
    -- where the ledger writes later from what it read.
    SELECT s.ledger_balance, s.held, s.asset, r.asset AS to_asset INTO pair
    FROM wallets.wallets s, wallets.wallets r WHERE s.id = from_id AND r.id = to_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'bench.transfer_rules_bound(%, %, %): no such wallet', from_id, to_id, amount;
    END IF;
    RETURN bench.transfer_bound(from_id, to_id, amount);
END
$$;

-- A debit over as many buckets as it needs. The wallet row carries the draw_from key, which the
-- debit moves, so the wallet is locked with an advisory lock and read first (as _lock_wallet
-- does) and written once at the end; the buckets are read from the key on (without it a hot
-- wallet's draw-down walks the dead index entries of the buckets it emptied; see
-- docs/scaling.md), at most `amount` of them since each holds at least one credit.
CREATE FUNCTION bench.debit_bound(wallet_id bigint, amount bigint)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    w wallets.wallets;
    entry_id bigint;
    bucket record;
    take bigint;
    left_to_take bigint := amount;
BEGIN
    IF amount IS NULL OR amount <= 0 THEN
        RAISE EXCEPTION 'bench.debit_bound(%, %): bad amount', wallet_id, amount;
    END IF;
    PERFORM pg_advisory_xact_lock(wallets._lock_key(debit_bound.wallet_id));
    SELECT * INTO w FROM wallets.wallets x WHERE x.id = debit_bound.wallet_id;
    IF NOT FOUND OR w.ledger_balance - w.held < amount THEN
        RAISE EXCEPTION 'bench.debit_bound(%, %): refused', wallet_id, amount;
    END IF;
    INSERT INTO wallets.transactions (wallet_id, amount, category, balance_before, balance_after, metadata, created_at)
    VALUES (w.id, -amount, 'debit', w.ledger_balance, w.ledger_balance - amount, '{}', now()) RETURNING id INTO entry_id;
    FOR bucket IN
        SELECT b.transaction_id, b.remaining, b.priority, b.expires_at FROM wallets.bucket_state b
        WHERE b.wallet_id = w.id AND b.open
          AND (b.priority, coalesce(b.expires_at, 'infinity'::timestamptz), b.transaction_id)
              >= (w.draw_from_priority, coalesce(w.draw_from_expiry, 'infinity'::timestamptz), w.draw_from_id)
        ORDER BY b.priority, coalesce(b.expires_at, 'infinity'::timestamptz), b.transaction_id
        LIMIT debit_bound.amount
    LOOP
        take := least(bucket.remaining, left_to_take);
        UPDATE wallets.bucket_state b SET remaining = b.remaining - take, open = b.remaining > take
        WHERE b.wallet_id = w.id AND b.transaction_id = bucket.transaction_id;
        INSERT INTO wallets.allocations (wallet_id, transaction_id, source_transaction_id, amount)
        VALUES (w.id, entry_id, bucket.transaction_id, take);
        left_to_take := left_to_take - take;
        EXIT WHEN left_to_take = 0;
    END LOOP;
    UPDATE wallets.wallets x
    SET ledger_balance = x.ledger_balance - debit_bound.amount,
        draw_from_priority = bucket.priority, draw_from_expiry = bucket.expires_at, draw_from_id = bucket.transaction_id
    WHERE x.id = w.id;
    RETURN entry_id;
END
$$;

CREATE FUNCTION bench.hold_bound(wallet_id bigint, amount bigint)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    reserved_id bigint;
    bucket_id bigint;
BEGIN
    IF amount IS NULL OR amount <= 0 THEN
        RAISE EXCEPTION 'bench.hold_bound(%, %): bad amount', wallet_id, amount;
    END IF;
    UPDATE wallets.wallets w SET held = w.held + hold_bound.amount
    WHERE w.id = hold_bound.wallet_id AND w.ledger_balance - w.held >= hold_bound.amount;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'bench.hold_bound(%, %): refused', wallet_id, amount;
    END IF;
    INSERT INTO wallets.holds (wallet_id, amount, expires_at, metadata, created_at)
    VALUES (wallet_id, amount, now() + interval '15 minutes', '{}', now()) RETURNING id INTO reserved_id;
    SELECT b.transaction_id INTO bucket_id FROM wallets.bucket_state b
    WHERE b.wallet_id = hold_bound.wallet_id AND b.open
    ORDER BY b.priority, coalesce(b.expires_at, 'infinity'::timestamptz), b.transaction_id LIMIT 1;
    UPDATE wallets.bucket_state b SET remaining = b.remaining - hold_bound.amount, open = b.remaining > hold_bound.amount, held = b.held + hold_bound.amount
    WHERE b.wallet_id = hold_bound.wallet_id AND b.transaction_id = bucket_id;
    INSERT INTO wallets.hold_allocations (wallet_id, hold_id, source_transaction_id, amount) VALUES (wallet_id, reserved_id, bucket_id, amount);
    RETURN reserved_id;
END
$$;

CREATE FUNCTION bench.capture_bound(hold_id bigint)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    reserved record;
    balance bigint;
    bucket_id bigint;
    entry_id bigint;
BEGIN
    SELECT h.wallet_id, h.amount INTO reserved FROM wallets.holds h WHERE h.id = capture_bound.hold_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'bench.capture_bound(%): no such hold', hold_id;
    END IF;
    UPDATE wallets.wallets w SET ledger_balance = w.ledger_balance - reserved.amount, held = w.held - reserved.amount
    WHERE w.id = reserved.wallet_id RETURNING w.ledger_balance INTO balance;
    -- Under the wallet's lock: only an active hold is captured, once.
    UPDATE wallets.holds h SET status = 'captured', captured_amount = h.amount, closed_at = now()
    WHERE h.wallet_id = reserved.wallet_id AND h.id = capture_bound.hold_id AND h.status = 'active';
    IF NOT FOUND THEN
        RAISE EXCEPTION 'bench.capture_bound(%): not active', hold_id;
    END IF;
    INSERT INTO wallets.transactions (wallet_id, amount, category, balance_before, balance_after, metadata, created_at, hold_id)
    VALUES (reserved.wallet_id, -reserved.amount, 'debit', balance + reserved.amount, balance, '{}', now(), capture_bound.hold_id)
    RETURNING id INTO entry_id;
    SELECT r.source_transaction_id INTO bucket_id FROM wallets.hold_allocations r
    WHERE r.wallet_id = reserved.wallet_id AND r.hold_id = capture_bound.hold_id;
    INSERT INTO wallets.allocations (wallet_id, transaction_id, source_transaction_id, amount)
    VALUES (reserved.wallet_id, entry_id, bucket_id, reserved.amount);
    UPDATE wallets.bucket_state b SET held = b.held - reserved.amount WHERE b.wallet_id = reserved.wallet_id AND b.transaction_id = bucket_id;
    RETURN entry_id;
END
$$;

ALTER FUNCTION bench.transfer_bound(bigint, bigint, bigint) OWNER TO wallets_owner;
ALTER FUNCTION bench.transfer_rules_bound(bigint, bigint, bigint, text, text, timestamptz, jsonb) OWNER TO wallets_owner;
ALTER FUNCTION bench.debit_bound(bigint, bigint) OWNER TO wallets_owner;
ALTER FUNCTION bench.hold_bound(bigint, bigint) OWNER TO wallets_owner;
ALTER FUNCTION bench.capture_bound(bigint) OWNER TO wallets_owner;
GRANT USAGE ON SCHEMA bench TO wallets_owner;

INSERT INTO bench.floor_buckets (account_id, entry_id, remaining, open)
SELECT g, 0, 1000000000000000, true FROM generate_series(0, 10000) g;

-- The reference for expire_due: a bulk INSERT of as many rows as buckets expired.
CREATE TABLE bench.bulk_entries (LIKE bench.entries INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING INDEXES);

-- Loaders ---------------------------------------------------------------------------------------

-- Opens `how_many` wallets with consecutive ids (owners prefix-1 .. prefix-N) and returns the
-- first id; the pgbench scripts pick wallets in [first, first + how_many - 1].
CREATE FUNCTION bench.open_wallets(prefix text, how_many integer)
RETURNS bigint
LANGUAGE plpgsql
AS $$
DECLARE
    first_id bigint;
    last_id bigint;
BEGIN
    LOCK TABLE wallets.wallets IN EXCLUSIVE MODE;  -- nobody else takes ids in between
    WITH opened AS (
        INSERT INTO wallets.wallets (owner, asset, created_at)
        SELECT prefix || '-' || g, 'credits', wallets.now() FROM generate_series(1, how_many) g ORDER BY g
        RETURNING id
    )
    SELECT min(id), max(id) INTO first_id, last_id FROM opened;
    IF last_id - first_id + 1 <> how_many THEN
        RAISE EXCEPTION 'bench.open_wallets(%): ids % to % are not consecutive', prefix, first_id, last_id;
    END IF;
    RETURN first_id;
END
$$;

-- Tops every wallet in [first_id, last_id] up to at least `buckets` live buckets (free remainder
-- > 0) by posting credits of `amount`: priority 50, expiring at expires_at + (k - 1) * expiry_step
-- for the k-th new bucket of a wallet (NULL: never). Returns the number of credits posted.
-- The wallets must be locked by nobody (no pgbench run in progress) and carry no debt.
CREATE FUNCTION bench.top_up(first_id bigint, last_id bigint, buckets integer, amount bigint,
                             expires_at timestamptz DEFAULT NULL, expiry_step interval DEFAULT '0'::interval)
RETURNS bigint
LANGUAGE plpgsql
AS $$
DECLARE
    posted bigint;
BEGIN
    IF EXISTS (SELECT FROM wallets.wallets w WHERE w.id BETWEEN first_id AND last_id AND w.debt <> 0) THEN
        RAISE EXCEPTION 'bench.top_up: wallets % to % carry debt', first_id, last_id;
    END IF;
    CREATE TEMPORARY TABLE top_up_need ON COMMIT DROP AS
    SELECT w.id AS wallet_id, w.ledger_balance, greatest(0, buckets - coalesce(live.n, 0))::integer AS missing
    FROM wallets.wallets w
    LEFT JOIN (SELECT b.wallet_id, count(*) AS n FROM wallets.bucket_state b
               WHERE b.wallet_id BETWEEN first_id AND last_id AND b.remaining > 0
               GROUP BY b.wallet_id) live ON live.wallet_id = w.id
    WHERE w.id BETWEEN first_id AND last_id;

    -- Ids follow the ORDER BY, so each wallet's balance chain runs in id order.
    WITH credited AS (
        INSERT INTO wallets.transactions (wallet_id, amount, category, expires_at, priority, balance_before,
                                          balance_after, created_at)
        SELECT n.wallet_id, top_up.amount, 'bench_load', top_up.expires_at + (k - 1) * expiry_step, 50,
               n.ledger_balance + (k - 1) * top_up.amount, n.ledger_balance + k * top_up.amount, wallets.now()
        FROM top_up_need n CROSS JOIN LATERAL generate_series(1, n.missing) k
        ORDER BY n.wallet_id, k
        RETURNING wallet_id, id, priority, transactions.expires_at, transactions.amount
    )
    INSERT INTO wallets.bucket_state (wallet_id, transaction_id, priority, expires_at, remaining, open)
    SELECT c.wallet_id, c.id, c.priority, c.expires_at, c.amount, c.amount > 0 FROM credited c;
    GET DIAGNOSTICS posted = ROW_COUNT;

    -- The new buckets may sort before a wallet's draw_from key: its next draw-down starts from the first.
    UPDATE wallets.wallets w
    SET ledger_balance = w.ledger_balance + n.missing * top_up.amount,
        expiry_floor = least(w.expiry_floor, top_up.expires_at),
        draw_from_priority = -1, draw_from_expiry = NULL, draw_from_id = 0
    FROM top_up_need n
    WHERE w.id = n.wallet_id AND n.missing > 0;
    DROP TABLE top_up_need;
    RETURN posted;
END
$$;

-- Gives one wallet a history of `entries` ledger entries: one credit, then debits of 1 drawn from
-- it (with their allocations). Returns the number of entries posted.
CREATE FUNCTION bench.load_history(wallet_id bigint, entries integer, credit_amount bigint)
RETURNS bigint
LANGUAGE plpgsql
AS $$
DECLARE
    wallet wallets.wallets;
    bucket_id bigint;
    debits integer := entries - 1;
BEGIN
    SELECT * INTO wallet FROM wallets.wallets w WHERE w.id = load_history.wallet_id;
    IF wallet.ledger_balance <> 0 OR credit_amount <= debits THEN
        RAISE EXCEPTION 'bench.load_history: wallet % must be empty and the credit must cover the debits', wallet_id;
    END IF;
    INSERT INTO wallets.transactions (wallet_id, amount, category, priority, balance_before, balance_after, created_at)
    VALUES (wallet.id, credit_amount, 'bench_load', 50, 0, credit_amount, wallets.now())
    RETURNING id INTO bucket_id;

    WITH debited AS (
        INSERT INTO wallets.transactions (wallet_id, amount, category, balance_before, balance_after, created_at)
        SELECT wallet.id, -1, 'bench_load', credit_amount - (k - 1), credit_amount - k, wallets.now()
        FROM generate_series(1, debits) k
        ORDER BY k
        RETURNING id
    )
    INSERT INTO wallets.allocations (wallet_id, transaction_id, source_transaction_id, amount)
    SELECT wallet.id, d.id, bucket_id, 1 FROM debited d;

    INSERT INTO wallets.bucket_state (wallet_id, transaction_id, priority, expires_at, remaining, open)
    VALUES (wallet.id, bucket_id, 50, NULL, credit_amount - debits, credit_amount > debits);
    UPDATE wallets.wallets w SET ledger_balance = credit_amount - debits WHERE w.id = wallet.id;
    RETURN entries;
END
$$;
