"""`sensitivity --alternatives` at its edges: nothing to vary is said plainly, a row's own
`alternative` column is read, every alternative is held to the rules its figure's values are
held to (by `validate` too), and the JSON says what ran."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

import allocator
from allocator.cli import main
from tests.conftest import SMALL, write_csv_instance


def tables(**changes: list[list[object]]) -> dict[str, list[list[object]]]:
    out = {k: [list(r) for r in v] for k, v in SMALL.items()}
    out.update(changes)
    return out


def run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def test_nothing_to_vary_is_said_plainly(tmp_path: Path) -> None:
    folder = write_csv_instance(tmp_path / "plain", tables())
    code, _, err = run(["sensitivity", str(folder), "--alternatives", "--no-report"])
    assert code == 2
    assert "niets te variëren: geen AANGENOMEN (ASSUMED) getal heeft een bruikbaar " \
        "alternatief" in err
    assert "KeyError" not in err


def test_a_row_s_own_alternative_column_is_read(tmp_path: Path) -> None:
    regions = [["region", "name", "population", "weight", "status", "alternative"],
               ["A", "Alpha", 100, 1, "ASSUMED", 150], ["B", "Beta", 200, 2, "SRC", None]]
    folder = write_csv_instance(tmp_path / "row", tables(regions=regions))
    out = tmp_path / "s.json"
    code, _, err = run(["sensitivity", str(folder), "--alternatives", "--no-report",
                        "--json", str(out), "-q"])
    assert code == 0, err
    doc = json.loads(out.read_text())
    assert doc["message"].startswith("2 assumed figures, each at its stated alternative "
                                     "alone")
    run_of = {r["assumption"]: r for r in doc["runs"]}
    edited = write_csv_instance(tmp_path / "edited", tables(regions=[
        regions[0][:4], ["A", "Alpha", 150, 1], ["B", "Beta", 200, 2]]))
    again = allocator.solve(edited)
    per_region = again.figures.regions["amount_eur"].to_dict()
    assert run_of["alt:regions:A:population"]["by_region_eur"] == per_region


@pytest.mark.parametrize(("table", "column", "value", "said"), [
    ("regions", "weight_alternative", 0, "weight_alternative: moet > 0 zijn, gevonden: 0"),
    ("regions", "weight_alternative", 1e9, "weight_alternative: moet <= 10.000 zijn"),
    ("regions", "population_alternative", 0.5,
     "population_alternative: moet een geheel getal zijn"),
    ("goals", "min_share_alternative", 1.5, "min_share_alternative: moet <= 1 zijn"),
])
def test_an_alternative_a_value_could_never_take_is_refused(
        tmp_path: Path, table: str, column: str, value: float, said: str) -> None:
    rows = tables()[table]
    rows[0].append(column)
    for r in rows[1:]:
        r.append(value)
    if table == "goals":
        rows[0].append("min_share")
        for r in rows[1:]:
            r.append(0.1)
    folder = write_csv_instance(tmp_path / "bad", tables(**{table: rows}))
    code, _, err = run(["validate", str(folder)])
    assert code == 2
    assert said in err, err


def test_a_policy_alternative_that_is_no_value_is_refused(tmp_path: Path) -> None:
    policy = [["key", "value", "status", "alternative"], ["budget_eur", 100, "SRC", None],
              ["coverage_floor", 0.3, "ASSUMED", "veel"]]
    folder = write_csv_instance(tmp_path / "pol", tables(policy=policy))
    code, _, err = run(["validate", str(folder)])
    assert code == 2
    assert ("pol/policy.csv, rij 3, alternative: coverage_floor: het alternatief moet een "
            "getal zijn, gevonden: veel") in err
