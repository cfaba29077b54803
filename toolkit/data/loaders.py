"""Load a corpus as pandas DataFrames: thin ``load_*`` functions over one parse.

A corpus is a folder with ``metadata.csv`` and the report files it lists.  Each
loader returns one frame (its column dictionary is in its docstring), built in
this order of preference:

1. the frames its corpus handle (:class:`CorpusData`; the module-level loaders use
   :func:`corpus_handle`'s) already built for the same corpus state (a copy for
   each caller, so nobody's changes leak into another's frame);
2. the outputs ``xxgk build`` wrote into the data home (:mod:`toolkit.data.home`)
   when its manifest still matches the corpus (same toolkit, same
   ``metadata.csv``, same size, mtime and ctime of every listed file);
3. a parse of the corpus through the parse cache the build uses (only new or
   changed files are parsed).
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..checks import CheckedReport, check_report, cross_year_checks, with_checks
from ..corpus import corpus_dir, listed_path, metadata_records
from ..fileio import file_stat, sha256_file
from ..parsing import parse_path_or_text
from ..progress import progress_bar
from .cache import CACHE_FILE, CacheWriter, ParseCache, encode
from .frames import (ReportRecord, findings_frame, parse_log_frame, reports_frame,
                     report_record, statements_frame, tables_frame)
from .home import corpus_home, note_unwritable, resolve_data_home
from .listing import each_file_once
from .manifest import FileHashes, build_of, read_manifest
from .workers import ParseOutcome, cap_warnings, n_workers, parse_path, worker_pool

__all__ = ["CorpusData", "corpus_handle", "parse_corpus", "load_reports", "load_tables", "load_parse_log",
           "load_statements", "audit", "parse_report", "corpus_state"]


def corpus_state(root: Path, metas: list[dict[str, Any]]) -> tuple:
    """A key that changes whenever ``metadata.csv`` or a listed file changes (size, mtime or
    inode change time: an edit whose old mtime was put back still moves the ctime)."""
    return (str(root), file_stat(root / "metadata.csv"),
            tuple((m.get("file"), file_stat(root / m["file"]) if m.get("file") else None) for m in metas))


# parse()'s default jobs: the handle's own.
_OWN_JOBS = object()


class CorpusData:
    """One corpus and one data home, with the parses and frames made for them in this session.

    *path* is the corpus folder (``None``: ``$XXGK_CORPUS``, else the shipped corpus);
    *data_home* the data home (``None``: ``$XXGK_HOME``, else ``~/xxgk_data``; see
    :mod:`toolkit.data.home`), both resolved when the handle is made.  *jobs* worker
    processes parse for the loaders and the build (``None``: the loaders parse in this
    process, the build uses every core).  Everything the handle keeps is for the corpus as
    it stands: an edit of ``metadata.csv`` or of a listed file drops it at the next call.

    Raises :class:`~toolkit.corpus.CorpusNotFound` naming the path.
    """

    def __init__(self, path: str | os.PathLike | None = None, data_home: str | os.PathLike | None = None,
                 jobs: int | None = None):
        self.path = corpus_dir(path)
        self.data_home = resolve_data_home(data_home)
        self.jobs = jobs
        # Parses and frames of one corpus state at a time (those of an earlier state are stale).
        self._parsed: dict[tuple, list[ReportRecord]] = {}
        self._frames: dict[tuple, Any] = {}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self.path)!r}, data_home={str(self.data_home)!r})"

    @property
    def home(self) -> Path:
        """This corpus's folder in the data home: the default build output, holding the parse cache."""
        return corpus_home(self.path, self.data_home)

    def clear(self) -> None:
        """Forget the parses and frames kept so far (the next call reads the build or the cache again)."""
        self._parsed.clear()
        self._frames.clear()

    def state(self) -> tuple:
        """:func:`corpus_state` of the corpus as it stands."""
        return corpus_state(self.path, metadata_records(self.path))

    def parse(self, progress: bool | None = None, jobs: int | None | object = _OWN_JOBS,
              cache: bool = True) -> list[ReportRecord]:
        """See :func:`parse_corpus`; *jobs* defaults to the handle's (one process when it has none)."""
        root = self.path
        listed = metadata_records(root)
        key = corpus_state(root, listed)
        if key in self._parsed:
            return list(self._parsed[key])
        if jobs is _OWN_JOBS:
            jobs = self.jobs or 1
        metas = each_file_once(listed)  # a file listed twice would count twice
        cache_dir = self.home / ".cache" if cache else None
        old = ParseCache(cache_dir / CACHE_FILE) if cache_dir is not None else None
        manifest = read_manifest(cache_dir) if cache_dir is not None else None
        hashes = FileHashes(root, (manifest or {}).get("files"))
        outcomes: list[ParseOutcome | None] = [None] * len(metas)
        paths: list[Path | None] = [None] * len(metas)
        digests: list[str | None] = [None] * len(metas)
        todo: list[int] = []
        for i, meta in enumerate(metas):
            paths[i], problem = listed_path(root, meta)
            if problem is not None:
                outcomes[i] = ParseOutcome(None, problem)
                continue
            if old is not None:
                digests[i] = hashes(meta["file"])
                outcomes[i] = old.get(digests[i], paths[i])
            if outcomes[i] is None:
                todo.append(i)
        bar = progress_bar(len(todo), "parsing reports", "report", progress)
        workers = min(n_workers(jobs), len(todo))
        if workers > 1:
            with worker_pool(workers) as pool:
                for i, outcome in zip(todo, pool.map(parse_path, [str(paths[i]) for i in todo], chunksize=16)):
                    outcomes[i] = outcome
                    bar.update()
        else:
            for i in todo:
                outcomes[i] = parse_path(str(paths[i]))
                bar.update()
        bar.close()
        if cache_dir is not None and todo:
            writer = CacheWriter(cache_dir / CACHE_FILE)
            try:
                for digest, outcome in zip(digests, outcomes):
                    if digest is not None:
                        writer.add(digest, encode(outcome))
                writer.commit()
            except OSError as exc:
                writer.discard()  # a cache that cannot be written only costs time next session
                note_unwritable(exc, "reports are parsed without keeping a parse cache", self.data_home)
        results = [report_record(meta, outcome, path) for meta, outcome, path in zip(metas, outcomes, paths)]
        self._parsed.clear()  # one corpus state at a time: parses of an older state are stale
        self._parsed[key] = results
        return list(results)

    def frame(self, key, make):
        """The frame *key* of the corpus, made once per corpus state by ``make(state)`` and kept
        by the handle (frames of an earlier state are dropped); a copy each call."""
        state = self.state()
        if (state, key) not in self._frames:
            frame = make(state)
            for stale in [k for k in self._frames if k[0] != state]:
                del self._frames[stale]
            self._frames[(state, key)] = frame
        return self._frames[(state, key)].copy()

    def _loaded(self, name: str, build):
        """The frame *name*: kept by the handle, else from the build, else from a parse."""
        def make(state: tuple):
            frame = self._from_build(name, state)
            return frame if frame is not None else build(self.parse())

        return self.frame(name, make)

    def _from_build(self, name: str, state: tuple):
        """*name*'s frame read from the corpus's build in the data home, or None if it does not match.

        *state* is :func:`corpus_state` of the corpus as it stands: every listed file's size,
        mtime and ctime must be the ones the build recorded.
        """
        root, out = self.path, self.home
        manifest = read_manifest(out / ".cache")
        if manifest is None or f"{name}.parquet" not in manifest["outputs"] \
                or not build_of(manifest, root, out, sha256_file(root / "metadata.csv")):
            return None
        files = {rel: list(stat) if stat else None for rel, stat in state[2] if rel}
        if set(files) != set(manifest["files"]) or any(files[rel] != manifest["files"][rel][:3] for rel in files):
            return None
        from .tabular import read_frame

        try:
            return read_frame(out / f"{name}.parquet")
        except (OSError, ValueError):
            return None

    def load_reports(self):
        """:func:`load_reports` of this corpus."""
        return self._loaded("reports", reports_frame)

    def load_tables(self, derived: bool = False):
        """:func:`load_tables` of this corpus."""
        if derived:
            return tables_frame(self.parse(), derived=True)
        return self._loaded("tables", tables_frame)

    def load_parse_log(self):
        """:func:`load_parse_log` of this corpus."""
        return self._loaded("parse_log", parse_log_frame)

    def load_statements(self):
        """:func:`load_statements` of this corpus."""
        return self._loaded("statements", statements_frame)

    def audit(self):
        """:func:`audit` of this corpus."""
        return self._loaded("audit", _audit_frame)

    def build(self, out: str | os.PathLike | None = None, **options):
        """:func:`toolkit.data.build.build` of this corpus, into *out* (default :attr:`home`, where the
        loaders look), with the handle's data home and jobs; *options* as that function takes."""
        from .build import build

        options.setdefault("jobs", self.jobs)
        return build(self.path, out, data_home=self.data_home, **options)


