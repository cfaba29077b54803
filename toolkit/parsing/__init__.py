"""Parsing: a read document into a :class:`Report` — sections, tables, title and metadata.

The template itself lives in :mod:`toolkit.schema`; this layer reads it.
"""
from __future__ import annotations

from .parse import mark_pre_template, parse_bytes, parse_document, parse_file, parse_path_or_text, parse_text
from .report import Report, Table

__all__ = ["Report", "Table", "parse_text", "parse_document", "parse_file", "parse_bytes", "parse_path_or_text", "mark_pre_template"]
