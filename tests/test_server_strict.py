"""The server reads a request exactly or refuses it, naming the part or field; its memory is
bounded whatever a request declares. Each finding of the hostile-input review, through the
real server: `allocator serve` in its own process on a free loopback port (memory read as
that process's peak RSS), and the app in process for the many small cases."""

from __future__ import annotations

import contextlib
import http.client
import io
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from allocator.web.app import create_app
from tests.conftest import SMALL, serving

ROOT = Path(__file__).resolve().parents[1]
NPVR = ROOT / "instances" / "npvr-2026.xlsx"


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(NPVR), raise_server_exceptions=False)


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[int, int]]:
    """`allocator serve` in its own process: (port, pid)."""
    with serving(NPVR) as running:
        yield running


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident memory (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


def csv_text(rows: list[list[object]]) -> str:
    return "\n".join(",".join("" if v is None else str(v) for v in r) for r in rows)


def lying_zip(real_bytes: int, declared: int = 300) -> bytes:
    """A zip of the CSV tables whose needs.csv declares ``declared`` bytes and inflates to
    ``real_bytes`` (zeros compress about a thousand to one)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for table in ("regions", "goals", "policy"):
            rows = SMALL[table]
            z.writestr(f"{table}.csv", csv_text(rows))
        with z.open("needs.csv", "w", force_zip64=True) as member:
            block = b"0" * (1 << 20)
            for _ in range(real_bytes >> 20):
                member.write(block)
    data = bytearray(buffer.getvalue())
    # the central directory's entry for needs.csv declares the size a reader trusts
    central = data.find(b"PK\x01\x02")
    while central != -1:
        name_len = int.from_bytes(data[central + 28:central + 30], "little")
        if data[central + 46:central + 46 + name_len] == b"needs.csv":
            data[central + 24:central + 28] = declared.to_bytes(4, "little")
        central = data.find(b"PK\x01\x02", central + 4)
    return bytes(data)


# --- memory and size ------------------------------------------------------------------

def test_a_zip_that_lies_about_its_size_costs_no_memory(server: tuple[int, int]) -> None:
    """A 300-byte needs.csv that inflates to 300 MB: refused with a 422, the server's peak
    memory barely moves (it inflated 1 GiB in one piece and answered 500)."""
    port, pid = server
    before = peak_rss_mb(pid)
    body = lying_zip(300 << 20)
    assert len(body) < 2 << 20
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    boundary = "allocatorboundary"
    form = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"instance\"; "
            f"filename=\"bom.zip\"\r\nContent-Type: application/zip\r\n\r\n").encode() + \
        body + f"\r\n--{boundary}--\r\n".encode()
    conn.request("POST", "/validate", body=form,
                 headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    answer = conn.getresponse()
    got = json.loads(answer.read())
    assert answer.status == 422, got
    assert "needs.csv" in got["problems"][0]["message"]
    assert peak_rss_mb(pid) - before < 150


def test_a_chunked_body_is_held_to_the_limit_as_it_arrives(server: tuple[int, int]) -> None:
    """A chunked JSON body of 200 MB is refused with a 413 once it passes the limit; it is
    never buffered whole (+600-800 MB before)."""
    port, pid = server
    before = peak_rss_mb(pid)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def chunks() -> Iterator[bytes]:
        yield b'{"tables": {"regions": [["region"'
        piece = b', "' + b"x" * (1 << 20) + b'"'
        for _ in range(200):
            yield piece

    # the server may stop reading before the client has sent it all: what it should do
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        conn.request("POST", "/solve", body=chunks(), encode_chunked=True,
                     headers={"Content-Type": "application/json",
                              "Transfer-Encoding": "chunked"})
    answer = conn.getresponse()
    assert answer.status == 413
    assert "above the limit" in json.loads(answer.read())["message"]
    assert peak_rss_mb(pid) - before < 150


def descendants(pid: int) -> set[int]:
    """Every process under ``pid`` (the forkserver and its workers), from /proc."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier}
        found |= frontier
    return found


def test_any_request_is_held_to_the_workers_memory(tmp_path: Path) -> None:
    """A 1.4 MB zip of 100,000 cells asks a solve for more memory than --memory 350 allows:
    it is answered 413 in words, no process of the server passes its bound (sampled as RSS
    while the request runs), and the next request is served."""
    import threading
    import time

    from allocator.cli import main

    folder = tmp_path / "large"
    assert main(["generate", str(folder), "--regions", "33334", "--family", "binding"]) == 0
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for table in ("regions", "goals", "needs", "policy"):
            z.write(folder / f"{table}.csv", f"{table}.csv")
    body, boundary = buffer.getvalue(), "allocatorboundary"
    form = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"instance\"; "
            f"filename=\"large.zip\"\r\nContent-Type: application/zip\r\n\r\n").encode() \
        + body + f"\r\n--{boundary}--\r\n".encode()
    with serving(NPVR, "--memory", "350") as (port, pid):
        peak: dict[int, float] = {}
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                for each in descendants(pid) | {pid}:
                    with contextlib.suppress(OSError, AssertionError):
                        peak[each] = max(peak.get(each, 0.0), peak_rss_mb(each))
                time.sleep(0.02)

        watcher = threading.Thread(target=sample)
        watcher.start()
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            conn.request("POST", "/solve?lang=en", body=form, headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}"})
            answer = conn.getresponse()
            got = json.loads(answer.read())
        finally:
            done.set()
            watcher.join()
        assert answer.status == 413, got
        assert got["message"] == ("the request needs more memory than this server allows per "
                                  "solve (350 MB; allocator serve --memory)")
        workers = {p: mb for p, mb in peak.items() if p != pid}
        assert workers  # the solve ran in a worker, watched
        # RLIMIT_DATA holds the heap; RSS adds the shared libraries' pages (~200 MB)
        assert max(workers.values()) < 350 + 250, peak
        assert peak[pid] < 400, peak  # the server itself read a 1.4 MB zip
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        conn.request("POST", "/solve", body=json.dumps({"no_sensitivity": 1}),
                     headers={"Content-Type": "application/json"})
        assert conn.getresponse().status == 200


