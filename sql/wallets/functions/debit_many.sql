CREATE OR REPLACE FUNCTION wallets.debit_many(wallet_ids bigint[], amounts bigint[], categories text[] DEFAULT NULL,
                                             metadata jsonb[] DEFAULT NULL, idempotency_keys text[] DEFAULT NULL,
                                             atomic boolean DEFAULT false)
RETURNS TABLE (item integer, transaction_id bigint, error_code text, error_message text, error_detail jsonb)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
-- Plans each statement once per session. Left to choose, the plan cache planned the set-based
-- statements again at every call of a one-item batch, whose custom plans look cheaper than the
-- generic one: 9.4M instructions a call (a single debit: 0.7M), 2.2M with generic plans. The
-- statements are shaped so that a generic plan, blind to the batch's size, stays linear in it
-- (see `changes`).
SET plan_cache_mode = force_generic_plan
AS $$
#variable_conflict use_column
DECLARE
    as_of timestamptz := wallets.now();
    size integer := wallets._check_batch('debit_many', debit_many.wallet_ids, debit_many.amounts,
        ARRAY[wallets._batch_length(debit_many.categories), wallets._batch_length(debit_many.metadata),
              wallets._batch_length(debit_many.idempotency_keys)], debit_many.atomic);
    -- Per item: its category and metadata with defaults, the transaction posted or replayed, or the problem.
    item_categories text[];
    item_metadata jsonb[];
    entry_ids bigint[] := '{}';
    -- Set for the items posted, and only for them: the wallet's balance before the item, and
    -- what the wallet's earlier items in the batch took (the item's debit takes its wallet's free
    -- credits from there on, in draw-down order; see the writes below). The second is kept rather
    -- than derived in the write, which would have to find each item's wallet again. Filled with
    -- NULLs first, so its subscripts start at 1 (an empty array's first assignment would start
    -- them at that item).
    before_balances bigint[] := array_fill(NULL::bigint, ARRAY[size]);
    taken_before bigint[] := '{}';
    problems jsonb[] := '{}';
    -- The batch's wallets, ascending, locked, with their live figures (as after a sweep, which
    -- is posted only for a wallet with an accepted item: refused items and replays write nothing;
    -- swept: nothing left to post, because nothing was due or it has been posted).
    batch_ids bigint[] := '{}';
    batch_balances bigint[] := '{}';
    -- Each wallet's balance before the batch.
    batch_start bigint[];
    batch_held bigint[] := '{}';
    batch_negative boolean[] := '{}';
    swept boolean[] := '{}';
    figures record;
    at integer;
    -- A repeated key replays the item that posted it. Items are grouped by (wallet, key), each
    -- group named by its first item (key_groups[p]); key_posters[group] is the group's item that
    -- posted, once one has. Array look-ups, so a batch of keyed events stays linear.
    key_groups integer[];
    key_posters integer[] := '{}';
    earlier integer;
    original wallets.transactions;
