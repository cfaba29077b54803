"""``metadata.csv``: the corpus's one reader, validator and writer.

Every part of the toolkit that reads ``metadata.csv`` (the loaders, the build,
``xxgk add``) reads it through :class:`MetadataFile`, so what ``add`` accepts is
exactly what ``build`` accepts.  The reader is strict: a quote left open, a row
with more fields than the header, a duplicate ``report_id`` or a ``file`` that
points outside the corpus is an error naming the file and the line.

The writer appends one row atomically (temporary file + ``os.replace``); the
first time provenance columns are needed the file is rewritten once with them
added (old rows get empty provenance values, their cells written back unchanged)
and ``datapackage.json`` gets the matching field descriptions.
"""
from __future__ import annotations

import csv
import functools
import io
import json
import os
import re
from pathlib import Path, PurePosixPath
from typing import Any, Iterator, Sequence

from ..errors import ReportError
from ..fileio import atomic_write, read_bytes

__all__ = ["METADATA_COLUMNS", "PROVENANCE_COLUMNS", "MetadataError", "MetadataFile", "read_metadata", "create_corpus",
           "metadata_records", "metadata_columns", "resolve_report_path", "listed_path"]

#: Columns of ``corpus/metadata.csv``, in file order.
METADATA_COLUMNS: tuple[str, ...] = (
    "report_id", "agency", "province", "city", "county", "adcode", "admin_level", "sector", "year",
    "title", "file", "sha256", "source",
)
#: Provenance columns appended after METADATA_COLUMNS by ``xxgk add``.
PROVENANCE_COLUMNS: tuple[str, ...] = ("original_name", "source_url", "added", "parse_status", "parse_note")

_INTEGER_COLUMNS = frozenset({"year"})
#: Largest metadata.csv read (a million rows is about 300 MiB).
_MAX_METADATA_BYTES = 1 << 30
_SHA256 = re.compile(r"[0-9a-f]{64}")


class MetadataError(ValueError):
    """``metadata.csv`` cannot be read or breaks its rules; the message names the file (and line)."""


_PROVENANCE_FIELDS: dict[str, dict[str, Any]] = {
    "original_name": {
        "name": "original_name", "type": "string", "title": "Original file name",
        "description": "Name of the file the report was added from (xxgk add / xxgk fetch); "
                       "empty for reports added before provenance was recorded.",
    },
    "source_url": {
        "name": "source_url", "type": "string", "format": "uri", "title": "Source URL",
        "description": "URL the report was downloaded from (the final URL after redirects); "
                       "empty when it was added from a local file.",
    },
    "added": {
        "name": "added", "type": "date", "title": "Date added",
        "description": "Date (UTC, ISO 8601 YYYY-MM-DD) the report was added to the corpus.",
    },
    "parse_status": {
        "name": "parse_status", "type": "string", "title": "Parse status when added",
        "description": "Result of parsing the report when it was added: ok (no warnings) or "
                       "warnings (see parse_note).",
        "constraints": {"enum": ["ok", "warnings"]},
    },
    "parse_note": {
        "name": "parse_note", "type": "string", "title": "Parse note",
        "description": "First parser warning when the report was added; empty if there was none.",
    },
}


def _csv_line(values: Sequence[str], terminator: str) -> str:
    """One CSV record quoted as pandas' ``to_csv`` does by default (QUOTE_MINIMAL)."""
    buf = io.StringIO()
    csv.writer(buf, quoting=csv.QUOTE_MINIMAL, lineterminator=terminator).writerow(values)
    return buf.getvalue()


@functools.lru_cache(maxsize=1024)
def _real_folder(folder: str) -> str:
    # Reports of a corpus sit in a few folders: resolve each folder once, not every file's path.
    return os.path.realpath(folder)


def _stamp(path: Path) -> tuple | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_ino, st.st_size, st.st_mtime_ns


def resolve_report_path(root: Path, file: str) -> Path:
    """The report file a ``file`` cell names, which must lie inside the corpus folder *root*.

    Raises :class:`MetadataError` for an absolute path, a ``..`` that leaves the
    corpus, or a symlink (of the file or a folder) resolving outside it.
    """
    if not file:
        raise MetadataError("metadata.csv lists no file")
    pure = PurePosixPath(file.replace("\\", "/"))
    if pure.is_absolute() or re.match(r"^[A-Za-z]:", file) or ".." in pure.parts or not pure.parts:
        raise MetadataError(f"file {file!r} is not a path inside the corpus; refused")
    path = os.path.join(root, *pure.parts)
    real_root = _real_folder(str(root))
    real = os.path.realpath(path) if os.path.islink(path) else \
        os.path.join(_real_folder(os.path.dirname(path)), os.path.basename(path))
    if not real.startswith(real_root + os.sep):
        raise MetadataError(f"file {file!r} resolves outside the corpus ({real}); refused")
    return Path(path)