# --- confident answers to requests it misread ---------------------------------------

def test_a_raw_or_foreign_body_is_refused_by_its_content_type(client: TestClient) -> None:
    workbook = NPVR.read_bytes()
    for kind in ("application/octet-stream", "text/plain", "application/xml"):
        got = client.post("/solve?lang=en", content=workbook, headers={"content-type": kind})
        assert got.status_code == 415, kind
        assert got.json()["message"] == (
            f"content type '{kind}' is not read: send JSON (application/json) or a form "
            "(multipart/form-data)")


def test_a_multipart_body_cut_off_is_refused(client: TestClient) -> None:
    boundary = "b0undary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"instance\"; "
            f"filename=\"npvr.xlsx\"\r\n\r\n").encode() + NPVR.read_bytes()[:5000]
    got = client.post("/solve", content=body,
                      headers={"content-type": f"multipart/form-data; boundary={boundary}"})
    assert got.status_code == 400
    assert got.json()["text"] == ("het formulier is afgebroken: het eindigt niet met zijn "
                                  "slotgrens")


def test_an_instance_sent_as_text_is_refused(client: TestClient) -> None:
    got = client.post("/solve", data={"instance": "/etc/passwd", "budget": "3e8"})
    assert got.status_code == 422
    assert got.json()["field"] == "instance"
    assert got.json()["message"] == ("instance: must be a file (an .xlsx workbook or a .zip "
                                     "of the CSV tables), got text")


