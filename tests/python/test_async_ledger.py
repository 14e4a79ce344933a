"""The asyncio client, driven with plain asyncio.run (no pytest plugin)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import psycopg
import pytest
from psycopg.pq import TransactionStatus
from psycopg_pool import AsyncConnectionPool, PoolClosed

from pgwallets import AsyncLedger, IdempotencyConflict, InsufficientBalance, Transaction, Wallet, WalletNotFound

T = TypeVar("T")


def run(test: Callable[[AsyncLedger], Awaitable[T]], db_url: str) -> T:
    """Run one async test body with a fresh AsyncLedger over the DSN, closed afterwards."""

    async def main() -> T:
        async with AsyncLedger(db_url) as ledger:
            return await test(ledger)

    return asyncio.run(main())


def test_the_async_api_end_to_end(db_url: str, owner: str) -> None:
    async def body(ledger: AsyncLedger) -> None:
        assert await ledger.find_wallet(owner) is None
        wallet = await ledger.open_wallet(owner, metadata={"tier": "gold"})
        assert isinstance(wallet, Wallet) and wallet.metadata == {"tier": "gold"}
        assert await ledger.open_wallet(owner) == wallet
        assert await ledger.find_wallet(owner) == wallet
        gems = await ledger.open_wallet(owner, "gems")
        assert [w.id for w in await ledger.wallets_of(owner)] == [wallet.id, gems.id]

        grant = await ledger.credit(wallet.id, 50, category="bonus", priority=5, metadata={"x": 1})
        assert isinstance(grant, Transaction)
        assert (grant.amount, grant.category, grant.priority, grant.balance_after) == (50, "bonus", 5, 50)
        spend = await ledger.debit(wallet.id, 20, category="api_calls")
        assert (spend.amount, spend.balance_before, spend.balance_after) == (-20, 50, 30)
        assert await ledger.balance(wallet.id) == 30
        assert [t.id for t in await ledger.history(wallet.id)] == [spend.id, grant.id]
        assert [t.id for t in await ledger.history(wallet.id, before_id=spend.id, limit=5)] == [grant.id]
        assert await ledger.check(wallet.id) == []
        assert isinstance(await ledger.expire_due(), int)

        with pytest.raises(InsufficientBalance) as caught:
            await ledger.debit(wallet.id, 31)
        assert caught.value.detail["available"] == 30
        with pytest.raises(WalletNotFound):
            await ledger.balance(-1)

    run(body, db_url)


def test_async_idempotent_replay(db_url: str, owner: str) -> None:
    async def body(ledger: AsyncLedger) -> None:
        wallet = await ledger.open_wallet(owner)
        first = await ledger.credit(wallet.id, 10, idempotency_key="k")
        assert (await ledger.credit(wallet.id, 10, idempotency_key="k")).id == first.id
        with pytest.raises(IdempotencyConflict):
            await ledger.credit(wallet.id, 11, idempotency_key="k")
        assert await ledger.balance(wallet.id) == 10

    run(body, db_url)


def test_async_conn_joins_the_callers_transaction(db_url: str, owner: str) -> None:
    async def body(ledger: AsyncLedger) -> None:
        async with await psycopg.AsyncConnection.connect(db_url) as conn:
            wallet = await ledger.open_wallet(owner, conn=conn)
            await ledger.credit(wallet.id, 100, conn=conn)
            assert conn.info.transaction_status == TransactionStatus.INTRANS
            assert await ledger.find_wallet(owner) is None
            await conn.rollback()
            assert await ledger.find_wallet(owner) is None

            wallet = await ledger.open_wallet(owner, conn=conn)
            await ledger.credit(wallet.id, 100, conn=conn)
            await conn.commit()
        assert await ledger.balance(wallet.id) == 100

    run(body, db_url)


def test_concurrent_async_debits_never_overdraw(db_url: str, owner: str) -> None:
    async def body(ledger: AsyncLedger) -> None:
        wallet = await ledger.open_wallet(owner)
        await ledger.credit(wallet.id, 10)
        results = await asyncio.gather(*(ledger.debit(wallet.id, 1) for _ in range(12)), return_exceptions=True)
        assert sum(isinstance(r, Transaction) for r in results) == 10
        assert sum(isinstance(r, InsufficientBalance) for r in results) == 2
        assert await ledger.balance(wallet.id) == 0
        assert await ledger.check(wallet.id) == []

    async def main() -> None:
        async with AsyncLedger(db_url, max_size=4) as ledger:
            await body(ledger)

    asyncio.run(main())


def test_an_async_ledger_over_your_pool_leaves_it_open(db_url: str, owner: str) -> None:
    async def main() -> None:
        async with AsyncConnectionPool(db_url, min_size=1, max_size=2, open=False) as pool:
            async with AsyncLedger(pool=pool) as ledger:
                assert ledger.pool is pool
                wallet = await ledger.open_wallet(owner)
                await ledger.credit(wallet.id, 4)
            assert not pool.closed
            async with pool.connection() as conn:
                cursor = await conn.execute("SELECT wallets.balance(%s)", (wallet.id,))
                assert await cursor.fetchone() == (4,)

    asyncio.run(main())


def test_an_async_ledger_over_a_dsn_closes_its_own_pool(db_url: str, owner: str) -> None:
    async def main() -> None:
        ledger = AsyncLedger(db_url)
        assert ledger.pool.closed
        wallet = await ledger.open_wallet(owner)
        assert not ledger.pool.closed
        await ledger.close()
        assert ledger.pool.closed
        with pytest.raises(PoolClosed):
            await ledger.balance(wallet.id)

    asyncio.run(main())


def test_an_async_ledger_needs_a_dsn_or_a_pool() -> None:
    with pytest.raises(TypeError):
        AsyncLedger()
