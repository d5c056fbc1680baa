"""The page of `allocator serve` in a real browser: Debian's Chromium, driven through its
ChromeDriver (`make test` installs both), against the real server on a free loopback port.
The figures on screen are checked against `allocator solve` at the same settings."""

from __future__ import annotations

import io
import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest

import allocator
from allocator.studies.sweep import sweep

ROOT = Path(__file__).resolve().parents[1]
NPVR = ROOT / "instances" / "npvr-2026.xlsx"


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    import uvicorn

    from allocator.web.app import LOOPBACK, create_app

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(create_app(NPVR, hosts=LOOPBACK), log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    for _ in range(200):
        if srv.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


def ready(driver: Any, timeout: float = 30.0) -> None:
    """Wait until the page has drawn and no solve is under way."""
    end = time.time() + timeout
    while time.time() < end:
        if driver.execute_script("return !!document.body.dataset.budget && "
                                 "!document.body.dataset.loading"):
            return
        time.sleep(0.05)
    raise AssertionError("the page did not finish drawing")


def settled(driver: Any, timeout: float = 30.0) -> None:
    """Wait until the page shows the full solve at the slider's budget."""
    end = time.time() + timeout
    while time.time() < end:
        if driver.execute_script("return document.body.dataset.exact") == "1":
            return
        time.sleep(0.05)
    raise AssertionError("the page did not settle on the full solve")


def euros(text: str) -> int:
    """€ 1.234.567 (the page's Dutch style) as a number."""
    return int("".join(ch for ch in text if ch.isdigit()) or 0)


def on_screen(driver: Any) -> dict[str, int]:
    rows = driver.execute_script(
        "return [...document.querySelectorAll('#regions tbody tr')].map("
        "r => [r.dataset.region, r.querySelector('.alloc').textContent])")
    return {region: euros(text) for region, text in rows}


def solved(**policy: float) -> tuple[allocator.Result, dict[str, int]]:
    r = allocator.solve(NPVR, **policy)
    a = r.rounded_allocation()
    return r, {str(k): int(v) for k, v in
               a.groupby(a["region"].astype(str), observed=True)["amount_eur"].sum().items()}


def test_the_figures_on_screen_are_allocator_solve_s(server: str, browser: Any) -> None:
    points = [p.budget_eur for p in sweep(allocator.load(NPVR)).breakpoints]
    at = points[len(points) // 2]  # a breakpoint: every allocation there is a full solve
    browser.get(f"{server}/?budget={at}")
    ready(browser)
    _, expected = solved(budget=at)
    got = on_screen(browser)
    assert set(got) == set(expected)
    for region, amount in expected.items():
        assert abs(got[region] - amount) <= 2, region  # rounding of the curve's cells
    r, _ = solved(budget=2.5e8)
    browser.get(f"{server}/")
    ready(browser)
    sentences = browser.find_element("id", "sentences").text
    assert f"Gewogen onvervulde behoefte: € {r.weighted_unmet_eur:,.0f}".replace(",", ".") \
        in sentences
    # the sentence of a region that waits: its next euro from the exact curve, as solve says
    why = browser.execute_script(
        "return document.querySelector('tr[data-region=\"noord-en-oost-groningen\"] .why')"
        ".textContent").replace("\xa0", " ")  # Intl puts a no-break space after €
    assert why == ("Noord- en Oost-Groningen krijgt € 0 (€ 0,00 per inwoner): pas vanaf een "
                   "budget van € 487.308.135 krijgt de regio meer.")
    from allocator.studies.why import reasons

    assert "€487.308.135" in next(w.sentence("nl", 0.2) for w in reasons(r)
                                  if w.region == "noord-en-oost-groningen")


def test_the_slider_redraws_without_a_solve(server: str, browser: Any,
                                             record_property: Any) -> None:
    browser.get(f"{server}/")
    ready(browser)
    browser.execute_script(
        "window.__fetches = 0; const f = window.fetch;"
        "window.fetch = (...a) => { window.__fetches++; return f(...a); };")
    timings = []
    for budget in range(100_000_000, 1_000_000_001, 50_000_000):
        browser.execute_script(
            "const s = document.getElementById('budget'); s.value = arguments[0];"
            "s.dispatchEvent(new Event('input'));", str(budget))
        assert browser.execute_script("return document.body.dataset.budget") == str(budget)
        timings.append(float(browser.execute_script("return document.body.dataset.redrawMs")))
    assert browser.execute_script("return window.__fetches") == 0  # no round trip
    # at €1 bn every region is at its top: the saturation point of the curve
    r, expected = solved(budget=1e9)
    got = on_screen(browser)
    for region, amount in expected.items():
        assert abs(got[region] - amount) <= 2, region
    timings.sort()
    record_property("slider_redraw_ms_median", timings[len(timings) // 2])
    record_property("slider_redraw_ms_max", timings[-1])
    print(f"slider redraw: median {timings[len(timings) // 2]:.1f} ms, "
          f"max {timings[-1]:.1f} ms over {len(timings)} moves")


def test_a_policy_change_re_solves(server: str, browser: Any, record_property: Any) -> None:
    browser.get(f"{server}/?budget=400000000")
    ready(browser)
    floor = browser.find_element("id", "p-floor")
    floor.clear()
    floor.send_keys("30")
    browser.execute_script("document.getElementById('p-floor')"
                           ".dispatchEvent(new Event('change'));")
    time.sleep(0.3)
    ready(browser)
    assert "floor=30" in browser.execute_script("return location.search")
    r, _ = solved(budget=4e8, floor=0.3)
    text = browser.find_element("id", "sentences").text
    assert f"€ {r.weighted_unmet_eur:,.0f}".replace(",", ".") in text
    coverage = browser.execute_script(
        "return [...document.querySelectorAll('#regions tbody tr')].map("
        "r => r.children[4].textContent)")
    assert all(float(c.rstrip("%").replace(",", ".")) >= 30.0 - 0.05 for c in coverage)
    record_property("policy_change_ms", float(browser.execute_script(
        "return document.body.dataset.solveMs")))


def test_at_rest_the_page_shows_allocator_solve_exactly(server: str, browser: Any) -> None:
    """Between breakpoints the curve's interpolation is an optimum, not always the one the
    tie-break picks; when the slider rests, the page shows the full solve."""
    browser.get(f"{server}/")
    ready(browser)
    browser.execute_script(
        "const s = document.getElementById('budget'); s.value = arguments[0];"
        "s.dispatchEvent(new Event('input'));", "300000000")
    assert browser.execute_script("return document.body.dataset.exact") == "0"
    settled(browser)
    r, expected = solved(budget=3e8)
    assert on_screen(browser) == expected
    why = browser.execute_script(
        "return document.querySelector('tr[data-region=\"twente\"] .why').textContent")
    from allocator.studies.why import reasons

    assert why == next(w.sentence("nl", 0.2) for w in reasons(r) if w.region == "twente")
    # the sentences in words, against the computations they claim
    text = browser.find_element("id", "sentences").text.replace("\xa0", " ")
    more = allocator.solve(NPVR, budget=3e8 + 1e6)
    assert r.price_of_fairness is not None and r.next_million is not None
    dutch = lambda v: f"€ {v:,.0f}".replace(",", ".")  # noqa: E731
    assert (f"€ 1 mln meer verlaagt de gewogen onvervulde behoefte met "
            f"{dutch(r.weighted_unmet_eur - more.weighted_unmet_eur)}") in text
    assert dutch(r.weighted_unmet_eur - more.weighted_unmet_eur) == dutch(
        r.next_million.unmet_change_eur)  # the engine's re-solve says the same
    assert (f"De verdelingsregels kosten {dutch(r.price_of_fairness.total_eur)} gewogen "
            "onvervulde behoefte") in text


def test_the_download_is_the_report_of_what_is_on_screen(server: str, browser: Any) -> None:
    browser.get(f"{server}/?budget=300000000&floor=25")
    ready(browser)
    settled(browser)
    href = browser.find_element("id", "download").get_attribute("href")
    assert "budget=300000000" in href and "floor=0.25" in href
    with urllib.request.urlopen(href) as answer:
        data = answer.read()
    wb = openpyxl.load_workbook(io.BytesIO(data))
    rows = {r[0]: r for r in wb["Verdeling"].iter_rows(values_only=True) if r and r[0]}
    names = allocator.load(NPVR).regions["name"]
    _, expected = solved(budget=3e8, floor=0.25)
    got = on_screen(browser)
    for region, amount in expected.items():
        assert amount in rows[names[region]]
        assert got[region] == amount  # the report is what the page shows


def test_a_bad_upload_is_named_in_dutch(server: str, browser: Any, tmp_path: Path) -> None:
    bad = tmp_path / "kapot.xlsx"
    bad.write_bytes(b"dit is geen werkmap")
    browser.get(f"{server}/")
    ready(browser)
    browser.find_element("id", "upload").send_keys(str(bad))
    end = time.time() + 20
    while time.time() < end and not browser.execute_script(
            "return document.body.dataset.uploadStatus"):
        time.sleep(0.05)
    assert browser.execute_script("return document.body.dataset.uploadStatus") == "422"
    assert browser.find_element("id", "problems").text.endswith(
        "kapot.xlsx: geen Excel-werkmap (.xlsx), of de werkmap is beschadigd: het is geen "
        "leesbaar zip-archief, wat elk .xlsx-bestand is")


def test_the_schematic_map_shows_every_region(server: str, browser: Any) -> None:
    browser.get(f"{server}/?budget=400000000")
    ready(browser)
    tiles = browser.execute_script(
        "return [...document.querySelectorAll('#map .tile')].map(t => [t.dataset.region, "
        "t.textContent.replace(/\\u00a0/g, ' ')])")
    regions = allocator.load(NPVR).regions
    assert sorted(r for r, _ in tiles) == sorted(regions.index)
    table = browser.execute_script(
        "return Object.fromEntries([...document.querySelectorAll('#regions tbody tr')].map("
        "r => [r.dataset.region, r.children[4].textContent]))")
    for region, text in tiles:
        coverage = round(float(table[region].rstrip("%").replace(",", ".")))
        assert text.startswith(regions.loc[region, "name"]) and f"{coverage}%" in text