@pytest.mark.parametrize("field", ["budget", "floor", "max_gap", "region_max"])
def test_true_is_no_number(client: TestClient, field: str) -> None:
    got = client.post("/solve", json={field: True})
    assert got.status_code == 422
    assert got.json()["message"] == f"{field}: must be a number, not true or false"


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_or_infinity_anywhere_is_refused(client: TestClient, constant: str) -> None:
    tables = {k: [list(r) for r in v] for k, v in SMALL.items()}
    needs = tables["needs"]
    needs[1][needs[0].index("existing_eur")] = "__CONSTANT__"  # the first need row's
    text = json.dumps({"tables": tables}).replace('"__CONSTANT__"', constant)
    got = client.post("/solve", content=text, headers={"content-type": "application/json"})
    assert got.status_code == 400
    assert got.json()["message"] == (f"the JSON body holds {constant}, which is no number: "
                                     "give a number or leave the cell empty")


def test_unknown_and_duplicate_form_fields_are_refused_as_in_json(client: TestClient) -> None:
    for typo, meant in (("budgte", "budget"), ("flor", "floor")):
        got = client.post("/solve", data={typo: "3e8"})
        assert got.status_code == 422
        assert got.json()["problems"][0]["message"] == (
            f"{typo}: unknown field (did you mean '{meant}'?)")
    got = client.post("/solve", content=b"budget=3e8&budget=4e8",
                      headers={"content-type": "application/x-www-form-urlencoded"})
    assert got.status_code == 422
    assert got.json()["message"] == "the field 'budget' is given twice: give it once"
    got = client.post("/solve", content=b'{"budget": 3e8, "budget": 4e8}',
                      headers={"content-type": "application/json"})
    assert got.status_code == 422
    assert got.json()["message"] == "the JSON body names 'budget' twice: give it once"


def test_a_json_row_longer_than_its_header_is_refused(client: TestClient) -> None:
    tables = {k: [list(r) for r in v] for k, v in SMALL.items()}
    tables["needs"][1] = [*tables["needs"][1], 99]
    got = client.post("/solve", json={"tables": tables})
    assert got.status_code == 422
    problem = got.json()["problems"][0]
    assert (problem["file"], problem["row"]) == ("needs.json", 2)
    assert problem["message"].startswith("row 2 has ")


def test_json_tables_take_dutch_names_and_refuse_both(client: TestClient) -> None:
    dutch = {"regions": "regios", "goals": "doelen", "needs": "behoeften", "policy": "beleid"}
    tables = {dutch[k]: [list(r) for r in v] for k, v in SMALL.items()}
    english = client.post("/solve", json={"tables": {k: [list(r) for r in v]
                                                     for k, v in SMALL.items()},
                                          "no_sensitivity": 1})
    got = client.post("/solve", json={"tables": tables, "no_sensitivity": 1})
    assert got.status_code == 200 == english.status_code
    assert got.json()["allocations"] == english.json()["allocations"]
    both = {**tables, "regions": [list(r) for r in SMALL["regions"]]}
    got = client.post("/solve", json={"tables": both})
    assert got.status_code == 422
    assert got.json()["problems"][0]["message"] == (
        "tables 'regios' and 'regions' are the same table: give one")


# --- 4xx where a 500 was ---------------------------------------------------------------

@pytest.mark.parametrize(("body", "said"), [
    (b'{"budget": 3e8', "the JSON body is not valid JSON: "),
    (b'\xff\xfe{"budget": 1}', "the JSON body is not UTF-8 (byte 0)"),
    (b"[" * 100_000 + b"]" * 100_000, "the JSON body nests deeper than 32 levels"),
    (b"[" * 40 + b"]" * 40, "the JSON body nests deeper than 32 levels"),
])
def test_unreadable_json_is_a_400(client: TestClient, body: bytes, said: str) -> None:
    got = client.post("/solve", content=body, headers={"content-type": "application/json"})
    assert got.status_code == 400
    assert got.json()["message"].startswith(said)


@pytest.mark.parametrize("name", ["..zip", "...zip", "a" * 300 + ".zip", "np\x00vr.zip",
                                  "../../etc/x.zip"])
