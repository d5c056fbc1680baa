"""The default NPVR instance: in sync with its builder, sourced, and solvable."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import allocator
from allocator.reports.documents import document

ROOT = Path(__file__).resolve().parents[1]
XLSX = ROOT / "instances" / "npvr-2026.xlsx"
CSV = ROOT / "instances" / "npvr-2026"
TYPED = ROOT / "instances" / "npvr-2026-ingevuld"
STATUSES = {"SRC", "PROXY", "DERIVED", "ASSUMED"}


def test_xlsx_and_csv_read_the_same() -> None:
    a, b = allocator.load(XLSX), allocator.load(CSV)
    pd.testing.assert_frame_equal(a.regions, b.regions)
    pd.testing.assert_frame_equal(a.goals, b.goals)
    pd.testing.assert_frame_equal(a.needs, b.needs)
    assert a.policy == b.policy


def test_committed_files_match_the_builder() -> None:
    sys.path.insert(0, str(ROOT / "instances"))
    try:
        import build_npvr
    finally:
        sys.path.pop(0)
    tables = build_npvr.typed_tables()
    inst = allocator.load(TYPED)
    assert len(inst.regions) == len(tables["regions"]) - 1 == 11
    built = {(r[0], r[1]): r[2] for r in tables["needs"][1:]}
    assert {(r, g): n for r, g, n in inst.needs[["region", "goal", "need_eur"]].itertuples(
        index=False)} == built
    # the default: the need from the need model, the existing money from its streams, the
    # same a year per region as the typed-in cells (a stream without a goal split by need)
    default = allocator.load(CSV)
    assert (default.needs["need_eur_status"] == "DERIVED").all()
    assert (default.needs["existing_eur_status"] == "DERIVED").all()
    streams = pd.DataFrame(build_npvr.tables()["existing_streams"][1:],
                           columns=build_npvr.tables()["existing_streams"][0])
    by_region = default.needs.groupby(default.needs["region"].astype(str),
                                      observed=True)["existing_eur"].sum()
    assert by_region.to_dict() == pytest.approx(
        streams.groupby("region")["amount_eur"].sum().reindex(by_region.index, fill_value=0)
        .astype(float).to_dict(), abs=0.5)
    typed = inst.needs.groupby(inst.needs["region"].astype(str), observed=True)[
        "existing_eur"].sum()
    assert (by_region - typed).abs().max() <= 2


@pytest.mark.parametrize("path", [CSV, TYPED, ROOT / "instances" / "npvr-agenda-2026-2029"])
def test_every_figure_has_a_status_a_source_and_if_assumed_an_alternative(path: Path) -> None:
    inst = allocator.load(path)
    figures = inst.figures()
    # every figure of the figure columns and the policy: 11 x 3 + 3 x 1 + 33 x 2 + policy,
    # and with a need model each goal's national need and every indicator value
    model = 0 if inst.indicators is None else 3 + len(inst.indicators)
    streams = 0 if inst.existing_streams is None else len(inst.existing_streams)
    assert len(figures) == 11 * 3 + 3 + 33 * 2 + len(inst.policy_notes) + model + streams
    assert set(figures["status"]) <= STATUSES
    assert figures["source"].map(lambda s: isinstance(s, str) and len(s) > 10).all()
    assumed = figures[figures["status"] == "ASSUMED"]
    assert len(assumed) > 40  # the weights, the need split, the existing streams, the policy
    assert assumed["alternative"].notna().all(), assumed[assumed["alternative"].isna()]
    assert inst.unsourced() == [] and inst.unexplained() == []


def test_the_weight_no_longer_inherits_the_population_s_status() -> None:
    figures = allocator.load(CSV).figures().set_index(["table", "id", "column"])
    assert figures.loc[("regions", "twente", "population"), "status"] == "SRC"
    assert figures.loc[("regions", "twente", "weight"), "status"] == "ASSUMED"
    assert figures.loc[("regions", "twente", "weight"), "alternative"] == 1.0


def test_limburg_adds_up_to_the_province() -> None:
    regions = allocator.load(CSV).regions["population"]
    assert regions[["noord-limburg", "midden-limburg", "zuid-limburg"]].sum() == 1_133_174
    assert regions[["noord-limburg", "midden-limburg"]].sum() == 518_000


def test_total_need_is_one_billion_and_it_solves() -> None:
    inst = allocator.load(XLSX)
    assert inst.total_need_eur == 1_000_000_000
    r = allocator.solve(inst)
    assert r.optimal and r.certificate.passed
    assert document(r)["allocated_eur"] == 250_000_000
    assert (r.coverage["coverage"] >= 0.2 - 1e-9).all()


def test_builder_is_reproducible(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, "-c",
                          "import sys; sys.path.insert(0, 'instances'); import build_npvr, "
                          f"pathlib; build_npvr.write(pathlib.Path({str(tmp_path)!r}))"],
                         cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    for name in ("regions", "goals", "needs", "policy", "sources"):
        assert (tmp_path / "npvr-2026" / f"{name}.csv").read_text() == \
            (CSV / f"{name}.csv").read_text(), name


@pytest.mark.parametrize("budget", [500e6, 1e9])
def test_envelopes_worth_testing_solve(budget: float) -> None:
    r = allocator.solve(XLSX, budget=budget)
    assert r.optimal and r.certificate.passed


def test_hundred_million_cannot_meet_the_default_floor() -> None:
    r = allocator.solve(XLSX, budget=100e6)
    assert not r.optimal
    low = r.infeasibility.min_budget_eur
    assert 100e6 < low < 250e6
    assert allocator.solve(XLSX, budget=low * (1 + 1e-9)).optimal


AGENDA_XLSX = ROOT / "instances" / "npvr-agenda-2026-2029.xlsx"
AGENDA_CSV = ROOT / "instances" / "npvr-agenda-2026-2029"


def test_agenda_xlsx_and_csv_read_the_same_and_are_sourced(tmp_path: Path) -> None:
    from allocator.studies.agenda import load_agenda

    a, b = load_agenda(AGENDA_XLSX), load_agenda(AGENDA_CSV)
    assert a.years == b.years == (2026, 2027, 2028, 2029)
    assert a.funders == b.funders
    pd.testing.assert_frame_equal(a.envelopes, b.envelopes)
    pd.testing.assert_frame_equal(a.streams, b.streams)
    for x, y in zip(a.instances, b.instances, strict=True):
        pd.testing.assert_frame_equal(x.needs, y.needs)
    for sheet in ("years", "funders", "envelopes", "streams"):
        frame = pd.read_csv(AGENDA_CSV / f"{sheet}.csv")
        assert set(frame["status"]) <= STATUSES, sheet
        assert frame["source"].str.len().gt(10).all(), sheet
    out = subprocess.run([sys.executable, "-c",
                          "import sys; sys.path.insert(0, 'instances'); import build_npvr, "
                          f"pathlib; build_npvr.write(pathlib.Path({str(tmp_path)!r}))"],
                         cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "npvr-agenda-2026-2029.xlsx").read_bytes() == AGENDA_XLSX.read_bytes()


def test_the_default_is_tie_broken_and_row_order_invariant(tmp_path: Path) -> None:
    """With its diminishing returns the default's optimum is a face: the tie-break QP runs to
    the end (no note that it stopped) and shuffled rows give the same allocation."""
    import shutil

    import numpy as np
    import pandas as pd

    folder = Path(__file__).parent.parent / "instances" / "npvr-2026"
    r = allocator.solve(folder)
    assert r.optimal and not r.notes and r.certificate.passed
    shuffled = tmp_path / "npvr-2026"
    shutil.copytree(folder, shuffled)
    rng = np.random.default_rng(5)
    for name in ("regions", "needs", "goals"):
        frame = pd.read_csv(shuffled / f"{name}.csv", dtype=str, keep_default_na=False)
        frame.iloc[rng.permutation(len(frame))].to_csv(shuffled / f"{name}.csv", index=False)
    again = allocator.solve(shuffled)
    key = ["region", "goal"]
    a = r.allocation.astype({"region": str, "goal": str}).set_index(key)["amount_eur"]
    b = again.allocation.astype({"region": str, "goal": str}).set_index(key)["amount_eur"]
    assert (a.sort_index() - b.sort_index()).abs().max() <= 0.01


def test_the_json_carries_every_figure_with_its_status() -> None:
    r = allocator.solve(CSV, fairness_price=False, marginal=False)
    figures = document(r)["figures"]
    assert len(figures) == len(r.instance.figures())
    twente = {f["column"]: f for f in figures if f["table"] == "regions" and f["id"] == "twente"}
    assert twente["population"]["status"] == "SRC" and twente["population"]["value"] == 639_017
    assert twente["weight"]["status"] == "ASSUMED" and twente["weight"]["alternative"] == 1.0
    floor = next(f for f in figures if f["table"] == "policy" and f["id"] == "coverage_floor")
    assert floor["status"] == "ASSUMED" and floor["alternative"] == "0.1"


def test_the_readme_lists_every_assumed_figure_as_the_instance_has_it() -> None:
    sys.path.insert(0, str(ROOT / "instances"))
    try:
        import build_npvr
    finally:
        sys.path.pop(0)
    text = (ROOT / "instances" / "README.md").read_text(encoding="utf-8")
    table = text.split(build_npvr.ASSUMED_START + "\n", 1)[1].split(build_npvr.ASSUMED_END)[0]
    assert table == build_npvr.assumed_table(CSV)
    assumed = allocator.load(CSV).figures().query("status == 'ASSUMED'")
    assert sum(table.count(f"\n| `{t}`") for t in ("regions", "goals", "policy",
                                                   "indicators", "existing_streams")) == len(
        assumed[assumed["table"] != "needs"])


def test_the_default_builds_the_need_from_sourced_measures() -> None:
    """The default's need comes from verdeelmaatstaven: xlsx and CSV read the same, each
    goal's national need (40/35/25 % of € 1 bn) is shared out in full, every figure is
    sourced (ASSUMED ones with an alternative), the welfare factor counts once (in the need;
    every weight 1), the existing money is the typed-in instance's cell by cell, and it
    solves, certified."""
    a, b = allocator.load(XLSX), allocator.load(CSV)
    pd.testing.assert_frame_equal(a.needs, b.needs)
    pd.testing.assert_frame_equal(a.indicators, b.indicators)
    assert a.needs.groupby("goal", observed=True)["need_eur"].sum().round().to_dict() == {
        "gezonde-toekomst": 250e6, "veilig-en-leefbaar": 400e6, "voorzieningen": 350e6}
    assert set(a.regions["weight"]) == {1.0}
    figures = a.figures()
    shown = figures[figures["table"] == "indicators"]
    assert set(shown["id"].str.partition("/")[2]) == {
        "spreiding", "aandeel_65plus", "lage_welvaart", "welvaartsfactor"}
    assert shown["source"].map(lambda s: isinstance(s, str) and len(s) > 10).all()
    pd.testing.assert_frame_equal(a.existing_streams, b.existing_streams)
    assert set(a.existing_streams["stream"]) == {"Regio Deals", "Just Transition Fund",
                                                 "Nij Begun"}
    r = allocator.solve(a)
    assert r.optimal and r.certificate.passed


def test_no_more_than_two_regions_of_the_default_stand_on_one_tier_threshold() -> None:
    """The default's coverages are not an artefact of its own grid: for each threshold of
    its shortfall tiers, the regions whose unmet share (1 - coverage after, from the figures
    table) lies on it are at most two. The typed-in instance with its 10 % tiers, the
    default until 2026-12-06, had six on one."""
    def most_on_one(inst: allocator.Instance) -> int:
        r = allocator.solve(inst, fairness_price=False, marginal=False)
        unmet = 1 - r.figures.regions["coverage_after"].astype(float)
        return max(int((unmet.sub(t).abs() < 1e-6).sum())
                   for t, _ in inst.policy.shortfall_tiers)

    assert most_on_one(allocator.load(CSV)) <= 2
    assert most_on_one(allocator.load(TYPED)) == 6


def test_the_low_welfare_regions_get_more_per_inhabitant_than_the_others() -> None:
    """The seven regions the Monitor Brede Welvaart names as low (instances/build_npvr.py)
    get more per inhabitant under the default than the others, on average."""
    sys.path.insert(0, str(ROOT / "instances"))
    try:
        import build_npvr
    finally:
        sys.path.pop(0)
    per_head = allocator.solve(CSV).figures.regions["per_inhabitant_eur"].astype(float)
    low = per_head.index.isin(build_npvr.LOW_WELFARE)
    assert per_head[low].mean() > per_head[~low].mean()


def test_the_readme_holds_the_candidates_for_the_default_as_computed() -> None:
    """instances/README.md's table of the candidates for the default objective is what
    instances/compare_defaults.py computes from the instances now."""
    sys.path.insert(0, str(ROOT / "instances"))
    try:
        import compare_defaults
    finally:
        sys.path.pop(0)
    text = (ROOT / "instances" / "README.md").read_text(encoding="utf-8")
    start = text.index(compare_defaults.START) + len(compare_defaults.START) + 1
    assert text[start:text.index(compare_defaults.END)] == compare_defaults.table()


def test_the_agenda_builds_its_need_with_the_default_s_model() -> None:
    """The four-year agenda reads the same need model: each year's need is the default's,
    cell by cell (the need factor is 1 every year), and it comes from the measures."""
    from allocator.studies.agenda import load_agenda

    agenda = load_agenda(AGENDA_CSV)
    default = allocator.load(CSV).needs.set_index(["region", "goal"])["need_eur"]
    for year in agenda.instances:
        assert year.need_model is not None
        mine = year.needs.set_index(["region", "goal"])["need_eur"]
        pd.testing.assert_series_equal(mine.sort_index(), default.sort_index())
        assert (year.needs["need_eur_status"] == "DERIVED").all()