#: Handles the module-level loaders made, by (corpus folder, data home); the least recently
#: used goes first beyond this many, with its parses and frames.
HANDLES_KEPT = 4
_HANDLES: dict[tuple[Path, Path], CorpusData] = {}


def corpus_handle(corpus: str | os.PathLike | CorpusData | None = None,
                  data_home: str | os.PathLike | None = None) -> CorpusData:
    """The handle the module-level functions use for *corpus* and *data_home*: *corpus* itself when
    it is a handle, else the one kept for that corpus folder and data home (made on first use)."""
    if isinstance(corpus, CorpusData):
        return corpus
    key = (corpus_dir(corpus), resolve_data_home(data_home))
    handle = _HANDLES.pop(key, None) or CorpusData(*key)
    _HANDLES[key] = handle  # most recently used last
    while len(_HANDLES) > HANDLES_KEPT:
        del _HANDLES[next(iter(_HANDLES))]
    return handle


def parse_corpus(corpus: str | os.PathLike | None = None, progress: bool | None = None,
                 jobs: int | None = 1, cache: bool = True, *,
                 data_home: str | os.PathLike | None = None) -> list[ReportRecord]:
    """Parse every report listed in the corpus's ``metadata.csv``, in metadata order.

    A file that cannot be read is recorded with its one-line reason and the batch
    goes on.  *jobs* worker processes parse in parallel (``None``: all cores);
    results are identical to a serial run.  With *cache*, parses are kept in the
    data home's parse cache for this corpus (the one ``xxgk build`` uses), so only
    new or changed files are parsed.

    Raises :class:`~toolkit.corpus.CorpusNotFound` or
    :class:`~toolkit.corpus.metadata.MetadataError`, both naming the path.
    """
    return corpus_handle(corpus, data_home).parse(progress, jobs, cache)


