"""Transfers, holds (and Ledger.reserve) and adjustments through the sync client, end to end
against a real database."""

from __future__ import annotations

from datetime import datetime, timedelta

import psycopg
import pytest

from conftest import database_now
from psycopg import sql
from psycopg.pq import TransactionStatus

from pgwallets import (
    Balances,
    Hold,
    HoldNotActive,
    IdempotencyConflict,
    InsufficientBalance,
    InvalidAmount,
    InvalidArgument,
    InvalidExpiration,
    InvalidTransfer,
    Ledger,
    ReservedHold,
    Transaction,
    Transfer,
    WalletNotFound,
)


def funded(ledger: Ledger, owner: str, amount: int = 100, asset: str = "credits") -> int:
    wallet = ledger.open_wallet(owner, asset)
    if amount:
        ledger.credit(wallet.id, amount)
    return wallet.id


def legs(ledger: Ledger, wallet_id: int, transfer: Transfer) -> list[Transaction]:
    """The wallet's entries of this transfer, oldest first."""
    return [t for t in reversed(ledger.history(wallet_id)) if t.transfer_id == transfer.id]


def figures(ledger: Ledger, wallet_id: int) -> tuple[int, int, int]:
    row = ledger.balances(wallet_id)
    return row.posted, row.held, row.available


def pin(conn: psycopg.Connection[object], moment: datetime) -> None:
    conn.execute(sql.SQL("SET wallets.clock = {}").format(sql.Literal(moment.isoformat())))


# --- transfer ------------------------------------------------------------------------------------

def test_transfer_preserve_keeps_the_expiries_drawn(ledger: Ledger, db_url: str, owner: str) -> None:
    now = database_now(db_url)
    sender = ledger.open_wallet(f"{owner}-from")
    receiver = ledger.open_wallet(f"{owner}-to")
    soon, later = now + timedelta(days=7), now + timedelta(days=30)
    ledger.credit(sender.id, 30, expires_at=later)
    ledger.credit(sender.id, 20, expires_at=soon)
    ledger.credit(sender.id, 100)

    moved = ledger.transfer(sender.id, receiver.id, 70, metadata={"reason": "gift"})
    assert isinstance(moved, Transfer)
    assert (moved.from_wallet_id, moved.to_wallet_id, moved.asset, moved.amount) == (sender.id, receiver.id,
                                                                                      "credits", 70)
    assert (moved.category, moved.expiration_policy, moved.expires_at) == ("transfer", "preserve", None)
    assert moved.metadata == {"reason": "gift"}

    [outbound] = legs(ledger, sender.id, moved)
    assert (outbound.category, outbound.amount, outbound.balance_after) == ("transfer_out", -70, 80)
    inbound = legs(ledger, receiver.id, moved)
    # One inbound leg per expiry drawn, in draw-down order: earliest expiry first, never-expiring last.
    assert [(t.category, t.amount, t.expires_at) for t in inbound] == [
        ("transfer_in", 20, soon), ("transfer_in", 30, later), ("transfer_in", 20, None)]
    assert all(t.metadata == {"reason": "gift"} and t.hold_id is None for t in inbound)
    assert ledger.balance(sender.id) == 80 and ledger.balance(receiver.id) == 70
    assert ledger.check(sender.id) == [] and ledger.check(receiver.id) == []


def test_transfer_policies_none_and_fixed(ledger: Ledger, db_url: str, owner: str) -> None:
    now = database_now(db_url)
    sender = funded(ledger, f"{owner}-from", 0)
    ledger.credit(sender, 100, expires_at=now + timedelta(days=3))
    receiver = funded(ledger, f"{owner}-to", 0)

    never = ledger.transfer(sender, receiver, 10, expiration_policy="none", category="gift")
    assert (never.expiration_policy, never.category, never.expires_at) == ("none", "gift", None)
    assert [(t.amount, t.expires_at) for t in legs(ledger, receiver, never)] == [(10, None)]

    until = now + timedelta(days=90)
    fixed = ledger.transfer(sender, receiver, 15, expires_at=until)  # expires_at alone means fixed
    assert (fixed.expiration_policy, fixed.expires_at) == ("fixed", until)
    assert [(t.amount, t.expires_at) for t in legs(ledger, receiver, fixed)] == [(15, until)]
    explicit = ledger.transfer(sender, receiver, 5, expiration_policy="fixed", expires_at=until)
    assert explicit.expiration_policy == "fixed"
    assert figures(ledger, receiver) == (30, 0, 30)


