"""The client: `Ledger` (psycopg, sync) and `AsyncLedger` (asyncio), one method per SQL function.

Every method is one statement, one round trip, calling the function in named notation with bound
parameters. The statements, their parameters and how rows become results live once, in the
`Call` builders below; the two ledgers only differ in how they run a `Call`.

Holds: `hold()` returns a `ReservedHold` (`AsyncReservedHold`) whose capture() and release() call
back into the ledger; `reserve()` is a context manager around one: hold on enter, capture on a
normal exit (all, or what `settle()` set), release on an exception. Each of those is again one
statement.

Connections: pass `conn=` to run on your connection inside your transaction; the ledger then
never commits or rolls back (after a domain error your transaction is aborted, as after any SQL
error: roll it back). Without `conn=`, the ledger takes a connection from its pool, and the
statement commits when it succeeds.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import psycopg
from psycopg.pq import TransactionStatus
from psycopg.rows import RowFactory, tuple_row
from psycopg.types.json import Jsonb
from psycopg_pool import AsyncConnectionPool, ConnectionPool

from pgwallets.errors import ERRORS, HoldNotActive, InvalidAmount, WalletNotFound, WalletsError, translate_errors
from pgwallets.models import (
    Balances,
    BatchResult,
    CreditItem,
    DebitItem,
    Hold,
    Transaction,
    Transfer,
    Wallet,
    record_row,
)

if TYPE_CHECKING:
    from typing_extensions import LiteralString, Self

__all__ = ["AsyncLedger", "AsyncReservedHold", "Call", "Ledger", "ReservedHold", "calls"]

T = TypeVar("T")
Row = TypeVar("Row")
C = TypeVar("C", psycopg.Connection[Any], psycopg.AsyncConnection[Any])


# --- Calls: statement text, bound parameters and result shape, shared by both ledgers ---------

@dataclass(frozen=True, slots=True)
class Call(Generic[T]):
    """One round trip: a fixed statement, its bound parameters, the row factory building each row
    and the function shaping the fetched rows into the method's result."""

    query: LiteralString
    params: Mapping[str, Any]
    row_factory: RowFactory[Any]
    shape: Callable[[list[Any]], T]


def _single(rows: list[Row]) -> Row:
    if len(rows) != 1:
        raise psycopg.ProgrammingError(f"expected one row, got {len(rows)}")
    return rows[0]


def _optional(rows: list[Row]) -> Row | None:
    return rows[0] if rows else None


def _rows(rows: list[Row]) -> list[Row]:
    return rows


def _scalar(rows: list[tuple[Any, ...]]) -> int:
    return int(_single(rows)[0])


def _pairs(rows: list[tuple[Any, ...]]) -> list[tuple[int, str]]:
    return [(row[0], row[1]) for row in rows]


def _jsonb(value: Mapping[str, Any] | None) -> Jsonb:
    # A non-mapping is passed through so the database, not the client, rejects it (WL012).
    return Jsonb(dict(value) if isinstance(value, Mapping) else ({} if value is None else value))


def _item_error(item: int, code: str, message: str, detail: dict[str, Any] | None) -> WalletsError:
    # A refused item of a batch: the exception its single call would raise, with the same detail
    # (the batch returns it per item) plus the item number.
    cls = ERRORS.get(code)
    facts = {**(detail or {"code": code}), "item": item}
    if cls is None:
        return WalletsError(message, facts, code=code, name=str(facts.get("error", "unknown")))
    return cls(message, facts)


def _batch_results(rows: list[tuple[Any, ...]]) -> list[BatchResult]:
    return [BatchResult(item, transaction_id, None if code is None else _item_error(item, code, message or "", detail))
            for item, transaction_id, code, message, detail in rows]


def _balances_of(wallet_id: int) -> Callable[[list[Balances]], Balances]:
    # The view has no row for a wallet that does not exist: raise what wallets.balance() raises.
    def shape(rows: list[Balances]) -> Balances:
        if not rows:
            raise WalletNotFound(f"wallet {wallet_id} does not exist",
                                 {"code": WalletNotFound.code, "error": WalletNotFound.name, "wallet_id": wallet_id})
        return _single(rows)

    return shape


_WALLET = record_row(Wallet)
_TRANSACTION = record_row(Transaction)
_TRANSFER = record_row(Transfer)
_HOLD = record_row(Hold)
_BALANCES = record_row(Balances)


