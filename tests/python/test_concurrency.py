"""Concurrency with real connections: writers of one wallet serialize, never deadlock,
never overdraw and never lose a write."""

from __future__ import annotations

import random
import threading
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest

THREADS = 8
OPERATIONS_PER_THREAD = 500


def open_wallet(url: str, owner: str, allow_negative: bool = False) -> int:
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute("SELECT id FROM wallets.open_wallet(owner => %s, allow_negative => %s)", (owner, allow_negative)).fetchone()
    assert row is not None
    return int(row[0])


def test_random_credits_and_debits_keep_the_ledger_exact(db_url: str, owner: str) -> None:
    shared = open_wallet(db_url, f"{owner}-shared")
    others = [open_wallet(db_url, f"{owner}-{n}") for n in range(3)]
    negative = open_wallet(db_url, f"{owner}-negative", allow_negative=True)
    wallet_ids = [shared, *others, negative]
    lock = threading.Lock()
    expected: dict[int, int] = defaultdict(int)
    refused: dict[str, int] = defaultdict(int)

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        applied: dict[int, int] = defaultdict(int)
        with psycopg.connect(db_url, autocommit=True) as conn:
            for _ in range(OPERATIONS_PER_THREAD):
                # Every thread hits the shared wallet half of the time.
                wallet_id = shared if rng.random() < 0.5 else rng.choice(wallet_ids[1:])
                amount = rng.randint(1, 50)
                try:
                    if rng.random() < 0.5:
                        expires = "2999-01-01Z" if rng.random() < 0.3 else None
                        conn.execute(
                            "SELECT wallets.credit(wallet_id => %s, amount => %s, expires_at => %s, priority => %s)",
                            (wallet_id, amount, expires, rng.choice([0, 50, 100])),
                        )
                        applied[wallet_id] += amount
                    else:
                        conn.execute("SELECT wallets.debit(wallet_id => %s, amount => %s)", (wallet_id, amount))
                        applied[wallet_id] -= amount
                except psycopg.Error as error:
                    # Only a refused overdraft is an acceptable outcome.
                    assert error.sqlstate == "WL001", f"unexpected {error.sqlstate}: {error}"
                    with lock:
                        refused[error.sqlstate] += 1
        with lock:
            for wallet_id, delta in applied.items():
                expected[wallet_id] += delta

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(worker, range(THREADS)))

    with psycopg.connect(db_url) as conn:
        for wallet_id in wallet_ids:
            balance = conn.execute("SELECT wallets.balance(%s)", (wallet_id,)).fetchone()
            assert balance is not None
            assert balance[0] == expected[wallet_id], f"wallet {wallet_id}"
            if wallet_id != negative:
                assert balance[0] >= 0
        entries = conn.execute(
            "SELECT count(*) FROM wallets.transactions WHERE wallet_id = ANY(%s)", (wallet_ids,)
        ).fetchone()
        assert entries is not None
        assert entries[0] == THREADS * OPERATIONS_PER_THREAD - refused["WL001"]
        problems = conn.execute("SELECT * FROM wallets.check()").fetchall()
        assert problems == []
        negatives = conn.execute(
            "SELECT count(*) FROM wallets.transactions t JOIN wallets.wallets w ON w.id = t.wallet_id "
            "WHERE NOT w.allow_negative AND t.balance_after < 0"
        ).fetchone()
        assert negatives == (0,)


