"""The asyncio client, driven with plain asyncio.run (no pytest plugin)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TypeVar

import psycopg
import pytest
from psycopg.pq import TransactionStatus
from psycopg_pool import AsyncConnectionPool, PoolClosed

from pgwallets import (
    AsyncLedger,
    AsyncReservedHold,
    Balances,
    HoldNotActive,
    IdempotencyConflict,
    InsufficientBalance,
    InvalidAmount,
    InvalidArgument,
    InvalidTransfer,
    Transaction,
    Transfer,
    Wallet,
    WalletNotFound,
)

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


# --- Transfers, holds and adjustments --------------------------------------------------------------

async def figures(ledger: AsyncLedger, wallet_id: int) -> tuple[int, int, int]:
    row = await ledger.balances(wallet_id)
    return row.posted, row.held, row.available


def test_async_transfer_hold_capture_release(db_url: str, owner: str) -> None:
    async def body(ledger: AsyncLedger) -> None:
        sender = await ledger.open_wallet(f"{owner}-from")
        receiver = await ledger.open_wallet(f"{owner}-to")
        first = await ledger.credit(sender.id, 100)
        soon = first.created_at + timedelta(days=3)
        await ledger.credit(sender.id, 10, expires_at=soon)

        moved = await ledger.transfer(sender.id, receiver.id, 30, idempotency_key="a-1")
        assert isinstance(moved, Transfer) and moved.expiration_policy == "preserve"
        assert await ledger.transfer(sender.id, receiver.id, 30, idempotency_key="a-1") == moved
        inbound = [t for t in await ledger.history(receiver.id) if t.transfer_id == moved.id]
        assert sorted((t.amount, t.expires_at is None) for t in inbound) == [(10, False), (20, True)]
        with pytest.raises(InvalidTransfer):
            await ledger.transfer(sender.id, sender.id, 1)
        with pytest.raises(InsufficientBalance):
            await ledger.transfer(sender.id, receiver.id, 81)

        hold = await ledger.hold(receiver.id, 25, metadata={"job": 1})
        assert isinstance(hold, AsyncReservedHold) and hold.active and hold.amount == 25
        assert await ledger.balances(receiver.id) == Balances(receiver.id, f"{owner}-to", "credits", 30, 25, 5)
        entry = await hold.capture(10)
        assert (entry.amount, entry.hold_id, entry.metadata) == (-10, hold.id, {"job": 1})
        assert (hold.status, hold.hold.captured_amount) == ("captured", 10)
        with pytest.raises(HoldNotActive):
            await hold.release()
        assert await figures(ledger, receiver.id) == (20, 0, 20)

        other = await ledger.hold(receiver.id, 20)
        released = await other.release()
        assert released.status == "released" and other.status == "released"
        with pytest.raises(HoldNotActive):
            await ledger.capture(other.id)
        third = await ledger.hold(receiver.id, 5)
        assert (await ledger.capture(third.id, category="render")).category == "render"
        with pytest.raises(InvalidArgument):
            await ledger.release(-1)
        assert await ledger.check(sender.id) == [] and await ledger.check(receiver.id) == []

    run(body, db_url)


def test_async_adjustments(db_url: str, owner: str) -> None:
    async def body(ledger: AsyncLedger) -> None:
        wallet = await ledger.open_wallet(owner)
        grant = await ledger.credit(wallet.id, 50)
        spend = await ledger.debit(wallet.id, 20)
        reversed_ = await ledger.reverse_debit(spend.id, 5, reason="partial refund")
        assert [(t.category, t.amount, t.reversal_of) for t in reversed_] == [("reversal", 5, spend.id)]
        with pytest.raises(InvalidAmount):
            await ledger.reverse_debit(spend.id, 16)
        moved = await ledger.set_expiry(grant.id, grant.created_at + timedelta(days=9))
        assert (moved.category, moved.amount) == ("expiry_change", 30)
        void = await ledger.void_credit(moved.id, reason="revoked")
        assert (void.category, void.amount) == ("void", -30)
        assert await ledger.balance(wallet.id) == 5
        with pytest.raises(WalletNotFound):
            await ledger.balances(-1)
        assert await ledger.check(wallet.id) == []

    run(body, db_url)


def test_async_with_reserve(db_url: str, owner: str) -> None:
    async def body(ledger: AsyncLedger) -> None:
        wallet = await ledger.open_wallet(owner)
        await ledger.credit(wallet.id, 100)

        async with ledger.reserve(wallet.id, 40, category="inference", metadata={"job": "a"}) as whole:
            assert isinstance(whole, AsyncReservedHold)
            assert await figures(ledger, wallet.id) == (100, 40, 60)
            await asyncio.sleep(0)  # the work; no lock is held meanwhile
            await ledger.debit(wallet.id, 1)
        assert whole.captured is not None
        assert (whole.captured.amount, whole.captured.category, whole.captured.metadata) == (-40, "inference",
                                                                                             {"job": "a"})
        assert await figures(ledger, wallet.id) == (59, 0, 59)

        async with ledger.reserve(wallet.id, 30) as partial:
            partial.settle(12)
        assert partial.status == "captured" and partial.hold.captured_amount == 12
        assert await figures(ledger, wallet.id) == (47, 0, 47)

        with pytest.raises(RuntimeError, match="model crashed"):
            async with ledger.reserve(wallet.id, 30) as failed:
                raise RuntimeError("model crashed")
        assert failed.status == "released"
        assert await figures(ledger, wallet.id) == (47, 0, 47)

        async with ledger.reserve(wallet.id, 30) as explicit:
            await explicit.release()
        assert explicit.status == "released"

        async def job(amount: int) -> int:
            async with ledger.reserve(wallet.id, 10) as hold:
                await asyncio.sleep(0.01)
                hold.settle(amount)
            return amount

        done = await asyncio.gather(*(job(n) for n in range(1, 5)))
        assert done == [1, 2, 3, 4]
        assert await figures(ledger, wallet.id) == (37, 0, 37)

        # On the caller's connection: rolled back, nothing remains.
        async with await psycopg.AsyncConnection.connect(db_url) as conn:
            async with ledger.reserve(wallet.id, 20, conn=conn) as inside:
                assert inside.conn is conn
                assert await figures(ledger, wallet.id) == (37, 0, 37)
            assert (await ledger.balances(wallet.id, conn=conn)).posted == 17
            await conn.rollback()
        assert await figures(ledger, wallet.id) == (37, 0, 37)
        assert await ledger.check(wallet.id) == []

    async def main() -> None:
        async with AsyncLedger(db_url, max_size=4) as ledger:
            await body(ledger)

    asyncio.run(main())
