"""The `pgwallets` command line."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import IO, Any, TypeVar

import click
import psycopg
from psycopg import sql

from pgwallets import cluster, demo as demo_story
from pgwallets.errors import WalletNotFound, WalletsError
from pgwallets.ledger import Ledger
from pgwallets.models import Balances, Hold, Transaction, Transfer, Wallet
from pgwallets.tables import cell, format_table

DEMO_DATABASE = "pgwallets_demo"


@click.group()
def main() -> None:
    """pgwallets: a credits and wallets ledger inside PostgreSQL."""


@main.group()
def db() -> None:
    """The project-local PostgreSQL cluster (skipped when DATABASE_URL is set)."""


@db.command("start")
def db_start() -> None:
    """Create the local cluster if needed and start it; a running cluster is reused."""
    if os.environ.get("DATABASE_URL"):
        click.echo("DATABASE_URL is set: using that server, no local cluster")
        return
    local = cluster.local_cluster()
    try:
        local.start()
    except cluster.ClusterError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"running: {local.server_url()} (data in {local.data})")


@db.command("stop")
def db_stop() -> None:
    """Stop the local cluster."""
    local = cluster.local_cluster()
    click.echo("stopped" if local.stop() else "not running")


@db.command("status")
def db_status() -> None:
    """Say whether the local cluster runs, and where."""
    if os.environ.get("DATABASE_URL"):
        click.echo("DATABASE_URL is set: using that server")
        return
    local = cluster.local_cluster()
    if local.is_running():
        click.echo(f"running: {local.server_url()} (data in {local.data})")
    else:
        click.echo("not running")
        sys.exit(3)


@db.command("url")
@click.option("--database", "dbname", default=None, help="Another database on the same server.")
def db_url(dbname: str | None) -> None:
    """Print the connection string of the server (or of one of its databases)."""
    url = cluster.server_url()
    click.echo(cluster.database_url(dbname, url) if dbname else url)


@main.command()
@click.option("--database", "dbname", default="pgwallets", show_default=True, help="Database to deploy into.")
@click.option("--fresh", is_flag=True, help="Drop and recreate the database first.")
def deploy(dbname: str, fresh: bool) -> None:
    """Create the database if needed and deploy pgwallets into it with `sqitch deploy --verify`."""
    url = ensure_database(dbname, fresh=fresh)
    sqitch_deploy(url)


def sqitch_deploy(url: str) -> None:
    """`sqitch deploy --verify` into the database at `url`, run from the project folder."""
    result = subprocess.run(["sqitch", "deploy", "--verify", cluster.sqitch_target(url)], cwd=cluster.project_root())
    if result.returncode != 0:
        raise click.ClickException(f"sqitch deploy failed with exit code {result.returncode}")


def ensure_database(dbname: str, fresh: bool = False) -> str:
    """Create `dbname` on the server unless it exists (recreate it when fresh) and return its URL."""
    server = cluster.server_url()
    name = sql.Identifier(dbname)
    with psycopg.connect(server, autocommit=True) as conn:
        if fresh:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,)).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(name))
    return cluster.database_url(dbname, server)


# --- Ledger commands -----------------------------------------------------------------------------

F = TypeVar("F", bound=Callable[..., Any])


def database_option(command: F) -> F:
    """--database NAME (env PGWALLETS_DATABASE) for the commands that talk to the ledger."""
    return click.option(
        "--database", "dbname", metavar="NAME", default="pgwallets", show_default=True, envvar="PGWALLETS_DATABASE",
        help="Database holding pgwallets, on the server of DATABASE_URL (else the local cluster); "
             "env PGWALLETS_DATABASE.",
    )(command)


def asset_option(command: F) -> F:
    return click.option("--asset", default="credits", show_default=True, help="Asset of the wallet.")(command)


class DomainError(click.ClickException):
    """A WLxxx error, shown as `error WL001 insufficient_balance: message`, exit status 1."""

    exit_code = 1

    def __init__(self, error: WalletsError) -> None:
        super().__init__(error.message)
        self.error = error

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"error {self.error.summary()}", err=True, file=file)


@contextmanager
def ledger_session(dbname: str) -> Iterator[tuple[Ledger, psycopg.Connection[Any]]]:
    """A ledger and one connection for one command: every call passes conn=, so a command is one
    transaction, committed when it succeeds (the ledger's own pool is never opened)."""
    try:
        url = cluster.database_url(dbname)
    except cluster.ClusterError as error:
        raise click.ClickException(str(error)) from error
    try:
        conn = psycopg.connect(url)
    except psycopg.OperationalError as error:
        raise click.ClickException(f"cannot connect to database {dbname!r}: {error}") from error
    try:
        with conn, Ledger(url) as ledger:
            yield ledger, conn
    except WalletsError as error:
        raise DomainError(error) from error
    except (psycopg.errors.InvalidSchemaName, psycopg.errors.UndefinedFunction) as error:
        raise click.ClickException(
            f"{error.diag.message_primary} (is pgwallets deployed in database {dbname!r}? "
            f"try `pgwallets deploy --database {dbname}`)") from error
    except psycopg.Error as error:
        raise click.ClickException(f"database error: {error.diag.message_primary or error}") from error


def parse_metadata(value: str | None) -> Any:
    """--metadata: any JSON; the database insists on an object (error WL012)."""
    if value is None:
        return None
    try:
        return json.loads(value)
    except ValueError as error:
        raise click.BadParameter(f"not JSON: {error}", param_hint="--metadata") from error


_DURATION_PART = re.compile(r"(\d+)([wdhms])")
_DURATION_UNITS = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes", "s": "seconds"}


def parse_duration(value: str) -> timedelta:
    """'30d', '12h', '1d12h', '90m', '2w', '45s'."""
    text = value.strip().lower()
    if not text or _DURATION_PART.sub("", text):
        raise click.BadParameter(f"{value!r} is not a duration like 30d, 12h or 1d12h", param_hint="--expires-in")
    delta = timedelta()
    for number, unit in _DURATION_PART.findall(text):
        delta += timedelta(**{_DURATION_UNITS[unit]: int(number)})
    return delta


def parse_timestamp(value: str) -> datetime:
    """ISO 8601; a timestamp without a zone is UTC."""
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError as error:
        raise click.BadParameter(f"{value!r} is not an ISO 8601 timestamp", param_hint="--expires-at") from error
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


def parse_expiry(expires_at: str | None, expires_in: str | None) -> datetime | None:
    """--expires-at / --expires-in (not both) as a timestamp, or None."""
    if expires_at and expires_in:
        raise click.UsageError("give --expires-at or --expires-in, not both")
    if expires_in:
        return datetime.now(timezone.utc) + parse_duration(expires_in)
    return parse_timestamp(expires_at) if expires_at else None


def require_wallet(ledger: Ledger, conn: psycopg.Connection[Any], owner: str, asset: str) -> Wallet:
    wallet = ledger.find_wallet(owner, asset, conn=conn)
    if wallet is None:
        raise WalletNotFound(f"{owner} has no {asset} wallet", {"owner": owner, "asset": asset})
    return wallet


TRANSACTION_COLUMNS = ["id", "created_at", "category", "amount", "balance_before", "balance_after", "priority",
                       "expires_at", "idempotency_key", "metadata"]


def transaction_rows(entries: list[Transaction]) -> list[tuple[Any, ...]]:
    return [(t.id, t.created_at, t.category, t.amount, t.balance_before, t.balance_after, t.priority, t.expires_at,
             t.idempotency_key, t.metadata) for t in entries]


HOLD_COLUMNS = ["id", "wallet_id", "amount", "captured_amount", "status", "expires_at", "created_at", "closed_at",
                "idempotency_key", "metadata"]


def hold_rows(holds: list[Hold]) -> list[tuple[Any, ...]]:
    return [(h.id, h.wallet_id, h.amount, h.captured_amount, h.status, h.expires_at, h.created_at, h.closed_at,
             h.idempotency_key, h.metadata) for h in holds]


def balances_line(figures: Balances) -> str:
    return f"posted: {figures.posted}, held: {figures.held}, available: {figures.available}"


def transfer_legs(ledger: Ledger, conn: psycopg.Connection[Any], wallet_id: int, moved: Transfer) -> list[Transaction]:
    """The entries of `moved` on one of its wallets, oldest first. They are contiguous in the
    wallet's history (a transfer locks both wallets) and usually the newest entries; the scan stops
    after them, or at entries older than the transfer (a replayed transfer with no leg here)."""
    found: list[Transaction] = []
    before: int | None = None
    page_size = 100
    while True:
        page = ledger.history(wallet_id, before_id=before, limit=page_size, conn=conn)
        for entry in page:
            if entry.transfer_id == moved.id:
                found.append(entry)
            elif found or entry.created_at < moved.created_at:
                return found[::-1]
        if len(page) < page_size:
            return found[::-1]
        before = page[-1].id


@main.group()
def wallet() -> None:
    """Look at wallets."""


@wallet.command("show")
@click.argument("owner")
@database_option
def wallet_show(owner: str, dbname: str) -> None:
    """Every wallet of OWNER: posted (live credits minus debits), held (reserved by active holds)
    and available (spendable: posted minus held)."""
    with ledger_session(dbname) as (ledger, conn):
        wallets = ledger.wallets_of(owner, conn=conn)
        if not wallets:
            click.echo(f"{owner} has no wallets")
            return
        rows = []
        for w in wallets:
            figures = ledger.balances(w.id, conn=conn)
            rows.append((w.id, w.asset, figures.posted, figures.held, figures.available, w.debt, w.allow_negative,
                         w.metadata, w.created_at))
    click.echo(format_table(["id", "asset", "posted", "held", "available", "debt", "allow_negative", "metadata",
                             "created_at"], rows, title=f"wallets of {owner}"))


@main.command()
@click.argument("owner")
@click.argument("amount", type=int)
@asset_option
@click.option("--category", default="credit", show_default=True, help="Category of the entry.")
@click.option("--expires-at", help="Expiry, ISO 8601 (UTC unless a zone is given).")
@click.option("--expires-in", help="Expiry from now: 30d, 12h, 1d12h, 90m, 2w. A retry recomputes it, so "
                                   "with --idempotency-key prefer --expires-at.")
@click.option("--priority", type=int, default=50, show_default=True, help="Draw-down priority, 0 (first) to 100.")
@click.option("--idempotency-key", help="Posting again with this key replays the first entry.")
@click.option("--metadata", help="JSON object stored with the entry.")
@database_option
def credit(owner: str, amount: int, asset: str, category: str, expires_at: str | None, expires_in: str | None,
           priority: int, idempotency_key: str | None, metadata: str | None, dbname: str) -> None:
    """Add AMOUNT credits to OWNER's wallet, opening it if needed."""
    expiry = parse_expiry(expires_at, expires_in)
    extra = parse_metadata(metadata)
    with ledger_session(dbname) as (ledger, conn):
        target = ledger.open_wallet(owner, asset, conn=conn)
        entry = ledger.credit(target.id, amount, category=category, expires_at=expiry, metadata=extra,
                              idempotency_key=idempotency_key, priority=priority, conn=conn)
    click.echo(format_table(TRANSACTION_COLUMNS, transaction_rows([entry]),
                            title=f"credited {owner} / {target.asset} (wallet {target.id})"))
    click.echo(f"balance: {entry.balance_after}")


@main.command()
@click.argument("owner")
@click.argument("amount", type=int)
@asset_option
@click.option("--category", default="debit", show_default=True, help="Category of the entry.")
@click.option("--idempotency-key", help="Posting again with this key replays the first entry.")
@click.option("--metadata", help="JSON object stored with the entry.")
@database_option
def debit(owner: str, amount: int, asset: str, category: str, idempotency_key: str | None, metadata: str | None,
          dbname: str) -> None:
    """Spend AMOUNT credits from OWNER's wallet."""
    extra = parse_metadata(metadata)
    with ledger_session(dbname) as (ledger, conn):
        target = require_wallet(ledger, conn, owner, asset)
        entry = ledger.debit(target.id, amount, category=category, metadata=extra, idempotency_key=idempotency_key,
                             conn=conn)
    click.echo(format_table(TRANSACTION_COLUMNS, transaction_rows([entry]),
                            title=f"debited {owner} / {target.asset} (wallet {target.id})"))
    click.echo(f"balance: {entry.balance_after}")


@main.command()
@click.argument("from_owner")
@click.argument("to_owner")
@click.argument("amount", type=int)
@asset_option
@click.option("--policy", "expiration_policy", type=click.Choice(["preserve", "none", "fixed"]),
              help="Expiry of the credits received: preserve (keep the expiries of the credits drawn; the default "
                   "without an expiry), none (never expire) or fixed (the expiry given; the default with one).")
@click.option("--expires-at", help="Expiry of the credits received (policy fixed), ISO 8601 (UTC unless a zone is "
                                   "given).")
@click.option("--expires-in", help="Expiry of the credits received (policy fixed) from now: 30d, 12h, 1d12h.")
@click.option("--category", default="transfer", show_default=True, help="Category of the transfer.")
@click.option("--idempotency-key", help="Sending again with this key (on the sender) replays the first transfer.")
@click.option("--metadata", help="JSON object stored with the transfer and its legs.")
@database_option
def transfer(from_owner: str, to_owner: str, amount: int, asset: str, expiration_policy: str | None,
             expires_at: str | None, expires_in: str | None, category: str, idempotency_key: str | None,
             metadata: str | None, dbname: str) -> None:
    """Move AMOUNT credits from FROM_OWNER's wallet to TO_OWNER's (opened if needed)."""
    expiry = parse_expiry(expires_at, expires_in)
    extra = parse_metadata(metadata)
    with ledger_session(dbname) as (ledger, conn):
        sender = require_wallet(ledger, conn, from_owner, asset)
        receiver = ledger.open_wallet(to_owner, asset, conn=conn)
        moved = ledger.transfer(sender.id, receiver.id, amount, category=category,
                                expiration_policy=expiration_policy, expires_at=expiry, metadata=extra,
                                idempotency_key=idempotency_key, conn=conn)
        rows = [(owner, t.id, t.category, t.amount, t.balance_before, t.balance_after, t.expires_at)
                for owner, wallet_id in ((from_owner, sender.id), (to_owner, receiver.id))
                for t in transfer_legs(ledger, conn, wallet_id, moved)]
        sent, received = ledger.balances(sender.id, conn=conn), ledger.balances(receiver.id, conn=conn)
    click.echo(format_table(
        ["owner", "id", "category", "amount", "balance_before", "balance_after", "expires_at"], rows,
        title=f"transfer {moved.id}: {moved.amount} {moved.asset} from {from_owner} (wallet {sender.id}) to "
              f"{to_owner} (wallet {receiver.id}), policy {moved.expiration_policy}"
              + (f" until {cell(moved.expires_at)}" if moved.expires_at else "")))
    click.echo(f"available: {from_owner} {sent.available}, {to_owner} {received.available}")


@main.command()
@click.argument("owner")
@click.argument("amount", type=int)
@asset_option
@click.option("--expires-in", help="Capture or release before: 30m, 2h, 1d (default: 15 minutes).")
@click.option("--expires-at", help="Capture or release before this time, ISO 8601 (UTC unless a zone is given).")
@click.option("--idempotency-key", help="Holding again with this key returns the first hold.")
@click.option("--metadata", help="JSON object stored with the hold.")
@database_option
def hold(owner: str, amount: int, asset: str, expires_in: str | None, expires_at: str | None,
         idempotency_key: str | None, metadata: str | None, dbname: str) -> None:
    """Reserve AMOUNT credits of OWNER's wallet for work that finishes later (capture or release it)."""
    expiry = parse_expiry(expires_at, expires_in)
    extra = parse_metadata(metadata)
    with ledger_session(dbname) as (ledger, conn):
        target = require_wallet(ledger, conn, owner, asset)
        reserved = ledger.hold(target.id, amount, expires_at=expiry, metadata=extra, idempotency_key=idempotency_key,
                               conn=conn)
        figures = ledger.balances(target.id, conn=conn)
    click.echo(format_table(HOLD_COLUMNS, hold_rows([reserved.hold]),
                            title=f"hold {reserved.id} on {owner} / {target.asset} (wallet {target.id})"))
    click.echo(balances_line(figures))


@main.command()
@click.argument("hold_id", type=int)
@click.argument("amount", type=int, required=False)
@click.option("--category", default="debit", show_default=True, help="Category of the debit.")
@click.option("--metadata", help="JSON object stored with the debit.")
@database_option
def capture(hold_id: int, amount: int | None, category: str, metadata: str | None, dbname: str) -> None:
    """Debit AMOUNT (default: all) of hold HOLD_ID; the rest goes back to the wallet."""
    extra = parse_metadata(metadata)
    with ledger_session(dbname) as (ledger, conn):
        entry = ledger.capture(hold_id, amount, category=category, metadata=extra, conn=conn)
        figures = ledger.balances(entry.wallet_id, conn=conn)
    click.echo(format_table(TRANSACTION_COLUMNS, transaction_rows([entry]),
                            title=f"captured {-entry.amount} of hold {hold_id} on {figures.owner} / {figures.asset} "
                                  f"(wallet {entry.wallet_id})"))
    click.echo(balances_line(figures))


@main.command()
@click.argument("hold_id", type=int)
@database_option
def release(hold_id: int, dbname: str) -> None:
    """Cancel hold HOLD_ID: its credits go back to the wallet."""
    with ledger_session(dbname) as (ledger, conn):
        released = ledger.release(hold_id, conn=conn)
        figures = ledger.balances(released.wallet_id, conn=conn)
    click.echo(format_table(HOLD_COLUMNS, hold_rows([released]),
                            title=f"released hold {hold_id} on {figures.owner} / {figures.asset} "
                                  f"(wallet {released.wallet_id})"))
    click.echo(balances_line(figures))


@main.command()
@click.argument("owner")
@asset_option
@click.option("--limit", type=int, default=20, show_default=True, help="At most this many entries.")
@click.option("--before-id", type=int, help="Only entries older than this transaction id (next page).")
@database_option
def history(owner: str, asset: str, limit: int, before_id: int | None, dbname: str) -> None:
    """OWNER's ledger entries, newest first."""
    with ledger_session(dbname) as (ledger, conn):
        target = require_wallet(ledger, conn, owner, asset)
        entries = ledger.history(target.id, before_id=before_id, limit=limit, conn=conn)
        balance = ledger.balance(target.id, conn=conn)
    click.echo(format_table(TRANSACTION_COLUMNS, transaction_rows(entries),
                            title=f"history of {owner} / {target.asset} (wallet {target.id}), newest first"))
    click.echo(f"balance: {balance}")


@main.command("demo")
def demo_command() -> None:
    """Recreate the database pgwallets_demo, deploy it with sqitch and tell a short story."""
    url = ensure_database(DEMO_DATABASE, fresh=True)
    sqitch_deploy(url)
    click.echo(f"pgwallets demo: database {DEMO_DATABASE} deployed")
    demo_story.run(url, click.echo)


@main.command("bench")
@click.option("--duration", type=click.IntRange(min=1), default=None, metavar="SECONDS",
              help="Seconds per pgbench run (default 10).")
@click.option("--clients", default=None, metavar="N[,N]", help="Client counts (default 1,8,32).")
@click.option("--only", default=None, metavar="NAME[,NAME]",
              help="Run only these scenarios (the two baselines always run): raw_update, ledger_write, credit, "
                   "debit, debit_3_buckets, transfer, hold_capture, debit_idempotent, balance, debit_many, "
                   "debit_buckets, balance_entries, expire_due, bytes_per_op.")
@click.option("--smoke", is_flag=True,
              help="Prove the harness works: every scenario once, 1 client, 1 second, small loads; "
                   "writes to a temporary folder unless --output is given, never into bench/results.")
@click.option("--output", type=click.Path(file_okay=False, path_type=Path), default=None, metavar="DIR",
              help="Folder for latest.json, latest.txt, machine.json and throughput.png (default bench/results).")
@click.option("--rounds", type=click.IntRange(min=0), default=None, metavar="N",
              help="Rounds of paired runs (an operation and its reference back to back) behind each throughput "
                   "target (default 3; 0: read the targets from the table's runs).")
def bench_command(duration: int | None, clients: str | None, only: str | None, smoke: bool,
                  output: Path | None, rounds: int | None) -> None:
    """Benchmark pgwallets with pgbench in a throwaway database on the server (DATABASE_URL's, else
    the local cluster), against a raw UPDATE and a minimal ledger write measured in the same run."""
    from pgwallets import bench

    if smoke and (duration is not None or clients is not None or rounds is not None):
        raise click.UsageError("--smoke runs 1 client for 1 second and one round of pairs: no --duration, "
                               "--clients or --rounds")
    try:
        options = bench.Options(
            duration=1 if smoke else duration or bench.DEFAULT_DURATION,
            clients=(1,) if smoke else bench.parse_clients(clients) if clients else bench.DEFAULT_CLIENTS,
            only=bench.parse_only(only) if only else None,
            smoke=smoke,
            output=output,
            rounds=1 if smoke else bench.DEFAULT_ROUNDS if rounds is None else rounds,
        )
    except ValueError as error:
        raise click.BadParameter(str(error)) from error
    try:
        status = bench.run(options, click.echo)
    except (bench.BenchError, cluster.ClusterError) as error:
        raise click.ClickException(str(error)) from error
    sys.exit(status)


@main.command("bench-instructions")
@click.option("--smoke", is_flag=True,
              help="Prove the harness works: loops of 10 and 40 operations; writes nothing unless --output is given.")
@click.option("--output", type=click.Path(file_okay=False, path_type=Path), default=None, metavar="DIR",
              help="Folder for instructions.json and instructions.txt (default bench/results).")
def bench_instructions_command(smoke: bool, output: Path | None) -> None:
    """Count the CPU instructions each core operation costs (valgrind's callgrind, a single-user
    backend on a throwaway cluster), against the minimal ledger write counted in the same run:
    repeatable to the instruction, unlike timings on a shared machine."""
    from pgwallets import instructions

    try:
        status = instructions.run(instructions.Options(smoke=smoke, output=output), click.echo)
    except (instructions.InstructionsError, cluster.ClusterError) as error:
        raise click.ClickException(str(error)) from error
    sys.exit(status)
