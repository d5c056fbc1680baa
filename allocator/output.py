"""Writing a run's files: all of them or none, and never over an input.

Every command that writes files does so through :class:`Outputs`:

1. **Before any work**, :meth:`Outputs.check` compares every output path with every input
   path (the instance file or each file of its folder, scenario and need tables, policy
   files), by resolved path and by same-file identity (hard and symbolic links), and refuses
   a clash, two outputs on one file, a folder, or a path that cannot be created.
2. **While the run writes**, each file goes to a temporary file beside its target
   (``.NAME.XXXX.part``); nothing visible changes.
3. **At the very end**, :meth:`Outputs.commit` moves all of them into place, holding a lock
   on each target folder (so two runs on the same outputs never mix their files) with
   SIGINT and SIGTERM held back, and puts back the earlier files if a move fails.

A failure or a signal at any moment before the commit leaves every earlier file exactly as it
was and removes the temporary files. A new file gets the mode the umask gives; a replaced
file keeps its mode.

Outside a run (a Python caller of ``write_report``), :func:`atomic_write` writes and commits
one file the same way.
"""

from __future__ import annotations

import contextlib
import contextvars
import errno
import os
import signal
import stat
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from allocator.errors import OutputClash, OutputFault
from allocator.messages import Message

#: Signals held back while files are moved into place and while temporary files are removed.
HELD = (signal.SIGINT, signal.SIGTERM)

_current: contextvars.ContextVar[Outputs | None] = contextvars.ContextVar("outputs",
                                                                         default=None)