def listed_path(root: Path, meta: dict) -> tuple[Path | None, str | None]:
    """(the report file a metadata row names, None), or (None, the one-line reason it cannot be
    read) -- :func:`resolve_report_path` for a batch that goes on."""
    try:
        return resolve_report_path(root, meta.get("file") or ""), None
    except MetadataError as exc:
        return None, str(exc)


def _read_whole(path: Path) -> tuple[bytes, tuple | None]:
    """``metadata.csv``'s bytes, from a state of the file that did not change while being read,
    and that state."""
    if not path.exists():
        raise MetadataError(f"{path}: metadata file not found (not a corpus folder?)")
    for _ in range(5):
        stamp = _stamp(path)
        try:
            raw = read_bytes(path, limit=_MAX_METADATA_BYTES)
        except ReportError as exc:
            raise MetadataError(str(exc)) from None
        if _stamp(path) == stamp:
            break
    return raw, stamp


def _read_rows(path: Path, raw: bytes) -> tuple[str, list[str], Iterator[dict[str, str]]]:
    """(line terminator, header, the rows) of the ``metadata.csv`` at *path* whose bytes are *raw*:
    each row a dict of the raw cell strings (``""`` for empty), checked as it is read (the
    header at once), so that a reader keeping a few columns never holds every row.
    Raises :class:`MetadataError` naming the file (and line) when it cannot be read."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MetadataError(f"{path}: not UTF-8 (byte {exc.start})") from None
    body = text[1:] if text.startswith("\ufeff") else text
    del text
    terminator = "\r\n" if "\r\n" in body.split("\n", 1)[0] + "\n" else "\n"
    reader = csv.reader(io.StringIO(body, newline=""), strict=True)
    del body

    def records() -> Iterator[list[str]]:
        try:
            yield from reader
        except csv.Error as exc:
            raise MetadataError(f"{path}: line {reader.line_num}: not valid CSV ({exc})") from None

    each = records()
    header = next(each, None)
    if header is None:
        raise MetadataError(f"{path}: empty metadata file (no header)")
    missing = [c for c in METADATA_COLUMNS if c not in header]
    if missing:
        raise MetadataError(f"{path}: missing required columns: {', '.join(missing)}")
    if len(set(header)) != len(header):
        raise MetadataError(f"{path}: a column name appears twice in the header")

    def rows() -> Iterator[dict[str, str]]:
        ids: dict[str, int] = {}
        line = 1
        for rec in each:
            line += 1
            if not rec:
                continue
            if len(rec) > len(header):
                raise MetadataError(f"{path}: row {line} has {len(rec)} fields, the header "
                                    f"{len(header)}")
            row = dict(zip(header, rec + [""] * (len(header) - len(rec))))
            rid = row["report_id"].strip()
            if not rid:
                raise MetadataError(f"{path}: row {line} has no report_id")
            if rid in ids:
                raise MetadataError(f"{path}: report_id {rid!r} appears twice (rows {ids[rid]} and {line})")
            ids[rid] = line
            year = row["year"].strip()
            if year and not re.fullmatch(r"\d{4}", year):
                raise MetadataError(f"{path}: row {line}: year {year!r} is not a four-digit year")
            sha = row["sha256"].strip().lower()
            if sha and not _SHA256.fullmatch(sha):
                raise MetadataError(f"{path}: row {line}: sha256 {row['sha256']!r} is not a SHA-256 digest")
            yield row

    return terminator, header, rows()


class MetadataFile:
    """A corpus's ``metadata.csv``, read strictly once and kept in step with each write.

    ``rows`` are dicts of the raw cell strings (``""`` for empty), in file order.
    Raises :class:`MetadataError` naming the file (and line) when it cannot be read.
    """

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)
        self.path = self.root / "metadata.csv"
        self.raw, self.stamp = _read_whole(self.path)
        self.terminator, self.header, rows = _read_rows(self.path, self.raw)
        self.rows: list[dict[str, str]] = list(rows)
        self.hashes = {r["sha256"].strip().lower() for r in self.rows} - {""}
        self.ids = {r["report_id"].strip() for r in self.rows}

    def is_current(self) -> bool:
        """Whether ``metadata.csv`` is still the file read (no other writer replaced it since)."""
        return _stamp(self.path) == self.stamp

    # -- writing ---------------------------------------------------------------

    def append(self, row: dict[str, str]) -> None:
        """Add one row atomically (append, or a one-time rewrite adding the provenance columns)."""
        if row["report_id"] in self.ids:
            raise MetadataError(f"{self.path}: report_id {row['report_id']!r} is already listed")
        if any(c not in self.header for c in PROVENANCE_COLUMNS):
            header = self.header + [c for c in PROVENANCE_COLUMNS if c not in self.header]
            out = [_csv_line(header, self.terminator)]
            for old in self.rows:
                out.append(_csv_line([old.get(c, "") for c in header], self.terminator))
            out.append(_csv_line([row.get(c, "") for c in header], self.terminator))
            data = "".join(out).encode("utf-8")  # rewritten without a BOM
            old_raw = self.raw
            atomic_write(self.path, data)
            try:
                self._update_datapackage(header)
            except BaseException:
                atomic_write(self.path, old_raw)  # keep csv and descriptor in step
                raise
            self.header = header
        else:
            sep = b"" if not self.raw or self.raw.endswith(b"\n") else self.terminator.encode()
            data = self.raw + sep + _csv_line([row.get(c, "") for c in self.header],
                                              self.terminator).encode("utf-8")
            atomic_write(self.path, data)
        self.raw = data
        self.stamp = _stamp(self.path)
        self.rows.append({c: row.get(c, "") for c in self.header})
        self.hashes.add(row["sha256"])
        self.ids.add(row["report_id"])

    def replace(self, report_id: str, row: dict[str, str]) -> None:
        """Put *row* in place of the row of *report_id* (same position), atomically.  The file is
        rewritten: every other row's cells as they were, the provenance columns added if missing."""
        index = next((i for i, r in enumerate(self.rows) if r["report_id"].strip() == report_id), None)
        if index is None:
            raise MetadataError(f"{self.path}: report_id {report_id!r} is not listed")
        if row["report_id"] != report_id and row["report_id"] in self.ids:
            raise MetadataError(f"{self.path}: report_id {row['report_id']!r} is already listed")
        header = self.header + [c for c in PROVENANCE_COLUMNS if c not in self.header]
        rows = [{c: r.get(c, "") for c in header} for r in self.rows]
        rows[index] = {c: row.get(c, "") for c in header}
        data = "".join([_csv_line(header, self.terminator)]
                       + [_csv_line([r[c] for c in header], self.terminator) for r in rows]).encode("utf-8")
        old_raw = self.raw
        atomic_write(self.path, data)
        if header != self.header:
            try:
                self._update_datapackage(header)
            except BaseException:
                atomic_write(self.path, old_raw)  # keep csv and descriptor in step
                raise
        self.header, self.raw, self.rows = header, data, rows
        self.stamp = _stamp(self.path)
        self.hashes = {r["sha256"].strip().lower() for r in rows} - {""}
        self.ids = {r["report_id"].strip() for r in rows}

    def _update_datapackage(self, header: list[str]) -> None:
        """Describe the provenance columns in datapackage.json (if there is one)."""
        path = self.root / "datapackage.json"
        if not path.is_file():
            return
        package = json.loads(path.read_text(encoding="utf-8"))
        resource = next((r for r in package.get("resources", []) if r.get("path") == "metadata.csv"
                         or r.get("name") == "metadata"), None)
        if resource is None:
            return
        fields = resource.setdefault("schema", {}).setdefault("fields", [])
        names = {f.get("name") for f in fields}
        changed = False
        for column in header:
            if column in _PROVENANCE_FIELDS and column not in names:
                fields.append(dict(_PROVENANCE_FIELDS[column]))
                changed = True
        if changed:
            atomic_write(path, (json.dumps(package, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))



# ------------------------------------------------------------------ typed views


def _value(column: str, cell: str) -> Any:
    cell = cell.strip() if column != "title" else cell
    if cell == "":
        return None
    return int(cell) if column in _INTEGER_COLUMNS else cell


def metadata_records(root: str | os.PathLike, columns: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """``metadata.csv``'s rows as dicts of plain Python values (``None`` for empty, ``year`` an int),
    each of the file's *columns* only (default all; a column the file lacks is absent).  The rows
    are read and checked one at a time, so only what is returned is held."""
    path = Path(root) / "metadata.csv"
    _terminator, header, rows = _read_rows(path, _read_whole(path)[0])
    keep = header if columns is None else [c for c in header if c in columns]
    return [{c: _value(c, row[c]) for c in keep} for row in rows]


def metadata_columns(root: str | os.PathLike, columns: Sequence[str]) -> dict[str, list[str | None]]:
    """Some columns of ``metadata.csv`` as lists of cells as :func:`metadata_records` gives them
    (stripped; ``None`` for empty or for a column the file lacks), in file order.

    For what reads a column or two of every row (a chart's citations): the columns are read
    with Arrow's CSV reader, not as a dict per row (the rules :class:`MetadataFile` checks are not
    checked again).  A file that reader does not take as a plain table (a short row, say) is read
    by :func:`metadata_records`, with its rules and errors.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    path = Path(root) / "metadata.csv"
    try:
        if path.stat().st_size > _MAX_METADATA_BYTES:
            raise OSError("too large")  # MetadataFile says so
        table = pacsv.read_csv(
            path, read_options=pacsv.ReadOptions(use_threads=False),
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                include_columns=list(columns), include_missing_columns=True,
                column_types={c: pa.string() for c in columns}, strings_can_be_null=False,
                quoted_strings_can_be_null=False))
    except (pa.ArrowInvalid, OSError):
        table = None
    if table is None:
        rows = metadata_records(root, columns)
        return {c: [r.get(c) for r in rows] for c in columns}
    return {c: [None if v is None else _value(c, v) for v in table.column(c).to_pylist()] for c in columns}


def read_metadata(root: str | os.PathLike):
    """``metadata.csv`` of a corpus folder as a DataFrame.

    Text columns get pandas' ``string`` dtype, ``year`` gets ``Int64`` (a missing
    year is ``<NA>``), and ``adcode`` stays a string so leading zeros survive.
    Columns come in the order of :data:`METADATA_COLUMNS`, then any others.
    Raises :class:`MetadataError` naming the file when it cannot be read.
    """
    import pandas as pd

    meta = MetadataFile(root)
    columns = list(METADATA_COLUMNS) + [c for c in meta.header if c not in METADATA_COLUMNS]
    data = {c: [_value(c, r.get(c, "")) for r in meta.rows] for c in columns}
    return pd.DataFrame({c: pd.array(v, dtype="Int64" if c in _INTEGER_COLUMNS else "string")
                         for c, v in data.items()}, columns=columns)


def create_corpus(root: str | os.PathLike) -> Path:
    """Start a new, empty corpus at *root* (a new or empty folder): ``reports/``, a
    ``metadata.csv`` with the header only, and a ``datapackage.json`` describing its columns.

    Raises :class:`MetadataError` naming the folder when it holds anything already.
    """
    from .location import shipped_corpus

    root = Path(root).expanduser().resolve()
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise MetadataError(f"{root}: not a new or empty folder; a new corpus is started only in one")
    (root / "reports").mkdir(parents=True, exist_ok=True)
    columns = list(METADATA_COLUMNS) + list(PROVENANCE_COLUMNS)
    # The field descriptions of the shipped corpus's descriptor, where this install carries it.
    described: dict[str, dict] = {}
    shipped = shipped_corpus()
    if shipped is not None and (shipped / "datapackage.json").is_file():
        package = json.loads((shipped / "datapackage.json").read_text(encoding="utf-8"))
        for resource in package.get("resources", []):
            for f in resource.get("schema", {}).get("fields", []):
                described[f.get("name")] = f
    fields = [described.get(c) or _PROVENANCE_FIELDS.get(c) or
              {"name": c, "type": "integer" if c in _INTEGER_COLUMNS else "string"} for c in columns]
    package = {"name": root.name.lower() or "xxgk-corpus", "title": "政府信息公开工作年度报告 corpus",
               "resources": [{"name": "metadata", "path": "metadata.csv", "profile": "tabular-data-resource",
                              "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
                              "schema": {"fields": fields, "primaryKey": "report_id"}}]}
    atomic_write(root / "datapackage.json",
                 (json.dumps(package, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    atomic_write(root / "metadata.csv", _csv_line(columns, "\n").encode("utf-8"))
    return root
