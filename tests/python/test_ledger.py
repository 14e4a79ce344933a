"""The sync client end to end against a real database."""

from __future__ import annotations

from datetime import datetime, timedelta

import psycopg
import pytest

from conftest import database_now
from psycopg import sql
from psycopg.pq import TransactionStatus
from psycopg_pool import ConnectionPool, PoolClosed

from pgwallets import IdempotencyConflict, InsufficientBalance, Ledger, Transaction, Wallet
from pgwallets.models import record_row


def test_open_wallet_gets_or_creates(ledger: Ledger, owner: str) -> None:
    wallet = ledger.open_wallet(owner, " Credits ", metadata={"plan": "pro", "seats": [1, 2]})
    assert isinstance(wallet, Wallet)
    assert (wallet.owner, wallet.asset, wallet.allow_negative) == (owner, "credits", False)
    assert wallet.metadata == {"plan": "pro", "seats": [1, 2]}
    assert (wallet.ledger_balance, wallet.debt, wallet.expiry_floor) == (0, 0, None)
    assert isinstance(wallet.created_at, datetime)
    # An existing wallet comes back unchanged: allow_negative and metadata apply on creation only.
    again = ledger.open_wallet(owner, allow_negative=True, metadata={"other": True})
    assert again == wallet


def test_find_wallet_and_wallets_of(ledger: Ledger, owner: str) -> None:
    assert ledger.find_wallet(owner) is None
    assert ledger.wallets_of(owner) == []
    gems = ledger.open_wallet(owner, "gems", allow_negative=True)
    credits = ledger.open_wallet(owner)
    assert ledger.find_wallet(owner, "GEMS") == gems
    assert ledger.find_wallet(owner, "credits") == credits
    assert ledger.find_wallet(owner, "tokens") is None
    assert [w.asset for w in ledger.wallets_of(owner)] == ["credits", "gems"]
    assert ledger.wallets_of(owner)[1].allow_negative is True


def test_credit_debit_and_balance(ledger: Ledger, owner: str) -> None:
    wallet = ledger.open_wallet(owner)
    grant = ledger.credit(wallet.id, 100, category="signup", metadata={"campaign": "spring"}, priority=10)
    assert isinstance(grant, Transaction)
    assert (grant.wallet_id, grant.amount, grant.category, grant.priority) == (wallet.id, 100, "signup", 10)
    assert (grant.balance_before, grant.balance_after) == (0, 100)
    assert grant.metadata == {"campaign": "spring"} and grant.expires_at is None and grant.idempotency_key is None
    spend = ledger.debit(wallet.id, 30, category="api_calls", metadata={"calls": 3})
    assert (spend.amount, spend.category, spend.priority) == (-30, "api_calls", None)
    assert (spend.balance_before, spend.balance_after) == (100, 70)
    assert spend.id > grant.id
    assert ledger.balance(wallet.id) == 70
    with pytest.raises(InsufficientBalance):
        ledger.debit(wallet.id, 71)
    assert ledger.balance(wallet.id) == 70
    found = ledger.find_wallet(owner)
    assert found is not None and found.ledger_balance == 70
    assert ledger.check(wallet.id) == []


def test_debt_on_an_allow_negative_wallet(ledger: Ledger, owner: str) -> None:
    wallet = ledger.open_wallet(owner, allow_negative=True)
    ledger.debit(wallet.id, 30)
    assert ledger.balance(wallet.id) == -30
    found = ledger.find_wallet(owner)
    assert found is not None and found.debt == 30
    ledger.credit(wallet.id, 50)
    assert ledger.balance(wallet.id) == 20
    found = ledger.find_wallet(owner)
    assert found is not None and found.debt == 0
    assert ledger.check(wallet.id) == []


def test_history_pages_newest_first(ledger: Ledger, owner: str) -> None:
    wallet = ledger.open_wallet(owner)
    posted = [ledger.credit(wallet.id, amount) for amount in (1, 2, 3, 4, 5)]
    newest_first = [t.id for t in reversed(posted)]
    assert [t.id for t in ledger.history(wallet.id)] == newest_first
    first = ledger.history(wallet.id, limit=2)
    second = ledger.history(wallet.id, before_id=first[-1].id, limit=2)
    third = ledger.history(wallet.id, before_id=second[-1].id, limit=2)
    assert [[t.amount for t in page] for page in (first, second, third)] == [[5, 4], [3, 2], [1]]
    assert ledger.history(wallet.id, before_id=third[-1].id, limit=2) == []
    assert first[0] == posted[-1]


def test_idempotent_replay_returns_the_same_transaction(ledger: Ledger, owner: str) -> None:
    wallet = ledger.open_wallet(owner)
    grant = ledger.credit(wallet.id, 40, idempotency_key="grant-1", metadata={"a": 1})
    assert ledger.credit(wallet.id, 40, idempotency_key="grant-1", metadata={"a": 1}) == grant
    spend = ledger.debit(wallet.id, 15, idempotency_key="order-7")
    replay = ledger.debit(wallet.id, 15, idempotency_key="order-7")
    assert replay.id == spend.id and replay == spend
    assert ledger.balance(wallet.id) == 25
    with pytest.raises(IdempotencyConflict):
        ledger.debit(wallet.id, 16, idempotency_key="order-7")
    assert [t.id for t in ledger.history(wallet.id)] == [spend.id, grant.id]


