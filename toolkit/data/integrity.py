"""What is wrong with a corpus as a whole, beside what the per-report audit finds.

:func:`corpus_notes` lists, one line each and without parsing anything:

- a listed file that is missing, not a regular file, or outside the corpus (the
  build skips it; this says so where the audit is read);
- a listed file whose bytes no longer match the sha256 in ``metadata.csv``
  (edited or replaced after it was added; ``xxgk add`` would not recognise it);
- two listed reports with the same agency and year (and no different adcode):
  probably one report added twice in two formats, whose numbers would count twice.

File hashes come from the build's manifest while a file's size, mtime and inode
change time are unchanged, so a corpus that was built is not read again, and an
edit whose old mtime was put back (``touch -r``) is still noticed.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

from ..corpus import corpus_dir, metadata_records, resolve_report_path
from ..corpus.metadata import MetadataError
from .home import corpus_home
from .manifest import FileHashes, read_manifest

__all__ = ["corpus_notes"]


def _file_problem(root: Path, rel: str | None) -> str | None:
    try:
        path = resolve_report_path(root, rel or "")
        st = os.stat(path)
    except MetadataError as exc:
        return str(exc)
    except FileNotFoundError:
        return f"listed file {rel} is missing"
    except OSError as exc:
        return f"listed file {rel} cannot be read ({exc.strerror or exc})"
    if not stat.S_ISREG(st.st_mode):
        return f"listed file {rel} is not a regular file"
    return None


def corpus_notes(corpus: str | os.PathLike | None = None, data_home: str | os.PathLike | None = None) -> list[str]:
    """One line per problem of the corpus as a whole (see the module docstring), in metadata order.

    Raises :class:`~toolkit.corpus.CorpusNotFound` or
    :class:`~toolkit.corpus.metadata.MetadataError` naming the path.
    """
    root = corpus_dir(corpus)
    metas = metadata_records(root)
    manifest = read_manifest(corpus_home(root, data_home) / ".cache")
    previous = manifest["files"] if manifest is not None and manifest["corpus"] == str(root) else None
    hashes = FileHashes(root, previous)
    notes: list[str] = []
    seen: dict[tuple[str, int], list[dict]] = {}
    for meta in metas:
        rid, rel = meta["report_id"], meta.get("file")
        problem = _file_problem(root, rel)
        if problem is not None:
            notes.append(f"{rid}: {problem}; the build skips it")
        elif meta.get("sha256") and hashes(rel) not in (None, str(meta["sha256"]).strip().lower()):
            notes.append(f"{rid}: {rel} does not match its sha256 in metadata.csv (edited or replaced "
                         "after it was added)")
        agency, year = (meta.get("agency") or "").strip(), meta.get("year")
        if agency and year is not None:
            seen.setdefault((agency, year), []).append(meta)
    for (agency, year), group in seen.items():
        codes = sorted({(m.get("adcode") or "").strip() for m in group} - {""})
        # Two organs of one name in different places (different adcodes) are not the same report.
        for code in codes or [""]:
            same = [m["report_id"] for m in group if (m.get("adcode") or "").strip() in (code, "")]
            if len(same) > 1:
                notes.append(f"{', '.join(same[:-1])} and {same[-1]}: same agency ({agency}) and year ({year}), "
                             "the same report in two formats? Its numbers would count twice")
    return notes
