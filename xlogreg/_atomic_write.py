"""Atomic file replacement: a locked temporary file beside the target, renamed onto it.

A writer creates ``.<name>.<16 hex digits>.tmp`` in the target's folder,
takes an exclusive ``flock`` on it, writes and flushes it to the disk, gives
it the target's permission bits, and renames it onto the target while still
holding the lock. A writer killed on the way (SIGKILL, a power cut) leaves
its temporary file behind, unlocked: the kernel releases a dead process's
locks. Every later write to the same target removes the temporary files
that it can lock, so stale ones never pile up, and never touches one that a
live writer holds. Where ``flock`` does not exist (Windows), the system
refuses to delete a file that another process has open, which serves the
same purpose.

Model files (:func:`xlogreg.io.save`), run records (:mod:`xlogreg.runs`) and
the files the command line writes (predictions, reports, plots) are all
written this way.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import stat

__all__ = ["write_atomically"]

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
_INSPECT = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)


def write_atomically(path: str, data: bytes) -> None:
    """Write ``data`` to a new file beside ``path``, flush it to the disk, rename it onto ``path``.

    On any error (or a crash) an earlier file at ``path`` stays as it was;
    the temporary file is removed on an error, and by the next write to
    ``path`` after a crash. A file replaced keeps its permission bits (a
    ``0600`` model stays ``0600``); a new file gets the umask's.
    """
    folder, name = os.path.split(os.path.abspath(path))
    mode = _permissions(path)
    _remove_stale_temporaries(folder, name)
    descriptor, temporary = _create_locked(folder, name)
    try:
        with os.fdopen(descriptor, "wb") as file:
            if mode is not None:
                _chmod(file.fileno(), temporary, mode)
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
            # Renamed under the lock: a cleaner never sees this file unlocked.
            os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(temporary)
        raise


def _remove_stale_temporaries(folder: str, name: str) -> list[str]:
    """Remove the temporary files of writes to ``folder/name`` whose writer died; their paths.

    A temporary file is stale when no process holds its lock. Files that
    cannot be opened or locked are left alone.
    """
    pattern = re.compile(rf"\.{re.escape(name)}\.[0-9a-f]{{16}}\.tmp")
    removed = []
    try:
        entries = [entry.name for entry in os.scandir(folder) if pattern.fullmatch(entry.name)]
    except OSError:
        return removed
    for entry in entries:
        candidate = os.path.join(folder, entry)
        if _remove_if_unlocked(candidate):
            removed.append(candidate)
    return removed


def _permissions(path: str) -> int | None:
    """The permission bits of the regular file at ``path``, or ``None`` if there is none."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return stat.S_IMODE(info.st_mode) if stat.S_ISREG(info.st_mode) else None


def _chmod(descriptor: int, path: str, mode: int) -> None:
    if hasattr(os, "fchmod"):
        os.fchmod(descriptor, mode)
    else:  # Windows: only the read-only bit exists
        os.chmod(path, mode)


def _create_locked(folder: str, name: str) -> tuple[int, str]:
    """A new temporary file for ``name``, open for writing and locked: its descriptor and path."""
    while True:
        temporary = os.path.join(folder, f".{name}.{secrets.token_hex(8)}.tmp")
        # O_EXCL never writes through an existing file or link; 0o666 lets the
        # umask choose the permissions, as for any new file.
        descriptor = os.open(temporary, _CREATE, 0o666)
        if fcntl is None:
            return descriptor, temporary
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            # A cleaner may have locked and removed the file between its
            # creation and our lock: then the name is gone, or is another file.
            if os.path.samestat(os.fstat(descriptor), os.stat(temporary)):
                return descriptor, temporary
        except FileNotFoundError:
            pass
        except BaseException:
            os.close(descriptor)
            raise
        os.close(descriptor)


def _remove_if_unlocked(path: str) -> bool:
    if fcntl is None:
        try:
            os.remove(path)  # refused while a writer has it open
        except OSError:
            return False
        return True
    try:
        descriptor = os.open(path, _INSPECT)
    except OSError:
        return False
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        # Still the file that we locked, not one created under the same name since.
        if not os.path.samestat(os.fstat(descriptor), os.stat(path, follow_symlinks=False)):
            return False
        os.remove(path)
    except OSError:  # BlockingIOError: a live writer holds it
        return False
    finally:
        os.close(descriptor)
    return True
