"""Reading a request, bounded and strict: what the server cannot read exactly is refused.

- The body is streamed to a spooled file and counted as it arrives (chunked or not): past
  :data:`MAX_BODY_BYTES` the request is refused with a 413 before more is read.
- A JSON body is UTF-8, valid JSON, at most :data:`MAX_JSON_DEPTH` deep, without NaN or
  Infinity and without a key twice; else a 400 saying where.
- A multipart body ends with its closing boundary (a body cut off is refused), names each
  field once, and carries files only in file fields (``instance``, ``scenarios``).
- Any other content type is a 415.
- An archive member is inflated in a stream, counting the bytes actually produced, whatever
  size it declares.

Every refusal is a :class:`Refused`: a status, a message in the project's words (English,
with its Dutch text), and the part or field it is about.
"""

from __future__ import annotations

import json
import re
import tempfile
import zipfile
import zlib
from pathlib import Path
from typing import IO, Any

from starlette.requests import Request

from allocator.errors import AllocatorError
from allocator.messages import Message

#: The largest upload taken (bytes): a workbook of the largest instance a page handles.
MAX_UPLOAD_BYTES = 20 << 20
#: The largest body read (the upload and its form fields).
MAX_BODY_BYTES = MAX_UPLOAD_BYTES + (1 << 20)
#: A JSON body nests at most this deep (an instance's tables need 4).
MAX_JSON_DEPTH = 32
#: One CSV table of a zip inflates to at most this, and all of them together to at most 4x.
MAX_MEMBER_BYTES = 4 * MAX_UPLOAD_BYTES
#: The file fields a request may carry; every other field is text.
FILE_FIELDS = ("instance", "scenarios")
#: What a spooled body keeps in memory before it goes to disk.
SPOOL_BYTES = 1 << 20