class calls:  # noqa: N801 - a namespace of Call builders, read as `calls.debit(...)`
    """Builders of the `Call` each ledger method makes. Defaults live in the methods' signatures
    and mirror the SQL defaults; every argument is always bound, so the text never varies."""

    @staticmethod
    def open_wallet(owner: str, asset: str, allow_negative: bool, metadata: Mapping[str, Any] | None) -> Call[Wallet]:
        return Call(
            "SELECT * FROM wallets.open_wallet(owner => %(owner)s::text, asset => %(asset)s::text,"
            " allow_negative => %(allow_negative)s::boolean, metadata => %(metadata)s::jsonb)",
            {"owner": owner, "asset": asset, "allow_negative": allow_negative, "metadata": _jsonb(metadata)},
            _WALLET,
            _single,
        )

    @staticmethod
    def find_wallet(owner: str, asset: str) -> Call[Wallet | None]:
        # find_wallet returns an all-NULL row when there is no wallet: filter it out here.
        return Call(
            "SELECT * FROM wallets.find_wallet(owner => %(owner)s::text, asset => %(asset)s::text) AS w"
            " WHERE w.id IS NOT NULL",
            {"owner": owner, "asset": asset},
            _WALLET,
            _optional,
        )

    @staticmethod
    def wallets_of(owner: str) -> Call[list[Wallet]]:
        return Call(
            "SELECT * FROM wallets.owner_wallets(owner => %(owner)s::text) AS w ORDER BY w.asset",
            {"owner": owner},
            _WALLET,
            _rows,
        )

    @staticmethod
    def credit(wallet_id: int, amount: int, category: str, expires_at: datetime | None,
               metadata: Mapping[str, Any] | None, idempotency_key: str | None, priority: int) -> Call[Transaction]:
        return Call(
            "SELECT * FROM wallets.credit(wallet_id => %(wallet_id)s::bigint, amount => %(amount)s::bigint,"
            " category => %(category)s::text, expires_at => %(expires_at)s::timestamptz,"
            " metadata => %(metadata)s::jsonb, idempotency_key => %(idempotency_key)s::text,"
            " priority => %(priority)s::integer)",
            {"wallet_id": wallet_id, "amount": amount, "category": category, "expires_at": expires_at,
             "metadata": _jsonb(metadata), "idempotency_key": idempotency_key, "priority": priority},
            _TRANSACTION,
            _single,
        )

    @staticmethod
    def debit(wallet_id: int, amount: int, category: str, metadata: Mapping[str, Any] | None,
              idempotency_key: str | None) -> Call[Transaction]:
        return Call(
            "SELECT * FROM wallets.debit(wallet_id => %(wallet_id)s::bigint, amount => %(amount)s::bigint,"
            " category => %(category)s::text, metadata => %(metadata)s::jsonb,"
            " idempotency_key => %(idempotency_key)s::text)",
            {"wallet_id": wallet_id, "amount": amount, "category": category, "metadata": _jsonb(metadata),
             "idempotency_key": idempotency_key},
            _TRANSACTION,
            _single,
        )

    @staticmethod
    def credit_many(items: Sequence[CreditItem], atomic: bool) -> Call[list[BatchResult]]:
        # One statement whatever the batch: item i is the i-th entry of every array.
        return Call(
            "SELECT r.item, r.transaction_id, r.error_code, r.error_message, r.error_detail"
            " FROM wallets.credit_many(wallet_ids => %(wallet_ids)s::bigint[], amounts => %(amounts)s::bigint[],"
            " categories => %(categories)s::text[], expires_at => %(expires_at)s::timestamptz[],"
            " metadata => %(metadata)s::jsonb[], idempotency_keys => %(idempotency_keys)s::text[],"
            " priorities => %(priorities)s::integer[], atomic => %(atomic)s::boolean) AS r ORDER BY r.item",
            {"wallet_ids": [i.wallet_id for i in items], "amounts": [i.amount for i in items],
             "categories": [i.category for i in items], "expires_at": [i.expires_at for i in items],
             "metadata": [_jsonb(i.metadata) for i in items],
             "idempotency_keys": [i.idempotency_key for i in items], "priorities": [i.priority for i in items],
             "atomic": atomic},
            tuple_row,
            _batch_results,
        )

    @staticmethod
    def debit_many(items: Sequence[DebitItem], atomic: bool) -> Call[list[BatchResult]]:
        return Call(
            "SELECT r.item, r.transaction_id, r.error_code, r.error_message, r.error_detail"
            " FROM wallets.debit_many(wallet_ids => %(wallet_ids)s::bigint[], amounts => %(amounts)s::bigint[],"
            " categories => %(categories)s::text[], metadata => %(metadata)s::jsonb[],"
            " idempotency_keys => %(idempotency_keys)s::text[], atomic => %(atomic)s::boolean) AS r ORDER BY r.item",
            {"wallet_ids": [i.wallet_id for i in items], "amounts": [i.amount for i in items],
             "categories": [i.category for i in items], "metadata": [_jsonb(i.metadata) for i in items],
             "idempotency_keys": [i.idempotency_key for i in items], "atomic": atomic},
            tuple_row,
            _batch_results,
        )

    @staticmethod
    def balance(wallet_id: int) -> Call[int]:
        return Call(
            "SELECT wallets.balance(wallet_id => %(wallet_id)s::bigint)",
            {"wallet_id": wallet_id},
            tuple_row,
            _scalar,
        )

    @staticmethod
    def history(wallet_id: int, before_id: int | None, limit: int) -> Call[list[Transaction]]:
        return Call(
            "SELECT * FROM wallets.history(wallet_id => %(wallet_id)s::bigint, before_id => %(before_id)s::bigint,"
            " max_rows => %(max_rows)s::integer) AS t ORDER BY t.id DESC",
            {"wallet_id": wallet_id, "before_id": before_id, "max_rows": limit},
            _TRANSACTION,
            _rows,
        )

    @staticmethod
    def expire_due(batch_size: int) -> Call[int]:
        return Call(
            "SELECT wallets.expire_due(batch_size => %(batch_size)s::integer)",
            {"batch_size": batch_size},
            tuple_row,
            _scalar,
        )

    @staticmethod
    def check(wallet_id: int | None) -> Call[list[tuple[int, str]]]:
        return Call(
            "SELECT c.wallet_id, c.problem FROM wallets.check(wallet_id => %(wallet_id)s::bigint) AS c",
            {"wallet_id": wallet_id},
            tuple_row,
            _pairs,
        )

    @staticmethod
    def transfer(from_wallet_id: int, to_wallet_id: int, amount: int, category: str, expiration_policy: str | None,
                 expires_at: datetime | None, metadata: Mapping[str, Any] | None,
                 idempotency_key: str | None) -> Call[Transfer]:
        return Call(
            "SELECT * FROM wallets.transfer(from_wallet_id => %(from_wallet_id)s::bigint,"
            " to_wallet_id => %(to_wallet_id)s::bigint, amount => %(amount)s::bigint, category => %(category)s::text,"
            " expiration_policy => %(expiration_policy)s::text, expires_at => %(expires_at)s::timestamptz,"
            " metadata => %(metadata)s::jsonb, idempotency_key => %(idempotency_key)s::text)",
            {"from_wallet_id": from_wallet_id, "to_wallet_id": to_wallet_id, "amount": amount, "category": category,
             "expiration_policy": expiration_policy, "expires_at": expires_at, "metadata": _jsonb(metadata),
             "idempotency_key": idempotency_key},
            _TRANSFER,
            _single,
        )

    @staticmethod
    def hold(wallet_id: int, amount: int, expires_at: datetime | None, metadata: Mapping[str, Any] | None,
             idempotency_key: str | None) -> Call[Hold]:
        return Call(
            "SELECT * FROM wallets.hold(wallet_id => %(wallet_id)s::bigint, amount => %(amount)s::bigint,"
            " expires_at => %(expires_at)s::timestamptz, metadata => %(metadata)s::jsonb,"
            " idempotency_key => %(idempotency_key)s::text)",
            {"wallet_id": wallet_id, "amount": amount, "expires_at": expires_at, "metadata": _jsonb(metadata),
             "idempotency_key": idempotency_key},
            _HOLD,
            _single,
        )

    @staticmethod
    def capture(hold_id: int, amount: int | None, category: str,
                metadata: Mapping[str, Any] | None) -> Call[Transaction]:
        return Call(
            "SELECT * FROM wallets.capture(hold_id => %(hold_id)s::bigint, amount => %(amount)s::bigint,"
            " category => %(category)s::text, metadata => %(metadata)s::jsonb)",
            {"hold_id": hold_id, "amount": amount, "category": category, "metadata": _jsonb(metadata)},
            _TRANSACTION,
            _single,
        )

    @staticmethod
    def release(hold_id: int) -> Call[Hold]:
        return Call(
            "SELECT * FROM wallets.release(hold_id => %(hold_id)s::bigint)",
            {"hold_id": hold_id},
            _HOLD,
            _single,
        )

    @staticmethod
    def void_credit(transaction_id: int, reason: str | None) -> Call[Transaction]:
        return Call(
            "SELECT * FROM wallets.void_credit(transaction_id => %(transaction_id)s::bigint, reason => %(reason)s::text)",
            {"transaction_id": transaction_id, "reason": reason},
            _TRANSACTION,
            _single,
        )

    @staticmethod
    def set_expiry(transaction_id: int, expires_at: datetime | None) -> Call[Transaction]:
        return Call(
            "SELECT * FROM wallets.set_expiry(transaction_id => %(transaction_id)s::bigint,"
            " expires_at => %(expires_at)s::timestamptz)",
            {"transaction_id": transaction_id, "expires_at": expires_at},
            _TRANSACTION,
            _single,
        )

    @staticmethod
    def reverse_debit(transaction_id: int, amount: int | None, reason: str | None) -> Call[list[Transaction]]:
        return Call(
            "SELECT * FROM wallets.reverse_debit(transaction_id => %(transaction_id)s::bigint,"
            " amount => %(amount)s::bigint, reason => %(reason)s::text) AS t ORDER BY t.id",
            {"transaction_id": transaction_id, "amount": amount, "reason": reason},
            _TRANSACTION,
            _rows,
        )

    @staticmethod
    def balances(wallet_id: int) -> Call[Balances]:
        return Call(
            "SELECT * FROM wallets.balances AS b WHERE b.wallet_id = %(wallet_id)s::bigint",
            {"wallet_id": wallet_id},
            _BALANCES,
            _balances_of(wallet_id),
        )


