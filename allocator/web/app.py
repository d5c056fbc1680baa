"""`allocator serve`: the engine over HTTP, and one page a cabinet can steer.

The API is the command line's: ``POST /solve``, ``/sweep``, ``/compare`` and ``/validate``
answer with the same JSON documents as ``--json`` (the models of
:mod:`allocator.reports.schema`, so ``/docs`` shows them). An instance comes as a multipart
file field ``instance`` (a workbook, or a zip of the CSV tables), as the tables in JSON
(``POST /solve`` with ``{"tables": {...}, "policy": {...}}``), or as the ``token`` of an
instance uploaded before (``POST /validate`` returns one; ``default`` is the instance the
server was started with). Policy values are form fields named like the command line's flags
(``budget``, ``floor``, ``max_gap``, ``fairness``, ``policy``, ``tiers``), applied in the same
order: the instance's policy sheet, then the preset, then the fields.

Safe by default: the server binds to loopback unless told otherwise, answers only to its
own host names and changes nothing at the request of another site; a request is read
exactly or refused, bounded as it streams in (:mod:`allocator.web.requests`); solves run
in a bounded pool of worker processes with a real time limit (:mod:`allocator.web.workers`);
a bad instance is a 422 with the same messages as the command line (file, sheet, row,
column), any other failure a JSON message with a request id, never a traceback.

The page (``GET /``) is one HTML file with plain JavaScript and Plotly, served from the
installed ``plotly`` package (no CDN). Moving the budget slider interpolates the exact
budget-response curve between its breakpoints in the page; a policy change re-solves.
"""

from __future__ import annotations

import io
import re
import secrets
import tempfile
import threading
import time
import zipfile
from collections import OrderedDict
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from allocator.errors import AllocatorError, InputError, Problem, UsageError
from allocator.inputs.instance import Instance
from allocator.inputs.names import TABLES_NL
from allocator.inputs.validate import TRUE_WORDS
from allocator.messages import Message
from allocator.output import json_bytes
from allocator.web.requests import (
    MAX_UPLOAD_BYTES,
    Refused,
    content_kind,
    form_fields,
    inflate,
    json_body,
    safe_name,
    spooled_body,
)
from allocator.web.workers import Busy, Stopped, TooMuchMemory, Workers
from models.rules import PARAM, PARAM_RULES, PARAMS
from models.rules.params import OFF_WORDS, Param

#: Each solve (and each sweep's LPs) stops after this many seconds.
TIME_LIMIT_S = 30.0
#: Uploaded instances kept in memory; the oldest goes first.
MAX_INSTANCES = 32
#: Curves kept, by instance and policy (a few hundred kB each for the NPVR instance).
MAX_CURVES = 64
#: The policy fields a request may set, by form name (the command line's flags).
#: The policy fields of a request: every declared parameter (models.rules.params), by its
#: flag's name (``floor`` for --floor) and by its key (``coverage_floor``).
FIELDS = {**{p.dest: p.key for p in PARAMS}, **{p.key: p.key for p in PARAMS}}
#: The one-year tables a zip may carry, by their own and their Dutch names: the four, the
#: sources, the need model and the existing money by stream.
CSV_TABLES = tuple(name for table in ("regions", "goals", "needs", "policy", "sources",
                                      "indicators", "need_model", "existing_streams")
                   for name in (table, TABLES_NL[table]))


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")

    policy: str | None = Field(None, description="a shipped preset by name (--policy)")
    no_sensitivity: bool | int | None = Field(None, description="skip the weight "
                                                                "sensitivity (solve)")
    budgets: str | None = Field(None, description="sweep: exactly these budgets, comma "
                                                  "separated (--budgets): each solved in "
                                                  "full, with each region at each")


def _request_field(p: Param, name: str) -> tuple[Any, Any]:
    kinds = {"money": float | str, "fraction": float | str, "ratio": float | str,
             "bool": bool | str, "choice": str, "tiers": str}
    text = f"{p.help['en']} ({p.flag}{'' if name == p.dest else ', by its key'}"
    text += "; 'none' switches the rule off)" if p.can_off else ")"
    return kinds[p.kind] | None, Field(None, description=text)