class Refused(AllocatorError):
    """A request the server cannot read exactly: ``status`` (400, 413, 415, 422) and the
    part or field it is about."""

    exit_code = 2

    def __init__(self, status: int, message: Message, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.field = field


async def spooled_body(request: Request) -> tuple[IO[bytes], int]:
    """The body, counted as it streams in, in a spooled file (memory up to 1 MB, then
    disk); a 413 as soon as it passes :data:`MAX_BODY_BYTES`."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - returned
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            spool.close()
            raise Refused(413, Message("the request body is above the limit of {limit:,.0f} "
                                       "MB", limit=MAX_BODY_BYTES / 2**20), "body")
        spool.write(chunk)
    spool.seek(0)
    return spool, size


def replayed(request: Request, body: IO[bytes]) -> Request:
    """A request whose body is ``body`` again (the form parser reads it as it arrived)."""
    async def receive() -> dict[str, Any]:
        chunk = body.read(SPOOL_BYTES)
        return {"type": "http.request", "body": chunk, "more_body": len(chunk) > 0}

    return Request(request.scope, receive)


def _no_constant(name: str) -> Any:
    raise Refused(400, Message("the JSON body holds {value}, which is no number: give a "
                               "number or leave the cell empty", value=name), "body")


def _no_twice(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise Refused(422, Message("the JSON body names '{key}' twice: give it once",
                                       key=key), key)
        out[key] = value
    return out


def _depth(value: Any, limit: int) -> int:
    """How deep ``value`` nests (stops counting past ``limit``)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if level > limit:
            return level
        if isinstance(item, dict):
            stack += [(v, level + 1) for v in item.values()]
        elif isinstance(item, list):
            stack += [(v, level + 1) for v in item]
    return deepest


def json_body(body: IO[bytes]) -> dict[str, Any]:
    """The JSON object of a body, read exactly (see the module's rules)."""
    data = body.read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Refused(400, Message("the JSON body is not UTF-8 (byte {at})", at=exc.start),
                      "body") from None
    try:
        value = json.loads(text, parse_constant=_no_constant, object_pairs_hook=_no_twice)
    except json.JSONDecodeError as exc:
        raise Refused(400, Message("the JSON body is not valid JSON: {reason} (line {line}, "
                                   "column {column})", reason=exc.msg, line=exc.lineno,
                                   column=exc.colno), "body") from None
    except RecursionError:
        raise Refused(400, Message("the JSON body nests deeper than {limit} levels",
                                   limit=MAX_JSON_DEPTH), "body") from None
    if _depth(value, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
        raise Refused(400, Message("the JSON body nests deeper than {limit} levels",
                                   limit=MAX_JSON_DEPTH), "body")
    if not isinstance(value, dict):
        raise Refused(422, Message("the JSON body must be an object"), "body")
    return value


def closes(body: IO[bytes], size: int, content_type: str) -> None:
    """Refuse a multipart body that does not end with its closing boundary (cut off)."""
    found = re.search(r'boundary="?([^";]+)"?', content_type)
    if found is None:
        raise Refused(400, Message("the multipart body names no boundary"), "body")
    tail_size = min(size, len(found.group(1)) + 16)
    body.seek(size - tail_size)
    tail = body.read().rstrip(b"\r\n")
    body.seek(0)
    if not tail.endswith(b"--" + found.group(1).encode() + b"--"):
        raise Refused(400, Message("the multipart body is cut off: it does not end with its "
                                   "closing boundary"), "body")


async def form_fields(request: Request, body: IO[bytes], size: int
                      ) -> tuple[dict[str, str], dict[str, Any]]:
    """The text fields and the file fields of a multipart (or url-encoded) form, each named
    once, files only in file fields and text only elsewhere."""
    kind = request.headers.get("content-type", "")
    if kind.startswith("multipart/form-data"):
        closes(body, size, kind)
    try:
        form = await replayed(request, body).form(max_files=len(FILE_FIELDS),
                                                    max_fields=64,
                                                    max_part_size=MAX_BODY_BYTES)
    except Exception as exc:  # noqa: BLE001 - the form parser's refusals, in one message
        raise Refused(400, Message("the form cannot be read: {reason}",
                                   reason=getattr(exc, "detail", None) or str(exc)),
                      "body") from None
    seen: set[str] = set()
    texts: dict[str, str] = {}
    files: dict[str, Any] = {}
    for key, value in form.multi_items():
        if key in seen:
            raise Refused(422, Message("the field '{field}' is given twice: give it once",
                                       field=key), key)
        seen.add(key)
        if key in FILE_FIELDS:
            if isinstance(value, str):
                raise Refused(422, Message("{field}: must be a file (an .xlsx workbook or a "
                                           ".zip of the CSV tables), got text",
                                           field=key), key)
            files[key] = value
        elif isinstance(value, str):
            texts[key] = value
        else:
            raise Refused(422, Message("{field}: must be text, got a file", field=key), key)
    return texts, files


def content_kind(request: Request, size: int) -> str:
    """``json``, ``form`` or ``none`` (an empty body); any other content type is a 415."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "application/json":
        return "json"
    if kind in ("multipart/form-data", "application/x-www-form-urlencoded"):
        return "form"
    if size == 0:
        return "none"
    raise Refused(415, Message("content type '{kind}' is not read: send JSON "
                               "(application/json) or a form (multipart/form-data)",
                               kind=kind or "none"), "content-type")


def safe_name(name: str | None) -> str:
    """An upload's name as messages show it: its last part, printable, at most 80
    characters (never a path; the server's files have names of its own)."""
    base = "".join(ch for ch in Path(str(name or "")).name
                   if ch.isprintable() and ch not in "\\/")
    suffix = Path(base).suffix[:8] if Path(base).suffix.lower() in (".zip", ".xlsx") else ""
    stem = base[: len(base) - len(suffix)] if suffix else base
    stem = stem[:80].strip(". ")
    return (stem or "upload") + suffix


def inflate(archive: zipfile.ZipFile, member: zipfile.ZipInfo, target: Path,
            budget: list[int], shown: str) -> None:
    """Write ``member`` to ``target``, inflated in a stream and counted as produced: past
    :data:`MAX_MEMBER_BYTES` for the member, or the total ``budget`` left, it is refused
    whatever size it declares; a member that lies about its size or is damaged is
    refused."""
    from allocator.errors import InputError, Problem

    written = 0
    try:
        with archive.open(member) as src, open(target, "wb") as dst:
            while chunk := src.read(1 << 16):
                written += len(chunk)
                if written > MAX_MEMBER_BYTES or written > budget[0]:
                    raise InputError([Problem(shown, Message(
                        "{part} unpacks to more than {limit:,.0f} MB; give large instances "
                        "as CSV", part=member.filename,
                        limit=min(MAX_MEMBER_BYTES, budget[0] + written) / 2**20))])
                dst.write(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError) as exc:
        raise InputError([Problem(shown, Message(
            "{part} cannot be unpacked: {reason}", part=member.filename,
            reason=" ".join(str(exc).split()) or type(exc).__name__))]) from None
    budget[0] -= written
