"""The benchmark harness behind `pgwallets bench` and `make bench`.

It creates a throwaway database on the server (DATABASE_URL's, else the local cluster), installs
pgwallets from sql/install.sql and the baselines from bench/setup.sql (schema `bench`), loads test
data, and runs each pgbench scenario of bench/scenarios for a fixed time at each client count
(prepared statements; deadlocks and serialization failures are retried, counted and reported).
Latency percentiles come from pgbench's per-transaction log (-l). Every scenario is compared with
two baselines measured in the same run: a raw single-row UPDATE and a minimal ledger write (one
UPDATE plus one INSERT in a plain SQL function), of the same distribution and client count.
Python itself measures wallets.expire_due over many due buckets (against a bulk INSERT of as many
rows) and the database bytes each kind of operation adds.

The throughput targets are read from paired runs made after the table's: each operation and its
reference back to back, round after round (Comparison), so that a machine whose speed drifts
during the run moves both sides of a ratio alike. The results go to one printed table,
latest.json, latest.txt, machine.json and throughput.png in the output folder. Targets are printed
next to the ratios for information; nothing asserts them.
"""

from __future__ import annotations

import json
import math
import os
import platform
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from pgwallets import cluster

__all__ = [
    "SCENARIOS",
    "BenchError",
    "Options",
    "RunResult",
    "evaluate_targets",
    "format_report",
    "parse_pg_test_fsync",
    "parse_pgbench_log",
    "parse_pgbench_output",
    "percentile",
    "results_document",
    "run",
]

DATABASE = "pgwallets_bench"
SMOKE_DATABASE = "pgwallets_bench_smoke"
DEFAULT_DURATION = 10
DEFAULT_CLIENTS = (1, 8, 32)
TARGET_CLIENTS = 8
MAX_TRIES = 10
#: Large enough that no scenario ever runs a wallet dry (error WL001 would abort a pgbench client).
LARGE_CREDIT = 10**15
#: Debits/s assumed when sizing the 3-bucket wallets without a single-bucket debit rate of this run.
FALLBACK_DEBIT_RATE = 4000.0
#: 2: WAL records and bytes per operation on every run; 3: baseline_drift; 4: paired_runs, options.rounds,
#: wal_flush_us
SCHEMA_VERSION = 4
#: Rounds of paired runs behind each throughput target (see Comparison).
DEFAULT_ROUNDS = 3
#: A minimal write that moved more than this between the start and the end of a run is reported as drift.
DRIFT_WARNING_PCT = 10
SETTINGS = ("server_version", "shared_buffers", "synchronous_commit", "fsync", "wal_sync_method", "max_connections",
            "full_page_writes", "wal_level", "wal_buffers", "commit_delay", "checkpoint_timeout", "max_wal_size",
            "work_mem", "effective_cache_size", "jit", "huge_pages", "data_checksums", "autovacuum")


class BenchError(RuntimeError):
    """The harness could not run (setup, load or consistency check failed)."""


# --- Scenarios -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Scenario:
    name: str
    script: str
    variants: tuple[str, ...]
    description: str
    #: Ledger operations per pgbench transaction: operations/s = transactions/s x this.
    ops_per_transaction: int = 1
    #: Runs at one client only (latency comparisons on a single wallet).
    single_client: bool = False
    baseline: bool = False
    #: A function that must exist in the database, else the scenario is skipped.
    requires: str | None = None
    #: The scenario whose rows this one writes in plain PL/pgSQL (its floor), or the least of whose
    #: work any implementation must do (its bound, named *_bound); runs along with it.
    floor_of: str | None = None
    #: A floor written into the bench's own plain tables rather than the ledger's: not paired.
    plain_tables: bool = False


BATCH_ITEMS = 100

SCENARIOS: tuple[Scenario, ...] = (
    Scenario("raw_update", "raw_update.sql", ("uniform", "hot"),
             "baseline: raw single-row UPDATE of a balance", baseline=True),
    Scenario("ledger_write", "ledger_write.sql", ("uniform", "hot"),
             "baseline: minimal ledger write (UPDATE + INSERT in a SQL function)", baseline=True),
    Scenario("credit", "credit.sql", ("uniform", "hot"), "wallets.credit"),
    Scenario("debit", "debit.sql", ("uniform", "hot"), "wallets.debit drawing from one bucket"),
    # Right after debit, its reference: later runs find bigger tables.
    Scenario("debit_idempotent", "debit_idempotent.sql", ("uniform",),
             "wallets.debit with a unique idempotency key"),
    Scenario("debit_3_buckets", "debit_3_buckets.sql", ("uniform", "hot"), "wallets.debit spanning 3 buckets"),
    Scenario("debit_3_buckets_bound", "debit_3_buckets_bound.sql", ("uniform", "hot"),
             "lower bound of debit_3_buckets: the least any implementation must do, the rows plus a lock and read of "
             "the wallet, the overdraft rule and the draw-down from the wallet's key (bench.debit_bound)",
             floor_of="debit_3_buckets"),
    Scenario("transfer", "transfer.sql", ("uniform", "hot"), "wallets.transfer (hot: from the hot wallet)"),
    Scenario("transfer_rows", "transfer_rows.sql", ("uniform", "hot"),
             "floor of transfer: its rows written by plain PL/pgSQL (bench.transfer_rows)", floor_of="transfer",
             plain_tables=True),
    Scenario("transfer_ledger_rows", "transfer_ledger_rows.sql", ("uniform", "hot"),
             "floor of transfer in the ledger's tables: its rows written into wallets.* by plain PL/pgSQL "
             "(bench.transfer_ledger_rows)", floor_of="transfer"),
    Scenario("transfer_bound", "transfer_bound.sql", ("uniform", "hot"),
             "lower bound of transfer: the least any implementation must do, the rows plus a lock and read of "
             "both balances and the overdraft rule (bench.transfer_bound)", floor_of="transfer"),
    Scenario("transfer_rules_bound", "transfer_rules_bound.sql", ("uniform", "hot"),
             "lower bound of transfer under the ledger's lock protocol: transfer_bound after the argument rules, "
             "both wallets' advisory locks and the read of both rows (bench.transfer_rules_bound)", floor_of="transfer"),
    Scenario("hold_capture", "hold_capture.sql", ("uniform", "hot"), "wallets.hold then wallets.capture"),
    Scenario("hold_capture_rows", "hold_capture_rows.sql", ("uniform", "hot"),
             "floor of hold_capture: its rows written by plain PL/pgSQL (bench.hold_rows, bench.capture_rows)",
             floor_of="hold_capture", plain_tables=True),
    Scenario("hold_capture_ledger_rows", "hold_capture_ledger_rows.sql", ("uniform", "hot"),
             "floor of hold_capture in the ledger's tables: its rows written into wallets.* by plain PL/pgSQL "
             "(bench.hold_ledger_rows, bench.capture_ledger_rows)", floor_of="hold_capture"),
    Scenario("hold_capture_bound", "hold_capture_bound.sql", ("uniform", "hot"),
             "lower bound of hold_capture: the least any implementation must do, the rows plus a lock and read of "
             "the balance, the overdraft rule and the hold's status (bench.hold_bound, bench.capture_bound)",
             floor_of="hold_capture"),
    Scenario("balance", "balance.sql", ("uniform",), "wallets.balance (read)"),
    Scenario("debit_many", "debit_many.sql", ("hot",), f"wallets.debit_many, {BATCH_ITEMS} items per call",
             ops_per_transaction=BATCH_ITEMS, requires="wallets.debit_many(bigint[],bigint[],text[],jsonb[],text[],boolean)"),
    Scenario("debit_buckets", "debit.sql", ("one_bucket", "10k_buckets"),
             "wallets.debit from a wallet with 1 vs 10,000 live buckets", single_client=True),
    Scenario("balance_entries", "balance.sql", ("one_entry", "many_entries"),
             "wallets.balance of a wallet with 1 vs 1,000,000 entries", single_client=True),
)


@dataclass(frozen=True)
class Comparison:
    """A throughput target read from paired runs: the scenario and its reference, of one variant,
    run back to back at the targets' client count, in alternating order, round after round. Each
    round gives one ratio and the target reads their median: on a shared machine whose speed drifts
    during a run (this one moved by up to 30 % between full runs of the same code), both sides of a
    pair move alike, which a baseline measured once at the start of the run does not."""
    scenario: str
    reference: str
    variant: str

    @property
    def name(self) -> str:
        return f"{self.scenario} vs {self.reference} ({self.variant})"


#: The issue's throughput targets against the minimal write: operation, variant, goal, label.
RATIO_TARGETS: tuple[tuple[str, str, float, str], ...] = (
    ("credit", "uniform", 0.8, "credit"),
    ("debit", "uniform", 0.6, "debit (1 bucket)"),
    ("transfer", "uniform", 0.5, "transfer"),
    ("hold_capture", "uniform", 0.4, "hold + capture"),
    ("credit", "hot", 0.6, "credit"),
    ("debit", "hot", 0.6, "debit (1 bucket)"),
    ("debit_3_buckets", "hot", 0.6, "debit (3 buckets)"),
    ("transfer", "hot", 0.6, "transfer"),
)

