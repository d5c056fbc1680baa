"""The project's outcomes and exceptions, and the exit code each maps to (one place)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from allocator.messages import Message, read

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_INPUT = 2
EXIT_INFEASIBLE = 3

#: At most this many problems are listed per column; the rest are counted.
MAX_LISTED_PER_COLUMN = 10


class Status(StrEnum):
    """How a solve ended. The value is what the JSON says."""

    OPTIMAL = "optimal"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    TIME_LIMIT = "time_limit"
    ERROR = "error"

    @property
    def exit_code(self) -> int:
        return {Status.OPTIMAL: EXIT_OK, Status.INFEASIBLE: EXIT_INFEASIBLE}.get(self, EXIT_ERROR)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located as precisely as the input allows."""

    file: str
    message: Message | str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None

    def text(self, lang: str = "en") -> str:
        """``file, sheet S, row R, column: message`` in ``lang``."""
        where = [self.file]
        if self.sheet is not None:
            where.append(f"{_WHERE['sheet'][lang]} {self.sheet}")
        if self.row is not None:
            where.append(f"{_WHERE['row'][lang]} {self.row}")
        if self.column is not None:
            where.append(self.column)
        return f"{', '.join(where)}: {read(self.message, lang)}"

    def __str__(self) -> str:
        return self.text("en")


_WHERE = {"sheet": {"en": "sheet", "nl": "blad"}, "row": {"en": "row", "nl": "rij"}}


class AllocatorError(Exception):
    """Base of every error the CLI turns into a message and an exit code. Its message is a
    :class:`~allocator.messages.Message` (or plain text), read in the user's language with
    :meth:`text`; ``str(error)`` is the English one."""

    exit_code = EXIT_ERROR

    def __init__(self, message: Message | str = "") -> None:
        self.message = message
        super().__init__(str(message))

    def text(self, lang: str = "en") -> str:
        return read(self.message, lang)


class InputError(AllocatorError):
    """The instance cannot be used; carries every problem found in one pass."""

    exit_code = EXIT_INPUT

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))

    def text(self, lang: str = "en") -> str:
        return "\n".join(p.text(lang) for p in self.problems)


class CertificateError(AllocatorError):
    """The solver's answer failed the independent check: it must not be presented as optimal."""


class OutputClash(AllocatorError):
    """An output path that would overwrite an input or another output, or cannot be written:
    refused before any work is done."""

    exit_code = EXIT_INPUT


class OutputFault(AllocatorError, OSError):
    """Writing failed for a reason outside the run (a full disk, a read-only file system);
    every earlier file is as it was."""

    exit_code = EXIT_ERROR


class UsageError(AllocatorError):
    """A command-line value that cannot be used (a range the wrong way round, a count above
    its limit); refused before any work."""

    exit_code = EXIT_INPUT


class OutsideFault(AllocatorError):
    """Something outside the run failed (an unreachable Dask scheduler)."""

    exit_code = EXIT_ERROR
