"""The existing money by stream (the table existing_streams): each cell's existing money
against the sum written out here, its messages word by word (Dutch from the command
line), an alternative that moves it against the files edited and solved again, and the
sentence that names each stream."""

from __future__ import annotations

import copy
from pathlib import Path

import pandas as pd
import pytest

import allocator
from allocator.cli import main
from allocator.errors import InputError
from allocator.studies import sensitivity as S
from allocator.studies.why import reasons
from tests.conftest import write_csv_instance

TABLES: dict[str, list[list[object]]] = {
    "regions": [["region", "name", "population", "weight"],
                ["a", "Alfa", 100_000, 1.0], ["b", "Beta", 50_000, 1.0]],
    "goals": [["goal", "weight"], ["safe", 1.0], ["services", 1.0]],
    "needs": [["region", "goal", "need_eur"],
              ["a", "safe", 3_000_000], ["a", "services", 1_000_000],
              ["b", "safe", 2_000_000], ["b", "services", 2_000_000]],
    "existing_streams": [["stream", "region", "goal", "amount_eur", "status", "source",
                          "alternative"],
                         ["Regio Deal", "a", None, 400_001, "SRC", "deal", None],
                         ["Fonds", "a", "services", 250_000, "ASSUMED", "estimate", 500_000],
                         ["Regio Deal", "b", None, 100_000, "SRC", "deal", None]],
    "policy": [["key", "value"], ["budget_eur", 3_000_000], ["coverage_floor", 0.1]],
}


def existing(inst: allocator.Instance) -> dict[tuple[str, str], float]:
    n = inst.needs
    return {(str(r), str(g)): float(v)
            for r, g, v in zip(n["region"], n["goal"], n["existing_eur"], strict=True)}


def test_each_cell_has_the_sum_of_its_streams(tmp_path: Path) -> None:
    """A stream without a goal is split over the region's goals by their need (whole euros
    that add up to the stream); a stream on a goal pays into that cell alone."""
    inst = allocator.load(write_csv_instance(tmp_path / "s", TABLES))
    got = existing(inst)
    assert got[("a", "safe")] + got[("a", "services")] == 400_001 + 250_000
    assert got[("a", "safe")] == pytest.approx(400_001 * 3 / 4, abs=1.0)
    assert got[("a", "services")] == pytest.approx(400_001 / 4 + 250_000, abs=1.0)
    assert got[("b", "safe")] == got[("b", "services")] == 50_000
    figures = inst.figures()
    cells = figures[(figures["table"] == "needs") & (figures["column"] == "existing_eur")]
    assert set(cells["status"]) == {"DERIVED"}
    streams = figures[figures["table"] == "existing_streams"]
    assert list(streams["id"]) == ["Regio Deal/a/", "Fonds/a/services", "Regio Deal/b/"]
    r = allocator.solve(inst)
    assert r.optimal and r.certificate.passed


@pytest.mark.parametrize(("edit", "expected"), [
    (lambda t: [row.append(v) for row, v in zip(t["needs"], ["existing_eur", 5, None, None,
                                                              None], strict=True)],
     "s/needs.csv, row 2, existing_eur: the existing money comes from existing_streams "
     "(bestaande_stromen): leave existing_eur empty, or leave the streams out, got 5"),
    (lambda t: t["existing_streams"].append(["Regio Deal", "a", None, 5, "SRC", "x", None]),
     "s/existing_streams.csv, row 5, stream: a second amount of stream 'Regio Deal' for the "
     "same region and goal"),
    (lambda t: t["existing_streams"].append(["Fonds", "z", None, 5, "SRC", "x", None]),
     "s/existing_streams.csv, row 5, region: unknown region 'z' (not in regions)"),
    (lambda t: (t["needs"].pop(), t["existing_streams"].append(
        ["Fonds", "b", "services", 5, "SRC", "x", None])),
     "s/existing_streams.csv, row 5, goal: no needs row for this region and goal "
     "'services': the stream has no cell to pay into"),
])
def test_each_mistake_is_named_by_file_row_and_column(tmp_path: Path, edit: object,
                                                      expected: str) -> None:
    tables = copy.deepcopy(TABLES)
    edit(tables)  # type: ignore[operator]
    with pytest.raises(InputError) as caught:
        allocator.load(write_csv_instance(tmp_path / "s", tables))
    assert expected in [p.text("en") for p in caught.value.problems]


