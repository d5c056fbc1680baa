"""Fault injection: a full disk, a read-only folder, SIGINT and SIGTERM at chosen moments,
and two runs on the same outputs. Each run is a real ``allocator`` process (through
tests/fault_runner.py, which only chooses the moment); each test asserts that the inputs are
unchanged, earlier outputs intact (byte for byte), no partial or temporary file remains, and
the message says truthfully what was written.

A full disk and a read-only folder are real file systems (a small tmpfs, mounted read-only)
when the tests run as root, as in CI. Elsewhere a file-size limit (RLIMIT_FSIZE) and a folder
without write permission stand in: real kernel refusals too.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from tests.conftest import SMALL, write_csv_instance

#: These tests pin the English messages word for word (Dutch: tests/test_messages.py).
pytestmark = pytest.mark.usefixtures("english")

ROOT = Path(__file__).parent.parent
RUNNER = Path(__file__).parent / "fault_runner.py"
NPVR = ROOT / "instances" / "npvr-2026.xlsx"


def run(point: str, *args: str, cwd: Path, limit: int | None = None,
        timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``allocator ARGS`` in a process of its own with the fault ``point`` injected."""
    split = list(args).index("--")
    preexec = None
    if limit is not None:
        def preexec() -> None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1790000000", "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, str(RUNNER), point, *args[:split], *args[split:]],
                          cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env,
                          preexec_fn=preexec)


def digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.rglob("*") if p.name.endswith((".part", ".old"))]


def report_budget(path: Path) -> float:
    ws = openpyxl.load_workbook(path)["Summary"]
    return next(float(r[1]) for r in ws.iter_rows(values_only=True) if r[0] == "Budget")


def can_mount() -> bool:
    return os.geteuid() == 0 and shutil.which("mount") is not None