def _execute(conn: psycopg.Connection[Any], call: Call[T]) -> T:
    with conn.cursor(row_factory=call.row_factory) as cursor:
        cursor.execute(call.query, call.params)
        return call.shape(cursor.fetchall())


async def _execute_async(conn: psycopg.AsyncConnection[Any], call: Call[T]) -> T:
    async with conn.cursor(row_factory=call.row_factory) as cursor:
        await cursor.execute(call.query, call.params)
        return call.shape(await cursor.fetchall())


def _choose_source(dsn: str | None, pool: object | None) -> None:
    if (dsn is None) == (pool is None):
        raise TypeError("pass either a DSN or pool=, not both")


# --- Hold handles --------------------------------------------------------------------------------

def _usable(conn: psycopg.Connection[Any] | psycopg.AsyncConnection[Any] | None) -> bool:
    """False when the caller's transaction is aborted: a release there cannot run, and the
    caller's rollback discards the hold anyway."""
    return conn is None or conn.info.transaction_status != TransactionStatus.INERROR


def _note(error: BaseException, text: str) -> None:
    if sys.version_info >= (3, 11):
        error.add_note(text)


class _HoldHandle(Generic[C]):
    """What ReservedHold and AsyncReservedHold share: the hold as last seen, the connection it was
    made on, the defaults of its capture and the amount reserve() settles on exit."""

    def __init__(self, hold: Hold, conn: C | None, category: str) -> None:
        self._hold = hold
        self._conn: C | None = conn
        self._captured: Transaction | None = None
        self._settle: int | None = None
        self.category = category
        """Category of a capture made through the handle (reserve()'s category; 'debit' from hold())."""

    @property
    def hold(self) -> Hold:
        """The hold as this handle last saw it: the row hold() returned, updated by the handle's own
        capture() (status captured, captured_amount, closed_at) and release()."""
        return self._hold

    @property
    def id(self) -> int:
        return self._hold.id

    @property
    def wallet_id(self) -> int:
        return self._hold.wallet_id

    @property
    def amount(self) -> int:
        """The amount reserved."""
        return self._hold.amount

    @property
    def status(self) -> str:
        return self._hold.status

    @property
    def active(self) -> bool:
        return self._hold.status == "active"

    @property
    def conn(self) -> C | None:
        """The connection the hold was made on (None: the ledger's pool); capture() and release()
        default to it."""
        return self._conn

    @property
    def captured(self) -> Transaction | None:
        """The debit the handle's capture() posted, else None."""
        return self._captured

    @property
    def settled(self) -> int | None:
        """The amount reserve() captures on a normal exit, set by settle(); None: all of it."""
        return self._settle

    def settle(self, amount: int) -> None:
        """Inside `with ledger.reserve(...)`: capture `amount` (0 to the amount reserved) instead
        of the whole hold when the block ends normally; 0 releases the hold. Call it again to change
        the amount; the rest of the hold goes back to the wallet at exit."""
        if isinstance(amount, bool) or not isinstance(amount, int) or not 0 <= amount <= self.amount:
            raise InvalidAmount(
                f"hold {self.id} on wallet {self.wallet_id} holds {self.amount}, cannot settle {amount!r}",
                {"code": InvalidAmount.code, "error": InvalidAmount.name, "hold_id": self.id,
                 "wallet_id": self.wallet_id, "held": self.amount, "amount": amount})
        self._settle = amount

    def _connection(self, conn: C | None) -> C | None:
        return conn if conn is not None else self._conn

    def _capture_defaults(self, category: str | None,
                          metadata: Mapping[str, Any] | None) -> tuple[str, Mapping[str, Any]]:
        return (category if category is not None else self.category,
                metadata if metadata is not None else self._hold.metadata)

    def _did_capture(self, entry: Transaction) -> Transaction:
        # capture() closes the hold at the instant of its debit: no second round trip to read it.
        self._hold = dataclasses.replace(self._hold, status="captured", captured_amount=-entry.amount,
                                         closed_at=entry.created_at)
        self._captured = entry
        return entry

    def _did_release(self, hold: Hold) -> Hold:
        self._hold = hold
        return hold

    def _not_active(self, error: HoldNotActive) -> None:
        # Captured or released elsewhere, or expired: remember it, so reserve() does not retry.
        status = error.detail.get("status")
        if isinstance(status, str) and status != "active":
            self._hold = dataclasses.replace(self._hold, status=status)

    def _exit_amount(self) -> int | None:
        """What a normal exit of reserve() captures: None (the whole hold) or the settled amount;
        0 means release."""
        return self._settle

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(id={self.id}, wallet_id={self.wallet_id}, amount={self.amount}, "
                f"status={self.status!r})")