# ------------------------------------------------------------------ frames


def _audit_frame(parsed: list[ReportRecord]):
    rows: list[dict] = []
    readable = []
    for p in sorted(parsed, key=lambda p: p.report_id):
        if p.report is None:
            continue
        readable.append((p.meta, p.report))
        rows.extend(check_report(p.report))
    rows.extend(cross_year_checks(readable))
    rows.sort(key=lambda f: str(f["report_id"]))  # stable: each report's checks stay in order
    return findings_frame(rows)


def parse_report(path_or_text: str | os.PathLike) -> CheckedReport:
    """Parse one report from a file path or from its text and audit it on its own: the
    :class:`~toolkit.checks.CheckedReport` (the parsed report and its findings) whose
    ``.to_dict()`` is ``xxgk parse``'s JSON.

    A path (or a short single-line string naming an existing file) is read as a
    file; any other string is taken as the report's text.  Raises
    :class:`~toolkit.ReportError` naming the file when it cannot be read.
    """
    return with_checks(cap_warnings(parse_path_or_text(path_or_text)))


def load_reports(corpus: str | os.PathLike | None = None, *, data_home: str | os.PathLike | None = None):
    """One row per report listed in the corpus: metadata and parse status.

    ============ ======== ===== ==============================================================
    name         dtype    unit  meaning
    ============ ======== ===== ==============================================================
    report_id    string         id from ``metadata.csv``
    agency       string         reporting organ (metadata, else read from the title)
    organ_id     string         the organ, stable across years: ``"<adcode>:<normalised name>"``
                                (:func:`toolkit.corpus.organs.organ_id`: higher divisions
                                dropped from the name, renamed organs mapped through
                                ``toolkit/resources/organ_aliases.csv``); <NA> without agency
    province     string         省
    city         string         市 (for districts of 北京/天津/上海/重庆, the municipality)
    county       string         区/县
    adcode       string         six-digit administrative division code
    admin_level  category       province / city / county
    sector       string         policy sector (e.g. 民政)
    year         Int64    year  report year (metadata, else the title)
    title        string         report title
    file         string         report file, relative to the corpus folder
    sha256       string         SHA-256 of the file as published
    template     category       ``2021`` or ``2019`` (the template of table 2, which decides the
                                report's; each table's own is in ``load_tables()``'s rows and
                                ``xxgk parse``'s ``templates``); ``pre-2019`` for report
                                years before the fixed template (narrative only); <NA> when
                                no table was found
    has_t2       boolean        table 2 found (<NA> when the report could not be read)
    has_t3       boolean        table 3 found
    has_t4       boolean        table 4 found
    n_sections   Int64    count sections (of 6) found with text
    n_warnings   Int64    count parser warnings
    status       category       ``ok``, ``warnings`` or ``error`` (not readable)
    error        string         one-line reason when status is ``error``
    ============ ======== ===== ==============================================================

    Sorted by report_id.
    """
    return corpus_handle(corpus, data_home).load_reports()


