"""The instruction-count harness's pure-Python pieces: the callgrind summary, the marginal count
and the report. `pgwallets bench-instructions --smoke` (a step of scripts/run-tests) proves the
harness runs end to end under valgrind."""

from __future__ import annotations

from pathlib import Path

import pytest

from pgwallets import instructions


def test_read_callgrind_total(tmp_path: Path) -> None:
    out = tmp_path / "callgrind.out"
    out.write_text("# callgrind format\nversion: 1\ncreator: callgrind-3.19.0\nevents: Ir\n"
                   "fn=(1) main\n0 5\nsummary: 123456789\n\ntotals: 123456789\n")
    assert instructions.read_callgrind_total(out) == 123456789


def test_read_callgrind_total_without_summary(tmp_path: Path) -> None:
    out = tmp_path / "callgrind.out"
    out.write_text("events: Ir\n")
    with pytest.raises(instructions.InstructionsError, match="no summary line"):
        instructions.read_callgrind_total(out)


def test_marginal_removes_what_both_loops_pay() -> None:
    # 100 and 400 operations on top of 5,000,000 instructions of start-up and warm-up.
    assert instructions.marginal(5_000_000 + 100 * 612_345, 5_000_000 + 400 * 612_345, 100, 400) == 612_345
    with pytest.raises(ValueError):
        instructions.marginal(1, 2, 400, 100)


def test_every_scenario_commits_each_operation_and_floors_name_their_operation() -> None:
    names = {s.name for s in instructions.SCENARIOS}
    assert instructions.BASELINE in names
    for scenario in instructions.SCENARIOS:
        assert scenario.body.rstrip().endswith("COMMIT;"), scenario.name
        assert scenario.floor_of is None or scenario.floor_of in names, scenario.name
    assert {s.name for s in instructions.SCENARIOS if s.floor_of == "transfer"} == {
        "transfer_ledger_rows", "transfer_rows", "transfer_bound", "transfer_rules_bound"}


def test_report_ratios() -> None:
    document = {
        "started_at": "2026-12-04T00:00:00Z", "commit": "abc", "loops": [100, 400],
        "results": [
            {"name": "ledger_write", "description": "", "instructions_per_op": 400_000, "vs_minimal_write": 1.0, "floor_of": None},
            {"name": "transfer", "description": "", "instructions_per_op": 1_600_000, "vs_minimal_write": 0.25, "floor_of": None},
            {"name": "transfer_rows", "description": "", "instructions_per_op": 800_000, "vs_minimal_write": 0.5,
             "floor_of": "transfer"},
        ],
    }
    report = instructions.format_report(document)
    assert "loops of 100 and 400 operations" in report
    transfer_line = next(line for line in report.splitlines() if line.startswith("transfer "))
    assert "1,600,000" in transfer_line and "0.25x" in transfer_line and "0.50x of transfer_rows" in transfer_line