#: The policy fields of a request (form fields, or keys of the JSON body), named like the
#: command line's flags or by the policy key; each overrides the instance's policy sheet and
#: the preset. One field per declared parameter.
if TYPE_CHECKING:
    class Fields(_Request):
        """The policy fields of a request (made from the declarations)."""
else:
    Fields = create_model("Fields", __base__=_Request, __module__=__name__,
                          **{name: _request_field(PARAM[key], name)
                             for name, key in FIELDS.items()})


class Body(Fields):
    """A JSON request: the instance as a token or as its tables, and the policy fields."""

    token: str | None = Field(None, description="an instance uploaded before (POST "
                                                "/validate), or 'default'")
    tables: dict[str, list[list[Any]]] | None = Field(
        None, description="the instance's tables: per table a list of rows, the header first")


def body_schema(files: dict[str, Any] | None = None) -> dict[str, Any]:
    """The OpenAPI request body of a call: JSON (:class:`Body`) or a multipart form with the
    instance file and the policy fields."""
    form = Fields.model_json_schema()
    form["properties"] = {"instance": {"type": "string", "format": "binary",
                                       "description": "an .xlsx workbook or a .zip of the "
                                                      "CSV tables"},
                          "token": {"type": "string"}, **(files or {}), **form["properties"]}
    return {"requestBody": {"content": {
        "application/json": {"schema": Body.model_json_schema()},
        "multipart/form-data": {"schema": form}}}}


class Store:
    """The instances the server holds: the one it started with and those uploaded, each
    under a random token (the client never names a file)."""

    def __init__(self, default: Path | None) -> None:
        self.items: OrderedDict[str, Instance] = OrderedDict()
        self.lock = threading.Lock()
        if default is not None:
            from allocator.inputs.validate import load

            self.items["default"] = load(default)

    def get(self, token: str) -> Instance:
        with self.lock:
            if token not in self.items:
                raise UsageError(Message("no instance with token '{token}' (upload one with "
                                         "POST /validate)", token=token))
            self.items.move_to_end(token)
            return self.items[token]

    def put(self, instance: Instance) -> str:
        token = secrets.token_urlsafe(12)
        with self.lock:
            self.items[token] = instance
            while len(self.items) > MAX_INSTANCES:
                oldest = next(k for k in self.items if k != "default")
                del self.items[oldest]
        return token


def read_upload(name: str | None, data: bytes) -> Instance:
    """An uploaded workbook or zip of CSV tables, read and validated in a temporary folder of
    the server's own: the files there have names of the server's own, and the upload's
    name is kept, cleaned, for messages only."""
    from allocator.inputs.read import read_instance
    from allocator.inputs.validate import validate

    shown = safe_name(name)
    if len(data) > MAX_UPLOAD_BYTES:
        raise InputError([Problem(shown, Message(
            "{size:,.0f} MB, above the limit of {limit:,.0f} MB", size=len(data) / 2**20,
            limit=MAX_UPLOAD_BYTES / 2**20))])
    stem = Path(shown).stem or "upload"
    with tempfile.TemporaryDirectory(prefix="allocator-upload-") as tmp:
        folder = Path(tmp)
        # the upload's cleaned stem names the folder or file, as the messages show it; it
        # lies in a folder of the server's own and never comes as a path
        if data[:2] == b"PK" and shown.lower().endswith(".zip"):
            path = folder / "upload" / stem
            path.mkdir(parents=True)
            _unzip_tables(shown, data, path)
        elif data[:2] == b"PK" or shown.lower().endswith(".xlsx"):
            path = folder / f"{stem}.xlsx"
            path.write_bytes(data)
        else:
            raise InputError([Problem(shown, Message(
                "give an Excel workbook (.xlsx) or a zip of the CSV tables (.zip)"))])
        tables = read_instance(path)
        return validate(tables, name=stem, source=shown)