def load_tables(corpus: str | os.PathLike | None = None, derived: bool = False, *,
                data_home: str | os.PathLike | None = None):
    """Tidy table values: one row per template cell of each table a report contains.

    Every cell carries ``status``, the reason code of its value: ``read``; or,
    for a value <NA> (never zero), ``blank`` (printed blank), ``ambiguous``
    (numbers there but not assignable with certainty), ``label_not_found``,
    ``doubtful_text`` (``290余``, ``2023年``), ``ocr_unverified`` (read by OCR but
    not vouched for by the table's arithmetic) or ``table_absent`` (the report
    does not contain the table: every template cell listed, all <NA>; reports
    before 2019 list none).  With ``derived=True`` a missing cell whose value
    the template's arithmetic implies gets that value and status ``derived``
    (never ``read``); the default leaves it missing.

    ========== ======= ========== ===========================================================
    name       dtype   unit       meaning
    ========== ======= ========== ===========================================================
    report_id  string             id from ``metadata.csv``
    table      category           ``t2``, ``t3`` or ``t4``
    row        category           row key (docs/DESIGN.md) in the table's own template: 2019-template
                                  keys for a 2019 table (a transition year may print a 2019
                                  table 2 beside a 2021 table 3; ``xxgk parse``'s JSON says
                                  which in ``templates``); a 2021 table 3 printing
                                  (六)其他处理 as one row lists ``other.all`` in place of
                                  its three sub-rows
    column     category           column key
    value      Float64 件 or 万元  the number; 万元 for t2 ``amount`` (decimal), else a count
    status     category           why the value is what it is (see above and ``toolkit.schema.CELL_STATUS``)
    row_zh     category           row label in the template (Chinese)
    column_zh  category           column label (Chinese)
    row_en     category           row label (English)
    column_en  category           column label (English)
    source     category           how the report was read: ``text`` (its text, HTML, DOCX or PDF
                                  text layer) or ``ocr`` (a scanned page or image read by OCR;
                                  a number is ``read`` only when the table's arithmetic vouches
                                  for it, else <NA> with status ``ocr_unverified``)
    ========== ======= ========== ===========================================================

    Sorted by report_id, table, then template row and column order.
    """
    return corpus_handle(corpus, data_home).load_tables(derived)


def load_parse_log(corpus: str | os.PathLike | None = None, *, data_home: str | os.PathLike | None = None):
    """What the parser skipped or could not read, and why.

    ========= ======== ==== ===========================================================
    name      dtype    unit meaning
    ========= ======== ==== ===========================================================
    report_id string        id from ``metadata.csv``
    file      string        report file, relative to the corpus folder
    level     category      ``warning`` (part of the report left missing) or ``error``
                            (the whole file could not be read)
    message   string        one line saying what and why
    ========= ======== ==== ===========================================================

    Sorted by report_id, in the order the parser logged.
    """
    return corpus_handle(corpus, data_home).load_parse_log()


def audit(corpus: str | os.PathLike | None = None, *, data_home: str | os.PathLike | None = None):
    """Audit every readable report of a corpus; one row per finding.

    Reports that could not be parsed have no findings (see ``load_parse_log``).

    ========== ========= ====== =====================================================
    name       dtype     unit   meaning
    ========== ========= ====== =====================================================
    report_id  string           report id from ``metadata.csv``
    check      string           stable check id, e.g. ``t3.balance.total``
    expected   Float64   件/万元 what the identity demands (sum of the components);
                                table value for ``text_vs_table``; template cell
                                count for ``table_complete``; <NA> for presence checks
    actual     Float64   件/万元 what the report shows (the total cell; the count
                                stated in the text; cells with a value)
    passed     boolean          True/False; <NA> when not checkable (missing cell/table)
    detail     string           one English sentence
    ========== ========= ====== =====================================================

    Sorted by report_id, then checks in the order :func:`toolkit.checks.check_report`
    emits them, then the report's :func:`toolkit.checks.cross_year_checks` (same
    organ, previous year).
    """
    return corpus_handle(corpus, data_home).audit()


def load_statements(corpus: str | os.PathLike | None = None, *, data_home: str | os.PathLike | None = None):
    """Numbers the narrative states about table cells, one row per statement.

    Statements such as 收到政府信息公开申请N件 (t3 new_received/total) or
    现行有效规范性文件N件 (t2 normative_docs/in_force) are kept only when what they
    measure is unambiguous.  They are evidence beside the tables, never mixed
    into ``load_tables()``: an analysis that falls back to a stated value marks it
    as stated.

    ========== ======= ========== =============================================================
    name       dtype   unit       meaning
    ========== ======= ========== =============================================================
    report_id  string             id from ``metadata.csv``
    table      string             ``t2``, ``t3`` or ``t4``
    row        string             row key of the cell the statement is about
    column     string             column key
    value      Float64 件 or 万元  the number stated
    sentence   string             the sentence that states it, as published
    start      Int64   char       offset of the sentence in the report's clean text
    end        Int64   char       offset just past it
    ========== ======= ========== =============================================================

    Sorted by report_id, then position in the text.
    """
    return corpus_handle(corpus, data_home).load_statements()
