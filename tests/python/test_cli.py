"""The `pgwallets` command line through click's CliRunner, against real databases."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator

import pytest
from click.testing import CliRunner, Result
from psycopg.conninfo import conninfo_to_dict

from conftest import ROOT, drop_database
from pgwallets.cli import DEMO_DATABASE, main, parse_duration

Invoke = Callable[..., Result]


def database_name(url: str) -> str:
    return str(conninfo_to_dict(url)["dbname"])


@pytest.fixture(scope="module")
def cli_database(installed_database: Callable[[str], str]) -> str:
    return database_name(installed_database("pgwallets_cli"))


@pytest.fixture
def env(server_url: str, cli_database: str) -> dict[str, str]:
    return {"DATABASE_URL": server_url, "PGWALLETS_DATABASE": cli_database, "PGWALLETS_ROOT": str(ROOT)}


@pytest.fixture
def pgwallets(env: dict[str, str]) -> Invoke:
    runner = CliRunner()

    def invoke(*args: str, extra_env: dict[str, str] | None = None) -> Result:
        return runner.invoke(main, list(args), env={**env, **(extra_env or {})}, catch_exceptions=False)

    return invoke


def first_row(output: str) -> list[str]:
    """The cells of the first data row of the first table in `output`."""
    lines = output.splitlines()
    rule = next(i for i, line in enumerate(lines) if line.startswith("---"))
    return [cell.strip() for cell in lines[rule + 1].split("|")]


def test_credit_opens_the_wallet_and_shows_the_entry(pgwallets: Invoke, owner: str) -> None:
    result = pgwallets("credit", owner, "100", "--category", "signup_bonus", "--expires-in", "30d",
                       "--priority", "10", "--metadata", '{"campaign": "spring"}', "--idempotency-key", "grant-1")
    assert result.exit_code == 0, result.output
    assert f"credited {owner} / credits" in result.output
    assert re.search(r"\|\s+signup_bonus\s+\|\s+100\s+\|\s+0\s+\|\s+100\s+\|\s+10\s+\|", result.output)
    assert '{"campaign":"spring"}' in result.output and "grant-1" in result.output
    assert result.output.rstrip().endswith("balance: 100")
    # The same idempotency key replays the first entry instead of posting again.
    first = pgwallets("credit", owner, "5", "--idempotency-key", "grant-2")
    again = pgwallets("credit", owner, "5", "--idempotency-key", "grant-2")
    assert again.exit_code == 0, again.output
    assert first_row(again.output)[0] == first_row(first.output)[0]
    assert again.output.rstrip().endswith("balance: 105")


def test_wallet_show_lists_every_wallet_with_its_balance(pgwallets: Invoke, owner: str) -> None:
    assert pgwallets("wallet", "show", owner).output.strip() == f"{owner} has no wallets"
    assert pgwallets("credit", owner, "40").exit_code == 0
    assert pgwallets("credit", owner, "7", "--asset", "gems").exit_code == 0
    assert pgwallets("debit", owner, "15").exit_code == 0
    result = pgwallets("wallet", "show", owner)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"wallets of {owner}"
    assert [c.strip() for c in lines[1].split("|")][:4] == ["id", "asset", "balance", "debt"]
    assert [c.strip() for c in lines[3].split("|")][1:4] == ["credits", "25", "0"]
    assert [c.strip() for c in lines[4].split("|")][1:4] == ["gems", "7", "0"]
    assert lines[5] == "(2 rows)"


def test_debit_and_history(pgwallets: Invoke, owner: str) -> None:
    pgwallets("credit", owner, "50", "--category", "purchase")
    result = pgwallets("debit", owner, "20", "--category", "api_calls", "--metadata", '{"calls": 20}')
    assert result.exit_code == 0, result.output
    assert re.search(r"\|\s+api_calls\s+\|\s+-20\s+\|\s+50\s+\|\s+30\s+\|", result.output)
    assert result.output.rstrip().endswith("balance: 30")
    pgwallets("debit", owner, "5")
    history = pgwallets("history", owner, "--limit", "2")
    assert history.exit_code == 0, history.output
    lines = history.output.splitlines()
    assert lines[0].startswith(f"history of {owner} / credits") and "newest first" in lines[0]
    categories = [[c.strip() for c in line.split("|")][2] for line in lines[3:5]]
    assert categories == ["debit", "api_calls"]
    assert lines[5] == "(2 rows)" and lines[6] == "balance: 25"
    everything = pgwallets("history", owner)
    assert "(3 rows)" in everything.output and "purchase" in everything.output


def test_domain_errors_exit_1_with_code_and_name(pgwallets: Invoke, owner: str) -> None:
    pgwallets("credit", owner, "10")
    result = pgwallets("debit", owner, "11")
    assert result.exit_code == 1
    assert result.output.strip().startswith("error WL001 insufficient_balance: wallet ")
    assert result.output.strip().endswith("has 10, cannot debit 11")

    missing = pgwallets("debit", f"{owner}-nobody", "1")
    assert missing.exit_code == 1
    assert missing.output.startswith("error WL002 wallet_not_found:")
    assert pgwallets("history", f"{owner}-nobody").output.startswith("error WL002 wallet_not_found:")

    past = pgwallets("credit", owner, "5", "--expires-at", "2001-01-01T00:00:00Z")
    assert past.exit_code == 1 and past.output.startswith("error WL005 invalid_expiration:")
    not_an_object = pgwallets("credit", owner, "5", "--metadata", "[1, 2]")
    assert not_an_object.exit_code == 1 and not_an_object.output.startswith("error WL012 invalid_argument:")
    # A failed command rolls back as a whole: the wallet it opened is gone too.
    fresh = f"{owner}-fresh"
    assert pgwallets("credit", fresh, "0").output.startswith("error WL003 invalid_amount:")
    assert pgwallets("wallet", "show", fresh).output.strip() == f"{fresh} has no wallets"
    assert "balance: 10" in pgwallets("history", owner).output


def test_bad_options_are_usage_errors(pgwallets: Invoke, owner: str) -> None:
    assert pgwallets("credit", owner, "5", "--expires-in", "3 fortnights").exit_code == 2
    assert pgwallets("credit", owner, "5", "--expires-in", "1d", "--expires-at", "2999-01-01").exit_code == 2
    assert pgwallets("credit", owner, "5", "--metadata", "{not json").exit_code == 2
    assert pgwallets("credit", owner, "5", "--expires-at", "tomorrow").exit_code == 2


def test_parse_duration() -> None:
    assert parse_duration("30d").total_seconds() == 30 * 86400
    assert parse_duration("1d12h").total_seconds() == 36 * 3600
    assert parse_duration("2w").days == 14
    assert parse_duration("90m").total_seconds() == 5400


def test_database_option_beats_the_environment(pgwallets: Invoke, cli_database: str, owner: str) -> None:
    pgwallets("credit", owner, "3")
    elsewhere = {"PGWALLETS_DATABASE": "pgwallets_no_such_database"}
    failed = pgwallets("wallet", "show", owner, extra_env=elsewhere)
    assert failed.exit_code == 1 and "pgwallets_no_such_database" in failed.output
    result = pgwallets("wallet", "show", owner, "--database", cli_database, extra_env=elsewhere)
    assert result.exit_code == 0 and "credits" in result.output


def test_a_database_without_pgwallets_is_explained(pgwallets: Invoke, make_database: Callable[[str], str],
                                                   owner: str) -> None:
    empty = database_name(make_database("pgwallets_cli_empty"))
    result = pgwallets("wallet", "show", owner, "--database", empty)
    assert result.exit_code == 1
    assert f"pgwallets deploy --database {empty}" in result.output


def test_deploy_then_use(pgwallets: Invoke, make_database: Callable[[str], str], owner: str) -> None:
    target = database_name(make_database("pgwallets_cli_deploy"))
    assert pgwallets("deploy", "--database", target).exit_code == 0
    assert pgwallets("credit", owner, "9", "--database", target).exit_code == 0
    assert "balance: 9" in pgwallets("history", owner, "--database", target).output


@pytest.fixture
def demo_database(server_url: str) -> Iterator[None]:
    yield
    drop_database(server_url, DEMO_DATABASE)


def test_demo_runs_twice_in_a_row(pgwallets: Invoke, demo_database: None) -> None:
    for _ in range(2):
        result = pgwallets("demo")
        assert result.exit_code == 0, result.output
        output = result.output
        assert f"database {DEMO_DATABASE} deployed" in output
        assert "error WL001 insufficient_balance" in output
        assert "expire_due() expired 2 buckets" in output
        # The balance drops as soon as the clock passes the expiry, before the sweep.
        before_sweep = output.split("balances before any sweep")[1].splitlines()
        assert [c.strip() for c in before_sweep[3].split("|")] == ["alice", "230", "230", "200"]
        audit = output.split("wallets.check()")[-1]
        assert "(0 rows)" in audit and "No problems" in audit
