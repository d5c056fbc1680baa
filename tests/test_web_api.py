"""The HTTP API of `allocator serve`: the real app, the real solver, the CLI's JSON."""

from __future__ import annotations

import io
import json
import threading
import zipfile
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient

import allocator
from allocator.cli import main
from allocator.web.app import MAX_UPLOAD_BYTES, create_app
from tests.conftest import SMALL, write_csv_instance

ROOT = Path(__file__).resolve().parents[1]
NPVR = ROOT / "instances" / "npvr-2026.xlsx"
#: What differs between two runs of one solve: the clock.
CLOCK = ("seconds",)


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(NPVR))


def same(a: dict, b: dict) -> None:
    """Two result documents equal but for the time they took."""
    def strip(d: dict) -> dict:
        out = {k: v for k, v in d.items() if k not in CLOCK}
        if isinstance(out.get("solver"), dict):
            out["solver"] = {k: v for k, v in out["solver"].items() if k != "seconds"}
        if isinstance(out.get("weight_sensitivity"), dict):
            out["weight_sensitivity"] = {k: v for k, v in out["weight_sensitivity"].items()}
        return out
    assert strip(a) == strip(b)


def test_solve_is_the_cli_s_json(client: TestClient, tmp_path: Path) -> None:
    with open(NPVR, "rb") as fh:
        got = client.post("/solve", files={"instance": ("npvr-2026.xlsx", fh)},
                          data={"floor": "0.3", "budget": "300000000"})
    assert got.status_code == 200, got.text
    js = tmp_path / "r.json"
    assert main(["solve", str(NPVR), "--floor", "0.3", "--budget", "3e8", "--json", str(js),
                 "--no-report", "-q"]) == 0
    cli = json.loads(js.read_text())
    web = got.json()
    web["instance"] = cli["instance"]  # the upload's name is the file's stem as well
    same(web, cli)
    assert web["policy"]["coverage_floor"] == 0.3 and web["allocated_eur"] == 300_000_000


def test_the_token_of_the_started_instance_and_json_fields(client: TestClient) -> None:
    got = client.post("/solve", json={"token": "default", "budget": 4e8, "tiers": "none"})
    assert got.status_code == 200, got.text
    from allocator.inputs.presets import OFF, with_policy

    inst = with_policy(allocator.load(NPVR), None, {"budget_eur": 4e8, "shortfall_tiers": OFF})
    expected = allocator.solve(inst)
    doc = got.json()
    assert doc["policy"]["shortfall_tiers"] is None
    assert doc["weighted_unmet_eur"] == pytest.approx(expected.weighted_unmet_eur, abs=1e-3)


def test_tables_as_json(client: TestClient, tmp_path: Path) -> None:
    got = client.post("/solve", json={"tables": SMALL, "policy": {"budget": 90}})
    assert got.status_code == 200, got.text
    expected = allocator.solve(write_csv_instance(tmp_path / "s", SMALL), budget=90)
    by = {(r["region"], r["goal"]): r["amount_eur"] for r in got.json()["allocations"]}
    want = expected.rounded_allocation()
    assert by == {(str(r), str(g)): int(a) for r, g, a in
                  zip(want["region"], want["goal"], want["amount_eur"], strict=True)}


def zipped(tables: dict) -> bytes:
    folder = write_csv_instance(Path(__import__("tempfile").mkdtemp()) / "z", tables)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for p in folder.iterdir():
            z.write(p, f"z/{p.name}")
    return buf.getvalue()


def test_a_bad_upload_is_a_422_with_the_cli_s_messages(client: TestClient) -> None:
    bad = {k: [list(r) for r in v] for k, v in SMALL.items()}
    bad["needs"][1][2] = -5
    got = client.post("/validate?lang=nl", files={"instance": ("mijn.zip", zipped(bad))})
    assert got.status_code == 422
    body = got.json()
    assert body["status"] == "invalid"
    assert body["problems"] == [{
        "file": "mijn/needs.csv", "sheet": None, "row": 2, "column": "need_eur",
        "message": "must be >= 0, got -5",
        "text": "mijn/needs.csv, rij 2, need_eur: moet >= 0 zijn, gevonden: -5"}]
    good = client.post("/validate", files={"instance": ("mijn.zip", zipped(SMALL))})
    assert good.status_code == 200 and good.json()["cells"] == 4
    token = good.json()["token"]
    solved = client.post("/solve", data={"token": token, "budget": "90"})
    assert solved.status_code == 200 and solved.json()["instance"] == "mijn"


