"""The benchmark harness's pure-Python pieces: percentiles from pgbench's per-transaction log,
pgbench and pg_test_fsync output parsing, ratios and the results JSON. No database, no timing:
`pgwallets bench --smoke` (a step of scripts/run-tests) proves the harness runs end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import ROOT
from pgwallets import bench
from pgwallets.bench import RunResult

# pgbench -l with --max-tries=10 --failures-detailed: client_id transaction_no time script_no
# time_epoch time_us retries; time is the latency in µs, or the kind of failure.
SAMPLE_LOG = """\
0 1 812 0 1795310289 230636 0
1 1 1204 0 1795310289 230675 0
0 2 655 0 1795310289 231791 1
1 2 serialization 0 1795310289 232000 9
0 3 2400 0 1795310289 234191 0
1 3 deadlock 0 1795310289 236000 9
0 4 990 0 1795310289 235181 0
"""

SAMPLE_OUTPUT = """\
pgbench (15.20 (Debian 15.20-0+deb12u1))
transaction type: bench/scenarios/debit.sql
scaling factor: 1
query mode: prepared
number of clients: 8
number of threads: 2
maximum number of tries: 10
duration: 10 s
number of transactions actually processed: 20735
number of failed transactions: 2 (0.010%)
number of serialization failures: 0 (0.000%)
number of deadlock failures: 2 (0.010%)
number of transactions retried: 31 (0.149%)
total number of retries: 40
latency average = 3.859 ms
initial connection time = 12.004 ms
tps = 2073.071593 (without initial connection time)
"""

SAMPLE_FSYNC = """\
1 second per test
O_DIRECT supported on this platform for open_datasync and open_sync.

