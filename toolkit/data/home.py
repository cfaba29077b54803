"""The one data home: where parse caches and build outputs live.

Resolution order (like scikit-learn's ``get_data_home``): the ``data_home``
argument, then ``$XXGK_HOME``, then ``~/xxgk_data``.  Each corpus gets its own
folder in it, named after the corpus folder and a short hash of its absolute
path, so two corpora never share outputs::

    ~/xxgk_data/
      corpus-1a2b3c4d/          what `xxgk build` writes for that corpus (CSV, Parquet, xlsx, charts/)
        .cache/parsed.parquet   the parse cache (shared by `xxgk build` and the loaders)
        .cache/manifest.json    what the last build read and wrote
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
from pathlib import Path

__all__ = ["HOME_ENV", "get_data_home", "clear_data_home", "corpus_home"]

#: Environment variable naming the data home.
HOME_ENV = "XXGK_HOME"


def get_data_home(data_home: str | os.PathLike | None = None) -> Path:
    """The data home folder (created if missing): *data_home*, ``$XXGK_HOME`` or ``~/xxgk_data``."""
    if data_home is None:
        data_home = os.environ.get(HOME_ENV) or Path("~") / "xxgk_data"
    path = Path(data_home).expanduser().resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def clear_data_home(data_home: str | os.PathLike | None = None) -> None:
    """Delete the data home and everything in it (caches and build outputs)."""
    shutil.rmtree(get_data_home(data_home), ignore_errors=True)


def corpus_home(corpus_root: str | os.PathLike, data_home: str | os.PathLike | None = None) -> Path:
    """The folder of the data home that belongs to the corpus at *corpus_root* (not created)."""
    root = Path(corpus_root).resolve()
    name = re.sub(r"[^\w.-]+", "_", root.name)[:40] or "corpus"
    key = hashlib.sha256(str(root).encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return get_data_home(data_home) / f"{name}-{key}"