class ReservedHold(_HoldHandle[psycopg.Connection[Any]]):
    """A hold made by Ledger.hold() or Ledger.reserve(): the `Hold` row as `.hold` (plus `.id`,
    `.amount`, `.status`), and capture() / release() calling back into its ledger."""

    def __init__(self, ledger: Ledger, hold: Hold, conn: psycopg.Connection[Any] | None,
                 category: str = "debit") -> None:
        super().__init__(hold, conn, category)
        self._ledger = ledger

    def capture(self, amount: int | None = None, *, category: str | None = None,
                metadata: Mapping[str, Any] | None = None,
                conn: psycopg.Connection[Any] | None = None) -> Transaction:
        """Debit `amount` (None: all) of the hold and release the rest. category defaults to the
        handle's (reserve()'s, else 'debit'), metadata to the hold's; conn to the hold's connection."""
        category, metadata = self._capture_defaults(category, metadata)
        try:
            entry = self._ledger.capture(self.id, amount, category=category, metadata=metadata,
                                         conn=self._connection(conn))
        except HoldNotActive as error:
            self._not_active(error)
            raise
        return self._did_capture(entry)

    def release(self, *, conn: psycopg.Connection[Any] | None = None) -> Hold:
        """Give the reserved credits back to the wallet; conn defaults to the hold's connection."""
        try:
            return self._did_release(self._ledger.release(self.id, conn=self._connection(conn)))
        except HoldNotActive as error:
            self._not_active(error)
            raise

    def _finish(self) -> None:
        if not self.active:
            return
        amount = self._exit_amount()
        try:
            if amount == 0:
                self.release()
            else:
                self.capture(amount)
        except BaseException as error:
            self._abandon(error)
            raise

    def _abandon(self, error: BaseException) -> None:
        # Releasing is a courtesy (an abandoned hold expires by itself): never hide `error`.
        if not self.active or not _usable(self._conn):
            return
        try:
            self.release()
        except Exception as failure:  # noqa: BLE001
            _note(error, f"pgwallets: releasing hold {self.id} failed too: {failure!r}")


