"""The build's manifest: what the last build read and wrote, and whether it still holds.

``OUT/.cache/manifest.json`` records the toolkit's fingerprint, the build
options, the corpus folder, ``metadata.csv``'s sha256, every report file's
``[size, mtime_ns, ctime_ns, sha256]`` and every output's ``[size, mtime_ns]``.  A
report's recorded hash is trusted only while its size, mtime *and* inode change
time are all unchanged: an edit that restores the old size and mtime (``touch
-r``) still moves the ctime, so the file is hashed again.  A build
whose manifest still holds has nothing to do; a loader whose corpus matches it
reads the build's outputs instead of parsing.  A manifest that is not exactly of
this shape (edited by hand, truncated) is treated as absent.
"""
from __future__ import annotations

import dataclasses
import json
import logging
import os
from pathlib import Path

from ..fileio import atomic_write, file_stat, sha256_file
from .cache import toolkit_fingerprint

__all__ = ["FORMAT", "FileHashes", "read_manifest", "write_manifest", "outputs_hold", "build_of", "stat_list",
           "file_state", "SUMMARY_COUNTS", "BuildPlan", "plan_build", "write_build_manifest"]

FORMAT = 4  # 3: report files carry their ctime_ns; 4: the summary is counts, not sentences
_MAX_MANIFEST_BYTES = 256 * 2**20
log = logging.getLogger("toolkit")
_NOTED: set[tuple] = set()  # manifests already said to be ignored (one note per file state)


def stat_list(path: Path) -> list[int] | None:
    """An output's ``[size, mtime_ns]`` (outputs are the build's own; only reports need their ctime)."""
    st = file_stat(path)
    return None if st is None else [st[0], st[1]]


def file_state(path: Path) -> list[int] | None:
    """A report file's ``[size, mtime_ns, ctime_ns]``, ``None`` when it cannot be read."""
    st = file_stat(path)
    return None if st is None else list(st)


def _is_stat(value, n: int) -> bool:
    return (isinstance(value, list) and len(value) == n
            and all(v is None or (isinstance(v, int) and not isinstance(v, bool)) for v in value[:min(n, 3)]))


def read_manifest(cache_dir: Path) -> dict | None:
    """The manifest in *cache_dir*, or ``None`` when there is none or it is not well formed
    (a note says so: everything it would vouch for is checked again)."""
    path = cache_dir / "manifest.json"
    st = file_stat(path)
    if st is None:
        return None
    data = _parse(path, st)
    if data is None and not _older_format(path) and (str(path), st) not in _NOTED:
        _NOTED.add((str(path), st))
        log.warning("%s: not a manifest as xxgk writes it (edited or damaged); ignored, so everything "
                    "is parsed and written again", path)
    return data


def _older_format(path: Path) -> bool:
    """Whether *path* is a manifest an earlier xxgk wrote (ignored without a warning: the next
    build writes it anew)."""
    try:
        if path.stat().st_size > _MAX_MANIFEST_BYTES:
            return False
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return False
    fmt = data.get("format") if isinstance(data, dict) else None
    return isinstance(fmt, int) and not isinstance(fmt, bool) and 1 <= fmt < FORMAT


def _count(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and v >= 0


def _is_summary(summary) -> bool:
    """A build's summary as :func:`toolkit.data.build` records it: its counts, whether it wrote the
    workbook, and the sheets too long for one."""
    counts = ("listed", "parsed", "with_warnings", "checks", "failed", "unchecked")
    return (isinstance(summary, dict) and set(summary) == {*counts, "excel", "too_big"}
            and all(_count(summary[k]) for k in counts) and isinstance(summary["excel"], bool)
            and isinstance(summary["too_big"], dict)
            and all(isinstance(k, str) and _count(v) for k, v in summary["too_big"].items()))


def _parse(path: Path, st: tuple[int, ...]) -> dict | None:
    if st[0] > _MAX_MANIFEST_BYTES:
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):  # RecursionError: [[[[… nested past Python's limit
        return None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return None
    files, outputs = data.get("files"), data.get("outputs")
    if not (isinstance(files, dict) and isinstance(outputs, dict)
            and all(isinstance(k, str) and _is_stat(v, 4) and (v[3] is None or isinstance(v[3], str))
                    for k, v in files.items())
            and all(isinstance(k, str) and _is_stat(v, 2) for k, v in outputs.items())
            and all(isinstance(data.get(k), str) for k in ("toolkit", "corpus", "metadata_sha256"))
            and isinstance(data.get("options"), dict)
            and _is_summary(data.get("summary"))
            and isinstance(data.get("skipped", []), list)
            and all(isinstance(v, list) and len(v) == 2 and all(isinstance(x, str) for x in v)
                    for v in data.get("skipped", []))):
        return None
    return data


