"""Helpers that write real instance files (CSV folders and xlsx workbooks) for the tests."""

from __future__ import annotations

import contextlib
import csv
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

Table = Sequence[Sequence[object]]

ROOT = Path(__file__).parent.parent


def npvr_weighted() -> Path:
    """The NPVR instance with its need typed in (``npvr-2026-ingevuld``, the default until
    2026-12-06: the welfare factor in the need and as the weight) without its shortfall
    tiers: the plain weighted objective, in which the assumed weights act as a priority
    order, so that the floor binds and regions stand apart. The tests written for that model
    (its exact numbers, its sentences) run on it. Written once per test session."""
    import shutil
    import tempfile

    cached = globals().get("_NPVR_WEIGHTED")
    if cached is not None and cached.exists():
        return cached
    folder = Path(tempfile.mkdtemp(prefix="npvr-weighted-")) / "npvr-2026"
    shutil.copytree(ROOT / "instances" / "npvr-2026-ingevuld", folder)
    policy = folder / "policy.csv"
    lines = policy.read_text(encoding="utf-8").splitlines(keepends=True)
    policy.write_text("".join(line for line in lines if not line.startswith("shortfall_tiers,")),
                      encoding="utf-8")
    globals()["_NPVR_WEIGHTED"] = folder
    return folder

SMALL: dict[str, list[list[object]]] = {
    "regions": [["region", "name", "population", "weight"],
                ["A", "Alpha", 100, 1], ["B", "Beta", 200, 2]],
    "goals": [["goal", "weight"], ["g1", 1], ["g2", 1]],
    "needs": [["region", "goal", "need_eur", "existing_eur", "cap_eur"],
              ["A", "g1", 100, 10, None], ["A", "g2", 50, 0, None],
              ["B", "g1", 80, 40, None], ["B", "g2", 60, 0, 30]],
    "policy": [["key", "value"], ["budget_eur", 100], ["coverage_floor", 0.3]],
}


def write_csv_instance(folder: Path, tables: Mapping[str, Table]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        with open(folder / f"{name}.csv", "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh, lineterminator="\n")
            for row in rows:
                w.writerow(["" if v is None else v for v in row])
    return folder


def write_xlsx_instance(path: Path, tables: Mapping[str, Table]) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in tables.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(list(row))
    wb.save(path)
    return path


def instance_tables(
    regions: Sequence[tuple[str, int, float]],
    goals: Sequence[tuple[str, float]],
    needs: Sequence[tuple[str, str, float, float, float | None]],
    policy: Mapping[str, object],
) -> dict[str, list[list[object]]]:
    """Tables from plain tuples: (id, population, weight), (id, weight), (r, g, n, e, cap)."""
    return {
        "regions": [["region", "population", "weight"], *[list(r) for r in regions]],
        "goals": [["goal", "weight"], *[list(g) for g in goals]],
        "needs": [["region", "goal", "need_eur", "existing_eur", "cap_eur"],
                  *[list(n) for n in needs]],
        "policy": [["key", "value"], *[[k, v] for k, v in policy.items()]],
    }


@pytest.fixture
def small(tmp_path: Path) -> Path:
    return write_csv_instance(tmp_path / "small", SMALL)


@pytest.fixture
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command line in English (ALLOCATOR_LANG=en, for this process and the ones it
    starts): for tests that pin the English messages word for word. Dutch, the default, is
    pinned in tests/test_messages.py."""
    monkeypatch.setenv("ALLOCATOR_LANG", "en")


@contextlib.contextmanager
def serving(instance: Path, *flags: str) -> Iterator[tuple[int, int]]:
    """`allocator serve INSTANCE FLAGS` in a process of its own on a free loopback port,
    ready for requests: (port, pid); stopped on leaving."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    exe = Path(sys.executable).with_name("allocator")
    proc = subprocess.Popen([str(exe), "serve", str(instance), "--port", str(port), *flags],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(600):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.1)
        yield port, proc.pid
    finally:
        proc.terminate()
        proc.communicate(timeout=20)


#: How the browser tests start Debian's Chromium (headless, no network of its own).
CHROME = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
          "--disable-background-networking", "--disable-component-update", "--disable-sync",
          "--window-size=1400,1500")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium through its ChromeDriver (`make test` installs both)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    for flag in CHROME:
        options.add_argument(flag)
    options.binary_location = "/usr/bin/chromium"
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    yield driver
    driver.quit()
