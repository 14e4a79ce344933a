"""Instruction counts per operation: the harness behind `pgwallets bench-instructions`.

pgbench's figures on a shared 2-core machine move by 10-20 % from run to run, which hides any
change smaller than that. This harness counts the CPU instructions a PostgreSQL backend executes
per operation instead, with valgrind's callgrind: the same count for the same code and data on
any run, whatever else the machine is doing, so a change of 1 % shows.

It builds a throwaway cluster in a temporary folder (initdb; no TCP listener), installs pgwallets
from sql/install.sql and the baselines from bench/setup.sql, loads 10,000 wallets with one bucket
each and stops the server. Each scenario then runs in a single-user backend (`postgres --single`)
on a fresh copy of that data directory, under callgrind, collecting only inside a DO block that
calls the operation in a loop and commits after each call, as pgbench's clients do. Two loop
lengths give the marginal count per operation, (count(long) - count(short)) / (long - short), so
start-up, compilation and first-call planning drop out. The minimal ledger write of the pgbench
harness is the baseline: `vs minimal write` is its count over the operation's (higher is better,
like the throughput ratios). Counts include the per-transaction work of PL/pgSQL and of the
commit, not the client round trip, the WAL flush or waiting for locks: what a CPU-bound uniform
load pays per operation, not what a hot wallet's lock holder waits for.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from pgwallets import bench, cluster

__all__ = ["Options", "Scenario", "SCENARIOS", "InstructionsError", "run", "marginal", "read_callgrind_total"]

WALLETS = 10_000
#: Database name inside the throwaway cluster.
DATABASE = "pgwallets_instructions"


class InstructionsError(RuntimeError):
    """The harness could not run (valgrind missing, a scenario failed)."""


@dataclass(frozen=True)
class Scenario:
    name: str
    #: PL/pgSQL statements run once per loop iteration, `i` the iteration number; each operation
    #: commits, as a pgbench transaction does.
    body: str
    description: str
    #: The operation this one is a floor of (the same rows without the ledger's logic).
    floor_of: str | None = None


#: The pgbench scenarios' operations, uniform over the 10,000 wallets, and their floors.
SCENARIOS: tuple[Scenario, ...] = (
    Scenario("ledger_write", "PERFORM bench.ledger_write(1 + i % 10000, 1); COMMIT;",
             "baseline: minimal ledger write (UPDATE + INSERT in a SQL function)"),
    Scenario("credit", "PERFORM wallets.credit(1 + i % 10000, 1); COMMIT;", "wallets.credit"),
    Scenario("debit", "PERFORM wallets.debit(1 + i % 10000, 1); COMMIT;", "wallets.debit drawing from one bucket"),
    Scenario("transfer", "PERFORM wallets.transfer(1 + i % 10000, 1 + (i + 1) % 10000, 1); COMMIT;", "wallets.transfer"),
    Scenario("transfer_ledger_rows", "PERFORM bench.transfer_ledger_rows(1 + i % 10000, 1 + (i + 1) % 10000, 1); COMMIT;",
             "a transfer's rows in the ledger's own tables, by plain statements", floor_of="transfer"),
    Scenario("transfer_bound", "PERFORM bench.transfer_bound(1 + i % 10000, 1 + (i + 1) % 10000, 1); COMMIT;",
             "the least any transfer must do: its rows, a lock and read of both balances, the overdraft rule",
             floor_of="transfer"),
    Scenario("transfer_rules_bound",
             "PERFORM bench.transfer_rules_bound(1 + i % 10000, 1 + (i + 1) % 10000, 1); COMMIT;",
             "transfer_bound after the argument rules and the ledger's lock protocol (advisory locks, then the read)",
             floor_of="transfer"),
    Scenario("transfer_rows", "PERFORM bench.transfer_rows(1 + i % 10000, 1 + (i + 1) % 10000, 1); COMMIT;",
             "a transfer's rows in the bench's plain floor tables", floor_of="transfer"),
    Scenario("hold_capture",
             "held := (wallets.hold(1 + i % 10000, 1)).id; COMMIT; PERFORM wallets.capture(held); COMMIT;",
             "wallets.hold, then wallets.capture (two transactions)"),
    Scenario("hold_capture_ledger_rows",
             "held := bench.hold_ledger_rows(1 + i % 10000, 1); COMMIT; PERFORM bench.capture_ledger_rows(held); COMMIT;",
             "a hold's and a capture's rows in the ledger's own tables, by plain statements", floor_of="hold_capture"),
    Scenario("hold_capture_bound",
             "held := bench.hold_bound(1 + i % 10000, 1); COMMIT; PERFORM bench.capture_bound(held); COMMIT;",
             "the least any hold + capture must do: their rows, a lock and read of the balance, the overdraft "
             "rule, the hold's status", floor_of="hold_capture"),
    Scenario("hold_capture_rows",
             "held := bench.hold_rows(1 + i % 10000, 1); COMMIT; PERFORM bench.capture_rows(held); COMMIT;",
             "a hold's and a capture's rows in the bench's plain floor tables", floor_of="hold_capture"),
    Scenario("balance", "PERFORM wallets.balance(1 + i % 10000); COMMIT;", "wallets.balance (read)"),
    # Per call, not per item: a batch's fixed cost shows in the one-item call.
    Scenario("debit_many_1",
             "PERFORM count(*) FROM wallets.debit_many(ARRAY[1 + i % 10000]::bigint[], ARRAY[1]::bigint[]); COMMIT;",
             "wallets.debit_many with one item (per call)"),
    Scenario("debit_many_100",
             "PERFORM count(*) FROM wallets.debit_many(array_fill((1 + i % 10000)::bigint, ARRAY[100]), "
             "array_fill(1::bigint, ARRAY[100])); COMMIT;",
             "wallets.debit_many with 100 items on one wallet (per call), as the hot batch benchmark"),
)
BASELINE = "ledger_write"


@dataclass(frozen=True)
class Options:
    #: Loop lengths whose difference gives the marginal count.
    short: int = 100
    long: int = 400
    smoke: bool = False
    output: Path | None = None


@dataclass
class Result:
    name: str
    description: str
    instructions_per_op: int
    vs_minimal_write: float | None
    floor_of: str | None


def read_callgrind_total(path: Path) -> int:
    """The total instruction count (event Ir) of a callgrind output file: its summary line."""
    for line in path.read_text().splitlines():
        if line.startswith(("summary:", "totals:")):
            return int(line.split()[1])
    raise InstructionsError(f"{path}: no summary line (did callgrind collect anything?)")


def marginal(short_total: int, long_total: int, short: int, long: int) -> int:
    """Instructions per operation, from the totals of two loop lengths."""
    if long <= short:
        raise ValueError("the long loop must be longer than the short one")
    return round((long_total - short_total) / (long - short))


def _loop_script(body: str, iterations: int) -> str:
    # Single-user mode (-j) ends a command at a semicolon followed by an empty line. A warm-up
    # loop of 20 compiles and plans everything; callgrind collects in both loops (the toggle is the
    # DO handler), and both loop lengths pay the warm-up alike.
    loop = "DO $loop$ DECLARE held bigint; BEGIN FOR i IN {first}..{last} LOOP {body} END LOOP; END $loop$;\n\n"
    return ("SET synchronous_commit = off;\n\n"
            + loop.format(first=1, last=20, body=body)
            + loop.format(first=21, last=20 + iterations, body=body))


class Harness:
    def __init__(self, options: Options, echo: Callable[[str], None]) -> None:
        self.options = options
        self.echo = echo
        self.root = cluster.project_root()
        self.bindir = cluster.bindir()
        valgrind = shutil.which("valgrind")
        if valgrind is None:
            raise InstructionsError("valgrind not found: run `make deps` (Debian package valgrind)")
        self.valgrind = valgrind

    def _run(self, command: Sequence[str], stdin: str | None = None, as_server: bool = True) -> subprocess.CompletedProcess[str]:
        """Run a command, as the server user unless as_server is false (psql, a client, runs as is)."""
        result = subprocess.run(cluster.as_server_user(command) if as_server else list(command), input=stdin, text=True,
                                capture_output=True)
        if result.returncode != 0:
            raise InstructionsError(f"{' '.join(command)} failed ({result.returncode}): {result.stderr[-2000:]}")
        return result

    def build_template(self, home: Path) -> Path:
        """A stopped cluster in home/template holding the loaded database."""
        data, socket = home / "template", home / "run"
        self._run(["mkdir", str(socket)])
        self._run([str(self.bindir / "initdb"), "-D", str(data), "-U", cluster.SERVER_USER, "-A", "trust",
                   "-E", "UTF8", "--locale=C.UTF-8"])
        port = "54499"
        self._run([str(self.bindir / "pg_ctl"), "start", "-w", "-D", str(data), "-l", str(home / "server.log"),
                   "-o", f"-c listen_addresses='' -c unix_socket_directories='{socket}' -p {port}"])
        try:
            psql = [str(self.bindir / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", str(socket), "-p", port,
                    "-U", cluster.SERVER_USER]
            self._run([*psql, "-d", "postgres", "-c", f"CREATE DATABASE {DATABASE}"], as_server=False)
            for script in (self.root / "sql" / "install.sql", self.root / "bench" / "setup.sql"):
                self._run([*psql, "-d", DATABASE, "-f", str(script)], as_server=False)
            self._run([*psql, "-d", DATABASE,
                       "-c", f"SELECT bench.top_up(bench.open_wallets('w', {WALLETS}), {WALLETS}, 1, {bench.LARGE_CREDIT})",
                       # Only filled tables: see bench/README.md on tables analyzed while empty.
                       "-c", "VACUUM ANALYZE wallets.wallets, wallets.transactions, wallets.bucket_state, "
                             "bench.accounts, bench.floor_buckets"], as_server=False)
        finally:
            self._run([str(self.bindir / "pg_ctl"), "stop", "-w", "-m", "fast", "-D", str(data)])
        return data

    def count(self, home: Path, template: Path, scenario: Scenario, iterations: int) -> int:
        """Instructions callgrind counts inside the DO loops of one run on a fresh copy of the template."""
        data, out = home / "data", home / "callgrind.out"
        if data.exists():
            self._run(["rm", "-rf", str(data)])
        self._run(["cp", "-a", str(template), str(data)])
        self._run([self.valgrind, "--tool=callgrind", f"--callgrind-out-file={out}",
                   "--toggle-collect=plpgsql_inline_handler", str(self.bindir / "postgres"),
                   "--single", "-D", str(data), "-j", DATABASE],
                  stdin=_loop_script(scenario.body, iterations))
        total = read_callgrind_total(out)
        self._run(["rm", "-f", str(out)])
        return total

    def measure(self) -> list[Result]:
        short, long = (10, 40) if self.options.smoke else (self.options.short, self.options.long)
        # Under /var/tmp, which the server user can reach wherever the project lies.
        with tempfile.TemporaryDirectory(prefix="pgwallets-instructions-", dir="/var/tmp") as folder:
            home = Path(folder)
            if os.geteuid() == 0:
                shutil.chown(home, cluster.SERVER_USER, cluster.SERVER_USER)
            self.echo(f"building a throwaway cluster with {WALLETS:,} wallets in {home} ...")
            template = self.build_template(home)
            counts: dict[str, int] = {}
            for scenario in SCENARIOS:
                totals = [self.count(home, template, scenario, n) for n in (short, long)]
                counts[scenario.name] = marginal(totals[0], totals[1], short, long)
                self.echo(f"  {scenario.name}: {counts[scenario.name]:,} instructions per operation")
        base = counts[BASELINE]
        return [Result(s.name, s.description, counts[s.name],
                       round(base / counts[s.name], 3) if counts[s.name] else None, s.floor_of) for s in SCENARIOS]


def format_report(document: dict[str, Any]) -> str:
    rows = [("operation", "instructions/op", "vs minimal write", "vs its floors")]
    by_name = {r["name"]: r for r in document["results"]}
    for result in document["results"]:
        floors = [f"{by_name[r['name']]['instructions_per_op'] / result['instructions_per_op']:.2f}x of {r['name']}"
                  for r in document["results"] if r["floor_of"] == result["name"]]
        rows.append((result["name"], f"{result['instructions_per_op']:,}",
                     f"{result['vs_minimal_write']:.2f}x" if result["vs_minimal_write"] else "-", "; ".join(floors)))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    modified = " + uncommitted sql/ changes" if document.get("sql_modified") else ""
    lines = [f"pgwallets instruction counts: {document['started_at']}, commit {document['commit'] or 'unknown'}{modified}, "
             f"loops of {document['loops'][0]} and {document['loops'][1]} operations, one commit per operation"]
    for k, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(widths[i]) if i in (0, 3) else cell.rjust(widths[i]) for i, cell in enumerate(row)))
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    lines.append("vs minimal write: the baseline's instructions over the operation's (higher is better). "
                 "vs its floors: the floor's instructions over the operation's.")
    return "\n".join(lines) + "\n"


def run(options: Options, echo: Callable[[str], None] = print) -> int:
    harness = Harness(options, echo)
    started_at = bench.timestamp()
    source = bench.source_version(harness.root)
    results = harness.measure()
    document = {
        "schema_version": 1,
        "started_at": started_at,
        "commit": source["commit"][:10] if source["commit"] else None,
        "sql_modified": source["sql_modified"],
        "loops": [10, 40] if options.smoke else [options.short, options.long],
        "smoke": options.smoke,
        "results": [asdict(r) for r in results],
    }
    report = format_report(document)
    echo(report)
    output = options.output
    if output is None and not options.smoke:
        output = harness.root / "bench" / "results"
    if output is not None:
        output.mkdir(parents=True, exist_ok=True)
        (output / "instructions.json").write_text(json.dumps(document, indent=2) + "\n")
        (output / "instructions.txt").write_text(report)
        echo(f"wrote {output / 'instructions.json'} and {output / 'instructions.txt'}")
    return 0
