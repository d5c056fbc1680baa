"""The weight sensitivity figure: each assumed weight moved by 10 % alone, the largest change
of a region's allocation as a share of the budget, recomputed here from edited tables."""

from __future__ import annotations

import json
import re
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
    """The shipped default has diminishing returns with a kink every 2 % (1.5 per 10 %), and
    one weight 10 % off moves at most 5 % of the budget."""
    import sys

    sys.path.insert(0, str(ROOT / "instances"))
    try:
        from build_npvr import FINE_TIERS
    finally:
        sys.path.pop(0)
    inst = allocator.load(NPVR_CSV)
    assert inst.policy.shortfall_tiers == FINE_TIERS
    s = weight_sensitivity(allocator.solve(inst))
    assert s is not None and s.largest_share <= 0.05
    assert s.weight == "region:zuid-limburg" and s.direction == pytest.approx(0.9)


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
    assert printed.startswith("Elke aanname 10% lager en hoger, apart (14 aannames, elk een "
                              "volledige, gecontroleerde oplossing):")
    data = json.loads(js.read_text())
    validate(data)
    # the policy values are decisions, not assumptions: never moved with them
    assert not [a for a in data["assumptions"] if a.startswith("policy:")]
    assert all(run["certificate"]["passed"] for run in data["runs"])
    twente_up = next(r for r in data["runs"] if r["assumption"] == "region:twente"
                     and r["factor"] > 1)
    again = allocator.solve(edited(tmp_path, "twente", twente_weight(1.1), "regions"))
    assert twente_up["by_region_eur"] == {str(k): int(v) for k, v in
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
    assert wb.sheetnames == ["Gevoeligheid", "Keuzes kabinet", "Tornado"]
    assert len(wb["Tornado"]._charts) == 11


def test_vary_picks_the_assumptions(tmp_path: Path) -> None:
    from allocator.studies.sensitivity import assumptions

    inst = allocator.load(NPVR_CSV)
    assert assumptions(inst, ("twente",)) == ["region:twente"]
    assert all(a.startswith(("region:", "goal:")) for a in assumptions(inst, ("weights",)))
    assert assumptions(inst, ("policy",)) == []  # policy values are decisions


def twente_weight(factor: float) -> Callable[[pd.DataFrame], None]:
    def edit(f: pd.DataFrame) -> None:
        at = f["region"] == "twente"
        f.loc[at, "weight"] = str(float(f.loc[at, "weight"].iloc[0]) * factor)
    return edit


def test_the_decisions_are_apart_from_the_assumptions_each_an_edited_re_solve(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Every policy value with an alternative is a decision: each is taken at its
    alternative alone, in a table of its own, never in the tornado; each row's figures are
    those of the instance edited by hand and solved again."""
    from openpyxl import load_workbook

    js, out = tmp_path / "s.json", tmp_path / "s.xlsx"
    assert main(["sensitivity", str(NPVR_CSV), "--alternatives", "--json", str(js),
                 "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    data = json.loads(js.read_text())
    assert [d["decision"] for d in data["decisions"]] == [
        "budget_eur", "coverage_floor", "spend_all", "shortfall_tiers"]
    assert not [a for a in data["assumptions"] if a.startswith("alt:policy:")]
    budget = data["decisions"][0]
    again = allocator.solve(edited(tmp_path, "budget", lambda f: f.loc.__setitem__(
        (f["key"] == "budget_eur", "value"), "500000000"), "policy"))
    assert budget["weighted_unmet_eur"] == again.figures.total["weighted_unmet_eur"]
    assert budget["allocated_eur"] == again.figures.total["amount_eur"] == 500_000_000
    now = allocator.solve(NPVR_CSV).figures
    moved = (again.figures.regions["amount_eur"] - now.regions["amount_eur"])
    assert budget["region"] == moved.abs().idxmax()
    assert budget["moved_eur"] == float(moved[budget["region"]])
    assert ("- budget: €250.000.000 → €500.000.000: gewogen onvervulde behoefte "
            f"€{now.total['weighted_unmet_eur']:,} → €{budget['weighted_unmet_eur']:,}"
            .replace(",", ".")) in printed
    assert "- minimumdekking: 20% → 10%: de verdeling blijft gelijk" in printed
    wb = load_workbook(out)
    tornado = [c.value for row in wb["Tornado"].iter_rows() for c in row if c.value]
    assert not [v for v in tornado if v in ("budget", "minimumdekking",
                                            "zwaarder wegend diep tekort")]
    rows = list(wb["Keuzes kabinet"].iter_rows(values_only=True))
    assert rows[1][:3] == ("budget", "€250.000.000", "€500.000.000")


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
    """An assumption at its alternative is the instance with that figure edited by hand and
    solved again; a population or an indicator moves the need built from it, and so the
    allocation (Noard-Fryslân's population, the share aged 65+ where it is assumed)."""
    from allocator.studies.sensitivity import sensitivity

    inst = allocator.load(NPVR_CSV)
    s = sensitivity(inst, alternative=True, vary=("noard-fryslan", "veilig-en-leefbaar"))
    runs = {name: r for name, _, r in s.runs}
    assert set(runs) == {"alt:regions:noard-fryslan:population",
                         "alt:indicators:noard-fryslan/aandeel_65plus:value",
                         "alt:indicators:noard-fryslan/welvaartsfactor:value",
                         "alt:goals:veilig-en-leefbaar:weight",
                         "alt:goals:veilig-en-leefbaar:need_eur"}

    def population(f: pd.DataFrame) -> None:
        at = f["region"] == "noard-fryslan"
        f.loc[at, "population"] = f.loc[at, "population_alternative"]

    def aged(f: pd.DataFrame) -> None:
        at = (f["region"] == "noard-fryslan") & (f["indicator"] == "aandeel_65plus")
        f.loc[at, "value"] = f.loc[at, "alternative"]

    def need(f: pd.DataFrame) -> None:
        at = f["goal"] == "veilig-en-leefbaar"
        f.loc[at, "need_eur"] = f.loc[at, "need_eur_alternative"]

    base = by_region(s.base)
    for name, edit, table in (
            ("alt:regions:noard-fryslan:population", population, "regions"),
            ("alt:indicators:noard-fryslan/aandeel_65plus:value", aged, "indicators"),
            ("alt:goals:veilig-en-leefbaar:need_eur", need, "goals")):
        fresh = allocator.solve(edited(tmp_path, name.replace(":", "-").replace("/", "-"),
                                       edit, table), fairness_price=False, marginal=False)
        assert runs[name].optimal and runs[name].certificate.passed
        pd.testing.assert_series_equal(by_region(runs[name]), by_region(fresh), atol=0.5)
        # the alternative moves the need, and so the money
        assert (by_region(fresh) - base).abs().max() > 1e5, name
    # Noard-Fryslân's population at 45,870: its need, and its money, fall
    fewer = runs["alt:regions:noard-fryslan:population"]
    assert by_region(fewer)["noard-fryslan"] < base["noard-fryslan"] - 1e6
    assert (fewer.instance.needs.groupby("region", observed=True)["need_eur"].sum()[
        "noard-fryslan"] < s.base.instance.needs.groupby("region", observed=True)[
        "need_eur"].sum()["noard-fryslan"] / 2)


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
    assert lines[0] == ("Elk aangenomen cijfer apart op zijn alternatief (4 oplossingen, elk "
                        "volledig en gecontroleerd):")
    limburg = next(line for line in lines if line.startswith("Noord-Limburg"))
    said = re.search(r"gewicht Noord-Limburg → bij het alternatief \(€([\d.]+)\)$", limburg)
    assert said, limburg

    def weight(f: pd.DataFrame) -> None:
        at = f["region"] == "noord-limburg"
        f.loc[at, "weight"] = f.loc[at, "weight_alternative"]

    fresh = allocator.solve(edited(tmp_path, "w", weight, "regions"), fairness_price=False,
                            marginal=False)
    base = allocator.solve(NPVR_CSV, fairness_price=False, marginal=False)
    moved = abs(by_region(fresh)["noord-limburg"] - by_region(base)["noord-limburg"])
    assert abs(int(said.group(1).replace(".", "")) - moved) <= 1
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
    assert not [a for a in alternatives(inst) if a.startswith("alt:policy:")]