def test_transfer_idempotency(ledger: Ledger, owner: str) -> None:
    sender, receiver = funded(ledger, f"{owner}-from"), funded(ledger, f"{owner}-to", 0)
    first = ledger.transfer(sender, receiver, 40, idempotency_key="t-1")
    assert ledger.transfer(sender, receiver, 40, idempotency_key="t-1") == first
    assert ledger.balance(sender) == 60 and ledger.balance(receiver) == 40
    with pytest.raises(IdempotencyConflict):
        ledger.transfer(sender, receiver, 41, idempotency_key="t-1")
    # The key belongs to the sender's ledger: a debit that used it conflicts too.
    ledger.debit(sender, 1, idempotency_key="d-1")
    with pytest.raises(IdempotencyConflict):
        ledger.transfer(sender, receiver, 1, idempotency_key="d-1")
    outbound = legs(ledger, sender, first)
    assert [t.idempotency_key for t in outbound] == ["t-1"]


def test_transfer_errors(ledger: Ledger, db_url: str, owner: str) -> None:
    now = database_now(db_url)
    sender, receiver = funded(ledger, f"{owner}-from", 50), funded(ledger, f"{owner}-to", 0)
    gems = funded(ledger, f"{owner}-to", 0, asset="gems")

    with pytest.raises(InvalidTransfer) as to_itself:
        ledger.transfer(sender, sender, 1)
    assert to_itself.value.detail["from_wallet_id"] == sender
    with pytest.raises(InvalidTransfer) as other_asset:
        ledger.transfer(sender, gems, 1)
    assert other_asset.value.detail["to_asset"] == "gems"
    with pytest.raises(InsufficientBalance) as short:
        ledger.transfer(sender, receiver, 51)
    assert (short.value.detail["available"], short.value.detail["requested"]) == (50, 51)
    with pytest.raises(InvalidAmount):
        ledger.transfer(sender, receiver, 0)
    with pytest.raises(InvalidArgument) as policy:
        ledger.transfer(sender, receiver, 1, expiration_policy="forever")
    assert policy.value.detail["argument"] == "expiration_policy"
    with pytest.raises(InvalidArgument):
        ledger.transfer(sender, receiver, 1, category="transfer_out")
    with pytest.raises(InvalidArgument):
        ledger.transfer(sender, receiver, 1, metadata=[1, 2])  # type: ignore[arg-type]
    with pytest.raises(InvalidExpiration):
        ledger.transfer(sender, receiver, 1, expiration_policy="preserve", expires_at=now + timedelta(days=1))
    with pytest.raises(InvalidExpiration):
        ledger.transfer(sender, receiver, 1, expiration_policy="fixed")
    with pytest.raises(InvalidExpiration):
        ledger.transfer(sender, receiver, 1, expires_at=now - timedelta(days=1))
    with pytest.raises(WalletNotFound):
        ledger.transfer(sender, -1, 1)
    # Held credits cannot be transferred.
    ledger.hold(sender, 45)
    with pytest.raises(InsufficientBalance):
        ledger.transfer(sender, receiver, 6)
    assert figures(ledger, sender) == (50, 45, 5) and figures(ledger, receiver) == (0, 0, 0)


# --- hold, capture, release -------------------------------------------------------------------------

def test_hold_reserves_and_capture_debits(ledger: Ledger, owner: str) -> None:
    wallet = funded(ledger, owner, 100)
    handle = ledger.hold(wallet, 40, metadata={"job": "j-1"})
    assert isinstance(handle, ReservedHold) and isinstance(handle.hold, Hold)
    assert (handle.wallet_id, handle.amount, handle.status, handle.active) == (wallet, 40, "active", True)
    assert (handle.hold.captured_amount, handle.hold.closed_at, handle.hold.metadata) == (0, None, {"job": "j-1"})
    assert handle.hold.expires_at - handle.hold.created_at == timedelta(minutes=15)  # the SQL default
    assert figures(ledger, wallet) == (100, 40, 60)
    assert ledger.balance(wallet) == 60
    assert ledger.balances(wallet) == Balances(wallet, owner, "credits", 100, 40, 60)

    entry = handle.capture()  # all of it, as a 'debit' carrying the hold's metadata
    assert (entry.amount, entry.category, entry.hold_id, entry.metadata) == (-40, "debit", handle.id, {"job": "j-1"})
    assert (handle.status, handle.hold.captured_amount, handle.hold.closed_at) == ("captured", 40, entry.created_at)
    assert handle.captured == entry
    assert figures(ledger, wallet) == (60, 0, 60)
    with pytest.raises(HoldNotActive) as again:
        handle.capture()
    assert again.value.detail["status"] == "captured"
    with pytest.raises(HoldNotActive):
        ledger.release(handle.id)
    assert ledger.check(wallet) == []


