"""One home for file I/O: reading report files safely, hashing, atomic writes.

Everything the toolkit reads from a user's disk goes through :func:`read_bytes`
(regular files only, never a FIFO or a device, with a size cap that names itself),
and everything it writes goes through :func:`atomic_write` (a temporary file in
the same folder, then ``os.replace``), so a crash never leaves half a file.
"""
from __future__ import annotations

import hashlib
import os
import stat as _stat_mod
import tempfile
from pathlib import Path

from .errors import ReportError

__all__ = ["MAX_FILE_BYTES", "read_bytes", "read_with_stat", "sha256_file", "sha256_bytes", "file_stat", "atomic_write",
           "umask", "FolderLock", "LockBusy", "OutputInCorpus", "outside_corpus"]

#: Largest report file read (bytes).  Real reports are well under 20 MiB; a larger
#: "report" is a mistake or an attack, and reading it would cost memory for nothing.
MAX_FILE_BYTES = 64 * 2**20


def read_bytes(path: str | os.PathLike, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file, at most *limit* of them (see :func:`read_with_stat`)."""
    return read_with_stat(path, limit)[0]


def read_with_stat(path: str | os.PathLike, limit: int = MAX_FILE_BYTES) -> tuple[bytes, tuple[int, int, int]]:
    """The bytes of a regular file, at most *limit* of them, and its ``(size, mtime_ns, ctime_ns)``
    when read (see :func:`file_stat`).

    Raises :class:`~toolkit.errors.ReportError` naming the file when it is not a
    regular file (a FIFO, a device such as ``/dev/zero``, a folder), larger than
    *limit*, or unreadable.  A FIFO is opened non-blocking and refused, so this
    never waits for a writer.
    """
    name = str(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise ReportError(name, f"cannot read file ({exc.strerror or exc})") from None
    try:
        st = os.fstat(fd)
        if not _stat_mod.S_ISREG(st.st_mode):
            kind = "a folder" if _stat_mod.S_ISDIR(st.st_mode) else \
                "a FIFO" if _stat_mod.S_ISFIFO(st.st_mode) else \
                "a device" if _stat_mod.S_ISCHR(st.st_mode) or _stat_mod.S_ISBLK(st.st_mode) else \
                "a socket" if _stat_mod.S_ISSOCK(st.st_mode) else "not a regular file"
            raise ReportError(name, f"not a regular file ({kind}); not read")
        if st.st_size > limit:
            raise ReportError(name, f"file is {st.st_size / 2**20:.1f} MiB, more than the "
                                    f"{limit / 2**20:.0f} MiB limit for one report; not read")
        chunks, size = [], 0
        while True:
            try:
                chunk = os.read(fd, 1 << 20)
            except BlockingIOError:  # pragma: no cover - regular files never block
                continue
            except OSError as exc:
                raise ReportError(name, f"cannot read file ({exc.strerror or exc})") from None
            if not chunk:
                break
            size += len(chunk)
            if size > limit:  # the file grew while being read
                raise ReportError(name, f"file is more than the {limit / 2**20:.0f} MiB limit "
                                        f"for one report; not read")
            chunks.append(chunk)
        return b"".join(chunks), (st.st_size, st.st_mtime_ns, st.st_ctime_ns)
    finally:
        os.close(fd)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: str | os.PathLike) -> str | None:
    """SHA-256 of a regular file's bytes, streamed; ``None`` when it cannot be read
    (the caller's parse then says why)."""
    digest = hashlib.sha256()
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        if not _stat_mod.S_ISREG(os.fstat(fd).st_mode):
            return None
        with os.fdopen(fd, "rb", closefd=False) as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    finally:
        os.close(fd)
    return digest.hexdigest()


def file_stat(path: str | os.PathLike) -> tuple[int, int, int] | None:
    """``(size, mtime_ns, ctime_ns)`` of a file, ``None`` when it does not exist or cannot be read.

    The inode change time is there because an edit can give a file back its size and
    mtime (``touch -r``, ``os.utime``) but never its ctime: size, mtime and ctime all
    unchanged is what lets a caller trust a hash it recorded without reading the file.
    """
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return st.st_size, st.st_mtime_ns, st.st_ctime_ns


def umask() -> int:
    """The process umask (read without changing it for longer than the call)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(path: str | os.PathLike, data: bytes, mode: int | None = None,
                 overwrite: bool = True) -> None:
    """Write *data* to *path* via a temporary file in the same folder and ``os.replace``.

    The file keeps the mode of the file it replaces (or ``0o666 & ~umask``).  With
    ``overwrite=False`` an existing *path* (even one that appeared while writing)
    is never replaced: ``FileExistsError`` is raised instead.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if mode is None:
            try:
                mode = path.stat().st_mode & 0o7777
            except FileNotFoundError:
                mode = 0o666 & ~umask()
        os.chmod(tmp, mode)
        if not overwrite:
            # os.link fails if the name exists, so no file appearing meanwhile is replaced.
            try:
                os.link(tmp, path)
            except FileExistsError:
                raise
            except OSError:  # a file system without hard links
                if path.exists():
                    raise FileExistsError(str(path)) from None
                os.replace(tmp, path)
            else:
                os.unlink(tmp)
        else:
            os.replace(tmp, path)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        if isinstance(exc, OSError) and exc.filename is None and exc.errno is not None:
            # A failed write names no file; the error names the file being written.
            raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from exc
        raise


class OutputInCorpus(ValueError):
    """An output path is the corpus folder or lies inside it (no command writes there but ``add``
    and ``fetch``, which write the corpus itself)."""


def outside_corpus(path: str | os.PathLike, corpus_root: str | os.PathLike) -> Path:
    """*path* resolved (symlinks followed), when it is neither the corpus folder *corpus_root* nor
    inside it; raises :class:`OutputInCorpus` naming both otherwise.

    Every command that writes an output the user names (``build``, ``indicators``,
    ``chart``) checks each path it is about to write with this one function.
    """
    out = Path(path).expanduser().resolve()
    root = Path(corpus_root).expanduser().resolve()
    if out == root or root in out.parents:
        raise OutputInCorpus(f"{out}: refusing to write into the corpus folder {root}; "
                             "give an output outside it")
    return out


class LockBusy(RuntimeError):
    """Another process holds the lock; the message names it and the folder."""


class FolderLock:
    """An exclusive lock on a folder's contents, held by one process at a time.

    *path* is a lock file, or the folder itself.  A lock file holds the holder's
    pid (so a waiting process can say who holds it); a folder is locked as it is,
    so nothing is added to it (a corpus stays exactly the files it lists).  Either
    is locked with ``fcntl.flock``, which the system releases when the holder
    dies, so a lock left by a killed process never blocks anyone (a stale lock).
    Where ``flock`` is missing, a lock file is itself the lock (``.xxgk-lock``
    inside a locked folder) and one whose pid is no longer running is taken over.

    A second process waits up to *timeout* seconds, then raises :class:`LockBusy`.
    """

    def __init__(self, path: str | os.PathLike, what: str, timeout: float = 30.0):
        self.path, self.what, self.timeout = Path(path), what, timeout
        self.fd: int | None = None
        self.folder = self.path.is_dir()

    def _holder(self) -> str:
        if self.folder:
            pid = _flock_holder(self.path)
            return f"process {pid}" if pid is not None else "another process"
        try:
            pid = self.path.read_text(encoding="utf-8").split()[0]
            return f"process {int(pid)}"
        except (OSError, ValueError, IndexError):
            return "another process"

    def __enter__(self) -> "FolderLock":
        import time

        deadline = time.monotonic() + self.timeout
        if not self.folder:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        while True:
            if self._try():
                return self
            if time.monotonic() >= deadline:
                where, lock = (self.path, "a lock on the folder") if self.folder else \
                    (self.path.parent, f"lock {self.path.name}")
                raise LockBusy(f"{where}: {self.what} is in use by {self._holder()} "
                               f"({lock}); try again when it has finished")
            time.sleep(0.05)

    def _try(self) -> bool:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not on POSIX
            if self.folder:
                self.path, self.folder = self.path / ".xxgk-lock", False
            return self._try_exclusive()
        if self.folder:
            fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        else:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:  # held by another process
            os.close(fd)
            return False
        except OSError as exc:  # a file system without locks (some network mounts)
            import logging

            logging.getLogger("toolkit").warning(
                "%s: cannot lock %s (%s); go on without a lock: do not run two writers at once",
                self.path, self.what, exc.strerror or exc)
        if not self.folder:
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
        self.fd = fd
        return True

    def _try_exclusive(self) -> bool:  # pragma: no cover - not on POSIX
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            holder = self._holder()
            pid = int(holder.split()[1]) if holder.startswith("process ") else None
            if pid is not None and not _alive(pid):
                self.path.unlink(missing_ok=True)  # stale: its holder is gone
            return False
        os.write(fd, f"{os.getpid()}\n".encode())
        self.fd, self.exclusive = fd, True
        return True

    def __exit__(self, *exc) -> None:
        if self.fd is not None:
            try:
                if not self.folder:
                    os.ftruncate(self.fd, 0)
            finally:
                os.close(self.fd)
                self.fd = None
                if getattr(self, "exclusive", False):  # pragma: no cover - not on POSIX
                    self.path.unlink(missing_ok=True)


def _flock_holder(path: Path) -> int | None:
    """The pid holding an flock on *path*, from ``/proc/locks`` (Linux); ``None`` if unknown."""
    try:
        inode = os.stat(path).st_ino
        with open("/proc/locks", encoding="ascii", errors="replace") as fh:
            lines = fh.read().splitlines()
    except OSError:
        return None
    for line in lines:
        fields = [f for f in line.split() if f != "->"]
        # "1: FLOCK ADVISORY WRITE 1234 08:01:5678 0 EOF"; "->" marks a waiter, not the holder.
        if "->" in line.split() or len(fields) < 6 or fields[1] != "FLOCK":
            continue
        try:
            if int(fields[5].rsplit(":", 1)[1]) == inode:
                return int(fields[4])
        except (ValueError, IndexError):
            continue
    return None


def _alive(pid: int) -> bool:  # pragma: no cover - used only without flock
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