def _unzip_tables(shown: str, data: bytes, target: Path) -> None:
    """The CSV tables of a zip, by their base names only, each inflated in a stream and
    counted as it is produced (a member's declared size is not trusted)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        raise InputError([Problem(shown, Message("not a readable zip archive"))]) from None
    budget = [4 * MAX_UPLOAD_BYTES]
    for member in archive.infolist():
        base = Path(member.filename).name
        stem = Path(base).stem.lower()
        if member.is_dir() or not base.lower().endswith(".csv") or stem not in CSV_TABLES:
            continue
        inflate(archive, member, target / f"{stem}.csv", budget, shown)


def tables_instance(tables: dict[str, list[list[Any]]], name: str = "json") -> Instance:
    """An instance from its tables as JSON: per table a list of rows, the first the header."""
    import pandas as pd

    from allocator.inputs.names import table_name
    from allocator.inputs.read import ROW, RawTable, _frame
    from allocator.inputs.validate import validate

    raw = {}
    given: dict[str, str] = {}
    for written, rows in tables.items():
        table = table_name(written)  # Dutch names too (regios, behoeften, ...), as in files
        if table in given:
            raise InputError([Problem(f"{name}.json", Message(
                "tables '{a}' and '{b}' are the same table: give one", a=given[table],
                b=written))])
        given[table] = written
        if not isinstance(rows, list) or not rows or not isinstance(rows[0], list):
            raise InputError([Problem(f"{name}.json", Message(
                "table '{table}' must be a list of rows, the first the header",
                table=written))])
        width = len(rows[0])
        for i, row in enumerate(rows[1:], start=2):
            if not isinstance(row, list) or len(row) != width:
                raise InputError([Problem(f"{written}.json", Message(
                    "row {row} has {n} values, its header {width}: give one value per "
                    "column", row=i, n=len(row) if isinstance(row, list) else 1,
                    width=width), None, i)])
        frame = _frame(rows[0], [(i + 2, list(r)) for i, r in enumerate(rows[1:])])
        raw[table] = RawTable(frame if len(frame.columns) else pd.DataFrame({ROW: []}),
                              f"{written}.json", None, ".")
    for table in ("regions", "goals", "needs", "policy"):
        if table not in raw:
            raise InputError([Problem(f"{name}.json", Message("missing table '{table}'",
                                                              table=table))])
    return validate(raw, name=name, source=f"{name}.json")


def _no_boolean_numbers(raw: dict[str, Any]) -> None:
    """``{"budget": true}`` is a mistake, not €1: true or false only where a rule takes it."""
    for key, value in raw.items():
        if isinstance(value, bool) and key in FIELDS and PARAM[FIELDS[key]].kind != "bool":
            raise Refused(422, Message("{field}: must be a number, not true or false",
                                       field=key), key)


def _invalid(exc: ValidationError, part: str) -> InputError:
    """A request's fields that do not validate, each named (an unknown one with the field
    it was likely meant to be)."""
    import difflib

    problems = []
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"])
        if err["type"] == "extra_forbidden":
            near = difflib.get_close_matches(key, [*FIELDS, "policy", "token", "tables"], 1)
            message = (Message("{key}: unknown field (did you mean '{near}'?)", key=key,
                               near=near[0]) if near else
                       Message("{key}: unknown field", key=key))
        else:
            message = Message("{key}: {reason}", key=key, reason=str(err["msg"]))
        problems.append(Problem(part, message))
    return InputError(problems)


def policy_flags(form: dict[str, Any]) -> tuple[str | None, dict[str, object]]:
    """The preset and the policy values a request sets (form fields or a JSON object)."""
    from allocator.inputs.presets import OFF, available
    from allocator.inputs.validate import FALSE_WORDS, parse_tiers

    preset = form.get("policy") or None
    if preset is not None and preset not in available():
        raise UsageError(Message("no such policy preset (known: {known}; or give a .toml "
                                 "file)", known=", ".join(available())))
    flags: dict[str, object] = {}
    for field, key in FIELDS.items():
        value = form.get(field)
        if value is None or str(value).strip() == "":
            continue
        if key in flags:
            raise UsageError(Message("{field}: the same rule is given twice ({key})",
                                     field=field, key=key))
        param = PARAM[key]
        text = str(value).strip()
        if param.can_off and text.lower() in OFF_WORDS:
            flags[key] = OFF  # the rule switched off, as --tiers none does
        elif param.kind == "tiers":
            flags[key] = parse_tiers(text)
        elif param.kind == "choice":
            flags[key] = text
        elif param.kind == "bool":
            word = text.lower()
            if word not in TRUE_WORDS | FALSE_WORDS:
                raise UsageError(Message("{field}: must be true or false, got '{value}'",
                                         field=field, value=text[:40]))
            flags[key] = word in TRUE_WORDS
        else:
            try:
                flags[key] = float(text)
            except ValueError:
                raise UsageError(Message("{field}: must be a number, got '{value}'",
                                         field=field, value=text[:40])) from None
    return preset, flags


def equivalent_command(instance: Instance, fields: dict[str, Any]) -> str:
    """The ``allocator solve`` command that gives what a request asked for (the report
    records it, so that anyone can make the same file again)."""
    import shlex

    argv = ["allocator", "solve", Path(instance.source).name or instance.name]
    if fields.get("policy"):
        argv += ["--policy", str(fields["policy"])]
    for field, key in FIELDS.items():
        value = fields.get(field)
        if value is None or str(value).strip() == "":
            continue
        param = PARAM[key]
        if param.kind == "bool":
            if str(value).strip().lower() in TRUE_WORDS:
                argv.append(param.flag)
            continue
        argv += [param.flag, str(value)]
    if fields.get("lang") in ("nl", "en"):
        argv += ["--lang", str(fields["lang"])]
    return shlex.join(argv)


#: The names of this computer's loopback address, as a browser writes them in Host.
LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")
#: The methods that change something (a stored instance, a solve): never from another site.
WRITING = ("POST", "PUT", "PATCH", "DELETE")


def _host_of(value: str) -> str:
    """The host part of a Host header or an origin's netloc (``[::1]:8000`` -> ``[::1]``)."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[: value.find("]") + 1]
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


