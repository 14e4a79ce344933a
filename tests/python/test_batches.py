"""Batches: Ledger.credit_many / debit_many (and the AsyncLedger twins) send the items as the
parallel arrays of wallets.credit_many / wallets.debit_many in one statement and return one
BatchResult per item; a refused item carries the exception its single call would raise."""

from __future__ import annotations

import asyncio
import random
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any, TypeVar

import psycopg
import pytest
from psycopg.pq import TransactionStatus

from pgwallets import (
    AsyncLedger,
    BatchResult,
    CreditItem,
    DebitItem,
    IdempotencyConflict,
    InsufficientBalance,
    InvalidAmount,
    InvalidArgument,
    InvalidExpiration,
    Ledger,
    WalletNotFound,
    WalletsError,
)
from pgwallets.ledger import calls

from conftest import database_now

T = TypeVar("T")


def codes(results: list[BatchResult]) -> list[str | None]:
    return [None if r.error is None else r.error.code for r in results]


# --- Sync ----------------------------------------------------------------------------------------

def test_credit_many_and_debit_many_end_to_end(ledger: Ledger, db_url: str, owner: str) -> None:
    alice = ledger.open_wallet(f"{owner}-alice")
    bob = ledger.open_wallet(f"{owner}-bob")
    later = database_now(db_url) + timedelta(days=30)

    credits = ledger.credit_many([
        CreditItem(alice.id, 100),
        CreditItem(bob.id, 40, category="bonus", expires_at=later, metadata={"campaign": "jan"},
                   idempotency_key="grant-1", priority=10),
        CreditItem(alice.id, 50, category="purchase"),
    ])
    assert [r.item for r in credits] == [1, 2, 3]
    assert all(r.ok and r.error is None and r.transaction_id is not None for r in credits)
    ids = [r.transaction_id for r in credits]
    assert ids == sorted(ids) and len(set(ids)) == 3  # posted in item order

    by_id = {t.id: t for w in (alice.id, bob.id) for t in ledger.history(w)}
    assert (by_id[ids[0]].wallet_id, by_id[ids[0]].amount, by_id[ids[0]].category, by_id[ids[0]].priority,
            by_id[ids[0]].expires_at, by_id[ids[0]].metadata) == (alice.id, 100, "credit", 50, None, {})
    bonus = by_id[ids[1]]
    assert (bonus.wallet_id, bonus.amount, bonus.category, bonus.priority, bonus.expires_at, bonus.metadata,
            bonus.idempotency_key) == (bob.id, 40, "bonus", 10, later, {"campaign": "jan"}, "grant-1")
    assert (by_id[ids[2]].category, by_id[ids[2]].balance_before, by_id[ids[2]].balance_after) == ("purchase", 100, 150)

    debits = ledger.debit_many([
        DebitItem(alice.id, 30, category="api_call", metadata={"req": "r1"}, idempotency_key="req-1"),
        DebitItem(bob.id, 5),
        DebitItem(alice.id, 20),
    ])
    assert all(r.ok for r in debits)
    history = ledger.history(alice.id)
    assert [(t.amount, t.balance_before, t.balance_after) for t in reversed(history)] == [
        (100, 0, 100), (50, 100, 150), (-30, 150, 120), (-20, 120, 100)]
    spend = next(t for t in history if t.id == debits[0].transaction_id)
    assert (spend.category, spend.metadata, spend.idempotency_key) == ("api_call", {"req": "r1"}, "req-1")
    assert next(t for t in ledger.history(bob.id) if t.id == debits[1].transaction_id).category == "debit"
    assert (ledger.balance(alice.id), ledger.balance(bob.id)) == (100, 35)
    assert ledger.check(alice.id) == [] and ledger.check(bob.id) == []