#: The targets' comparisons, each followed by those of its operation's floors in the ledger's own
#: tables and lower bounds (its floor_of scenarios of that variant): what the rows alone reach,
#: and what the least correct implementation reaches, measured alike.
COMPARISONS: tuple[Comparison, ...] = tuple(
    Comparison(name, "ledger_write", variant)
    for operation, variant, _, _ in RATIO_TARGETS
    for name in (operation, *(s.name for s in SCENARIOS
                              if s.floor_of == operation and not s.plain_tables and variant in s.variants))
) + (Comparison("debit_many", "debit", "hot"), Comparison("debit_idempotent", "debit", "uniform"))

#: Measured in Python rather than pgbench.
PYTHON_SCENARIOS = ("expire_due", "bytes_per_op")
SCENARIO_NAMES = tuple(s.name for s in SCENARIOS) + PYTHON_SCENARIOS
SCENARIOS_BY_NAME = {s.name: s for s in SCENARIOS}


@dataclass(frozen=True)
class Sizes:
    wallets: int = 10_000
    live_buckets: int = 10_000
    history_entries: int = 1_000_000
    expire_wallets: int = 10_000
    expire_per_wallet: int = 100
    bytes_wallets: int = 1_000
    bytes_operations: int = 10_000

    @property
    def expire_buckets(self) -> int:
        return self.expire_wallets * self.expire_per_wallet


FULL_SIZES = Sizes()
SMOKE_SIZES = Sizes(history_entries=10_000, expire_wallets=1_000, expire_per_wallet=10, bytes_wallets=100,
                    bytes_operations=1_000)


def variant_label(variant: str, sizes: Sizes) -> str:
    return {
        "one_bucket": "1 bucket",
        "10k_buckets": f"{sizes.live_buckets:,} buckets",
        "one_entry": "1 entry",
        "many_entries": f"{sizes.history_entries:,} entries",
    }.get(variant, variant)


def baseline_variant(variant: str) -> str:
    """The baseline distribution a variant is compared with: every single-wallet run is hot."""
    return "uniform" if variant == "uniform" else "hot"


# --- Options ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Options:
    duration: int = DEFAULT_DURATION
    clients: tuple[int, ...] = DEFAULT_CLIENTS
    only: tuple[str, ...] | None = None
    smoke: bool = False
    output: Path | None = None
    #: Rounds of paired runs per target (0: read the targets from the table's runs alone).
    rounds: int = DEFAULT_ROUNDS

    def selected(self, name: str) -> bool:
        floor_of = SCENARIOS_BY_NAME[name].floor_of if name in SCENARIOS_BY_NAME else None
        return (self.only is None or name in self.only or name in ("raw_update", "ledger_write")
                or (floor_of is not None and floor_of in self.only))


def parse_clients(text: str) -> tuple[int, ...]:
    try:
        counts = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError as error:
        raise ValueError(f"--clients takes client counts like 1,8,32, not {text!r}") from error
    if not counts or counts[0] < 1:
        raise ValueError(f"--clients takes positive client counts like 1,8,32, not {text!r}")
    return tuple(counts)


def parse_only(text: str) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    unknown = [name for name in names if name not in SCENARIO_NAMES]
    if unknown or not names:
        raise ValueError(f"unknown scenario {', '.join(unknown) or text!r}; scenarios: {', '.join(SCENARIO_NAMES)}")
    return names


# --- pgbench output and logs ------------------------------------------------------------------

def percentile(sorted_values: Sequence[float], p: float) -> float | None:
    """Nearest-rank percentile of ascending values: the smallest value with at least p % of the
    values at or below it. None for no values."""
    if not sorted_values:
        return None
    if not 0 < p <= 100:
        raise ValueError(f"percentile must be in (0, 100], got {p}")
    rank = math.ceil(p / 100 * len(sorted_values))
    return sorted_values[max(rank, 1) - 1]


@dataclass
class LogSummary:
    """What a run's per-transaction logs say: latencies (µs, ascending) of the transactions that
    succeeded, how many failed (after their retries) and how many needed a retry."""
    latencies_us: list[int] = field(default_factory=list)
    failed: int = 0
    retried: int = 0

    @property
    def transactions(self) -> int:
        return len(self.latencies_us)

    def latency_ms(self, p: float) -> float | None:
        value = percentile(self.latencies_us, p)
        return None if value is None else value / 1000


def parse_pgbench_log(lines: Iterable[str]) -> LogSummary:
    """Parse pgbench -l lines: `client_id transaction_no time script_no time_epoch time_us
    [schedule_lag] [retries]`, where time is the latency in µs, or failed / serialization /
    deadlock / skipped. With --max-tries other than 1 the last field counts the retries."""
    summary = LogSummary()
    for line in lines:
        fields = line.split()
        if len(fields) < 6:
            continue
        if fields[2].isdigit():
            summary.latencies_us.append(int(fields[2]))
        else:
            summary.failed += 1
        if len(fields) >= 7 and fields[-1].isdigit() and int(fields[-1]) > 0:
            summary.retried += 1
    summary.latencies_us.sort()
    return summary


def read_pgbench_logs(prefix: Path) -> LogSummary:
    """All files pgbench wrote for a run: prefix.PID, prefix.PID.1, ... (one per thread)."""
    lines: list[str] = []
    for path in sorted(prefix.parent.glob(prefix.name + ".*")):
        lines.extend(path.read_text().splitlines())
    return parse_pgbench_log(lines)


_OUTPUT_PATTERNS = {
    "processed": r"number of transactions actually processed: (\d+)",
    "failed": r"number of failed transactions: (\d+)",
    "serialization_failures": r"number of serialization failures: (\d+)",
    "deadlock_failures": r"number of deadlock failures: (\d+)",
    "retried": r"number of transactions retried: (\d+)",
    "retries": r"total number of retries: (\d+)",
    "latency_average_ms": r"latency average = ([\d.]+) ms",
    "tps": r"tps = ([\d.]+) \(without initial connection time\)",
}


def parse_pgbench_output(text: str) -> dict[str, float]:
    """The summary pgbench prints (stdout): counts and tps, as numbers; absent lines are left out."""
    found: dict[str, float] = {}
    for key, pattern in _OUTPUT_PATTERNS.items():
        match = re.search(pattern, text)
        if match:
            found[key] = float(match.group(1))
    return found


def aborted_clients(stderr: str) -> int:
    return len(re.findall(r"client \d+ (?:script \d+ )?aborted", stderr))


_FSYNC_LINE = re.compile(r"^\s+(\S[\w ,*]*?\S)\s+([\d.]+) ops/sec\s+(\d+) usecs/op\s*$")


def parse_pg_test_fsync(text: str) -> dict[str, dict[str, dict[str, float]]]:
    """pg_test_fsync's report as {section: {method: {"ops_per_s", "usecs_per_op"}}}; methods
    the platform lacks (n/a) are left out."""
    sections: dict[str, dict[str, dict[str, float]]] = {}
    current: dict[str, dict[str, float]] | None = None
    for line in text.splitlines():
        if line and not line[0].isspace():
            if line.rstrip().endswith(":"):  # a section title; other flush-left lines are notes
                current = sections.setdefault(line.rstrip().rstrip(":"), {})
            continue
        match = _FSYNC_LINE.match(line)
        if match and current is not None:
            current[match.group(1).strip()] = {"ops_per_s": float(match.group(2)),
                                               "usecs_per_op": float(match.group(3))}
    return sections


def fsync_of_method(report: dict[str, dict[str, dict[str, float]]], method: str) -> dict[str, float] | None:
    """The one-8kB-write figures of a wal_sync_method (what one commit's WAL flush costs)."""
    for title, methods in report.items():
        if "one 8kB write" in title:
            return methods.get(method)
    return None


# --- Results -----------------------------------------------------------------------------------

@dataclass
class RunResult:
    scenario: str
    variant: str
    clients: int
    duration_s: int
    ops_per_transaction: int = 1
    transactions: int = 0
    tps: float | None = None
    ops_per_s: float | None = None
    p50_ms: float | None = None
    p99_ms: float | None = None
    failures: int = 0
    retried: int = 0
    retries: int = 0
    aborted_clients: int = 0
    vs_minimal_write: float | None = None
    vs_raw_update: float | None = None
    #: WAL written per operation during the run (pg_stat_wal, cluster-wide): how much work it is.
    wal_records_per_op: float | None = None
    wal_bytes_per_op: float | None = None
    #: Mean time of one WAL flush during the run (pg_stat_wal's wal_sync_time / wal_sync, timed by
    #: the database's sessions): the storage's speed, which moves on a shared machine.
    wal_flush_us: float | None = None
    error: str | None = None
    skipped: str | None = None
    #: A paired run's comparison (Comparison.name) and round; None for the table's runs.
    comparison: str | None = None
    round: int | None = None


