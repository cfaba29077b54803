"""The parse cache's parser fingerprint changes with what the parser reads: its own source,
and the OpenCC dictionaries (traditional and variant labels are read through them)."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from toolkit.data import cache  # noqa: E402


def test_the_parser_fingerprint_changes_with_the_installed_opencc_version(monkeypatch):
    real = cache._version
    seen = []

    def version(lib):
        seen.append(lib)
        return "0.0.0-another" if lib == "opencc-python-reimplemented" else real(lib)

    now = cache.parser_fingerprint.__wrapped__()
    assert cache.parser_fingerprint.__wrapped__() == now  # the same parser, the same fingerprint
    monkeypatch.setattr(cache, "_version", version)
    other = cache.parser_fingerprint.__wrapped__()
    assert "opencc-python-reimplemented" in seen
    assert other != now and len(other) == len(now) == 16


def test_a_library_not_installed_has_an_empty_version():
    assert cache._version("no-such-distribution-xxgk") == ""
    assert cache._version("opencc-python-reimplemented") != ""
