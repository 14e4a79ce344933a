"""Stress: THREADS threads for STRESS_SECONDS make random transfers (both directions, every
policy), holds, captures (full and partial), releases, reserve() blocks and credits among WALLETS
wallets of one asset, each thread on its own autocommit connection. The only acceptable failure is
InsufficientBalance: a deadlock (40P01), a serialization failure or any other error fails the test.

Every successful operation is logged client-side; at the end the database must agree with the log
exactly, wallet by wallet, so a lost or double-applied operation is caught."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

import psycopg
import pytest

from pgwallets import InsufficientBalance, Ledger, ReservedHold

STRESS_SECONDS = 20.0
THREADS = 8
WALLETS = 10
MAX_OPEN_HOLDS = 4  # per thread
FAR_FUTURE = datetime(2999, 1, 1, tzinfo=timezone.utc)  # nothing expires during the run
POLICIES: list[str | None] = [None, "preserve", "none", "fixed"]


@dataclass
class Log:
    """What one thread did successfully, plus the refusals it met."""

    credits: list[tuple[int, int]] = field(default_factory=list)  # (wallet_id, amount)
    transfers: list[tuple[int, int, int, int]] = field(default_factory=list)  # (id, from, to, amount)
    replays: int = 0  # idempotent transfer replays that returned the first transfer
    holds: dict[int, tuple[int, int]] = field(default_factory=dict)  # hold_id -> (wallet_id, amount)
    captures: list[tuple[int, int, int, int]] = field(default_factory=list)  # (transaction_id, hold_id, wallet, amount)
    partial_captures: int = 0
    releases: list[int] = field(default_factory=list)  # hold ids
    reserves: int = 0
    refused: Counter[str] = field(default_factory=Counter)  # operation kind -> InsufficientBalance count
    unexpected: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def stress_url(installed_database: Callable[[str], str]) -> str:
    """A database of its own: the load does not touch the shared one, and check() covers exactly
    the wallets of this test."""
    return installed_database("pgwallets_stress")


def far_expiry(rng: random.Random) -> datetime:
    return FAR_FUTURE - timedelta(days=rng.randint(0, 20 * 365))


def worker(url: str, ledger: Ledger, wallet_ids: list[int], seed: int, deadline: float, log: Log) -> None:
    rng = random.Random(seed)
    open_holds: list[ReservedHold] = []
    counter = 0

    def capture(handle: ReservedHold, amount: int | None) -> None:
        entry = handle.capture(amount, category="usage")
        log.captures.append((entry.id, handle.id, handle.wallet_id, -entry.amount))
        if -entry.amount < handle.amount:
            log.partial_captures += 1

    with psycopg.connect(url, autocommit=True) as conn:
        while time.monotonic() < deadline:
            counter += 1
            roll = rng.random()
            if roll < 0.62 and roll >= 0.40 and len(open_holds) >= MAX_OPEN_HOLDS:
                roll = 0.70  # too many open holds: close one instead
            if 0.62 <= roll < 0.90 and not open_holds:
                roll = 0.50  # nothing to close: hold instead
            kind = ""
            try:
                if roll < 0.40:
                    kind = "transfer"
                    sender, receiver = rng.sample(wallet_ids, 2)
                    amount = rng.randint(1, 150)
                    policy = rng.choice(POLICIES)
                    expires_at = far_expiry(rng) if policy == "fixed" else None
                    key = f"t-{seed}-{counter}" if rng.random() < 0.1 else None
                    moved = ledger.transfer(sender, receiver, amount, expiration_policy=policy, expires_at=expires_at,
                                            idempotency_key=key, conn=conn)
                    log.transfers.append((moved.id, sender, receiver, amount))
                    if key is not None:
                        kind = "transfer replay"
                        again = ledger.transfer(sender, receiver, amount, expiration_policy=policy,
                                                expires_at=expires_at, idempotency_key=key, conn=conn)
                        assert again == moved, (again, moved)
                        log.replays += 1
                elif roll < 0.62:
                    kind = "hold"
                    wallet_id = rng.choice(wallet_ids)
                    handle = ledger.hold(wallet_id, rng.randint(1, 150), conn=conn)
                    log.holds[handle.id] = (wallet_id, handle.amount)
                    open_holds.append(handle)
                elif roll < 0.78:
                    kind = "capture"
                    handle = open_holds.pop(rng.randrange(len(open_holds)))
                    capture(handle, None if rng.random() < 0.5 else rng.randint(1, handle.amount))
                elif roll < 0.90:
                    kind = "release"
                    handle = open_holds.pop(rng.randrange(len(open_holds)))
                    handle.release()
                    log.releases.append(handle.id)
                elif roll < 0.95:
                    kind = "reserve"
                    wallet_id = rng.choice(wallet_ids)
                    amount = rng.randint(1, 150)
                    with ledger.reserve(wallet_id, amount, category="usage", conn=conn) as reserved:
                        log.holds[reserved.id] = (wallet_id, amount)
                        reserved.settle(rng.randint(0, amount))
                    log.reserves += 1
                    if reserved.captured is not None:
                        log.captures.append((reserved.captured.id, reserved.id, wallet_id, -reserved.captured.amount))
                        if -reserved.captured.amount < amount:
                            log.partial_captures += 1
                    else:
                        log.releases.append(reserved.id)
                else:
                    kind = "credit"
                    wallet_id = rng.choice(wallet_ids)
                    amount = rng.randint(1, 400)
                    ledger.credit(wallet_id, amount, expires_at=far_expiry(rng) if rng.random() < 0.5 else None,
                                  priority=rng.choice([0, 50, 100]), conn=conn)
                    log.credits.append((wallet_id, amount))
            except InsufficientBalance:
                log.refused[kind] += 1
            except Exception as error:  # noqa: BLE001 - anything else fails the test, with its SQLSTATE
                sqlstate = getattr(error, "sqlstate", None) or getattr(error.__cause__, "sqlstate", None)
                log.unexpected.append(f"{kind}: {type(error).__name__} [{sqlstate}] {error}")
                return
        # Close what is still open: every hold ends captured or released.
        for handle in open_holds:
            try:
                if rng.random() < 0.5:
                    capture(handle, None)
                else:
                    handle.release()
                    log.releases.append(handle.id)
            except Exception as error:  # noqa: BLE001
                log.unexpected.append(f"closing hold {handle.id}: {type(error).__name__} {error}")


def scalar(conn: psycopg.Connection[Any], query: str, *params: Any) -> Any:
    row = conn.execute(query, params).fetchone()
    assert row is not None
    return row[0]


def test_transfers_and_holds_under_load(stress_url: str) -> None:
    setup = random.Random(2024)
    initial: dict[int, int] = defaultdict(int)
    with Ledger(stress_url) as ledger:
        wallet_ids = [ledger.open_wallet(f"stress-{n}").id for n in range(WALLETS)]
        for wallet_id in wallet_ids:
            for _ in range(3):
                amount = setup.randint(500, 1500)
                # Some buckets expire, all far in the future; others never do.
                ledger.credit(wallet_id, amount, expires_at=far_expiry(setup) if setup.random() < 0.6 else None,
                              priority=setup.choice([0, 50, 100]))
                initial[wallet_id] += amount

        logs = [Log() for _ in range(THREADS)]
        deadline = time.monotonic() + STRESS_SECONDS
        threads = [threading.Thread(target=worker, args=(stress_url, ledger, wallet_ids, seed, deadline, logs[seed]))
                   for seed in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    unexpected = [message for log in logs for message in log.unexpected]
    assert unexpected == [], unexpected

    transfers = [t for log in logs for t in log.transfers]
    holds = {hold_id: held for log in logs for hold_id, held in log.holds.items()}
    captures = [c for log in logs for c in log.captures]
    releases = [r for log in logs for r in log.releases]
    credits = [c for log in logs for c in log.credits]
    refused: Counter[str] = sum((log.refused for log in logs), Counter())
    print(f"\nstress over {STRESS_SECONDS:.0f} s, {THREADS} threads, {WALLETS} wallets: "
          f"{len(transfers)} transfers ({sum(log.replays for log in logs)} replayed), {len(holds)} holds "
          f"({sum(log.reserves for log in logs)} by reserve()), {len(captures)} captures "
          f"({sum(log.partial_captures for log in logs)} partial), {len(releases)} releases, {len(credits)} credits; "
          f"refused with InsufficientBalance: {dict(refused)}")
    assert transfers and captures and releases and credits
    assert sum(log.partial_captures for log in logs) > 0 and any(log.reserves for log in logs)
    # Every hold was closed once: captured or released, never both.
    closed = [c[1] for c in captures] + releases
    assert sorted(closed) == sorted(holds)

    expected: dict[int, int] = dict(initial)
    for wallet_id, amount in credits:
        expected[wallet_id] += amount
    for _, sender, receiver, amount in transfers:
        expected[sender] -= amount
        expected[receiver] += amount
    for _, _, wallet_id, amount in captures:
        expected[wallet_id] -= amount

    with psycopg.connect(stress_url, autocommit=True) as conn:
        assert conn.execute("SELECT * FROM wallets.check()").fetchall() == []

        expired: dict[int, int] = dict(conn.execute(
            "SELECT wallet_id, -sum(amount) FROM wallets.transactions WHERE wallet_id = ANY(%s)"
            " AND category = 'expiration' GROUP BY wallet_id", (wallet_ids,)).fetchall())
        total_credited = sum(initial.values()) + sum(amount for _, amount in credits)
        total_captured = sum(c[3] for c in captures)
        total_posted = scalar(conn, "SELECT sum(posted) FROM wallets.balances WHERE wallet_id = ANY(%s)", wallet_ids)
        # Transfers net to zero across the wallets.
        assert total_posted == total_credited - total_captured - sum(expired.values())
        assert scalar(conn, "SELECT sum(amount) FROM wallets.transactions WHERE wallet_id = ANY(%s)",
                      wallet_ids) == total_posted

        # Wallet by wallet, the database agrees with the client-side log.
        figures = {row[0]: row[1:] for row in conn.execute(
            "SELECT wallet_id, posted, held, available FROM wallets.balances WHERE wallet_id = ANY(%s)",
            (wallet_ids,)).fetchall()}
        for wallet_id in wallet_ids:
            want = expected[wallet_id] - expired.get(wallet_id, 0)
            assert figures[wallet_id] == (want, 0, want), f"wallet {wallet_id}"
            assert want >= 0

        # Transfers: exactly the ones logged, each with its two or more legs netting to zero.
        in_db = conn.execute("SELECT id, from_wallet_id, to_wallet_id, amount FROM wallets.transfers"
                             " WHERE from_wallet_id = ANY(%s)", (wallet_ids,)).fetchall()
        assert sorted(in_db) == sorted(transfers)
        assert scalar(conn, "SELECT count(*) FROM wallets.transfers") == len(transfers)
        unbalanced = conn.execute(
            "SELECT transfer_id FROM wallets.transactions WHERE transfer_id IS NOT NULL"
            " GROUP BY transfer_id HAVING sum(amount) <> 0 OR count(*) FILTER (WHERE amount < 0) <> 1").fetchall()
        assert unbalanced == []

        # Captures: exactly the ones logged, one debit per captured hold.
        capture_rows = conn.execute(
            "SELECT id, hold_id, wallet_id, -amount FROM wallets.transactions WHERE wallet_id = ANY(%s)"
            " AND hold_id IS NOT NULL", (wallet_ids,)).fetchall()
        assert sorted(capture_rows) == sorted(captures)
        assert scalar(conn, "SELECT count(*) FROM wallets.transactions WHERE category = 'usage'") == len(captures)

        # Holds: no hold a thread captured or released is still active, each ended as logged.
        statuses = {row[0]: row[1:] for row in conn.execute(
            "SELECT id, wallet_id, amount, status, captured_amount FROM wallets.holds WHERE wallet_id = ANY(%s)",
            (wallet_ids,)).fetchall()}
        assert set(statuses) == set(holds)
        captured_by_hold = {c[1]: c[3] for c in captures}
        for hold_id, (wallet_id, amount) in holds.items():
            if hold_id in captured_by_hold:
                assert statuses[hold_id] == (wallet_id, amount, "captured", captured_by_hold[hold_id]), hold_id
            else:
                assert statuses[hold_id] == (wallet_id, amount, "released", 0), hold_id
        assert scalar(conn, "SELECT count(*) FROM wallets.holds WHERE status = 'active'") == 0
        assert scalar(conn, "SELECT sum(held) FROM wallets.wallets") == 0
