"""Each class of bad input: exit 2, the exact message, and no output file written."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from allocator.cli import main
from tests.conftest import SMALL, write_csv_instance, write_xlsx_instance

#: These tests pin the English messages word for word (Dutch: tests/test_messages.py).
pytestmark = pytest.mark.usefixtures("english")


def run_bad(tmp_path: Path, capsys: pytest.CaptureFixture[str], tables: dict,
            fmt: str = "csv") -> list[str]:
    path = (write_csv_instance(tmp_path / "bad", tables) if fmt == "csv"
            else write_xlsx_instance(tmp_path / "bad.xlsx", tables))
    out, js = tmp_path / "out.xlsx", tmp_path / "out.json"
    code = main(["solve", str(path), "--out", str(out), "--json", str(js)])
    err = capsys.readouterr().err
    assert code == 2
    assert not out.exists() and not js.exists()
    assert "Traceback" not in err
    return [line.removeprefix("error: ") for line in err.strip().splitlines()[:-1]]


def changed(table: str, row: int, col: int, value: object) -> dict:
    t = copy.deepcopy(SMALL)
    t[table][row][col] = value
    return t


CASES = [
    (changed("needs", 1, 2, -5), ["bad/needs.csv, row 2, need_eur: must be >= 0, got -5"]),
    (changed("needs", 2, 2, "veel"), ["bad/needs.csv, row 3, need_eur: must be a number, got 'veel'"]),
    (changed("needs", 2, 2, "nan"), ["bad/needs.csv, row 3, need_eur: must be a number, got 'nan'"]),
    (changed("needs", 3, 0, "Z"), ["bad/needs.csv, row 4, region: unknown region 'Z' (not in regions)"]),
    (changed("needs", 3, 1, "g9"), ["bad/needs.csv, row 4, goal: unknown goal 'g9' (not in goals)"]),
    (changed("needs", 2, 1, "g1"), ["bad/needs.csv, row 3, goal: duplicate pair (A, g1), first on row 2"]),
    (changed("regions", 2, 0, "A"), ["bad/regions.csv, row 3, region: duplicate id 'A', first on row 2",
                                     "bad/needs.csv, row 4, region: unknown region 'B' (not in regions)",
                                     "bad/needs.csv, row 5, region: unknown region 'B' (not in regions)"]),
    (changed("regions", 1, 2, 0), ["bad/regions.csv, row 2, population: must be > 0, got 0"]),
    (changed("regions", 1, 2, 10.5), ["bad/regions.csv, row 2, population: must be a whole number, got 10.5"]),
    (changed("policy", 2, 0, "coverage_flor"),
     ["bad/policy.csv, row 3, key: unknown policy key 'coverage_flor' "
      "(did you mean 'coverage_floor'?)"]),
    (changed("policy", 2, 0, "quux"),
     ["bad/policy.csv, row 3, key: unknown policy key 'quux' (known: budget_eur, "
      "spend_all, coverage_floor, max_coverage_gap, per_capita_cap, region_min_eur, "
      "region_max_eur, cofinancing_ratio, change_cap, shortfall_tiers, fairness, "
      "max_efficiency_loss, ramp_factor, ramp_amount_eur, equity_over)"]),
    (changed("policy", 1, 1, -3),
     ["bad/policy.csv, row 2, value: budget_eur: must be > 0, got -3"]),
    (changed("policy", 1, 0, "spend_all"),
     ["bad/policy.csv, key: 'budget_eur' is required (a row with key budget_eur)",
      "bad/policy.csv, row 2, value: spend_all: must be true or false, got 100"]),
    (changed("policy", 2, 1, 1.5),
     ["bad/policy.csv, row 3, value: coverage_floor: must be <= 1, got 1.5"]),
]


@pytest.mark.parametrize(("tables", "expected"), CASES)
def test_bad_csv_value(tmp_path: Path, capsys: pytest.CaptureFixture[str], tables: dict,
                       expected: list[str]) -> None:
    assert run_bad(tmp_path, capsys, tables) == expected


def test_shares_outside_range_and_summing_above_one(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    t = copy.deepcopy(SMALL)
    t["goals"] = [["goal", "min_share", "max_share"], ["g1", 0.7, 1.2], ["g2", 0.6, 0.5]]
    assert run_bad(tmp_path, capsys, t) == [
        "bad/goals.csv, row 2, max_share: must be <= 1, got 1.2",
        "bad/goals.csv, row 3, min_share: must not exceed max_share on the same row, got 0.6",
        "bad/goals.csv, min_share: the min_share values sum to 1.3; at most 1 can be reserved",
    ]


def test_all_problems_reported_in_one_pass_with_sheet_names(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    t = changed("needs", 1, 2, -5)
    t["needs"][4][3] = "x"
    t["regions"][2][2] = -1
    assert run_bad(tmp_path, capsys, t, fmt="xlsx") == [
        "bad.xlsx, sheet regions, row 3, population: must be > 0, got -1",
        "bad.xlsx, sheet needs, row 2, need_eur: must be >= 0, got -5",
        "bad.xlsx, sheet needs, row 5, existing_eur: must be a number, got 'x'",
    ]


def test_missing_sheet_and_column(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    t = copy.deepcopy(SMALL)
    del t["goals"]
    assert run_bad(tmp_path, capsys, t, fmt="xlsx") == ["bad.xlsx: missing sheet 'goals' (or 'doelen')"]
    t = copy.deepcopy(SMALL)
    t["needs"] = [["region", "goal", "amount"], ["A", "g1", 5]]
    assert run_bad(tmp_path, capsys, t) == ["bad/needs.csv: missing column 'need_eur'"]


def test_missing_budget_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    t = copy.deepcopy(SMALL)
    t["policy"] = [["key", "value"]]
    assert run_bad(tmp_path, capsys, t) == [
        "bad/policy.csv, key: 'budget_eur' is required (a row with key budget_eur)"]


def test_budget_flag_fills_a_missing_budget(tmp_path: Path) -> None:
    t = copy.deepcopy(SMALL)
    t["policy"] = [["key", "value"]]
    path = write_csv_instance(tmp_path / "i", t)
    assert main(["solve", str(path), "--budget", "50", "--no-report", "-q"]) == 0


@pytest.mark.parametrize("content", [b"not a zip at all", b"PK\x03\x04truncated", b""])
def test_not_a_workbook(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                        content: bytes) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(content)
    code = main(["solve", str(path), "--out", str(tmp_path / "o.xlsx")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: broken.xlsx: not an Excel workbook (.xlsx), or it is damaged")
    assert not (tmp_path / "o.xlsx").exists()


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(tmp_path / "nope.xlsx")]) == 2
    assert capsys.readouterr().err.startswith(f"error: {tmp_path / 'nope.xlsx'}: no such file")


def test_failed_run_keeps_an_earlier_report(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    good = write_csv_instance(tmp_path / "good", SMALL)
    out = tmp_path / "report.xlsx"
    assert main(["solve", str(good), "--out", str(out), "-q"]) == 0
    before = out.read_bytes()
    bad = write_csv_instance(tmp_path / "bad", changed("needs", 1, 2, -5))
    assert main(["solve", str(bad), "--out", str(out), "-q"]) == 2
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []
