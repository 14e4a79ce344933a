-- Builds pgwallets from scratch on an empty database:  psql -v ON_ERROR_STOP=1 -f sql/install.sql
-- sqitch deploys the same files (copied into deploy/ by scripts/sqitch-change).
\set ON_ERROR_STOP on
BEGIN;
\ir roles.sql
SET LOCAL ROLE wallets_owner;
\ir wallets/schema.sql
\ir wallets/functions/now.sql
\ir wallets/tables/wallets.sql
\ir wallets/tables/transactions.sql
\ir wallets/tables/allocations.sql
\ir wallets/tables/bucket_state.sql
\ir wallets/tables/debt_state.sql
\ir wallets/tables/transfers.sql
\ir wallets/tables/holds.sql
\ir wallets/tables/hold_allocations.sql
\ir wallets/views/error_codes.sql
\ir wallets/views/buckets.sql
\ir wallets/views/balances.sql
\ir wallets/functions/_fail.sql
\ir wallets/functions/_raise.sql
\ir wallets/functions/_entry_problem.sql
\ir wallets/functions/_no_wallet.sql
\ir wallets/functions/_replay_problem.sql
\ir wallets/functions/_debit_problem.sql
\ir wallets/functions/_problem_detail.sql
\ir wallets/functions/_batch_length.sql
\ir wallets/functions/_check_batch.sql
\ir wallets/functions/_validate_entry.sql
\ir wallets/functions/_lock_key.sql
\ir wallets/functions/_expire_wallet.sql
\ir wallets/functions/_lock_wallet.sql
\ir wallets/functions/_lock_wallets.sql
\ir wallets/functions/_sweep_due.sql
\ir wallets/functions/_swept_wallet.sql
\ir wallets/functions/_replay.sql
\ir wallets/functions/_draw_down.sql
\ir wallets/functions/_repay_debt.sql
\ir wallets/functions/_remove_from_bucket.sql
\ir wallets/functions/_settle_hold.sql
\ir wallets/functions/_post_credit.sql
\ir wallets/functions/_post_debit.sql
\ir wallets/functions/_lock_hold.sql
\ir wallets/functions/_lock_transaction.sql
\ir wallets/functions/_reject_ledger_change.sql
\ir wallets/triggers/append_only.sql
\ir wallets/triggers/transfers_append_only.sql
\ir wallets/triggers/hold_allocations_append_only.sql
\ir wallets/functions/open_wallet.sql
\ir wallets/functions/find_wallet.sql
\ir wallets/functions/owner_wallets.sql
\ir wallets/functions/credit.sql
\ir wallets/functions/debit.sql
\ir wallets/functions/balance.sql
\ir wallets/functions/expire_due.sql
\ir wallets/functions/history.sql
\ir wallets/functions/check.sql
\ir wallets/functions/transfer.sql
\ir wallets/functions/hold.sql
\ir wallets/functions/capture.sql
\ir wallets/functions/release.sql
\ir wallets/functions/void_credit.sql
\ir wallets/functions/set_expiry.sql
\ir wallets/functions/reverse_debit.sql
\ir wallets/functions/credit_many.sql
\ir wallets/functions/debit_many.sql
COMMIT;
