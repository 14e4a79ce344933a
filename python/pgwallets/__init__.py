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
from pgwallets.ledger import AsyncLedger, Ledger
from pgwallets.models import Transaction, Wallet

__all__ = [
    "ERRORS",
    "AsyncLedger",
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
    "Transaction",
    "UnknownOperation",
    "UnknownProduct",
    "Wallet",
    "WalletNotFound",
    "WalletsError",
    "translate_errors",
]