def test_two_connections_racing_to_spend_60_of_100(db_url: str, owner: str) -> None:
    for round_number in range(20):
        wallet_id = open_wallet(db_url, f"{owner}-{round_number}")
        with psycopg.connect(db_url, autocommit=True) as conn:
            conn.execute("SELECT wallets.credit(%s, 100)", (wallet_id,))
        barrier = threading.Barrier(2)

        def spend() -> str:
            with psycopg.connect(db_url, autocommit=True) as conn:
                barrier.wait()
                try:
                    conn.execute("SELECT wallets.debit(wallet_id => %s, amount => 60)", (wallet_id,))
                    return "ok"
                except psycopg.Error as error:
                    return str(error.sqlstate)

        with ThreadPoolExecutor(2) as pool:
            outcomes = sorted(pool.map(lambda _: spend(), range(2)))
        assert outcomes == ["WL001", "ok"]
        with psycopg.connect(db_url) as conn:
            assert conn.execute("SELECT wallets.balance(%s)", (wallet_id,)).fetchone() == (40,)


def test_a_blocked_debit_sees_the_committed_one(db_url: str, owner: str) -> None:
    wallet_id = open_wallet(db_url, owner)
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("SELECT wallets.credit(%s, 100)", (wallet_id,))
    first = psycopg.connect(db_url)
    try:
        first.execute("SELECT wallets.debit(%s, 60)", (wallet_id,))  # holds the wallet lock, uncommitted
        with ThreadPoolExecutor(1) as pool:
            second = pool.submit(spend_60, db_url, wallet_id)
            with pytest.raises(TimeoutError):
                second.result(timeout=0.5)  # blocked on the lock
            first.commit()
            assert second.result(timeout=30) == "WL001"
    finally:
        first.close()


def spend_60(url: str, wallet_id: int) -> str:
    with psycopg.connect(url, autocommit=True) as conn:
        try:
            conn.execute("SELECT wallets.debit(%s, 60)", (wallet_id,))
            return "ok"
        except psycopg.Error as error:
            return str(error.sqlstate)


def test_concurrent_replays_of_one_idempotency_key_write_once(db_url: str, owner: str) -> None:
    wallet_id = open_wallet(db_url, owner)
    barrier = threading.Barrier(THREADS)

    def credit_once(_: int) -> int:
        with psycopg.connect(db_url, autocommit=True) as conn:
            barrier.wait()
            row = conn.execute(
                "SELECT id FROM wallets.credit(wallet_id => %s, amount => 10, idempotency_key => 'grant-1')", (wallet_id,)
            ).fetchone()
            assert row is not None
            return int(row[0])

    with ThreadPoolExecutor(THREADS) as pool:
        ids = set(pool.map(credit_once, range(THREADS)))
    assert len(ids) == 1
    with psycopg.connect(db_url) as conn:
        assert conn.execute("SELECT wallets.balance(%s)", (wallet_id,)).fetchone() == (10,)


def test_concurrent_open_wallet_returns_one_wallet(db_url: str, owner: str) -> None:
    barrier = threading.Barrier(THREADS)

    def open_one(_: int) -> int:
        with psycopg.connect(db_url, autocommit=True) as conn:
            barrier.wait()
            row = conn.execute("SELECT id FROM wallets.open_wallet(%s, ' Gold ')", (owner,)).fetchone()
            assert row is not None
            return int(row[0])

    with ThreadPoolExecutor(THREADS) as pool:
        assert len(set(pool.map(open_one, range(THREADS)))) == 1


def test_repeatable_read_caller_fails_rather_than_reading_a_stale_balance(db_url: str, owner: str) -> None:
    wallet_id = open_wallet(db_url, owner)
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("SELECT wallets.credit(%s, 100)", (wallet_id,))
    with psycopg.connect(db_url) as stale:
        stale.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        stale.execute("SELECT 1")  # the snapshot is taken here
        assert spend_60(db_url, wallet_id) == "ok"
        with pytest.raises(psycopg.errors.SerializationFailure):
            stale.execute("SELECT wallets.debit(%s, 60)", (wallet_id,))
    with psycopg.connect(db_url) as conn:
        assert conn.execute("SELECT wallets.balance(%s)", (wallet_id,)).fetchone() == (40,)
        assert conn.execute("SELECT * FROM wallets.check(%s)", (wallet_id,)).fetchall() == []