def test_each_refused_item_carries_its_exception_and_undoes_nothing_else(ledger: Ledger, db_url: str, owner: str) -> None:
    wallet = ledger.open_wallet(owner)
    past = database_now(db_url) - timedelta(days=1)
    results = ledger.credit_many([
        CreditItem(wallet.id, 10),
        CreditItem(-1, 5),
        CreditItem(wallet.id, 0),
        CreditItem(wallet.id, 5, category="Bonus"),
        CreditItem(wallet.id, 5, expires_at=past),
        CreditItem(wallet.id, 5, priority=101),
        CreditItem(wallet.id, 5, metadata=[1, 2]),  # type: ignore[arg-type]  # the database refuses it
        CreditItem(wallet.id, 20),
    ])
    assert codes(results) == [None, "WL002", "WL003", "WL012", "WL005", "WL012", "WL012", None]
    assert [type(r.error) for r in results] == [type(None), WalletNotFound, InvalidAmount, InvalidArgument,
                                                InvalidExpiration, InvalidArgument, InvalidArgument, type(None)]
    assert [r.ok for r in results] == [True, False, False, False, False, False, False, True]
    assert [r.transaction_id is None for r in results] == [not r.ok for r in results]
    refused = results[2].error
    assert isinstance(refused, InvalidAmount)
    assert refused.message == f"wallet {wallet.id}: amount must be a positive whole number, got 0"
    assert refused.detail == {"code": "WL003", "error": "invalid_amount", "wallet_id": wallet.id, "amount": 0, "item": 3}
    assert refused.summary() == f"WL003 invalid_amount: wallet {wallet.id}: amount must be a positive whole number, got 0"
    assert str(results[1].error) == "wallet -1 does not exist"
    assert results[3].error is not None and results[3].error.name == "invalid_argument"

    # Each refusal is what the single call raises (WL005's message names the instant: not compared).
    for result, single in ((results[1], lambda: ledger.credit(-1, 5)),
                           (results[2], lambda: ledger.credit(wallet.id, 0)),
                           (results[3], lambda: ledger.credit(wallet.id, 5, category="Bonus")),
                           (results[5], lambda: ledger.credit(wallet.id, 5, priority=101))):
        with pytest.raises(WalletsError) as caught:
            single()
        assert result.error is not None
        assert (type(caught.value), caught.value.code, caught.value.message) == (
            type(result.error), result.error.code, result.error.message)

    assert [(t.amount, t.balance_before, t.balance_after) for t in reversed(ledger.history(wallet.id))] == [
        (10, 0, 10), (20, 10, 30)]

    debits = ledger.debit_many([DebitItem(wallet.id, 25), DebitItem(wallet.id, 25), DebitItem(wallet.id, 5),
                                DebitItem(wallet.id, 1, category="expiration")])
    assert codes(debits) == [None, "WL001", None, "WL012"]
    insufficient = debits[1].error
    assert isinstance(insufficient, InsufficientBalance)
    assert insufficient.message == f"wallet {wallet.id} has 5 available, cannot debit 25"
    assert insufficient.detail["item"] == 2
    assert ledger.balance(wallet.id) == 0
    assert ledger.check(wallet.id) == []


def test_replays_within_and_across_batches(ledger: Ledger, owner: str) -> None:
    wallet = ledger.open_wallet(owner)
    batch = [CreditItem(wallet.id, 5, idempotency_key="dup"), CreditItem(wallet.id, 5, idempotency_key="dup"),
             CreditItem(wallet.id, 5)]
    first = ledger.credit_many(batch)
    assert all(r.ok for r in first)
    assert first[1].transaction_id == first[0].transaction_id
    assert ledger.balance(wallet.id) == 10

    again = ledger.credit_many(batch)
    assert [r.transaction_id for r in again[:2]] == [first[0].transaction_id] * 2
    assert again[2].transaction_id != first[2].transaction_id
    assert ledger.balance(wallet.id) == 15

    single = ledger.debit(wallet.id, 15, idempotency_key="spend")
    replayed = ledger.debit_many([DebitItem(wallet.id, 15, idempotency_key="spend"),
                                  DebitItem(wallet.id, 16, idempotency_key="spend")])
    assert replayed[0].transaction_id == single.id  # though the balance is 0 now
    assert isinstance(replayed[1].error, IdempotencyConflict)
    assert replayed[1].error.message == (f"idempotency key 'spend' on wallet {wallet.id} was used by transaction "
                                         f"{single.id} with other arguments")
    assert ledger.balance(wallet.id) == 0
    assert len(ledger.history(wallet.id)) == 4


