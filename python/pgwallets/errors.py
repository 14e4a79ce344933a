"""Domain errors: one exception class per SQLSTATE WLxxx listed in the view wallets.error_codes.

The SQL functions raise `RAISE EXCEPTION USING ERRCODE = 'WLxxx', MESSAGE = ..., DETAIL = <json>`,
where the JSON carries "code", "error" (the stable name) and the facts of the failure.
`translate_errors()` is the single place where a psycopg error becomes a domain exception.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg

__all__ = [
    "ERRORS",
    "IdempotencyConflict",
    "InsufficientBalance",
    "InvalidAmount",
    "InvalidArgument",
    "InvalidExpiration",
    "InvalidTransfer",
    "HoldNotActive",
    "LedgerImmutable",
    "OperationRejected",
    "UnknownOperation",
    "UnknownProduct",
    "WalletNotFound",
    "WalletsError",
    "from_psycopg",
    "translate_errors",
]


class WalletsError(Exception):
    """A pgwallets domain error (SQLSTATE WLxxx).

    code     the SQLSTATE, e.g. "WL001"
    name     its stable name, e.g. "insufficient_balance"
    message  the human-readable message from the database
    detail   the facts from the JSON DETAIL ({} when absent or not JSON)

    A WLxxx code this client does not know yet arrives as a plain WalletsError carrying the code
    and the name found in the DETAIL.
    """

    code: str = "WL000"
    name: str = "wallets_error"

    def __init__(self, message: str, detail: dict[str, Any] | None = None, *, code: str | None = None,
                 name: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail: dict[str, Any] = dict(detail) if detail else {}
        if code is not None:
            self.code = code
        if name is not None:
            self.name = name

    def __str__(self) -> str:
        return self.message

    def summary(self) -> str:
        """One line: "WL001 insufficient_balance: wallet 1 has 70, cannot debit 1000"."""
        return f"{self.code} {self.name}: {self.message}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r}, detail={self.detail!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        # Keeps detail, code and name across pickling (multiprocessing, task queues).
        return (_rebuild, (type(self), self.message, self.detail, self.code, self.name))


def _rebuild(cls: type[WalletsError], message: str, detail: dict[str, Any], code: str, name: str) -> WalletsError:
    return cls(message, detail, code=code, name=name)


class InsufficientBalance(WalletsError):
    """WL001: the wallet cannot cover the amount."""

    code = "WL001"
    name = "insufficient_balance"


class WalletNotFound(WalletsError):
    """WL002: no wallet has this id."""

    code = "WL002"
    name = "wallet_not_found"


class InvalidAmount(WalletsError):
    """WL003: amounts are whole, positive and within bigint."""

    code = "WL003"
    name = "invalid_amount"


class InvalidTransfer(WalletsError):
    """WL004: the two wallets cannot exchange credits."""

    code = "WL004"
    name = "invalid_transfer"


class InvalidExpiration(WalletsError):
    """WL005: the expiry is in the past or contradicts the policy."""

    code = "WL005"
    name = "invalid_expiration"


class IdempotencyConflict(WalletsError):
    """WL006: the idempotency key was used with other arguments."""

    code = "WL006"
    name = "idempotency_conflict"


class UnknownOperation(WalletsError):
    """WL007: no priced operation has this name."""

    code = "WL007"
    name = "unknown_operation"


class OperationRejected(WalletsError):
    """WL008: the operation's rules refused the call."""

    code = "WL008"
    name = "operation_rejected"


class UnknownProduct(WalletsError):
    """WL009: no product has this name."""

    code = "WL009"
    name = "unknown_product"


class LedgerImmutable(WalletsError):
    """WL010: ledger rows are never updated or deleted."""

    code = "WL010"
    name = "ledger_immutable"


class HoldNotActive(WalletsError):
    """WL011: the hold was already captured, released or expired."""

    code = "WL011"
    name = "hold_not_active"


class InvalidArgument(WalletsError):
    """WL012: an argument is malformed or not allowed."""

    code = "WL012"
    name = "invalid_argument"


ERRORS: dict[str, type[WalletsError]] = {
    cls.code: cls
    for cls in (
        InsufficientBalance,
        WalletNotFound,
        InvalidAmount,
        InvalidTransfer,
        InvalidExpiration,
        IdempotencyConflict,
        UnknownOperation,
        OperationRejected,
        UnknownProduct,
        LedgerImmutable,
        HoldNotActive,
        InvalidArgument,
    )
}
"""SQLSTATE -> exception class, for every code in wallets.error_codes."""


def _parse_detail(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        parsed = json.loads(text)
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def from_psycopg(error: psycopg.Error) -> WalletsError | None:
    """The domain exception for a psycopg error with a WLxxx SQLSTATE, else None."""
    sqlstate = error.sqlstate
    if not sqlstate or not sqlstate.startswith("WL"):
        return None
    detail = _parse_detail(error.diag.message_detail)
    message = error.diag.message_primary or str(error)
    cls = ERRORS.get(sqlstate)
    if cls is None:
        name = detail.get("error")
        return WalletsError(message, detail, code=sqlstate, name=name if isinstance(name, str) else "unknown")
    return cls(message, detail)


@contextmanager
def translate_errors() -> Iterator[None]:
    """Re-raise a WLxxx psycopg error as its domain exception (chained with `from`); any other
    error passes untouched. Works around awaits as well, so both ledgers use it."""
    try:
        yield
    except psycopg.Error as error:
        domain = from_psycopg(error)
        if domain is None:
            raise
        raise domain from error
