"""`allocator --help` is Dutch by default and English with --lang en: every help text of
every command has its Dutch text (allocator.help_nl; the rule parameters' from their
declarations), and --help stays fast (no pandas, no pydantic)."""

from __future__ import annotations

import argparse
import subprocess
import sys

import pytest

import allocator.cli as cli
from allocator.help_nl import HELP_NL
from models.rules import PARAMS


def helps(parser: argparse.ArgumentParser, seen: set[int] | None = None) -> list[str]:
    seen = set() if seen is None else seen
    if id(parser) in seen:
        return []
    seen.add(id(parser))
    out = [parser.description or "", *(g.title or "" for g in parser._action_groups)]
    for action in parser._actions:
        if action.help and action.help is not argparse.SUPPRESS:
            out.append(action.help)
        if isinstance(action, argparse._SubParsersAction):
            out += [c.help for c in action._choices_actions]
            for sub in action.choices.values():
                out += helps(sub, seen)
    return [t for t in out if t]


def test_every_help_text_has_its_dutch_text(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "_argv", ["--lang", "en"])
    english = helps(cli._parser())
    declared = {p.help["en"].replace("%", "%%") for p in PARAMS}
    untranslated = [t for t in english if t not in HELP_NL and t not in declared
                    and not t.startswith("a policy preset: ")]
    assert not untranslated
    monkeypatch.setattr(cli, "_argv", [])
    dutch = helps(cli._parser())
    assert len(dutch) == len(english)
    assert [t for t in dutch if t in english and t not in ("COMMAND",)] == []


def test_help_reads_dutch_by_default_and_english_when_asked() -> None:
    run = [sys.executable, "-m", "allocator", "solve", "--help"]
    env = {"PATH": "/usr/bin:/bin", "ALLOCATOR_LANG": ""}
    dutch = subprocess.run(run, capture_output=True, text=True, env=env).stdout
    assert dutch.startswith("gebruik: allocator solve")
    assert "opties:" in dutch and "toon deze hulp en stop" in dutch
    assert "elke regio krijgt ten minste dit deel van haar behoefte gedekt" in " ".join(
        dutch.split())
    english = subprocess.run([*run, "--lang", "en"], capture_output=True, text=True,
                             env=env).stdout
    assert english.startswith("usage: allocator solve")
    assert "every region gets at least this share of its need covered" in " ".join(
        english.split())


def test_help_stays_without_pandas_and_pydantic() -> None:
    code = ("import sys, runpy; sys.argv=['allocator','solve','--help']\n"
            "try:\n    runpy.run_module('allocator', run_name='__main__')\n"
            "except SystemExit: pass\n"
            "print('HEAVY', [m for m in ('pandas', 'pydantic', 'scipy', 'highspy', 'pyomo',"
            " 'openpyxl') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "HEAVY []" in out.stdout