def test_atomic_batches_are_all_or_nothing(ledger: Ledger, owner: str) -> None:
    alice = ledger.open_wallet(f"{owner}-alice")
    bob = ledger.open_wallet(f"{owner}-bob")
    results = ledger.credit_many([CreditItem(alice.id, 10), CreditItem(bob.id, 4)], atomic=True)
    assert codes(results) == [None, None]

    with pytest.raises(InsufficientBalance) as caught:
        ledger.debit_many([DebitItem(alice.id, 3), DebitItem(bob.id, 5), DebitItem(-1, 1)], atomic=True)
    error = caught.value
    assert error.message == f"item 2: wallet {bob.id} has 4 available, cannot debit 5"
    assert error.detail == {"code": "WL001", "error": "insufficient_balance", "item": 2, "wallet_id": bob.id,
                            "requested": 5, "available": 4}
    with pytest.raises(WalletNotFound, match=r"^item 2: wallet -1 does not exist$") as unknown:
        ledger.credit_many([CreditItem(alice.id, 1), CreditItem(-1, 1)], atomic=True)
    assert unknown.value.detail["item"] == 2
    assert (ledger.balance(alice.id), ledger.balance(bob.id)) == (10, 4)  # nothing written
    assert [len(ledger.history(w.id)) for w in (alice, bob)] == [1, 1]

    # A non-atomic batch with the same items posts what it can.
    results = ledger.debit_many([DebitItem(alice.id, 3), DebitItem(bob.id, 5), DebitItem(-1, 1)])
    assert codes(results) == [None, "WL001", "WL002"]
    assert ledger.balance(alice.id) == 7


def test_an_empty_batch_returns_no_results(ledger: Ledger) -> None:
    assert ledger.credit_many([]) == []
    assert ledger.debit_many([], atomic=True) == []


def test_a_batch_is_one_statement_with_parallel_arrays() -> None:
    one = calls.credit_many([CreditItem(1, 5)], False)
    three = calls.credit_many([CreditItem(1, 5), CreditItem(2, 6, category="bonus", priority=7), CreditItem(3, 7)], True)
    assert one.query == three.query  # the text never varies with the batch
    assert three.params["wallet_ids"] == [1, 2, 3]
    assert three.params["amounts"] == [5, 6, 7]
    assert three.params["categories"] == ["credit", "bonus", "credit"]
    assert three.params["priorities"] == [50, 7, 50]
    assert three.params["atomic"] is True
    assert calls.debit_many([], False).query == calls.debit_many([DebitItem(1, 1)], False).query


def test_conn_joins_the_callers_transaction(ledger: Ledger, db_url: str, owner: str) -> None:
    wallet = ledger.open_wallet(owner)
    with psycopg.connect(db_url) as conn:
        results = ledger.credit_many([CreditItem(wallet.id, 100), CreditItem(wallet.id, 0)], conn=conn)
        assert codes(results) == [None, "WL003"]
        # A refused item of a non-atomic batch does not abort the caller's transaction.
        assert conn.info.transaction_status == TransactionStatus.INTRANS
        results = ledger.debit_many([DebitItem(wallet.id, 30), DebitItem(wallet.id, 80)], conn=conn)
        assert codes(results) == [None, "WL001"]
        assert ledger.balance(wallet.id, conn=conn) == 70
        assert ledger.balance(wallet.id) == 0  # not committed: invisible to the pool's connections
        conn.rollback()
        assert ledger.balance(wallet.id, conn=conn) == 0
        assert ledger.history(wallet.id) == []  # the rollback undid both batches

        ledger.credit_many([CreditItem(wallet.id, 10)], conn=conn)
        with pytest.raises(InsufficientBalance):
            ledger.debit_many([DebitItem(wallet.id, 11)], atomic=True, conn=conn)
        assert conn.info.transaction_status == TransactionStatus.INERROR
        conn.rollback()

        ledger.credit_many([CreditItem(wallet.id, 10)], conn=conn)
        conn.commit()
    assert ledger.balance(wallet.id) == 10


