"""Template-reuse detection for section 五 (存在的主要问题及改进情况).

Agencies copy each other's "problems and improvements" text.  This module
finds which reports share text and how much of each report is copied.

Comparison text
    Every text first goes through :func:`clean_for_comparison`: Unicode NFKC
    (full-width letters, digits and brackets become ASCII; ① becomes 1), the
    template's own wording removed (:data:`BOILERPLATE` headings plus
    enumerators such as 一是 / （二） / 3. ), then everything that is not a
    letter, digit or CJK character removed (punctuation, whitespace, symbols).
    What remains is compared character by character, so no word segmentation
    is needed.

Two measures
    :func:`similarity_pairs` — pairs of reports whose sets of character
    5-grams ("shingles") have an exact Jaccard similarity >= ``threshold``
    (default 0.3).  Candidate pairs come from MinHash LSH (datasketch); the
    exact Jaccard is then computed for candidates only.  There is no
    all-pairs loop.

    :func:`reused_share` — per report, the share of its cleaned characters
    that appear *nearly verbatim* in another report.  "Nearly verbatim" means:
    identical after cleaning (so differences in punctuation, whitespace,
    full/half width and template enumerators are ignored) over a run of at
    least ``min_match_chars`` (default 30) characters.  A run is a maximal
    stretch of report A in which every consecutive character ``n``-gram
    (default n=12) also occurs in one single other report B; consecutive
    n-grams overlap by n-1 characters, so a run is continuous text, not
    stitched-together short phrases.  A 30-character run is roughly one
    full clause of Chinese prose; shorter shared strings are usually common
    officialese (e.g. 进一步加强政府信息公开) and are not counted.

Candidates and scalability
    Comparing every pair is quadratic, so both functions only compare a
    report against candidates.  The default candidates come from MinHash LSH
    (``datasketch.MinHashLSH``): each report's shingle set is sketched into
    ``num_perm`` minimum hash values and banded; reports colliding in any
    band are candidates.  This takes roughly linear time in the number of
    reports, and the index holds about ``num_perm`` hash values per report
    (``num_perm`` × 8 bytes at most, i.e. ~1 KB per report with
    num_perm=128, ~100 MB plus dict overhead for 100,000 reports).  Sketches
    are built one at a time and not kept, so memory does not grow with text
    length.

    LSH is probabilistic: a pair whose Jaccard is near the LSH threshold may
    be missed.  :func:`similarity_pairs` therefore sets the LSH threshold
    below the reporting threshold (default two thirds of it: 0.2 for 0.3,
    which catches a pair at exactly Jaccard 0.3 with probability ~0.93 and
    above 0.4 with probability > 0.99).  :func:`reused_share` uses a low LSH
    threshold (0.1) on its n-gram sets; it still misses a short paragraph
    copied into a much longer text (whose overall Jaccard is below 0.1).
    For complete recall pass ``candidates="index"``: an inverted index from
    hashed n-gram to the set of reports containing it, built in one pass,
    finds every pair sharing enough n-grams to hold a run — complete recall,
    but its memory grows with the total number of distinct n-grams in the
    corpus (tens of millions of entries, several GB, at 100,000 reports) and
    its time with the square of how many reports hold each common n-gram,
    so it suits corpora of some thousands of reports and checking the recall
    of the LSH mode (on 2,000 synthetic texts it found reuse in 78 reports
    where LSH found 42; both took about 1.5 s).  Either way the
    final comparison of a candidate pair is exact, so the result does not
    depend on hash collisions.

    :func:`best_sources` (behind ``duplicate_of`` in ``load_narratives``)
    answers only "which earlier report repeats most of this one" and scales
    to corpora where nearly every pair shares text: a containment bound, per
    report the few candidates sharing the most n-gram positions (n-grams held
    by very many reports counted for their earliest holders only) and a
    vectorised comparison; see its docstring for exactly when it can name
    another source than comparing every pair would.

Results are deterministic: MinHash uses a fixed ``seed``, reports are
processed in sorted id order and outputs are sorted.  (Candidate sets depend
on the datasketch version's hashing scheme; the exact values reported for a
candidate do not.)
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import NamedTuple

import numpy as np
import pandas as pd

from ..textnorm import BOILERPLATE, check_n, clean_for_comparison, ngrams, shingles

__all__ = [
    "BOILERPLATE",
    "clean_for_comparison",
    "shingles",
    "similarity_pairs",
    "reused_share",
    "reuse_pairs",
    "best_sources",
]

# --------------------------------------------------------------------------
# helpers shared by the two measures


def _check_fraction(name: str, value: float) -> None:
    if not 0 < value <= 1:
        raise ValueError(f"{name} must be in (0, 1], got {value!r}")


def _as_texts(texts: Mapping[str, str] | pd.Series) -> dict[str, str]:
    """Report id (as str) -> text, in sorted id order.

    Missing texts (None / NaN / pd.NA) become "" so that a report without a
    section 五 is simply skipped.  Ids that collide once turned into strings
    (1 and "1") are an error: silently merging two reports would be wrong.
    """
    if isinstance(texts, pd.Series):
        items: Iterable = texts.items()
    elif isinstance(texts, Mapping):
        items = texts.items()
    else:
        raise TypeError("texts must be a Mapping of report_id -> text or a pandas Series")
    out: dict[str, str] = {}
    for key, value in items:
        rid = str(key)
        if rid in out:
            raise ValueError(f"duplicate report id {rid!r}")
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            value = ""
        if not isinstance(value, str):
            raise TypeError(f"text of report {rid!r} must be str, not {type(value).__name__}")
        out[rid] = value
    return dict(sorted(out.items()))


def _lsh_pairs(
    grams: Mapping[str, set[str]], lsh_threshold: float, num_perm: int, seed: int
) -> list[tuple[str, str]]:
    """Candidate pairs (a < b) whose estimated Jaccard is about >= lsh_threshold.

    Query-then-insert in sorted id order: each report is queried against the
    reports already indexed, so every colliding pair is found exactly once
    and no MinHash has to be kept after it is indexed.
    """
    from datasketch import MinHash, MinHashLSH  # heavy import, only when used

    ids = [rid for rid, g in grams.items() if g]
    lsh = MinHashLSH(threshold=lsh_threshold, num_perm=num_perm)
    # Sorting each shingle set fixes the update order (sets iterate in
    # hash-seed-dependent order); MinHash is order-independent anyway, but
    # this keeps the computation reproducible step by step.
    sketches = MinHash.generator(
        ([s.encode("utf-8") for s in sorted(grams[rid])] for rid in ids),
        num_perm=num_perm,
        seed=seed,
    )
    pairs: list[tuple[str, str]] = []
    for rid, mh in zip(ids, sketches):
        for other in lsh.query(mh):
            pairs.append((other, rid) if other < rid else (rid, other))
        lsh.insert(rid, mh)
    return sorted(pairs)


def _index_pairs(grams: Mapping[str, set[str]], min_shared: int) -> list[tuple[str, str]]:
    """Every pair (a < b) sharing at least ``min_shared`` n-grams, via an
    inverted index built in one pass.

    The index maps hash(n-gram) -> ids of reports containing it.  Python's
    str hash is salted per process, but a collision only adds a candidate
    that the exact comparison then rejects, so results do not change.

    Why ``min_shared``: a kept run of at least L characters consists of at
    least L - n + 1 consecutive matching n-grams, all of them distinct unless
    the text repeats itself with a shorter period (a row of identical
    characters).  Pairs sharing fewer n-grams are mostly common officialese
    and would cost an exact comparison each for nothing.
    Time grows with the square of the number of reports holding each n-gram.
    """
    index: dict[int, list[str]] = {}
    for rid, g in grams.items():  # ids arrive sorted, so each list is sorted
        for gram in g:
            index.setdefault(hash(gram), []).append(rid)
    shared: dict[tuple[str, str], int] = {}
    for holders in index.values():
        for i, a in enumerate(holders):
            for b in holders[i + 1 :]:
                shared[(a, b)] = shared.get((a, b), 0) + 1
    return sorted(pair for pair, count in shared.items() if count >= min_shared)


# --------------------------------------------------------------------------
# similarity_pairs

_PAIR_COLUMNS = {
    "report_a": "string",
    "report_b": "string",
    "jaccard": "Float64",
    "containment_a": "Float64",
    "containment_b": "Float64",
}


def similarity_pairs(
    texts: Mapping[str, str] | pd.Series,
    n: int = 5,
    threshold: float = 0.3,
    num_perm: int = 128,
    seed: int = 1,
    lsh_threshold: float | None = None,
) -> pd.DataFrame:
    """Pairs of reports whose section texts are similar.

    ``texts`` maps report_id -> section text (a dict, or a Series indexed by
    report_id).  Each text becomes its set of character ``n``-grams
    (:func:`shingles`).  Candidate pairs come from MinHash LSH
    (``num_perm`` permutations, fixed ``seed``, LSH threshold
    ``lsh_threshold``, default ``2/3 * threshold`` to keep recall high near
    the cut); for each candidate the exact Jaccard of the two shingle sets is
    computed and the pair kept if it is >= ``threshold``.  Pairs that LSH
    does not propose are not examined (see the module docstring for the
    recall this gives).

    Texts that are empty after cleaning (missing, blank, boilerplate only)
    cannot be compared and appear in no row.

    Returns a DataFrame, one row per similar pair, sorted by ``jaccard``
    descending, then ``report_a``, ``report_b``, with a RangeIndex:

    ============== ========= ==================================================
    column         dtype     meaning
    ============== ========= ==================================================
    report_a       string    id of one report (as str); report_a < report_b
    report_b       string    id of the other report
    jaccard        Float64   |A∩B| / |A∪B| of the two shingle sets, in [0, 1]
    containment_a  Float64   |A∩B| / |A|: share of a's shingles found in b
    containment_b  Float64   |A∩B| / |B|: share of b's shingles found in a
    ============== ========= ==================================================

    With no similar pair the frame is empty but has these columns and dtypes.
    Raises ``ValueError`` for ``n < 1``, thresholds outside (0, 1] or
    duplicate ids, ``TypeError`` for texts that are not strings.
    """
    check_n(n)
    _check_fraction("threshold", threshold)
    if lsh_threshold is None:
        lsh_threshold = threshold * 2 / 3
    _check_fraction("lsh_threshold", lsh_threshold)
    cleaned = {rid: clean_for_comparison(t) for rid, t in _as_texts(texts).items()}
    grams = {rid: ngrams(c, n) for rid, c in cleaned.items() if c}

    rows = []
    for a, b in _lsh_pairs(grams, lsh_threshold, num_perm, seed):
        ga, gb = grams[a], grams[b]
        inter = len(ga & gb)
        union = len(ga) + len(gb) - inter
        jaccard = inter / union
        if jaccard >= threshold:
            rows.append((a, b, jaccard, inter / len(ga), inter / len(gb)))

    frame = pd.DataFrame(rows, columns=list(_PAIR_COLUMNS)).astype(_PAIR_COLUMNS)
    frame = frame.sort_values(
        ["jaccard", "report_a", "report_b"], ascending=[False, True, True], kind="mergesort"
    )
    return frame.reset_index(drop=True)


# --------------------------------------------------------------------------
# reused_share

_SHARE_COLUMNS = {
    "report_id": "string",
    "chars": "Int64",
    "reused_chars": "Int64",
    "reused_share": "Float64",
    "sources": "string",
}


def _matched_runs(text: str, other_grams: set[str], n: int, min_len: int) -> list[tuple[int, int]]:
    """Half-open intervals of ``text`` covered by runs of consecutive matching
    n-gram starts, kept when the covered length is >= min_len.

    Consecutive starts i, i+1, …, j that all match cover [i, j + n).  A gap in
    the starts ends the run, so two copied fragments that merely sit side by
    side in ``text`` are not merged into one long run.
    """
    runs = []
    start = None
    last = len(text) - n
    for i in range(last + 1):
        if text[i : i + n] in other_grams:
            if start is None:
                start = i
        elif start is not None:
            if (i - 1 + n) - start >= min_len:
                runs.append((start, i - 1 + n))
            start = None
    if start is not None and (last + n) - start >= min_len:
        runs.append((start, last + n))
    return runs


def _run_candidates(texts, n, min_match_chars, lsh_threshold, num_perm, seed, candidates):
    """Cleaned texts, their n-gram sets and the candidate pairs, for the run-based measures."""
    check_n(n)
    if not isinstance(min_match_chars, int) or min_match_chars < 1:
        raise ValueError(f"min_match_chars must be a positive integer, got {min_match_chars!r}")
    _check_fraction("lsh_threshold", lsh_threshold)
    cleaned = {rid: clean_for_comparison(t) for rid, t in _as_texts(texts).items()}
    # Texts shorter than n have no n-gram and so can take part in no run.
    grams = {rid: ngrams(c, n) for rid, c in cleaned.items() if len(c) >= n}
    if candidates == "lsh":
        pairs = _lsh_pairs(grams, lsh_threshold, num_perm, seed)
    elif candidates == "index":
        pairs = _index_pairs(grams, max(1, min_match_chars - n + 1))
    else:
        raise ValueError(f"candidates must be 'lsh' or 'index', got {candidates!r}")
    return cleaned, grams, pairs


def _covered(runs: list[tuple[int, int]]) -> int:
    """Characters covered by half-open intervals (they may overlap)."""
    mask: set[int] = set()
    for lo, hi in runs:
        mask.update(range(lo, hi))
    return len(mask)


def reused_share(
    texts: Mapping[str, str] | pd.Series,
    n: int = 12,
    min_match_chars: int = 30,
    lsh_threshold: float = 0.1,
    num_perm: int = 128,
    seed: int = 1,
    candidates: str = "lsh",
) -> pd.DataFrame:
    """Per report, how much of its cleaned section text is copied from others.

    ``texts`` maps report_id -> section text (a dict, or a Series indexed by
    report_id).  Texts are cleaned with :func:`clean_for_comparison`.  A
    character of report A counts as reused when it lies in a run of at least
    ``min_match_chars`` characters in which every consecutive character
    ``n``-gram also occurs in one other report B (see the module docstring).
    A run shorter than ``n`` cannot exist, so the effective minimum is
    ``max(n, min_match_chars)``.  Runs found against different sources are
    united before counting, so no character counts twice.

    A is compared only with its candidates: ``candidates="lsh"`` (default)
    takes pairs proposed by MinHash LSH over the ``n``-gram sets at
    ``lsh_threshold`` (``num_perm`` permutations, fixed ``seed``) — about
    linear time, but it can miss a short passage copied into a much longer
    text; ``candidates="index"`` takes every pair sharing at least
    ``min_match_chars - n + 1`` distinct ``n``-grams (an inverted index,
    complete but memory- and time-heavy on large corpora).  The comparison of a candidate pair itself is exact.

    Returns a DataFrame with one row per input report (including reports
    whose text is empty after cleaning), sorted by ``report_id``, with a
    RangeIndex:

    ============ ======= =====================================================
    column       dtype   meaning
    ============ ======= =====================================================
    report_id    string  report id (as str)
    chars        Int64   length of the cleaned text (characters)
    reused_chars Int64   cleaned characters lying in a reused run
    reused_share Float64 reused_chars / chars in [0, 1]; <NA> when chars == 0
    sources      string  comma-separated, sorted ids of the reports that share
                         at least one kept run with this one; "" if none
    ============ ======= =====================================================

    Raises ``ValueError`` for ``n < 1``, ``min_match_chars < 1``,
    ``lsh_threshold`` outside (0, 1], an unknown ``candidates`` value or
    duplicate ids; ``TypeError`` for texts that are not strings.
    """
    cleaned, grams, pairs = _run_candidates(texts, n, min_match_chars, lsh_threshold, num_perm, seed, candidates)
    masks = {rid: bytearray(len(c)) for rid, c in cleaned.items()}
    sources: dict[str, set[str]] = {rid: set() for rid in cleaned}
    for a, b in pairs:
        for me, other in ((a, b), (b, a)):
            runs = _matched_runs(cleaned[me], grams[other], n, min_match_chars)
            if runs:
                sources[me].add(other)
                mask = masks[me]
                for lo, hi in runs:
                    mask[lo:hi] = b"\x01" * (hi - lo)

    rows = []
    for rid, text in cleaned.items():  # already sorted by id
        chars = len(text)
        reused = sum(masks[rid])
        share = reused / chars if chars else pd.NA
        rows.append((rid, chars, reused, share, ",".join(sorted(sources[rid]))))
    frame = pd.DataFrame(rows, columns=list(_SHARE_COLUMNS)).astype(_SHARE_COLUMNS)
    return frame.reset_index(drop=True)


# --------------------------------------------------------------------------
# reuse_pairs

_REUSE_PAIR_COLUMNS = {
    "report_a": "string",
    "report_b": "string",
    "chars_a": "Int64",
    "chars_b": "Int64",
    "reused_a": "Float64",
    "reused_b": "Float64",
}


def reuse_pairs(
    texts: Mapping[str, str] | pd.Series,
    n: int = 12,
    min_match_chars: int = 30,
    lsh_threshold: float = 0.1,
    num_perm: int = 128,
    seed: int = 1,
    candidates: str = "lsh",
) -> pd.DataFrame:
    """Pairs of reports sharing nearly verbatim text, and how much of each the other holds.

    The same measure as :func:`reused_share` (runs of at least
    ``min_match_chars`` cleaned characters whose every ``n``-gram also occurs
    in the other text; same candidates and parameters), but per pair instead
    of per report: ``reused_a`` is the share of a's cleaned characters lying
    in runs found in b, ``reused_b`` the same for b.  Near-duplicate reports
    (one organ filing last year's section again) have both shares high.

    Returns a DataFrame, one row per candidate pair with at least one kept
    run, sorted by ``max(reused_a, reused_b)`` descending, then ``report_a``,
    ``report_b``, with a RangeIndex:

    ========= ======= ==========================================================
    column    dtype   meaning
    ========= ======= ==========================================================
    report_a  string  id of one report (as str); report_a < report_b
    report_b  string  id of the other report
    chars_a   Int64   length of a's cleaned text (characters)
    chars_b   Int64   length of b's cleaned text
    reused_a  Float64 share of a's cleaned characters found nearly verbatim in b
    reused_b  Float64 share of b's cleaned characters found nearly verbatim in a
    ========= ======= ==========================================================

    Raises as :func:`reused_share` does.
    """
    cleaned, grams, pairs = _run_candidates(texts, n, min_match_chars, lsh_threshold, num_perm, seed, candidates)
    rows = []
    for a, b in pairs:
        covered_a = _covered(_matched_runs(cleaned[a], grams[b], n, min_match_chars))
        if not covered_a:
            continue
        covered_b = _covered(_matched_runs(cleaned[b], grams[a], n, min_match_chars))
        rows.append((a, b, len(cleaned[a]), len(cleaned[b]), covered_a / len(cleaned[a]),
                     covered_b / len(cleaned[b])))
    frame = pd.DataFrame(rows, columns=list(_REUSE_PAIR_COLUMNS)).astype(_REUSE_PAIR_COLUMNS)
    frame["_max"] = frame[["reused_a", "reused_b"]].max(axis=1)
    frame = frame.sort_values(["_max", "report_a", "report_b"], ascending=[False, True, True], kind="mergesort")
    return frame.drop(columns="_max").reset_index(drop=True)


# --------------------------------------------------------------------------
# best_sources: the earliest, most repeated source of each report, at scale

#: Earliest holders kept per n-gram when candidates are scored (see :func:`best_sources`).
HOLDERS = 128
#: Candidates compared exactly per report (see :func:`best_sources`).
CANDIDATES = 16
_ROWS = 2048  # texts scored at a time
_PAIRS = 65536  # pairs compared at a time
_CHUNK = 1 << 20  # characters hashed, and n-gram positions sorted, at a time
_MIX1, _MIX2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)


def _mix(z: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser, a bijection of 64-bit integers (in place)."""
    z ^= z >> np.uint64(30)
    z *= _MIX1
    z ^= z >> np.uint64(27)
    z *= _MIX2
    z ^= z >> np.uint64(31)
    return z


def _gram_hashes(text: str, n: int) -> np.ndarray:
    """A 64-bit hash of each n-gram of *text* (len(text) - n + 1 of them, in order).

    Up to three code points (21 bits each) are packed exactly into one word; the words at
    offsets 0, 3, 6, … of the n-gram are folded in with a 64-bit mixer.
    """
    points = np.frombuffer(text.encode("utf-32-le"), dtype="<u4").astype(np.uint64)
    count = len(points) - n + 1
    out = np.zeros(count, dtype=np.uint64)
    for offset in range(0, n, 3):
        width = min(3, n - offset)
        word = np.zeros(count, dtype=np.uint64)
        for j in range(width):
            word |= points[offset + j: offset + j + count] << np.uint64(21 * (width - 1 - j))
        out ^= word
        _mix(out)
    return out


def _covered_chars(pair_b: np.ndarray, pair_a: np.ndarray, segments: "_Segments", holder_keys: np.ndarray,
                   n_docs: int, n: int, min_len: int) -> np.ndarray:
    """Characters of text b covered by runs found in text a, for each pair (b, a) given: the
    measure of :func:`_matched_runs` and :func:`_covered`, on arrays.

    Text b's n-gram positions come as segments of neighbouring positions held by the same set of
    texts (so a matches all of a segment or none of it).  A segment matches when a is in its set:
    the key ``set * n_docs + a`` is in the sorted array of every (set, text) key; a segment held
    by b alone (set -1) matches nothing.
    Consecutive matching segments are one run of positions [first, last], covering characters
    [first, last + n); a run is kept when that is at least *min_len* long, and overlapping kept
    runs of a pair count once.  Each pair's segments end with a sentinel that never matches, so
    no run crosses pairs.
    """
    count = segments.ptr[pair_b + 1] - segments.ptr[pair_b]
    width = count + 1
    pair_start = np.zeros(len(pair_b) + 1, dtype=np.int64)
    np.cumsum(width, out=pair_start[1:])
    pair_of = np.repeat(np.arange(len(pair_b)), width)
    local = np.arange(int(pair_start[-1])) - pair_start[pair_of]
    sentinel = local == count[pair_of]
    at = np.where(sentinel, 0, segments.ptr[pair_b][pair_of] + local)
    held = segments.held[at]
    keys = held * n_docs + pair_a[pair_of]
    found = np.minimum(np.searchsorted(holder_keys, keys), len(holder_keys) - 1)
    matched = (holder_keys[found] == keys) & ~sentinel & (held >= 0)
    edge = np.diff(matched.astype(np.int8), prepend=0, append=0)
    first = at[np.flatnonzero(edge == 1)]
    last = at[np.flatnonzero(edge == -1) - 1]
    run_pair = pair_of[np.flatnonzero(edge == 1)]
    begin = segments.start[first]
    end = segments.start[last] + segments.length[last] - 1 + n  # characters [begin, end)
    keep = end - begin >= min_len
    begin, end, run_pair = begin[keep], end[keep], run_pair[keep]
    # kept runs of a pair are in order with increasing ends: only the previous one can overlap
    same = np.concatenate(([False], run_pair[1:] == run_pair[:-1]))
    previous_end = np.concatenate(([0], end[:-1]))
    covered = end - np.where(same, np.maximum(begin, previous_end), begin)
    return np.bincount(run_pair, weights=covered, minlength=len(pair_b)).astype(np.int64)


def best_sources(
    texts: Mapping[str, str],
    order: Iterable[str],
    threshold: float,
    n: int = 12,
    min_match_chars: int = 30,
    holders: int = HOLDERS,
    candidates: int = CANDIDATES,
) -> dict[str, str]:
    """For each report, the earlier report repeating most of its text: report id -> source id.

    The measure is :func:`reuse_pairs`'s: the share of report b's cleaned text
    (:func:`clean_for_comparison`) lying in runs of at least ``min_match_chars`` characters whose
    every ``n``-gram also occurs in report a.  b's source is the report a earlier than b in
    *order* (ids, earliest first; every id of *texts*) with the largest share, if that share is
    at least *threshold*; of equal shares the earliest.  Reports with no source are absent.

    Comparing every pair is quadratic, and in a corpus where most reports reuse the same
    sentences (the synthetic benchmark corpus) nearly every pair shares some text, so LSH at a
    low threshold proposes nearly every pair too.  Here candidates are found and bounded instead:

    1. Identical cleaned texts are one text: a later copy's source is its earliest copy
       (share 1), or the source of that copy if it repeats all of it (an earlier fuller text).
    2. Every n-gram position gets a 64-bit hash (three code points packed exactly per word, the
       words folded with splitmix64's mixer), computed a block of text at a time; the positions
       are sorted a hash bucket at a time to list the texts holding each n-gram.  Neighbouring
       positions of a text held by the same set of texts form one segment, and the sets are
       kept, not the n-grams: memory is about 8 bytes per n-gram position plus the sets.
    3. Containment bound: a kept run of c >= L = max(n, min_match_chars) characters has
       c - n + 1 matching n-gram positions, so covered characters <= matching positions
       * L / (L - n + 1).  A source repeating *threshold* of b therefore matches at least
       ``threshold * len(b) * (L - n + 1) / L`` of b's positions (0.285 of its characters with
       the defaults 0.45, 12, 30); other pairs cannot qualify and are not compared.
    4. Score: S[b, a] = b's positions whose n-gram a holds, counting a only among the *holders*
       (default :data:`HOLDERS`, 128) earliest texts holding each n-gram, so that an n-gram held
       by very many texts costs at most *holders* entries (a sparse product, scipy, over the
       holder sets).  Per report the *candidates* (default
       :data:`CANDIDATES`, 16) earlier texts with the highest score passing the bound (ties: the
       earliest) are compared exactly.
    5. The comparison is vectorised (numpy): b's segments looked up in a's holder sets, runs as
       consecutive matching segments, kept runs' characters united; it counts what
       :func:`_matched_runs` / :func:`_covered` count, character for character.

    Time and memory grow with the total text length plus reports * candidates comparisons;
    nothing grows with the number of pairs.  On the synthetic benchmark's section 五 texts (about
    210 cleaned characters each) 10,000 reports take about 2 s of CPU and 100,000 about 24 s
    (a third of it :func:`clean_for_comparison`), with a peak of about 400 MiB at 100,000.

    When it can differ from comparing every pair (so from the definition): only when a bound
    binds, i.e. some n-gram of b is held by more than *holders* texts, or more than *candidates*
    earlier texts pass the containment bound.  Then (a) the text with the largest share may be
    scored below *candidates* others, e.g. a text sharing many n-grams with b in runs shorter
    than ``min_match_chars`` (which count nothing) outranks it; or (b) it is not among the
    *holders* earliest holders of the n-grams it shares with b, so its score is too low (below
    the bound, or below other candidates).  A lesser source (still >= threshold) may then be
    named, or none if no compared candidate reaches the threshold.  Corpora of at most
    ``min(candidates, holders) + 1`` reports are always exact; on the shipped corpus the result
    equals the pair-by-pair one.  Apart from these bounds the comparison is exact up to hashing: two
    different n-grams with the same 64-bit hash, or two holder sets with the same 62-bit
    fingerprint (a sum of random tags), would be taken for one (probability about 2**-64 and
    2**-62 per pair).
    """
    check_n(n)
    _check_fraction("threshold", threshold)
    if not isinstance(min_match_chars, int) or min_match_chars < 1:
        raise ValueError(f"min_match_chars must be a positive integer, got {min_match_chars!r}")
    # Identical cleaned texts are one text ("doc"), numbered in the order of its earliest report.
    doc_of_text: dict[str, int] = {}
    members: list[list[str]] = []
    for rid in order:
        text = clean_for_comparison(texts[rid])
        if len(text) < n:  # no n-gram: takes part in no run
            continue
        d = doc_of_text.setdefault(text, len(members))
        if d == len(members):
            members.append([])
        members[d].append(rid)
    docs = list(doc_of_text)
    del doc_of_text
    best, whole = _best_docs(docs, threshold, n, max(n, min_match_chars), holders, candidates)
    out: dict[str, str] = {}
    for d, group in enumerate(members):
        if best[d] >= 0:
            out[group[0]] = members[best[d]][0]
        # A later copy of a text: its earliest twin repeats all of it (share 1, the most there is),
        # unless a still earlier text repeats all of it too.  A text shorter than a run repeats
        # nothing, not even its copy.
        if len(docs[d]) < max(n, min_match_chars):
            continue
        for rid in group[1:]:
            out[rid] = members[best[d]][0] if whole[d] else group[0]
    return out


class _Segments(NamedTuple):
    """Each text's n-gram positions cut where the set of texts holding the n-gram changes:
    text d's segments are ptr[d]:ptr[d + 1]; each has a first position (start), a number of
    positions (length) and the id of its set of holders (held; -1: the text alone)."""

    ptr: np.ndarray
    start: np.ndarray
    length: np.ndarray
    held: np.ndarray


def _holder_sets(docs: list[str], n: int) -> tuple[_Segments, np.ndarray, np.ndarray]:
    """Each text's segments, and the sets of texts holding an n-gram held by two texts or more:
    set k's texts (ascending) are ``keys[ptr[k]:ptr[k + 1]] - k * len(docs)``.

    Memory is bounded by the number of n-gram positions: one 64-bit hash per position (computed
    a block of text at a time), then the positions are sorted a hash bucket at a time, and each
    position's hash is overwritten by the fingerprint of its holder set.
    """
    n_docs = len(docs)
    lengths = np.fromiter((len(t) for t in docs), dtype=np.int64, count=n_docs)
    positions = lengths - n + 1
    pos_ptr = np.zeros(n_docs + 1, dtype=np.int64)
    np.cumsum(positions, out=pos_ptr[1:])
    total = int(pos_ptr[-1])
    value = np.empty(total, dtype=np.uint64)
    lo = 0
    while lo < n_docs:
        hi, size = lo, 0
        while hi < n_docs and (size == 0 or size + lengths[hi] <= _CHUNK):
            size += int(lengths[hi])
            hi += 1
        hashes = _gram_hashes("".join(docs[lo:hi]), n)  # n-grams across two texts dropped below
        offsets = np.concatenate(([0], np.cumsum(lengths[lo:hi])[:-1]))
        inside = np.repeat(offsets - (pos_ptr[lo:hi] - pos_ptr[lo]), positions[lo:hi])
        value[pos_ptr[lo]: pos_ptr[hi]] = hashes[np.arange(pos_ptr[hi] - pos_ptr[lo]) + inside]
        lo = hi
    del hashes, inside
    bits = int(np.ceil(np.log2(total / _CHUNK))) if total > _CHUNK else 0  # about _CHUNK per bucket
    buckets = 1 << bits
    bucket = (value >> np.uint64(64 - bits)).astype(np.uint16) if bits else np.zeros(total, dtype=np.uint16)
    tag = np.random.default_rng(0).integers(1, 2**62, size=n_docs, dtype=np.int64)
    set_prints, set_docs, set_sizes = [], [], []
    for k in range(buckets):
        at = np.flatnonzero(bucket == k)
        h = value[at]
        order = np.argsort(h, kind="stable")  # by n-gram; positions (so texts) ascending within
        at, h = at[order], h[order]
        del order
        doc = np.searchsorted(pos_ptr, at, side="right") - 1
        new_gram = np.ones(len(h), dtype=bool)
        new_gram[1:] = h[1:] != h[:-1]
        del h
        new_entry = new_gram.copy()
        new_entry[1:] |= doc[1:] != doc[:-1]
        gram_of = np.cumsum(new_gram) - 1
        gram_start = np.flatnonzero(new_gram)
        entry = np.flatnonzero(new_entry)
        entry_gram = gram_of[entry]
        held_by = np.bincount(entry_gram, minlength=len(gram_start))
        # the fingerprint of each n-gram's holder set: a sum of random 62-bit tags (0: one text)
        prints = np.add.reduceat(tag[doc[entry]], np.flatnonzero(np.diff(entry_gram, prepend=-1)))
        prints[held_by < 2] = 0
        value[at] = prints[gram_of].view(np.uint64)
        shared = np.flatnonzero(held_by >= 2)
        if len(shared):
            uniq, first = np.unique(prints[shared], return_index=True)
            rep = shared[first]  # one n-gram per distinct set
            entry_start = np.searchsorted(entry_gram, rep)
            sizes = held_by[rep]
            set_prints.append(uniq)
            set_sizes.append(sizes)
            idx = np.repeat(entry_start - np.concatenate(([0], np.cumsum(sizes)[:-1])), sizes) + \
                np.arange(int(sizes.sum()))
            set_docs.append(doc[entry[idx]])
        del at, doc, new_gram, new_entry, gram_of, gram_start, entry, entry_gram, held_by, prints
    del bucket
    # one id per distinct set across buckets
    prints = np.concatenate(set_prints) if set_prints else np.zeros(0, dtype=np.int64)
    sizes = np.concatenate(set_sizes) if set_sizes else np.zeros(0, dtype=np.int64)
    members = np.concatenate(set_docs) if set_docs else np.zeros(0, dtype=np.int64)
    del set_prints, set_sizes, set_docs
    table, first = np.unique(prints, return_index=True)
    member_start = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    sizes = sizes[first]
    idx = np.repeat(member_start[first] - np.concatenate(([0], np.cumsum(sizes)[:-1])), sizes) + \
        np.arange(int(sizes.sum()))
    set_of_member = np.repeat(np.arange(len(table), dtype=np.int64), sizes)
    keys = set_of_member * n_docs + members[idx]  # sorted: by set, then text
    del members, idx, set_of_member
    set_ptr = np.zeros(len(table) + 1, dtype=np.int64)
    np.cumsum(sizes, out=set_ptr[1:])
    # positions' fingerprints -> set ids, and cuts where the set changes or a text begins
    held = value.view(np.int64)  # in place, a block at a time
    for lo in range(0, total, _CHUNK):
        block = held[lo: lo + _CHUNK]
        block[:] = np.where(block == 0, -1, np.searchsorted(table, block))
    del value
    cut = np.ones(total, dtype=bool)
    cut[1:] = held[1:] != held[:-1]
    cut[pos_ptr[:-1]] = True
    cut_at = np.flatnonzero(cut)
    del cut
    doc_of_cut = np.searchsorted(pos_ptr, cut_at, side="right") - 1
    segments = _Segments(ptr=np.append(np.searchsorted(cut_at, pos_ptr[:-1]), len(cut_at)),
                         start=cut_at - pos_ptr[doc_of_cut],
                         length=np.diff(np.append(cut_at, total)),
                         held=held[cut_at])
    return segments, keys, set_ptr


def _best_docs(docs: list[str], threshold: float, n: int, min_len: int, holders: int,
               candidates: int) -> tuple[np.ndarray, np.ndarray]:
    """For each distinct text (in order), the earlier text repeating most of it at >= threshold
    (-1: none), and whether that one repeats all of it."""
    import scipy.sparse as sp  # only when used

    n_docs = len(docs)
    best = np.full(n_docs, -1, dtype=np.int64)
    whole = np.zeros(n_docs, dtype=bool)
    if n_docs < 2:
        return best, whole
    lengths = np.fromiter((len(t) for t in docs), dtype=np.int64, count=n_docs)
    segments, holder_keys, set_ptr = _holder_sets(docs, n)
    n_sets = len(set_ptr) - 1
    if not n_sets:
        return best, whole
    # Scoring: S[b, a] = positions of b whose n-gram a holds, a counted only among the `holders`
    # earliest texts of each set (query: positions per text and set; held: the kept holders).
    shared = segments.held >= 0
    seg_doc = np.repeat(np.arange(n_docs), np.diff(segments.ptr))
    query = sp.csr_matrix((segments.length[shared].astype(np.float64), (seg_doc[shared], segments.held[shared])),
                          shape=(n_docs, n_sets))
    del shared, seg_doc
    rank = np.arange(len(holder_keys)) - np.repeat(set_ptr[:-1], np.diff(set_ptr))
    kept = rank < holders
    set_of, holder = np.divmod(holder_keys[kept], n_docs)
    held = sp.csr_matrix((np.ones(len(set_of)), (holder, set_of)), shape=(n_docs, n_sets))
    del rank, kept, set_of, holder
    # The containment bound: a kept run of c >= min_len characters holds c - n + 1 matching
    # positions, so covered characters <= matching positions * min_len / (min_len - n + 1), and a
    # text repeating `threshold` of b matches at least this many of b's positions.
    need = threshold * lengths * (min_len - n + 1) / min_len - 1e-9
    held_t = held.T.tocsr()
    del held
    pair_b, pair_a = [], []
    for lo in range(0, n_docs, _ROWS):  # a block of texts at a time keeps the product small
        score = (query[lo: lo + _ROWS] @ held_t).tocoo()
        b, a, s = score.row.astype(np.int64) + lo, score.col.astype(np.int64), score.data
        keep = (a < b) & (s >= need[b])  # earlier texts only, and the bound
        b, a, s = b[keep], a[keep], s[keep]
        pick = np.lexsort((a, -s, b))  # most shared positions first, then the earliest
        b, a = b[pick], a[pick]
        row_start = np.flatnonzero(np.diff(b, prepend=-1))
        nth = np.arange(len(b)) - np.repeat(row_start, np.diff(np.append(row_start, len(b))))
        pair_b.append(b[nth < candidates])
        pair_a.append(a[nth < candidates])
    del query, held_t
    b, a = np.concatenate(pair_b), np.concatenate(pair_a)
    if not len(b):
        return best, whole
    covered = np.concatenate([
        _covered_chars(b[lo: lo + _PAIRS], a[lo: lo + _PAIRS], segments, holder_keys, n_docs, n, min_len)
        for lo in range(0, len(b), _PAIRS)])
    share = covered / lengths[b]
    ok = share >= threshold
    b, a, share, covered = b[ok], a[ok], share[ok], covered[ok]
    pick = np.lexsort((a, -share, b))  # the most repeated, then the earliest
    b, a, covered = b[pick], a[pick], covered[pick]
    first = np.flatnonzero(np.diff(b, prepend=-1))
    best[b[first]] = a[first]
    whole[b[first]] = covered[first] == lengths[b[first]]
    return best, whole
