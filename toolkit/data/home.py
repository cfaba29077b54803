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

import hashlib
import logging
import os
import re
import shutil
from pathlib import Path

__all__ = ["HOME_ENV", "resolve_data_home", "get_data_home", "clear_data_home", "corpus_home", "build_area", "note_unwritable"]

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