class AsyncReservedHold(_HoldHandle[psycopg.AsyncConnection[Any]]):
    """`ReservedHold` for AsyncLedger: capture() and release() are awaitable."""

    def __init__(self, ledger: AsyncLedger, hold: Hold, conn: psycopg.AsyncConnection[Any] | None,
                 category: str = "debit") -> None:
        super().__init__(hold, conn, category)
        self._ledger = ledger

    async def capture(self, amount: int | None = None, *, category: str | None = None,
                      metadata: Mapping[str, Any] | None = None,
                      conn: psycopg.AsyncConnection[Any] | None = None) -> Transaction:
        category, metadata = self._capture_defaults(category, metadata)
        try:
            entry = await self._ledger.capture(self.id, amount, category=category, metadata=metadata,
                                               conn=self._connection(conn))
        except HoldNotActive as error:
            self._not_active(error)
            raise
        return self._did_capture(entry)

    async def release(self, *, conn: psycopg.AsyncConnection[Any] | None = None) -> Hold:
        try:
            return self._did_release(await self._ledger.release(self.id, conn=self._connection(conn)))
        except HoldNotActive as error:
            self._not_active(error)
            raise

    async def _finish(self) -> None:
        if not self.active:
            return
        amount = self._exit_amount()
        try:
            if amount == 0:
                await self.release()
            else:
                await self.capture(amount)
        except BaseException as error:
            await self._abandon(error)
            raise

    async def _abandon(self, error: BaseException) -> None:
        if not self.active or not _usable(self._conn):
            return
        try:
            await self.release()
        except Exception as failure:  # noqa: BLE001
            _note(error, f"pgwallets: releasing hold {self.id} failed too: {failure!r}")


# --- Sync ----------------------------------------------------------------------------------------