def find_result(results: Sequence[RunResult], scenario: str, variant: str, clients: int) -> RunResult | None:
    for result in results:
        if (result.scenario, result.variant, result.clients) == (scenario, variant, clients) and \
                result.ops_per_s is not None and result.error is None:
            return result
    return None


def add_ratios(results: Sequence[RunResult]) -> None:
    """Each run against both baselines of the same distribution and client count."""
    for result in results:
        if result.ops_per_s is None:
            continue
        base = baseline_variant(result.variant)
        for baseline, attribute in (("ledger_write", "vs_minimal_write"), ("raw_update", "vs_raw_update")):
            reference = find_result(results, baseline, base, result.clients)
            if reference is not None and reference.ops_per_s:
                setattr(result, attribute, result.ops_per_s / reference.ops_per_s)


def paired_ratios(paired: Sequence[RunResult], comparison: Comparison, clients: int | None) -> list[float]:
    """The ratio of each round of a comparison's paired runs: the scenario's ops/s over its reference's."""
    ratios = []
    own = [r for r in paired if r.comparison == comparison.name]
    for number in sorted({r.round for r in own if r.round is not None}):
        runs = [r for r in own if r.round == number]
        subject = find_result(runs, comparison.scenario, comparison.variant, clients) if clients else None
        reference = find_result(runs, comparison.reference, comparison.variant, clients) if clients else None
        if subject and reference and subject.ops_per_s and reference.ops_per_s:
            ratios.append(subject.ops_per_s / reference.ops_per_s)
    return ratios


def median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def target_clients(results: Sequence[RunResult]) -> int | None:
    """The client count the throughput targets are read at: 8, else the nearest one measured."""
    counts = sorted({r.clients for r in results if not r.skipped and r.scenario != "debit_buckets"
                     and r.scenario != "balance_entries"})
    if not counts:
        return None
    return min(counts, key=lambda count: (abs(count - TARGET_CLIENTS), count))


def baseline_drift(first: Sequence[RunResult], again: Sequence[RunResult]) -> dict[str, Any] | None:
    """How far the minimal write moved between its runs at the start and its runs again after the
    last scenario (same variant and client count): a shared machine whose speed changes during a
    run skews the ratios of the later scenarios by up to that much."""
    variants = {}
    for last in again:
        start = find_result(first, last.scenario, last.variant, last.clients)
        if start is None or not start.ops_per_s or not last.ops_per_s:
            continue
        variants[last.variant] = {"clients": last.clients, "first_ops_per_s": round(start.ops_per_s, 1),
                                  "last_ops_per_s": round(last.ops_per_s, 1),
                                  "change_pct": round(100 * (last.ops_per_s / start.ops_per_s - 1), 1)}
    return {"scenario": "ledger_write", "variants": variants} if variants else None


def _clients(count: int | None) -> str:
    return f"{count} client{'' if count == 1 else 's'}"


def _target(name: str, goal: str, value: float | None, met: bool | None, detail: str) -> dict[str, Any]:
    return {"name": name, "target": goal, "value": value, "met": met, "detail": detail}


def _rounds_text(ratios: Sequence[float], shown: Callable[[float], str]) -> str:
    return f"median of {len(ratios)} paired round{'' if len(ratios) == 1 else 's'} ({', '.join(map(shown, ratios))})"


def evaluate_targets(results: Sequence[RunResult], paired: Sequence[RunResult] = ()) -> list[dict[str, Any]]:
    """The issue's targets, informative only: each with its measured value and met / not met
    (None when the run did not measure it). A throughput target reads the median ratio of its
    paired runs (Comparison) when the run made them, else the ratio of the table's runs."""
    targets: list[dict[str, Any]] = []
    clients = target_clients(results)

    def ratio_target(scenario: str, variant: str, minimum: float, label: str) -> None:
        name = f"{label} vs minimal write ({variant}, {_clients(clients)})"
        result = find_result(results, scenario, variant, clients) if clients else None
        base = find_result(results, "ledger_write", variant, clients) if clients else None
        rounds = paired_ratios(paired, Comparison(scenario, "ledger_write", variant), clients)
        if rounds:
            value = median(rounds)
            numbers = _rounds_text(rounds, lambda ratio: f"{ratio:.2f}")
            if result and result.vs_minimal_write is not None:
                numbers += f"; table: {result.vs_minimal_write:.2f}x"
        elif result is not None and base is not None and result.vs_minimal_write is not None:
            value = result.vs_minimal_write
            numbers = f"{result.ops_per_s:,.0f} vs {base.ops_per_s:,.0f} ops/s"
        else:
            targets.append(_target(name, f">= {minimum:g}x", None, None, "not measured"))
            return
        for floor in (other for other in SCENARIOS if other.floor_of == scenario):
            floor_rounds = paired_ratios(paired, Comparison(floor.name, "ledger_write", variant), clients)
            found = find_result(results, floor.name, variant, clients) if clients else None
            kind = "bound" if floor.name.endswith("_bound") else "floor"
            if floor_rounds:
                numbers += f"; {kind} {floor.name}: {median(floor_rounds):.2f}x (paired)"
            elif found and base and found.ops_per_s and base.ops_per_s:
                numbers += f"; {kind} {floor.name}: {found.ops_per_s / base.ops_per_s:.2f}x"
        if result and base and result.wal_records_per_op and base.wal_records_per_op:
            numbers += (f"; WAL {result.wal_records_per_op:.1f} vs {base.wal_records_per_op:.1f} records/op, "
                        f"{result.wal_bytes_per_op:,.0f} vs {base.wal_bytes_per_op:,.0f} B/op")
        targets.append(_target(name, f">= {minimum:g}x", value, value >= minimum, numbers))

    for scenario, variant, minimum, label in RATIO_TARGETS:
        ratio_target(scenario, variant, minimum, label)

    name = f"debit_many({BATCH_ITEMS}) vs single debit, ops/s (hot, {_clients(clients)})"
    many = find_result(results, "debit_many", "hot", clients) if clients else None
    single = find_result(results, "debit", "hot", clients) if clients else None
    rounds = paired_ratios(paired, Comparison("debit_many", "debit", "hot"), clients)
    if rounds:
        value = median(rounds)
        numbers = _rounds_text(rounds, lambda ratio: f"{ratio:.1f}")
        if many and single and many.ops_per_s and single.ops_per_s:
            numbers += f"; table: {many.ops_per_s / single.ops_per_s:.1f}x"
        targets.append(_target(name, ">= 20x", value, value >= 20, numbers))
    elif many and single and many.ops_per_s and single.ops_per_s:
        value = many.ops_per_s / single.ops_per_s
        targets.append(_target(name, ">= 20x", value, value >= 20,
                               f"{many.ops_per_s:,.0f} vs {single.ops_per_s:,.0f} ops/s"))
    else:
        targets.append(_target(name, ">= 20x", None, None, "not measured"))

    def latency_target(scenario: str, slow: str, fast: str, label: str) -> None:
        name = f"{label}, p50 latency (1 client)"
        heavy = find_result(results, scenario, slow, 1)
        light = find_result(results, scenario, fast, 1)
        if heavy and light and heavy.p50_ms and light.p50_ms:
            value = heavy.p50_ms / light.p50_ms
            targets.append(_target(name, "<= 1.5x", value, value <= 1.5,
                                   f"{heavy.p50_ms:.3f} vs {light.p50_ms:.3f} ms (p99 {heavy.p99_ms:.3f} vs "
                                   f"{light.p99_ms:.3f} ms)"))
        else:
            targets.append(_target(name, "<= 1.5x", None, None, "not measured"))

    latency_target("debit_buckets", "10k_buckets", "one_bucket", "debit with 10k live buckets vs 1 bucket")
    latency_target("balance_entries", "many_entries", "one_entry", "balance with many entries vs 1 entry")

    name = f"idempotency key overhead on debit (uniform, {_clients(clients)})"
    keyed = find_result(results, "debit_idempotent", "uniform", clients) if clients else None
    plain = find_result(results, "debit", "uniform", clients) if clients else None
    rounds = paired_ratios(paired, Comparison("debit_idempotent", "debit", "uniform"), clients)
    if rounds:
        overheads = [1 / ratio - 1 for ratio in rounds]
        value = median(overheads)
        numbers = _rounds_text(overheads, lambda overhead: f"{overhead * 100:.1f}%")
        if keyed and plain and keyed.ops_per_s and plain.ops_per_s:
            numbers += f"; table: {(plain.ops_per_s / keyed.ops_per_s - 1) * 100:.1f}%"
        targets.append(_target(name, "<= 15%", value, value <= 0.15, numbers))
    elif keyed and plain and keyed.ops_per_s and plain.ops_per_s:
        value = plain.ops_per_s / keyed.ops_per_s - 1
        targets.append(_target(name, "<= 15%", value, value <= 0.15,
                               f"{keyed.ops_per_s:,.0f} ops/s with keys vs {plain.ops_per_s:,.0f} without"))
    else:
        targets.append(_target(name, "<= 15%", None, None, "not measured"))
    return targets


