"""The need built from verdeelmaatstaven (models/need.py, the tables indicators and
need_model): the derivation against the formula written out here, its messages word by
word, the alternatives that move it (a population, an indicator) against the files edited
and solved again, and the report's sheet that shows it."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

import allocator
from allocator.cli import main
from allocator.errors import InputError
from allocator.studies import sensitivity as S
from tests.conftest import write_csv_instance

TABLES: dict[str, list[list[object]]] = {
    "regions": [["region", "name", "population", "population_status", "population_source",
                 "population_alternative", "weight"],
                ["a", "Alfa", 100_000, "SRC", "CBS", None, 1.0],
                ["b", "Beta", 50_000, "SRC", "CBS", None, 1.2],
                ["c", "Gamma", 250_000, "ASSUMED", "estimate", 150_000, 1.0]],
    "goals": [["goal", "weight", "need_eur", "need_eur_status", "need_eur_source"],
              ["safe", 1.0, 30_000_000, "ASSUMED", "estimate"],
              ["services", 1.0, 20_000_000, "ASSUMED", "estimate"]],
    "indicators": [["region", "indicator", "value", "unit", "of", "status", "source",
                    "alternative"],
                   ["a", "share_65plus", 0.24, "share", "inhabitants", "SRC", "CBS", None],
                   ["b", "share_65plus", 0.18, "share", "inhabitants", "SRC", "CBS", None],
                   ["c", "share_65plus", 0.20, "share", "inhabitants", "ASSUMED", "", 0.25],
                   ["a", "low_welfare", 1, "flag", None, "SRC", "MBW 2023", None],
                   ["b", "low_welfare", 0, "flag", None, "SRC", "MBW 2023", None],
                   ["c", "low_welfare", 1, "flag", None, "SRC", "MBW 2023", None]],
    "need_model": [["goal", "indicator", "weight", "status", "source"],
                   ["safe", "inhabitants", 2, "ASSUMED", "choice"],
                   ["safe", "low_welfare", 1, "ASSUMED", "choice"],
                   ["services", "share_65plus", 1, "ASSUMED", "choice"]],
    "needs": [["region", "goal", "existing_eur"],
              ["a", "safe", 1_000_000], ["c", "services", 500_000]],
    "policy": [["key", "value"], ["budget_eur", 20_000_000], ["coverage_floor", 0.1]],
}


def expected_need(tables: dict[str, list[list[object]]]) -> dict[tuple[str, str], float]:
    """The formula written out from the tables: each goal's national need split by the
    weighted shares of the regions in each measure (a share "of" inhabitants counts
    people)."""
    regions = {r[0]: float(r[2]) for r in tables["regions"][1:]}
    value = {(r[0], r[1]): float(r[2]) for r in tables["indicators"][1:]}
    of = {r[1]: r[4] for r in tables["indicators"][1:]}
    national = {g[0]: float(g[2]) for g in tables["goals"][1:]}

    def measure(region: str, name: str) -> float:
        if name == "inhabitants":
            return regions[region]
        base = value[region, name]
        return base * regions[region] if of.get(name) == "inhabitants" else base

    out = {}
    for goal, total in national.items():
        rows = [(r[1], float(r[2])) for r in tables["need_model"][1:] if r[0] == goal]
        weight = sum(w for _, w in rows)
        for region in regions:
            out[region, goal] = sum(
                total * w / weight * measure(region, name)
                / sum(measure(x, name) for x in regions) for name, w in rows)
    return out


def needs_of(inst: allocator.Instance) -> dict[tuple[str, str], float]:
    n = inst.needs
    return {(str(r), str(g)): float(v)
            for r, g, v in zip(n["region"], n["goal"], n["need_eur"], strict=True)}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return write_csv_instance(tmp_path / "m", TABLES)


def test_the_need_is_the_formula_and_every_goal_is_shared_in_full(folder: Path) -> None:
    inst = allocator.load(folder)
    got = needs_of(inst)
    # the formula, in whole euros (each goal's cells add up to its national need exactly)
    assert got == pytest.approx(expected_need(TABLES), abs=1.0)
    assert all(float(v).is_integer() for v in got.values())
    assert len(got) == 6  # the pairs the needs table leaves out are there, with no existing
    by_goal = inst.needs.groupby("goal", observed=True)["need_eur"].sum()
    assert by_goal.to_dict() == pytest.approx({"safe": 30e6, "services": 20e6})
    existing = inst.needs.set_index(["region", "goal"])["existing_eur"]
    assert existing[("a", "safe")] == 1e6 and existing[("b", "safe")] == 0.0
    # the derivation adds up to each cell's need, and every need is marked DERIVED
    parts = inst.derivation().groupby(["region", "goal"])["need_eur"].sum()
    assert {k: float(v) for k, v in parts.items()} == pytest.approx(got, abs=1.0)
    figures = inst.figures()
    need = figures[(figures["table"] == "needs") & (figures["column"] == "need_eur")]
    assert set(need["status"]) == {"DERIVED"}
    assert set(need["source"]) == {"need_model (behoeftemodel): the goal's national need "
                                   "shared over the regions by its weighted measures"}
    r = allocator.solve(inst)
    assert r.optimal and r.certificate.passed


def test_dutch_tables_and_columns_read_the_same(tmp_path: Path) -> None:
    dutch = copy.deepcopy(TABLES)
    dutch["indicatoren"] = [["regio", "indicator", "waarde", "eenheid", "van"],
                            *[[r[0], r[1], r[2], r[3], "inwoners" if r[4] else None]
                              for r in TABLES["indicators"][1:]]]
    dutch["behoeftemodel"] = [["doel", "indicator", "gewicht"],
                              *[r[:3] for r in TABLES["need_model"][1:]]]
    del dutch["indicators"], dutch["need_model"]
    dutch["behoeftemodel"][1][1] = "inwoners"
    inst = allocator.load(write_csv_instance(tmp_path / "nl", dutch))
    assert needs_of(inst) == pytest.approx(expected_need(TABLES), abs=1.0)


@pytest.mark.parametrize(("edit", "expected"), [
    (lambda t: [row.append(v) for row, v in zip(t["needs"], ["need_eur", 5, None],
                                                  strict=True)],
     "m/needs.csv, row 2, need_eur: the need comes from the need model (need_model): leave "
     "need_eur empty, or leave the need model out, got 5"),
    (lambda t: t["need_model"].append(["services", "income", 1, None, None]),
     "m/need_model.csv, row 5, indicator: unknown indicator 'income' (not in indicators, "
     "and not inhabitants)"),
    (lambda t: t["indicators"].pop(2),
     "m/indicators.csv, value: indicator 'share_65plus' has no value for b: the need model "
     "needs it in every region"),
    (lambda t: t["goals"][2].__setitem__(2, None),
     "m/goals.csv, row 3, need_eur: missing value: the need model splits each goal's "
     "national need_eur over the regions"),
    (lambda t: t["need_model"].pop(3),
     "m/need_model.csv, weight: goal 'services' has no indicator with a weight above 0: its "
     "need cannot be split over the regions"),
    (lambda t: t["indicators"].append(["a", "inhabitants", 5, None, None, None, None, None]),
     "m/indicators.csv, row 8, indicator: 'inhabitants' comes from the regions' population: "
     "leave this row out"),
    (lambda t: [r.__setitem__(4, "share_65plus") for r in t["indicators"][4:7]],
     "m/indicators.csv, row 5, of: indicator 'low_welfare' is a share of 'share_65plus', "
     "which is not a count in indicators (a count, or inhabitants)"),
])
def test_each_mistake_is_named_by_file_row_and_column(tmp_path: Path, edit: object,
                                                      expected: str) -> None:
    tables = copy.deepcopy(TABLES)
    edit(tables)  # type: ignore[operator]
    with pytest.raises(InputError) as caught:
        allocator.load(write_csv_instance(tmp_path / "m", tables))
    assert expected in [p.text("en") for p in caught.value.problems]


def test_the_cli_says_it_in_dutch_and_exits_2(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    tables = copy.deepcopy(TABLES)
    tables["need_model"].append(["services", "income", 1, None, None])
    assert main(["validate", str(write_csv_instance(tmp_path / "m", tables))]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "m/need_model.csv, rij 5, indicator:" in err


@pytest.mark.parametrize("figure", ["regions:c:population", "indicators:c/share_65plus:value"])
def test_an_alternative_moves_the_need_and_the_allocation_as_the_edited_files_do(
        tmp_path: Path, folder: Path, figure: str) -> None:
    """`sensitivity --alternatives` takes Gamma's population (or its share aged 65+) at its
    alternative: the need is built again from it, and the allocation equals a solve of the
    files with that figure edited."""
    inst = allocator.load(folder)
    names = S.alternatives(inst)
    assert f"alt:{figure}" in names
    s = S.sensitivity(inst, alternative=True, vary=(figure.split(":")[1],))
    (_, _, run), = [x for x in s.runs if x[0] == f"alt:{figure}"]
    edited = copy.deepcopy(TABLES)
    if figure.startswith("regions"):
        edited["regions"][3][2] = 150_000
    else:
        edited["indicators"][3][2] = 0.25
    again = allocator.solve(write_csv_instance(tmp_path / "edited", edited))
    assert needs_of(run.instance) == pytest.approx(needs_of(again.instance), rel=1e-12)
    got = run.allocation.set_index(["region", "goal"])["amount_eur"]
    want = again.allocation.set_index(["region", "goal"])["amount_eur"]
    assert np.abs(got - want.reindex(got.index)).max() < 0.01
    base = allocator.solve(inst).allocation.set_index(["region", "goal"])["amount_eur"]
    assert np.abs(got - base.reindex(got.index)).max() > 1000  # it moved


def test_the_report_shows_which_measure_gave_how_many_euros(folder: Path,
                                                            tmp_path: Path) -> None:
    out = tmp_path / "r.xlsx"
    assert main(["solve", str(folder), "--out", str(out), "-q"]) == 0
    ws = openpyxl.load_workbook(out)["Opbouw behoefte"]
    rows = list(ws.iter_rows(min_row=5, values_only=True))
    assert [c.value for c in ws[4]] == ["Regio", "Doel", "Maatstaf", "Waarde", "Eenheid",
                                       "Aandeel regio", "Bijdrage aan de behoefte"]
    frame = pd.DataFrame(rows, columns=["region", "goal", "indicator", "value", "unit",
                                        "share", "eur"])
    sums = frame.groupby(["region", "goal"])["eur"].sum()
    names = {"a": "Alfa", "b": "Beta", "c": "Gamma"}
    want = {(names[r], g): v for (r, g), v in expected_need(TABLES).items() if v > 0}
    assert {k: float(v) for k, v in sums.items()} == pytest.approx(want, rel=1e-9)
    assert "inhabitants" not in set(frame["indicator"])  # a Dutch report speaks Dutch
    gamma = frame[(frame["region"] == "Gamma") & (frame["indicator"] == "inwoners")]
    assert float(gamma["share"].iat[0]) == pytest.approx(250 / 400)
    assert float(gamma["value"].iat[0]) == 250_000
