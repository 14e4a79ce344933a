"""The `pgwallets` command line through click's CliRunner, against real databases."""

from __future__ import annotations

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
    assert [c.strip() for c in lines[1].split("|")][:6] == ["id", "asset", "posted", "held", "available", "debt"]
    assert [c.strip() for c in lines[3].split("|")][1:6] == ["credits", "25", "0", "25", "0"]
    assert [c.strip() for c in lines[4].split("|")][1:6] == ["gems", "7", "0", "7", "0"]
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
    assert result.output.strip().endswith("has 10 available, cannot debit 11")

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
        # A preserve transfer: bob's inbound legs keep the expiries of the credits drawn from alice.
        legs = output.split("legs of transfer 1")[1].splitlines()
        assert [[c.strip() for c in line.split("|")][:4] for line in legs[3:6]] == [
            ["alice", "11", "transfer_out", "-80"], ["bob", "12", "transfer_in", "30"],
            ["bob", "13", "transfer_in", "50"]]
        assert legs[4].split("|")[4].strip() and not legs[5].split("|")[4].strip()
        assert "render-1 used 45: leaving the block captured 45" in output
        assert "render-2 failed (GPU worker crashed): the hold was released" in output
        final = output.split("\nwallets.balances\n")[1].splitlines()
        assert [[c.strip() for c in line.split("|")] for line in final[2:4]] == [
            ["alice", "150", "0", "150"], ["bob", "60", "0", "60"]]
        audit = output.split("wallets.check()")[-1]
        assert "(0 rows)" in audit and "No problems" in audit


# --- transfer, hold, capture, release --------------------------------------------------------------

def table_rows(output: str) -> list[list[str]]:
    """The cells of every data row of the first table in `output`."""
    lines = output.splitlines()
    rule = next(i for i, line in enumerate(lines) if line.startswith("---"))
    rows = []
    for line in lines[rule + 1:]:
        if re.fullmatch(r"\(\d+ rows?\)", line):
            break
        rows.append([cell.strip() for cell in line.split("|")])
    return rows


def hold_id_of(output: str) -> str:
    match = re.match(r"hold (\d+) on ", output)
    assert match, output
    return match.group(1)


def test_transfer_preserve_shows_the_legs_with_their_expiries(pgwallets: Invoke, owner: str) -> None:
    sender, receiver = f"{owner}-from", f"{owner}-to"
    assert pgwallets("credit", sender, "30", "--expires-at", "2999-01-01T00:00:00Z").exit_code == 0
    assert pgwallets("credit", sender, "100").exit_code == 0
    result = pgwallets("transfer", sender, receiver, "50", "--idempotency-key", "move-1")
    assert result.exit_code == 0, result.output
    title = result.output.splitlines()[0]
    assert re.fullmatch(rf"transfer \d+: 50 credits from {sender} \(wallet \d+\) to {receiver} "
                        rf"\(wallet \d+\), policy preserve", title), title
    rows = table_rows(result.output)
    assert [row[0:1] + row[2:] for row in rows] == [
        [sender, "transfer_out", "-50", "130", "80", ""],
        [receiver, "transfer_in", "30", "0", "30", "2999-01-01 00:00:00Z"],
        [receiver, "transfer_in", "20", "30", "50", ""],
    ]
    assert result.output.rstrip().endswith(f"available: {sender} 80, {receiver} 50")
    # A replay shows the same transfer and its legs, moving nothing.
    again = pgwallets("transfer", sender, receiver, "50", "--idempotency-key", "move-1")
    assert again.exit_code == 0, again.output
    assert again.output.splitlines()[0] == title and table_rows(again.output) == rows
    assert again.output.rstrip().endswith(f"available: {sender} 80, {receiver} 50")