@pytest.mark.parametrize("name,data,fields,words", [
    ("big.xlsx", b"PK" + b"0" * (MAX_UPLOAD_BYTES + 10), {}, "MB, above the limit of"),
    ("notes.txt", b"hello", {}, "give an Excel workbook (.xlsx) or a zip"),
    ("npvr.xlsx", None, {"policy": "../../etc/passwd.toml"}, "no such policy preset"),
    ("npvr.xlsx", None, {"floor": "veel"}, "floor: must be a number, got 'veel'"),
    ("npvr.xlsx", None, {"floor": "1.5"}, "coverage_floor: must be <= 1"),
])
def test_refusals_are_422s_never_500s(client: TestClient, name: str, data: bytes | None,
                                      fields: dict, words: str) -> None:
    payload = NPVR.read_bytes() if data is None else data
    got = client.post("/solve", files={"instance": (name, payload)}, data=fields)
    assert got.status_code == 422, got.text
    assert words in got.text
    assert "Traceback" not in got.text


def test_unknown_token_and_no_paths_from_the_client(client: TestClient) -> None:
    got = client.post("/solve", json={"token": "../instances/npvr-2026.xlsx"})
    assert got.status_code == 422
    assert "no instance with token" in got.json()["message"]


def test_the_report_is_the_solve_at_those_settings(client: TestClient) -> None:
    got = client.get("/report.xlsx", params={"budget": "500000000", "floor": "0.25",
                                            "lang": "en"})
    assert got.status_code == 200
    assert got.headers["content-disposition"].endswith('npvr-2026-500000000.xlsx"')
    ws = openpyxl.load_workbook(io.BytesIO(got.content))["Allocation"]
    rows = {r[0]: r for r in ws.iter_rows(values_only=True) if r and r[0]}
    expected = allocator.solve(NPVR, budget=5e8, floor=0.25).rounded_allocation()
    totals = expected.groupby(expected["region"].astype(str), observed=True)["amount_eur"].sum()
    names = allocator.load(NPVR).regions["name"]
    for region, amount in totals.items():
        row = rows[names[region]]
        assert amount in row, (region, row)


