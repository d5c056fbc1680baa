"""A rule's parameters, each declared once on its rule (:class:`Param`).

A declaration holds everything every surface needs: the policy key and its earlier names,
its type, bounds and unit, how money in it is scaled, the value that switches the rule off,
its name and help in Dutch and English, its command-line flag and how a repair varies it.
From the declarations come the policy model (pydantic), the command-line flags, the page's
controls, the template's policy rows, the scenario tables' columns, the sensitivity list,
validation, the labels and the parameter table in ``docs/model.md``.

Plain Python only (no pydantic, no pandas), so that ``allocator --help`` stays fast.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: The largest amount in euros, ratio and factor a parameter takes (allocator.limits has
#: the same numbers for the tables; here without importing the application).
MAX_EUR = 1e13
MAX_WEIGHT = 1e4
MAX_FACTOR = 1e3

#: What a value means, and so how it is read, shown and checked:
#: ``money`` euros (scaled into the model's unit), ``fraction`` a share 0..1 (read as 20 % or
#: 0.2), ``ratio`` a plain number, ``bool``, ``choice`` one of ``choices``, ``tiers``
#: (unmet fraction: multiplier) pairs.
KINDS = ("money", "fraction", "ratio", "bool", "choice", "tiers")

#: The words that switch a rule off wherever a value is given (flags, scenario tables, the
#: page, the API): its parameter takes its ``off`` value.
OFF_WORDS = ("geen", "none", "uit", "off")


@dataclass(frozen=True)
class Param:
    """One parameter of a rule, declared once."""

    key: str  # the policy key (policy sheet, presets, scenario columns, JSON)
    kind: str  # one of KINDS
    name: dict[str, str]  # a reader's name, per language ("nl", "en")
    help: dict[str, str]  # one sentence: what the value does, per language
    flag: str  # the command-line flag, e.g. "--floor"
    metavar: str = "X"
    default: Any = None  # the value when the instance says nothing
    off: Any = None  # the value that switches the rule off (None: cannot be off)
    can_off: bool = True  # "geen"/"none" switches the rule off
    ge: float | None = None  # bounds, inclusive (ge, le) or strict (gt)
    gt: float | None = None
    le: float | None = None
    choices: tuple[str, ...] = ()
    earlier: tuple[str, ...] = ()  # earlier names, still read everywhere a key is
    scaled: bool = False  # money: in the model's unit of money (allocator.solving.modeldata)
    required: bool = False  # no default: the instance or a flag must give it
    agenda: bool = False  # a parameter of the four-year agenda only
    # how a repair of an infeasible instance moves it: "down" (a floor, a minimum) or "up"
    # (a cap, a gap, a maximum), and to how many decimals it is shown (towards feasibility)
    repair: str | None = None
    repair_decimals: int = 4

    @property
    def dest(self) -> str:
        """The API field and argparse destination: the flag without dashes."""
        return self.flag.lstrip("-").replace("-", "_")

    @property
    def numeric(self) -> bool:
        return self.kind in ("money", "fraction", "ratio")

    def bounds_text(self) -> str:
        """The bounds as the docs write them (``0 < x <= 10000``)."""
        low = f"{self.gt:g} < " if self.gt is not None else (
            f"{self.ge:g} <= " if self.ge is not None else "")
        high = f" <= {self.le:g}" if self.le is not None else ""
        if self.kind == "choice":
            return " / ".join(self.choices)
        if self.kind in ("bool", "tiers"):
            return {"bool": "true / false", "tiers": "'10%: 1.5; 20%: 2.25'"}[self.kind]
        return f"{low}x{high}"


def table(params: tuple[tuple[str, Param], ...], lang: str = "en") -> str:
    """Every parameter with its rule as a Markdown table (docs/model.md shows it; a test
    pins it)."""
    head = ("| key | rule | name | flag | kind | values | off | what it does |\n"
            "|---|---|---|---|---|---|---|---|")
    lines = [head]
    for rule, p in params:
        off = "`geen` / `none`" if p.can_off else "cannot be off"
        earlier = f" (was `{'`, `'.join(p.earlier)}`)" if p.earlier else ""
        lines.append(f"| `{p.key}`{earlier} | `{rule}` | {p.name[lang]} | `{p.flag}` | "
                     f"{p.kind} | {p.bounds_text()} | {off} | {p.help[lang]} |")
    return "\n".join(lines)