@contextlib.contextmanager
def tmpfs(path: Path, size: str) -> Iterator[bool]:
    """A tmpfs of ``size`` at ``path`` (True), or just the folder where mounting is not
    possible (False)."""
    path.mkdir()
    mounted = can_mount() and subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(path)],
        capture_output=True).returncode == 0
    try:
        yield mounted
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(path)], capture_output=True)


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Path, Path, Path]:
    """An instance, and an output folder holding an earlier report and JSON from it."""
    instance = write_csv_instance(tmp_path / "inst", SMALL)
    out = tmp_path / "out"
    out.mkdir()
    done = run("none", "--", "solve", str(instance), "--out", str(out / "r.xlsx"), "--json",
               str(out / "r.json"), "-q", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    return tmp_path, instance, out


SOLVE = ["solve", "{instance}", "--budget", "80", "--out", "{out}/r.xlsx", "--json",
         "{out}/r.json"]


def argv(instance: Path, out: Path) -> list[str]:
    return [a.format(instance=instance, out=out) for a in SOLVE]


# --- signals -------------------------------------------------------------------------------


@pytest.mark.parametrize("sig", ["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("point", ["solve", "staged", "writing"])
def test_a_signal_before_the_commit_changes_nothing(setup: tuple[Path, Path, Path],
                                                    point: str, sig: str) -> None:
    tmp_path, instance, out = setup
    before_out, before_in = digest(out), digest(instance)
    done = run(point, sig, "--", *argv(instance, out), cwd=tmp_path)
    what = "interrupted" if sig == "SIGINT" else "terminated"
    assert done.returncode == 1
    assert done.stderr == (f"allocator: {what}; nothing was written; earlier files are "
                           "unchanged.\n")
    assert "Traceback" not in done.stdout + done.stderr
    assert digest(out) == before_out
    assert digest(instance) == before_in
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("sig", ["SIGINT", "SIGTERM"])
def test_a_signal_during_the_commit_waits_until_every_file_is_in_place(
        setup: tuple[Path, Path, Path], sig: str) -> None:
    tmp_path, instance, out = setup
    before_in = digest(instance)
    done = run("commit", sig, "--", *argv(instance, out), cwd=tmp_path)
    what = "interrupted" if sig == "SIGINT" else "terminated"
    assert done.returncode == 1
    assert done.stderr == (f"allocator: {what}; written before it stopped: {out}/r.json, "
                           f"{out}/r.xlsx.\n")
    assert json.loads((out / "r.json").read_text())["budget_eur"] == 80
    assert report_budget(out / "r.xlsx") == 80  # both files of the new run, none of the old
    assert digest(instance) == before_in
    assert leftovers(tmp_path) == []


# --- a full disk, a read-only folder -------------------------------------------------------


def test_a_full_disk_leaves_earlier_files_intact(tmp_path: Path) -> None:
    instance = write_csv_instance(tmp_path / "inst", SMALL)
    with tmpfs(tmp_path / "disk", "1m") as mounted:
        out = tmp_path / "disk"
        first = run("none", "--", "solve", str(instance), "--out", str(out / "r.xlsx"),
                    "--json", str(out / "r.json"), "-q", cwd=tmp_path)
        assert first.returncode == 0, first.stderr
        before = digest(out)
        json_size = (out / "r.json").stat().st_size
        if mounted:  # fill the disk, then free room for the JSON but not the report
            with open(out / "filler", "wb", buffering=0) as fh, \
                    contextlib.suppress(OSError):
                while True:
                    fh.write(b"\0" * 4096)
            os.truncate(out / "filler", (out / "filler").stat().st_size - 3 * 4096)
            before = digest(out)
            done = run("none", "--", *argv(instance, out), cwd=tmp_path)
            reason = "the disk is full"
        else:  # a file-size limit between the JSON's size and the report's
            done = run("none", "--", *argv(instance, out), cwd=tmp_path,
                       limit=json_size + 2048)
            reason = "the file is too large for this file system"
        assert done.returncode == 1
        assert done.stderr == (f"allocator: could not write {out}/r.xlsx: {reason}; nothing "
                               "was written; earlier files are unchanged.\n")
        assert digest(out) == before
        assert leftovers(out) == []


def test_a_read_only_folder_is_refused_before_solving(setup: tuple[Path, Path, Path]) -> None:
    tmp_path, instance, _ = setup
    with tmpfs(tmp_path / "ro", "1m") as mounted:
        if not mounted and os.geteuid() == 0:
            pytest.skip("root without mount: no folder is read-only to root")
        out = tmp_path / "ro"
        assert run("none", "--", *argv(instance, out), cwd=tmp_path).returncode == 0
        before = digest(out)
        if mounted:
            subprocess.run(["mount", "-o", "remount,ro", str(out)], check=True)
        else:
            out.chmod(0o555)
        try:
            done = run("solve", "SIGKILL", "--", *argv(instance, out), cwd=tmp_path)
            # refused before the solve: the SIGKILL injected into the solve never comes
            assert done.returncode == 2
            assert done.stderr == (f"allocator: --out {out}/r.xlsx cannot be written: the "
                                   f"folder {out} is read-only\n")
            assert digest(out) == before
        finally:
            if not mounted:
                out.chmod(0o755)


@pytest.mark.skipif(not can_mount(), reason="needs root to remount a file system")
def test_a_folder_turned_read_only_during_the_run(setup: tuple[Path, Path, Path]) -> None:
    tmp_path, instance, _ = setup
    with tmpfs(tmp_path / "ro", "1m") as mounted:
        if not mounted:
            pytest.skip("mounting a tmpfs was refused here")
        out = tmp_path / "ro"
        assert run("none", "--", *argv(instance, out), cwd=tmp_path).returncode == 0
        before = digest(out)
        done = run("readonly", str(out), "--", *argv(instance, out), cwd=tmp_path)
        assert done.returncode == 1
        assert done.stderr == (f"allocator: could not write {out}/r.json: the file system is "
                               "read-only; nothing was written; earlier files are unchanged.\n")
        assert digest(out) == before
        assert leftovers(out) == []


# --- two runs on the same outputs -------------------------------------------------------


def test_two_runs_on_the_same_outputs_never_mix_their_files(
        setup: tuple[Path, Path, Path]) -> None:
    """Run A renames slowly (1 s after each file); run B starts its commit 0.3 s after A.
    Without the folder lock B's two files would land between A's two (B's JSON beside A's
    report); with it, the files in place are all of one run."""
    tmp_path, instance, out = setup
    barrier = tmp_path / "barrier"
    barrier.mkdir()
    (barrier / "a.run").touch()
    (barrier / "b.run").touch()
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1790000000", "PYTHONPATH": str(ROOT)}

    def start(name: str, budget: str, delay: str, pause: str) -> subprocess.Popen[str]:
        args = [a.format(instance=instance, out=out) for a in SOLVE]
        args[args.index("80")] = budget
        return subprocess.Popen([sys.executable, str(RUNNER), "race", str(barrier), name,
                                 delay, pause, "--", *args, "-q"], cwd=tmp_path, env=env,
                                text=True, stderr=subprocess.PIPE)

    a = start("a", "70", "0", "1.0")
    b = start("b", "90", "0.3", "0.1")
    assert a.wait(timeout=120) == 0, a.stderr.read() if a.stderr else ""
    assert b.wait(timeout=120) == 0, b.stderr.read() if b.stderr else ""
    budget = json.loads((out / "r.json").read_text())["budget_eur"]
    assert budget in (70, 90)
    assert report_budget(out / "r.xlsx") == budget
    assert leftovers(tmp_path) == []
