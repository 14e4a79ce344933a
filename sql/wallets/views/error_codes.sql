CREATE OR REPLACE VIEW wallets.error_codes (code, name, description) AS
VALUES
    ('WL001', 'insufficient_balance', 'The wallet cannot cover the amount.'),
    ('WL002', 'wallet_not_found', 'No wallet has this id.'),
    ('WL003', 'invalid_amount', 'Amounts are whole, positive and within bigint.'),
    ('WL004', 'invalid_transfer', 'The two wallets cannot exchange credits.'),
    ('WL005', 'invalid_expiration', 'The expiry is in the past or contradicts the policy.'),
    ('WL006', 'idempotency_conflict', 'The idempotency key was used with other arguments.'),
    ('WL007', 'unknown_operation', 'No priced operation has this name.'),
    ('WL008', 'operation_rejected', 'The operation''s rules refused the call.'),
    ('WL009', 'unknown_product', 'No product has this name.'),
    ('WL010', 'ledger_immutable', 'Ledger rows are never updated or deleted.'),
    ('WL011', 'hold_not_active', 'The hold was already captured, released or expired.'),
    ('WL012', 'invalid_argument', 'An argument is malformed or not allowed.');

COMMENT ON VIEW wallets.error_codes IS 'Every SQLSTATE pgwallets raises, with its stable name. Clients map errors from here.';
GRANT SELECT ON wallets.error_codes TO wallets_reader;