def test_openapi_names_the_four_calls(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert {"/solve", "/sweep", "/compare", "/validate"} <= set(spec["paths"])
    assert "SolveDocument" in json.dumps(spec)
    assert client.get("/docs").status_code == 200


def test_sweep_and_compare(client: TestClient, tmp_path: Path) -> None:
    sweep = client.post("/sweep", json={"floor": 0.25})
    assert sweep.status_code == 200
    from allocator.studies.sweep import sweep as trace

    expected = trace(allocator.load(NPVR, coverage_floor=0.25))
    assert [p["budget_eur"] for p in sweep.json()["breakpoints"]] == pytest.approx(
        [p.budget_eur for p in expected.breakpoints])
    variants = b"name,budget_eur\nlaag,200000000\nhoog,400000000\n"
    got = client.post("/compare", files={"scenarios": ("v.csv", variants)},
                      data={"token": "default"})
    assert got.status_code == 200, got.text
    assert [s["scenario"] for s in got.json()["scenarios"]] == ["laag", "hoog"]


def test_concurrent_requests_each_get_their_own_answer(client: TestClient) -> None:
    budgets = [2e8, 3e8, 4e8, 5e8]
    answers: dict[float, float] = {}

    def ask(b: float) -> None:
        answers[b] = client.post("/solve", json={"budget": b}).json()["weighted_unmet_eur"]

    threads = [threading.Thread(target=ask, args=(b,)) for b in budgets]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for b in budgets:
        assert answers[b] == pytest.approx(allocator.solve(NPVR, budget=b).weighted_unmet_eur,
                                           abs=1e-3)


def test_an_uploaded_formula_never_reaches_the_report_as_one(client: TestClient) -> None:
    tables = {k: [list(r) for r in v] for k, v in SMALL.items()}
    tables["regions"][1][1] = '=HYPERLINK("http://x","y")'
    token = client.post("/validate", files={"instance": ("f.zip", zipped(tables))}).json()["token"]
    got = client.get("/report.xlsx", params={"token": token, "budget": "90"})
    wb = openpyxl.load_workbook(io.BytesIO(got.content))
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert not any(c.data_type == "f" for c in cells if isinstance(c.value, str)
                   and "HYPERLINK" in c.value)
    assert any(c.value == '=HYPERLINK("http://x","y")' and c.data_type == "s" for c in cells)


@pytest.mark.parametrize("host,warned", [("127.0.0.1", False), ("0.0.0.0", True)])
def test_serve_prints_its_address_and_what_another_host_exposes(host: str, warned: bool) -> None:
    """On loopback the address; beyond it, a warning and an address with the access key,
    which every request must then carry (the page keeps it in a cookie)."""
    import subprocess
    import sys
    import urllib.error
    import urllib.request

    exe = Path(sys.executable).with_name("allocator")
    proc = subprocess.Popen([str(exe), "serve", str(NPVR), "--port", "0", "--host", host],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stderr is not None
        line = proc.stdout.readline().strip()
        assert line.startswith("allocator serve: open http://")
        address = line.split("open ", 1)[1].split(" ", 1)[0]
        port = address.split("/")[2].rsplit(":", 1)[1]
        url = f"http://127.0.0.1:{port}/instances/default"
        if warned:
            key = address.split("?key=", 1)[1]
            assert line.endswith("of de kop X-Allocator-Key); Ctrl-C stopt hem")
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(url)
            assert refused.value.code == 401
            url += f"?key={key}"
        else:
            assert line.endswith("/docs); Ctrl-C stopt het")
        with urllib.request.urlopen(url) as answer:
            assert json.loads(answer.read())["name"] == "npvr-2026"
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=20)
    assert ("waarschuwing: luistert op 0.0.0.0: elke computer die dit adres bereikt en de "
            "sleutel hieronder heeft" in err) is warned


def test_with_a_key_the_page_keeps_it_and_nothing_goes_without() -> None:
    from allocator.web.app import LOOPBACK

    client = TestClient(create_app(NPVR, hosts=(*LOOPBACK, "testserver"), key="s3cret"))
    assert client.get("/instances/default").status_code == 401
    assert client.post("/solve", json={"budget": 3e8}).status_code == 401
    page = client.get("/?key=s3cret")
    assert page.status_code == 200 and "allocator_key" in page.headers["set-cookie"]
    assert "httponly" in page.headers["set-cookie"].lower()
    assert client.get("/instances/default").status_code == 200  # the cookie carries it
    other = TestClient(create_app(NPVR, hosts=(*LOOPBACK, "testserver"), key="s3cret"))
    assert other.get("/params", headers={"X-Allocator-Key": "s3cret"}).status_code == 200
    assert other.get("/params", headers={"X-Allocator-Key": "wrong"}).status_code == 401


def test_a_json_body_is_checked_against_its_model(client: TestClient) -> None:
    got = client.post("/solve", json={"budget": 3e8, "flor": 0.2})
    assert got.status_code == 422
    assert got.json()["problems"][0]["message"] == "flor: unknown field (did you mean 'floor'?)"
    assert got.json()["problems"][0]["text"] == (
        "request.json: flor: onbekend veld (bedoelde u 'floor'?)")
    spec = client.get("/openapi.json").json()
    body = spec["paths"]["/solve"]["post"]["requestBody"]["content"]
    assert {"application/json", "multipart/form-data"} <= set(body)
    assert "floor" in body["application/json"]["schema"]["properties"]


def test_a_zip_of_the_default_carries_its_need_model_and_streams(client: TestClient) -> None:
    """The default instance's CSV folder, zipped: the need model and the existing streams
    come along, and the answer is the command line's."""
    buf = io.BytesIO()
    folder = Path(__file__).parent.parent / "instances" / "npvr-2026"
    with zipfile.ZipFile(buf, "w") as z:
        for p in folder.iterdir():
            z.write(p, f"npvr-2026/{p.name}")
    got = client.post("/solve", files={"instance": ("npvr-2026.zip", buf.getvalue())},
                      data={"no_sensitivity": "1"})
    assert got.status_code == 200, got.text
    expected = allocator.solve(folder)
    doc = got.json()
    assert doc["weighted_unmet_eur"] == pytest.approx(expected.weighted_unmet_eur, abs=1e-3)
    assert {f["table"] for f in doc["figures"]} >= {"indicators", "existing_streams"}
