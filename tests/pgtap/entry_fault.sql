-- wallets._entry_fault(amount, category, metadata): the rules of a ledger write's arguments. The
-- category rule is spelled as an unbounded match plus a length test rather than the regular
-- expression ^[a-z][a-z0-9_]{0,63}$ (cheaper per write); this proves the two agree.
BEGIN;
SELECT plan(9);

CREATE TEMP TABLE candidates AS
SELECT s FROM (
    SELECT chr(c) AS s FROM generate_series(1, 400) c                 -- every one-character string
    UNION ALL SELECT 'a' || chr(c) FROM generate_series(1, 400) c      -- and after a letter
    UNION ALL SELECT chr(c) || 'a' FROM generate_series(1, 400) c      -- and before one
    UNION ALL SELECT 'a' || repeat('z', n) FROM generate_series(0, 70) n
    UNION ALL SELECT repeat('_', n) FROM generate_series(0, 3) n
    UNION ALL VALUES ('refund_2'), ('a b'), (E'a\n'), (E'ab\n'), ('ab$'), ('a.'), ('é'), ('aé'), ('Bonus'), ('1bonus'),
                     ('sign-up'), ('credit'), ('debit'), (NULL)
) cases;

SELECT is((SELECT count(*) FROM candidates
           WHERE (wallets._entry_fault(1, s, '{}') IS DISTINCT FROM 'category')
                 IS DISTINCT FROM coalesce(s ~ '^[a-z][a-z0-9_]{0,63}$', false)),
          0::bigint, 'the category rule accepts exactly what ^[a-z][a-z0-9_]{0,63}$ matches');
SELECT ok((SELECT count(*) FROM candidates WHERE s ~ '^[a-z][a-z0-9_]{0,63}$') > 100, 'and the candidates include over 100 good categories');

SELECT is(wallets._entry_fault(1, 'credit', '{}'), NULL, 'a sound write has no fault');
SELECT is(wallets._entry_fault(0, 'credit', '{}'), 'amount', 'amount 0 is the amount fault');
SELECT is(wallets._entry_fault(NULL, 'credit', '{}'), 'amount', 'amount NULL is the amount fault');
SELECT is(wallets._entry_fault(1, 'transfer_in', '{}'), 'reserved_category', 'a ledger category is the reserved_category fault');
SELECT is(wallets._entry_fault(1, 'credit', '[]'), 'metadata', 'metadata that is not an object is the metadata fault');
SELECT is(wallets._entry_fault(1, 'credit', NULL), NULL, 'metadata NULL (meaning {}) is no fault');
SELECT is(wallets._entry_fault(-1, 'Bad', '[]'), 'amount', 'the amount is checked first, then the category, then the metadata');

SELECT * FROM finish();
ROLLBACK;
