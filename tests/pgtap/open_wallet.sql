-- wallets.open_wallet(owner, asset, allow_negative, metadata): get-or-create by (owner, asset).
BEGIN;
SELECT plan(40);
SET LOCAL TimeZone = 'UTC';
SET LOCAL wallets.clock = '2030-01-01 00:00:00Z';

SELECT has_function('wallets', 'open_wallet', ARRAY['text', 'text', 'boolean', 'jsonb'], 'open_wallet(text, text, boolean, jsonb) exists');
SELECT function_returns('wallets', 'open_wallet', ARRAY['text', 'text', 'boolean', 'jsonb'], 'wallets.wallets', 'open_wallet returns a wallets.wallets row');

-- Creation with every default.
CREATE TEMP TABLE created ON COMMIT DROP AS SELECT * FROM wallets.open_wallet('ow-alice');
SELECT isnt((SELECT id FROM created), NULL, 'a new wallet gets an id');
SELECT is((SELECT owner FROM created), 'ow-alice', 'owner is stored');
SELECT is((SELECT asset FROM created), 'credits', 'asset defaults to credits');
SELECT is((SELECT allow_negative FROM created), false, 'allow_negative defaults to false');
SELECT is((SELECT metadata FROM created), '{}'::jsonb, 'metadata defaults to {}');
SELECT is((SELECT created_at FROM created), '2030-01-01 00:00:00Z'::timestamptz, 'created_at is wallets.now()');
SELECT is((SELECT ledger_balance FROM created), 0::bigint, 'a new wallet holds 0');
SELECT is((SELECT debt FROM created), 0::bigint, 'a new wallet has no debt');
SELECT is((SELECT expiry_floor FROM created), NULL, 'a new wallet has no expiry floor');
SELECT is((SELECT count(*) FROM wallets.wallets WHERE owner = 'ow-alice'), 1::bigint, 'exactly one row was inserted');
SELECT results_eq($$SELECT * FROM wallets.wallets WHERE owner = 'ow-alice'$$, $$SELECT * FROM created$$,
                  'the returned row is the stored row');

-- Get: the same row, unchanged, whatever the other arguments say.
SET LOCAL wallets.clock = '2030-01-02 00:00:00Z';
SELECT is((SELECT id FROM wallets.open_wallet('ow-alice')), (SELECT id FROM created), 'opening again returns the same wallet');
SELECT is((SELECT id FROM wallets.open_wallet('ow-alice', 'credits', true, '{"x": 1}')), (SELECT id FROM created),
          'opening again with other options returns the same wallet');
SELECT results_eq($$SELECT * FROM wallets.open_wallet('ow-alice', 'credits', true, '{"x": 1}')$$, $$SELECT * FROM created$$,
                  'an existing wallet is returned unchanged (allow_negative, metadata, created_at apply only on creation)');
SELECT is((SELECT count(*) FROM wallets.wallets WHERE owner = 'ow-alice'), 1::bigint, 'get does not insert');

-- Asset is trimmed and lower-cased.
SELECT is((SELECT id FROM wallets.open_wallet('ow-alice', '  CrEdItS ')), (SELECT id FROM created), '''  CrEdItS '' is the credits wallet');
SELECT is((SELECT asset FROM wallets.open_wallet('ow-alice', ' USD ')), 'usd', 'a new asset is stored trimmed and lower-cased');
SELECT is((SELECT id FROM wallets.open_wallet('ow-alice', 'usd')), (SELECT id FROM wallets.find_wallet('ow-alice', 'usd')),
          'usd and '' USD'' are one wallet');
SELECT isnt((SELECT id FROM wallets.open_wallet('ow-alice', 'usd')), (SELECT id FROM created), 'another asset is another wallet');
SELECT is((SELECT count(*) FROM wallets.wallets WHERE owner = 'ow-alice'), 2::bigint, 'owner ow-alice has two wallets');

-- Same asset, other owner: another wallet.
SELECT isnt((SELECT id FROM wallets.open_wallet('ow-bob')), (SELECT id FROM created), 'another owner is another wallet');

-- Options on creation, named notation.
SELECT is((SELECT allow_negative FROM wallets.open_wallet(owner => 'ow-carol', allow_negative => true)), true,
          'allow_negative is set on creation (named notation)');
SELECT is((SELECT metadata FROM wallets.open_wallet(owner => 'ow-dave', metadata => '{"tier": "gold"}')), '{"tier": "gold"}'::jsonb,
          'metadata is set on creation');
SELECT is((SELECT allow_negative FROM wallets.open_wallet('ow-erin', 'credits', NULL, NULL)), false, 'allow_negative NULL means false');
SELECT is((SELECT metadata FROM wallets.open_wallet('ow-erin', 'credits', NULL, NULL)), '{}'::jsonb, 'metadata NULL means {}');
SELECT is((SELECT asset FROM wallets.open_wallet('ow-frank', 'a' || repeat('b', 63))), 'a' || repeat('b', 63), 'a 64-character asset is accepted');
SELECT is((SELECT asset FROM wallets.open_wallet('ow-frank', 'x_1')), 'x_1', 'digits and underscores are accepted after the first letter');

-- Invalid arguments: WL012, nothing written.
SELECT throws_ok($$SELECT wallets.open_wallet(NULL)$$, 'WL012', 'owner must be a non-empty text', 'owner NULL is WL012');
SELECT throws_ok($$SELECT wallets.open_wallet('')$$, 'WL012', 'owner must be a non-empty text', 'owner '''' is WL012');
SELECT throws_ok($$SELECT wallets.open_wallet('   ')$$, 'WL012', 'owner must be a non-empty text', 'a blank owner is WL012');
SELECT throws_ok($$SELECT wallets.open_wallet('ow-gina', NULL)$$, 'WL012', NULL, 'asset NULL is WL012');
SELECT throws_ok($$SELECT wallets.open_wallet('ow-gina', '  ')$$, 'WL012', NULL, 'a blank asset is WL012');
SELECT throws_ok($$SELECT wallets.open_wallet('ow-gina', '1usd')$$, 'WL012',
                 'asset ''1usd'' must match ^[a-z][a-z0-9_]{0,63}$ once trimmed and lower-cased', 'an asset starting with a digit is WL012');
SELECT throws_ok($$SELECT wallets.open_wallet('ow-gina', 'us-d')$$, 'WL012', NULL, 'an asset with a dash is WL012');
SELECT throws_ok($$SELECT wallets.open_wallet('ow-gina', 'a' || repeat('b', 64))$$, 'WL012', NULL, 'a 65-character asset is WL012');
SELECT throws_ok($$SELECT wallets.open_wallet('ow-gina', 'credits', false, '[1]')$$, 'WL012', 'metadata must be a JSON object',
                 'array metadata is WL012');
SELECT throws_ok($$SELECT wallets.open_wallet('ow-gina', 'credits', false, '"x"')$$, 'WL012', 'metadata must be a JSON object',
                 'scalar metadata is WL012');
SELECT is((SELECT count(*) FROM wallets.wallets WHERE owner IN ('ow-gina', '', '   ')), 0::bigint, 'rejected calls wrote nothing');

SELECT * FROM finish();
ROLLBACK;
