"""Section 五 items ready for mining: ``load_narratives()``.

Each report's section 五 is split by :func:`toolkit.parsing.section_items.split_section`
into problem and improvement items (the rows of :func:`toolkit.data.frames.report_items`, which
the build makes as it parses); this module adds what an analysis needs to
trust them: the report's covariates, which items are bare headings, and which
reports repeat an earlier one (template reuse, :func:`toolkit.mining.reuse.best_sources`).

Near-duplicate reports
    A later report is a near duplicate of an earlier one when at least
    :data:`DUPLICATE_THRESHOLD` (0.45) of its section 五 — cleaned for
    comparison (template wording, enumerators and punctuation removed) — lies
    in nearly verbatim runs of at least 30 characters also found in the earlier
    report (the measure of :func:`~toolkit.mining.reuse.reused_share`, taken pair
    by pair).  Every item of the later report then carries ``duplicate_of``,
    the id of the earlier report (of several, the one it repeats most; ties go
    to the earlier id).  "Later" is by report year, then by report id.  On the
    shipped corpus the later reports' shares are either at least 0.50 (河北省
    科学技术厅 2022 repeats 2021 at 0.97, 2018 repeats 2017 at 0.50; 河北省教育厅
    2018 repeats 2016 at 0.62) or at most 0.37, and the threshold sits in that
    gap.  Drop ``items[items.duplicate_of.isna()]`` to count each text once, or
    weight the items.  The earlier reports compared with each report are bounded
    so that the search grows linearly with the corpus; the bound binds only when
    an n-gram is held by more than 128 reports or more than 16 earlier reports pass
    its containment bound, and then a lesser (still >= threshold) source, or none,
    may be named (:func:`~toolkit.mining.reuse.best_sources`).
"""
from __future__ import annotations

import os

from .. import schema
from ..data.frames import ITEM_COLUMNS, item_id, report_items
from ..data.loaders import corpus_handle
from .reuse import best_sources

__all__ = ["load_narratives", "narratives_frame", "NARRATIVE_COLUMNS", "DUPLICATE_THRESHOLD", "item_id"]

#: Share of a later report's cleaned section 五 found nearly verbatim in an
#: earlier report from which the later one is a near duplicate (see the module docstring).
DUPLICATE_THRESHOLD = 0.45

NARRATIVE_COLUMNS = [*ITEM_COLUMNS, "duplicate_of"]

_PARTS = ["problem", "improvement"]


def near_duplicates(texts: dict[str, str], years: dict[str, int | None],
                    threshold: float = DUPLICATE_THRESHOLD) -> dict[str, str]:
    """report_id -> the earlier report it nearly repeats, from each report's items' text
    (:func:`report_items`) and year ("earlier": by year, a missing year last, then by id); found by
    :func:`toolkit.mining.reuse.best_sources` (where it may differ from comparing every pair)."""
    order = sorted(texts, key=lambda rid: (years.get(rid) if years.get(rid) is not None else 10_000, rid))
    return best_sources(texts, order, threshold) if texts else {}


def items_frame(rows: list[dict]):
    """Item rows (:func:`report_items`, with ``duplicate_of``) as :func:`load_narratives`'s typed
    frame, in the order given."""
    import pandas as pd

    frame = pd.DataFrame(rows, columns=NARRATIVE_COLUMNS)
    return frame.astype({
        "item_id": "string", "report_id": "string", "agency": "string", "year": "Int64",
        "admin_level": pd.CategoricalDtype(list(schema.ADMIN_LEVELS)), "sector": "string",
        "template": pd.CategoricalDtype(list(schema.TEMPLATES)), "part": pd.CategoricalDtype(_PARTS, ordered=True),
        "item": "Int64", "text": "string", "start": "Int64", "end": "Int64", "is_heading": "boolean",
        "duplicate_of": "string"})


def narratives_frame(parsed, threshold: float = DUPLICATE_THRESHOLD):
    """:func:`load_narratives`'s frame from parsed reports (:func:`toolkit.data.parse_corpus`'s
    list, or the build's parses read back from its cache)."""
    rows = []
    texts: dict[str, str] = {}
    years: dict[str, int | None] = {}
    for p in sorted(parsed, key=lambda p: p.report_id):
        items, text = report_items(p)
        if text is None:
            continue
        texts[p.report_id] = text
        years[p.report_id] = p.report.year
        rows.extend(items)
    duplicates = near_duplicates(texts, years, threshold)
    for row in rows:
        row["duplicate_of"] = duplicates.get(row["report_id"])
    return items_frame(rows).sort_values(["report_id", "part", "item"], kind="stable", ignore_index=True)


def load_narratives(corpus: str | os.PathLike | None = None, duplicate_threshold: float = DUPLICATE_THRESHOLD, *,
                    data_home: str | os.PathLike | None = None):
    """Section 五 (存在的主要问题及改进情况), one row per item, ready for mining.

    Each report's section is cut into a ``problem`` and an ``improvement``
    part and each part into its enumerated items
    (:mod:`toolkit.parsing.section_items`).  Item 0 of a part is the text before its
    first enumerated item (sub-heading, lead-in); a part with no enumeration is
    a single item 1.  Items that are only a heading (``（二）整改措施``,
    ``改进措施：``) have ``is_heading`` true; the coding and topic tools skip them
    by default.  A closing signature (organ name, date) is not part of any
    item.  Items of a report that nearly repeats an earlier one carry
    ``duplicate_of`` (reuse ≥ *duplicate_threshold*, see
    :data:`DUPLICATE_THRESHOLD` and the module docstring).  A report with no
    section 五 has no rows (the audit's ``section_present.5`` says so).

    ============ ======== ===== ===============================================================
    name         dtype    unit  meaning
    ============ ======== ===== ===============================================================
    item_id      string         stable id ``<report_id>:<p|i><item>``, e.g. ``2023_5baa…:p1``
    report_id    string         id from ``metadata.csv``
    agency       string         reporting organ
    year         Int64    year  report year
    admin_level  category       province / city / county (``metadata.csv``)
    sector       string         policy sector (``metadata.csv``), e.g. 民政
    template     category       ``2021``, ``2019`` or ``pre-2019`` (<NA>: no table found)
    part         category       ``problem`` or ``improvement`` (ordered)
    item         Int64          0 = lead-in, 1.. = enumerated items in order
    text         string         the item's text, as published (artefacts such as ``**`` removed)
    start        Int64    char  offset of the item in the section 五 text
    end          Int64    char  offset just past the item (``section[start:end] == text``)
    is_heading   boolean        the item is only a heading, no content
    duplicate_of string         report_id of the earlier report this report nearly repeats; <NA> if none
    ============ ======== ===== ===============================================================

    Sorted by report_id, then problems before improvements, then item.  Built
    from :func:`toolkit.data.parse_corpus` (its parse cache); the frame is kept
    by the corpus handle (:class:`toolkit.Corpus`; *corpus* may be one) and each
    call returns a copy.
    """
    if not 0 < duplicate_threshold <= 1:
        raise ValueError(f"duplicate_threshold must be in (0, 1], got {duplicate_threshold!r}")
    handle = corpus_handle(corpus, data_home)
    return handle.frame(("narratives", float(duplicate_threshold)),
                        lambda _state: narratives_frame(handle.parse(), duplicate_threshold))
