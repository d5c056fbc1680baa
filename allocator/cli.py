"""The command line: parses arguments and calls the Python API, nothing more.

Heavy imports happen inside the commands, so ``allocator --help`` answers at once.
"""

from __future__ import annotations

import argparse
import contextlib
import shlex
import signal
import sys
from pathlib import Path
from typing import Any

from allocator.errors import (
    EXIT_ERROR,
    EXIT_INPUT,
    EXIT_OK,
    AllocatorError,
    InputError,
    OutputClash,
    OutputFault,
    UsageError,
)
from allocator.messages import LANGUAGES, Message
from allocator.output import Outputs, write_csv, write_json
from allocator.text import terminal_safe
from models.rules import PARAMS
from models.rules.params import OFF_WORDS

#: The word before a problem or a warning on the terminal.
ERROR_WORD = {"nl": "fout", "en": "error"}
WARNING_WORD = {"nl": "waarschuwing", "en": "warning"}

#: argparse's own messages (Python has no Dutch catalogue for them), as patterns and the
#: Dutch they become; the names of flags and choices stay as typed.
_ARGPARSE_DUTCH = (
    (r"the following arguments are required: (.*)", r"deze argumenten ontbreken: \1"),
    (r"unrecognized arguments: (.*)", r"onbekende argumenten: \1"),
    (r"argument (\S+): invalid choice: (.*) \(choose from (.*)\)",
     r"argument \1: ongeldige keuze: \2 (kies uit \3)"),
    (r"argument (\S+): invalid (\w+) value: (.*)", r"argument \1: ongeldige waarde: \3"),
    (r"argument (\S+): expected one argument", r"argument \1: verwacht één waarde"),
    (r"argument (\S+): ignored explicit argument (.*)",
     r"argument \1: waarde \2 genegeerd (deze vlag neemt geen waarde)"),
    (r"argument (\S+): not allowed with argument (\S+)",
     r"argument \1: niet samen met argument \2"),
    (r"ambiguous option: (\S+) could match (.*)", r"dubbelzinnige optie: \1 kan zijn: \2"),
)


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors in the language the command line asks for (Dutch unless
    ``--lang en`` is among the arguments): the usage line, then one sentence, exit 2."""

    def format_usage(self) -> str:
        text = super().format_usage()
        return text if _asked_lang() == "en" else text.replace("usage:", "gebruik:", 1)

    def format_help(self) -> str:
        text = super().format_help()
        return text if _asked_lang() == "en" else text.replace("usage:", "gebruik:", 1)

    def error(self, message: str) -> Any:
        import re

        english = _asked_lang() == "en"
        usage = super().format_usage()
        if not english:
            usage = usage.replace("usage:", "gebruik:", 1)
            for pattern, dutch in _ARGPARSE_DUTCH:
                if re.fullmatch(pattern, message):
                    message = re.sub(pattern, dutch, message)
                    break
        sys.stderr.write(usage)
        word = ERROR_WORD["en" if english else "nl"]
        self.exit(2, f"{self.prog}: {word}: {terminal_safe(message)}\n")


#: The arguments main() was called with (None: the process's own).
_argv: list[str] | None = None


def _asked_lang() -> str:
    """The language the arguments ask for (``--lang``), else the default: what argparse's
    help and mistakes read in, before the arguments are parsed."""
    argv = sys.argv[1:] if _argv is None else _argv
    asked = [b for a, b in zip(argv, argv[1:], strict=False) if a == "--lang"]
    asked += [a.removeprefix("--lang=") for a in argv if a.startswith("--lang=")]
    return asked[-1] if asked and asked[-1] in LANGUAGES else _default_lang()


def _in_dutch(parser: argparse.ArgumentParser) -> None:
    """Every help text of ``parser`` and its commands in Dutch (allocator.help_nl; the rule
    parameters' from their declarations)."""
    from allocator.help_nl import HELP_NL

    texts = {**HELP_NL, **{p.help["en"].replace("%", "%%"): p.help["nl"].replace("%", "%%")
                           for p in PARAMS}}

    def dutch(text: str | None) -> str | None:
        if text is None or text is argparse.SUPPRESS:
            return text
        if text.startswith("a policy preset: "):
            return text.replace("a policy preset: ", "een beleidsvoorinstelling: ").replace(
                ", or a preset file", ", of een bestand met een voorinstelling")
        return texts.get(text, text)

    seen: set[int] = set()

    def walk(p: argparse.ArgumentParser) -> None:
        if id(p) in seen:
            return
        seen.add(id(p))
        p.description = dutch(p.description)
        for group in p._action_groups:
            group.title = dutch(group.title)
        for action in p._actions:
            action.help = dutch(action.help)
            if isinstance(action, argparse._SubParsersAction):
                for choice in action._choices_actions:
                    choice.help = dutch(choice.help)
                for sub in action.choices.values():
                    walk(sub)

    walk(parser)


def _default_lang() -> str:
    """Dutch, unless the environment variable ALLOCATOR_LANG names another language."""
    import os

    chosen = os.environ.get("ALLOCATOR_LANG", "").strip().lower()
    return chosen if chosen in LANGUAGES else "nl"


def _parser() -> argparse.ArgumentParser:
    from allocator import __version__

    p = _Parser(
        prog="allocator",
        description="Share a public budget over regions and goals so that the least "
                    "weighted need stays unmet.",
    )
    p.add_argument("--version", action="version", version=f"allocator {__version__}")
    p.add_argument("--debug", action="store_true",
                   help="show the traceback of an unexpected error")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    common = _Parser(add_help=False)
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="show the traceback of an unexpected error")
    common.add_argument("--lang", choices=LANGUAGES, default=_default_lang(),
                        help="language of the terminal, the messages and the reports "
                             "(default nl: Dutch; the environment variable ALLOCATOR_LANG "
                             "changes the default)")
    add = sub.add_parser

    def parser(*a: Any, **k: Any) -> argparse.ArgumentParser:
        return add(*a, parents=[common], **k)

    sub.add_parser = parser  # type: ignore[method-assign,assignment]

    s = sub.add_parser("solve", help="solve an instance and write its report",
                       description="Solve an instance (xlsx workbook or CSV folder). Flags "
                                   "override the policy sheet.")
    s.add_argument("instance", type=Path, help="instance workbook (.xlsx) or CSV folder")
    _rule_flags(s)
    s.add_argument("--out", type=Path, metavar="REPORT.xlsx",
                   help="report workbook (default reports/<instance>.xlsx)")
    s.add_argument("--no-report", action="store_true", help="write no Excel report")
    s.add_argument("--json", type=Path, metavar="RESULT.json", help="also write the result as JSON")
    s.add_argument("--no-sensitivity", dest="sensitivity", action="store_false",
                   help="skip the weight sensitivity (each weight ±10 %% alone, re-solved; "
                        "computed up to 60 weights)")
    s.add_argument("--csv", type=Path, metavar="ALLOCATION.csv",
                   help="also write the allocation as CSV: region, goal, amount_eur in whole "
                        "euros (the fast read for a large instance)")
    s.add_argument("--tie-break", choices=("lexicographic", "none"), default="lexicographic",
                   help="how to choose among equally good allocations (default lexicographic)")
    s.add_argument("--algorithm", choices=("auto", "aggregate", "simplex", "ipm"),
                   default="auto",
                   help="how stage 1 is solved: auto (the reduced LP from 20,000 cells, where "
                        "the rules allow it; else HiGHS's simplex, or interior point above "
                        "200,000 columns), aggregate (the reduced LP at any size), simplex or "
                        "ipm (HiGHS on the whole LP)")
    s.add_argument("--time-limit", type=float, metavar="S", help="solver time limit in seconds")
    s.add_argument("--fairness-price", action=argparse.BooleanOptionalAction, default=None,
                   help="price each equity rule with extra LPs (default: up to 100,000 cells)")
    s.add_argument("--next-million", action=argparse.BooleanOptionalAction, default=None,
                   help="say what €1 m more does from a re-solve (default: up to 100,000 "
                        "cells; otherwise from the budget's shadow price)")
    s.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")

    v = sub.add_parser("validate", help="check an instance without solving it")
    v.add_argument("instance", type=Path)

    w = sub.add_parser("sweep", help="trace the exact response curve over the budget",
                       description="Weighted unmet need as a function of the budget: every "
                                   "breakpoint and the marginal value of a euro between them.")
    w.add_argument("instance", type=Path)
    _rule_flags(w)
    w.add_argument("--from", dest="start", type=float, metavar="EUR", help="lowest budget")
    w.add_argument("--to", dest="stop", type=float, metavar="EUR", help="highest budget")
    w.add_argument("--steps", type=int, metavar="N",
                   help="evaluate N budgets instead of the exact curve (from --from to --to "
                        "exactly when both are given)")
    w.add_argument("--budgets", metavar="B,B,...",
                   help="evaluate exactly these budgets (e.g. 100e6,250e6,500e6,1e9); one "
                        "at which the rules cannot hold is marked so")
    _workbook_flags(w, "SWEEP", "workbook (default reports/<instance>-sweep.xlsx)")

    c = sub.add_parser("compare", help="solve named policy variants and lay them side by side",
                       description="Solve an instance under each scenario of a table (CSV or "
                                   "workbook: a name column, an optional policy column naming "
                                   "a preset, then policy keys as columns; a blank cell keeps "
                                   "the value before it, 'none' switches that rule off).")
    c.add_argument("instance", type=Path)
    c.add_argument("scenarios", type=Path, metavar="SCENARIOS")
    _rule_flags(c)
    c.add_argument("--out", type=Path, metavar="COMPARE.xlsx",
                   help="workbook (default reports/<instance>-compare.xlsx)")
    c.add_argument("--json", type=Path, metavar="COMPARE.json", help="also write JSON")
    c.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")

    u = sub.add_parser("robust", help="one allocation for uncertain needs, with each "
                                      "scenario's regret",
                       description="The allocation with the least expected (or worst-case) "
                                   "weighted unmet need over need scenarios (a table: scenario, "
                                   "probability, region, goal, factor or need_eur), and for "
                                   "each scenario the regret of committing to it.")
    u.add_argument("instance", type=Path)
    u.add_argument("needs", type=Path, metavar="NEEDS", help="need scenarios (CSV or workbook)")
    u.add_argument("--objective", choices=("expected", "worst-case"), default="expected")
    _rule_flags(u)
    _workbook_flags(u, "ROBUST", "workbook (default reports/<instance>-robust.xlsx)")

    d = sub.add_parser("grid", help="budgets x policy variants x need scenarios, on Dask if "
                                    "asked",
                       description="Weighted unmet need and the value of a euro at every point "
                                   "of a grid of budgets, policy variants and need scenarios; "
                                   "serial, or on Dask (local processes or a cluster).")
    d.add_argument("instance", type=Path)
    _rule_flags(d, budget=False)
    d.add_argument("--budgets", required=True, metavar="FROM:TO:N|B,B,...",
                   help="N budgets from FROM to TO, or a list")
    d.add_argument("--policies", type=Path, metavar="SCENARIOS",
                   help="policy variants (the table of 'allocator compare')")
    d.add_argument("--needs", type=Path, metavar="NEEDS",
                   help="need scenarios (the table of 'allocator robust')")
    d.add_argument("--allocations", action="store_true",
                   help="solve every point fully (tie-break, certificate) and keep each "
                        "region's allocation")
    d.add_argument("--workers", type=int, metavar="N", help="run on N local Dask processes")
    d.add_argument("--scheduler", metavar="ADDRESS",
                   help="run on an existing Dask cluster (tcp://host:8786)")
    _workbook_flags(d, "GRID", "workbook (default reports/<instance>-grid.xlsx)",
                    quiet="no progress bar, no table")
    d.add_argument("--csv", type=Path, metavar="GRID.csv", help="also write the points as CSV")

    a = sub.add_parser("agenda", help="the multi-year agenda over funders: who pays what",
                       description="Solve an agenda instance (years, funders, envelopes, "
                                   "existing streams; a v1 instance is one year and one "
                                   "funder) and write who pays what per year, region and goal.")
    a.add_argument("instance", type=Path)
    _rule_flags(a, budget_help="the national funder's envelope in every year")
    _workbook_flags(a, "AGENDA", "workbook (default reports/<instance>.xlsx)")

    n = sub.add_parser("sensitivity", help="move each assumption 10 %% down and up: each "
                                           "region's range and what moves it most",
                       description="Move every ASSUMED figure (the region and goal weights, "
                                   "and the policy values the policy sheet marks ASSUMED) down "
                                   "and up by --step alone, each a full certified solve, and "
                                   "report each region's range and the assumption that moves "
                                   "it most.")
    n.add_argument("instance", type=Path)
    _rule_flags(n)
    n.add_argument("--vary", metavar="A,B",
                   help="only these: 'weights', 'policy', or names such as twente, "
                        "coverage_floor, region:twente")
    n.add_argument("--step", type=float, default=0.10, metavar="F",
                   help="the relative move of each assumption (default 0.10)")
    n.add_argument("--alternatives", action="store_true",
                   help="instead: every ASSUMED figure at its stated alternative, one at a "
                        "time (the need cells one column at a time)")
    n.add_argument("--workers", type=int, metavar="N",
                   help="solve on N local Dask processes")
    n.add_argument("--scheduler", metavar="ADDRESS",
                   help="solve on the Dask cluster at ADDRESS (tcp://host:8786)")
    _workbook_flags(n, "SENSITIVITY", "workbook (default reports/<instance>-sensitivity.xlsx)")

    t = sub.add_parser("template", help="write an instance workbook ready to fill in",
                       description="Write an input workbook with its sheets, instructions and "
                                   "Excel data validation.")
    t.add_argument("out", type=Path, metavar="FILE.xlsx", help="workbook to write")
    t.add_argument("--regions", choices=("npvr",), help="pre-fill the 11 NPVR regions and goals")
    t.add_argument("--force", action="store_true", help="replace an existing file")

    g = sub.add_parser("generate", help="write a reproducible synthetic instance (CSV folder)")
    g.add_argument("out", type=Path, help="folder to write")
    g.add_argument("--regions", type=int, required=True, metavar="N")
    g.add_argument("--goals", type=int, default=3, metavar="G")
    g.add_argument("--seed", type=int, default=0, metavar="S")
    g.add_argument("--rules", default="floor", metavar="R,R",
                   help="equity rules to switch on, comma separated, from: floor, gap, shares, "
                        "per-capita; 'none' for none (default floor)")
    g.add_argument("--family", choices=("easy", "binding"), default="easy",
                   help="easy: loose rules (almost nothing binds); binding: every rule on, "
                        "spread weights, and the rules bind at the optimum (checked: the "
                        "folder's binding.csv says which)")
    g.add_argument("--force", action="store_true",
                   help="write into a folder that is not empty (its tables are replaced)")
    e = sub.add_parser("export", help="write the instance's LP for another solver (MPS or LP)",
                       description="Write the stage-1 LP of the instance, every rule in "
                                   "force, as an MPS (.mps) or CPLEX LP (.lp) file with "
                                   "readable names, for benchmarking other solvers.")
    e.add_argument("instance", type=Path, help="instance workbook (.xlsx) or CSV folder")
    e.add_argument("--out", type=Path, required=True, metavar="MODEL.mps|MODEL.lp")
    _rule_flags(e)
    v = sub.add_parser("serve", help="a local web page and HTTP API over the engine",
                       description="Serve the what-if page (a budget slider over the exact "
                                   "curve, policy controls that re-solve, the report of what "
                                   "is on screen) and the HTTP API (POST /solve, /sweep, "
                                   "/compare, /validate; OpenAPI at /docs). Binds to "
                                   "127.0.0.1 unless --host is given.")
    v.add_argument("instance", type=Path, nargs="?", default=Path("instances/npvr-2026.xlsx"),
                   help="the instance the page opens with (default instances/npvr-2026.xlsx)")
    v.add_argument("--port", type=int, default=8000, help="port (default 8000; 0: any free)")
    v.add_argument("--host", default="127.0.0.1",
                   help="address to bind (default 127.0.0.1: this computer only)")
    v.add_argument("--workers", type=int, default=2, metavar="N",
                   help="solves at once, each in a worker process of its own (default 2)")
    v.add_argument("--queue", type=int, default=8, metavar="Q",
                   help="requests that may wait for a worker; beyond, 503 with Retry-After "
                        "(default 8)")
    v.add_argument("--time-limit", type=float, default=30.0, metavar="S",
                   help="a worker still running after S seconds is stopped and the request "
                        "answered 504 (default 30)")
    v.add_argument("--memory", type=int, default=2048, metavar="MB",
                   help="the memory each worker may hold; a request that needs more is "
                        "answered 413 (default 2048)")
    j = sub.add_parser("schema", help="print the JSON Schema of every command's --json",
                       description="The JSON Schema (2020-12) of the results that --json "
                                   "writes, generated from the result models.")
    j.add_argument("--out", type=Path, metavar="SCHEMA.json",
                   help="write it to a file instead of the terminal")
    if _asked_lang() != "en":
        _in_dutch(p)
    return p