#: The cookie that carries the access key once the page was opened with it.
KEY_COOKIE = "allocator_key"


class Guard:
    """ASGI middleware: a request must name one of ``hosts`` in its Host header (a page of
    another site that rebinds its name to this address is refused), a request that changes
    something must come from this server's own page, never from another Origin, and with
    ``key`` every request must carry it. ``hosts`` None (the Python API in process) checks
    neither host nor origin. Plain ASGI (not Starlette's BaseHTTPMiddleware), so that a
    handler still learns when its client goes away."""

    def __init__(self, app: Any, hosts: tuple[str, ...] | None = None,
                 key: str | None = None) -> None:
        self.app, self.hosts, self.key = app, hosts, key

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or (self.hosts is None and self.key is None):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        refused = self.refusal(request)
        if refused is not None:
            lang = request.query_params.get("lang", "nl")
            await JSONResponse(status_code=refused.status, content={
                "status": "refused", "message": refused.text("en"), "text": refused.text(lang),
                "field": refused.field})(scope, receive, send)
            return
        if self.key is not None and request.query_params.get("key") == self.key:
            cookie = (f"{KEY_COOKIE}={self.key}; HttpOnly; Path=/; SameSite=Strict").encode()

            async def with_cookie(message: dict[str, Any]) -> None:
                if message["type"] == "http.response.start":  # the page's calls carry it
                    message = {**message, "headers": [*message.get("headers", []),
                                                       (b"set-cookie", cookie)]}
                await send(message)

            await self.app(scope, receive, with_cookie)
            return
        await self.app(scope, receive, send)

    def refusal(self, request: Request) -> Refused | None:
        if self.hosts is not None:
            host = _host_of(request.headers.get("host", ""))
            if host not in self.hosts:
                return Refused(421, Message("this server answers to {hosts}, not to '{host}'",
                                            hosts=", ".join(self.hosts), host=host[:60]),
                               "host")
            origin = request.headers.get("origin")
            site = request.headers.get("sec-fetch-site", "")
            if request.method in WRITING and (
                    (origin is not None and (origin == "null" or _host_of(
                        origin.split("://", 1)[-1]) not in self.hosts)) or site == "cross-site"):
                return Refused(403, Message("a request from another site ({origin}) is "
                                            "refused: use this server's own page",
                                            origin=(origin or site)[:80]), "origin")
        if self.key is not None:
            given = (request.headers.get("x-allocator-key") or request.query_params.get("key")
                     or request.cookies.get(KEY_COOKIE))
            if given is None or not secrets.compare_digest(given, self.key):
                return Refused(401, Message("this server asks for its access key: open the "
                                            "address it printed when it started"), "key")
        return None


