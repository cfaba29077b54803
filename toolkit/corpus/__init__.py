"""Corpus: where it is, its ``metadata.csv`` (one strict reader and writer), adding reports
(``xxgk add``) and fetching them (``xxgk fetch``, with its HTTP policy in one class)."""
from __future__ import annotations

from .location import ENV_VAR, CorpusNotFound, CorpusNotNamed, corpus_dir, shipped_corpus
from .metadata import (METADATA_COLUMNS, PROVENANCE_COLUMNS, MetadataError, MetadataFile, create_corpus,
                       listed_path, metadata_columns, metadata_records, read_metadata, resolve_report_path)

__all__ = ["ENV_VAR", "CorpusNotFound", "CorpusNotNamed", "corpus_dir", "shipped_corpus", "METADATA_COLUMNS",
           "PROVENANCE_COLUMNS", "MetadataError", "MetadataFile", "create_corpus", "metadata_records", "metadata_columns",
           "read_metadata", "resolve_report_path", "listed_path"]