BEGIN
    -- The argument rules need no wallet, so they are checked before anything is locked, as a
    -- single write checks them: a hot wallet's lock is not held through them (about 9k
    -- instructions an item, 0.9M of the 10.6M a batch of 100 costs).
    SELECT array_agg(i.category ORDER BY i.p), array_agg(i.metadata ORDER BY i.p),
           array_agg(wallets._entry_problem(debit_many.wallet_ids[i.p], debit_many.amounts[i.p], i.category, i.metadata) ORDER BY i.p)
    INTO item_categories, item_metadata, problems
    FROM (SELECT p, coalesce(debit_many.categories[p], 'debit') AS category, coalesce(debit_many.metadata[p], '{}') AS metadata
          FROM generate_series(1, size) AS p) AS i;
    IF debit_many.idempotency_keys IS NOT NULL THEN  -- a batch without keys skips the sort
        SELECT array_agg(g.key_group ORDER BY g.p) INTO key_groups
        FROM (SELECT p, min(p) OVER (PARTITION BY debit_many.wallet_ids[p], debit_many.idempotency_keys[p]) AS key_group
              FROM generate_series(1, size) AS p) AS g;
    END IF;

    PERFORM wallets._lock_wallets(debit_many.wallet_ids);
    FOR figures IN
        SELECT w.id, w.ledger_balance, w.held, w.allow_negative, wallets._sweep_is_due(w.expiry_floor, as_of) AS due
        FROM wallets.wallets w
        WHERE w.id = ANY (debit_many.wallet_ids)
        ORDER BY w.id
    LOOP
        -- A wallet with nothing due has its row's figures. Only one with expirations due is read
        -- through wallets.balances, whose plan (four subqueries) costs more to set up than the
        -- read itself, inside the lock.
        IF figures.due THEN
            SELECT b.posted, b.held INTO figures.ledger_balance, figures.held FROM wallets.balances b WHERE b.wallet_id = figures.id;
        END IF;
        batch_ids := batch_ids || figures.id;
        batch_balances := batch_balances || figures.ledger_balance;
        batch_held := batch_held || figures.held;
        batch_negative := batch_negative || figures.allow_negative;
        swept := swept || NOT figures.due;  -- nothing due: nothing to post
    END LOOP;
    batch_start := batch_balances;

    -- Decide every item in order, with the checks of wallets.debit, in memory: the batch is
    -- then written with a few set-based statements instead of a dozen statements per item.
    FOR p IN 1..size LOOP
        CONTINUE WHEN problems[p] IS NOT NULL;
        -- batch_ids ascends, so width_bucket finds the wallet by binary search (array_position
        -- scanned them, quadratic in a batch's wallets).
        at := width_bucket(debit_many.wallet_ids[p], batch_ids);
        IF coalesce(batch_ids[at] <> debit_many.wallet_ids[p], true) THEN  -- not in the batch (at 0 or NULL)
            problems[p] := wallets._no_wallet(debit_many.wallet_ids[p]);
            CONTINUE;
        END IF;
        IF debit_many.idempotency_keys[p] IS NOT NULL THEN
            earlier := key_posters[key_groups[p]];
            IF earlier IS NOT NULL THEN
                original := ROW(entry_ids[earlier], debit_many.wallet_ids[p], -debit_many.amounts[earlier], item_categories[earlier],
                                NULL, NULL, before_balances[earlier], before_balances[earlier] - debit_many.amounts[earlier],
                                item_metadata[earlier], debit_many.idempotency_keys[p], as_of, NULL, NULL, NULL)::wallets.transactions;
            ELSE
                SELECT * INTO original FROM wallets.transactions t
                WHERE t.wallet_id = debit_many.wallet_ids[p] AND t.idempotency_key = debit_many.idempotency_keys[p];
            END IF;
            IF original.id IS NOT NULL THEN
                problems[p] := wallets._replay_problem(original, -debit_many.amounts[p], item_categories[p], NULL, NULL, item_metadata[p]);
                IF problems[p] IS NULL THEN
                    entry_ids[p] := original.id;
                END IF;
                original := NULL;
                CONTINUE;
            END IF;
        END IF;
        -- The fault first, as in wallets.debit: an item that breaks no rule builds no wording.
        IF wallets._debit_fault(batch_balances[at], batch_held[at], batch_negative[at], debit_many.amounts[p]) IS NOT NULL THEN
            problems[p] := wallets._debit_problem(batch_ids[at], batch_balances[at], batch_held[at], batch_negative[at], debit_many.amounts[p]);
            CONTINUE;
        END IF;
        IF NOT swept[at] THEN
            PERFORM wallets._swept_wallet(batch_ids[at], as_of);  -- posts what the live figures already show
            swept[at] := true;
        END IF;
        entry_ids[p] := nextval('wallets.transactions_id_seq'::regclass);
        before_balances[p] := batch_balances[at];
        taken_before[p] := batch_start[at] - batch_balances[at];
        batch_balances[at] := batch_balances[at] - debit_many.amounts[p];
        IF debit_many.idempotency_keys[p] IS NOT NULL THEN
            key_posters[key_groups[p]] := p;
        END IF;
    END LOOP;

    IF debit_many.atomic THEN
        FOR p IN 1..size LOOP
            IF problems[p] IS NOT NULL THEN
                PERFORM wallets._fail(problems[p]->>'code', format('item %s: %s', p, problems[p]->>'message'),
                                      problems[p]->'facts' || jsonb_build_object('item', p));
            END IF;
        END LOOP;
    END IF;

    IF num_nonnulls(VARIADIC before_balances) > 0 THEN  -- something to post
        INSERT INTO wallets.transactions (id, wallet_id, amount, category, balance_before, balance_after,
                                          metadata, idempotency_key, created_at)
        OVERRIDING SYSTEM VALUE
        SELECT entry_ids[p], debit_many.wallet_ids[p], -debit_many.amounts[p], item_categories[p], i.before,
               i.before - debit_many.amounts[p], item_metadata[p], debit_many.idempotency_keys[p], as_of
        FROM unnest(before_balances) WITH ORDINALITY AS i(before, p)
        WHERE i.before IS NOT NULL;

        -- Each wallet's debits, in order, take consecutive spans of its free credits laid out in
        -- draw-down order; a debit draws from every bucket its span overlaps. What lies beyond
        -- the last bucket is debt (allow_negative wallets only; the others were checked). A
        -- wallet's buckets are read from its draw_from key, in index order, and no more of them
        -- than the units its debits need (every open bucket holds at least one), so a wallet
        -- with thousands of buckets costs what its debits touch. The key moves to the last
        -- bucket drawn, as after wallets.debit.
        -- The spans and each wallet's need come from what the item loop kept: no sort or window
        -- over the items, and bigint throughout (a window's sum is numeric). The rows come from
        -- unnest over arrays, which a generic plan estimates at 10 rows (generate_series at
        -- 1,000, for which it hashes every wallet).
        WITH spans AS (
            SELECT debit_many.wallet_ids[p] AS wallet_id, entry_ids[p] AS transaction_id,
                   taken_before[p] AS span_start, taken_before[p] + debit_many.amounts[p] AS span_end
            FROM unnest(before_balances) WITH ORDINALITY AS i(before, p)
            WHERE i.before IS NOT NULL
        ), needs AS (
            SELECT n.wallet_id, n.start - n.balance AS amount
            FROM unnest(batch_ids, batch_start, batch_balances) AS n(wallet_id, start, balance)
            WHERE n.balance <> n.start
        ), sources AS (
            SELECT b.wallet_id, b.transaction_id, b.remaining, b.priority, b.expires_at, n.amount AS needed,
                   -- bigint: a wallet's free credits sum to at most its balance
                   (sum(b.remaining) OVER (PARTITION BY b.wallet_id ORDER BY b.priority, coalesce(b.expires_at, 'infinity'::timestamptz), b.transaction_id))::bigint AS span_end
            FROM needs n
            JOIN wallets.wallets w ON w.id = n.wallet_id
            CROSS JOIN LATERAL (
                SELECT b.wallet_id, b.transaction_id, b.remaining, b.priority, b.expires_at
                FROM wallets.bucket_state b
                WHERE b.wallet_id = n.wallet_id AND b.open
                  AND (b.priority, coalesce(b.expires_at, 'infinity'::timestamptz), b.transaction_id)
                      >= (w.draw_from_priority, coalesce(w.draw_from_expiry, 'infinity'::timestamptz), w.draw_from_id)
                ORDER BY b.priority, coalesce(b.expires_at, 'infinity'::timestamptz), b.transaction_id
                LIMIT n.amount) b
        ), free AS (
            SELECT b.wallet_id, max(b.span_end) AS total FROM sources b GROUP BY b.wallet_id
        ), last_drawn AS (
            SELECT DISTINCT ON (b.wallet_id) b.wallet_id, b.priority, b.expires_at, b.transaction_id
            FROM sources b
            WHERE b.span_end - b.remaining < b.needed
            ORDER BY b.wallet_id, b.span_end DESC
        ), owed AS (
            INSERT INTO wallets.debt_state (wallet_id, transaction_id, outstanding)
            SELECT s.wallet_id, s.transaction_id, s.span_end - greatest(s.span_start, coalesce(f.total, 0))
            FROM spans s LEFT JOIN free f ON f.wallet_id = s.wallet_id
            WHERE s.span_end > coalesce(f.total, 0)
            RETURNING wallet_id, outstanding
        ), drawn AS (
            INSERT INTO wallets.allocations (wallet_id, transaction_id, source_transaction_id, amount)
            SELECT s.wallet_id, s.transaction_id, b.transaction_id,
                   least(s.span_end, b.span_end) - greatest(s.span_start, b.span_end - b.remaining)
            FROM spans s
            JOIN sources b ON b.wallet_id = s.wallet_id AND b.span_end - b.remaining < s.span_end AND s.span_start < b.span_end
            RETURNING wallet_id, source_transaction_id, amount
        ), changes AS (
            -- One row per wallet: what it gives, the debt it takes on and the bucket it drew last
            -- (at most one per wallet, so max() picks its key; no bucket drawn, a NULL id).
            -- Gathered by grouping, not by joining per-wallet sets: the generic plan cannot see
            -- the batch's size, and once chose a nested loop for such a join, quadratic in the
            -- number of wallets.
            SELECT c.wallet_id, sum(c.amount) AS amount, sum(c.outstanding) AS outstanding,
                   max(c.priority) AS priority, max(c.expires_at) AS expires_at, max(c.transaction_id) AS transaction_id
            FROM (SELECT n.wallet_id, n.amount, 0 AS outstanding,
                         NULL::integer AS priority, NULL::timestamptz AS expires_at, NULL::bigint AS transaction_id
                  FROM needs n
                  UNION ALL
                  SELECT o.wallet_id, 0, o.outstanding, NULL, NULL, NULL FROM owed o
                  UNION ALL
                  SELECT l.wallet_id, 0, 0, l.priority, l.expires_at, l.transaction_id FROM last_drawn l) c
            GROUP BY c.wallet_id
        ), debited AS (
            UPDATE wallets.wallets w
            SET ledger_balance = w.ledger_balance - c.amount, debt = w.debt + c.outstanding,
                draw_from_priority = CASE WHEN c.transaction_id IS NULL THEN w.draw_from_priority ELSE c.priority END,
                draw_from_expiry = CASE WHEN c.transaction_id IS NULL THEN w.draw_from_expiry ELSE c.expires_at END,
                draw_from_id = coalesce(c.transaction_id, w.draw_from_id)
            FROM changes c
            WHERE w.id = c.wallet_id
            RETURNING w.id
        )
        UPDATE wallets.bucket_state b
        SET remaining = b.remaining - d.amount, open = b.remaining > d.amount
        FROM (SELECT d.wallet_id, d.source_transaction_id, sum(d.amount) AS amount FROM drawn d GROUP BY 1, 2) d
        WHERE b.wallet_id = d.wallet_id AND b.transaction_id = d.source_transaction_id;
    END IF;

    RETURN QUERY SELECT p, entry_ids[p], problems[p]->>'code', problems[p]->>'message',
                        CASE WHEN problems[p] IS NOT NULL THEN wallets._problem_detail(problems[p]) END
                 FROM generate_series(1, size) AS p;
END
$$;

COMMENT ON FUNCTION wallets.debit_many(bigint[], bigint[], text[], jsonb[], text[], boolean) IS
'Post many debits in one call (e.g. a metering pipeline''s usage events): item i debits wallet_ids[i] by amounts[i] with the i-th category, metadata and idempotency key (NULL arrays or entries: the defaults of wallets.debit), exactly as wallets.debit would, in array order. Returns one row per item (1-based): the transaction id (the original one for a replay), or the error code, message and JSON detail of a refused item, which undoes nothing else; with atomic => true any refused item fails the whole call (its message names the item). Errors: WL012 (arrays of different lengths).';
REVOKE ALL ON FUNCTION wallets.debit_many(bigint[], bigint[], text[], jsonb[], text[], boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wallets.debit_many(bigint[], bigint[], text[], jsonb[], text[], boolean) TO wallets_app;
