"""The migrations and the canonical SQL agree: sqitch deploys what sql/install.sql builds,
deploy scripts are current copies of sql/, and reverting to zero leaves nothing behind."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable

import psycopg

from conftest import ROOT, install
from pgwallets.cluster import sqitch_target


def sqitch(*args: str) -> None:
    subprocess.run(["sqitch", *args], cwd=ROOT, check=True, capture_output=True, text=True)


def schema_dump(url: str) -> str:
    dump = subprocess.run(
        ["pg_dump", "--schema-only", "--schema=wallets", "-d", url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    # Drop comments, blank lines and pg_dump's per-run \restrict keys: what is left is the schema
    # itself, grants and owners included.
    lines = [line for line in dump.splitlines() if line.strip() and not line.startswith(("--", "\\restrict", "\\unrestrict"))]
    return "\n".join(lines)


def test_sqitch_deploy_equals_install_sql(make_database: Callable[[str], str]) -> None:
    by_sqitch = make_database("pgwallets_sqitch")
    by_install = make_database("pgwallets_install")
    sqitch("deploy", "--verify", sqitch_target(by_sqitch))
    install(by_install)

    sqitch_schema, install_schema = schema_dump(by_sqitch), schema_dump(by_install)
    assert "CREATE FUNCTION wallets.debit" in install_schema
    assert sqitch_schema == install_schema


def test_deploy_scripts_are_current_copies_of_sql() -> None:
    result = subprocess.run([str(ROOT / "scripts" / "sqitch-change"), "--check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    for script in (ROOT / "deploy").rglob("*.sql"):
        assert not re.search(r"^\\i", script.read_text(), re.MULTILINE), f"{script} includes files at deploy time"


def test_revert_to_zero_leaves_no_wallets_objects(make_database: Callable[[str], str]) -> None:
    url = make_database("pgwallets_revert")
    target = sqitch_target(url)
    sqitch("deploy", "--verify", target)
    sqitch("revert", "-y", target)
    with psycopg.connect(url) as conn:
        leftovers = conn.execute(
            """
            SELECT 'schema ' || nspname FROM pg_namespace WHERE nspname = 'wallets'
            UNION ALL
            SELECT 'relation ' || oid::regclass::text FROM pg_class WHERE relname IN ('wallets', 'transactions', 'allocations', 'buckets')
                AND relnamespace <> 'sqitch'::regnamespace
            UNION ALL
            SELECT 'function ' || oid::regprocedure::text FROM pg_proc WHERE pronamespace::regnamespace::text = 'wallets'
            UNION ALL
            SELECT 'database grant' FROM pg_database, aclexplode(datacl) a
                WHERE datname = current_database() AND a.grantee::regrole::text = 'wallets_owner'
            """
        ).fetchall()
    assert leftovers == []
    # Deploying again after a full revert works.
    sqitch("deploy", "--verify", target)


def test_reverting_the_newest_change_restores_the_schema_before_it(make_database: Callable[[str], str]) -> None:
    """Each change's generated revert script brings back exactly the schema of the change before."""
    changes = [line.split()[0] for line in (ROOT / "sqitch.plan").read_text().splitlines()
               if line and not line.startswith(("%", "@", "#"))]
    previous, newest = changes[-2], changes[-1]
    url = make_database("pgwallets_rework")
    target = sqitch_target(url)
    sqitch("deploy", "--verify", "--to", previous, target)
    before = schema_dump(url)
    sqitch("deploy", "--verify", target)
    assert schema_dump(url) != before, f"{newest} changes nothing"
    sqitch("revert", "-y", "--to", previous, target)
    assert schema_dump(url) == before
