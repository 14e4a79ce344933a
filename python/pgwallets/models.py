"""Immutable records built from the rows the SQL functions return.

`record_row(cls)` is the one converter: a psycopg row factory that maps columns to dataclass
fields by name. Columns the dataclass does not know are ignored, so the schema can grow (e.g.
transactions.transfer_id, hold_id) without breaking a deployed client; a field added later gets a
default (`transfer_id: int | None = None`) so rows from an older schema still build. New models
(Transfer, Hold) are further frozen dataclasses used with the same factory.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from psycopg.rows import RowFactory, RowMaker

from pgwallets.errors import WalletsError

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

__all__ = ["Balances", "BatchResult", "CreditItem", "DebitItem", "Hold", "Transaction", "Transfer", "Wallet", "record_row"]

R = TypeVar("R", bound="DataclassInstance")


@dataclass(frozen=True, slots=True)
class Wallet:
    """A row of wallets.wallets: one wallet per (owner, asset).

    ledger_balance is the balance after the last ledger entry; buckets past expiry that no sweep
    has expired yet still count in it. The spendable balance is Ledger.balance().
    """

    id: int
    owner: str
    asset: str
    allow_negative: bool
    metadata: dict[str, Any]
    created_at: datetime
    ledger_balance: int
    debt: int
    expiry_floor: datetime | None
    # Credits reserved by active holds (part of ledger_balance); 0 from a schema without holds.
    held: int = 0


@dataclass(frozen=True, slots=True)
class Transaction:
    """A row of wallets.transactions: one signed ledger entry (credits > 0, debits and
    expirations < 0) with the wallet balance before and after it."""

    id: int
    wallet_id: int
    amount: int
    category: str
    expires_at: datetime | None
    priority: int | None
    balance_before: int
    balance_after: int
    metadata: dict[str, Any]
    idempotency_key: str | None
    created_at: datetime
    # The transfer a transfer_out / transfer_in leg belongs to.
    transfer_id: int | None = None
    # The hold a capture settles.
    hold_id: int | None = None
    # On a reversal credit: the debit it gives back.
    reversal_of: int | None = None


@dataclass(frozen=True, slots=True)
class Transfer:
    """A row of wallets.transfers: credits moved from one wallet to another of the same asset.
    Its legs are the transactions carrying its id (one transfer_out on the sender, one or more
    transfer_in on the receiver)."""

    id: int
    from_wallet_id: int
    to_wallet_id: int
    asset: str
    amount: int
    category: str
    expiration_policy: str
    expires_at: datetime | None
    metadata: dict[str, Any]
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Hold:
    """A row of wallets.holds: credits reserved on a wallet, then captured (captured_amount of
    them debited), released, or expired. status: active, captured, released or expired."""

    id: int
    wallet_id: int
    amount: int
    captured_amount: int
    status: str
    expires_at: datetime
    metadata: dict[str, Any]
    idempotency_key: str | None
    created_at: datetime
    closed_at: datetime | None


@dataclass(frozen=True, slots=True)
class Balances:
    """A row of the view wallets.balances at wallets.now(): posted (live credits minus debits),
    held (reserved by active holds) and available (posted minus held, = Ledger.balance())."""

    wallet_id: int
    owner: str
    asset: str
    posted: int
    held: int
    available: int


@dataclass(frozen=True, slots=True)
class CreditItem:
    """One credit of Ledger.credit_many(): the arguments of Ledger.credit(), with its defaults."""

    wallet_id: int
    amount: int
    category: str = "credit"
    expires_at: datetime | None = None
    metadata: Mapping[str, Any] | None = None
    idempotency_key: str | None = None
    priority: int = 50


@dataclass(frozen=True, slots=True)
class DebitItem:
    """One debit of Ledger.debit_many(): the arguments of Ledger.debit(), with its defaults."""

    wallet_id: int
    amount: int
    category: str = "debit"
    metadata: Mapping[str, Any] | None = None
    idempotency_key: str | None = None


@dataclass(frozen=True, slots=True)
class BatchResult:
    """The outcome of one item of credit_many() / debit_many(), in the order of the items.

    item            the item's 1-based position in the batch
    transaction_id  the entry it posted (for a replayed idempotency key: the original entry), or
                    None when it was refused
    error           None, or the domain exception the same single credit() / debit() would have
                    raised (e.g. InsufficientBalance), with its code and message; its detail holds
                    only "code", "error" and "item", as the batch returns no per-item facts
    """

    item: int
    transaction_id: int | None
    error: WalletsError | None

    @property
    def ok(self) -> bool:
        """True when the item was posted (or replayed)."""
        return self.error is None


def record_row(cls: type[R]) -> RowFactory[R]:
    """A psycopg row factory building `cls` from each row, matching columns to fields by name
    and ignoring columns `cls` lacks."""
    known = {f.name for f in dataclasses.fields(cls)}

    # The cursor is psycopg's BaseCursor (sync or async), which psycopg does not export publicly.
    def factory(cursor: Any) -> RowMaker[R]:
        columns = [column.name for column in cursor.description or ()]
        wanted = [(index, name) for index, name in enumerate(columns) if name in known]

        def make(values: Sequence[Any]) -> R:
            return cls(**{name: values[index] for index, name in wanted})

        return make

    return factory
