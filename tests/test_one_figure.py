"""One figure everywhere: every surface shows the figures table's numbers.

For the default instance and two generated ones, at four budgets each (the last one where
the budget does not bind), `allocator solve` writes the terminal, the JSON, the CSV and the
workbook, and the page in Chromium shows the same settings; each region's amount, amount
per inhabitant and coverage on each surface is compared with the one figures table
(allocator.solving.figures), to the euro and to 0.1 percentage point. The table itself is
checked against the exact allocation and the rules it reports.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pytest

import allocator
from allocator.cli import main
from allocator.solving.figures import Figures
from allocator.studies.sweep import sweep

ROOT = Path(__file__).resolve().parents[1]
NPVR = ROOT / "instances" / "npvr-2026.xlsx"


def euros(text: str) -> int:
    """'€ 1.234.567', '1.234.567' or '−€ 12' (Dutch style) as a whole number."""
    digits = "".join(ch for ch in text if ch.isdigit())
    sign = -1 if text.strip().startswith(("-", "−")) else 1
    return sign * int(digits or 0)


def cents(text: str) -> float:
    """'€ 68,61' as 68.61."""
    kept = "".join(ch for ch in text if ch.isdigit() or ch == ",")
    return float(kept.replace(",", "."))


def share(text: str) -> float:
    """'30,3%' or '30,3 %' as 0.303."""
    return float(text.replace("\xa0", "").replace(" ", "").rstrip("%").replace(",", ".")) / 100


def budgets_of(path: Path) -> list[float]:
    """Three budgets inside the curve (where the budget binds) and one above its end (where
    it does not): money is left unspent there."""
    curve = sweep(allocator.load(path))
    low = curve.min_feasible_budget_eur
    high = max(p.budget_eur for p in curve.breakpoints)
    inside = [round(low + (high - low) * f, -3) for f in (0.15, 0.45, 0.8)]
    return [*inside, round(high * 1.25, -3)]


@pytest.fixture(scope="module")
def instances(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("generated")
    binding, easy = base / "binding", base / "easy"
    assert main(["generate", str(binding), "--regions", "9", "--seed", "7",
                 "--family", "binding"]) == 0
    assert main(["generate", str(easy), "--regions", "7", "--goals", "4", "--seed", "3",
                 "--rules", "floor,gap,shares,per-capita"]) == 0
    # A goal's minimum share of the budget cannot hold once the budget exceeds what the
    # cells absorb; dropped, so that a budget above the curve's end is one that does not bind.
    for folder in (binding, easy):
        goals = pd.read_csv(folder / "goals.csv").drop(columns="min_share")
        goals.to_csv(folder / "goals.csv", index=False)
    return {"npvr": NPVR, "binding": binding, "easy": easy}


CASES = [(name, k) for name in ("npvr", "binding", "easy") for k in range(4)]


def check_table(f: Figures, r: allocator.Result) -> None:
    """The table against the exact allocation and the rules: whole euros that add up, each
    within a euro of the exact amount, none above what its cell can absorb or a region's
    maximum, the total within the budget."""
    cells, regions, total = f.cells, f.regions, f.total
    exact = r.allocation["amount_eur"].to_numpy(float)
    # each cell at its floor or ceiling, or one euro further where a region held up on a
    # minimum takes a euro from the others so that the total stays the exact one rounded
    assert np.abs(cells["amount_eur"].to_numpy() - exact).max() < 2.0
    # the exact total rounded, unless that is more than the cells absorb in whole euros
    # (a need of fractional euros, as a need model builds it, all of it covered)
    upper = np.minimum(np.maximum(r.instance.needs["need_eur"] - r.instance.needs[
        "existing_eur"], 0), r.instance.needs["cap_eur"].fillna(np.inf)).to_numpy(float)
    assert total["amount_eur"] == min(round(exact.sum()), int(np.floor(upper + 0.05).sum()))
    by_region = cells.groupby("region", sort=False)["amount_eur"].sum()
    assert (by_region.reindex(regions.index, fill_value=0) == regions["amount_eur"]).all()
    assert int(regions["amount_eur"].sum()) == total["amount_eur"]
    assert total["amount_eur"] <= r.budget_eur + 1e-9
    needs = r.instance.needs
    upper = (needs["need_eur"] - needs["existing_eur"].clip(upper=needs["need_eur"]))
    upper = np.where(needs["cap_eur"].isna(), upper, np.minimum(upper, needs["cap_eur"]))
    assert (cells["amount_eur"].to_numpy() <= np.floor(upper + 0.05)).all()
    policy = r.instance.policy
    if policy.region_max_eur is not None:
        assert (regions["amount_eur"] <= policy.region_max_eur).all()
    covered = np.minimum(needs["existing_eur"], needs["need_eur"]).groupby(
        needs["region"].astype(str), observed=True).sum()
    need = needs.groupby(needs["region"].astype(str), observed=True)["need_eur"].sum()
    after = (covered + by_region) / need
    assert np.allclose(regions["coverage_after"].reindex(after.index), after, atol=1e-9)
    assert total["unspent_eur"] == pytest.approx(r.budget_eur - total["amount_eur"], abs=1e-6)


@pytest.fixture(scope="module")
def surfaces(instances: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
             ) -> dict[tuple[str, int], dict[str, Any]]:
    """Per case: the figures table and every file and text `allocator solve` wrote."""
    import contextlib
    import io

    out: dict[tuple[str, int], dict[str, Any]] = {}
    for name, path in instances.items():
        for k, budget in enumerate(budgets_of(path)):
            folder = tmp_path_factory.mktemp(f"{name}{k}")
            terminal = io.StringIO()
            with contextlib.redirect_stdout(terminal):
                code = main(["solve", str(path), "--budget", f"{budget:.0f}",
                             "--json", str(folder / "r.json"), "--csv", str(folder / "r.csv"),
                             "--out", str(folder / "r.xlsx"), "--no-sensitivity"])
            assert code == 0, terminal.getvalue()
            r = allocator.solve(path, budget=budget)
            assert r.figures is not None
            out[(name, k)] = {"budget": budget, "result": r, "figures": r.figures,
                              "terminal": terminal.getvalue(), "folder": folder,
                              "path": path}
    return out


@pytest.mark.parametrize(("name", "k"), CASES)
def test_the_figures_table_holds_the_rules(surfaces: dict, name: str, k: int) -> None:
    case = surfaces[(name, k)]
    check_table(case["figures"], case["result"])
    unspent = case["figures"].unspent
    if k == 3:  # above the curve's end: money stays unspent, and the reason is said
        assert unspent.eur > 0.5 and unspent.reason != "none"
    else:
        assert unspent.reason == "none"


@pytest.mark.parametrize(("name", "k"), CASES)
def test_every_surface_shows_the_figures_table(surfaces: dict, name: str, k: int) -> None:
    case = surfaces[(name, k)]
    f: Figures = case["figures"]
    regions = f.regions
    folder: Path = case["folder"]
    # the JSON: its regions and totals are the table
    doc = json.loads((folder / "r.json").read_text())
    got = pd.DataFrame(doc["regions"]).set_index("region")
    for column in ("amount_eur", "need_eur", "existing_eur", "unmet_eur", "weighted_unmet_eur"):
        assert (got[column].astype("int64") == regions[column]).all(), column
    assert np.allclose(got["coverage_after"], regions["coverage_after"], atol=1e-12)
    assert doc["allocated_eur"] == doc["totals"]["amount_eur"] == f.total["amount_eur"]
    # the allocation records and the CSV: the cells
    records = pd.DataFrame(doc["allocations"])
    assert (records["amount_eur"].to_numpy() == f.cells["amount_eur"].to_numpy()).all()
    csv = pd.read_csv(folder / "r.csv")
    assert (csv["amount_eur"].to_numpy() == f.cells["amount_eur"].to_numpy()).all()
    # the terminal: each region's row (total, coverage) and its sentence
    text = case["terminal"]
    for rec in regions.itertuples():
        row = re.search(rf"^{re.escape(rec.name)}\s+([\d. ]+?)\s+(\d+,\d)%$", text, re.M)
        assert row, rec.name
        assert euros(row.group(1).split()[-1]) == rec.amount_eur, rec.name
        assert abs(share(row.group(2)) - rec.coverage_after) <= 0.0005 + 1e-12, rec.name
        said = re.search(rf"- {re.escape(rec.name)} krijgt (€[\d.]+) \((€[\d.,]+) per inwoner\)",
                         text)
        assert said, rec.name
        assert euros(said.group(1)) == rec.amount_eur, rec.name
        assert cents(said.group(2)) == pytest.approx(rec.per_inhabitant_eur, abs=0.005)
    assert f"verdeeld €{f.total['amount_eur']:,}".replace(",", ".") in text
    if f.unspent.reason != "none":
        left = f"€{round(f.unspent.eur):,}".replace(",", ".")
        assert f"{left} van het budget blijft onbesteed" in text
    # the workbook: Verdeling (total, per inhabitant), Dekking (amount, coverage), Waarom
    wb = openpyxl.load_workbook(folder / "r.xlsx")
    names = dict(zip(regions["name"], regions.index, strict=True))
    sheet = wb["Verdeling"]
    head = [c.value for c in sheet[1]]
    at_total, at_head = head.index("Totaal"), head.index("Per inwoner")
    seen = 0
    for row in sheet.iter_rows(min_row=2, values_only=True):
        if row[0] in names:
            rec = regions.loc[names[row[0]]]
            assert row[at_total] == rec["amount_eur"]
            assert row[at_head] == pytest.approx(rec["per_inhabitant_eur"], abs=0.005)
            seen += 1
    assert seen == len(regions)
    sheet = wb["Dekking"]
    head = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2, values_only=True):
        if row[0] in names:
            rec = regions.loc[names[row[0]]]
            assert row[head.index("Toegekend")] == rec["amount_eur"]
            assert abs(row[head.index("Dekking na")] - rec["coverage_after"]) <= 1e-9
    said = "\n".join(str(c.value) for row in wb["Waarom"].iter_rows() for c in row
                     if isinstance(c.value, str) and " krijgt €" in c.value)
    for rec in regions.itertuples():
        got_amount = re.search(rf"{re.escape(rec.name)} krijgt (€[\d.]+)", said)
        assert got_amount and euros(got_amount.group(1)) == rec.amount_eur, rec.name


def test_the_sentence_and_the_row_agree_where_they_did_not() -> None:
    """Kop van Noord-Holland's row said €21.376.520 and its sentence €21.376.519; under
    regio-deal Zuid- en Oost-Drenthe got €10.000.001, above the €10 m maximum."""
    from allocator.studies.why import reasons

    r = allocator.solve(NPVR)
    regions = r.figures.regions
    for w in reasons(r):
        assert w.amount_eur == regions.at[w.region, "amount_eur"], w.region
    from allocator.inputs.presets import with_policy

    deal = allocator.solve(with_policy(allocator.load(NPVR), "regio-deal"))
    assert (deal.figures.regions["amount_eur"] <= 10_000_000).all()
    assert (deal.matrix().sum(axis=1) <= 10_000_000).all()
    assert deal.figures.total["amount_eur"] == 110_000_000


# --- the page in Chromium -------------------------------------------------------------

@pytest.fixture(scope="module")
def servers(instances: dict[str, Path]) -> Iterator[dict[str, str]]:
    import uvicorn

    from allocator.web.app import LOOPBACK, create_app

    running = {}
    addresses = {}
    for name, path in instances.items():
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        srv = uvicorn.Server(uvicorn.Config(create_app(path, hosts=LOOPBACK),
                                               log_level="warning"))
        thread = threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        for _ in range(200):
            if srv.started:
                break
            time.sleep(0.05)
        running[name] = (srv, thread)
        addresses[name] = f"http://127.0.0.1:{sock.getsockname()[1]}"
    yield addresses
    for srv, thread in running.values():
        srv.should_exit = True
        thread.join(timeout=10)


def _settled(driver: Any, budget: float, timeout: float = 60.0) -> None:
    end = time.time() + timeout
    while time.time() < end:
        if driver.execute_script("return document.body.dataset.exact") == "1" and \
                driver.execute_script("return document.body.dataset.budget") == str(
                    int(budget)):
            return
        time.sleep(0.05)
    raise AssertionError("the page did not settle on the full solve")


@pytest.mark.parametrize(("name", "k"), CASES)
def test_the_page_shows_the_figures_table(surfaces: dict, servers: dict, browser: Any,
                                          name: str, k: int) -> None:
    case = surfaces[(name, k)]
    f: Figures = case["figures"]
    budget = int(case["budget"])
    browser.get(f"{servers[name]}/?budget={budget}")
    _settled(browser, budget)
    rows = browser.execute_script(
        "return [...document.querySelectorAll('#regions tbody tr')].map("
        "r => [r.dataset.region, ...[...r.children].map(c => c.textContent)])")
    assert len(rows) == len(f.regions)
    for region, _, amount, per_head, before, after, *_ in rows:
        rec = f.regions.loc[region]
        assert euros(amount) == rec["amount_eur"], region
        assert cents(per_head) == pytest.approx(rec["per_inhabitant_eur"], abs=0.005), region
        assert abs(share(before) - rec["coverage_before"]) <= 0.0005 + 1e-12, region
        assert abs(share(after) - rec["coverage_after"]) <= 0.0005 + 1e-12, region
    if f.unspent.reason != "none":
        text = browser.find_element("id", "sentences").text.replace("\u202f", ".")
        assert "blijft onbesteed" in text


# --- every parameter on the page, and a report that says how it was made ---------------

def test_the_page_offers_every_one_year_parameter_and_a_preset(servers: dict, browser: Any
                                                               ) -> None:
    from models.rules import PARAMS

    browser.get(f"{servers['npvr']}/")
    _settled(browser, 250_000_000)
    ids = set(browser.execute_script(
        "return [...document.querySelectorAll('#rules [id^=p-]')].map(e => e.id)"))
    wanted = {f"p-{p.dest}" for p in PARAMS if not p.agenda and p.key != "budget_eur"}
    assert ids == wanted
    # the tiers in force are shown, and switched off from the page: the same as the CLI's
    tiers = browser.find_element("id", "p-tiers")
    assert tiers.get_attribute("value").startswith("2%: 1.0845; 4%: 1.1761")
    browser.execute_script(
        "const e = document.getElementById('p-tiers'); e.value = 'geen';"
        "e.dispatchEvent(new Event('change'));")
    time.sleep(0.3)
    _settled(browser, 250_000_000)
    from allocator.inputs.presets import OFF, with_policy

    plain = allocator.solve(with_policy(allocator.load(NPVR), None,
                                        {"shortfall_tiers": OFF}))
    rows = browser.execute_script(
        "return [...document.querySelectorAll('#regions tbody tr')].map("
        "r => [r.dataset.region, r.querySelector('.alloc').textContent])")
    assert {k: euros(v) for k, v in rows} == plain.figures.regions["amount_eur"].to_dict()
    # a preset shows its own values in the controls
    browser.execute_script(
        "const e = document.getElementById('preset'); e.value = 'regio-deal';"
        "e.dispatchEvent(new Event('change'));")
    def value(dest: str) -> str:
        return browser.execute_script(
            "const e = document.getElementById(arguments[0]); return e ? e.value : null;",
            f"p-{dest}")

    end = time.time() + 30
    while time.time() < end and value("region_max") != "10000000":
        time.sleep(0.05)
    assert value("region_max") == "10000000" and value("region_min") == "1250000"
    assert value("floor") == "0" and value("cofinancing_ratio") == "1"


def test_the_report_from_the_page_records_how_it_was_made(servers: dict) -> None:
    import io
    import urllib.request

    url = (f"{servers['npvr']}/report.xlsx?token=default&lang=nl&budget=300000000"
           "&policy=regio-deal&tiers=none&floor=0.25")
    data = urllib.request.urlopen(url, timeout=120).read()
    ws = openpyxl.load_workbook(io.BytesIO(data))["Over"]
    rows = {row[0]: row[1] for row in ws.iter_rows(values_only=True)}
    command = rows["Opdracht"]
    assert command == ("allocator solve npvr-2026.xlsx --policy regio-deal --budget 300000000 "
                       "--floor 0.25 --tiers none --lang nl")
    assert "region_max_eur = 10000000" in rows["Beleid in werking"]
    assert "coverage_floor = 0.25" in rows["Beleid in werking"]
    from allocator.reports.workbook import instance_digest

    assert rows["Vingerafdruk invoer (SHA-256 van de tabellen en het beleidsblad)"] == \
        instance_digest(
        allocator.load(NPVR))


def test_each_envelope_mark_opens_the_envelope_table(servers: dict, browser: Any) -> None:
    """The page's envelopes side by side are `allocator sweep --budgets`'s, euro for euro."""
    browser.get(f"{servers['npvr']}/")
    _settled(browser, 250_000_000)
    browser.execute_script("document.querySelector('#marks span').click()")
    end = time.time() + 60
    while time.time() < end and not browser.execute_script(
            "return document.body.dataset.envelopes"):
        time.sleep(0.05)
    expected = sweep(allocator.load(NPVR), budgets=[1e8, 2.5e8, 5e8, 1e9]).envelopes()
    budgets = sorted(expected["budget_eur"].unique())
    assert browser.execute_script("return document.body.dataset.envelopes") == str(
        len(budgets))
    rows = browser.execute_script(
        "return [...document.querySelectorAll('#envelope-table tbody tr')].map("
        "r => [r.dataset.region, ...[...r.children].slice(1).map(c => c.textContent)])")
    assert len(rows) == 11
    for region, *cells in rows:
        at = 0
        for k, budget in enumerate(budgets):
            rec = expected[(expected["budget_eur"] == budget)
                           & (expected["region"] == region)].iloc[0]
            assert euros(cells[at]) == rec["amount_eur"], (region, budget)
            assert cents(cells[at + 1]) == pytest.approx(rec["per_inhabitant_eur"], abs=0.005)
            assert abs(share(cells[at + 2]) - rec["coverage_after"]) <= 0.0005 + 1e-12
            if k:
                assert euros(cells[at + 3]) == rec["change_eur"], (region, budget)
            at += 4 if k else 3
    # €100 m is below what the rules need: said, not shown as a column
    assert "100.000.000" in browser.find_element("id", "envelopes").text.replace("\u202f", ".")
