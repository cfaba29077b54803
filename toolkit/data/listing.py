"""The reports a corpus lists, each file once.

``metadata.csv`` may list one file twice -- by hand, under two agencies or two
ids -- and its numbers would then count twice in every total.  The build and
the loaders read the corpus through :func:`each_file_once`, which keeps the
first row (in file order) that lists a file and leaves out every later one with
a one-line warning naming both rows.  Two rows list the same file when their
``sha256`` cells are equal, or when their ``file`` cells name the same path.
"""
from __future__ import annotations

import logging
import posixpath
from typing import Any

__all__ = ["each_file_once", "distinct_listings"]

log = logging.getLogger("toolkit")


def _describe(meta: dict[str, Any]) -> str:
    agency = meta.get("agency")
    return f"{meta['report_id']} ({agency})" if agency else f"{meta['report_id']} (no agency)"


def distinct_listings(metas: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
    """(*metas* without the rows listing a file an earlier row lists, one line per row left out)."""
    kept: list[dict[str, Any]] = []
    notes: list[str] = []
    by_sha: dict[str, dict] = {}
    by_file: dict[str, dict] = {}
    for meta in metas:
        sha = str(meta.get("sha256") or "").strip().lower()
        file = posixpath.normpath(str(meta.get("file") or "").replace("\\", "/")) if meta.get("file") else ""
        first = by_sha.get(sha) if sha else None
        if first is None and file:
            first = by_file.get(file)
        if first is not None:
            same = f"sha256 {sha[:16]}…" if sha and str(first.get("sha256") or "").strip().lower() == sha \
                else f"file {file}"
            notes.append(f"metadata.csv lists one file twice: {_describe(first)} and {_describe(meta)} "
                         f"({same}); {meta['report_id']} is left out, the first listing counts")
            continue
        kept.append(meta)
        if sha:
            by_sha[sha] = meta
        if file:
            by_file[file] = meta
    return kept, notes


def each_file_once(metas: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """*metas* (rows of :func:`~toolkit.corpus.metadata_records`) each file once
    (:func:`distinct_listings`); each row left out is logged as a warning."""
    kept, notes = distinct_listings(metas)
    for note in notes:
        log.warning("%s", note)
    return kept
