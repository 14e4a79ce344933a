"""Domain errors: one class per row of wallets.error_codes, and real SQL errors arriving as them."""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import psycopg
import pytest

import pgwallets
from pgwallets import (
    ERRORS,
    IdempotencyConflict,
    InsufficientBalance,
    InvalidAmount,
    InvalidArgument,
    InvalidExpiration,
    Ledger,
    LedgerImmutable,
    WalletNotFound,
    WalletsError,
    translate_errors,
)


def camel_case(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


@pytest.fixture(scope="module")
def ledger(db_url: str) -> Iterator[Ledger]:
    with Ledger(db_url) as ledger:
        yield ledger


@pytest.fixture
def wallet_id(ledger: Ledger, owner: str) -> int:
    wallet = ledger.open_wallet(owner)
    ledger.credit(wallet.id, 10)
    return wallet.id


def test_every_error_code_has_its_class(db_url: str) -> None:
    with psycopg.connect(db_url) as conn:
        codes = conn.execute("SELECT code, name FROM wallets.error_codes ORDER BY code").fetchall()
    assert len(codes) == 12
    assert {code for code, _ in codes} == set(ERRORS)
    for code, name in codes:
        cls = ERRORS[code]
        assert cls.__name__ == camel_case(name)
        assert (cls.code, cls.name) == (code, name)
        assert issubclass(cls, WalletsError)
        assert getattr(pgwallets, cls.__name__) is cls
        assert cls.__name__ in pgwallets.__all__


def test_insufficient_balance(ledger: Ledger, wallet_id: int) -> None:
    with pytest.raises(InsufficientBalance) as caught:
        ledger.debit(wallet_id, 11)
    error = caught.value
    assert (error.code, error.name) == ("WL001", "insufficient_balance")
    assert error.message == f"wallet {wallet_id} has 10 available, cannot debit 11"
    assert error.detail == {"code": "WL001", "error": "insufficient_balance", "wallet_id": wallet_id,
                            "requested": 11, "available": 10}
    assert str(error) == error.message
    assert error.summary() == f"WL001 insufficient_balance: {error.message}"
    # Chained to the psycopg error it translates.
    assert isinstance(error.__cause__, psycopg.Error)
    assert error.__cause__.sqlstate == "WL001"


def test_wallet_not_found(ledger: Ledger) -> None:
    with pytest.raises(WalletNotFound) as caught:
        ledger.credit(-1, 10)
    assert caught.value.detail == {"code": "WL002", "error": "wallet_not_found", "wallet_id": -1}
    with pytest.raises(WalletNotFound):
        ledger.balance(-1)


@pytest.mark.parametrize("amount", [0, -5])
def test_invalid_amount(ledger: Ledger, wallet_id: int, amount: int) -> None:
    with pytest.raises(InvalidAmount) as caught:
        ledger.credit(wallet_id, amount)
    assert caught.value.detail == {"code": "WL003", "error": "invalid_amount", "wallet_id": wallet_id, "amount": amount}


def test_invalid_expiration(ledger: Ledger, wallet_id: int) -> None:
    past = datetime.now(timezone.utc) - timedelta(days=1)
    with pytest.raises(InvalidExpiration) as caught:
        ledger.credit(wallet_id, 5, expires_at=past)
    detail = caught.value.detail
    assert detail["code"] == "WL005" and detail["wallet_id"] == wallet_id
    assert datetime.fromisoformat(detail["expires_at"]) == past


def test_idempotency_conflict(ledger: Ledger, wallet_id: int) -> None:
    first = ledger.credit(wallet_id, 5, idempotency_key="order-1")
    with pytest.raises(IdempotencyConflict) as caught:
        ledger.credit(wallet_id, 6, idempotency_key="order-1")
    assert caught.value.detail == {"code": "WL006", "error": "idempotency_conflict", "wallet_id": wallet_id,
                                   "idempotency_key": "order-1", "transaction_id": first.id}


@pytest.mark.parametrize("statement, table, operation", [
    ("UPDATE wallets.transactions SET amount = amount WHERE false", "transactions", "UPDATE"),
    ("DELETE FROM wallets.allocations WHERE false", "allocations", "DELETE"),
    ("TRUNCATE wallets.transactions CASCADE", "transactions", "TRUNCATE"),
])
def test_ledger_immutable_even_for_a_superuser(db_url: str, statement: str, table: str, operation: str) -> None:
    with psycopg.connect(db_url) as conn:
        with pytest.raises(LedgerImmutable) as caught, translate_errors():
            conn.execute(statement)
        conn.rollback()
    assert caught.value.detail == {"code": "WL010", "error": "ledger_immutable", "table": table, "operation": operation}


def test_invalid_argument(ledger: Ledger, wallet_id: int, owner: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        ledger.credit(wallet_id, 5, category="Not Valid")
    assert caught.value.detail == {"code": "WL012", "error": "invalid_argument", "wallet_id": wallet_id, "argument": "category",
                                   "value": "Not Valid"}
    with pytest.raises(InvalidArgument) as caught:
        ledger.credit(wallet_id, 5, priority=101)
    assert caught.value.detail["argument"] == "priority"
    with pytest.raises(InvalidArgument) as caught:
        ledger.open_wallet(owner, "1 bad asset")
    assert caught.value.detail["argument"] == "asset"
    with pytest.raises(InvalidArgument):
        ledger.expire_due(0)


def test_other_errors_pass_untouched(db_url: str) -> None:
    with psycopg.connect(db_url) as conn:
        with pytest.raises(psycopg.errors.DivisionByZero), translate_errors():
            conn.execute("SELECT 1 / 0")


def raise_sql_error(db_url: str, code: str, detail: str) -> WalletsError:
    with psycopg.connect(db_url) as conn:
        with pytest.raises(WalletsError) as caught, translate_errors():
            conn.execute(
                "SELECT set_config('test.code', %s, false), set_config('test.detail', %s, false)", (code, detail))
            conn.execute("""
                DO $$ BEGIN
                    RAISE EXCEPTION USING ERRCODE = current_setting('test.code'), MESSAGE = 'something failed',
                                          DETAIL = current_setting('test.detail');
                END $$""")
    return caught.value


def test_an_unknown_wl_code_is_a_plain_wallets_error(db_url: str) -> None:
    error = raise_sql_error(db_url, "WL099", '{"code": "WL099", "error": "future_thing", "fact": 1}')
    assert type(error) is WalletsError
    assert (error.code, error.name, error.message) == ("WL099", "future_thing", "something failed")
    assert error.detail["fact"] == 1


def test_a_detail_that_is_not_json_becomes_empty(db_url: str) -> None:
    error = raise_sql_error(db_url, "WL001", "not json")
    assert type(error) is InsufficientBalance
    assert error.detail == {}


def test_errors_survive_pickling(ledger: Ledger, wallet_id: int) -> None:
    with pytest.raises(InsufficientBalance) as caught:
        ledger.debit(wallet_id, 100)
    copy = pickle.loads(pickle.dumps(caught.value))
    assert type(copy) is InsufficientBalance
    assert (copy.code, copy.name, copy.message, copy.detail) == (
        "WL001", "insufficient_balance", caught.value.message, caught.value.detail)