class Ledger:
    """The pgwallets ledger over a DSN (the ledger opens, lazily, and closes its own pool) or over
    your `psycopg_pool.ConnectionPool` (used as is, never closed by the ledger)."""

    def __init__(self, dsn: str | None = None, *, pool: ConnectionPool[Any] | None = None,
                 min_size: int = 1, max_size: int = 10) -> None:
        _choose_source(dsn, pool)
        self._owns_pool = pool is None
        self._pool: ConnectionPool[Any] = pool if pool is not None else ConnectionPool(
            dsn or "", min_size=min_size, max_size=max_size, open=False, name="pgwallets")
        self._opened = not self._owns_pool

    @property
    def pool(self) -> ConnectionPool[Any]:
        return self._pool

    def close(self) -> None:
        """Close the pool if the ledger made it; a pool passed in stays open."""
        if self._owns_pool:
            self._opened = True  # a closed ledger never reopens its pool
            self._pool.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    @contextmanager
    def _pooled(self) -> Iterator[psycopg.Connection[Any]]:
        if not self._opened:
            self._pool.open()  # idempotent and thread-safe
            self._opened = True
        with self._pool.connection() as conn:  # commits on success, rolls back on error
            yield conn

    def _run(self, call: Call[T], conn: psycopg.Connection[Any] | None) -> T:
        with translate_errors():
            if conn is not None:
                return _execute(conn, call)
            with self._pooled() as pooled:
                return _execute(pooled, call)

    def open_wallet(self, owner: str, asset: str = "credits", *, allow_negative: bool = False,
                    metadata: Mapping[str, Any] | None = None, conn: psycopg.Connection[Any] | None = None) -> Wallet:
        """Get or create the wallet of (owner, asset); allow_negative and metadata apply on creation only."""
        return self._run(calls.open_wallet(owner, asset, allow_negative, metadata), conn)

    def find_wallet(self, owner: str, asset: str = "credits", *,
                    conn: psycopg.Connection[Any] | None = None) -> Wallet | None:
        """The wallet of (owner, asset), or None."""
        return self._run(calls.find_wallet(owner, asset), conn)

    def wallets_of(self, owner: str, *, conn: psycopg.Connection[Any] | None = None) -> list[Wallet]:
        """Every wallet of an owner, ordered by asset."""
        return self._run(calls.wallets_of(owner), conn)

    def credit(self, wallet_id: int, amount: int, *, category: str = "credit", expires_at: datetime | None = None,
               metadata: Mapping[str, Any] | None = None, idempotency_key: str | None = None, priority: int = 50,
               conn: psycopg.Connection[Any] | None = None) -> Transaction:
        """Add a bucket of credits (expiring at expires_at, None: never; drawn by priority, 0 first)."""
        return self._run(calls.credit(wallet_id, amount, category, expires_at, metadata, idempotency_key, priority), conn)

    def debit(self, wallet_id: int, amount: int, *, category: str = "debit", metadata: Mapping[str, Any] | None = None,
              idempotency_key: str | None = None, conn: psycopg.Connection[Any] | None = None) -> Transaction:
        """Spend credits; the returned transaction has a negative amount."""
        return self._run(calls.debit(wallet_id, amount, category, metadata, idempotency_key), conn)

    def credit_many(self, items: Sequence[CreditItem], *, atomic: bool = False,
                    conn: psycopg.Connection[Any] | None = None) -> list[BatchResult]:
        """Post many credits in one statement, in order; one BatchResult per item. A refused item
        gets its error (the exception credit() would raise) and undoes nothing else; with
        atomic=True the first refused item raises instead (its message starts "item N: ", its
        detail has "item") and nothing is written."""
        return self._run(calls.credit_many(items, atomic), conn)

    def debit_many(self, items: Sequence[DebitItem], *, atomic: bool = False,
                   conn: psycopg.Connection[Any] | None = None) -> list[BatchResult]:
        """Post many debits in one statement (e.g. a metering pipeline's usage events), as
        credit_many(): one BatchResult per item, or with atomic=True all or nothing."""
        return self._run(calls.debit_many(items, atomic), conn)

    def balance(self, wallet_id: int, *, conn: psycopg.Connection[Any] | None = None) -> int:
        """The spendable balance now (buckets past expiry no longer count, swept or not)."""
        return self._run(calls.balance(wallet_id), conn)

    def history(self, wallet_id: int, *, before_id: int | None = None, limit: int = 100,
                conn: psycopg.Connection[Any] | None = None) -> list[Transaction]:
        """Transactions newest first; pass the last id seen as before_id for the next page."""
        return self._run(calls.history(wallet_id, before_id, limit), conn)

    def transfer(self, from_wallet_id: int, to_wallet_id: int, amount: int, *, category: str = "transfer",
                 expiration_policy: str | None = None, expires_at: datetime | None = None,
                 metadata: Mapping[str, Any] | None = None, idempotency_key: str | None = None,
                 conn: psycopg.Connection[Any] | None = None) -> Transfer:
        """Move credits to another wallet of the same asset. expiration_policy: 'preserve' (default
        without expires_at: the receiver's credits keep the expiries of those drawn), 'none' (never
        expire) or 'fixed' (default with expires_at). The key belongs to the sending wallet."""
        return self._run(calls.transfer(from_wallet_id, to_wallet_id, amount, category, expiration_policy, expires_at,
                                        metadata, idempotency_key), conn)

    def hold(self, wallet_id: int, amount: int, *, expires_at: datetime | None = None,
             metadata: Mapping[str, Any] | None = None, idempotency_key: str | None = None,
             conn: psycopg.Connection[Any] | None = None) -> ReservedHold:
        """Reserve credits until expires_at (None: 15 minutes from now); returns a handle to
        capture() or release() them. The handle's calls default to this conn."""
        return ReservedHold(self, self._run(calls.hold(wallet_id, amount, expires_at, metadata, idempotency_key), conn),
                            conn)

    def capture(self, hold_id: int, amount: int | None = None, *, category: str = "debit",
                metadata: Mapping[str, Any] | None = None, conn: psycopg.Connection[Any] | None = None) -> Transaction:
        """Debit amount (None: all) of an active hold and release the rest; returns the debit."""
        return self._run(calls.capture(hold_id, amount, category, metadata), conn)

    def release(self, hold_id: int, *, conn: psycopg.Connection[Any] | None = None) -> Hold:
        """Cancel an active hold: its credits return to the wallet. Returns the released hold."""
        return self._run(calls.release(hold_id), conn)

    @contextmanager
    def reserve(self, wallet_id: int, amount: int, *, expires_at: datetime | None = None,
                metadata: Mapping[str, Any] | None = None, category: str = "debit",
                conn: psycopg.Connection[Any] | None = None) -> Iterator[ReservedHold]:
        """`with ledger.reserve(wallet_id, 100) as hold:` holds on enter; a normal exit captures the
        whole hold (or what `hold.settle(amount)` set; 0 releases) as a debit of `category` with the
        hold's metadata; an exception releases the hold and propagates. A hold the block captured or
        released itself (through the handle) is left alone.

        Without conn=, hold, capture and release each commit on their own, so nothing is locked
        while the block runs. With conn=, they all run in your transaction."""
        handle = ReservedHold(self, self._run(calls.hold(wallet_id, amount, expires_at, metadata, None), conn),
                              conn, category)
        try:
            yield handle
        except BaseException as error:
            handle._abandon(error)
            raise
        handle._finish()

    def void_credit(self, transaction_id: int, *, reason: str | None = None,
                    conn: psycopg.Connection[Any] | None = None) -> Transaction:
        """Cancel what is left of a credit (a 'void' entry); credits reserved by holds stay."""
        return self._run(calls.void_credit(transaction_id, reason), conn)

    def set_expiry(self, transaction_id: int, expires_at: datetime | None, *,
                   conn: psycopg.Connection[Any] | None = None) -> Transaction:
        """Move what is left of a credit to a new expiry (None: never); returns the new credit."""
        return self._run(calls.set_expiry(transaction_id, expires_at), conn)

    def reverse_debit(self, transaction_id: int, amount: int | None = None, *, reason: str | None = None,
                      conn: psycopg.Connection[Any] | None = None) -> list[Transaction]:
        """Give back all (None) or part of a debit to the buckets it drew from; returns the
        reversal credits, oldest bucket first."""
        return self._run(calls.reverse_debit(transaction_id, amount, reason), conn)

    def balances(self, wallet_id: int, *, conn: psycopg.Connection[Any] | None = None) -> Balances:
        """posted, held and available (= balance()) of a wallet, from the view wallets.balances."""
        return self._run(calls.balances(wallet_id), conn)

    def expire_due(self, batch_size: int = 10000, *, conn: psycopg.Connection[Any] | None = None) -> int:
        """Post expiration entries for up to batch_size due buckets; returns how many."""
        return self._run(calls.expire_due(batch_size), conn)

    def check(self, wallet_id: int | None = None, *,
              conn: psycopg.Connection[Any] | None = None) -> list[tuple[int, str]]:
        """(wallet_id, problem) for every inconsistency found; empty when the ledger is sound."""
        return self._run(calls.check(wallet_id), conn)


