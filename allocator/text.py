"""Text made safe for where it is written: terminals, workbooks and CSV files.

Validation refuses control characters in every text cell of an instance (see
:func:`control_characters`), so that a region name or a source note reaches every output as
written. The functions below are the last line of defence for text that did not come through
validation (command lines, messages that echo what a user typed).
"""

from __future__ import annotations

import re

#: Characters an Excel workbook (XML 1.0) cannot hold: C0 controls but tab, line feed and
#: carriage return.
WORKBOOK_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
#: Characters that steer a terminal or hide text: every C0 control but tab and line feed,
#: DEL, and the C1 controls (U+0080-U+009F; U+009B starts an escape sequence like ESC [).
TERMINAL_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
#: What a text cell of an instance may not hold: both of the above (tab and line breaks are
#: fine in a name or a note, as Excel's Alt+Enter writes them).
CELL_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

_NAMES = {0x07: "BEL", 0x08: "backspace", 0x0B: "vertical tab", 0x0C: "form feed",
          0x1B: "ESC", 0x7F: "DEL", 0x00: "NUL"}


def describe(ch: str) -> str:
    """``U+001B (ESC)``: a character as a reader can find it."""
    code = ord(ch)
    name = _NAMES.get(code)
    return f"U+{code:04X}" + (f" ({name})" if name else "")


def terminal_safe(text: str) -> str:
    """``text`` with every terminal-steering character written as a visible escape
    (``\\x1b``): what is printed is what the text holds, and nothing more happens."""
    return TERMINAL_UNSAFE.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def workbook_safe(text: str) -> str:
    """``text`` with the characters a workbook cannot hold replaced by U+FFFD."""
    return WORKBOOK_ILLEGAL.sub("\ufffd", text)
