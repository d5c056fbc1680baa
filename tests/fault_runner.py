"""Runs ``allocator`` with a fault injected at a chosen point, for tests/test_faults.py.

    python tests/fault_runner.py POINT ARG... -- allocator arguments

The faults are real: a real signal sent to this process (``os.kill``), a real file system
made read-only, real sleeps between the real renames. Only the moment is chosen, by wrapping
one function of the running code. Points:

- ``solve SIG``: the signal arrives while the instance is being solved;
- ``staged SIG``: after the first output is complete in its temporary file;
- ``writing SIG``: in the middle of writing the report workbook (its third zip member);
- ``commit SIG``: after the first file has been moved into place;
- ``readonly MOUNTPOINT``: the output folder's file system becomes read-only after the
  outputs were checked and before they are written;
- ``race BARRIER_DIR NAME START REPLACE``: wait until every run announced in BARRIER_DIR
  (a ``NAME.run`` file each) is ready to commit, wait START seconds more, then commit with
  REPLACE seconds after each rename.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import allocator.output
import allocator.solving.engine
from allocator.cli import main


def kill(name: str) -> None:
    os.kill(os.getpid(), getattr(signal, name))
    time.sleep(0.5)  # the handler runs here, or at once after the signals are let through


def inject(point: str, args: list[str]) -> None:
    if point == "solve":
        real_solve = allocator.solving.engine.solve

        def solve(*a: object, **k: object) -> object:
            kill(args[0])
            return real_solve(*a, **k)

        allocator.solving.engine.solve = solve  # type: ignore[assignment]
    elif point == "staged":
        real_stage = allocator.output.Outputs.stage

        def stage(self: allocator.output.Outputs, *a: object, **k: object) -> object:
            out = real_stage(self, *a, **k)  # type: ignore[arg-type]
            kill(args[0])
            return out

        allocator.output.Outputs.stage = stage  # type: ignore[method-assign]
    elif point == "writing":
        real_writestr = zipfile.ZipFile.writestr
        calls = [0]

        def writestr(self: zipfile.ZipFile, *a: object, **k: object) -> None:
            calls[0] += 1
            if calls[0] == 3:
                kill(args[0])
            real_writestr(self, *a, **k)  # type: ignore[arg-type]

        zipfile.ZipFile.writestr = writestr  # type: ignore[method-assign]
    elif point == "commit":
        real_replace = os.replace
        done = [False]

        def replace(src: str, dst: str) -> None:
            real_replace(src, dst)
            if not done[0] and not str(dst).endswith(".old"):
                done[0] = True
                kill(args[0])

        allocator.output.os.replace = replace  # type: ignore[attr-defined]
    elif point == "readonly":
        real_check = allocator.output.Outputs.check

        def check(self: allocator.output.Outputs, *a: object, **k: object) -> None:
            real_check(self, *a, **k)  # type: ignore[arg-type]
            subprocess.run(["mount", "-o", "remount,ro", args[0]], check=True)

        allocator.output.Outputs.check = check  # type: ignore[method-assign]
    elif point == "race":
        barrier, name, start, delay = Path(args[0]), args[1], float(args[2]), float(args[3])
        real_commit = allocator.output.Outputs.commit
        real_replace = os.replace

        def commit(self: allocator.output.Outputs) -> list[Path]:
            (barrier / f"{name}.ready").touch()
            while len(list(barrier.glob("*.ready"))) < len(list(barrier.glob("*.run"))):
                time.sleep(0.01)
            time.sleep(start)
            return real_commit(self)

        def replace(src: str, dst: str) -> None:
            real_replace(src, dst)
            time.sleep(delay)

        allocator.output.Outputs.commit = commit  # type: ignore[method-assign]
        allocator.output.os.replace = replace  # type: ignore[attr-defined]
    elif point != "none":
        raise SystemExit(f"unknown point {point}")


if __name__ == "__main__":
    split = sys.argv.index("--")
    point, *point_args = sys.argv[1:split]
    inject(point, point_args)
    sys.exit(main(sys.argv[split + 1:]))
