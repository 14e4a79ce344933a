"""pgwallets: a thin psycopg 3 client for the credits/wallets ledger that lives in PostgreSQL."""

from pgwallets.errors import (
    ERRORS,
    HoldNotActive,
    IdempotencyConflict,
    InsufficientBalance,
    InvalidAmount,
    InvalidArgument,
    InvalidExpiration,
    InvalidTransfer,
    LedgerImmutable,
    OperationRejected,
    UnknownOperation,
    UnknownProduct,
    WalletNotFound,
    WalletsError,
    translate_errors,
)
from pgwallets.ledger import AsyncLedger, AsyncReservedHold, Ledger, ReservedHold
from pgwallets.models import Balances, Hold, Transaction, Transfer, Wallet

__all__ = [
    "ERRORS",
    "AsyncLedger",
    "AsyncReservedHold",
    "Balances",
    "Hold",
    "HoldNotActive",
    "IdempotencyConflict",
    "InsufficientBalance",
    "InvalidAmount",
    "InvalidArgument",
    "InvalidExpiration",
    "InvalidTransfer",
    "Ledger",
    "LedgerImmutable",
    "OperationRejected",
    "ReservedHold",
    "Transaction",
    "Transfer",
    "UnknownOperation",
    "UnknownProduct",
    "Wallet",
    "WalletNotFound",
    "WalletsError",
    "translate_errors",
]
