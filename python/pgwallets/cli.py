"""The `pgwallets` command line."""

from __future__ import annotations

import os
import subprocess
import sys

import click
import psycopg
from psycopg import sql

from pgwallets import cluster


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