def test_odd_upload_names_are_read_or_refused_never_a_500(client: TestClient,
                                                          name: str) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for table, rows in SMALL.items():
            z.writestr(f"{table}.csv", csv_text(rows))
    got = client.post("/validate", files={"instance": (name, buffer.getvalue())})
    assert got.status_code in (200, 422), got.text
    assert got.status_code == 200
    assert "/" not in got.json()["name"] and "\x00" not in got.json()["name"]


def test_a_member_that_lies_about_its_size_is_a_422(client: TestClient) -> None:
    got = client.post("/validate", files={"instance": ("lies.zip", lying_zip(2 << 20))})
    assert got.status_code == 422
    assert got.json()["problems"][0]["message"].startswith("needs.csv cannot be unpacked")


def test_an_unexpected_error_is_answered_with_its_request_id(
        client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    import allocator.web.app as app

    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("a defect")

    monkeypatch.setattr(app, "tables_instance", broken)
    got = client.post("/solve", json={"tables": {"regions": [["region"]]}})
    assert got.status_code == 500
    request_id = got.json()["request_id"]
    assert len(request_id) == 12 and request_id in got.json()["message"]
    assert "Traceback" not in got.text and "a defect" not in got.text


# --- any page the user visits cannot drive it -------------------------------------------

def _post(port: int, path: str, headers: dict[str, str], body: bytes = b"{}") -> tuple[int, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("POST", path, body=body, headers={"Content-Type": "application/json",
                                                   **headers})
    answer = conn.getresponse()
    return answer.status, json.loads(answer.read())


def test_another_site_cannot_drive_the_server(server: tuple[int, int]) -> None:
    """A page at evil.example that posts to the server (as a browser sends it: with its
    Origin) is refused, and stores nothing; the server's own page is not."""
    port, _ = server
    for path in ("/solve", "/validate", "/sweep"):
        status, got = _post(port, path + "?lang=en", {"Origin": "http://evil.example"})
        assert status == 403, path
        assert got["message"] == ("a request from another site (http://evil.example) is "
                                  "refused: use this server's own page")
    status, _ = _post(port, "/solve", {"Origin": "null"})
    assert status == 403
    status, _ = _post(port, "/solve", {"Sec-Fetch-Site": "cross-site"})
    assert status == 403
    status, got = _post(port, "/solve", {"Origin": f"http://127.0.0.1:{port}"},
                        b'{"budget": 3e8, "no_sensitivity": 1}')
    assert status == 200 and got["status"] == "optimal"
    status, _ = _post(port, "/solve", {"Origin": f"http://localhost:{port}"},
                      b'{"budget": 3e8, "no_sensitivity": 1}')
    assert status == 200


def test_a_foreign_host_name_is_refused(server: tuple[int, int]) -> None:
    """DNS rebinding: evil.example resolving to 127.0.0.1 reaches the server with
    Host: evil.example, and is refused before anything is read."""
    port, _ = server
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", "/instances/default?lang=en", headers={"Host": "evil.example"})
    answer = conn.getresponse()
    assert answer.status == 421
    assert json.loads(answer.read())["message"] == (
        "this server answers to 127.0.0.1, localhost, ::1, [::1], not to 'evil.example'")
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", "/instances/default", headers={"Host": f"localhost:{port}"})
    assert conn.getresponse().status == 200


# --- the docs page ------------------------------------------------------------------------

def test_the_docs_work_offline_and_read_as_plain_text(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(s.startswith("/") for s in sources), sources
    for source in sources:
        assert client.get(source).status_code == 200, source
    spec = client.get("/openapi.json").text
    for markup in ("``", ":mod:", ":class:", ":func:", ":data:"):
        assert markup not in spec, markup
    assert "shares from 0 to 1 (floor, max_gap)" in client.get("/openapi.json").json()[
        "info"]["description"]