# --- Async ---------------------------------------------------------------------------------------

def run(test: Callable[[AsyncLedger], Awaitable[T]], db_url: str) -> T:
    async def main() -> T:
        async with AsyncLedger(db_url) as ledger:
            return await test(ledger)

    return asyncio.run(main())


def test_async_batches(db_url: str, owner: str) -> None:
    async def body(ledger: AsyncLedger) -> None:
        wallet = await ledger.open_wallet(owner)
        credits = await ledger.credit_many([CreditItem(wallet.id, 10, idempotency_key="k"),
                                            CreditItem(wallet.id, 10, idempotency_key="k"),
                                            CreditItem(-1, 1), CreditItem(wallet.id, 5, category="bonus")])
        assert codes(credits) == [None, None, "WL002", None]
        assert credits[1].transaction_id == credits[0].transaction_id
        assert isinstance(credits[2].error, WalletNotFound) and credits[2].error.detail["item"] == 3
        debits = await ledger.debit_many([DebitItem(wallet.id, 20), DebitItem(wallet.id, 12, metadata={"n": 1})])
        assert codes(debits) == ["WL001", None]
        assert isinstance(debits[0].error, InsufficientBalance)
        assert debits[0].error.message == f"wallet {wallet.id} has 15 available, cannot debit 20"
        assert await ledger.balance(wallet.id) == 3
        assert await ledger.debit_many([]) == []

        with pytest.raises(InsufficientBalance, match=r"^item 2: ") as caught:
            await ledger.debit_many([DebitItem(wallet.id, 1), DebitItem(wallet.id, 3)], atomic=True)
        assert caught.value.detail["item"] == 2
        assert await ledger.balance(wallet.id) == 3
        assert codes(await ledger.credit_many([CreditItem(wallet.id, 1)], atomic=True)) == [None]
        assert await ledger.check(wallet.id) == []

    run(body, db_url)


def test_async_conn_joins_the_callers_transaction(db_url: str, owner: str) -> None:
    async def body(ledger: AsyncLedger) -> None:
        wallet = await ledger.open_wallet(owner)
        async with await psycopg.AsyncConnection.connect(db_url) as conn:
            results = await ledger.credit_many([CreditItem(wallet.id, 50), CreditItem(wallet.id, -1)], conn=conn)
            assert codes(results) == [None, "WL003"]
            assert codes(await ledger.debit_many([DebitItem(wallet.id, 20)], conn=conn)) == [None]
            assert conn.info.transaction_status == TransactionStatus.INTRANS
            assert await ledger.balance(wallet.id, conn=conn) == 30
            assert await ledger.balance(wallet.id) == 0
            await conn.rollback()
            assert await ledger.history(wallet.id) == []

            with pytest.raises(InsufficientBalance):
                await ledger.debit_many([DebitItem(wallet.id, 1)], atomic=True, conn=conn)
            assert conn.info.transaction_status == TransactionStatus.INERROR
            await conn.rollback()
            await ledger.credit_many([CreditItem(wallet.id, 7)], conn=conn)
            await conn.commit()
        assert await ledger.balance(wallet.id) == 7

    run(body, db_url)


# --- Concurrency ---------------------------------------------------------------------------------

THREADS = 8
BATCHES_PER_THREAD = 40
ITEMS_PER_BATCH = 50
WALLETS = 5
SEED = 500
KEYS = 40


@pytest.fixture(scope="module")
def batches_url(installed_database: Callable[[str], str]) -> str:
    """A database of its own, so wallets.check() covers exactly the wallets of the test."""
    return installed_database("pgwallets_batches")


