"""The weight sensitivity figure: each assumed weight moved by 10 % alone, the largest change
of a region's allocation as a share of the budget, recomputed here from edited tables."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

import allocator
from allocator.cli import main
from allocator.studies.sensitivity import weight_sensitivity
from tests.conftest import npvr_weighted

ROOT = Path(__file__).parent.parent
NPVR_CSV = ROOT / "instances" / "npvr-2026"  # the default: with diminishing returns
TIERS = "10%: 1.5; 20%: 2.25; 30%: 3.38; 40%: 5.06; 50%: 7.59; 60%: 11.39; 70%: 17.09; " \
        "80%: 25.63; 90%: 38.44"


def by_region(r: allocator.Result) -> pd.Series:
    return r.allocation.groupby(r.allocation["region"].astype(str))["amount_eur"].sum()


def moved_instance(tmp_path: Path, table: str, key: str, factor: float) -> Path:
    """The weighted NPVR CSV folder with one weight multiplied by ``factor``, written anew."""
    folder = tmp_path / f"{table}-{key}-{factor}"
    folder.mkdir()
    for source in npvr_weighted().glob("*.csv"):
        frame = pd.read_csv(source, dtype=str, keep_default_na=False)
        if source.stem == table:
            column = "region" if table == "regions" else "goal"
            row = frame[column] == key
            frame.loc[row, "weight"] = str(float(frame.loc[row, "weight"].iloc[0]) * factor)
        frame.to_csv(folder / source.name, index=False)
    return folder


def test_the_figure_is_the_largest_move_recomputed_from_edited_tables(tmp_path: Path) -> None:
    base = allocator.solve(npvr_weighted())
    s = weight_sensitivity(base)
    assert s is not None and s.solves == 2 * (11 + 3) and s.infeasible == 0
    before = by_region(base)
    largest = 0.0
    for table, ids in (("regions", base.instance.regions.index),
                       ("goals", base.instance.goals.index)):
        for key in ids:
            for factor in (0.9, 1.1):
                r = allocator.solve(moved_instance(tmp_path, table, str(key), factor))
                assert r.optimal
                move = float((by_region(r) - before).abs().max())
                largest = max(largest, move)
                if f"{table[:-1]}:{key}" == s.weight and factor == pytest.approx(s.direction):
                    assert move == pytest.approx(s.largest_eur, abs=1e-3)
    assert s.largest_eur == pytest.approx(largest, abs=1e-3)
    assert s.largest_share == pytest.approx(largest / 250e6)
    # without the tiers a weight step reorders whole priority classes
    assert s.largest_share > 0.3 and s.weight == "region:zuid-limburg"


def test_printed_and_in_the_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    js = tmp_path / "r.json"
    assert main(["solve", str(npvr_weighted()), "--json", str(js), "--no-report"]) == 0
    out = capsys.readouterr().out
    data = json.loads(js.read_text())["weight_sensitivity"]
    share = f"{data['largest_share'] * 100:.1f}".replace(".", ",")
    eur = f"€{round(data['largest_eur']):,}".replace(",", ".")
    assert (f"Gevoeligheid: één aangenomen gewicht 10% hoger of lager verschuift hoogstens "
            f"{share}% van het budget ({eur}, Zuid-Limburg, bij het gewicht van Zuid-Limburg "
            "−10%).") in out
    assert main(["solve", str(NPVR_CSV), "--json", str(js), "--no-report",
                 "--no-sensitivity", "-q"]) == 0
    assert json.loads(js.read_text())["weight_sensitivity"] is None


def test_the_default_keeps_it_under_five_percent() -> None:
    """The shipped default has diminishing returns (its tiers are the ones written here)."""
    from allocator.inputs.validate import parse_tiers

    inst = allocator.load(NPVR_CSV)
    assert inst.policy.shortfall_tiers == parse_tiers(TIERS)
    s = weight_sensitivity(allocator.solve(inst))
    assert s is not None and s.largest_share <= 0.05
    assert s.weight == "region:noord-limburg" and s.direction == pytest.approx(0.9)


def test_on_samenvatting(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "r.xlsx"
    assert main(["solve", str(NPVR_CSV), "--out", str(out), "-q"]) == 0
    rows = {row[0]: row[1] for row in load_workbook(out)["Samenvatting"].iter_rows(
        values_only=True) if row and row[0]}
    assert str(rows["Gevoeligheid voor de gewichten"]).startswith(
        "Gevoeligheid: één aangenomen gewicht 10% hoger of lager verschuift hoogstens ")


def test_the_sensitivity_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Each run is a certified solve that a plain solve with the moved value reproduces; each
    region's range and the assumption that moves it most follow from the runs."""
    from allocator.reports.schema import validate

    js, out = tmp_path / "s.json", tmp_path / "s.xlsx"
    assert main(["sensitivity", str(NPVR_CSV), "--json", str(js), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("Elke aanname 10% lager en hoger, apart (15 aannames, elk een "
                              "volledige, gecontroleerde oplossing):")
    data = json.loads(js.read_text())
    validate(data)
    # the budget is the decision, not an assumption: never moved with them
    assert data["assumptions"][-1:] == ["policy:coverage_floor"]
    assert "policy:budget_eur" not in data["assumptions"]
    assert all(run["certificate"]["passed"] for run in data["runs"])
    floor_up = next(r for r in data["runs"] if r["assumption"] == "policy:coverage_floor"
                    and r["factor"] > 1)
    again = allocator.solve(NPVR_CSV, floor=0.22)
    assert floor_up["by_region_eur"] == {str(k): int(v) for k, v in
                                         again.matrix().sum(axis=1).items()}
    for region in data["regions"]:
        values = [run["by_region_eur"][region["region"]] for run in data["runs"]]
        assert region["low_eur"] <= region["base_eur"] + 0.5
        assert region["high_eur"] >= region["base_eur"] - 0.5
        moves = [abs(v - region["base_eur"]) for v in values]
        assert region["moved_most_eur"] == pytest.approx(max(moves), abs=1.0)
        if region["moved_most_by"] is not None:  # a run that moves it most (ties: any)
            named = next(i for i, run in enumerate(data["runs"])
                         if (run["assumption"], run["factor"]) == (region["moved_most_by"],
                                                                   region["factor"]))
            assert moves[named] == pytest.approx(max(moves), abs=1.0)
    from openpyxl import load_workbook

    wb = load_workbook(out)
    assert wb.sheetnames == ["Gevoeligheid", "Tornado"]
    assert len(wb["Tornado"]._charts) == 11


def test_vary_picks_the_assumptions(tmp_path: Path) -> None:
    from allocator.studies.sensitivity import assumptions

    inst = allocator.load(NPVR_CSV)
    assert assumptions(inst, ("twente",)) == ["region:twente"]
    assert all(a.startswith(("region:", "goal:")) for a in assumptions(inst, ("weights",)))
    assert assumptions(inst, ("policy",)) == ["policy:coverage_floor"]


def edited(tmp_path: Path, name: str, edit: Callable[[pd.DataFrame], None],
           table: str) -> Path:
    """A copy of the default instance's CSV folder with ``edit`` applied to one table, read
    and written with pandas: the independent way to the same instance."""
    import shutil

    folder = tmp_path / name
    shutil.copytree(NPVR_CSV, folder)
    frame = pd.read_csv(folder / f"{table}.csv", dtype=str, keep_default_na=False)
    edit(frame)
    frame.to_csv(folder / f"{table}.csv", index=False)
    return folder


def test_each_alternative_is_the_instance_edited_and_solved_again(tmp_path: Path) -> None:
    from allocator.studies.sensitivity import sensitivity

    inst = allocator.load(NPVR_CSV)
    s = sensitivity(inst, alternative=True, vary=("noord-limburg", "need_eur",
                                                  "coverage_floor", "shortfall_tiers"))
    runs = {name: r for name, _, r in s.runs}
    assert set(runs) == {"alt:regions:noord-limburg:population",
                         "alt:regions:noord-limburg:weight", "alt:needs:need_eur",
                         "alt:policy:coverage_floor", "alt:policy:shortfall_tiers"}

    def population(f: pd.DataFrame) -> None:
        at = f["region"] == "noord-limburg"
        f.loc[at, "population"] = f.loc[at, "population_alternative"]

    def need(f: pd.DataFrame) -> None:
        f["need_eur"] = f["need_eur_alternative"]

    def floor(f: pd.DataFrame) -> None:
        f.loc[f["key"] == "coverage_floor", "value"] = "0.1"

    def tiers(f: pd.DataFrame) -> None:
        f.drop(f.index[f["key"] == "shortfall_tiers"], inplace=True)

    for name, edit, table in (("alt:regions:noord-limburg:population", population, "regions"),
                              ("alt:needs:need_eur", need, "needs"),
                              ("alt:policy:coverage_floor", floor, "policy"),
                              ("alt:policy:shortfall_tiers", tiers, "policy")):
        fresh = allocator.solve(edited(tmp_path, name.replace(":", "-"), edit, table),
                                fairness_price=False, marginal=False)
        assert runs[name].optimal and runs[name].certificate.passed
        pd.testing.assert_series_equal(by_region(runs[name]), by_region(fresh), atol=0.5)
    # the alternatives are real ones: the need split and the tiers move money
    base = by_region(s.base)
    for name in ("alt:needs:need_eur", "alt:policy:shortfall_tiers"):
        assert (by_region(runs[name]) - base).abs().max() > 1e6


def test_on_dask_the_runs_are_the_same(tmp_path: Path) -> None:
    from allocator.studies.sensitivity import sensitivity

    inst = allocator.load(NPVR_CSV)
    here = sensitivity(inst, vary=("twente", "zuid-limburg"))
    there = sensitivity(inst, vary=("twente", "zuid-limburg"), workers=2)
    assert [(n, f) for n, f, _ in there.runs] == [(n, f) for n, f, _ in here.runs]
    for (_, _, a), (_, _, b) in zip(here.runs, there.runs, strict=True):
        pd.testing.assert_series_equal(by_region(a), by_region(b), atol=0.5)


def test_the_cli_prints_the_alternatives(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "a.xlsx"
    assert main(["sensitivity", str(NPVR_CSV), "--alternatives", "--vary", "noord-limburg",
                 "--out", str(out)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == ("Elk aangenomen cijfer apart op zijn alternatief (2 oplossingen, elk "
                        "volledig en gecontroleerd):")
    limburg = next(line for line in lines if line.startswith("Noord-Limburg"))
    assert limburg.endswith("Noord-Limburg: gewicht → bij het alternatief (€7.179.354)")
    from openpyxl import load_workbook

    tornado = load_workbook(out)["Tornado"]
    assert [c.value for c in tornado[2]][:2] == ["aanname", "bij het alternatief"]


def test_what_moved_is_named_and_the_budget_is_a_decision() -> None:
    """A weight's run says it moved the weight (not "Twente +10%", which reads as Twente's
    money), and the budget, which has an alternative in the default instance, is neither
    moved nor taken at its alternative: it is the decision, which sweep and compare set."""
    from allocator.reports.sensitivity_workbook import run_name
    from allocator.studies.sensitivity import alternatives

    names = {"twente": "Twente", "voorzieningen": "Voorzieningen"}
    assert run_name("region:twente", 1.1, 0.1, names, "nl") == "gewicht Twente +10%"
    assert run_name("region:twente", 0.9, 0.1, names, "en") == "weight of Twente -10%"
    assert run_name("goal:voorzieningen", 1.1, 0.1, names, "nl") == (
        "doelgewicht Voorzieningen +10%")
    inst = allocator.load(NPVR_CSV)
    figures = inst.figures()
    budget = figures[(figures["table"] == "policy") & (figures["id"] == "budget_eur")]
    assert budget["alternative"].notna().all()  # it has one: and it is left alone
    assert not [a for a in alternatives(inst) if "budget_eur" in a]
    assert "alt:policy:coverage_floor" in alternatives(inst)