def test_conn_joins_the_callers_transaction(ledger: Ledger, db_url: str, owner: str) -> None:
    with psycopg.connect(db_url) as conn:
        wallet = ledger.open_wallet(owner, conn=conn)
        ledger.credit(wallet.id, 100, conn=conn)
        assert ledger.balance(wallet.id, conn=conn) == 100
        # The ledger did not commit: the caller's transaction is still open, invisible to others.
        assert conn.info.transaction_status == TransactionStatus.INTRANS
        assert ledger.find_wallet(owner) is None
        conn.rollback()
        assert ledger.find_wallet(owner) is None

        wallet = ledger.open_wallet(owner, conn=conn)
        conn.execute("CREATE TEMP TABLE orders (id int)")  # the application's own write
        ledger.credit(wallet.id, 100, conn=conn)
        conn.execute("INSERT INTO orders VALUES (1)")
        assert ledger.find_wallet(owner) is None
        conn.commit()
    assert ledger.balance(wallet.id) == 100


def test_a_domain_error_on_the_callers_conn_leaves_the_rollback_to_the_caller(
        ledger: Ledger, db_url: str, owner: str) -> None:
    wallet = ledger.open_wallet(owner)
    with psycopg.connect(db_url) as conn:
        ledger.credit(wallet.id, 10, conn=conn)
        with pytest.raises(InsufficientBalance):
            ledger.debit(wallet.id, 11, conn=conn)
        assert conn.info.transaction_status == TransactionStatus.INERROR
        conn.rollback()
    assert ledger.balance(wallet.id) == 0


def test_autocommit_conn_commits_each_call(ledger: Ledger, db_url: str, owner: str) -> None:
    with psycopg.connect(db_url, autocommit=True) as conn:
        wallet = ledger.open_wallet(owner, conn=conn)
        ledger.credit(wallet.id, 7, conn=conn)
    assert ledger.balance(wallet.id) == 7


def test_expiry_counts_at_once_and_the_sweep_posts_it(ledger: Ledger, db_url: str, owner: str) -> None:
    start = database_now(db_url)
    wallet = ledger.open_wallet(owner)
    # SET is session-level: the pinned clock lives on this connection only, not in the pool.
    with psycopg.connect(db_url, autocommit=True) as clock:
        def pin(moment: datetime) -> None:
            clock.execute(sql.SQL("SET wallets.clock = {}").format(sql.Literal(moment.isoformat())))

        pin(start)
        ledger.credit(wallet.id, 60, category="bonus", expires_at=start + timedelta(seconds=5), conn=clock)
        ledger.credit(wallet.id, 40, category="purchase", conn=clock)
        ledger.debit(wallet.id, 20, conn=clock)  # drawn from the expiring bonus first
        pin(start + timedelta(seconds=10))
        assert ledger.balance(wallet.id, conn=clock) == 40  # before any sweep
        assert ledger.balance(wallet.id) == 80  # the pool still lives in real time
        found = ledger.find_wallet(owner, conn=clock)
        assert found is not None and found.ledger_balance == 80
        assert ledger.expire_due(conn=clock) >= 1
        entry = ledger.history(wallet.id, limit=1, conn=clock)[0]
        assert (entry.category, entry.amount, entry.balance_after) == ("expiration", -40, 40)
        assert entry.created_at == start + timedelta(seconds=10)
    assert ledger.balance(wallet.id) == 40
    assert ledger.check(wallet.id) == []


def test_rows_with_columns_a_model_lacks_still_build(db_url: str, owner: str, ledger: Ledger) -> None:
    wallet = ledger.open_wallet(owner)
    posted = ledger.credit(wallet.id, 5)
    with psycopg.connect(db_url) as conn, conn.cursor(row_factory=record_row(Transaction)) as cursor:
        cursor.execute("SELECT *, 42 AS added_later FROM wallets.history(wallet_id => %s)", (wallet.id,))
        assert cursor.fetchall() == [posted]


def test_a_ledger_over_your_pool_leaves_it_open(db_url: str, owner: str) -> None:
    with ConnectionPool(db_url, min_size=1, max_size=2, open=True) as pool:
        with Ledger(pool=pool) as ledger:
            assert ledger.pool is pool
            wallet = ledger.open_wallet(owner)
            ledger.credit(wallet.id, 3)
        assert not pool.closed
        with pool.connection() as conn:
            row = conn.execute("SELECT wallets.balance(%s)", (wallet.id,)).fetchone()
            assert row == (3,)


def test_a_ledger_over_a_dsn_closes_its_own_pool(db_url: str, owner: str) -> None:
    with Ledger(db_url, max_size=2) as ledger:
        assert ledger.pool.closed  # opened on first use, not before
        wallet = ledger.open_wallet(owner)
        assert not ledger.pool.closed
    assert ledger.pool.closed
    with pytest.raises(PoolClosed):
        ledger.balance(wallet.id)


def test_a_ledger_needs_a_dsn_or_a_pool(db_url: str) -> None:
    with pytest.raises(TypeError):
        Ledger()
    with ConnectionPool(db_url, min_size=1, open=False) as pool, pytest.raises(TypeError):
        Ledger(db_url, pool=pool)