def write_manifest(cache_dir: Path, data: dict) -> None:
    cache_dir.mkdir(parents=True, exist_ok=True)
    data = {**data, "format": FORMAT}
    atomic_write(cache_dir / "manifest.json",
                 json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8"))


def outputs_hold(manifest: dict, out: Path) -> bool:
    """Every output the manifest lists is still there, with its size and mtime."""
    return all(stat_list(out / rel) == stat for rel, stat in manifest["outputs"].items())


def build_of(manifest: dict | None, root: Path, out: Path, metadata_sha: str | None) -> bool:
    """Whether *manifest* is of a build of the corpus *root* by this toolkit, from the
    ``metadata.csv`` whose sha256 is *metadata_sha*, with its outputs in *out* as it wrote them.
    (Whether the report files are the ones it read is the caller's question: the build wants
    their hashes, a loader their sizes and mtimes.)"""
    return (manifest is not None and manifest["toolkit"] == toolkit_fingerprint()
            and manifest["corpus"] == str(root) and metadata_sha is not None
            and manifest["metadata_sha256"] == metadata_sha and outputs_hold(manifest, out))


class FileHashes:
    """sha256 of corpus files, trusting a manifest's hash while size, mtime and ctime are unchanged.

    ``now`` maps each file asked for to ``[size, mtime_ns, ctime_ns, sha256]`` (``None``s
    when it cannot be read), ready for the next manifest.
    """

    def __init__(self, root: Path, previous: dict[str, list] | None = None):
        self.root, self.previous, self.now = root, previous or {}, {}
        self._prefix = os.path.join(str(root), "")  # a string join: a corpus has many files to stat

    def known(self, rel: str) -> str | None:
        """The file's sha256 if it is already known (hashed, or unchanged since the manifest),
        without reading the file; ``None`` otherwise."""
        if rel not in self.now:
            self._trust(rel)
        return self.now[rel][3] if rel in self.now else None

    def _trust(self, rel: str) -> list | None:
        """The file's [size, mtime_ns, ctime_ns] (``None`` if it cannot be read); records the
        manifest's hash when all three are unchanged."""
        stat = file_state(self._prefix + rel)
        old = self.previous.get(rel)
        if stat is not None and old is not None and old[:3] == stat and old[3]:
            self.now[rel] = [*stat, old[3]]
        return stat

    def record(self, rel: str, file: list) -> None:
        """Record ``[size, mtime_ns, ctime_ns, sha256]`` of a file read (and hashed) elsewhere."""
        self.now[rel] = list(file)

    def __call__(self, rel: str) -> str | None:
        if rel not in self.now:
            stat = self._trust(rel)
            if rel not in self.now:
                self.now[rel] = [*(stat or [None, None, None]), sha256_file(self.root / rel) if stat else None]
        return self.now[rel][3]


# ------------------------------------------------------------------ a build's plan and record


#: The counts of a build's result the manifest keeps, for an up-to-date build to give again.
SUMMARY_COUNTS = ("listed", "parsed", "with_warnings", "checks", "failed", "unchecked")


@dataclasses.dataclass
class BuildPlan:
    """What a build reads before writing anything: the corpus, its listing and the last build's
    manifest, and whether that build still holds."""

    root: Path
    out: Path
    options: dict
    manifest: dict | None
    metadata_sha: str | None
    listed: list[dict]  # metadata.csv's rows
    metas: list[dict]  # each file once, in report_id order
    hashes: FileHashes
    #: the last build's facts (SUMMARY_COUNTS, excel, too_big, written, skipped) when nothing it
    #: read or wrote has changed since (the build has nothing to do); else None
    up_to_date: dict | None = None
    #: how many files *metas* lists (kept when the rows are let go: :meth:`drop_parsed_rows`)
    n_files: int = dataclasses.field(init=False)

    def __post_init__(self):
        self.n_files = len(self.metas)

    def drop_parsed_rows(self) -> None:
        """Let go of the rows once every report is parsed: only the files no worker read stay
        listed (the manifest hashes them as they stand).  A corpus's rows are dicts of Python
        strings, about 215 MiB at 100,000 reports, that the later phases would otherwise hold."""
        now = self.hashes.now
        self.listed = [m for m in self.listed if m.get("file") and m["file"] not in now]
        self.metas = []


def plan_build(root: Path, out: Path, options: dict, cache: bool) -> BuildPlan:
    """The plan of a build of the corpus *root* into *out* with *options* (*cache* False: the last
    build's manifest is not read, so nothing counts as up to date and every report is hashed).
    Raises :class:`~toolkit.corpus.metadata.MetadataError` when ``metadata.csv`` cannot be read."""
    from ..corpus import metadata_records
    from .listing import each_file_once

    manifest = read_manifest(out / ".cache") if cache else None
    metadata_sha = sha256_file(root / "metadata.csv")
    hashes = FileHashes(root, (manifest or {}).get("files"))
    if _still_holds(manifest, root, out, options, metadata_sha, hashes):
        # Nothing to do, so the listing is not read again: it is the one the manifest recorded.
        summary = manifest["summary"]
        return BuildPlan(root, out, options, manifest, metadata_sha, [], [], hashes, up_to_date={
            **{k: summary[k] for k in SUMMARY_COUNTS}, "excel": summary["excel"],
            "too_big": dict(summary["too_big"]), "written": list(manifest["outputs"]),
            "skipped": [tuple(s) for s in manifest.get("skipped", [])]})
    listed = metadata_records(root)  # raises on bad metadata
    # Each file once (a file listed twice would count twice); every listed file is in the manifest.
    metas = sorted(each_file_once(listed), key=lambda m: str(m["report_id"]))
    return BuildPlan(root, out, options, manifest, metadata_sha, listed, metas, hashes)


def _still_holds(manifest: dict | None, root: Path, out: Path, options: dict, metadata_sha: str | None,
                 hashes: FileHashes) -> bool:
    # Outputs before reports: a deleted or edited output is cheaper to notice than a changed report.
    if not build_of(manifest, root, out, metadata_sha) or manifest.get("options") != options:
        return False
    # metadata.csv is byte for byte the one that build listed, so the files it lists are the
    # manifest's (a build records every listed file); each must be unchanged.
    return all(hashes(rel) == old[-1] for rel, old in manifest["files"].items())


def write_build_manifest(plan: BuildPlan, stage: Path, facts: dict) -> None:
    """What the build of *plan* read and wrote into *stage*, with its *facts* (SUMMARY_COUNTS,
    excel, too_big, written, skipped), for the next build's up-to-date check and the loaders."""
    hashes = plan.hashes
    for meta in plan.listed:  # files no worker read (unreadable, listed twice): their stat and hash as they stand
        if meta.get("file") and meta["file"] not in hashes.now:
            hashes(meta["file"])
    summary = {k: facts[k] for k in SUMMARY_COUNTS}
    write_manifest(stage / ".cache", {
        "toolkit": toolkit_fingerprint(), "options": plan.options,
        "corpus": str(plan.root), "metadata_sha256": plan.metadata_sha,
        "files": {rel: hashes.now[rel] for rel in sorted(hashes.now)},
        "outputs": {rel: stat_list(stage / rel) for rel in facts["written"]},
        "summary": {**summary, "excel": facts["excel"], "too_big": facts["too_big"]}, "skipped": facts["skipped"],
    })