def test_transfer_policies_and_errors(pgwallets: Invoke, owner: str) -> None:
    sender, receiver = f"{owner}-from", f"{owner}-to"
    pgwallets("credit", sender, "40", "--expires-in", "30d")
    fixed = pgwallets("transfer", sender, receiver, "10", "--expires-at", "2998-06-01T12:00:00Z",
                      "--category", "gift")
    assert fixed.exit_code == 0, fixed.output
    assert "policy fixed until 2998-06-01 12:00:00Z" in fixed.output.splitlines()[0]
    assert table_rows(fixed.output)[1][-1] == "2998-06-01 12:00:00Z"
    never = pgwallets("transfer", sender, receiver, "5", "--policy", "none")
    assert never.exit_code == 0, never.output
    assert "policy none" in never.output and table_rows(never.output)[1][-1] == ""

    short = pgwallets("transfer", sender, receiver, "26")
    assert short.exit_code == 1 and short.output.startswith("error WL001 insufficient_balance:")
    itself = pgwallets("transfer", sender, sender, "1")
    assert itself.exit_code == 1 and itself.output.startswith("error WL004 invalid_transfer:")
    contradiction = pgwallets("transfer", sender, receiver, "1", "--policy", "none", "--expires-in", "1d")
    assert contradiction.exit_code == 1 and contradiction.output.startswith("error WL005 invalid_expiration:")
    nobody = pgwallets("transfer", f"{owner}-nobody", receiver, "1")
    assert nobody.exit_code == 1 and nobody.output.startswith("error WL002 wallet_not_found:")
    gems = pgwallets("transfer", sender, receiver, "1", "--asset", "gems")
    assert gems.exit_code == 1 and gems.output.startswith("error WL002 wallet_not_found:")
    assert pgwallets("transfer", sender, receiver, "1", "--policy", "forever").exit_code == 2
    assert pgwallets("transfer", sender, receiver, "1", "--expires-in", "1d", "--expires-at", "2999-01-01").exit_code == 2
    shown = pgwallets("wallet", "show", receiver)
    assert table_rows(shown.output)[0][1:6] == ["credits", "15", "0", "15", "0"]


def test_hold_capture_and_release(pgwallets: Invoke, owner: str) -> None:
    pgwallets("credit", owner, "100")
    held = pgwallets("hold", owner, "30", "--expires-in", "1h", "--metadata", '{"job": "render-7"}')
    assert held.exit_code == 0, held.output
    first = hold_id_of(held.output)
    row = table_rows(held.output)[0]
    assert row[2:5] == ["30", "0", "active"] and row[-1] == '{"job":"render-7"}'
    assert held.output.rstrip().endswith("posted: 100, held: 30, available: 70")
    shown = pgwallets("wallet", "show", owner)
    assert table_rows(shown.output)[0][1:5] == ["credits", "100", "30", "70"]

    captured = pgwallets("capture", first, "12", "--category", "render")
    assert captured.exit_code == 0, captured.output
    assert captured.output.startswith(f"captured 12 of hold {first} on {owner} / credits")
    assert table_rows(captured.output)[0][2:6] == ["render", "-12", "100", "88"]
    assert captured.output.rstrip().endswith("posted: 88, held: 0, available: 88")
    again = pgwallets("capture", first)
    assert again.exit_code == 1 and again.output.startswith("error WL011 hold_not_active:")

    second = hold_id_of(pgwallets("hold", owner, "50").output)
    whole = pgwallets("capture", second)
    assert whole.exit_code == 0 and table_rows(whole.output)[0][2:4] == ["debit", "-50"]

    third = hold_id_of(pgwallets("hold", owner, "20").output)
    released = pgwallets("release", third)
    assert released.exit_code == 0, released.output
    assert released.output.startswith(f"released hold {third} on {owner} / credits")
    assert table_rows(released.output)[0][2:5] == ["20", "0", "released"]
    assert released.output.rstrip().endswith("posted: 38, held: 0, available: 38")
    assert pgwallets("release", third).output.startswith("error WL011 hold_not_active:")
    history = pgwallets("history", owner)
    assert [row[2] for row in table_rows(history.output)] == ["debit", "render", "credit"]


def test_hold_errors(pgwallets: Invoke, owner: str) -> None:
    pgwallets("credit", owner, "10")
    assert pgwallets("hold", owner, "11").output.startswith("error WL001 insufficient_balance:")
    assert pgwallets("hold", owner, "0").output.startswith("error WL003 invalid_amount:")
    assert pgwallets("hold", owner, "1", "--expires-at", "2001-01-01").output.startswith(
        "error WL005 invalid_expiration:")
    assert pgwallets("hold", f"{owner}-nobody", "1").output.startswith("error WL002 wallet_not_found:")
    assert pgwallets("hold", owner, "1", "--expires-in", "soon").exit_code == 2
    hold_id = hold_id_of(pgwallets("hold", owner, "4").output)
    assert pgwallets("capture", hold_id, "5").output.startswith("error WL003 invalid_amount:")
    assert pgwallets("capture", "999999999").output.startswith("error WL012 invalid_argument:")
    assert pgwallets("release", "999999999").output.startswith("error WL012 invalid_argument:")
    assert pgwallets("capture", "abc").exit_code == 2