def results_document(*, started_at: str, finished_at: str, runtime_s: float, options: Options, sizes: Sizes,
                     machine: dict[str, Any], results: Sequence[RunResult], expire_due: dict[str, Any] | None,
                     bytes_per_op: dict[str, Any] | None, targets: list[dict[str, Any]],
                     problems: Sequence[str], phases: Mapping[str, float] | None = None,
                     source: Mapping[str, Any] | None = None,
                     drift: Mapping[str, Any] | None = None,
                     paired: Sequence[RunResult] = ()) -> dict[str, Any]:
    """Everything a run measured, as written to latest.json."""
    return {
        "schema_version": SCHEMA_VERSION,
        "started_at": started_at,
        "finished_at": finished_at,
        "runtime_s": round(runtime_s, 1),
        "load_average_at_end": _load_average(),
        "phases_s": dict(phases or {}),
        "options": {"duration_s": options.duration, "clients": list(options.clients),
                    "only": list(options.only) if options.only else None, "smoke": options.smoke,
                    "max_tries": MAX_TRIES, "query_mode": "prepared", "rounds": options.rounds},
        "sizes": asdict(sizes),
        "machine": machine,
        "source": dict(source or {}),
        "scenarios": {s.name: {"script": f"bench/scenarios/{s.script}", "description": s.description,
                               "ops_per_transaction": s.ops_per_transaction} for s in SCENARIOS},
        "results": [asdict(result) for result in results],
        "paired_runs": [asdict(result) for result in paired],
        "baseline_drift": dict(drift) if drift else None,
        "expire_due": expire_due,
        "bytes_per_operation": bytes_per_op,
        "targets": targets,
        "problems": list(problems),
    }


# --- Report ------------------------------------------------------------------------------------

def _source_text(source: Mapping[str, Any]) -> str:
    if not source.get("commit"):
        return ""
    return f", commit {source['commit'][:10]}" + (" + uncommitted sql/ changes" if source.get("sql_modified") else "")


def _number(value: float | None, digits: int = 0, suffix: str = "") -> str:
    if value is None:
        return "-"
    return f"{value:,.{digits}f}{suffix}"


def render_table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[bool]) -> str:
    widths = [max([len(h), *(len(row[i]) for row in rows)]) for i, h in enumerate(headers)]

    def line(values: Sequence[str], align: Sequence[bool]) -> str:
        cells = [v.rjust(w) if r else v.ljust(w) for v, w, r in zip(values, widths, align)]
        return (" " + " | ".join(cells)).rstrip()

    out = [line([h.center(w) for h, w in zip(headers, widths)], [False] * len(headers)),
           "-" + "-+-".join("-" * w for w in widths) + "-"]
    out.extend(line(row, right) for row in rows)
    return "\n".join(out)


def format_report(document: dict[str, Any]) -> str:
    """The printed report: the run's context, the table, expire_due, bytes per operation, targets."""
    options = document["options"]
    machine = document["machine"]
    sizes = Sizes(**document["sizes"])
    settings = machine.get("postgresql", {})
    fsync = machine.get("fsync") or {}
    method = fsync.get("method")
    fsync_text = (f"{method} {fsync['ops_per_s']:,.0f} ops/s, {fsync['usecs_per_op']:.0f} µs/op"
                  if fsync.get("ops_per_s") else f"not measured ({fsync.get('skipped', 'unknown')})")
    out = [
        (f"pgwallets benchmark{' (smoke)' if options['smoke'] else ''}: {document['started_at']}, "
         f"{options['duration_s']} s per run, clients {','.join(map(str, options['clients']))}, "
         f"pgbench -M prepared --max-tries={options['max_tries']}"
         + _source_text(document.get("source") or {})),
        (f"machine: {machine.get('cores')} cores, PostgreSQL {settings.get('server_version', '?')}, "
         f"shared_buffers {settings.get('shared_buffers', '?')}, "
         f"synchronous_commit {settings.get('synchronous_commit', '?')}, fsync {settings.get('fsync', '?')}, "
         f"wal_sync_method {settings.get('wal_sync_method', '?')}, "
         f"max_connections {settings.get('max_connections', '?')}; fsync latency: {fsync_text}"),
    ]
    load = machine.get("load_average")
    if load:
        end = document.get("load_average_at_end") or []
        out.append(f"load average (1/5/15 min) at start {'/'.join(map(str, load))}"
                   + (f", at end {'/'.join(map(str, end))}" if end else "")
                   + ": other work on the machine skews every figure")
    out.append("")
    headers = ["scenario", "variant", "clients", "ops/s", "p50 ms", "p99 ms", "failures", "retried",
               "vs minimal write", "vs raw UPDATE", "WAL rec/op", "WAL B/op", "flush µs"]
    rows = []
    for result in document["results"]:
        if result["skipped"]:
            rows.append([result["scenario"], variant_label(result["variant"], sizes), str(result["clients"]),
                         "skipped", "", "", "", "", "", result["skipped"], "", "", ""])
            continue
        if result["error"] and result["ops_per_s"] is None:
            rows.append([result["scenario"], variant_label(result["variant"], sizes), str(result["clients"]),
                         "error", "", "", "", "", "", "", "", "", ""])
            continue
        failures = str(result["failures"]) + (f" +{result['aborted_clients']} aborted" if result["aborted_clients"] else "")
        rows.append([
            result["scenario"], variant_label(result["variant"], sizes), str(result["clients"]),
            _number(result["ops_per_s"]), _number(result["p50_ms"], 3), _number(result["p99_ms"], 3),
            failures, str(result["retried"]),
            _number(result["vs_minimal_write"], 2, "x"), _number(result["vs_raw_update"], 2, "x"),
            _number(result.get("wal_records_per_op"), 1), _number(result.get("wal_bytes_per_op")),
            _number(result.get("wal_flush_us")),
        ])
    out.append(render_table(headers, rows, [False, False, *[True] * 11]))
    out.append("ops/s: operations per second (debit_many: calls/s x "
               f"{BATCH_ITEMS}); hold_capture: hold + capture pairs/s. Ratios: ops/s over the baseline of the same "
               "distribution (single-wallet runs: hot) and client count. flush µs: mean time of one WAL flush "
               "during the run (pg_stat_wal).")
    drift = document.get("baseline_drift")
    if drift:
        changes = [f"{variant} {_number(v['first_ops_per_s'])} -> {_number(v['last_ops_per_s'])} ops/s ({v['change_pct']:+.0f} %)"
                   for variant, v in drift["variants"].items()]
        clients = next(iter(drift["variants"].values()))["clients"]
        moved = max(abs(v["change_pct"]) for v in drift["variants"].values())
        out.append(f"baseline drift: ledger_write at {_clients(clients)} again after the last scenario: {', '.join(changes)}"
                   + (": the machine's speed changed during the run, and the ratios of later scenarios with it"
                      if moved > DRIFT_WARNING_PCT else f": within {DRIFT_WARNING_PCT} %"))

    expire = document.get("expire_due")
    if expire:
        out += ["", "expire_due (Python, one session with wallets.clock pinned past every bucket):"]
        if expire.get("error"):
            out.append(f"  error: {expire['error']}")
        else:
            out.append(f"  {expire['buckets']:,} due buckets in {expire['wallets']:,} wallets: expired in "
                       f"{expire['seconds']:.1f} s by {expire['calls']} calls of expire_due({expire['batch_size']}) = "
                       f"{expire['buckets_per_s']:,.0f} buckets/s")
            out.append(f"  bulk INSERT of {expire['bulk_rows']:,} rows: {expire['bulk_seconds']:.2f} s = "
                       f"{expire['bulk_rows_per_s']:,.0f} rows/s; expire_due / bulk INSERT = {expire['ratio_to_bulk_insert']:.3f}")

    sizes_doc = document.get("bytes_per_operation")
    if sizes_doc:
        out += ["", (f"database bytes per operation (wallets schema, tables + indexes after VACUUM FULL, "
                     f"{sizes_doc['operations']:,} operations of each kind):")]
        if sizes_doc.get("error"):
            out.append(f"  error: {sizes_doc['error']}")
        rows = []
        for kind in sizes_doc["kinds"]:
            split = ", ".join(f"{table} {size:,.0f}" for table, size in kind["by_table"].items() if abs(size) >= 1)
            rows.append([kind["kind"], _number(kind["bytes_per_op"], 0), split])
        if rows:
            out.append(render_table(["operation", "bytes/op", "by table"], rows, [False, True, False]))

    targets = document.get("targets") or []
    if targets:
        rounds = {r["round"] for r in document.get("paired_runs") or []}
        out += ["", "targets (informative, never asserted)"
                + (f"; throughput ratios: the median of {len(rounds)} round{'' if len(rounds) == 1 else 's'} of paired "
                   "runs, each the operation and its reference back to back:" if rounds else ":")]
        rows = []
        for target in targets:
            value = target["value"]
            if value is None:
                shown, verdict = "-", "not measured"
            else:
                shown = f"{value * 100:.1f}%" if target["target"].endswith("%") else f"{value:.3f}x"
                verdict = "met" if target["met"] else "NOT MET"
            rows.append([target["name"], target["target"], shown, verdict, target["detail"]])
        out.append(render_table(["target", "goal", "measured", "verdict", "numbers"], rows,
                                [False, False, True, False, False]))

    problems = document.get("problems") or []
    if problems:
        out += ["", "problems:"] + [f"  - {problem}" for problem in problems]
    phases = document.get("phases_s") or {}
    spent = "".join(f", {name} {seconds:.0f} s" for name, seconds in phases.items())
    out += ["", f"total runtime: {document['runtime_s']:.0f} s{' (' + spent[2:] + ')' if spent else ''}"]
    return "\n".join(out)