def test_concurrent_batches_over_shared_wallets_never_deadlock(batches_url: str) -> None:
    """8 threads post batches of 50 random credits or debits over 5 shared wallets, in random
    order (their lock sets overlap in different orders), some atomic, some items keyed so that
    batches replay each other's keys. No deadlock or other non-domain error; every posted entry is
    counted once; the balances are the sum of what the batches report as posted."""
    with Ledger(batches_url, max_size=THREADS) as ledger:
        wallet_ids = [ledger.open_wallet(f"batch-{n}").id for n in range(WALLETS)]
        assert all(r.ok for r in ledger.credit_many([CreditItem(w, SEED) for w in wallet_ids]))
        lock = threading.Lock()
        posted: dict[int, tuple[int, int]] = {}  # transaction id -> (wallet id, signed amount)
        outcomes: dict[str, int] = {"batches": 0, "atomic_refused": 0, "items_refused": 0, "replays": 0}

        def keyed(kind: str, rng: random.Random) -> tuple[int, int, str]:
            # A key always comes with the same wallet and amount: reusing it is a replay, never WL006.
            k = rng.randrange(KEYS)
            return wallet_ids[k % WALLETS], k % 37 + 1, f"{kind}-{k}"

        def worker(seed: int) -> None:
            rng = random.Random(seed)
            mine: list[tuple[int, int, int]] = []
            counts = dict.fromkeys(outcomes, 0)
            for _ in range(BATCHES_PER_THREAD):
                credit = rng.random() < 0.4
                atomic = rng.random() < 0.2
                picks: list[tuple[int, int, str | None]] = []
                for _ in range(ITEMS_PER_BATCH):
                    if rng.random() < 0.1:
                        picks.append(keyed("c" if credit else "d", rng))
                    else:
                        picks.append((rng.choice(wallet_ids), rng.randint(1, 40), None))
                try:
                    if credit:
                        results = ledger.credit_many([CreditItem(w, a, idempotency_key=k) for w, a, k in picks],
                                                     atomic=atomic)
                    else:
                        results = ledger.debit_many([DebitItem(w, a, idempotency_key=k) for w, a, k in picks],
                                                    atomic=atomic)
                except InsufficientBalance as error:
                    # The only acceptable failure of a whole batch: an atomic debit batch overdrawing.
                    assert atomic and not credit, repr(error)
                    assert error.message.startswith(f"item {error.detail['item']}: ")
                    counts["atomic_refused"] += 1
                    continue
                counts["batches"] += 1
                assert [r.item for r in results] == list(range(1, ITEMS_PER_BATCH + 1))
                for (wallet_id, amount, _key), result in zip(picks, results):
                    if result.error is not None:
                        # The only acceptable refusal of an item: a debit the wallet cannot cover.
                        assert not credit and not atomic and isinstance(result.error, InsufficientBalance), \
                            repr(result.error)
                        counts["items_refused"] += 1
                        continue
                    assert result.transaction_id is not None
                    mine.append((result.transaction_id, wallet_id, amount if credit else -amount))
            with lock:
                for transaction_id, wallet_id, signed in mine:
                    if transaction_id in posted:  # a replay, here or in another thread
                        assert posted[transaction_id] == (wallet_id, signed)
                        counts["replays"] += 1
                    else:
                        posted[transaction_id] = (wallet_id, signed)
                for name, count in counts.items():
                    outcomes[name] += count

        with ThreadPoolExecutor(THREADS) as pool:
            list(pool.map(worker, range(THREADS)))  # re-raises a worker's error (40P01 included)

        assert outcomes["batches"] + outcomes["atomic_refused"] == THREADS * BATCHES_PER_THREAD
        assert outcomes["items_refused"] > 0 and outcomes["replays"] > 0  # the mix really happened
        expected = {w: SEED for w in wallet_ids}
        for wallet_id, signed in posted.values():
            expected[wallet_id] += signed
        assert {w: ledger.balance(w) for w in wallet_ids} == expected
        assert all(balance >= 0 for balance in expected.values())
        assert ledger.check() == []
        with psycopg.connect(batches_url) as conn:
            row: Any = conn.execute("SELECT count(*) FROM wallets.transactions WHERE wallet_id = ANY(%s)",
                                    (wallet_ids,)).fetchone()
            assert row[0] == WALLETS + len(posted)  # every posted entry reported once, nothing else written