def _workbook_flags(p: argparse.ArgumentParser, name: str, out_help: str,
                    quiet: str = "print nothing but errors") -> None:
    """The output flags every workbook-writing command shares."""
    p.add_argument("--out", type=Path, metavar=f"{name}.xlsx", help=out_help)
    p.add_argument("--json", type=Path, metavar=f"{name}.json", help="also write JSON")
    p.add_argument("--no-report", action="store_true", help="write no workbook")
    p.add_argument("-q", "--quiet", action="store_true", help=quiet)


#: What a flag takes to mean "switch this rule off" (``--tiers geen``, ``--floor none``).
OFF_FLAG = "__off__"


def _reader(param: Any) -> Any:
    """The argparse type of a parameter's flag: a number (or tiers' text), or a word that
    switches the rule off where it can be off."""
    def read(text: str) -> object:
        if param.can_off and text.strip().lower() in OFF_WORDS:
            return OFF_FLAG
        if param.kind == "tiers":
            return text
        return float(text)  # a ValueError reads "invalid float value: 'abc'"
    read.__name__ = "float"  # argparse names the type in its message
    return read


def _rule_flags(p: argparse.ArgumentParser, budget: bool = True,
                budget_help: str = "annual budget in euros") -> None:
    """The policy flags every command that solves takes, the same everywhere: a preset, then
    one flag per declared parameter of every rule (models.rules.params), each overriding the
    instance's policy and the preset; 'none' (or 'geen') switches a rule off."""
    from allocator.inputs.presets import available

    r = p.add_argument_group("policy (the instance's policy sheet, then --policy, then these; "
                             "'none' switches a rule off)")
    r.add_argument("--policy", metavar="NAME|FILE.toml",
                   help=f"a policy preset: {', '.join(available())}, or a preset file")
    for param in PARAMS:
        if param.key == "budget_eur" and not budget:
            continue
        text = (budget_help if param.key == "budget_eur" else param.help["en"]).replace(
            "%", "%%")  # argparse formats help with %
        if param.kind == "bool":
            r.add_argument(param.flag, action="store_true", default=None, dest=param.key,
                           help=text)
        elif param.kind == "choice":
            r.add_argument(param.flag, choices=param.choices, dest=param.key, help=text)
        else:
            r.add_argument(param.flag, type=_reader(param), metavar=param.metavar,
                           dest=param.key, help=text)


