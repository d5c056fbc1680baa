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