def test_partial_capture_releases_the_rest(ledger: Ledger, owner: str) -> None:
    wallet = funded(ledger, owner, 100)
    handle = ledger.hold(wallet, 50)
    entry = ledger.capture(handle.id, 20, category="render", metadata={"frames": 20})
    assert (entry.amount, entry.category, entry.metadata, entry.hold_id) == (-20, "render", {"frames": 20}, handle.id)
    assert figures(ledger, wallet) == (80, 0, 80)
    # The handle did not see that capture; the database tells it.
    with pytest.raises(HoldNotActive):
        handle.release()
    assert handle.status == "captured"
    with pytest.raises(InvalidAmount):
        ledger.capture(ledger.hold(wallet, 10).id, 11)
    assert ledger.check(wallet) == []


def test_release_returns_the_credits(ledger: Ledger, owner: str) -> None:
    wallet = funded(ledger, owner, 30)
    handle = ledger.hold(wallet, 30)
    with pytest.raises(InsufficientBalance):
        ledger.debit(wallet, 1)
    with pytest.raises(InsufficientBalance) as short:
        ledger.hold(wallet, 1)
    assert short.value.detail["available"] == 0
    released = handle.release()
    assert isinstance(released, Hold) and released == handle.hold
    assert (released.status, released.captured_amount) == ("released", 0) and released.closed_at is not None
    assert figures(ledger, wallet) == (30, 0, 30)
    with pytest.raises(HoldNotActive) as again:
        ledger.release(handle.id)
    assert again.value.detail["status"] == "released"
    with pytest.raises(HoldNotActive):
        ledger.capture(handle.id)
    assert [t.category for t in ledger.history(wallet)] == ["credit"]  # a hold posts nothing


def test_hold_errors_and_idempotency(ledger: Ledger, db_url: str, owner: str) -> None:
    now = database_now(db_url)
    wallet = funded(ledger, owner, 20)
    with pytest.raises(InvalidAmount):
        ledger.hold(wallet, 0)
    with pytest.raises(InvalidExpiration):
        ledger.hold(wallet, 5, expires_at=now - timedelta(minutes=1))
    with pytest.raises(WalletNotFound):
        ledger.hold(-1, 5)
    with pytest.raises(InvalidArgument):
        ledger.capture(-1)  # no such hold
    with pytest.raises(InvalidArgument):
        ledger.release(-1)

    until = now + timedelta(hours=1)
    first = ledger.hold(wallet, 5, expires_at=until, idempotency_key="job-9")
    assert first.hold.expires_at == until and first.hold.idempotency_key == "job-9"
    assert ledger.hold(wallet, 5, idempotency_key="job-9").hold == first.hold
    with pytest.raises(IdempotencyConflict):
        ledger.hold(wallet, 6, idempotency_key="job-9")
    assert figures(ledger, wallet) == (20, 5, 15)


def test_an_expired_hold_cannot_be_captured(ledger: Ledger, db_url: str, owner: str) -> None:
    start = database_now(db_url)
    wallet = funded(ledger, owner, 10)
    with psycopg.connect(db_url, autocommit=True) as clock:
        pin(clock, start)
        handle = ledger.hold(wallet, 10, expires_at=start + timedelta(seconds=5), conn=clock)
        assert handle.conn is clock
        pin(clock, start + timedelta(seconds=10))
        assert figures(ledger, wallet) == (10, 10, 0)  # the pool lives in real time
        assert ledger.balance(wallet, conn=clock) == 10  # past its expiry the hold stops holding
        with pytest.raises(HoldNotActive) as expired:
            handle.capture()  # on the handle's connection, 10 seconds later
        assert expired.value.detail["status"] == "expired"
        assert handle.status == "expired" and not handle.active


# --- reserve -------------------------------------------------------------------------------------