#: The policy keys the flags set (each flag's destination is its parameter's key).
POLICY_FLAGS = {p.key: p.key for p in PARAMS}


def _flags(args: argparse.Namespace) -> dict[str, object]:
    """The policy values given as flags, by policy key (absent flags are left out)."""
    from allocator.inputs.presets import OFF
    from allocator.inputs.validate import parse_tiers

    flags: dict[str, object] = {}
    for param in PARAMS:
        value = getattr(args, param.key, None)
        if value is None:
            continue
        if value == OFF_FLAG:
            flags[param.key] = OFF  # switches off the instance's (or the preset's) rule
        elif param.kind == "tiers":
            flags[param.key] = parse_tiers(str(value))
        else:
            flags[param.key] = value
    return flags


def _policy_file(args: argparse.Namespace) -> Path | None:
    """The --policy file, when it names one (an input the outputs may not touch)."""
    policy = getattr(args, "policy", None)
    return Path(policy) if policy and policy.endswith(".toml") else None


def _instance(args: argparse.Namespace) -> Any:
    """The instance with its policy: the instance's policy sheet, then the --policy preset,
    then the flags — the same for every command."""
    from allocator.commands import under_policy

    return under_policy(args.instance, args.policy, _flags(args))


class Terminated(KeyboardInterrupt):
    """SIGTERM, handled as Ctrl-C is: the run stops and its temporary files are removed."""


