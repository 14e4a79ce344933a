"""The client: `Ledger` (psycopg, sync) and `AsyncLedger` (asyncio), one method per SQL function.

Every method is one statement, one round trip, calling the function in named notation with bound
parameters. The statements, their parameters and how rows become results live once, in the
`Call` builders below; the two ledgers only differ in how they run a `Call`.

Connections: pass `conn=` to run on your connection inside your transaction; the ledger then
never commits or rolls back (after a domain error your transaction is aborted, as after any SQL
error: roll it back). Without `conn=`, the ledger takes a connection from its pool, and the
statement commits when it succeeds.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import psycopg
from psycopg.rows import RowFactory, tuple_row
from psycopg.types.json import Jsonb
from psycopg_pool import AsyncConnectionPool, ConnectionPool

from pgwallets.errors import translate_errors
from pgwallets.models import Transaction, Wallet, record_row

if TYPE_CHECKING:
    from typing_extensions import LiteralString, Self

__all__ = ["AsyncLedger", "Call", "Ledger", "calls"]

T = TypeVar("T")
Row = TypeVar("Row")


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


_WALLET = record_row(Wallet)
_TRANSACTION = record_row(Transaction)


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

    def balance(self, wallet_id: int, *, conn: psycopg.Connection[Any] | None = None) -> int:
        """The spendable balance now (buckets past expiry no longer count, swept or not)."""
        return self._run(calls.balance(wallet_id), conn)

    def history(self, wallet_id: int, *, before_id: int | None = None, limit: int = 100,
                conn: psycopg.Connection[Any] | None = None) -> list[Transaction]:
        """Transactions newest first; pass the last id seen as before_id for the next page."""
        return self._run(calls.history(wallet_id, before_id, limit), conn)

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

    async def balance(self, wallet_id: int, *, conn: psycopg.AsyncConnection[Any] | None = None) -> int:
        return await self._run(calls.balance(wallet_id), conn)

    async def history(self, wallet_id: int, *, before_id: int | None = None, limit: int = 100,
                      conn: psycopg.AsyncConnection[Any] | None = None) -> list[Transaction]:
        return await self._run(calls.history(wallet_id, before_id, limit), conn)

    async def expire_due(self, batch_size: int = 10000, *, conn: psycopg.AsyncConnection[Any] | None = None) -> int:
        return await self._run(calls.expire_due(batch_size), conn)

    async def check(self, wallet_id: int | None = None, *,
                    conn: psycopg.AsyncConnection[Any] | None = None) -> list[tuple[int, str]]:
        return await self._run(calls.check(wallet_id), conn)
