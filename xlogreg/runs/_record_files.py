"""The files of a runs folder: strict JSON, read with errors naming the file, written
atomically, and the lock that makes a change of the registry one step.

The registry (``registry.json``) is changed by reading it, deciding and writing
it back; :func:`runs_lock` serializes those steps between processes, threads
and machines that share the folder through a file system with POSIX or Windows
file locks. Readers need no lock: a file is replaced whole (a new file renamed
over it), so a reader sees the old content or the new, never a mix.
"""

from __future__ import annotations

import contextlib
import errno
import json
import math
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import filelock

from xlogreg._atomic_write import write_atomically

__all__ = [
    "LOCK_FILE",
    "LOCK_TIMEOUT",
    "dumps",
    "is_run_id",
    "loads",
    "read_json",
    "read_registry",
    "rename_new_folder",
    "runs_lock",
    "strict",
    "write_json",
]

LOCK_FILE = "registry.json.lock"
# Seconds to wait for another process's change of the registry (a few milliseconds
# each) before giving up with an error, rather than hanging on a stuck file system.
LOCK_TIMEOUT = 60.0


@contextlib.contextmanager
def runs_lock(runs_dir: Path) -> Iterator[None]:
    """Hold the lock of the runs folder ``runs_dir`` (an existing folder) for a change.

    An operating-system file lock on ``runs_dir / LOCK_FILE``, released when
    the ``with`` statement ends, or by the system when the process dies
    (killed included): a crash never leaves the folder locked.

    Raises
    ------
    TimeoutError
        If another process holds the lock for more than :data:`LOCK_TIMEOUT`
        seconds; the message names the lock file.
    """
    path = runs_dir / LOCK_FILE
    lock = filelock.FileLock(path, timeout=LOCK_TIMEOUT)
    try:
        lock.acquire()
    except filelock.Timeout:
        raise TimeoutError(
            f"{path}: another process has held the lock of the runs folder for "
            f"{LOCK_TIMEOUT:g} s; nothing was changed, try again"
        ) from None
    try:
        yield
    finally:
        lock.release()


def strict(value: Any) -> Any:
    """``value`` with non-finite floats as strings: strict JSON has no Infinity or NaN."""
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, dict):
        return {key: strict(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [strict(item) for item in value]
    return value


def dumps(value: Any, **options: Any) -> str:
    """``value`` as strict JSON (non-finite floats written as ``"inf"``, ``"-inf"``, ``"nan"``)."""
    return json.dumps(strict(value), allow_nan=False, **options)


def write_json(path: Path, value: Any) -> None:
    """Write ``value`` to ``path`` as indented strict JSON, atomically."""
    write_atomically(str(path), (dumps(value, indent=2) + "\n").encode())


def loads(text: str, path: Path) -> Any:
    """Parse the JSON ``text`` of the file ``path``.

    Raises
    ------
    ValueError
        Naming ``path``, if ``text`` is not valid JSON (nested too deep included).
    """
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"{path}: not valid JSON ({error})") from None
    except RecursionError:
        raise ValueError(f"{path}: not valid JSON (nested too deep)") from None


def read_json(path: Path) -> dict[str, Any]:
    """The JSON object of the file ``path``.

    Raises
    ------
    FileNotFoundError
        If there is no file ``path``.
    ValueError
        Naming ``path``, if the file is not UTF-8 text, not valid JSON or not
        a JSON object.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise FileNotFoundError(f"{path}: no such file") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(
            f"{path}: not UTF-8 text (byte {error.start} is {data[error.start]:#04x}), "
            "so not a record xlogreg wrote"
        ) from None
    value = loads(text, path)
    if not isinstance(value, dict):
        raise ValueError(f"{path}: expected a JSON object")
    return value


def read_registry(path: Path) -> dict[str, Any]:
    """The registry of runs in the file ``path``: ``{}`` if there is none.

    Raises
    ------
    ValueError
        Naming ``path``, if the file is not UTF-8 JSON holding an object whose
        ``"production"`` (if any) is a run id and ``"history"`` (if any) a list
        of objects.
    """
    if not path.exists():
        return {}
    registry = read_json(path)
    production, history = registry.get("production"), registry.get("history", [])
    if not (production is None or is_run_id(production)):
        raise ValueError(f"{path}: not a registry of runs (production {production!r})")
    if not (isinstance(history, list) and all(isinstance(entry, dict) for entry in history)):
        raise ValueError(f"{path}: not a registry of runs (history is not a list of objects)")
    return registry


def is_run_id(run: Any) -> bool:
    """Whether ``run`` names a folder right inside the runs folder: no separator, no dot first."""
    return isinstance(run, str) and bool(run) and not run.startswith(".") and Path(run).name == run


def rename_new_folder(staging: Path, folder: Path) -> bool:
    """Rename the complete folder ``staging`` to ``folder``; false if ``folder`` holds files.

    A rename never replaces a folder holding files (POSIX says ENOTEMPTY or
    EEXIST, Windows always refuses): of two processes naming a run alike at
    the same moment, one gets the name and the other learns it here.
    """
    try:
        os.rename(staging, folder)
    except FileExistsError:
        return False
    except OSError as error:
        if error.errno == errno.ENOTEMPTY:
            return False
        raise
    return True
