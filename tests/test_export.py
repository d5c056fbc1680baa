"""`allocator export`: the instance's LP as MPS and LP files that HiGHS reads back and solves
to the engine's stage-1 optimum, with the rules' names on the rows."""

from __future__ import annotations

from pathlib import Path

import highspy
import pytest

import allocator
from allocator.cli import main

#: These tests pin the English messages word for word (Dutch: tests/test_messages.py).
pytestmark = pytest.mark.usefixtures("english")

NPVR = Path(__file__).parent.parent / "instances" / "npvr-2026.xlsx"


@pytest.mark.parametrize("suffix", [".mps", ".lp"])
@pytest.mark.parametrize("flags", [[], ["--max-gap", "0.7", "--budget", "5e8"]])
def test_a_fresh_solver_reads_it_back_to_the_same_optimum(tmp_path: Path, suffix: str,
                                                          flags: list[str],
                                                          capsys: pytest.CaptureFixture[str]
                                                          ) -> None:
    out = tmp_path / f"model{suffix}"
    assert main(["export", str(NPVR), "--out", str(out), *flags]) == 0
    printed = capsys.readouterr().out
    unit = float(printed.split("units of €")[1].split(";")[0].replace(",", ""))
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)  # HiGHS keeps one thread pool per process: as allocator's
    h.readModel(str(out))
    h.run()
    assert h.modelStatusToString(h.getModelStatus()) == "Optimal"
    objective = h.getInfo().objective_function_value * unit
    budget = 5e8 if flags else None
    r = allocator.solve(allocator.load(NPVR).with_policy(
        **({"max_coverage_gap": 0.7, "budget_eur": budget} if flags else {})),
        tie_break="none", fairness_price=False, marginal=False)
    assert r.optimal, r.message
    assert objective == pytest.approx(r.weighted_unmet_eur + (r.tier_penalty_eur or 0.0),
                                      rel=1e-9)
    text = out.read_text()
    assert "coverage_floor.achterhoek" in text and "x.achterhoek.gezonde" in text
    assert ("coverage_gap" in text) == bool(flags)


def test_only_mps_or_lp(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", str(NPVR), "--out", str(tmp_path / "model.txt")]) == 2
    assert "--out" in capsys.readouterr().err
    assert not (tmp_path / "model.txt").exists()


def test_a_caller_s_own_highs_does_not_break_the_engine(tmp_path: Path) -> None:
    """HiGHS keeps one thread pool per process. A caller that ran its own highspy.Highs()
    with the default threads first used to make every later allocator solve end in
    'error'; the engine now makes the pool anew as it needs it (run in a fresh process)."""
    import subprocess
    import sys

    model = tmp_path / "m.mps"
    assert main(["export", str(NPVR), "--out", str(model)]) == 0
    code = ("import highspy, allocator\n"
            "h = highspy.Highs(); h.setOptionValue('output_flag', False)\n"
            f"h.readModel({str(model)!r}); h.run()\n"
            f"r = allocator.solve({str(NPVR)!r}, fairness_price=False, marginal=False)\n"
            "h.run()\n"
            "print(r.status.value, h.modelStatusToString(h.getModelStatus()))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip().splitlines()[-1] == "optimal Optimal"