def test_the_cli_says_it_in_dutch_and_exits_2(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    tables = copy.deepcopy(TABLES)
    tables["existing_streams"].append(["Regio Deal", "a", None, 5, "SRC", "x", None])
    assert main(["validate", str(write_csv_instance(tmp_path / "s", tables))]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert ("s/existing_streams.csv, rij 5, stream: een tweede bedrag van stroom 'Regio Deal' "
            "voor dezelfde regio en hetzelfde doel") in err


def test_a_stream_at_its_alternative_is_the_files_edited_and_solved_again(
        tmp_path: Path) -> None:
    inst = allocator.load(write_csv_instance(tmp_path / "s", TABLES))
    name = "alt:existing_streams:Fonds/a/services:amount_eur"
    assert name in S.alternatives(inst)
    s = S.sensitivity(inst, alternative=True, vary=("Fonds/a/services",))
    (_, _, run), = [x for x in s.runs if x[0] == name]
    assert existing(run.instance)[("a", "services")] == pytest.approx(
        existing(inst)[("a", "services")] + 250_000)
    edited = copy.deepcopy(TABLES)
    edited["existing_streams"][2][3] = 500_000
    fresh = allocator.solve(write_csv_instance(tmp_path / "e", edited), fairness_price=False,
                            marginal=False)

    def by_region(r: allocator.Result) -> pd.Series:
        a = r.allocation
        return a.groupby(a["region"].astype(str), observed=True)["amount_eur"].sum()

    pd.testing.assert_series_equal(by_region(run), by_region(fresh), atol=0.5)
    assert (by_region(run) - by_region(s.base)).abs().max() > 1_000


def test_the_sentence_names_each_stream_with_its_share_of_the_need(tmp_path: Path) -> None:
    r = allocator.solve(write_csv_instance(tmp_path / "s", TABLES))
    (a,) = [w for w in reasons(r) if w.region == "a"]
    assert a.streams == (("Regio Deal", 400_001.0), ("Fonds", 250_000.0))  # largest first
    assert ("Bestaande middelen dekken daarvan al 16%: Regio Deal €400.001 (10%) en Fonds "
            "€250.000 (6%).") in a.sentence("nl")
    assert ("Existing funding covers 16% of it already: Regio Deal €400,001 (10%) and Fonds "
            "€250,000 (6%).") in a.sentence("en")


def test_a_stream_and_an_indicator_are_named_by_region_and_name() -> None:
    """Every bar says which figure of which region moved: a stream by its region (and goal)
    and name, an indicator by its region and measure, a weight as a weight."""
    from allocator.reports.sensitivity_workbook import run_name

    names = {"a": "Alfa", "services": "Diensten"}
    assert run_name("alt:existing_streams:Fonds/a/services:amount_eur", 1.0, 0.1, names,
                    "nl") == "Alfa, Diensten: Fonds → bij het alternatief"
    assert run_name("alt:existing_streams:Regio Deal/a/:amount_eur", 1.0, 0.1, names,
                    "en") == "Alfa: Regio Deal → at its alternative"
    assert run_name("alt:indicators:a/aandeel_65plus:value", 1.0, 0.1, names, "nl") == (
        "Alfa: aandeel 65plus → bij het alternatief")
    assert run_name("alt:regions:a:weight", 1.0, 0.1, names, "nl") == (
        "gewicht Alfa → bij het alternatief")
