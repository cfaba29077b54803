"""The one data home: where parse caches, build outputs and the builds' own working folders live.

Resolution order (like scikit-learn's ``get_data_home``): the ``data_home``
argument, then ``$XXGK_HOME``, then ``~/xxgk_data``.  Each corpus gets its own
folder in it, named after the corpus folder and a short hash of its absolute
path, so two corpora never share outputs::

    ~/xxgk_data/
      corpus-1a2b3c4d/          what `xxgk build` writes for that corpus (CSV, Parquet, xlsx, charts/)
        .cache/parsed.parquet   the parse cache (shared by `xxgk build` and the loaders)
        .cache/manifest.json    what the last build read and wrote
      .builds/out-0123456789ab/ one per output folder a build wrote: its lock file, and while it
                                runs its staging folder (see toolkit.data.build)

Reading never creates the data home; a data home that cannot be written (a
read-only mount, no permission) costs the cache, never a result: the loaders
parse without it and say so once (:func:`note_unwritable`).
"""
from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import logging
import os
import re
import shutil
from pathlib import Path
from typing import Iterator

__all__ = ["HOME_ENV", "resolve_data_home", "get_data_home", "clear_data_home", "corpus_home", "build_area",
           "note_unwritable", "BuildError", "BuildPlaces", "build_places", "staged_output"]

#: Environment variable naming the data home.
HOME_ENV = "XXGK_HOME"

log = logging.getLogger("toolkit")
# Data homes already reported as unwritable in this process (one note each).
_NOTED: set[str] = set()


def resolve_data_home(data_home: str | os.PathLike | None = None) -> Path:
    """The data home's absolute path (not created): *data_home*, ``$XXGK_HOME`` or ``~/xxgk_data``."""
    if data_home is None:
        data_home = os.environ.get(HOME_ENV) or Path("~") / "xxgk_data"
    return Path(data_home).expanduser().resolve()


def get_data_home(data_home: str | os.PathLike | None = None) -> Path:
    """The data home folder (created if missing): *data_home*, ``$XXGK_HOME`` or ``~/xxgk_data``."""
    path = resolve_data_home(data_home)
    path.mkdir(parents=True, exist_ok=True)
    return path


def clear_data_home(data_home: str | os.PathLike | None = None) -> None:
    """Delete the data home and everything in it (caches and build outputs)."""
    shutil.rmtree(resolve_data_home(data_home), ignore_errors=True)


def _key(path: Path, fallback: str) -> tuple[str, str]:
    """(a file-name-safe form of *path*'s last part, the sha256 of the whole path)."""
    name = re.sub(r"[^\w.-]+", "_", path.name)[:40] or fallback
    return name, hashlib.sha256(str(path).encode("utf-8", "surrogatepass")).hexdigest()


def corpus_home(corpus_root: str | os.PathLike, data_home: str | os.PathLike | None = None) -> Path:
    """The folder of the data home that belongs to the corpus at *corpus_root* (neither it nor the
    data home is created)."""
    name, digest = _key(Path(corpus_root).resolve(), "corpus")
    return resolve_data_home(data_home) / f"{name}-{digest[:8]}"


def build_area(out: str | os.PathLike, data_home: str | os.PathLike | None = None) -> Path:
    """The data home's folder for builds into the output folder *out* (created; its parents too).

    Raises ``OSError`` when the data home cannot be written."""
    out = Path(out).resolve()
    name, digest = _key(out, "out")
    area = resolve_data_home(data_home) / ".builds" / f"{name}-{digest[:12]}"
    area.mkdir(parents=True, exist_ok=True)
    return area


def note_unwritable(error: OSError, consequence: str, data_home: str | os.PathLike | None = None) -> None:
    """Log once per process and data home that it cannot be written (*error*), and what that costs."""
    home = str(resolve_data_home(data_home))
    if home in _NOTED:
        return
    _NOTED.add(home)
    log.warning("%s: cannot write the data home (%s); %s", home, error.strerror or error, consequence)


# ------------------------------------------------------------------ a build's output folder


class BuildError(RuntimeError):
    """A build cannot run or cannot write its outputs; the message is one line naming the path."""


@dataclasses.dataclass(frozen=True)
class BuildPlaces:
    """Where a build of the output folder *out* works: its staging folder and the folder the
    previous outputs are moved to during the switch (both on *out*'s file system, since the switch
    renames them), and its lock (a lock file, or *out*'s parent folder itself)."""

    out: Path
    stage: Path
    old: Path
    lock: Path


def _beside(out: Path) -> tuple[Path, Path]:
    """The staging and previous-outputs folders beside *out*: used only when the data home is on
    another file system (or cannot be written), and by the versions before the data home held them."""
    return out.parent / f".{out.name}.xxgk-stage", out.parent / f".{out.name}.xxgk-old"


