-- wallets.find_wallet(owner, asset) and wallets.owner_wallets(owner): read-only lookups.
BEGIN;
SELECT plan(21);
SET LOCAL TimeZone = 'UTC';
SET LOCAL wallets.clock = '2030-01-01 00:00:00Z';

SELECT has_function('wallets', 'find_wallet', ARRAY['text', 'text'], 'find_wallet(text, text) exists');
SELECT function_returns('wallets', 'find_wallet', ARRAY['text', 'text'], 'wallets.wallets', 'find_wallet returns a wallets.wallets row');
SELECT has_function('wallets', 'owner_wallets', ARRAY['text'], 'owner_wallets(text) exists');
SELECT function_returns('wallets', 'owner_wallets', ARRAY['text'], 'setof wallets.wallets', 'owner_wallets returns setof wallets.wallets');

-- Not found: NULL, and nothing is created.
SELECT ok(wallets.find_wallet('fw-nobody') IS NULL, 'an unknown owner gives NULL');
SELECT is((wallets.find_wallet('fw-nobody')).id, NULL, 'its id is NULL');
SELECT is((SELECT count(*) FROM wallets.wallets WHERE owner = 'fw-nobody'), 0::bigint, 'find_wallet does not create a wallet');

SELECT id AS credits_id FROM wallets.open_wallet('fw-alice') \gset
SELECT id AS usd_id FROM wallets.open_wallet('fw-alice', 'usd') \gset
SELECT id AS eur_id FROM wallets.open_wallet('fw-alice', 'eur', true, '{"k": "v"}') \gset
SELECT id AS bob_id FROM wallets.open_wallet('fw-bob') \gset

SELECT results_eq($$SELECT * FROM wallets.find_wallet('fw-alice')$$, format($$SELECT * FROM wallets.wallets WHERE id = %s$$, :credits_id),
                  'find_wallet returns the whole row; asset defaults to credits');
SELECT is((wallets.find_wallet('fw-alice', 'usd')).id, :usd_id::bigint, 'find_wallet by asset');
SELECT is((wallets.find_wallet('fw-alice', '  USD ')).id, :usd_id::bigint, 'asset is trimmed and lower-cased as in open_wallet');
SELECT results_eq($$SELECT * FROM wallets.find_wallet('fw-alice', 'EUR')$$, format($$SELECT * FROM wallets.wallets WHERE id = %s$$, :eur_id),
                  'every column comes back (allow_negative, metadata)');
SELECT ok(wallets.find_wallet('fw-alice', 'gbp') IS NULL, 'an asset the owner does not hold gives NULL');
SELECT ok(wallets.find_wallet('fw-bob', 'usd') IS NULL, 'another owner''s asset is not found');
SELECT is((wallets.find_wallet('fw-bob')).id, :bob_id::bigint, 'each owner finds their own wallet');
SELECT ok(wallets.find_wallet(NULL) IS NULL, 'owner NULL gives NULL');
SELECT ok(wallets.find_wallet('fw-alice', NULL) IS NULL, 'asset NULL gives NULL');
SELECT is((SELECT count(*) FROM wallets.wallets WHERE owner LIKE 'fw-%'), 4::bigint, 'lookups wrote nothing');

-- owner_wallets: every wallet of the owner, ordered by asset.
SELECT results_eq($$SELECT id, asset FROM wallets.owner_wallets('fw-alice')$$,
                  format($$VALUES (%s::bigint, 'credits'), (%s::bigint, 'eur'), (%s::bigint, 'usd')$$, :credits_id, :eur_id, :usd_id),
                  'owner_wallets lists every wallet of the owner ordered by asset');
SELECT results_eq($$SELECT * FROM wallets.owner_wallets('fw-bob')$$, format($$SELECT * FROM wallets.wallets WHERE id = %s$$, :bob_id),
                  'owner_wallets returns whole rows, only the owner''s');
SELECT is_empty($$SELECT * FROM wallets.owner_wallets('fw-nobody')$$, 'owner_wallets of an unknown owner is empty');
SELECT is_empty($$SELECT * FROM wallets.owner_wallets('FW-ALICE')$$, 'owners are matched exactly');

SELECT * FROM finish();
ROLLBACK;
