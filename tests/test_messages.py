"""Every message to a user reads in Dutch: each template in the code has a Dutch one with the
same fields, and a Dutch run's errors hold no English."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from allocator.messages import DUTCH, Message, fields

ROOT = Path(__file__).resolve().parents[1]


def templates() -> list[tuple[str, int, str]]:
    """(file, line, template) of every ``Message("...")`` in the package."""
    found = []
    for path in sorted((ROOT / "allocator").rglob("*.py")) + sorted((ROOT / "models").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id == "Message" and node.args):
                first = node.args[0]
                assert isinstance(first, ast.Constant) and isinstance(first.value, str), (
                    f"{path.relative_to(ROOT)}:{node.lineno}: a Message's template must be a "
                    "literal string (its values are keywords), so that it can be translated")
                found.append((str(path.relative_to(ROOT)), node.lineno, first.value))
    return found


def test_every_message_has_a_dutch_template_with_the_same_fields() -> None:
    found = templates()
    assert len(found) > 100
    missing = sorted({t for _, _, t in found if t not in DUTCH})
    assert missing == []
    for file, line, template in found:
        assert fields(DUTCH[template]) == fields(template), f"{file}:{line}: {template}"


def test_the_catalogue_holds_no_template_the_code_no_longer_uses() -> None:
    used = {t for _, _, t in templates()}
    assert sorted(set(DUTCH) - used) == []


def test_numbers_read_in_the_language_s_style() -> None:
    m = Message("the needs add up to €{total:,.0f}, above the limit of €{limit:,.0f}",
                total=1234567.4, limit=1e12)
    assert m.text("en") == "the needs add up to €1,234,567, above the limit of €1,000,000,000,000"
    assert m.text("nl") == ("de behoeften tellen op tot €1.234.567, boven de grens van "
                            "€1.000.000.000.000")
    assert str(m) == m.text("en")


def test_a_message_inside_a_message_reads_in_the_same_language() -> None:
    inner = Message("the disk is full")
    m = Message("could not write {path}: {reason}", path="r.xlsx", reason=inner)
    assert m.text("nl") == "kon r.xlsx niet schrijven: de schijf is vol"
    assert m.text("en") == "could not write r.xlsx: the disk is full"


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_plain_numbers_follow_the_language(lang: str) -> None:
    m = Message("{count} more rows with the same problem", count=12000)
    expected = {"nl": "nog 12.000 rijen met hetzelfde probleem",
                "en": "12,000 more rows with the same problem"}
    assert m.text(lang) == expected[lang]


def _stderr(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str]:
    from allocator.cli import main

    try:
        code = main(argv)
    except SystemExit as exc:  # argparse
        code = int(exc.code or 0)
    return code, capsys.readouterr().err


def test_a_bad_instance_reads_in_dutch_word_for_word(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.conftest import SMALL, write_csv_instance

    tables = {k: [list(r) for r in v] for k, v in SMALL.items()}
    tables["needs"][1][2] = "-5"
    tables["needs"][2][2] = "12,5%"
    folder = write_csv_instance(tmp_path / "bad", tables)
    code, err = _stderr(capsys, ["solve", str(folder), "--no-report"])
    assert code == 2
    assert err.splitlines() == [
        "fout: bad/needs.csv, rij 3, need_eur: moet een getal zijn, geen percentage, "
        "gevonden: '12,5%'",
        "fout: bad/needs.csv, rij 2, need_eur: moet >= 0 zijn, gevonden: -5",
        "allocator: de invoer heeft 2 problemen; er is niets geschreven.",
    ]
    code, err = _stderr(capsys, ["solve", str(folder), "--no-report", "--lang", "en"])
    assert err.splitlines() == [
        "error: bad/needs.csv, row 3, need_eur: must be a number, not a percentage, "
        "got '12,5%'",
        "error: bad/needs.csv, row 2, need_eur: must be >= 0, got -5",
        "allocator: the input has 2 problems; nothing was written.",
    ]


def test_command_line_mistakes_read_in_dutch(capsys: pytest.CaptureFixture[str]) -> None:
    code, err = _stderr(capsys, ["solve"])
    assert code == 2
    assert err.startswith("gebruik: allocator solve ")
    assert err.splitlines()[-1] == "allocator solve: fout: deze argumenten ontbreken: instance"
    code, err = _stderr(capsys, ["solve", "x", "--floor", "abc"])
    assert err.splitlines()[-1] == "allocator solve: fout: argument --floor: ongeldige waarde: 'abc'"
    code, err = _stderr(capsys, ["solve", "x", "--floor", "abc", "--lang", "en"])
    assert err.startswith("usage: allocator solve ")
    assert err.splitlines()[-1] == ("allocator solve: error: argument --floor: invalid "
                                    "float value: 'abc'")


#: Words that give English away in a Dutch message (paths, ids, flags and policy keys are
#: taken out first: they are the user's own or the file format's).
ENGLISH = ("must", "the", "missing", "row", "sheet", "error", "unknown", "give", "not",
           "written", "problem", "value", "got", "above", "limit", "file", "folder", "cannot",
           "budget_eur:", "warning", "usage")


def _english_words(text: str) -> list[str]:
    import re

    text = re.sub(r"'[^']*'|\S*/\S*|--\S+|\b[a-z]+_[a-z_]+\b", " ", text)
    words = re.findall(r"[A-Za-z_]+:?", text)
    return [w for w in words if w.lower() in ENGLISH]


@pytest.mark.parametrize("case", [
    "bad-number", "duplicate-id", "unknown-key", "ragged-csv", "no-folder", "out-on-input",
    "budgets", "sweep-range", "preset", "floor-flag", "not-xlsx"])
def test_no_english_word_in_a_dutch_error(case: str, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    from tests.conftest import SMALL, write_csv_instance

    npvr = ROOT / "instances" / "npvr-2026"

    tables = {k: [list(r) for r in v] for k, v in SMALL.items()}
    argv: list[str]
    if case == "bad-number":
        tables["regions"][1][2] = "veel"
    elif case == "duplicate-id":
        tables["regions"].append(list(tables["regions"][1]))
    elif case == "unknown-key":
        tables["policy"].append(["coverage_flor", "0.2"])
    folder = write_csv_instance(tmp_path / "i", tables)
    argv = ["solve", str(folder), "--no-report"]
    if case == "ragged-csv":
        (folder / "goals.csv").write_text("goal,weight\ng1,1,2,3\n")
    elif case == "no-folder":
        argv = ["validate", str(tmp_path / "nergens")]
    elif case == "out-on-input":
        argv = ["solve", str(folder), "--out", str(folder / "regions.csv")]
    elif case == "budgets":
        argv = ["grid", str(npvr), "--budgets", "1e8,-5"]
    elif case == "sweep-range":
        argv = ["sweep", str(npvr), "--from", "5e8", "--to", "1e8"]
    elif case == "preset":
        argv = ["solve", str(npvr), "--policy", "bestaat-niet"]
    elif case == "floor-flag":
        argv = ["solve", str(npvr), "--floor", "1.5", "--no-report"]
    elif case == "not-xlsx":
        (tmp_path / "kapot.xlsx").write_bytes(b"dit is geen werkmap")
        argv = ["solve", str(tmp_path / "kapot.xlsx")]
    code, err = _stderr(capsys, argv)
    assert code == 2 and err
    assert _english_words(err) == [], err
