"""The scripted story `pgwallets demo` tells against a freshly deployed database.

Two users get credits (some expiring, one with a priority), spend them (the allocations show the
draw-down order), then one session pins the ledger clock 31 days ahead: the expired bonuses stop
counting at once, a sweep posts their expirations. Back in real time, alice transfers credits to
bob keeping their expiries, two jobs run under `ledger.reserve()` (one is charged what it used, one
fails and is charged nothing), and wallets.check() finds nothing wrong.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

import psycopg
from psycopg import sql

from pgwallets.errors import InsufficientBalance
from pgwallets.ledger import Ledger
from pgwallets.models import Transaction, Wallet
from pgwallets.tables import format_table

__all__ = ["run"]

ALLOCATIONS = """
SELECT a.source_transaction_id, s.category, s.priority, s.expires_at, s.amount, a.amount
FROM wallets.allocations a
JOIN wallets.transactions s ON s.wallet_id = a.wallet_id AND s.id = a.source_transaction_id
WHERE a.wallet_id = %s AND a.transaction_id = %s
ORDER BY s.priority, s.expires_at, s.id
"""

TRANSFER_LEGS = """
SELECT w.owner, t.id, t.category, t.amount, t.expires_at, t.balance_after
FROM wallets.transactions t JOIN wallets.wallets w ON w.id = t.wallet_id
WHERE t.wallet_id = ANY(%s) AND t.transfer_id = %s
ORDER BY t.id
"""

BALANCES = """
SELECT b.owner, b.posted, b.held, b.available
FROM wallets.balances b
WHERE b.wallet_id = ANY(%s)
ORDER BY b.owner
"""

HOLDS = """
SELECT h.id, w.owner, h.amount, h.captured_amount, h.status, h.metadata
FROM wallets.holds h JOIN wallets.wallets w ON w.id = h.wallet_id
WHERE h.wallet_id = ANY(%s)
ORDER BY h.id
"""

BUCKETS = """
SELECT w.owner, b.transaction_id, b.category, b.priority, b.expires_at, b.amount, b.remaining, b.status
FROM wallets.buckets b JOIN wallets.wallets w ON w.id = b.wallet_id
WHERE b.wallet_id = ANY(%s)
ORDER BY w.owner, b.transaction_id
"""


def run(url: str, echo: Callable[[str], None] = print) -> None:
    """Tell the story on the pgwallets database at `url` (expected fresh: ids start at 1)."""
    story = _Story(echo)
    with Ledger(url) as ledger, psycopg.connect(url, autocommit=True) as report:
        clock_row = report.execute("SELECT wallets.now()").fetchone()
        assert clock_row is not None
        today: datetime = clock_row[0]

        story.section("1. Open a wallet for each user")
        alice = ledger.open_wallet("alice", metadata={"plan": "pro"})
        bob = ledger.open_wallet("bob")
        story.table(["id", "owner", "asset", "allow_negative", "metadata"],
                    [(w.id, w.owner, w.asset, w.allow_negative, w.metadata) for w in (alice, bob)])
        owners = {alice.id: "alice", bob.id: "bob"}

        story.section("2. Grant credits: each credit is a bucket with its own expiry and priority")
        grants = [
            ledger.credit(alice.id, 100, category="signup_bonus", expires_at=today + timedelta(days=30)),
            ledger.credit(alice.id, 50, category="promo", expires_at=today + timedelta(days=7), priority=10),
            ledger.credit(alice.id, 200, category="purchase", metadata={"order": "A-1001"}),
            ledger.credit(bob.id, 40, category="signup_bonus", expires_at=today + timedelta(days=30)),
            ledger.credit(bob.id, 25, category="referral", idempotency_key="referral-bob-1"),
        ]
        replay = ledger.credit(bob.id, 25, category="referral", idempotency_key="referral-bob-1")
        story.table(["owner", "id", "category", "amount", "priority", "expires_at", "balance_after", "idempotency_key"],
                    [(owners[t.wallet_id], t.id, t.category, t.amount, t.priority, t.expires_at, t.balance_after,
                      t.idempotency_key) for t in grants])
        story.say(f"The referral sent again with the same idempotency key returns transaction {replay.id}: "
                  "nothing new is posted.")

        story.section("3. Spend: draw down by priority (0 first), then earliest expiry, then oldest")
        spend = ledger.debit(alice.id, 120, category="api_calls", metadata={"calls": 120})
        story.say(f"alice spends 120: transaction {spend.id}, balance {spend.balance_before} -> {spend.balance_after}")
        story.table(["bucket", "category", "priority", "expires_at", "credited", "drawn"],
                    report.execute(ALLOCATIONS, (alice.id, spend.id)).fetchall(),
                    title=f"allocations of transaction {spend.id} (wallets.allocations)")
        bob_spend = ledger.debit(bob.id, 10, category="api_calls")
        story.say(f"bob spends 10: transaction {bob_spend.id}, balance {bob_spend.balance_after}")
        try:
            ledger.debit(bob.id, 1000, category="api_calls")
        except InsufficientBalance as error:
            story.say(f"bob tries to spend 1000: error {error.summary()}")
        story.table(["owner", "bucket", "category", "priority", "expires_at", "credited", "remaining", "status"],
                    report.execute(BUCKETS, ([alice.id, bob.id],)).fetchall(), title="wallets.buckets")

        story.section("4. Pin the ledger clock 31 days ahead, on one session")
        later_time = (today + timedelta(days=31)).replace(microsecond=0)
        # SET is session-level: only this connection lives in the future; the pool keeps real time.
        with psycopg.connect(url, autocommit=True) as later:
            later.execute(sql.SQL("SET wallets.clock = {}").format(sql.Literal(later_time.isoformat())))
            story.say(f"SET wallets.clock = '{later_time.isoformat()}'")
            story.balances(ledger, [alice, bob], later, "before any sweep")
            story.say("The signup bonuses expired: they stopped counting at once, though no sweep has run and "
                      "ledger_balance still includes them.")

            story.section("5. Sweep: expire_due() posts one expiration entry per due bucket")
            swept = ledger.expire_due(conn=later)
            story.say(f"expire_due() expired {swept} bucket{'s' if swept != 1 else ''}")
            story.balances(ledger, [alice, bob], later, "after the sweep")

            story.section("6. The ledger of alice (wallets.history, newest first)")
            story.transactions(ledger.history(alice.id, conn=later))

            story.section("7. The buckets, 31 days later")
            story.table(["owner", "bucket", "category", "priority", "expires_at", "credited", "remaining", "status"],
                        later.execute(BUCKETS, ([alice.id, bob.id],)).fetchall(), title="wallets.buckets")

        story.section("8. Back in real time, alice transfers 80 credits to bob, expiries preserved")
        gift = ledger.credit(alice.id, 30, category="gift", expires_at=today + timedelta(days=10))
        story.say(f"alice first receives a gift of 30 expiring {gift.expires_at:%Y-%m-%d}.")
        moved = ledger.transfer(alice.id, bob.id, 80, expiration_policy="preserve", metadata={"note": "thanks"})
        story.say(f"transfer {moved.id}: {moved.amount} from alice to bob, policy {moved.expiration_policy}. "
                  "The credits drawn from alice keep their expiries on bob's side: one inbound leg per expiry.")
        story.table(["owner", "id", "category", "amount", "expires_at", "balance_after"],
                    report.execute(TRANSFER_LEGS, ([alice.id, bob.id], moved.id)).fetchall(),
                    title=f"legs of transfer {moved.id}")

        story.section("9. Holds: reserve credits while a job runs, charge what it used")
        with ledger.reserve(bob.id, 60, category="video_render", metadata={"job": "render-1"}) as job:
            story.say(f"render-1 starts: hold {job.id} reserves {job.amount} of bob's credits "
                      "(committed at once: no lock is held while the job runs)")
            story.table(["owner", "posted", "held", "available"], report.execute(BALANCES, ([bob.id],)).fetchall(),
                        title="wallets.balances while render-1 runs")
            job.settle(45)  # the job reports what it used
        assert job.captured is not None
        story.say(f"render-1 used 45: leaving the block captured {-job.captured.amount} "
                  f"(transaction {job.captured.id}); the other {job.amount - 45} went back to bob.")
        try:
            with ledger.reserve(alice.id, 100, category="video_render", metadata={"job": "render-2"}) as failing:
                story.say(f"render-2 starts: hold {failing.id} reserves {failing.amount} of alice's credits")
                raise RuntimeError("GPU worker crashed")
        except RuntimeError as error:
            story.say(f"render-2 failed ({error}): the hold was {failing.status}, nothing was charged.")
        story.table(["id", "owner", "amount", "captured", "status", "metadata"],
                    report.execute(HOLDS, ([alice.id, bob.id],)).fetchall(), title="wallets.holds")
        story.table(["owner", "posted", "held", "available"],
                    report.execute(BALANCES, ([alice.id, bob.id],)).fetchall(), title="wallets.balances")

        story.section("10. Audit: wallets.check() recomputes everything from the ledger")
        problems = ledger.check()
        story.table(["wallet_id", "problem"], problems)
        story.say("No problems: every balance, bucket and allocation agrees with the append-only ledger."
                  if not problems else "wallets.check() found problems!")


class _Story:
    def __init__(self, echo: Callable[[str], None]) -> None:
        self.echo = echo

    def section(self, heading: str) -> None:
        self.echo("")
        self.echo(f"== {heading}")

    def say(self, text: str) -> None:
        self.echo(text)

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[Any]], title: str | None = None) -> None:
        self.echo(format_table(headers, rows, title=title))

    def balances(self, ledger: Ledger, wallets: Sequence[Wallet], later: psycopg.Connection[Any], when: str) -> None:
        rows = []
        for wallet in wallets:
            cached = ledger.find_wallet(wallet.owner, wallet.asset, conn=later)
            assert cached is not None
            rows.append((wallet.owner, cached.ledger_balance, ledger.balance(wallet.id),
                         ledger.balance(wallet.id, conn=later)))
        self.table(["owner", "ledger_balance", "balance (real clock)", "balance (+31 days)"], rows,
                   title=f"balances {when}")

    def transactions(self, entries: Sequence[Transaction]) -> None:
        self.table(["id", "created_at", "category", "amount", "balance_after", "expires_at", "metadata"],
                   [(t.id, t.created_at, t.category, t.amount, t.balance_after, t.expires_at, t.metadata)
                    for t in entries])