#: What /docs says of the API: plain text, in English (the API's language), with units.
API_DESCRIPTION = """\
The engine of allocator over HTTP: the same results as the command line's --json.

POST /solve, /sweep and /compare answer with the JSON documents of allocator solve, sweep
and compare --json; POST /validate reads and checks an instance and keeps it under a token.

The instance comes as a multipart file field "instance" (an .xlsx workbook, or a .zip of
the CSV tables), as its tables in JSON ({"tables": {"regions": [[header], [row], ...],
...}}; Dutch table names too), or as the "token" of an instance sent before ("default" is
the one the server started with).

Policy fields are the rules' parameters (GET /params lists them), named like the command
line's flags (budget, floor, max_gap, tiers, ...) or by their policy key (budget_eur,
coverage_floor, ...); "policy" names a shipped preset. They apply in the command line's
order: the instance's policy sheet, then the preset, then the fields; "none" switches a
rule off. Money is in euros (budget, region_min, region_max, max_change per inhabitant),
shares from 0 to 1 (floor, max_gap), and tiers as "10%: 1.5; 20%: 2.25".

Refusals are 4xx with the command line's messages: 422 for a bad instance or field (each
problem with file, sheet, row and column), 400 for a body that cannot be read, 413 above
21 MB, 415 for another content type, 403 from another site, 421 for another host name,
503 when every worker is busy (with Retry-After) and 504 when a request passes the time
limit. Add ?lang=en or ?lang=nl for the messages' language.
"""


def solve_job(inst: Instance, time_limit: float, sensitivity: bool) -> bytes:
    """In a worker: ``allocator solve``'s JSON (the command layer's full solve)."""
    from allocator.commands import SolveOptions, solve_command
    from allocator.reports.documents import document

    return json_bytes(document(solve_command(inst, SolveOptions(
        time_limit=time_limit, sensitivity=sensitivity))))


def sweep_job(inst: Instance, budgets: list[float] | None) -> bytes:
    """In a worker: ``allocator sweep``'s JSON."""
    from allocator.reports.documents import document
    from allocator.studies.sweep import sweep

    return json_bytes(document(sweep(inst, budgets=budgets)))


def compare_job(inst: Instance, path: Path) -> bytes:
    """In a worker: ``allocator compare``'s JSON."""
    from allocator.reports.documents import document
    from allocator.studies.compare import compare

    return json_bytes(document(compare(inst, path)))


def report_job(inst: Instance, lang: str, command: str, time_limit: float) -> bytes:
    """In a worker: the report workbook of a full solve, as bytes."""
    from allocator.commands import SolveOptions, solve_command
    from allocator.reports.workbook import write_report

    with tempfile.TemporaryDirectory(prefix="allocator-report-") as tmp:
        path = Path(tmp) / "report.xlsx"
        write_report(solve_command(inst, SolveOptions(time_limit=time_limit)), path,
                     lang=lang, command=command)
        return path.read_bytes()