def _on_sigterm(signum: int, frame: object) -> None:
    raise Terminated


#: The files of the run in progress, so that every way out can say what was written.
_outputs: Outputs | None = None


def _run_outputs(args: argparse.Namespace, inputs: list[Path | None],
                 outputs: list[tuple[str, Path | None]]) -> Outputs:
    """The run's :class:`Outputs`, checked against its inputs before any work is done."""
    global _outputs
    _outputs = Outputs(inputs=[Path(p) for p in inputs if p is not None])
    _outputs.check(outputs)
    return _outputs


def _written_note() -> Message:
    written = _outputs.written if _outputs is not None else []
    if not written:
        return Message("nothing was written; earlier files are unchanged")
    return Message("written before it stopped: {files}",
                   files=", ".join(str(p) for p in written))


def _say(message: Message, lang: str, prefix: str = "allocator: ") -> None:
    """A message on standard error, in ``lang``, with nothing that could steer the terminal."""
    print(f"{prefix}{terminal_safe(message.text(lang))}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    global _outputs, _argv
    _argv = argv
    args = _parser().parse_args(argv)
    _outputs = None
    previous = None
    with contextlib.suppress(ValueError):  # not in the main thread: leave SIGTERM alone
        previous = signal.signal(signal.SIGTERM, _on_sigterm)
    lang = getattr(args, "lang", "nl")
    try:
        return _dispatch(args, argv)
    except InputError as exc:
        for problem in exc.problems:
            print(f"{ERROR_WORD[lang]}: {terminal_safe(problem.text(lang))}", file=sys.stderr)
        n = len(exc.problems)
        _say(Message("the input has 1 problem; nothing was written.") if n == 1 else
             Message("the input has {n} problems; nothing was written.", n=n), lang)
        return EXIT_INPUT
    except OutputFault as exc:
        _say(Message("{error}; {note}.", error=exc.message, note=_written_note()), lang)
        return exc.exit_code
    except AllocatorError as exc:
        print(f"allocator: {terminal_safe(exc.text(lang))}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:
        # The reader went away (| head): say nothing more, as other command-line tools do.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_ERROR
    except KeyboardInterrupt as exc:
        _say(Message("terminated; {note}.", note=_written_note()) if isinstance(exc, Terminated)
             else Message("interrupted; {note}.", note=_written_note()), lang)
        return EXIT_ERROR
    except Exception as exc:  # noqa: BLE001 - the last line of defence: never a traceback
        if getattr(args, "debug", False):
            raise
        reason = " ".join(str(exc).split())[:300] or type(exc).__name__
        _say(Message("unexpected error ({kind}: {reason}); {note}. Run again with --debug to "
                     "see where it happened, and report it.", kind=type(exc).__name__,
                     reason=reason, note=_written_note()), lang)
        return EXIT_ERROR
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _dispatch(args: argparse.Namespace, argv: list[str] | None) -> int:
    handlers: dict[str, Any] = {
        "validate": _validate, "compare": _compare, "sweep": _sweep, "robust": _robust,
        "grid": _grid, "agenda": _agenda, "template": _template, "generate": _generate,
        "schema": _schema, "export": _export, "sensitivity": _sensitivity, "serve": _serve}
    handler = handlers.get(args.command)
    return handler(args) if handler is not None else _solve(args, argv)


def _empty_allocation() -> Any:
    """The allocation table's header alone (no optimum: nothing allocated)."""
    import pandas as pd

    return pd.DataFrame(columns=["region", "goal", "amount_eur"])


def _sensitivity(args: argparse.Namespace) -> int:
    from allocator.reports.documents import document
    from allocator.reports.sensitivity_workbook import write_sensitivity_report
    from allocator.studies.sensitivity import sensitivity

    if not 0 < args.step < 1:
        raise UsageError(Message("--step {step:g}: give a fraction between 0 and 1",
                                 step=args.step))
    out = _report_out(args, "-sensitivity")
    outputs = _run_outputs(args, [args.instance, _policy_file(args)],
                           [("--out", out), ("--json", args.json)])
    vary = tuple(v.strip() for v in args.vary.split(",") if v.strip()) if args.vary else None
    if args.workers is not None and not 1 <= args.workers <= 1024:
        raise UsageError(Message("--workers must be 1..1024"))
    result = sensitivity(_instance(args), vary=vary, step=args.step,
                         alternative=args.alternatives, workers=args.workers,
                         scheduler=args.scheduler)
    with outputs:
        if args.json:
            write_json(args.json, document(result))
        if out is not None and result.base.optimal:
            write_sensitivity_report(result, out, lang=args.lang)
    if not result.base.optimal:
        print(f"allocator: {_status_word(result.base.status.value, args.lang)}: "
              f"{terminal_safe(result.base.explanation(args.lang) or result.base.message)}",
              file=sys.stderr)
        return result.base.status.exit_code
    if not args.quiet:
        from allocator.reports.terminal import sensitivity_text

        lang = args.lang
        print(terminal_safe(sensitivity_text(result, lang, step=args.step,
                                             alternatives=args.alternatives)))
        _print_written(outputs, lang)
    return EXIT_OK


def _export(args: argparse.Namespace) -> int:
    from allocator.reports.export import FORMATS, write_model

    if args.out.suffix.lower() not in FORMATS:
        raise UsageError(Message("--out {path}: give a .mps or .lp file", path=str(args.out)))
    outputs = _run_outputs(args, [args.instance, _policy_file(args)], [("--out", args.out)])
    instance = _instance(args)
    with outputs:
        scale = write_model(instance, args.out)
    _print_written(outputs, getattr(args, "lang", "nl"))
    unit = f"{scale:,.10f}".rstrip("0").rstrip(".")  # €0,1 at a budget of €250
    if args.lang == "nl":
        unit = unit.translate(str.maketrans(",.", ".,"))
    print(Message("money in units of €{unit}; the objective is weighted unmet need in "
                  "those units, its constant included", unit=unit).text(args.lang))
    return EXIT_OK


def _serve(args: argparse.Namespace) -> int:
    try:
        import uvicorn

        from allocator.web.app import create_app
    except ImportError:
        raise UsageError(Message("serve needs the web extra: pip install 'allocator[web]' (or "
                                 "make serve)")) from None
    if not 0 <= args.port <= 65535:
        raise UsageError(Message("--port must be 0..65535"))
    from allocator.web.app import LOOPBACK

    loopback = args.host in LOOPBACK
    # the names a request may give as its Host: loopback's, and the address bound to
    hosts: tuple[str, ...] = LOOPBACK if loopback or args.host in ("0.0.0.0", "::") else (
        *LOOPBACK, args.host.lower(), f"[{args.host.lower()}]")
    if args.host in ("0.0.0.0", "::"):
        import socket

        names = {socket.gethostname().lower(), socket.getfqdn().lower()}
        with contextlib.suppress(OSError):
            names |= {str(a[4][0]) for a in socket.getaddrinfo(socket.gethostname(), None)}
        hosts = (*LOOPBACK, *sorted(names))
    from allocator.web.workers import Workers

    if not 1 <= args.workers <= 64 or not 0 <= args.queue <= 1000 or not (
            0 < args.time_limit <= 86_400) or not 256 <= args.memory <= 1_048_576:
        raise UsageError(Message("--workers must be 1..64, --queue 0..1000, --time-limit "
                                 "above 0 s, at most a day, and --memory 256..1048576 MB"))
    # beyond loopback every request must carry a key, printed once below
    import secrets

    key = None if loopback else secrets.token_urlsafe(16)
    app = create_app(args.instance, lang=args.lang, hosts=hosts, key=key,
                     workers=Workers(args.workers, args.queue, args.time_limit,
                                     args.memory))
    config = uvicorn.Config(app, host=args.host, port=args.port, log_level="warning")
    server = uvicorn.Server(config)
    if not loopback:
        _say(Message("listening on {host}: every computer that reaches this address and has "
                     "the key printed below can use the page and the API, upload instances "
                     "and run solves", host=args.host), args.lang,
             f"{WARNING_WORD[args.lang]}: ")

    def started() -> None:
        for s in server.servers:
            for sock in s.sockets:
                host, port = sock.getsockname()[:2]
                shown = f"[{host}]" if ":" in host else host
                if key is None:
                    print(Message("allocator serve: open http://{host}:{port}/ (the API at "
                                  "http://{host}:{port}/docs); Ctrl-C stops it", host=shown,
                                  port=str(port)).text(args.lang), flush=True)
                else:
                    print(Message("allocator serve: open http://{host}:{port}/?key={key} "
                                  "(the key is asked of every request: the API takes it as "
                                  "?key= or the header X-Allocator-Key); Ctrl-C stops it",
                                  host=shown, port=str(port), key=key).text(args.lang),
                          flush=True)

    import asyncio

    async def main() -> None:
        task = asyncio.create_task(server.serve())
        while not server.started and not task.done():
            await asyncio.sleep(0.05)
        if server.started:
            started()
        await task

    asyncio.run(main())
    return EXIT_OK


def _schema(args: argparse.Namespace) -> int:
    from allocator.reports.schema import json_schema

    if args.out is None:
        import json

        print(json.dumps(json_schema(), indent=2, ensure_ascii=False))
        return EXIT_OK
    outputs = _run_outputs(args, [], [("--out", args.out)])
    with outputs:
        write_json(args.out, json_schema())
    _print_written(outputs, getattr(args, "lang", "nl"))
    return EXIT_OK


def _template(args: argparse.Namespace) -> int:
    from allocator.reports.template import write_template

    outputs = _run_outputs(args, [], [("FILE.xlsx", args.out)])
    if args.out.exists() and not args.force:
        raise OutputClash(Message("{path} exists (a filled-in instance?); give another name, "
                                  "or --force to replace it", path=str(args.out)))
    with outputs:
        write_template(args.out, regions=args.regions, lang=args.lang)
    _print_written(outputs, args.lang)
    return EXIT_OK


def _default_out(instance: Path, suffix: str = "") -> Path:
    """reports/<instance name><suffix>.xlsx: the instance's name is its file or folder stem."""
    return Path("reports") / f"{instance.stem}{suffix}.xlsx"


def _report_out(args: argparse.Namespace, suffix: str = "") -> Path | None:
    if getattr(args, "no_report", False):
        return None
    return args.out or _default_out(args.instance, suffix)


def _print_written(outputs: Outputs, lang: str = "nl") -> None:
    word = "geschreven" if lang == "nl" else "written"
    for path in outputs.written:
        print(f"{word}: {path}")


def _compare(args: argparse.Namespace) -> int:
    from allocator.reports.compare_workbook import write_compare_report
    from allocator.reports.documents import document
    from allocator.studies.compare import compare

    out = args.out or _default_out(args.instance, "-compare")
    outputs = _run_outputs(args, [args.instance, args.scenarios, _policy_file(args)],
                           [("--out", out), ("--json", args.json)])
    result = compare(_instance(args), args.scenarios)
    with outputs:
        if args.json:
            write_json(args.json, document(result))
        write_compare_report(result, out, lang=args.lang)
    if not args.quiet:
        from allocator.reports.terminal import compare_text

        print(terminal_safe(compare_text(result, args.lang)))
        _print_written(outputs, getattr(args, "lang", "nl"))
    return EXIT_OK


def _agenda(args: argparse.Namespace) -> int:
    from allocator.reports.agenda_workbook import write_agenda_report
    from allocator.reports.documents import document
    from allocator.studies.agenda import load_agenda, solve_agenda

    out = _report_out(args)
    outputs = _run_outputs(args, [args.instance, _policy_file(args)],
                           [("--out", out), ("--json", args.json)])
    result = solve_agenda(load_agenda(args.instance, preset=args.policy, flags=_flags(args)))
    with outputs:
        if args.json:
            write_json(args.json, document(result))
        if out is not None:
            write_agenda_report(result, out, lang=args.lang)
    if not args.quiet:
        from allocator.reports.terminal import agenda_text

        print(terminal_safe(agenda_text(result, args.lang)))
        _print_written(outputs, args.lang)
    if not result.optimal:
        print(f"allocator: {_status_word(result.status.value, args.lang)}: "
              f"{terminal_safe(result.text(args.lang))}", file=sys.stderr)
    return result.status.exit_code


def _grid(args: argparse.Namespace) -> int:
    from allocator.inputs.read import read_table
    from allocator.inputs.validate import need_scenarios, scenarios
    from allocator.reports.documents import document
    from allocator.reports.grid_workbook import write_grid_report
    from allocator.studies.grid import parse_budgets, run_grid

    try:
        budgets = parse_budgets(args.budgets)
    except ValueError as exc:
        _say(Message("--budgets {reason}", reason=exc.args[0]), args.lang)
        return EXIT_INPUT
    if args.workers is not None and not 1 <= args.workers <= 1024:
        _say(Message("--workers must be 1..1024"), args.lang)
        return EXIT_INPUT
    out = _report_out(args, "-grid")
    outputs = _run_outputs(args, [args.instance, args.policies, args.needs, _policy_file(args)],
                           [("--out", out), ("--json", args.json), ("--csv", args.csv)])
    instance = _instance(args)
    policies = scenarios(read_table(args.policies), instance.policy) if args.policies else None
    needs = need_scenarios(read_table(args.needs), instance) if args.needs else None
    grid = run_grid(instance, budgets, policies=policies, needs=needs, workers=args.workers,
                    scheduler=args.scheduler, progress=not args.quiet,
                    allocations=args.allocations)
    with outputs:
        if args.json:
            write_json(args.json, document(grid))
        if args.csv:
            write_csv(args.csv, grid.to_frame())
        if out is not None:
            write_grid_report(grid, out, lang=args.lang)
    if not args.quiet:
        from allocator.reports.terminal import grid_text

        print(terminal_safe(grid_text(grid, args.lang)))
        _print_written(outputs, getattr(args, "lang", "nl"))
    return EXIT_OK


def _robust(args: argparse.Namespace) -> int:
    from allocator.reports.documents import document
    from allocator.reports.robust_workbook import write_robust_report
    from allocator.studies.robust import robust

    out = _report_out(args, "-robust")
    outputs = _run_outputs(args, [args.instance, args.needs, _policy_file(args)],
                           [("--out", out), ("--json", args.json)])
    instance = _instance(args)
    result = robust(instance, args.needs, objective=args.objective)
    with outputs:
        if args.json:
            write_json(args.json, document(result))
        if out is not None:
            write_robust_report(result, out, lang=args.lang)
    if not args.quiet:
        from allocator.reports.terminal import robust_text

        print(terminal_safe(robust_text(result, args.lang)))
        _print_written(outputs, args.lang)
    return EXIT_OK if result.optimal else 3


def _sweep(args: argparse.Namespace) -> int:
    from allocator.reports.documents import document
    from allocator.reports.sweep_workbook import write_sweep_report
    from allocator.studies.sweep import sweep

    out = _report_out(args, "-sweep")
    outputs = _run_outputs(args, [args.instance, _policy_file(args)],
                           [("--out", out), ("--json", args.json)])
    asked = None
    if args.budgets is not None:
        try:
            asked = [float(v) for v in args.budgets.split(",") if v.strip()]
        except ValueError:
            raise UsageError(Message("--budgets '{text}': give budgets separated by commas, "
                                     "for example 100e6,250e6,500e6,1e9",
                                     text=args.budgets)) from None
    result = sweep(_instance(args), start=args.start, stop=args.stop, steps=args.steps,
                   budgets=asked)
    with outputs:
        if args.json:
            write_json(args.json, document(result))
        if out is not None and result.breakpoints:
            write_sweep_report(result, out, lang=args.lang)
    if not args.quiet:
        from allocator.reports.terminal import sweep_text

        print(terminal_safe(sweep_text(result, args.lang)))
        _print_written(outputs, args.lang)
    if not result.breakpoints:
        print(f"allocator: {_status_word('infeasible', args.lang)}: "
              f"{terminal_safe(result.text(args.lang))}", file=sys.stderr)
    return EXIT_OK if result.breakpoints else 3


def _status_word(status: str, lang: str) -> str:
    from allocator.reports.terminal import status_word

    return status_word(status, lang)


def _generate(args: argparse.Namespace) -> int:
    from allocator.studies.generate import RULES, synthetic_tables, write_csv_folder

    rules = tuple(r.strip() for r in args.rules.split(",") if r.strip() not in ("", "none"))
    unknown = [r for r in rules if r not in RULES]
    if unknown:
        _say(Message("unknown rule '{rule}' in --rules; known: {known}", rule=unknown[0],
                     known=", ".join(RULES)), args.lang)
        return EXIT_INPUT
    if not 1 <= args.regions <= 1_000_000 or not 1 <= args.goals <= 100:
        _say(Message("--regions must be 1..{regions} and --goals 1..{goals}",
                     regions=1_000_000, goals=100), args.lang)
        return EXIT_INPUT
    outputs = _run_outputs(args, [], [("OUT", args.out / f"{t}.csv") for t in
                                       ("regions", "goals", "needs", "policy", "binding")])
    if args.out.exists() and not args.out.is_dir():
        raise OutputClash(Message("{path} is a file; give a folder to write the tables in",
                                  path=str(args.out)))
    if args.out.is_dir() and any(args.out.iterdir()) and not args.force:
        raise OutputClash(Message("{path} is not empty; give a new folder, or --force to "
                                  "replace its tables", path=str(args.out)))
    tables = synthetic_tables(args.regions, args.goals, args.seed, rules=rules,
                              family=args.family)
    with outputs:
        out = write_csv_folder(args.out, tables)
    if args.family == "binding":
        from allocator.studies.generate import binding_rules, write_binding

        found = binding_rules(out)
        with outputs:
            write_binding(out, found)
        lang = args.lang
        bound = [Message("{rule} {k} of {n} rows", rule=rule, k=k, n=n).text(lang)
                 for rule, (k, n) in found.items() if k]
        loose = [rule for rule, (k, _) in found.items() if not k]
        print(Message("binding at the optimum: {bound}; not binding: {loose}",
                      bound=", ".join(bound) or Message("none"),
                      loose=", ".join(loose) or Message("none")).text(lang))
    print(Message("written: {path}/ ({regions} regions x {goals} goals, {what})",
                  path=str(out), regions=args.regions, goals=args.goals,
                  what=Message("rules: {rules}", rules=", ".join(rules) or Message("none"))
                  if args.family == "easy" else Message("family: binding")).text(args.lang))
    return EXIT_OK


#: At most this many rows without a status or source are listed by name.
UNSOURCED_SHOWN = 20


def _validate(args: argparse.Namespace) -> int:
    from allocator.inputs.validate import load

    instance = load(args.instance)
    lang = args.lang
    print(Message("{path}: valid — {regions} regions, {goals} goals, {cells} cells, total need "
                  "€{need:,.0f}", path=str(args.instance), regions=len(instance.regions),
                  goals=len(instance.goals), cells=len(instance.needs),
                  need=instance.total_need_eur).text(lang))
    missing = instance.unsourced()
    warning = WARNING_WORD[lang]
    for each in missing[:UNSOURCED_SHOWN]:
        _say(each, lang, f"{warning}: ")
    if len(missing) > UNSOURCED_SHOWN:
        _say(Message("... and {n} more rows without a status or source",
                     n=len(missing) - UNSOURCED_SHOWN), lang, f"{warning}: ")
    for each in instance.unexplained()[:UNSOURCED_SHOWN]:
        _say(each, lang, f"{warning}: ")
    from allocator.inputs.read import read_instance

    if {"years", "funders", "envelopes", "streams"} & set(read_instance(args.instance)):
        from allocator.studies.agenda import load_agenda

        agenda = load_agenda(args.instance)
        print(Message("agenda: {years} years ({first}–{last}), {funders} funders, {streams} "
                      "existing streams", years=len(agenda.years), first=str(agenda.years[0]),
                      last=str(agenda.years[-1]), funders=len(agenda.funders),
                      streams=len(agenda.streams)).text(lang))
    return EXIT_OK


def _solve(args: argparse.Namespace, argv: list[str] | None) -> int:
    from allocator.commands import SolveOptions, solve_command
    from allocator.reports.documents import document
    from allocator.reports.summary import summary
    from allocator.reports.workbook import companions, write_report

    out = _report_out(args)
    # a large report writes its tables beside the workbook: checked with the rest
    beside = [("--out", p) for p in companions(out)] if out is not None and out.name and \
        not out.is_dir() else []
    outputs = _run_outputs(args, [args.instance, _policy_file(args)],
                           [("--out", out), ("--json", args.json), ("--csv", args.csv),
                            *beside])
    result = solve_command(_instance(args), SolveOptions(
        tie_break=args.tie_break, algorithm=args.algorithm, time_limit=args.time_limit,
        fairness_price=args.fairness_price, marginal=args.next_million,
        sensitivity=args.sensitivity))
    command = "allocator " + shlex.join(sys.argv[1:] if argv is None else argv)
    with outputs:
        if args.json:
            write_json(args.json, document(result))
        if args.csv:
            write_csv(args.csv, result.rounded_allocation() if result.optimal
                      else _empty_allocation())
        if out is not None:
            write_report(result, out, lang=args.lang, command=command)
    if not args.quiet:
        print(terminal_safe(summary(result, args.lang)))
        _print_written(outputs, getattr(args, "lang", "nl"))
    if not result.optimal:
        print(f"allocator: {_status_word(result.status.value, args.lang)}: "
              f"{terminal_safe(result.explanation(args.lang) or result.message)}",
              file=sys.stderr)
    return result.status.exit_code


if __name__ == "__main__":
    sys.exit(main())
