"""`allocator export` at its edges: ids that clean to the same name stay told apart and
readable, and the money unit it states is usable at any budget."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import highspy

from allocator.cli import main
from tests.conftest import SMALL, write_csv_instance


def colliding(tmp_path: Path) -> Path:
    t = {k: [list(r) for r in v] for k, v in SMALL.items()}
    t["regions"] = [t["regions"][0], ["a b", "Alpha", 100, 1], ["a_b", "Beta", 200, 2]]
    t["needs"] = [t["needs"][0]] + [["a b" if r[0] == "A" else "a_b", *r[1:]]
                                    for r in t["needs"][1:]]
    return write_csv_instance(tmp_path / "i", t)


def test_colliding_ids_keep_readable_distinct_names(tmp_path: Path) -> None:
    out = tmp_path / "m.lp"
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["export", str(colliding(tmp_path)), "--out", str(out)]) == 0
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.readModel(str(out))
    names = [h.getColName(j)[1] for j in range(h.getNumCol())]
    cells = [n for n in names if n.startswith("x.")]
    assert len(cells) == 4 == len(set(cells))
    assert all(n.startswith("x.a_b_") for n in cells)
    assert not any(n.startswith("c") and n[1:].isdigit() for n in names)


def test_the_money_unit_is_usable_at_any_budget(tmp_path: Path) -> None:
    for budget, shown in (("250", "€0,1"), ("250000000", "€100.000")):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            assert main(["export", str(colliding(tmp_path)), "--budget", budget, "--out",
                         str(tmp_path / f"m{budget}.mps")]) == 0
        assert f"geld in eenheden van {shown};" in out.getvalue()


def test_the_figures_do_not_depend_on_the_policy_rows_order(tmp_path: Path) -> None:
    """The same instance with its policy rows in another order gives the same JSON."""
    import json

    policy = [["key", "value", "status"], ["budget_eur", 100, "SRC"],
              ["coverage_floor", 0.3, "ASSUMED"], ["spend_all", "false", "SRC"]]
    docs = []
    for k, rows in enumerate((policy, [policy[0], *policy[1:][::-1]])):
        t = {key: [list(r) for r in v] for key, v in SMALL.items()}
        t["policy"] = rows
        folder = write_csv_instance(tmp_path / f"p{k}", t)
        out = tmp_path / f"r{k}.json"
        with contextlib.redirect_stdout(io.StringIO()):
            assert main(["solve", str(folder), "--json", str(out), "--no-report", "-q",
                         "--no-sensitivity"]) == 0
        docs.append(json.loads(out.read_text()))
    assert docs[0]["figures"] == docs[1]["figures"]
    assert [f["id"] for f in docs[0]["figures"] if f["table"] == "policy"] == [
        "budget_eur", "spend_all", "coverage_floor"]