def plot(document: dict[str, Any], path: Path) -> None:
    """Throughput by scenario and client count, as a PNG (matplotlib, Agg backend)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = Sizes(**document["sizes"])
    results = [r for r in document["results"] if r["ops_per_s"]]
    labels: list[str] = []
    for r in results:
        label = f"{r['scenario']} ({variant_label(r['variant'], sizes)})"
        if label not in labels:
            labels.append(label)
    clients = sorted({r["clients"] for r in results})
    figure, axes = plt.subplots(figsize=(11, max(4.0, 0.42 * len(labels) * max(1, len(clients)) ** 0.5 + 1.5)))
    height = 0.8 / max(1, len(clients))
    for index, count in enumerate(clients):
        ys, xs = [], []
        for r in results:
            if r["clients"] == count:
                ys.append(labels.index(f"{r['scenario']} ({variant_label(r['variant'], sizes)})") + index * height)
                xs.append(r["ops_per_s"])
        axes.barh(ys, xs, height=height, label=f"{count} client{'s' if count > 1 else ''}")
    axes.set_yticks([i + height * (len(clients) - 1) / 2 for i in range(len(labels))], labels)
    axes.invert_yaxis()
    axes.set_xscale("log")
    axes.set_xlabel("operations/s (log scale)")
    machine = document["machine"]
    settings = machine.get("postgresql", {})
    axes.set_title(f"pgwallets throughput, {document['options']['duration_s']} s per run "
                   f"({machine.get('cores')} cores, PostgreSQL {settings.get('server_version', '?').split()[0]}, "
                   f"synchronous_commit {settings.get('synchronous_commit', '?')})", fontsize=10)
    axes.grid(axis="x", which="both", alpha=0.3)
    axes.legend(loc="lower right")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


# --- The harness ---------------------------------------------------------------------------------

def repository_root() -> Path:
    """The checkout holding bench/ and sql/: the one this module lives in, else PGWALLETS_ROOT or
    the current directory."""
    here = Path(__file__).resolve().parents[2]
    if (here / "bench" / "scenarios").is_dir() and (here / "sql" / "install.sql").is_file():
        return here
    return cluster.project_root()


def server_tool(name: str) -> str:
    """A PostgreSQL program: from the server binaries (same major version), else from PATH."""
    try:
        candidate = cluster.bindir() / name
        if candidate.exists():
            return str(candidate)
    except cluster.ClusterError:
        pass
    found = shutil.which(name)
    if found is None:
        raise BenchError(f"{name} not found (install postgresql-15 or postgresql-client-15)")
    return found


def _one(conn: psycopg.Connection[Any], query: str, params: Sequence[Any] | Mapping[str, Any] | None = None) -> Any:
    row = conn.execute(query, params).fetchone()
    if row is None:
        raise BenchError(f"no row from {query}")
    return row[0]


def vacuum_analyze_filled(conn: psycopg.Connection[Any]) -> None:
    """VACUUM ANALYZE every table that holds rows. An empty table is left never analyzed, as on a
    fresh install: analyzed while empty it would look like a one-page table, and every session's
    cached PL/pgSQL plans on it would be sequential scans until its next ANALYZE (a run of
    hold + capture measured at half its rate that way: each capture read every hold)."""
    filled = []
    for schema, table in conn.execute(
            "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind = 'r' AND n.nspname IN ('wallets', 'bench') ORDER BY 1, 2").fetchall():
        name = sql.Identifier(schema, table)
        if conn.execute(sql.SQL("SELECT EXISTS (SELECT FROM {})").format(name)).fetchone() == (True,):
            filled.append(name)
    if filled:
        conn.execute(sql.SQL("VACUUM ANALYZE {}").format(sql.SQL(", ").join(filled)))


def _load_average() -> list[float] | None:
    """1, 5 and 15 minute load averages: other work on the machine skews every number."""
    try:
        return [round(value, 2) for value in os.getloadavg()]
    except OSError:
        return None


def source_version(root: Path) -> dict[str, Any]:
    """The commit measured, and whether sql/ differs from it (the run installs the working tree)."""
    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=False)
        except OSError:
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    status = git("status", "--porcelain", "--", "sql")
    return {"commit": git("rev-parse", "HEAD"), "sql_modified": None if status is None else bool(status)}


def timestamp() -> str:
    """Now, in UTC, as the reports print it."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Harness:
    def __init__(self, options: Options, echo: Callable[[str], None]) -> None:
        self.options = options
        self.echo = echo
        self.sizes = SMOKE_SIZES if options.smoke else FULL_SIZES
        self.root = repository_root()
        self.scenario_dir = self.root / "bench" / "scenarios"
        self.results: list[RunResult] = []
        self.paired: list[RunResult] = []  # the runs behind the targets (Comparison)
        self.pgbench_runs = 0
        self.problems: list[str] = []
        self.groups: dict[str, tuple[int, int]] = {}  # name -> (first id, count)
        self.sampled: dict[str, int] = {}  # group -> a wallet whose ledger wallets.check() verifies at the end
        self.run_number = 0
        self.phases: dict[str, float] = {}  # where the run's time went, in seconds
        self.drift: dict[str, Any] | None = None  # the minimal write measured again at the end
        self.pgbench = server_tool("pgbench")
        self.psql = server_tool("psql")
        self.cores = os.cpu_count() or 1

    def say(self, message: str) -> None:
        self.echo(message)

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        started = time.monotonic()
        try:
            yield
        finally:
            self.phases[name] = round(self.phases.get(name, 0.0) + time.monotonic() - started, 1)

    # -- database ----------------------------------------------------------------------------

    def create_database(self, server: str, name: str) -> str:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            try:  # the sessions of the runs time their WAL flushes (RunResult.wal_flush_us); superuser only
                conn.execute(sql.SQL("ALTER DATABASE {} SET track_wal_io_timing = on").format(sql.Identifier(name)))
            except psycopg.errors.InsufficientPrivilege:
                pass
        return cluster.database_url(name, server)

    def drop_database(self, server: str, name: str) -> None:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    def psql_file(self, url: str, path: Path) -> None:
        result = subprocess.run([self.psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-f", str(path)],
                                capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise BenchError(f"psql -f {path} failed: {result.stderr.strip()}")

    # -- machine -----------------------------------------------------------------------------

    def machine(self, conn: psycopg.Connection[Any]) -> dict[str, Any]:
        settings = {name: str(_one(conn, "SELECT current_setting(%s)", (name,))) for name in SETTINGS}
        cpu_model = None
        try:
            for line in Path("/proc/cpuinfo").read_text().splitlines():
                if line.startswith("model name"):
                    cpu_model = line.split(":", 1)[1].strip()
                    break
        except OSError:
            pass
        memory = None
        try:
            for line in Path("/proc/meminfo").read_text().splitlines():
                if line.startswith("MemTotal:"):
                    memory = f"{int(line.split()[1]) // 1024} MB"
        except OSError:
            pass
        pgbench_version = subprocess.run([self.pgbench, "--version"], capture_output=True, text=True, check=False).stdout.strip()
        data_directory = None
        try:
            data_directory = str(_one(conn, "SELECT current_setting('data_directory')"))
        except psycopg.Error:
            pass
        return {
            "recorded_at": timestamp(),
            "load_average": _load_average(),
            "cores": self.cores,
            "cpu": cpu_model,
            "memory": memory,
            "platform": platform.platform(),
            "python": platform.python_version(),
            "pgbench": pgbench_version,
            "server_is_local": bool(data_directory and Path(data_directory).is_dir()),
            "postgresql": settings,
            "fsync": self.fsync_latency(data_directory, settings["wal_sync_method"]),
        }

    def fsync_latency(self, data_directory: str | None, method: str) -> dict[str, Any]:
        """pg_test_fsync -s 1 on a file next to the data directory (same filesystem as the WAL):
        the ops/s and µs/op of the server's wal_sync_method for one 8kB write."""
        if self.options.smoke:
            return {"method": method, "skipped": "smoke run"}
        if not data_directory or not Path(data_directory).is_dir():
            return {"method": method, "skipped": "the server's data directory is not on this machine"}
        data = Path(data_directory)
        wal = (data / "pg_wal").resolve()
        folder = data.parent
        try:
            if not os.access(folder, os.W_OK) or folder.stat().st_dev != wal.stat().st_dev:
                return {"method": method, "skipped": f"no writable folder on the WAL's filesystem ({folder})"}
        except OSError as error:
            return {"method": method, "skipped": str(error)}
        probe = folder / f"pgwallets_bench_fsync_{os.getpid()}.tmp"
        self.say(f"pg_test_fsync -s 1 -f {probe} ...")
        try:
            result = subprocess.run([server_tool("pg_test_fsync"), "-s", "1", "-f", str(probe)],
                                    capture_output=True, text=True, check=False, timeout=300)
        except (BenchError, subprocess.TimeoutExpired) as error:
            return {"method": method, "skipped": str(error)}
        finally:
            probe.unlink(missing_ok=True)
        if result.returncode != 0:
            return {"method": method, "skipped": f"pg_test_fsync failed: {result.stderr.strip()[-300:]}"}
        report = parse_pg_test_fsync(result.stdout)
        chosen = fsync_of_method(report, method) or {}
        return {"method": method, "file": str(probe), "seconds_per_test": 1, **chosen, "report": report}

    # -- fixtures ------------------------------------------------------------------------------

    def group(self, conn: psycopg.Connection[Any], name: str, count: int, credit: int | None = None) -> tuple[int, int]:
        """`count` wallets with consecutive ids, each with one bucket of `credit` (None: empty)."""
        if name not in self.groups:
            first = int(_one(conn, "SELECT bench.open_wallets(%s, %s)", (name, count)))
            if credit:
                conn.execute("SELECT bench.top_up(%s, %s, 1, %s)", (first, first + count - 1, credit))
            self.groups[name] = (first, count)
            self.sampled[name] = first
        return self.groups[name]

    def uniform_or_hot(self, conn: psycopg.Connection[Any], name: str, variant: str,
                       credit: int | None) -> dict[str, int]:
        first, count = self.group(conn, name if variant == "uniform" else f"{name}-hot",
                                  self.sizes.wallets if variant == "uniform" else 1, credit)
        return {"lo": first, "hi": first + count - 1}

    def prepare(self, conn: psycopg.Connection[Any], scenario: Scenario, variant: str, clients: int,
                top_up: bool = True) -> dict[str, int]:
        """Load what a run needs (once) and return its pgbench variables (-D). The buckets of the
        3-bucket debits are topped up right before each run, unless top_up is false."""
        name = scenario.name
        if name in ("raw_update", "ledger_write", "hold_capture_rows"):
            return {"lo": 1, "hi": 10_000} if variant == "uniform" else {"lo": 0, "hi": 0}
        if name == "transfer_rows":  # accounts as transfer picks wallets; hot: from account 0
            ends = {"to_lo": 1, "to_n": 10_000}
            return {"lo": 1, "hi": 10_000, **ends} if variant == "uniform" else {"lo": 0, "hi": 0, **ends}
        if name == "credit":
            return self.uniform_or_hot(conn, "credit", variant, None)
        # An operation's floors and bounds (its floor_of scenarios) share its fixture; the *_rows
        # floors, which write the bench's own tables, returned above.
        if name in ("debit", "balance") or "hold_capture" in (name, scenario.floor_of):
            return self.uniform_or_hot(conn, name, variant, LARGE_CREDIT)
        if name == "debit_idempotent":
            self.run_number += 1
            return {**self.uniform_or_hot(conn, name, variant, LARGE_CREDIT), "run": self.run_number, "seq": 0}
        if "transfer" in (name, scenario.floor_of):
            first, count = self.group(conn, name, self.sizes.wallets, LARGE_CREDIT)
            ends = {"to_lo": first, "to_n": count}
            if variant == "uniform":
                return {"lo": first, "hi": first + count - 1, **ends}
            hot, _ = self.group(conn, f"{name}-hot", 1, LARGE_CREDIT)  # opened after: outside the range
            return {"lo": hot, "hi": hot, **ends}
        if "debit_3_buckets" in (name, scenario.floor_of):
            wallets = self.uniform_or_hot(conn, name, variant, None)
            if top_up:
                self.top_up_unit_buckets(conn, wallets, variant, clients)
            return wallets
        if name == "debit_many":
            return {**self.uniform_or_hot(conn, "debit_many", variant, LARGE_CREDIT), "items": BATCH_ITEMS}
        if name == "debit_buckets":
            if variant == "one_bucket":
                first, _ = self.group(conn, "debit-1-bucket", 1, LARGE_CREDIT)
            elif "debit-10k-buckets" in self.groups:
                first, _ = self.groups["debit-10k-buckets"]
            else:
                first, _ = self.group(conn, "debit-10k-buckets", 1, None)
                # Live buckets expiring a minute apart from ten years on, each ample for every debit.
                conn.execute("SELECT bench.top_up(%s, %s, %s, %s, now() + interval '10 years', interval '1 minute')",
                             (first, first, self.sizes.live_buckets, LARGE_CREDIT // self.sizes.live_buckets))
            return {"lo": first, "hi": first}
        if name == "balance_entries":
            if variant == "one_entry":
                first, _ = self.group(conn, "balance-1-entry", 1, LARGE_CREDIT)
            elif "balance-many-entries" in self.groups:
                first, _ = self.groups["balance-many-entries"]
            else:
                first, _ = self.group(conn, "balance-many-entries", 1, None)
                self.say(f"loading a wallet with {self.sizes.history_entries:,} entries ...")
                conn.execute("SELECT bench.load_history(%s, %s, %s)", (first, self.sizes.history_entries, LARGE_CREDIT))
                if not self.options.smoke:  # wallets.check() of a million entries takes too long
                    del self.sampled["balance-many-entries"]
            return {"lo": first, "hi": first}
        raise BenchError(f"no fixture for scenario {name}")

    def top_up_unit_buckets(self, conn: psycopg.Connection[Any], wallets: dict[str, int], variant: str,
                            clients: int) -> None:
        """Enough buckets of 1 for a whole run of 3-bucket debits: sized from this run's single-bucket
        debit rate (an upper bound) with 50 % to spare, per wallet by a Poisson tail bound."""
        reference = find_result(self.results, "debit", variant, clients)
        rate = reference.ops_per_s if reference and reference.ops_per_s else FALLBACK_DEBIT_RATE
        debits = rate * self.options.duration * 1.5 + 100
        count = wallets["hi"] - wallets["lo"] + 1
        per_wallet = debits / count
        buckets = 3 * math.ceil(per_wallet + 6 * math.sqrt(per_wallet) + 6)
        started = time.monotonic()
        posted = int(_one(conn, "SELECT bench.top_up(%s, %s, %s, 1)", (wallets["lo"], wallets["hi"], buckets)))
        if posted:
            self.say(f"  topped up {count:,} wallet(s) to {buckets:,} buckets of 1: {posted:,} credits posted "
                     f"in {time.monotonic() - started:.1f} s")

    # -- pgbench -------------------------------------------------------------------------------

    def run_pgbench(self, url: str, scenario: Scenario, variant: str, clients: int, variables: dict[str, int],
                    logs: Path) -> RunResult:
        self.pgbench_runs += 1  # a run's own log prefix: read_pgbench_logs reads every file of one
        prefix = logs / f"{self.pgbench_runs:03d}_{scenario.name}_{variant}_{clients}"
        command = [self.pgbench, "-n", "-M", "prepared", "-c", str(clients), "-j", str(min(clients, self.cores)),
                   "-T", str(self.options.duration), f"--max-tries={MAX_TRIES}", "--failures-detailed",
                   "-l", f"--log-prefix={prefix}", "-f", str(self.scenario_dir / scenario.script)]
        command += [f"--define={key}={value}" for key, value in variables.items()]
        command.append(url)
        result = RunResult(scenario.name, variant, clients, self.options.duration, scenario.ops_per_transaction)
        try:
            done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=self.options.duration + 300)
        except subprocess.TimeoutExpired:
            result.error = "pgbench did not finish in time"
            return result
        summary = parse_pgbench_output(done.stdout)
        logged = read_pgbench_logs(prefix)
        result.transactions = int(summary.get("processed", logged.transactions))
        result.tps = summary.get("tps")
        if result.tps is None and logged.transactions:
            result.tps = logged.transactions / self.options.duration
        if result.tps is not None:
            result.ops_per_s = result.tps * scenario.ops_per_transaction
        result.p50_ms = logged.latency_ms(50)
        result.p99_ms = logged.latency_ms(99)
        result.failures = int(summary.get("failed", logged.failed))
        result.retried = int(summary.get("retried", logged.retried))
        result.retries = int(summary.get("retries", 0))
        result.aborted_clients = aborted_clients(done.stderr)
        if done.returncode != 0 or result.aborted_clients:
            lines = [line for line in done.stderr.splitlines() if "error" in line.lower()]
            result.error = (f"pgbench exit status {done.returncode}: "
                            + ("; ".join(dict.fromkeys(lines[:3])) or done.stderr.strip()[-500:]))
        return result

    def run_scenarios(self, conn: psycopg.Connection[Any], url: str, logs: Path) -> None:
        plan: list[tuple[Scenario, str, int]] = []
        for scenario in SCENARIOS:
            if not self.options.selected(scenario.name):
                continue
            if scenario.requires and not _one(conn, "SELECT to_regprocedure(%s) IS NOT NULL", (scenario.requires,)):
                for variant in scenario.variants:
                    self.results.append(RunResult(scenario.name, variant, 1, self.options.duration,
                                                  scenario.ops_per_transaction, skipped=f"{scenario.requires} missing"))
                self.say(f"{scenario.name}: skipped, {scenario.requires} does not exist")
                continue
            counts = (1,) if scenario.single_client or self.options.smoke else self.options.clients
            plan += [(scenario, variant, count) for variant in scenario.variants for count in counts]

        # Everything but the per-run top-ups is loaded first, then vacuumed and analyzed once.
        with self.phase("load"):
            started = time.monotonic()
            self.say("loading wallets ...")
            for scenario, variant, clients in plan:
                self.prepare(conn, scenario, variant, clients, top_up=False)
            vacuum_analyze_filled(conn)
            self.say(f"loaded in {time.monotonic() - started:.1f} s")
        with self.phase("pgbench runs"):
            for index, (scenario, variant, clients) in enumerate(plan, 1):
                self.results.append(self.run_one(conn, url, logs, scenario, variant, clients, f"{index}/{len(plan)}"))
            target = target_clients(self.results)
            if target is not None and self.options.rounds:
                self.run_paired(conn, url, logs, target)
            if not self.options.smoke and target is not None:
                # The minimal write once more, at the targets' client count, to tell how much the
                # machine's speed moved during the run (see baseline_drift).
                again = [self.run_one(conn, url, logs, SCENARIOS_BY_NAME["ledger_write"], variant, target, "again")
                         for variant in SCENARIOS_BY_NAME["ledger_write"].variants]
                self.drift = baseline_drift(self.results, again)

    def run_paired(self, conn: psycopg.Connection[Any], url: str, logs: Path, clients: int) -> None:
        """Each Comparison whose two scenarios ran in the table: `rounds` rounds of the scenario and
        its reference back to back, the reference first in odd rounds and second in even ones."""
        comparisons = [c for c in COMPARISONS if find_result(self.results, c.scenario, c.variant, clients)
                       and find_result(self.results, c.reference, c.variant, clients)]
        for position, comparison in enumerate(comparisons, 1):
            for number in range(1, self.options.rounds + 1):
                pair = (comparison.reference, comparison.scenario)
                for name in pair if number % 2 else reversed(pair):
                    outcome = self.run_one(conn, url, logs, SCENARIOS_BY_NAME[name], comparison.variant, clients,
                                           f"pair {position}/{len(comparisons)}, round {number}/{self.options.rounds}")
                    outcome.comparison, outcome.round = comparison.name, number
                    self.paired.append(outcome)

    def run_one(self, conn: psycopg.Connection[Any], url: str, logs: Path, scenario: Scenario, variant: str,
                clients: int, position: str) -> RunResult:
        """One pgbench run with its fixture, WAL counts and progress line."""
        label = f"[{position}] {scenario.name} ({variant_label(variant, self.sizes)}), {_clients(clients)}"
        variables = self.prepare(conn, scenario, variant, clients)
        if not self.options.smoke:
            conn.execute("CHECKPOINT")
        wal_before = self.wal_written(conn)
        outcome = self.run_pgbench(url, scenario, variant, clients, variables, logs)
        operations = outcome.transactions * outcome.ops_per_transaction
        if operations:
            records, size, flushes, flush_ms = (after - before for after, before in zip(self.wal_written(conn), wal_before))
            outcome.wal_records_per_op = records / operations
            outcome.wal_bytes_per_op = size / operations
            if flushes and flush_ms:
                outcome.wal_flush_us = 1000 * flush_ms / flushes
        self.say(f"{label}: {_number(outcome.ops_per_s)} ops/s, p50 {_number(outcome.p50_ms, 3)} ms, "
                 f"p99 {_number(outcome.p99_ms, 3)} ms, {outcome.failures} failed, {outcome.retried} retried")
        if outcome.error:
            self.problems.append(f"{scenario.name} ({variant}, {clients} clients): {outcome.error}")
            self.say(f"  error: {outcome.error}")
        return outcome

    def wal_written(self, conn: psycopg.Connection[Any]) -> tuple[float, float, float, float]:
        """WAL records, bytes, flushes and milliseconds spent flushing so far, once every other
        session of the database has ended: a backend reports its WAL counts when it exits, and
        pgbench does not wait for that."""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and _one(
                conn, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
                      "AND backend_type = 'client backend'"):
            time.sleep(0.05)
        row = conn.execute("SELECT wal_records, wal_bytes, wal_sync, wal_sync_time FROM pg_stat_wal").fetchone()
        if row is None:
            return 0.0, 0.0, 0.0, 0.0
        records, size, flushes, flush_ms = row
        return float(records), float(size), float(flushes), float(flush_ms)

    # -- Python-measured scenarios --------------------------------------------------------------

    def schema_size(self, conn: psycopg.Connection[Any]) -> dict[str, int]:
        """VACUUM FULL every table of schema wallets, then each table's size with its indexes."""
        tables = [row[0] for row in conn.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'wallets' AND c.relkind = 'r' ORDER BY c.relname").fetchall()]
        conn.execute(sql.SQL("VACUUM FULL {}").format(
            sql.SQL(", ").join(sql.Identifier("wallets", table) for table in tables)))
        return {table: int(_one(conn, "SELECT pg_total_relation_size(%s::regclass)", (f"wallets.{table}",)))
                for table in tables}

    def bytes_per_op(self, conn: psycopg.Connection[Any]) -> dict[str, Any]:
        """Database bytes each kind of operation adds, from the size of the wallets schema's tables
        and indexes (after VACUUM FULL) before and after N operations spread over W wallets (one
        statement per kind; a wallet's own writes in one transaction would chain its row versions)."""
        n, w = self.sizes.bytes_operations, self.sizes.bytes_wallets
        self.say(f"bytes per operation: {n:,} operations of each kind over {w:,} wallets ...")
        wallet = "%(lo)s + g %% %(w)s"  # g = 0 .. calls - 1
        # kind, calls, the lateral call posting one operation (or a batch), credit per wallet, buckets of 1
        kinds: list[tuple[str, int, str, int | None, int]] = [
            ("credit", n, f"wallets.credit({wallet}, 1)", None, 0),
            ("debit (1 bucket)", n, f"wallets.debit({wallet}, 1)", LARGE_CREDIT, 0),
            ("debit (3 buckets)", n, f"wallets.debit({wallet}, 3)", None, 3 * math.ceil(n / w) + 3),
            ("debit with idempotency key", n, f"wallets.debit({wallet}, 1, 'debit', '{{}}', 'bytes-' || g)",
             LARGE_CREDIT, 0),
            ("transfer", n, f"wallets.transfer({wallet}, %(lo)s + (g + 1) %% %(w)s, 1)", LARGE_CREDIT, 0),
            ("hold + capture", n, f"wallets.hold({wallet}, 1) h CROSS JOIN LATERAL wallets.capture(h.id)",
             LARGE_CREDIT, 0),
        ]
        if _one(conn, "SELECT to_regprocedure(%s) IS NOT NULL", (SCENARIOS_BY_NAME["debit_many"].requires,)):
            kinds.append((f"debit_many item ({BATCH_ITEMS} per call)", n // BATCH_ITEMS,
                          (f"wallets.debit_many(array_fill(({wallet})::bigint, ARRAY[{BATCH_ITEMS}]), "
                           f"array_fill(1::bigint, ARRAY[{BATCH_ITEMS}])) d"), LARGE_CREDIT, 0))
        measured: list[dict[str, Any]] = []
        for index, (kind, calls, call, credit, unit_buckets) in enumerate(kinds):
            lo, _ = self.group(conn, f"bytes-{index}", w, credit)
            if unit_buckets:
                conn.execute("SELECT bench.top_up(%s, %s, %s, 1)", (lo, lo + w - 1, unit_buckets))
            operations = calls * (BATCH_ITEMS if kind.startswith("debit_many") else 1)
            before = self.schema_size(conn)
            # count(*) counts one row per operation (debit_many: per item), errors excluded.
            posted = int(_one(conn, f"SELECT count(*) FROM generate_series(0, %(calls)s - 1) g CROSS JOIN LATERAL "
                                    f"{call}" + (" WHERE d.error_code IS NULL" if kind.startswith("debit_many") else ""),
                              {"calls": calls, "w": w, "lo": lo}))
            if posted != operations:
                raise BenchError(f"bytes per operation: {kind} posted {posted} of {operations}")
            after = self.schema_size(conn)
            total = sum(after.values()) - sum(before.values())
            by_table = {table: (after[table] - before.get(table, 0)) / operations for table in after}
            measured.append({"kind": kind, "operations": operations, "bytes_per_op": total / operations,
                             "by_table": {t: round(v, 1) for t, v in sorted(by_table.items(), key=lambda kv: -kv[1])}})
            self.say(f"  {kind}: {total / operations:,.0f} bytes/op")
        return {"operations": n, "wallets": w, "kinds": measured}

    def expire_due(self, conn: psycopg.Connection[Any]) -> dict[str, Any]:
        """wallets.expire_due(10000) until it returns 0, over due buckets loaded for it, in buckets/s,
        against a bulk INSERT of as many rows."""
        wallets, per_wallet = self.sizes.expire_wallets, self.sizes.expire_per_wallet
        buckets = wallets * per_wallet
        batch = 10_000
        self.say(f"expire_due: loading {buckets:,} expiring buckets in {wallets:,} wallets ...")
        first, _ = self.group(conn, "expire", wallets, None)
        started = time.monotonic()
        # Expiring one to two days from now, a second apart within a wallet.
        conn.execute("SELECT bench.top_up(%s, %s, %s, 5, now() + interval '1 day', interval '1 second')",
                     (first, first + wallets - 1, per_wallet))
        self.say(f"  loaded in {time.monotonic() - started:.1f} s")
        conn.execute("VACUUM ANALYZE wallets.transactions, wallets.bucket_state, wallets.wallets")

        conn.execute("CHECKPOINT")
        started = time.monotonic()
        inserted = conn.execute(
            "INSERT INTO bench.bulk_entries (account_id, amount, balance_after) "
            "SELECT g %% 10000, -5, g FROM generate_series(1, %s) g", (buckets,)).rowcount
        bulk_seconds = time.monotonic() - started

        conn.execute("CHECKPOINT")
        # Past every loaded bucket, before the live buckets of debit_buckets (ten years on).
        conn.execute("SELECT set_config('wallets.clock', (now() + interval '3 days')::text, false)")
        calls = expired = 0
        started = time.monotonic()
        while True:
            calls += 1
            count = int(_one(conn, "SELECT wallets.expire_due(%s)", (batch,)))
            expired += count
            if count == 0:
                break
        seconds = time.monotonic() - started
        conn.execute("RESET wallets.clock")
        left = int(_one(conn, "SELECT count(*) FROM wallets.bucket_state WHERE wallet_id BETWEEN %s AND %s "
                              "AND remaining > 0", (first, first + wallets - 1)))
        if left:
            self.problems.append(f"expire_due left {left:,} due buckets unexpired")
        self.say(f"  expired {expired:,} buckets in {seconds:.1f} s ({calls} calls)")
        per_s = expired / seconds if seconds else None
        bulk_per_s = inserted / bulk_seconds if bulk_seconds else None
        return {"wallets": wallets, "buckets": buckets, "expired": expired, "left_unexpired": left,
                "batch_size": batch, "calls": calls, "seconds": round(seconds, 3), "buckets_per_s": per_s,
                "bulk_rows": inserted, "bulk_seconds": round(bulk_seconds, 3), "bulk_rows_per_s": bulk_per_s,
                "ratio_to_bulk_insert": per_s / bulk_per_s if per_s and bulk_per_s else None}

    #: The groups whose first wallet wallets.check() verifies at the end (each check reads whole
    #: tables, so a sample): every way the loaders write (buckets of 1 topped up run after run,
    #: expiring buckets, then expire_due over them, a long history) and the hot transfers, which
    #: write the most kinds of rows on a wallet loaded with one large credit. The wallet of a
    #: million entries is only checked in smoke runs, where it has 10,000.
    CHECKED_GROUPS = ("debit_3_buckets", "debit_3_buckets_bound", "debit-10k-buckets", "transfer-hot", "expire",
                      "balance-many-entries")

    def check_sample(self, conn: psycopg.Connection[Any]) -> None:
        """wallets.check() on sample wallets: the loaders and the scenarios must leave a consistent ledger."""
        sample = {name: wallet for name, wallet in self.sampled.items() if name in self.CHECKED_GROUPS}
        if not sample:
            return
        started = time.monotonic()
        found = 0
        conn.execute("SET jit = off")
        for name, wallet_id in sample.items():
            rows = conn.execute("SELECT problem FROM wallets.check(%s) LIMIT 5", (wallet_id,)).fetchall()
            for row in rows:
                found += 1
                self.problems.append(f"wallets.check({wallet_id}) ({name}): {row[0]}")
        conn.execute("RESET jit")
        self.say(f"wallets.check() on {len(sample)} sample wallets: {'consistent' if not found else 'PROBLEMS'} "
                 f"({time.monotonic() - started:.1f} s)")

    # -- the run -------------------------------------------------------------------------------

    def run(self, output: Path) -> int:
        started_at, started = timestamp(), time.monotonic()
        source = source_version(self.root)  # what install.sql installs: the working tree at this commit
        server = cluster.server_url()
        name = SMOKE_DATABASE if self.options.smoke else DATABASE
        logs = Path(tempfile.mkdtemp(prefix="pgwallets-bench-logs-"))
        expire: dict[str, Any] | None = None
        sizes_doc: dict[str, Any] | None = None
        self.say(f"pgwallets bench{' --smoke' if self.options.smoke else ''}: database {name}, "
                 f"{self.options.duration} s per run, output {output}")
        try:
            with self.phase("machine and pg_test_fsync"), psycopg.connect(server, autocommit=True) as server_conn:
                machine = self.machine(server_conn)
            url = self.create_database(server, name)
            try:
                with self.phase("install"):
                    self.psql_file(url, self.root / "sql" / "install.sql")
                    self.psql_file(url, self.root / "bench" / "setup.sql")
                with psycopg.connect(url, autocommit=True) as conn:
                    if self.options.selected("bytes_per_op"):
                        try:
                            with self.phase("bytes_per_op"):
                                sizes_doc = self.bytes_per_op(conn)
                        except (BenchError, psycopg.Error) as error:
                            self.problems.append(f"bytes per operation: {error}")
                            sizes_doc = {"operations": self.sizes.bytes_operations, "kinds": [], "error": str(error)}
                    vacuum_analyze_filled(conn)
                    self.run_scenarios(conn, url, logs)
                    if self.options.selected("expire_due"):
                        try:
                            with self.phase("expire_due"):
                                expire = self.expire_due(conn)
                        except (BenchError, psycopg.Error) as error:
                            self.problems.append(f"expire_due: {error}")
                            expire = {"error": str(error)}
                    with self.phase("wallets.check"):
                        self.check_sample(conn)
            finally:
                self.drop_database(server, name)
        except psycopg.Error as error:
            raise BenchError(f"database error: {error}") from error

        add_ratios(self.results)
        document = results_document(
            started_at=started_at, finished_at=timestamp(), runtime_s=time.monotonic() - started,
            options=self.options, sizes=self.sizes, machine=machine, results=self.results, expire_due=expire,
            bytes_per_op=sizes_doc, targets=evaluate_targets(self.results, self.paired), problems=self.problems,
            phases=self.phases, source=source, drift=self.drift, paired=self.paired)
        report = format_report(document)
        output.mkdir(parents=True, exist_ok=True)
        (output / "latest.json").write_text(json.dumps(document, indent=2) + "\n")
        (output / "machine.json").write_text(json.dumps(machine, indent=2) + "\n")
        (output / "latest.txt").write_text(report + "\n")
        written = ["latest.json", "latest.txt", "machine.json"]
        try:
            plot(document, output / "throughput.png")
            written.append("throughput.png")
        except ImportError:
            self.say("matplotlib is missing (pip install 'pgwallets[bench]'): no throughput.png")
        self.say("")
        self.say(report)
        self.say(f"written to {output}: {', '.join(written)}")
        if self.problems:
            self.say(f"pgbench logs kept in {logs}")
            return 1
        shutil.rmtree(logs, ignore_errors=True)
        return 0


def run(options: Options, echo: Callable[[str], None] = print) -> int:
    """Run the benchmark; 0 when every run completed (no aborted client, consistent ledger)."""
    root = repository_root()
    committed = (root / "bench" / "results").resolve()
    if options.smoke:
        output = options.output or Path(tempfile.mkdtemp(prefix="pgwallets-bench-smoke-"))
        if output.resolve() == committed:
            raise BenchError("a smoke run never writes into bench/results/: give another --output")
    else:
        output = options.output or committed
    return Harness(options, echo).run(output)