def create_app(default: Path | None = None, *, lang: str = "nl",
               hosts: tuple[str, ...] | None = None, workers: Workers | None = None,
               key: str | None = None) -> Any:
    """The FastAPI application: the API, the page and its script library. With ``hosts``
    (what ``allocator serve`` passes: the loopback names, and the address it binds) a
    request must name one of them as its Host, and nothing changes at the request of
    another site. With ``key`` (what ``allocator serve --host`` other than loopback passes)
    every request must carry it: as ``?key=`` (the page then keeps it in a cookie), or the
    ``X-Allocator-Key`` header."""
    from allocator.commands import under_policy
    from allocator.inputs.presets import available
    from allocator.reports import schema

    store = Store(default)
    # The curves asked for before, by instance and policy: a cabinet goes back and forth
    # between the same settings, and a curve depends on nothing else.
    curves: OrderedDict[tuple[Any, ...], tuple[Instance, Response]] = OrderedDict()
    pool = workers or Workers(time_limit=TIME_LIMIT_S)
    # the docs page from the swagger-ui-bundle package's own files (it works offline)
    app = FastAPI(title="allocator", description=API_DESCRIPTION, version=_version(),
                  docs_url=None, redoc_url=None)
    app.add_middleware(Guard, hosts=hosts, key=key)

    def raw(data: bytes) -> Response:
        """A result document byte for byte as ``--json`` writes it (made in a worker)."""
        return Response(data, media_type="application/json")

    def shape(model: Any) -> dict[Any, Any]:
        return {200: {"model": model, "description": "the document `--json` writes"}}

    @app.exception_handler(InputError)
    async def _input(request: Request, exc: InputError) -> JSONResponse:
        lang = request.query_params.get("lang", "nl")
        return JSONResponse(status_code=422, content={
            "status": "invalid", "message": exc.text("en"),
            "problems": [{"file": p.file, "sheet": p.sheet, "row": p.row, "column": p.column,
                          "message": str(p.message), "text": p.text(lang)}
                         for p in exc.problems]})

    @app.exception_handler(Busy)
    async def _busy(request: Request, exc: Busy) -> JSONResponse:
        lang = request.query_params.get("lang", "nl")
        return JSONResponse(status_code=503, headers={"Retry-After": str(exc.retry_after)},
                            content={"status": "busy", "message": exc.text("en"),
                                     "text": exc.text(lang)})

    @app.exception_handler(Stopped)
    async def _stopped(request: Request, exc: Stopped) -> JSONResponse:
        lang = request.query_params.get("lang", "nl")
        return JSONResponse(status_code=504, content={
            "status": "time_limit", "message": exc.text("en"), "text": exc.text(lang)})

    @app.exception_handler(TooMuchMemory)
    async def _memory(request: Request, exc: TooMuchMemory) -> JSONResponse:
        lang = request.query_params.get("lang", "nl")
        return JSONResponse(status_code=413, content={
            "status": "too_large", "message": exc.text("en"), "text": exc.text(lang)})

    @app.exception_handler(Refused)
    async def _unreadable(request: Request, exc: Refused) -> JSONResponse:
        lang = request.query_params.get("lang", "nl")
        return JSONResponse(status_code=exc.status, content={
            "status": "invalid", "message": exc.text("en"), "text": exc.text(lang),
            "field": exc.field})

    @app.exception_handler(AllocatorError)
    async def _refused(request: Request, exc: AllocatorError) -> JSONResponse:
        lang = request.query_params.get("lang", "nl")
        return JSONResponse(status_code=422 if exc.exit_code == 2 else 500, content={
            "status": "error", "message": exc.text("en"), "text": exc.text(lang)})

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        """Logged with a request id, answered with that id (never a traceback)."""
        import logging

        request_id = secrets.token_hex(6)
        logging.getLogger("allocator.web").error("request %s: %s %s", request_id,
                                                 request.method, request.url.path,
                                                 exc_info=exc)
        return JSONResponse(status_code=500, content={
            "status": "error", "request_id": request_id,
            "message": f"unexpected error ({type(exc).__name__}); request id {request_id}"})

    async def instance_of(request: Request) -> tuple[Instance, dict[str, Any]]:
        """The request's instance (a file, JSON tables or a token) and its other fields,
        read exactly (allocator.web.requests): the body is streamed and counted, and what
        cannot be read exactly is refused, naming the part or field. A form's files are in
        ``request.state.files``."""
        body, size = await spooled_body(request)
        request.state.files = {}
        with body:
            kind = content_kind(request, size)
            if kind == "json":
                raw = json_body(body)
                if isinstance(raw.get("policy"), dict):  # {"policy": {...}}: the fields
                    raw = {**{k: v for k, v in raw.items() if k != "policy"},
                           **raw["policy"]}
                _no_boolean_numbers(raw)
                try:
                    parsed = Body.model_validate(raw)
                except ValidationError as exc:
                    raise _invalid(exc, "request.json") from None
                fields = parsed.model_dump(exclude={"tables", "token"}, exclude_none=True)
                if parsed.tables is not None:
                    return tables_instance(parsed.tables), fields
                return store.get(parsed.token or "default"), fields
            if kind == "none":
                return store.get("default"), {}
            texts, files = await form_fields(request, body, size)
            try:
                Fields.model_validate({k: v for k, v in texts.items() if k != "token"})
            except ValidationError as exc:
                raise _invalid(exc, "form") from None
            request.state.files = files
            upload = files.get("instance")
            if upload is not None:
                data = await upload.read(MAX_UPLOAD_BYTES + 1)
                return read_upload(upload.filename, data), texts
            return store.get(texts.get("token", "default")), texts

    def prepared(instance: Instance, fields: dict[str, Any]) -> Instance:
        preset, flags = policy_flags(fields)
        return under_policy(instance, preset, flags)  # as the command line does it

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def page() -> HTMLResponse:
        text = resources.files("allocator.web").joinpath("page.html").read_text("utf-8")
        return HTMLResponse(text.replace("__LANG__", lang))

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        from fastapi.openapi.docs import get_swagger_ui_html

        return get_swagger_ui_html(openapi_url="/openapi.json", title="allocator API",
                                   swagger_js_url="/static/swagger/swagger-ui-bundle.js",
                                   swagger_css_url="/static/swagger/swagger-ui.css",
                                   swagger_favicon_url="/static/swagger/favicon-32x32.png")

    @app.get("/static/swagger/{name}", include_in_schema=False)
    def swagger_file(name: str) -> Response:
        from swagger_ui_bundle import swagger_ui_path

        kinds = {"swagger-ui-bundle.js": "text/javascript", "swagger-ui.css": "text/css",
                 "favicon-32x32.png": "image/png"}
        if name not in kinds:
            raise UsageError(Message("no such file"))
        return Response((Path(swagger_ui_path) / name).read_bytes(), media_type=kinds[name],
                        headers={"Cache-Control": "max-age=86400"})

    @app.get("/static/plotly.min.js", include_in_schema=False)
    def plotly_js() -> Response:
        path = resources.files("plotly").joinpath("package_data/plotly.min.js")
        return Response(path.read_bytes(), media_type="text/javascript",
                        headers={"Cache-Control": "max-age=86400"})

    @app.get("/params", summary="every rule parameter as declared (models.rules.params): "
                                "key, flag, kind, bounds, off value, names and help")
    def params() -> list[dict[str, Any]]:
        import dataclasses

        return [{**dataclasses.asdict(p), "dest": p.dest, "rule": PARAM_RULES[p.key]}
                for p in PARAMS]

    @app.get("/instances/{token}", summary="the regions and policy of an instance (under a "
                                           "preset with ?policy=NAME)")
    def instance_facts(token: str, policy: str | None = None) -> dict[str, Any]:
        import numpy as np

        from allocator.solving.figures import figures_of

        inst = store.get(token)
        if policy:
            preset, _ = policy_flags({"policy": policy})
            inst = under_policy(inst, preset)
        # each region's figures before any allocation, from the one figures table (need,
        # existing money counted, net need, coverage before): the page computes none
        before = figures_of(inst, np.zeros(len(inst.needs)), float(inst.policy.budget_eur))
        records = {rec["region"]: rec for rec in before.region_records()}
        regions = [{"id": str(r), "name": str(row["name"]),
                    "population": int(row["population"]),
                    "need_eur": records[str(r)]["need_eur"],
                    "existing_eur": records[str(r)]["existing_eur"],
                    "figures": records[str(r)]}
                   for r, row in inst.regions.iterrows()]
        return {"token": token, "name": inst.name, "regions": regions,
                "policy": inst.policy.model_dump(), "presets": available()}

    @app.post("/validate", summary="read and check an instance; keep it under a token",
              openapi_extra=body_schema())
    async def validate_(request: Request) -> dict[str, Any]:
        instance, _ = await instance_of(request)
        return {"status": "valid", "token": store.put(instance), "name": instance.name,
                "regions": len(instance.regions), "goals": len(instance.goals),
                "cells": len(instance.needs), "total_need_eur": instance.total_need_eur,
                "warnings": [str(m) for m in instance.unsourced()[:20]]}

    @app.post("/solve", responses=shape(schema.SolveDocument), openapi_extra=body_schema(),
              summary="solve an instance (the JSON of `allocator solve --json`)")
    async def solve_(request: Request) -> Response:
        instance, fields = await instance_of(request)
        inst = prepared(instance, fields)
        asked = str(fields.get("no_sensitivity", "")).lower() not in ("1", "true", "yes")

        return raw(await pool.run(solve_job, inst, pool.time_limit, asked,
                                  disconnected=request.is_disconnected))

    @app.post("/sweep", responses=shape(schema.SweepDocument), openapi_extra=body_schema(),
              summary="the exact budget-response curve (the JSON of `allocator sweep --json`)")
    async def sweep_(request: Request) -> Response:
        instance, fields = await instance_of(request)
        inst = prepared(instance, fields)
        asked = None
        if fields.get("budgets"):
            try:
                asked = [float(v) for v in str(fields["budgets"]).split(",") if v.strip()]
            except ValueError:
                raise UsageError(Message("budgets: give budgets separated by commas, for "
                                         "example 100e6,250e6,500e6,1e9")) from None
        key = (id(instance), json_bytes(inst.policy.model_dump()), tuple(asked or ()))
        with store.lock:
            hit = curves.get(key)
        if hit is not None:
            return hit[1]
        made = raw(await pool.run(sweep_job, inst, asked,
                                  disconnected=request.is_disconnected))
        with store.lock:  # the instance is kept with its curve, so its id stays its own
            curves[key] = (instance, made)
            while len(curves) > MAX_CURVES:
                curves.popitem(last=False)
        return made

    @app.post("/compare", responses=shape(schema.CompareDocument),
              openapi_extra=body_schema({"scenarios": {
                  "type": "string", "format": "binary",
                  "description": "the variants: a name column, then policy keys"}}),
              summary="the instance under each variant of a scenarios table (field "
                      "`scenarios`: CSV or workbook)")
    async def compare_(request: Request) -> Response:
        instance, fields = await instance_of(request)
        table = request.state.files.get("scenarios")
        if table is None:
            raise UsageError(Message("give the variants as a file field 'scenarios'"))
        data = await table.read(MAX_UPLOAD_BYTES + 1)
        if len(data) > MAX_UPLOAD_BYTES:
            raise UsageError(Message("the scenarios file is above the upload limit"))
        inst = prepared(instance, fields)
        suffix = ".xlsx" if data[:2] == b"PK" else ".csv"
        with tempfile.TemporaryDirectory(prefix="allocator-upload-") as tmp:
            path = Path(tmp) / f"scenarios{suffix}"
            path.write_bytes(data)
            return raw(await pool.run(compare_job, inst, path,
                                      disconnected=request.is_disconnected))

    @app.get("/report.xlsx", summary="the Excel report of a solve at these settings")
    async def report(request: Request) -> Response:
        fields = dict(request.query_params)
        inst = prepared(store.get(fields.get("token", "default")), fields)
        language = fields.get("lang", lang) if fields.get("lang") in ("nl", "en") else lang
        data = await pool.run(report_job, inst, language, equivalent_command(inst, fields),
                              pool.time_limit, disconnected=request.is_disconnected)
        name = re.sub(r"[^A-Za-z0-9._-]", "_", inst.name)[:60] or "report"
        budget = int(inst.policy.budget_eur)
        return Response(data, media_type="application/vnd.openxmlformats-officedocument."
                                         "spreadsheetml.sheet",
                        headers={"Content-Disposition":
                                 f'attachment; filename="{name}-{budget}.xlsx"'})

    app.state.store = store
    app.state.started = time.time()
    return app


def _version() -> str:
    from allocator import __version__

    return __version__