def test_reserve_captures_the_whole_hold_on_success(ledger: Ledger, owner: str) -> None:
    wallet = funded(ledger, owner, 100)
    with ledger.reserve(wallet, 30, category="image_generation", metadata={"job": "j-1"}) as hold:
        assert isinstance(hold, ReservedHold) and hold.active
        assert figures(ledger, wallet) == (100, 30, 70)
    assert hold.status == "captured" and hold.captured is not None
    assert (hold.captured.amount, hold.captured.category, hold.captured.metadata) == (-30, "image_generation",
                                                                                      {"job": "j-1"})
    assert figures(ledger, wallet) == (70, 0, 70)
    assert ledger.check(wallet) == []


def test_reserve_captures_the_settled_amount(ledger: Ledger, owner: str) -> None:
    wallet = funded(ledger, owner, 100)
    with ledger.reserve(wallet, 50) as hold:
        hold.settle(80 // 4)
        hold.settle(12)  # the last word counts
        assert hold.settled == 12
        with pytest.raises(InvalidAmount):
            hold.settle(51)
        with pytest.raises(InvalidAmount):
            hold.settle(-1)
    assert hold.captured is not None and hold.captured.amount == -12
    assert (hold.hold.status, hold.hold.captured_amount) == ("captured", 12)
    assert figures(ledger, wallet) == (88, 0, 88)

    with ledger.reserve(wallet, 10) as nothing:
        nothing.settle(0)  # nothing to charge: released
    assert nothing.status == "released" and nothing.captured is None
    assert figures(ledger, wallet) == (88, 0, 88)
    assert ledger.check(wallet) == []


def test_reserve_releases_on_exception(ledger: Ledger, owner: str) -> None:
    wallet = funded(ledger, owner, 100)

    class JobFailed(Exception):
        pass

    with pytest.raises(JobFailed, match="GPU fell over"):
        with ledger.reserve(wallet, 60) as hold:
            hold.settle(10)
            raise JobFailed("GPU fell over")
    assert hold.status == "released" and hold.captured is None
    assert figures(ledger, wallet) == (100, 0, 100)
    assert [t.category for t in ledger.history(wallet)] == ["credit"]
    with pytest.raises(KeyboardInterrupt):
        with ledger.reserve(wallet, 5) as interrupted:
            raise KeyboardInterrupt
    assert interrupted.status == "released"
    assert figures(ledger, wallet) == (100, 0, 100)


def test_reserve_leaves_an_explicit_capture_or_release_alone(ledger: Ledger, owner: str) -> None:
    wallet = funded(ledger, owner, 100)
    with ledger.reserve(wallet, 40, category="batch") as hold:
        first = hold.capture(25)
        assert first.category == "batch"
    assert hold.captured == first and figures(ledger, wallet) == (75, 0, 75)

    with ledger.reserve(wallet, 40) as hold:
        hold.release()
    assert hold.status == "released" and figures(ledger, wallet) == (75, 0, 75)

    # Captured, then the block fails: the capture stands and the error propagates.
    with pytest.raises(ValueError):
        with ledger.reserve(wallet, 5) as hold:
            hold.capture()
            raise ValueError("after the capture")
    assert figures(ledger, wallet) == (70, 0, 70)
    assert [t.amount for t in ledger.history(wallet)] == [-5, -25, 100]


def test_reserve_never_hides_the_blocks_exception(ledger: Ledger, owner: str) -> None:
    wallet = funded(ledger, owner, 10)
    with pytest.raises(ValueError, match="the job's own error") as caught:
        with ledger.reserve(wallet, 10) as hold:
            ledger.release(hold.id)  # behind the handle's back: its release at exit fails
            raise ValueError("the job's own error")
    assert any(f"releasing hold {hold.id} failed too" in note for note in getattr(caught.value, "__notes__", []))
    assert hold.status == "released"  # learnt from the database's answer
    # Closed behind its back on a normal exit: the capture at exit says so.
    with pytest.raises(HoldNotActive):
        with ledger.reserve(wallet, 10) as other:
            ledger.capture(other.id, 3)
    assert figures(ledger, wallet) == (7, 0, 7)


def test_reserve_without_conn_holds_no_lock_during_the_block(ledger: Ledger, db_url: str, owner: str) -> None:
    wallet = funded(ledger, owner, 100)
    with ledger.reserve(wallet, 30) as hold:
        # Committed already: visible elsewhere, and the wallet is not locked while the work runs.
        with psycopg.connect(db_url, autocommit=True, options="-c lock_timeout=2s") as other:
            assert ledger.balances(wallet, conn=other).held == 30
            ledger.debit(wallet, 5, conn=other)
            with pytest.raises(InsufficientBalance):
                ledger.debit(wallet, 66, conn=other)
        hold.settle(20)
    assert figures(ledger, wallet) == (75, 0, 75)


def test_reserve_with_conn_runs_in_the_callers_transaction(ledger: Ledger, db_url: str, owner: str) -> None:
    wallet = funded(ledger, owner, 100)
    with psycopg.connect(db_url) as conn:
        with ledger.reserve(wallet, 40, conn=conn) as hold:
            assert hold.conn is conn
            assert ledger.balances(wallet, conn=conn).held == 40
            assert figures(ledger, wallet) == (100, 0, 100)  # not committed: invisible elsewhere
            hold.settle(15)
        assert ledger.balances(wallet, conn=conn) == Balances(wallet, owner, "credits", 85, 0, 85)
        with ledger.reserve(wallet, 10, conn=conn) as other:
            nested = ledger.transfer(wallet, funded(ledger, f"{owner}-to", 0), 5, conn=conn)
        assert other.status == "captured" and nested.amount == 5
        assert conn.info.transaction_status == TransactionStatus.INTRANS
        conn.rollback()
    # Nothing remains: no hold, no capture, no transfer.
    assert figures(ledger, wallet) == (100, 0, 100)
    assert [t.category for t in ledger.history(wallet)] == ["credit"]
    with psycopg.connect(db_url) as conn:
        holds = conn.execute("SELECT count(*) FROM wallets.holds WHERE wallet_id = %s", (wallet,)).fetchone()
        transfers = conn.execute("SELECT count(*) FROM wallets.transfers WHERE from_wallet_id = %s",
                                 (wallet,)).fetchone()
    assert holds == (0,) and transfers == (0,)

    # Committed, the same work stays.
    with psycopg.connect(db_url) as conn:
        with ledger.reserve(wallet, 40, conn=conn) as hold:
            hold.settle(15)
        conn.commit()
    assert figures(ledger, wallet) == (85, 0, 85)
    assert ledger.check(wallet) == []


def test_reserve_in_an_aborted_transaction_lets_the_error_through(ledger: Ledger, db_url: str, owner: str) -> None:
    wallet = funded(ledger, owner, 100)
    with psycopg.connect(db_url) as conn:
        with pytest.raises(InsufficientBalance):
            with ledger.reserve(wallet, 40, conn=conn):
                ledger.debit(wallet, 61, conn=conn)  # fails: the transaction is aborted
        # No release was attempted on the aborted transaction; the rollback discards the hold.
        assert conn.info.transaction_status == TransactionStatus.INERROR
        conn.rollback()
    assert figures(ledger, wallet) == (100, 0, 100)


def test_reserve_reports_a_hold_that_expired_during_the_block(ledger: Ledger, db_url: str, owner: str) -> None:
    start = database_now(db_url)
    wallet = funded(ledger, owner, 10)
    with psycopg.connect(db_url, autocommit=True) as clock:
        pin(clock, start)
        with pytest.raises(HoldNotActive) as late:
            with ledger.reserve(wallet, 10, expires_at=start + timedelta(seconds=5), conn=clock) as hold:
                pin(clock, start + timedelta(seconds=10))  # the job took too long
        assert late.value.detail["status"] == "expired" and hold.status == "expired"
        assert ledger.balance(wallet, conn=clock) == 10  # nothing was charged


def test_reserve_fails_before_the_block_when_the_hold_does(ledger: Ledger, owner: str) -> None:
    wallet = funded(ledger, owner, 10)
    entered = False
    with pytest.raises(InsufficientBalance):
        with ledger.reserve(wallet, 11):
            entered = True
    assert not entered


def test_a_failed_exit_capture_releases_the_hold(ledger: Ledger, owner: str) -> None:
    wallet = funded(ledger, owner, 10)
    with pytest.raises(InvalidArgument):
        with ledger.reserve(wallet, 10, category="Not A Category") as hold:
            pass
    assert hold.status == "released"
    assert figures(ledger, wallet) == (10, 0, 10)


# --- adjustments ---------------------------------------------------------------------------------

def test_void_credit(ledger: Ledger, owner: str) -> None:
    wallet = funded(ledger, owner, 0)
    grant = ledger.credit(wallet, 50, category="promo")
    ledger.debit(wallet, 20)
    void = ledger.void_credit(grant.id, reason="granted by mistake")
    assert (void.category, void.amount, void.balance_after) == ("void", -30, 0)
    assert void.metadata == {"voided_transaction_id": grant.id, "reason": "granted by mistake"}
    assert ledger.balance(wallet) == 0
    with pytest.raises(InvalidArgument) as nothing_left:
        ledger.void_credit(grant.id)
    assert nothing_left.value.detail["remaining"] == 0
    with pytest.raises(InvalidArgument):
        ledger.void_credit(void.id)  # not a credit
    # Credits reserved by a hold stay with the hold.
    other = ledger.credit(wallet, 10)
    ledger.hold(wallet, 4)
    assert ledger.void_credit(other.id).amount == -6
    assert figures(ledger, wallet) == (4, 4, 0)
    assert ledger.check(wallet) == []


def test_set_expiry(ledger: Ledger, db_url: str, owner: str) -> None:
    now = database_now(db_url)
    wallet = funded(ledger, owner, 0)
    grant = ledger.credit(wallet, 40, expires_at=now + timedelta(days=1), priority=7)
    ledger.debit(wallet, 10)
    moved = ledger.set_expiry(grant.id, now + timedelta(days=60))
    assert (moved.category, moved.amount, moved.expires_at, moved.priority) == ("expiry_change", 30,
                                                                              now + timedelta(days=60), 7)
    assert moved.metadata == {"from_transaction_id": grant.id}
    forever = ledger.set_expiry(moved.id, None)
    assert forever.expires_at is None and forever.amount == 30
    assert ledger.balance(wallet) == 30
    with pytest.raises(InvalidExpiration):
        ledger.set_expiry(forever.id, now - timedelta(days=1))
    with pytest.raises(InvalidArgument):
        ledger.set_expiry(grant.id, None)  # nothing left in the old bucket
    spend = ledger.debit(wallet, 1)
    with pytest.raises(InvalidArgument):
        ledger.set_expiry(spend.id, None)
    assert ledger.check(wallet) == []


def test_reverse_debit(ledger: Ledger, db_url: str, owner: str) -> None:
    now = database_now(db_url)
    wallet = funded(ledger, owner, 0)
    first = ledger.credit(wallet, 10, expires_at=now + timedelta(days=5))
    second = ledger.credit(wallet, 20)
    spend = ledger.debit(wallet, 25)
    part = ledger.reverse_debit(spend.id, 4, reason="refund")
    assert [(t.category, t.amount, t.reversal_of, t.expires_at) for t in part] == [
        ("reversal", 4, spend.id, first.expires_at)]
    assert part[0].metadata == {"source_transaction_id": first.id, "reason": "refund"}
    rest = ledger.reverse_debit(spend.id)
    # Back to the very buckets drawn, oldest bucket first, each keeping its expiry.
    assert [(t.amount, t.expires_at, t.metadata["source_transaction_id"]) for t in rest] == [
        (6, first.expires_at, first.id), (15, None, second.id)]
    assert ledger.balance(wallet) == 30
    with pytest.raises(InvalidAmount) as spent:
        ledger.reverse_debit(spend.id, 1)
    assert spent.value.detail["reversible"] == 0
    with pytest.raises(InvalidArgument):
        ledger.reverse_debit(first.id)  # a credit
    assert ledger.reverse_debit(ledger.debit(wallet, 3).id, 3)[0].amount == 3
    assert ledger.check(wallet) == []


def test_balances_of_a_missing_wallet(ledger: Ledger) -> None:
    with pytest.raises(WalletNotFound) as missing:
        ledger.balances(-7)
    assert missing.value.detail == {"code": "WL002", "error": "wallet_not_found", "wallet_id": -7}
    assert missing.value.message == "wallet -7 does not exist"


def test_adjustments_on_the_callers_conn_roll_back(ledger: Ledger, db_url: str, owner: str) -> None:
    wallet = funded(ledger, owner, 0)
    grant = ledger.credit(wallet, 50)
    spend = ledger.debit(wallet, 10)
    with psycopg.connect(db_url) as conn:
        ledger.reverse_debit(spend.id, conn=conn)
        ledger.set_expiry(grant.id, None, conn=conn)
        ledger.void_credit(ledger.credit(wallet, 5, conn=conn).id, conn=conn)
        ledger.capture(ledger.hold(wallet, 5, conn=conn).id, conn=conn)
        ledger.release(ledger.hold(wallet, 5, conn=conn).id, conn=conn)
        assert ledger.balances(wallet, conn=conn).posted == 45
        conn.rollback()
    assert [t.id for t in ledger.history(wallet)] == [spend.id, grant.id]
    assert figures(ledger, wallet) == (40, 0, 40)