def _umask_mode() -> int:
    """The mode a new file gets under the process's umask (read without changing it for
    longer than one call)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


@contextlib.contextmanager
def held_signals() -> Iterator[None]:
    """SIGINT and SIGTERM wait until the block is done, then take effect as usual.

    Blocking them with ``pthread_sigmask`` is not enough: the kernel hands a signal to any
    thread that does not block it (HiGHS and Dask start threads), and Python then runs the
    handler in the main thread all the same. So the handlers themselves are swapped for one
    that only notes the signal, and a noted signal is raised again afterwards.
    """
    if threading.current_thread() is not threading.main_thread():
        yield  # handlers can only be changed from the main thread; there are none here
        return
    noted: list[int] = []
    previous = {s: signal.getsignal(s) for s in HELD}
    for s in HELD:
        signal.signal(s, lambda signum, frame: noted.append(signum))
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        for signum in dict.fromkeys(noted):
            signal.raise_signal(signum)


def _same(a: Path, b: Path) -> bool:
    try:
        return a == b or (a.exists() and b.exists() and os.path.samefile(a, b))
    except OSError:
        return False


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


@dataclass
class _Staged:
    target: Path
    tmp: Path


@dataclass
class Outputs:
    """The files of one run. Use as a context manager around the writing::

        outputs = Outputs(inputs=[instance_path], labels={...})
        outputs.check([report, json])      # before solving
        ...                                # solve
        with outputs:                      # write_report / write_json stage into it
            write_json(json, data)
            write_report(result, report)
        outputs.written                    # the files now in place, in order
    """

    inputs: list[Path] = field(default_factory=list)
    staged: list[_Staged] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    _created_dirs: list[Path] = field(default_factory=list)
    _token: Any = None

    # --- before the work ------------------------------------------------------------------

    def input_files(self) -> list[Path]:
        """Every input, a folder expanded to the folder and each file in it."""
        out: list[Path] = []
        for p in self.inputs:
            p = Path(p)
            out.append(p)
            if p.is_dir():
                with contextlib.suppress(OSError):
                    out += [q for q in p.iterdir()]
        return out

    def check(self, outputs: Iterable[tuple[str, Path | None]]) -> None:
        """Refuse (exit 2) an output that would touch an input, two outputs on one file, a
        folder as output, or a path that cannot be written; ``outputs`` are (flag, path)."""
        given = [(flag, Path(p)) for flag, p in outputs if p is not None]
        inputs = [(p, p.resolve()) for p in self.input_files()]
        folders = [(p, r) for p, r in inputs if p.is_dir()]
        seen: list[tuple[str, Path, Path]] = []
        for flag, path in given:
            resolved = path.resolve()
            for original, r in inputs:
                if _same(resolved, r) and not original.is_dir():
                    raise OutputClash(Message(
                        "{flag} {path} is an input of this run ({original}); it would be "
                        "overwritten. Choose another output file", flag=flag, path=str(path),
                        original=str(original)))
            for folder, folder_resolved in folders:
                if _inside(resolved, folder_resolved):
                    raise OutputClash(Message(
                        "{flag} {path} lies in the instance folder {folder}; an output there "
                        "would change the instance. Choose a file outside it", flag=flag,
                        path=str(path), folder=str(folder)))
            for other_flag, other, other_resolved in seen:
                if _same(resolved, other_resolved):
                    raise OutputClash(Message(
                        "{flag} {path} and {other_flag} {other} are the same file; give each "
                        "output its own file", flag=flag, path=str(path),
                        other_flag=other_flag, other=str(other)))
            seen.append((flag, path, resolved))
            if path.is_dir():
                raise OutputClash(Message("{flag} {path} is a folder; give a file name",
                                          flag=flag, path=str(path)))
            parent = resolved.parent
            while not parent.exists():
                parent = parent.parent
            if not parent.is_dir():
                raise OutputClash(Message("{flag} {path} cannot be created: {parent} is a "
                                          "file, not a folder", flag=flag, path=str(path),
                                          parent=str(parent)))
            if not os.access(parent, os.W_OK | os.X_OK):
                raise OutputClash(Message("{flag} {path} cannot be written: the folder "
                                          "{parent} is read-only", flag=flag, path=str(path),
                                          parent=str(parent)))

    # --- while the run writes ------------------------------------------------------------

    def __enter__(self) -> Outputs:
        self._token = _current.set(self)
        return self

    def __exit__(self, kind: object, exc: object, tb: object) -> None:
        _current.reset(self._token)
        if kind is None:
            self.commit()
        else:
            self.discard()

    def stage(self, path: str | Path, write: Callable[[Path], None]) -> Path:
        """Write ``path``'s content to a temporary file beside it; it moves into place at
        :meth:`commit`. A second file for the same target is refused."""
        path = Path(os.path.normpath(path))  # x/new/../r.xlsx is x/r.xlsx: "new" need not exist
        if any(_same(path.resolve(), s.target.resolve()) for s in self.staged):
            raise OutputClash(Message("{path} would be written twice in one run",
                                      path=str(path)))
        try:
            with held_signals():
                self._make_parent(path.parent)
                fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part",
                                            dir=path.parent)
                os.close(fd)
                staged = _Staged(path, Path(name))
                self.staged.append(staged)
            write(staged.tmp)
            _fsync(staged.tmp)
            os.chmod(staged.tmp, _mode_for(path))
        except OSError as exc:
            raise OutputFault(_fault(path, exc)) from None
        return path

    def _make_parent(self, folder: Path) -> None:
        missing = []
        while not folder.exists():
            missing.append(folder)
            folder = folder.parent
        for f in reversed(missing):
            f.mkdir()
            self._created_dirs.append(f)

    def discard(self) -> None:
        """Remove every temporary file (and the folders this run made); earlier files stay."""
        with held_signals():
            for s in self.staged:
                with contextlib.suppress(OSError):
                    s.tmp.unlink()
            self.staged = []
            for d in reversed(self._created_dirs):
                with contextlib.suppress(OSError):
                    d.rmdir()  # only if empty
            self._created_dirs = []

    # --- at the end ----------------------------------------------------------------------

    def commit(self) -> list[Path]:
        """Move every staged file into place, all or none (see the module docstring)."""
        if not self.staged:
            return self.written
        with held_signals(), _locked({s.target.parent for s in self.staged}):
            backups: list[tuple[Path, Path | None]] = []
            try:
                for s in self.staged:
                    backups.append((s.target, _backup(s.target)))
                for s in self.staged:
                    os.replace(s.tmp, s.target)
            except OSError as exc:
                for target, backup in backups:
                    with contextlib.suppress(OSError):
                        if backup is not None:
                            os.replace(backup, target)
                        else:
                            target.unlink(missing_ok=True)
                failed = next((s.target for s in self.staged if s.tmp.exists()),
                              self.staged[0].target)
                self.discard()
                raise OutputFault(_fault(failed, exc)) from None
            for _, backup in backups:
                if backup is not None:
                    with contextlib.suppress(OSError):
                        backup.unlink()
            for folder in {s.target.parent for s in self.staged}:
                _fsync_dir(folder)
            self.written += [s.target for s in self.staged]
            self.staged = []
            self._created_dirs = []
        return self.written


@contextlib.contextmanager
def _locked(folders: Iterable[Path]) -> Iterator[None]:
    """An exclusive lock on each folder (in a fixed order, so two runs cannot deadlock):
    two runs committing to the same folders take turns, so their files never mix."""
    import fcntl

    fds = []
    try:
        for folder in sorted(folders):
            fd = os.open(folder, os.O_RDONLY)
            fds.append(fd)
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        for fd in fds:
            os.close(fd)  # closing releases the lock


def _backup(target: Path) -> Path | None:
    """A hard link to the file at ``target`` (None if there is none), so that a failed
    commit can put it back. Where the file system has no hard links, None."""
    if not target.exists():
        return None
    import secrets

    name = target.parent / f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.old"
    try:
        os.link(target, name)
    except OSError:
        return None
    return name


def _mode_for(target: Path) -> int:
    """A replaced file keeps its mode; a new one gets what the umask gives."""
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        return _umask_mode()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


_REASONS = {errno.ENOSPC: Message("the disk is full"),
            errno.EDQUOT: Message("the disk quota is used up"),
            errno.EROFS: Message("the file system is read-only"),
            errno.EACCES: Message("permission denied"), errno.EPERM: Message("permission denied"),
            errno.EFBIG: Message("the file is too large for this file system")}


def _fault(path: Path, exc: OSError) -> Message:
    reason = _REASONS.get(exc.errno or 0) or exc.strerror or str(exc) or type(exc).__name__
    return Message("could not write {path}: {reason}", path=str(path), reason=reason)


def atomic_write(path: str | Path, write: Callable[[Path], None]) -> Path:
    """Write ``path`` through ``write(tmp)``: staged into the run's :class:`Outputs` when one
    is open, otherwise written and moved into place at once, the same way."""
    outputs = _current.get()
    if outputs is not None:
        return outputs.stage(path, write)
    with Outputs() as alone:
        alone.stage(path, write)
    return Path(path)


def write_json(path: str | Path, data: dict[str, Any]) -> Path:
    """Write JSON (numpy arrays included) with orjson: a million cells in well under a second.

    orjson writes NaN as null, which is what the result's optional numbers mean.
    """
    def write(tmp: Path) -> None:
        tmp.write_bytes(json_bytes(data))

    return atomic_write(path, write)


def json_bytes(data: dict[str, Any]) -> bytes:
    """A result document as the JSON every output writes (the files of ``--json`` and the
    answers of ``allocator serve``): numpy arrays included, NaN as null."""
    import orjson

    return orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_SERIALIZE_NUMPY
                        | orjson.OPT_APPEND_NEWLINE)


#: CSV cells that begin with one of these are read as formulas by spreadsheet programs.
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: object) -> object:
    """A text cell a spreadsheet program will show as text: a leading ``'`` before a
    formula-like start (OWASP's advice for CSV injection). Numbers pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_LEADS):
        return "'" + value
    return value


def csv_bytes(frame: Any) -> bytes:
    """A table as CSV text (UTF-8, a header row, no index), written by pyarrow: a million
    rows in 0.6 s where pandas takes 6 s, most of it turning floats into text.

    Numbers are written as numbers (a whole float without its ``.0``; an empty cell where
    absent); every other column as text, each cell made safe with :func:`csv_safe`, in
    quotes only where it holds a comma, a quote or a line break (as pandas writes it);
    booleans as ``True``/``False``."""
    import csv
    import io

    import pandas as pd
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    columns = {}
    for name in frame.columns:
        column = frame[name]
        if pd.api.types.is_numeric_dtype(column.dtype) and not pd.api.types.is_bool_dtype(
                column.dtype):
            columns[str(name)] = column.reset_index(drop=True)
            continue
        text = column.astype("string").reset_index(drop=True)
        formula = text.str.startswith(FORMULA_LEADS).fillna(False).astype(bool)
        columns[str(name)] = text.where(~formula, "'" + text)
    table = pa.Table.from_pandas(pd.DataFrame(columns), preserve_index=False)
    out = io.BytesIO()
    try:
        # the header as the csv module writes it (pyarrow quotes it whatever the style)
        head = io.StringIO()
        csv.writer(head, lineterminator="\n").writerow(list(columns))
        out.write(head.getvalue().encode())
        pa_csv.write_csv(table, out, pa_csv.WriteOptions(quoting_style="none",
                                                         include_header=False))
    except pa.ArrowInvalid:
        # a text cell holds a comma, a quote or a line break: quoted where it needs it,
        # as pandas does, with the numbers in the same words as above
        import pyarrow.compute as pa_compute

        for name, column in columns.items():
            if pd.api.types.is_float_dtype(column.dtype):
                columns[name] = pd.Series(pa_compute.cast(
                    pa.array(column.to_numpy(), from_pandas=True), pa.string()
                ).to_numpy(zero_copy_only=False))
        return pd.DataFrame(columns).to_csv(index=False, lineterminator="\n").encode()
    return out.getvalue()


def write_csv(path: str | Path, frame: Any) -> Path:
    """A table as a CSV file (:func:`csv_bytes`), written whole or not at all."""
    data = csv_bytes(frame)

    def write(tmp: Path) -> None:
        tmp.write_bytes(data)

    return atomic_write(path, write)


__all__ = ["Outputs", "atomic_write", "csv_bytes", "csv_safe", "held_signals",
           "write_csv", "write_json"]
