"""Column order from a table's header, whatever its layout.

A header is a small tree: grouping cells (法人或其他组织, 行政复议, 行政诉讼, 复议后起诉)
stand over the column words printed on a later line.  The header region's words are
read in order with the line each starts on; a grouping word takes the words of later
lines that it can hold (up to its width), in the order the groups stand; a word that
no open group holds stands on its own.  The tree read left to right gives the
columns' order.  Traditional characters are read as simplified (OpenCC).

The callers' rule (toolkit/parsing/tables.py): a header whose words name every column
once gives the order; a header naming a column twice, or columns against the template's
order, leaves the cells missing (never read by position); cells keep the template's
order only where no column word is printed or the words printed stand once each in the
template's order without being a full header (a short header, words a text layer broke).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .memo import per_text

__all__ = ["Vocabulary", "column_leaves", "header_leaves", "laid_in_cells", "simplified", "VARIANTS"]

#: Variant spellings t2s leaves as they are, each read as the one word it always stands for in
#: these reports: 部份 (an older spelling of 部分), 総 (the Japanese form of 總, 总).  Each
#: replacement keeps the text's length, so offsets in the read text are offsets in the page.
VARIANTS = (("部份", "部分"), ("総", "总"))


@lru_cache(maxsize=1)
def _converter():
    from ..reading.decode import to_simplified

    return to_simplified()


@lru_cache(maxsize=1)
def _convertible() -> frozenset[str] | None:
    """Characters without which OpenCC's t2s leaves a text as it is, or None when its
    dictionaries cannot be read (every text is then converted).

    t2s replaces a run that equals a dictionary key: every single-character key, and every
    phrase key, holds one of these characters — a phrase made only of characters that are
    no key of their own is counted by its characters unless it maps to itself."""
    import json
    from importlib.util import find_spec

    spec = find_spec("opencc")
    if spec is None or not spec.submodule_search_locations:
        return None
    root = Path(next(iter(spec.submodule_search_locations)))
    try:
        chain = json.loads((root / "config" / "t2s.json").read_text(encoding="utf-8"))["conversion_chain"]
        files = []

        def walk(d):
            if d.get("type") == "group":
                for item in d["dicts"]:
                    walk(item)
            else:
                files.append(root / "dictionary" / d["file"])
        for link in chain:
            walk(link["dict"])
        entries = [line.rstrip("\n").split("\t") for f in files
                   for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if any(len(e) != 2 for e in entries):
        return None
    singles = {k for k, _ in entries if len(k) == 1}
    out = set(singles)
    for key, value in entries:
        if not any(c in singles for c in key) and value.split(" ")[0] != key:
            out.update(key)
    return frozenset(out)


@per_text(maxsize=256, longest=2000)
def _converted(text: str) -> str:
    # The same header text is converted several times while a report is read.
    return _converter()(text)


def simplified(text: str) -> str:
    """*text* in simplified characters (only converted when it holds a character t2s converts)."""
    if not text or text.isascii():
        return text
    for variant, word in VARIANTS:
        if variant in text:
            text = text.replace(variant, word)
    convertible = _convertible()
    if convertible is not None and convertible.isdisjoint(text):
        return text
    return _converted(text)


@dataclass(frozen=True)
class Vocabulary:
    """Header words: (regex, name, kind); groups: name → (kind it holds, how many)."""

    words: tuple[tuple[str, str, str], ...]
    groups: dict = field(default_factory=dict)

    @property
    def pattern(self) -> re.Pattern:
        return _compile(self.words)


@lru_cache(maxsize=None)
def _compile(words) -> re.Pattern:
    alts = []
    for i, (rx, _, _) in enumerate(words):
        alts.append(f"(?P<w{i}>{rx})")
    return re.compile("|".join(alts))


@dataclass
class _Node:
    name: str
    kind: str
    line: int
    children: list = field(default_factory=list)


def _tokens(text: str, vocab: Vocabulary) -> list[tuple[str, str, int]]:
    out = []
    for m in vocab.pattern.finditer(text):
        i = int(m.lastgroup[1:])
        _, name, kind = vocab.words[i]
        out.append((name, kind, text.count("\n", 0, m.start())))
    return out


def _walk(nodes):
    for n in nodes:
        yield n
        yield from _walk(n.children)


def _build(tokens, vocab: Vocabulary) -> list[_Node]:
    top: list[_Node] = []
    by_line: dict[int, list] = {}
    for name, kind, line in tokens:
        by_line.setdefault(line, []).append((name, kind, line))
    for line in sorted(by_line):
        open_ = [n for n in _walk(top) if n.name in vocab.groups and n.line < line
                 and len(n.children) < vocab.groups[n.name][1]]
        at = 0
        for name, kind, _ in by_line[line]:
            node = _Node(name, kind, line)
            for q in range(at, len(open_)):
                holds, width = vocab.groups[open_[q].name]
                if kind == holds and len(open_[q].children) < width:
                    open_[q].children.append(node)
                    at = q
                    break
            else:
                top.append(node)
    return top


def header_leaves(text: str, vocab: Vocabulary) -> list[tuple[str, ...]] | None:
    """The header's columns left to right, each as its path of names (groups, then the
    word); None when *text* holds no header word."""
    tokens = _tokens(simplified(text), vocab)
    if not tokens:
        return None
    top = _build(tokens, vocab)
    groups = [n for n in _walk(top) if n.name in vocab.groups]
    if groups and not any(g.children for g in groups):
        # The whole header on one line (a flattened layout): the words stand in reading
        # order, row after row, so each word is read as if on a line of its own.
        top = _build([(n, k, i) for i, (n, k, _) in enumerate(tokens)], vocab)
    leaves: list[tuple[str, ...]] = []

    def flat(nodes, path):
        for n in nodes:
            if n.name in vocab.groups:
                flat(n.children, path + (n.name,))
            else:
                leaves.append(path + (n.name,))
    flat(top, ())
    return leaves


def column_leaves(text: str, vocab: Vocabulary) -> list[str] | None:
    """The header's column words ordered by the cell each stands in, when *text* is laid out
    in cells (tab- or ``|``-separated lines, as a spreadsheet or markdown table is saved)
    and each cell holds at most one column word; else None.  Grouping words are layout."""
    text = simplified(text)
    at: dict[int, str] = {}
    for line in text.split("\n"):
        found = [(m, vocab.words[int(m.lastgroup[1:])]) for m in vocab.pattern.finditer(line)]
        if not found:
            continue
        if "\t" not in line and "|" not in line:
            return None
        for m, (_, name, _) in found:
            if name in vocab.groups:
                continue
            if m.group(0).count("\t") or "|" in m.group(0):
                return None  # a word across two cells: not a cell layout
            col = len(re.findall(r"[\t|]", line[:m.start()]))
            if col in at:
                return None
            at[col] = name
    return [at[c] for c in sorted(at)] or None


def laid_in_cells(text: str, vocab: Vocabulary) -> bool:
    """Does every line of *text* holding a header word separate cells (tab or ``|``)?"""
    lines = [line for line in simplified(text).split("\n") if vocab.pattern.search(line)]
    return bool(lines) and all("\t" in line or "|" in line for line in lines)
