"""Shared fixtures.

``seed_corpus`` is a corpus folder holding only the five seed reports, laid out
like ``corpus/`` (metadata.csv with the template columns, datapackage.json to
match).  Tests whose expected values were read by hand from the seeds use it,
so that growing the shipped corpus does not change what they check.
"""
from __future__ import annotations

import csv
import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest

# The test run writes nothing outside its temporary folders: parse caches and builds
# go to a private data home, never ~/xxgk_data or the checkout.
os.environ["XXGK_HOME"] = tempfile.mkdtemp(prefix="xxgk-test-home-")
os.environ.pop("XXGK_CORPUS", None)

from toolkit.corpus import METADATA_COLUMNS  # noqa: E402

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
SEED_IDS = ("000_390bec4f8b72bc77", "001_0d529075b8579b4b", "002_0a737c20a99ed187",
            "003_03a04d677c33f02f", "004_90c37852d1e90522")


def make_seed_corpus(target: Path) -> Path:
    (target / "reports").mkdir(parents=True)
    with open(CORPUS / "metadata.csv", encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["report_id"] in SEED_IDS]
    assert [r["report_id"] for r in rows] == list(SEED_IDS)
    for row in rows:
        shutil.copyfile(CORPUS / row["file"], target / row["file"])
    with open(target / "metadata.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(METADATA_COLUMNS), extrasaction="ignore",
                                lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    package = json.loads((CORPUS / "datapackage.json").read_text(encoding="utf-8"))
    for resource in package["resources"]:
        if resource.get("path") == "metadata.csv":
            fields = resource["schema"]["fields"]
            resource["schema"]["fields"] = [f for f in fields if f["name"] in METADATA_COLUMNS]
    (target / "datapackage.json").write_text(json.dumps(package, ensure_ascii=False, indent=2) + "\n",
                                             encoding="utf-8")
    return target


@pytest.fixture(scope="session")
def seed_corpus(tmp_path_factory) -> Path:
    """A read-only (by convention) corpus of the five seeds; copy it before writing."""
    return make_seed_corpus(tmp_path_factory.mktemp("seeds") / "corpus")


@pytest.fixture
def corpus(tmp_path, seed_corpus) -> Path:
    """A private copy of the seed corpus, for a test that writes to it."""
    dest = tmp_path / "corpus"
    shutil.copytree(seed_corpus, dest)
    return dest


@pytest.fixture
def recognised(monkeypatch):
    """The pictures handed to OCR (by size), none actually recognised: fast tests of which pictures
    a reader chooses to read."""
    from toolkit.reading import ocr
    from toolkit.reading.document import Grid

    seen: list[tuple[int, int]] = []

    def fake(bgr, page=1):
        seen.append((bgr.shape[1], bgr.shape[0]))
        return ["OCR text", Grid([["项目", "1"]])], []

    monkeypatch.setattr(ocr, "page_document", fake)
    monkeypatch.setattr(ocr, "available", lambda: True)
    return seen
