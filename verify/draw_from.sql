-- Verify pgwallets:draw_from on pg
DO $verify$
BEGIN
    IF pg_catalog.to_regprocedure('wallets._draw_down(wallets.wallets,bigint,bigint,bigint)') IS NULL
       OR NOT EXISTS (SELECT FROM pg_catalog.pg_attribute WHERE attrelid = 'wallets.wallets'::pg_catalog.regclass
                      AND attname = 'draw_from_id' AND NOT attisdropped) THEN
        RAISE EXCEPTION 'pgwallets draw_from: _draw_down(wallets.wallets, ...) or wallets.draw_from_id is missing';
    END IF;
END
$verify$;