# --- Async ---------------------------------------------------------------------------------------

class AsyncLedger:
    """`Ledger` for asyncio, over a DSN (own `AsyncConnectionPool`, opened on first use) or your
    `psycopg_pool.AsyncConnectionPool`."""

    def __init__(self, dsn: str | None = None, *, pool: AsyncConnectionPool[Any] | None = None,
                 min_size: int = 1, max_size: int = 10) -> None:
        _choose_source(dsn, pool)
        self._owns_pool = pool is None
        self._pool: AsyncConnectionPool[Any] = pool if pool is not None else AsyncConnectionPool(
            dsn or "", min_size=min_size, max_size=max_size, open=False, name="pgwallets")
        self._opened = not self._owns_pool

    @property
    def pool(self) -> AsyncConnectionPool[Any]:
        return self._pool

    async def close(self) -> None:
        """Close the pool if the ledger made it; a pool passed in stays open."""
        if self._owns_pool:
            self._opened = True
            await self._pool.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.close()

    @asynccontextmanager
    async def _pooled(self) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
        if not self._opened:
            await self._pool.open()
            self._opened = True
        async with self._pool.connection() as conn:
            yield conn

    async def _run(self, call: Call[T], conn: psycopg.AsyncConnection[Any] | None) -> T:
        with translate_errors():
            if conn is not None:
                return await _execute_async(conn, call)
            async with self._pooled() as pooled:
                return await _execute_async(pooled, call)

    async def open_wallet(self, owner: str, asset: str = "credits", *, allow_negative: bool = False,
                          metadata: Mapping[str, Any] | None = None,
                          conn: psycopg.AsyncConnection[Any] | None = None) -> Wallet:
        return await self._run(calls.open_wallet(owner, asset, allow_negative, metadata), conn)

    async def find_wallet(self, owner: str, asset: str = "credits", *,
                          conn: psycopg.AsyncConnection[Any] | None = None) -> Wallet | None:
        return await self._run(calls.find_wallet(owner, asset), conn)

    async def wallets_of(self, owner: str, *, conn: psycopg.AsyncConnection[Any] | None = None) -> list[Wallet]:
        return await self._run(calls.wallets_of(owner), conn)

    async def credit(self, wallet_id: int, amount: int, *, category: str = "credit",
                     expires_at: datetime | None = None, metadata: Mapping[str, Any] | None = None,
                     idempotency_key: str | None = None, priority: int = 50,
                     conn: psycopg.AsyncConnection[Any] | None = None) -> Transaction:
        return await self._run(
            calls.credit(wallet_id, amount, category, expires_at, metadata, idempotency_key, priority), conn)

    async def debit(self, wallet_id: int, amount: int, *, category: str = "debit",
                    metadata: Mapping[str, Any] | None = None, idempotency_key: str | None = None,
                    conn: psycopg.AsyncConnection[Any] | None = None) -> Transaction:
        return await self._run(calls.debit(wallet_id, amount, category, metadata, idempotency_key), conn)

    async def credit_many(self, items: Sequence[CreditItem], *, atomic: bool = False,
                          conn: psycopg.AsyncConnection[Any] | None = None) -> list[BatchResult]:
        return await self._run(calls.credit_many(items, atomic), conn)

    async def debit_many(self, items: Sequence[DebitItem], *, atomic: bool = False,
                         conn: psycopg.AsyncConnection[Any] | None = None) -> list[BatchResult]:
        return await self._run(calls.debit_many(items, atomic), conn)

    async def balance(self, wallet_id: int, *, conn: psycopg.AsyncConnection[Any] | None = None) -> int:
        return await self._run(calls.balance(wallet_id), conn)

    async def history(self, wallet_id: int, *, before_id: int | None = None, limit: int = 100,
                      conn: psycopg.AsyncConnection[Any] | None = None) -> list[Transaction]:
        return await self._run(calls.history(wallet_id, before_id, limit), conn)

    async def transfer(self, from_wallet_id: int, to_wallet_id: int, amount: int, *, category: str = "transfer",
                       expiration_policy: str | None = None, expires_at: datetime | None = None,
                       metadata: Mapping[str, Any] | None = None, idempotency_key: str | None = None,
                       conn: psycopg.AsyncConnection[Any] | None = None) -> Transfer:
        return await self._run(calls.transfer(from_wallet_id, to_wallet_id, amount, category, expiration_policy,
                                              expires_at, metadata, idempotency_key), conn)

    async def hold(self, wallet_id: int, amount: int, *, expires_at: datetime | None = None,
                   metadata: Mapping[str, Any] | None = None, idempotency_key: str | None = None,
                   conn: psycopg.AsyncConnection[Any] | None = None) -> AsyncReservedHold:
        return AsyncReservedHold(
            self, await self._run(calls.hold(wallet_id, amount, expires_at, metadata, idempotency_key), conn), conn)

    async def capture(self, hold_id: int, amount: int | None = None, *, category: str = "debit",
                      metadata: Mapping[str, Any] | None = None,
                      conn: psycopg.AsyncConnection[Any] | None = None) -> Transaction:
        return await self._run(calls.capture(hold_id, amount, category, metadata), conn)

    async def release(self, hold_id: int, *, conn: psycopg.AsyncConnection[Any] | None = None) -> Hold:
        return await self._run(calls.release(hold_id), conn)

    @asynccontextmanager
    async def reserve(self, wallet_id: int, amount: int, *, expires_at: datetime | None = None,
                      metadata: Mapping[str, Any] | None = None, category: str = "debit",
                      conn: psycopg.AsyncConnection[Any] | None = None) -> AsyncIterator[AsyncReservedHold]:
        """`async with ledger.reserve(...) as hold:`, as Ledger.reserve()."""
        handle = AsyncReservedHold(
            self, await self._run(calls.hold(wallet_id, amount, expires_at, metadata, None), conn), conn, category)
        try:
            yield handle
        except BaseException as error:
            await handle._abandon(error)
            raise
        await handle._finish()

    async def void_credit(self, transaction_id: int, *, reason: str | None = None,
                          conn: psycopg.AsyncConnection[Any] | None = None) -> Transaction:
        return await self._run(calls.void_credit(transaction_id, reason), conn)

    async def set_expiry(self, transaction_id: int, expires_at: datetime | None, *,
                         conn: psycopg.AsyncConnection[Any] | None = None) -> Transaction:
        return await self._run(calls.set_expiry(transaction_id, expires_at), conn)

    async def reverse_debit(self, transaction_id: int, amount: int | None = None, *, reason: str | None = None,
                            conn: psycopg.AsyncConnection[Any] | None = None) -> list[Transaction]:
        return await self._run(calls.reverse_debit(transaction_id, amount, reason), conn)

    async def balances(self, wallet_id: int, *, conn: psycopg.AsyncConnection[Any] | None = None) -> Balances:
        return await self._run(calls.balances(wallet_id), conn)

    async def expire_due(self, batch_size: int = 10000, *, conn: psycopg.AsyncConnection[Any] | None = None) -> int:
        return await self._run(calls.expire_due(batch_size), conn)

    async def check(self, wallet_id: int | None = None, *,
                    conn: psycopg.AsyncConnection[Any] | None = None) -> list[tuple[int, str]]:
        return await self._run(calls.check(wallet_id), conn)