Compare file sync methods using one 8kB write:
(in wal_sync_method preference order, except fdatasync is Linux's default)
        open_datasync                      8242.209 ops/sec     121 usecs/op
        fdatasync                          8098.441 ops/sec     123 usecs/op
        fsync                              7946.563 ops/sec     126 usecs/op
        fsync_writethrough                              n/a
        open_sync                          8731.022 ops/sec     115 usecs/op

Compare file sync methods using two 8kB writes:
(in wal_sync_method preference order, except fdatasync is Linux's default)
        open_datasync                      4162.280 ops/sec     240 usecs/op
        fdatasync                          5700.715 ops/sec     175 usecs/op

Compare open_sync with different write sizes:
(This is designed to compare the cost of writing 16kB in different write
open_sync sizes.)
         1 * 16kB open_sync write          5278.541 ops/sec     189 usecs/op
         2 *  8kB open_sync writes         2687.309 ops/sec     372 usecs/op

Non-sync'ed 8kB writes:
        write                           3436965.210 ops/sec       0 usecs/op
"""


def test_percentile_is_the_nearest_rank() -> None:
    values = list(range(1, 101))
    assert bench.percentile(values, 50) == 50
    assert bench.percentile(values, 99) == 99
    assert bench.percentile(values, 100) == 100
    assert bench.percentile([7], 50) == 7
    assert bench.percentile([7], 99) == 7
    assert bench.percentile([1, 2, 3], 50) == 2
    assert bench.percentile([1, 2, 3, 4], 50) == 2
    assert bench.percentile([], 50) is None
    with pytest.raises(ValueError):
        bench.percentile(values, 0)


def test_the_log_gives_latencies_of_successes_failures_and_retries() -> None:
    summary = bench.parse_pgbench_log(SAMPLE_LOG.splitlines())
    assert summary.latencies_us == [655, 812, 990, 1204, 2400]
    assert summary.transactions == 5
    assert summary.failed == 2
    assert summary.retried == 3  # one success after a retry, two failures after their tries
    assert summary.latency_ms(50) == 0.99
    assert summary.latency_ms(99) == 2.4


def test_the_logs_of_every_thread_are_read(tmp_path: Path) -> None:
    lines = SAMPLE_LOG.splitlines()
    (tmp_path / "debit_uniform_8.4242").write_text("\n".join(lines[:3]) + "\n")
    (tmp_path / "debit_uniform_8.4242.1").write_text("\n".join(lines[3:]) + "\n")
    (tmp_path / "debit_uniform_80.4243").write_text(lines[0] + "\n")  # another run's prefix
    summary = bench.read_pgbench_logs(tmp_path / "debit_uniform_8")
    assert summary.transactions == 5 and summary.failed == 2


def test_the_pgbench_summary_is_parsed() -> None:
    parsed = bench.parse_pgbench_output(SAMPLE_OUTPUT)
    assert parsed == {"processed": 20735, "failed": 2, "serialization_failures": 0, "deadlock_failures": 2,
                      "retried": 31, "retries": 40, "latency_average_ms": 3.859, "tps": 2073.071593}
    stderr = ("pgbench: error: client 3 script 0 aborted in command 1 query 0: ERROR:  WL001 ...\n"
              "pgbench: error: client 5 script 0 aborted in command 1 query 0: ERROR:  WL001 ...\n"
              "pgbench: error: Run was aborted; the above results are incomplete.\n")
    assert bench.aborted_clients(stderr) == 2
    assert bench.aborted_clients("") == 0


def test_pg_test_fsync_is_read_for_the_servers_method() -> None:
    report = bench.parse_pg_test_fsync(SAMPLE_FSYNC)
    one_write = report["Compare file sync methods using one 8kB write"]
    assert set(one_write) == {"open_datasync", "fdatasync", "fsync", "open_sync"}  # n/a left out
    assert bench.fsync_of_method(report, "fdatasync") == {"ops_per_s": 8098.441, "usecs_per_op": 123}
    assert bench.fsync_of_method(report, "fsync_writethrough") is None
    assert report["Compare open_sync with different write sizes"]["2 *  8kB open_sync writes"]["usecs_per_op"] == 372


def test_options_are_parsed() -> None:
    assert bench.parse_clients("32,1, 8,8") == (1, 8, 32)
    for bad in ("", "0", "a,b"):
        with pytest.raises(ValueError):
            bench.parse_clients(bad)
    assert bench.parse_only("credit,expire_due,credit") == ("credit", "expire_due")
    with pytest.raises(ValueError, match="scenarios: raw_update"):
        bench.parse_only("credit,nope")
    only = bench.Options(only=("credit",))
    assert only.selected("credit") and only.selected("ledger_write") and only.selected("raw_update")
    assert not only.selected("debit")


def test_a_smoke_run_never_writes_into_bench_results() -> None:
    with pytest.raises(bench.BenchError, match="never writes into bench/results"):
        bench.run(bench.Options(duration=1, clients=(1,), smoke=True, output=ROOT / "bench" / "results"))


def run_result(scenario: str, variant: str, clients: int, ops: float, p50: float = 1.0,
               per_transaction: int = 1) -> RunResult:
    return RunResult(scenario, variant, clients, 10, per_transaction, transactions=int(ops * 10),
                     tps=ops / per_transaction, ops_per_s=ops, p50_ms=p50, p99_ms=p50 * 3)


def sample_results() -> list[RunResult]:
    results = []
    for clients in (1, 8):
        results += [
            run_result("raw_update", "uniform", clients, 4000), run_result("raw_update", "hot", clients, 3000),
            run_result("ledger_write", "uniform", clients, 2000), run_result("ledger_write", "hot", clients, 1000),
            run_result("credit", "uniform", clients, 1800), run_result("debit", "uniform", clients, 1000),
            run_result("debit", "hot", clients, 500), run_result("debit_idempotent", "uniform", clients, 800),
            run_result("debit_many", "hot", clients, 12000, per_transaction=100),
        ]
    results += [run_result("debit_buckets", "one_bucket", 1, 900, p50=0.5),
                run_result("debit_buckets", "10k_buckets", 1, 800, p50=0.6),
                RunResult("transfer", "uniform", 8, 10, error="pgbench exit status 2: client 1 aborted")]
    return results


def test_ratios_use_the_baselines_of_the_same_distribution_and_client_count() -> None:
    results = sample_results()
    bench.add_ratios(results)
    credit = bench.find_result(results, "credit", "uniform", 8)
    assert credit is not None and credit.vs_minimal_write == pytest.approx(0.9)
    assert credit.vs_raw_update == pytest.approx(0.45)
    hot = bench.find_result(results, "debit", "hot", 8)
    assert hot is not None and hot.vs_minimal_write == pytest.approx(0.5)
    single_wallet = bench.find_result(results, "debit_buckets", "10k_buckets", 1)
    assert single_wallet is not None and single_wallet.vs_minimal_write == pytest.approx(0.8)  # hot baseline
    assert bench.find_result(results, "transfer", "uniform", 8) is None  # failed runs are not compared


def test_targets_report_each_goal_with_its_numbers() -> None:
    results = sample_results()
    bench.add_ratios(results)
    targets = {target["name"]: target for target in bench.evaluate_targets(results)}
    assert all(set(target) == {"name", "target", "value", "met", "detail"} for target in targets.values())
    credit = targets["credit vs minimal write (uniform, 8 clients)"]
    assert credit["value"] == pytest.approx(0.9) and credit["met"] is True
    many = targets["debit_many(100) vs single debit, ops/s (hot, 8 clients)"]
    assert many["value"] == pytest.approx(24)
    overhead = targets["idempotency key overhead on debit (uniform, 8 clients)"]
    assert overhead["value"] == pytest.approx(0.25) and overhead["met"] is False
    buckets = targets["debit with 10k live buckets vs 1 bucket, p50 latency (1 client)"]
    assert buckets["value"] == pytest.approx(1.2)
    unmeasured = targets["transfer vs minimal write (uniform, 8 clients)"]
    assert unmeasured["value"] is None and unmeasured["met"] is None


def test_the_results_document_is_json_with_a_fixed_shape(tmp_path: Path) -> None:
    results = sample_results()
    bench.add_ratios(results)
    options = bench.Options(duration=10, clients=(1, 8), output=tmp_path)
    machine = {"cores": 2, "postgresql": {"server_version": "15.20", "synchronous_commit": "on"},
               "fsync": {"method": "fdatasync", "ops_per_s": 8098.4, "usecs_per_op": 123.0}}
    expire = {"wallets": 10, "buckets": 100, "expired": 100, "left_unexpired": 0, "batch_size": 10000, "calls": 2,
              "seconds": 0.5, "buckets_per_s": 200.0, "bulk_rows": 100, "bulk_seconds": 0.01,
              "bulk_rows_per_s": 10000.0, "ratio_to_bulk_insert": 0.02}
    sizes = {"operations": 1000, "wallets": 100,
             "kinds": [{"kind": "credit", "operations": 1000, "bytes_per_op": 401.2,
                        "by_table": {"bucket_state": 213.0, "transactions": 188.2}}]}
    document = bench.results_document(
        started_at="2026-01-01T00:00:00Z", finished_at="2026-01-01T00:10:00Z", runtime_s=600.04, options=options,
        sizes=bench.FULL_SIZES, machine=machine, results=results, expire_due=expire, bytes_per_op=sizes,
        targets=bench.evaluate_targets(results), problems=["transfer (uniform, 8 clients): aborted"],
        phases={"pgbench runs": 590.2, "expire_due": 9.8}, source={"commit": "0123456789abcdef", "sql_modified": True},
        drift=bench.baseline_drift(results, [run_result("ledger_write", "uniform", 8, 1500),
                                             run_result("ledger_write", "hot", 8, 1050)]),
        paired=paired_runs("credit", "ledger_write", "uniform", [(1800, 2000)]))
    decoded = json.loads(json.dumps(document))
    assert set(decoded) == {"schema_version", "started_at", "finished_at", "runtime_s", "load_average_at_end",
                            "phases_s", "options", "sizes", "machine", "source", "scenarios", "results", "paired_runs",
                            "baseline_drift", "expire_due", "bytes_per_operation", "targets", "problems"}
    assert decoded["options"] == {"duration_s": 10, "clients": [1, 8], "only": None, "smoke": False,
                                  "max_tries": bench.MAX_TRIES, "query_mode": "prepared", "rounds": bench.DEFAULT_ROUNDS}
    assert set(decoded["scenarios"]) == {scenario.name for scenario in bench.SCENARIOS}
    assert all(Path(ROOT, spec["script"]).is_file() for spec in decoded["scenarios"].values())
    assert set(decoded["results"][0]) == {
        "scenario", "variant", "clients", "duration_s", "ops_per_transaction", "transactions", "tps", "ops_per_s",
        "p50_ms", "p99_ms", "failures", "retried", "retries", "aborted_clients", "vs_minimal_write", "vs_raw_update",
        "wal_records_per_op", "wal_bytes_per_op", "wal_flush_us", "error", "skipped", "comparison", "round"}
    assert decoded["paired_runs"][0]["comparison"] == "credit vs ledger_write (uniform)"
    report = bench.format_report(decoded)
    assert "vs minimal write" in report and "targets (informative, never asserted)" in report
    assert "expire_due / bulk INSERT" in report and "problems:" in report
    assert "total runtime: 600 s (pgbench runs 590 s, expire_due 10 s)" in report
    assert "commit 0123456789 + uncommitted sql/ changes" in report
    assert "the median of 1 round of paired runs" in report
    assert ("baseline drift: ledger_write at 8 clients again after the last scenario: uniform 2,000 -> 1,500 ops/s (-25 %), "
            "hot 1,000 -> 1,050 ops/s (+5 %): the machine's speed changed during the run") in report


def paired_runs(scenario: str, reference: str, variant: str, rounds: list[tuple[float, float]],
                clients: int = 8) -> list[RunResult]:
    """Paired runs of one comparison: (scenario ops/s, reference ops/s) per round."""
    name = bench.Comparison(scenario, reference, variant).name
    runs = []
    for number, (subject_ops, reference_ops) in enumerate(rounds, 1):
        for which, ops in ((scenario, subject_ops), (reference, reference_ops)):
            run = run_result(which, variant, clients, ops)
            run.comparison, run.round = name, number
            runs.append(run)
    return runs


def test_paired_ratios_are_per_round_and_per_comparison() -> None:
    paired = (paired_runs("credit", "ledger_write", "uniform", [(900, 1000), (1600, 2000), (700, 1000)])
              + paired_runs("debit", "ledger_write", "uniform", [(500, 1000)]))
    ratios = bench.paired_ratios(paired, bench.Comparison("credit", "ledger_write", "uniform"), 8)
    assert ratios == pytest.approx([0.9, 0.8, 0.7])
    assert bench.paired_ratios(paired, bench.Comparison("debit", "ledger_write", "uniform"), 8) == [0.5]
    assert bench.paired_ratios(paired, bench.Comparison("credit", "ledger_write", "uniform"), 1) == []
    assert bench.median([0.9, 0.5, 0.7]) == 0.7 and bench.median([1.0, 2.0]) == 1.5


def test_targets_read_the_median_of_paired_rounds_when_there_are_some() -> None:
    results = sample_results()
    bench.add_ratios(results)
    paired = (paired_runs("credit", "ledger_write", "uniform", [(1500, 2000), (1700, 2000), (1000, 2000)])
              + paired_runs("debit_many", "debit", "hot", [(10500, 500), (11000, 500), (10000, 500)])
              + paired_runs("debit_idempotent", "debit", "uniform", [(1000, 1100), (1000, 1300), (1000, 1050)])
              + paired_runs("transfer_ledger_rows", "ledger_write", "uniform", [(1300, 2000)])
              + paired_runs("transfer_bound", "ledger_write", "uniform", [(1100, 2000), (1000, 2000), (1200, 2000)]))
    results += [run_result("transfer", "uniform", 8, 1000), run_result("transfer_rows", "uniform", 8, 1600),
                run_result("transfer_ledger_rows", "uniform", 8, 1200), run_result("transfer_bound", "uniform", 8, 1100)]
    bench.add_ratios(results)
    targets = {target["name"]: target for target in bench.evaluate_targets(results, paired)}
    credit = targets["credit vs minimal write (uniform, 8 clients)"]
    assert credit["value"] == pytest.approx(0.75) and credit["met"] is False  # the table alone says 0.9
    assert credit["detail"].startswith("median of 3 paired rounds (0.75, 0.85, 0.50); table: 0.90x")
    assert targets["debit_many(100) vs single debit, ops/s (hot, 8 clients)"]["value"] == pytest.approx(21)
    overhead = targets["idempotency key overhead on debit (uniform, 8 clients)"]
    assert overhead["value"] == pytest.approx(0.1) and overhead["met"] is True
    debit = targets["debit (1 bucket) vs minimal write (uniform, 8 clients)"]  # no pairs: the table
    assert debit["value"] == pytest.approx(0.5)
    transfer = targets["transfer vs minimal write (uniform, 8 clients)"]  # floors: paired when measured so
    assert transfer["value"] == pytest.approx(0.5)
    assert ("floor transfer_rows: 0.80x; floor transfer_ledger_rows: 0.65x (paired); "
            "bound transfer_bound: 0.55x (paired)") in transfer["detail"]


def test_baseline_drift_compares_the_same_variant_and_client_count() -> None:
    first = sample_results()
    drift = bench.baseline_drift(first, [run_result("ledger_write", "uniform", 8, 2100)])
    assert drift == {"scenario": "ledger_write", "variants": {"uniform": {
        "clients": 8, "first_ops_per_s": 2000.0, "last_ops_per_s": 2100.0, "change_pct": 5.0}}}
    assert bench.baseline_drift(first, [run_result("ledger_write", "uniform", 32, 2100)]) is None


def test_the_plot_is_a_png(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    results = sample_results()
    document = json.loads(json.dumps(bench.results_document(
        started_at="2026-01-01T00:00:00Z", finished_at="2026-01-01T00:10:00Z", runtime_s=1.0,
        options=bench.Options(), sizes=bench.FULL_SIZES, machine={"cores": 2, "postgresql": {}}, results=results,
        expire_due=None, bytes_per_op=None, targets=[], problems=[])))
    bench.plot(document, tmp_path / "throughput.png")
    assert (tmp_path / "throughput.png").read_bytes().startswith(b"\x89PNG")