def build_places(out: Path, data_home: Path | None = None) -> BuildPlaces:
    """The data home's build folder for *out* holds the lock, and the staging folders when it is on
    *out*'s file system; otherwise they go beside *out*.  A data home that cannot be written (or
    lies inside *out*) leaves the lock to *out*'s parent folder itself: nothing is added there."""
    try:
        area = build_area(out, data_home)
    except OSError as exc:
        note_unwritable(exc, "the build locks its output's parent folder and stages beside it", data_home)
        return BuildPlaces(out, *_beside(out), out.parent)
    if area == out or out in area.parents:  # the data home inside the output folder
        return BuildPlaces(out, *_beside(out), out.parent)
    if os.stat(area).st_dev != os.stat(out.parent).st_dev:
        return BuildPlaces(out, *_beside(out), area / "lock")
    return BuildPlaces(out, area / "stage", area / "old", area / "lock")


@contextlib.contextmanager
def staged_output(root: Path, out: str | os.PathLike | None, data_home: str | os.PathLike | None,
                  wait: float) -> Iterator[BuildPlaces]:
    """The output folder of a build of the corpus *root*, locked: *out* (default: the corpus's
    folder in the data home), checked to be one xxgk may write, with what a killed build left there
    finished or undone.  What the block writes into the staging folder replaces the output folder
    when the block ends (two renames); nothing is switched when the block writes nothing, and the
    staging folder is removed when the block fails.  Waits up to *wait* seconds for another build
    of the same folder (:class:`~toolkit.fileio.LockBusy` after that).

    A write that fails, here or in the block (disk full, a file size limit, a folder in the way),
    however a library wrapped it, is raised as :class:`BuildError` naming the path."""
    from ..fileio import FolderLock

    home = resolve_data_home(data_home)
    out = corpus_home(root, home) if out is None else Path(out).expanduser().resolve()
    _check_out(out, root)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        places = build_places(out, home)
        with FolderLock(places.lock, "the output folder (another xxgk build)", timeout=wait):
            _recover(places)
            try:
                yield places
            except BaseException:
                shutil.rmtree(places.stage, ignore_errors=True)
                raise
            if places.stage.exists():
                _switch(places)
    except Exception as exc:
        error = _os_error(exc)
        if error is None:
            raise
        raise BuildError(f"{error.filename or out}: cannot write the build ({error.strerror or error})") from None


def _os_error(exc: BaseException | None, depth: int = 0) -> OSError | None:
    """The OSError *exc* is or wraps (as its first argument or its cause), if any."""
    if exc is None or depth > 5:
        return None
    if isinstance(exc, OSError):
        return exc
    inner = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else None
    return _os_error(inner or exc.__cause__ or exc.__context__, depth + 1)


def _check_out(out: Path, root: Path) -> None:
    from ..fileio import outside_corpus
    from .cache import CACHE_FILE

    outside_corpus(out, root)
    if out.exists() and not out.is_dir():
        raise BuildError(f"{out}: the output folder names an existing file; give a folder with --out")
    # A folder xxgk wrote has its .cache (a build's manifest, or the parse cache the loaders
    # keep in the data home before any build); anything else is someone else's folder.
    ours = (out / ".cache" / "manifest.json").is_file() or (out / ".cache" / CACHE_FILE).is_file()
    if out.is_dir() and any(out.iterdir()) and not ours:
        raise BuildError(f"{out}: the output folder holds files xxgk did not write; "
                         "give a new or empty folder with --out")


def _recover(places: BuildPlaces) -> None:
    """Finish or undo what a killed build left: a half-done switch, a staging folder (where this
    build stages, and beside the output folder, where builds staged before the data home held them)."""
    out = places.out
    for stage, old in dict.fromkeys([(places.stage, places.old), _beside(out)]):
        if not out.exists() and old.is_dir():
            old.rename(out)  # killed between the two renames: the previous outputs come back
        shutil.rmtree(old, ignore_errors=True)
        shutil.rmtree(stage, ignore_errors=True)
    legacy = out.parent / f".{out.name}.xxgk-lock"  # the lock file of those versions, empty once released
    with contextlib.suppress(OSError):
        if legacy.is_file() and not legacy.is_symlink() and legacy.stat().st_size == 0:
            legacy.unlink()


def _switch(places: BuildPlaces) -> None:
    """Put the staged outputs in place of the output folder with two renames; the staging folder
    is removed when the switch fails (the previous outputs are back in place then)."""
    out = places.out
    moved = False
    try:
        if out.exists():
            out.rename(places.old)
            moved = True
        places.stage.rename(out)
    except BaseException:
        if moved and not out.exists():
            with contextlib.suppress(OSError):
                places.old.rename(out)
        shutil.rmtree(places.stage, ignore_errors=True)
        raise
    shutil.rmtree(places.old, ignore_errors=True)
