"""Fixtures: a real PostgreSQL server (DATABASE_URL, else the project-local cluster) and
throwaway databases built from sql/install.sql. Tests isolate themselves with unique owners,
since the ledger is append-only and cannot be truncated."""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import psycopg
import pytest

from pgwallets import Ledger
from pgwallets.cluster import database_url, server_url as resolve_server_url

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def server_url() -> str:
    return resolve_server_url()


def create_database(server: str, name: str) -> str:
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(psycopg.sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(psycopg.sql.Identifier(name)))
        conn.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(name)))
    return database_url(name, server)


def drop_database(server: str, name: str) -> None:
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(psycopg.sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(psycopg.sql.Identifier(name)))


def install(url: str) -> None:
    subprocess.run(
        ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-f", str(ROOT / "sql" / "install.sql")],
        check=True,
        capture_output=True,
        text=True,
    )


@pytest.fixture(scope="session")
def make_database(server_url: str) -> Iterator[Callable[[str], str]]:
    """Create an empty database (dropped after the session) and return its URL."""
    created: list[str] = []

    def make(prefix: str) -> str:
        name = f"{prefix}_{uuid.uuid4().hex[:8]}"
        created.append(name)
        return create_database(server_url, name)

    yield make
    for name in created:
        drop_database(server_url, name)


@pytest.fixture(scope="session")
def db_url(make_database: Callable[[str], str]) -> str:
    """A database with pgwallets installed from sql/install.sql, shared by the session."""
    url = make_database("pgwallets_pytest")
    install(url)
    return url


@pytest.fixture(scope="module")
def ledger(db_url: str) -> Iterator[Ledger]:
    """A Ledger over the session database."""
    with Ledger(db_url) as ledger:
        yield ledger


def database_now(url: str) -> datetime:
    """The ledger clock as the database reads it."""
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT wallets.now()").fetchone()
    assert row is not None
    return row[0]  # type: ignore[no-any-return]


@pytest.fixture
def owner() -> str:
    """An owner name no other test uses."""
    return f"owner-{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="session")
def installed_database(make_database: Callable[[str], str]) -> Callable[[str], str]:
    """Create a database (dropped after the session), install pgwallets from sql/install.sql
    into it and return its URL."""

    def make(prefix: str) -> str:
        url = make_database(prefix)
        install(url)
        return url

    return make
