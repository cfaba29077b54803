"""Chinese word segmentation tuned for 政府信息公开工作年度报告.

`Tokenizer` wraps a private ``jieba.Tokenizer`` loaded with the packaged
domain dictionary (``toolkit/resources/domain_dict.txt``) so that terms such as
依申请公开, 三审三校, 两微一端 or 重点领域信息公开 come out as one token, and
removes three kinds of words:

* the packaged stopwords (``toolkit/resources/stopwords.txt``): function words,
  punctuation and the template's boilerplate (进一步, 加强, 一是 ...);
* organ and place names, by rule rather than from a hand list
  (:meth:`Tokenizer.is_name`): every place name of the packaged table of
  administrative divisions (河北省, 吴忠市, 文登区; the short forms of
  provinces and prefecture-level divisions: 河北, 吴忠), and the corpus's own
  agency names with the place stripped and their abbreviations (教育厅,
  民政局; 科技厅 for 科学技术厅, 人社厅 for 人力资源和社会保障厅);
* tokens shorter than ``min_len`` and pure numbers.

It never removes the negation and deficiency words of
``toolkit/resources/negation_words.txt`` (不, 未, 无, 不够, 不足, 有待, 缺乏,
滞后, 不及时, 不健全 …), which mark a problem: 更新不及时 gives [更新, 不及时],
答复不够规范 gives [答复, 不够, 规范].

It plugs into scikit-learn::

    from sklearn.feature_extraction.text import CountVectorizer
    from toolkit.mining.tokenizer import Tokenizer
    CountVectorizer(tokenizer=Tokenizer(), token_pattern=None, lowercase=False)

jieba (and the division table, for the names) are loaded only when the first
text is tokenized, never at import time.  ``Tokenizer(backend="rjieba")`` segments with
rjieba (the jieba-rs binding, ``pip install 'xxgk[fast]'``) instead: same
tokens, several times faster.
"""

from __future__ import annotations

import contextlib
import functools
import io
import logging
import os
import re
import unicodedata
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from importlib import resources

from sklearn.base import BaseEstimator

__all__ = ["Tokenizer", "load_stopwords", "load_negation_words", "domain_dict_text", "place_names",
           "corpus_agencies"]

_DATA_PACKAGE = "toolkit"
_STOPWORDS_FILE = "resources/stopwords.txt"
_DOMAIN_DICT_FILE = "resources/domain_dict.txt"
_NEGATION_FILE = "resources/negation_words.txt"
# Dictionary frequency of the kept (negation) words added to the segmenter:
# high enough that 不及时 / 有待 beat 不 + 及时 / 还有 + 待, as the domain terms do.
_KEEP_WORD_FREQ = 5000
# Last characters of organ names that an agency's abbreviation keeps (教育厅, 民政局).
# The level characters that prefix an organ's name (省工信厅, 市民政局).
_LEVEL_PREFIX = "省市县区"
# Organ types that, after a place or a level character, name a government or
# party organ rather than a concept (省委, 省政府, 吴忠市人民政府; 政府 alone stays).
_GENERIC_ORGANS = frozenset({"人民政府", "政府", "党委", "委员会", "委", "人大", "政协", "人大常委会"})

# Short forms of province and prefecture names: the administrative suffix removed
# (河北省 → 河北, 吴忠市 → 吴忠), or the usual name of an autonomous region.
_SHORT_SUFFIX = re.compile(r"(?:[省市]|特别行政区|自治区)$")
_REGION_SHORT = {"内蒙古自治区": "内蒙古", "广西壮族自治区": "广西", "西藏自治区": "西藏",
                 "新疆维吾尔自治区": "新疆", "宁夏回族自治区": "宁夏"}

# Digits with optional decimal/thousands separators, sign and percent/permille
# sign; matched after NFKC, so full-width digits are covered too.
_NUMBER = re.compile(r"[+\-]?\d+(?:[.,]\d+)*[%‰]?")

# Segmentation backends accepted by Tokenizer(backend=...).
_BACKENDS = ("jieba", "rjieba")
# rjieba.Jieba.add_word, needed to load the domain dictionary, first appeared in 0.2.2.
_RJIEBA_MIN_VERSION = "0.2.2"
_INSTALL_RJIEBA = "pip install 'rjieba>=0.2.2' (or the extra: pip install 'xxgk[fast]')"
# A user-dictionary line as jieba's own load_userdict reads it (jieba.re_userdict):
# word, optional " freq", optional " pos".
_USERDICT_LINE = re.compile(r"^(.+?)( [0-9]+)?( [a-z]+)?$")
# Attributes built lazily from the parameters; never pickled, dropped by set_params.
_LAZY_ATTRS = ("_jieba", "_rjieba", "_cache", "_stopword_set", "_keep_set", "_names")


def _read_package_text(name: str) -> str:
    return resources.files(_DATA_PACKAGE).joinpath(name).read_text(encoding="utf-8")


def _non_comment_lines(text: str) -> Iterator[str]:
    for line in text.splitlines():
        line = line.strip().lstrip("\ufeff")
        if line and not line.startswith("#"):
            yield line


def _read_word_list(path, default: str) -> frozenset[str]:
    if path is None:
        text = _read_package_text(default)
    else:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    return frozenset(unicodedata.normalize("NFKC", w) for w in _non_comment_lines(text))


def _word_set(value, load, name: str) -> frozenset[str]:
    """A word-list parameter resolved: ``None`` or a path is read with *load*, an iterable of
    words is taken as given (NFKC, stripped)."""
    if value is None or isinstance(value, (str, os.PathLike)):
        return load(value)
    if isinstance(value, Iterable):
        return frozenset(unicodedata.normalize("NFKC", str(w)).strip() for w in value)
    raise TypeError(f"{name} must be None, a path or an iterable of str, got {type(value).__name__}")


def load_stopwords(path: str | os.PathLike | None = None) -> frozenset[str]:
    """Read a stopword list.

    Parameters
    ----------
    path : str or path-like, optional
        UTF-8 text file, one word per line; blank lines and lines starting
        with ``#`` are ignored. Default: the packaged list
        ``toolkit/resources/stopwords.txt``.

    Returns
    -------
    frozenset of str
        The words, each NFKC-normalised and stripped of surrounding
        whitespace (the same normalisation `Tokenizer` applies to text, so
        full-width entries match half-width text and vice versa).
    """
    return _read_word_list(path, _STOPWORDS_FILE)


def load_negation_words(path: str | os.PathLike | None = None) -> frozenset[str]:
    """Read a list of words the tokenizer keeps (same format as `load_stopwords`).

    Default: the packaged, commented list of negation and deficiency words
    ``toolkit/resources/negation_words.txt`` (不, 未, 无, 缺乏, 不够, 不足, 有待,
    滞后, 薄弱, 单一, 差距, 不及时, 不到位, 不健全, 不规范, 欠缺 …).
    """
    return _read_word_list(path, _NEGATION_FILE)


@functools.lru_cache(maxsize=1)
def place_names() -> frozenset[str]:
    """Every place name of the packaged division table, as the tokenizer drops them.

    Full names at every level (河北省, 石家庄市, 文登区, 卫辉市; the table is
    ``toolkit/resources/admin_divisions.csv``), and short forms for provinces and
    prefecture-level divisions only: 省/市/自治区/特别行政区 removed from the end
    (河北, 吴忠), and 内蒙古, 广西, 西藏, 宁夏, 新疆 for the five autonomous
    regions.  County-level short forms collide with ordinary words (合作市 → 合作,
    东方市 → 东方), and so would those of autonomous prefectures (红河哈尼族彝族自治州
    → 红河), so those keep their full names only.  One-character
    names are left out.
    """
    from ..parsing.inferred_metadata import divisions

    names = set()
    for d in divisions().values():
        names.add(d.name)
        if d.level in ("province", "city"):
            names.add(_REGION_SHORT.get(d.name) or _SHORT_SUFFIX.sub("", d.name))
    return frozenset(unicodedata.normalize("NFKC", n) for n in names if len(n) >= 2)


def corpus_agencies(corpus: str | os.PathLike | None = None) -> tuple[str, ...]:
    """The distinct ``agency`` names of a corpus's ``metadata.csv``, sorted (default: the shipped corpus,
    or ``$XXGK_CORPUS``)."""
    from ..corpus import corpus_dir, metadata_records

    return tuple(sorted({m["agency"] for m in metadata_records(corpus_dir(corpus)) if m.get("agency")}))


def _is_subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


class _Names:
    """Organ and place names by rule: see `Tokenizer.is_name`."""

    def __init__(self, places: frozenset[str], agencies: Iterable[str]):
        self.places = places
        self._longest = max(map(len, places), default=0)
        self._decided: dict[str, bool] = {}  # token -> is it a name (the vocabulary is small)
        self.organs: dict[str, set[str]] = {}  # last character -> organ names without their place
        self.agencies = {unicodedata.normalize("NFKC", str(a)).strip() for a in agencies} - {""}
        for agency in self.agencies:
            organ = self.strip_places(agency)
            if len(organ) >= 2:
                self.organs.setdefault(organ[-1], set()).add(organ)

    def organ_words(self) -> list[str]:
        """The agencies' names whole and with their leading places stripped one by one
        (威海市文登区民政局, 文登区民政局, 民政局), sorted."""
        words = set()
        for agency in self.agencies:
            while agency and agency not in words:
                words.add(agency)
                shorter = self.strip_one(agency)
                if shorter == agency:
                    break
                agency = shorter
        return sorted(w for w in words if len(w) >= 2)

    def strip_one(self, token: str) -> str:
        """*token* without the one place name it starts with (unchanged if none, or if it is a place)."""
        if token in self.places:
            return token
        # longest prefix first, so 重庆市开州区 is stripped as 重庆市 + 开州区, not 重庆 + …
        for length in range(min(self._longest, len(token) - 1), 1, -1):
            if token[:length] in self.places:
                return token[length:]
        return token

    def strip_places(self, token: str) -> str:
        """*token* without the place names it starts with (stops at a remainder that is itself a place)."""
        while True:
            shorter = self.strip_one(token)
            if shorter == token:
                return token
            token = shorter

    def __call__(self, token: str) -> bool:
        decided = self._decided.get(token)
        if decided is None:
            decided = self._decided[token] = self._decide(token)
        return decided

    def _decide(self, token: str) -> bool:
        rest = self.strip_places(token)
        if rest in self.places:
            return True
        if len(rest) > 1 and rest[0] in _LEVEL_PREFIX:  # 省工信厅, 市民政局
            rest = rest[1:]
        if rest != token and rest in _GENERIC_ORGANS:  # 省委, 省政府, 河北省人民政府
            return True
        organs = self.organs.get(rest[-1:], ())
        # the organ itself (教育厅) or an abbreviation keeping its last character (科技厅, 人社厅)
        return any(rest == organ or _is_subsequence(rest[:-1], organ[:-1]) for organ in organs)


def domain_dict_text() -> str:
    """Return the packaged jieba user dictionary as text (``word freq pos`` lines,
    ``#`` comments included)."""
    return _read_package_text(_DOMAIN_DICT_FILE)


def _userdict_bytes(text: str) -> io.BytesIO:
    # jieba's own parser would read a "# comment" line as the word "#" with a
    # POS tag, so comments are removed before jieba sees the file.
    body = "\n".join(_non_comment_lines(text))
    buf = io.BytesIO(body.encode("utf-8"))
    buf.name = "<toolkit user dictionary>"
    return buf


def _userdict_entries(text: str) -> Iterator[tuple[str, int | None, str | None]]:
    # (word, freq, pos) of each non-comment line, parsed exactly as
    # jieba.Tokenizer.load_userdict parses it, for backends without a loader.
    for line in _non_comment_lines(text):
        word, freq, pos = _USERDICT_LINE.match(line).groups()
        yield word, int(freq) if freq is not None else None, pos.strip() if pos is not None else None


@contextlib.contextmanager
def _quiet_jieba_logger() -> Iterator[None]:
    # jieba logs "Building prefix dict ..." at DEBUG to stderr on every
    # initialisation. Raise its logger's level only for the duration, so the
    # user's own jieba logging configuration is left as it was.
    logger = logging.getLogger("jieba")
    previous = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(previous)


def _is_punct_or_space(token: str) -> bool:
    return all(unicodedata.category(ch)[0] in "PSZC" for ch in token)


class Tokenizer(BaseEstimator):
    """Callable segmenter: ``Tokenizer()(text) -> list[str]``.

    Parameters
    ----------
    user_dict : str or path-like, optional
        Extra jieba user dictionary (``word [freq] [pos]`` per line, UTF-8,
        ``#`` comment lines allowed), loaded after the packaged domain
        dictionary, so its entries win.
    stopwords : None, str, path-like or iterable of str
        None: the packaged list (`load_stopwords()`). A path: that file
        *replaces* the packaged list. An iterable of words: exactly those
        words (use ``load_stopwords() | {...}`` to extend the default).
    min_len : int, default 2
        Tokens shorter than this many characters are dropped. Single
        characters in Chinese are mostly function words or fragments
        (the kept words below, such as 不, are exempt).
    keep_words : None, str, path-like or iterable of str
        Words never removed: not as stopwords, not by ``min_len``, not as
        names. None: the packaged negation and deficiency words
        (`load_negation_words()`); a path: that file instead; an iterable:
        exactly those words (``()`` keeps nothing special). Each kept word of
        two or more characters is also added to the segmenter's dictionary
        (frequency 5000), so 不及时 or 有待 come out as one token.
    drop_names : bool, default True
        Drop organ and place names (`is_name`): the division table's place names
        (`place_names()`) and the agencies' names.
    agencies : None or iterable of str
        Agency names whose organ part and abbreviations are dropped when
        ``drop_names``. None: the agencies of the corpus's ``metadata.csv``
        (`corpus_agencies()`: the shipped corpus or ``$XXGK_CORPUS``, read at
        first use; none if no corpus is found).
    keep_numbers : bool, default False
        Keep tokens that are pure numbers (``2023``, ``12.5%``).
    cache_size : int, default 100_000
        Number of distinct texts whose tokens are remembered (least recently
        used are evicted). 0 disables the cache.
    backend : {"jieba", "rjieba"}, default "jieba"
        Segmentation engine; only the raw segmentation call differs, the
        dictionaries, normalisation, filters and cache are shared.
        ``"jieba"``: the pure-Python jieba package. ``"rjieba"``: rjieba, the
        Python binding of jieba-rs (a Rust port of jieba with the same default
        dictionary and precise-mode algorithm), loaded with the same domain
        dictionary and ``user_dict`` and also run with the HMM off. Install it
        with ``pip install 'xxgk[fast]'`` (or ``pip install 'rjieba>=0.2.2'``;
        older releases cannot load a dictionary). It is several times faster
        end to end (measured 5.2-5.4x on the benchmark's section texts, and
        9.8x with --n 1000 once the name rule was added; the segmentation
        step alone 14-29x, the rest being normalisation and filtering;
        ``python -m benchmarks --only tokenize`` measures it).
        Tokens agree with jieba's: every domain-dictionary word comes out
        whole exactly as with jieba, and the token lists were identical on
        every text measured (all 151 section texts of the shipped corpus,
        4,000 synthetic section texts, and the raw segmentation of
        20,000 random strings), so no
        difference even in how unknown words are split was found. The
        value is checked when the first text is tokenized: ValueError if it
        is neither name, ImportError if rjieba is missing or too old.

    Notes
    -----
    * Text is NFKC-normalised first (full-width digits/letters/punctuation
      become half-width).
    * Segmentation uses jieba's precise mode with ``HMM=False``. Both modes
      are deterministic, and dictionary terms stay whole in both; but the HMM
      glues unknown characters into guessed words (e.g. fragments across
      a word boundary) whose shape changes whenever the dictionary changes.
      Without it, every token is a dictionary word (or a run of
      Latin letters/digits), so topic vocabularies are stable and readable;
      unknown words fall apart into single characters and are removed by
      ``min_len``. Add missing terms with ``user_dict`` rather than relying
      on the HMM.
    * Latin letters are not lower-cased (``CountVectorizer(lowercase=False)``
      is expected); pass ``lowercase=True`` to the vectorizer if wanted.
    * Each instance owns its own ``jieba.Tokenizer`` (or ``rjieba.Jieba``),
      created on first use; the global ``jieba.dt`` and rjieba's module-level
      default instance are never modified.
    * Words of the domain dictionary (and ``user_dict``) are never dropped as
      names, so 政务服务中心 or 阳光理政 stay whatever the rule says.
    * Pickling (joblib, ``copy.deepcopy``, ``sklearn.base.clone``) keeps only
      the parameters; the segmenter instance and the cache are rebuilt lazily.
    * Not safe to call from several threads at once (the cache is a plain
      ordered dict).
    """

    def __init__(
        self,
        user_dict=None,
        stopwords=None,
        min_len=2,
        keep_numbers=False,
        cache_size=100_000,
        backend="jieba",
        keep_words=None,
        drop_names=True,
        agencies=None,
    ):
        self.user_dict = user_dict
        self.stopwords = stopwords
        self.min_len = min_len
        self.keep_numbers = keep_numbers
        self.cache_size = cache_size
        self.backend = backend
        self.keep_words = keep_words
        self.drop_names = drop_names
        self.agencies = agencies

    # -- lazy state -----------------------------------------------------

    def _resolved_stopwords(self) -> frozenset[str]:
        if getattr(self, "_stopword_set", None) is None:
            self._stopword_set = _word_set(self.stopwords, load_stopwords, "stopwords")
        return self._stopword_set

    def _resolved_keep_words(self) -> frozenset[str]:
        if getattr(self, "_keep_set", None) is None:
            self._keep_set = _word_set(self.keep_words, load_negation_words, "keep_words")
        return self._keep_set

    def _user_entries(self) -> list[tuple[str, int | None, str | None]]:
        if self.user_dict is None:
            return []
        with open(self.user_dict, encoding="utf-8") as fh:
            return list(_userdict_entries(fh.read()))

    def _extra_words(self) -> list[str]:
        """Words added to the segmenter beyond the domain dictionary (frequency 5000): the kept
        words, and the agencies' names when ``drop_names`` — whole, so that 工业和信息化厅 is
        dropped as one name instead of leaving 工业 and 信息化 behind."""
        words = [w for w in sorted(self._resolved_keep_words()) if len(w) >= 2]
        if self.drop_names:
            words += self._name_rule()[0].organ_words()
        return words

    def _dictionary_entries(self) -> list[tuple[str, int | None, str | None]]:
        """(word, freq, pos) added to the segmenter, in loading order: the domain dictionary,
        the extra words, then ``user_dict``."""
        return (list(_userdict_entries(domain_dict_text()))
                + [(w, _KEEP_WORD_FREQ, None) for w in self._extra_words()] + self._user_entries())

    def _resolved_agencies(self) -> tuple[str, ...]:
        if self.agencies is not None:
            if isinstance(self.agencies, str):
                raise TypeError("agencies must be an iterable of names, not a single str")
            return tuple(str(a) for a in self.agencies)
        from ..corpus import CorpusNotFound

        try:
            return corpus_agencies()
        except CorpusNotFound:  # no corpus to learn agency names from: places only
            return ()

    def _name_rule(self):
        names = getattr(self, "_names", None)
        if names is None:
            protected = {unicodedata.normalize("NFKC", w) for w, _, _ in _userdict_entries(domain_dict_text())}
            protected |= self._resolved_keep_words()
            protected |= {unicodedata.normalize("NFKC", w) for w, _, _ in self._user_entries()}
            names = self._names = (_Names(place_names(), self._resolved_agencies()), frozenset(protected))
        return names

    def is_name(self, token: str) -> bool:
        """Is *token* an organ or place name, as ``drop_names`` drops them?

        The rule: a place name (`place_names()`), or several in a row
        (河北省石家庄市); or, after leading place names and one level character
        (省/市/县/区) are stripped, a generic government organ (省委, 省政府,
        河北省人民政府: 委, 政府, 人民政府, 党委, 人大, 政协 … after a place or
        level), an agency's organ (教育厅 of 河北省教育厅) or an abbreviation of it
        that keeps its last character and some of its other characters in order
        (科技厅 ⊂ 科学技术厅, 人社厅 ⊂ 人力资源和社会保障厅, 省厅).  Dictionary words (domain dictionary, kept words, ``user_dict``) are
        never names.
        """
        rule, protected = self._name_rule()
        token = unicodedata.normalize("NFKC", token).strip()
        return token not in protected and rule(token)

    def _checked_backend(self) -> str:
        backend = self.backend
        if not (isinstance(backend, str) and backend in _BACKENDS):
            raise ValueError(
                f"backend must be one of {', '.join(map(repr, _BACKENDS))}; got {backend!r}"
            )
        return backend

    def _segment(self, text: str) -> list[str]:
        # The only backend-specific step: raw tokens of precise mode, HMM off.
        if self._checked_backend() == "rjieba":
            return self._rjieba_segmenter().cut(text, False)  # (text, hmm)
        return self._jieba_segmenter().lcut(text, cut_all=False, HMM=False)

    def _jieba_segmenter(self):
        seg = getattr(self, "_jieba", None)
        if seg is None:
            import jieba  # deferred: importing jieba is slow and not needed until text arrives

            seg = jieba.Tokenizer()
            with _quiet_jieba_logger():
                seg.initialize()
                seg.load_userdict(_userdict_bytes(domain_dict_text()))
                for word in self._extra_words():
                    seg.add_word(word, _KEEP_WORD_FREQ)
                if self.user_dict is not None:
                    with open(self.user_dict, encoding="utf-8") as fh:
                        seg.load_userdict(_userdict_bytes(fh.read()))
            self._jieba = seg
        return seg

    def _rjieba_segmenter(self):
        seg = getattr(self, "_rjieba", None)
        if seg is None:
            try:
                import rjieba  # deferred like jieba; optional dependency
            except ImportError as exc:
                raise ImportError(
                    f"Tokenizer(backend='rjieba') needs the rjieba package: {_INSTALL_RJIEBA}"
                ) from exc
            if not hasattr(rjieba.Jieba, "add_word"):
                from importlib.metadata import PackageNotFoundError, version

                try:
                    found = version("rjieba")
                except PackageNotFoundError:
                    found = "unknown"
                raise ImportError(
                    f"Tokenizer(backend='rjieba') needs rjieba>={_RJIEBA_MIN_VERSION} "
                    f"(Jieba.add_word), found version {found}: {_INSTALL_RJIEBA}"
                )
            seg = rjieba.Jieba()
            for word, freq, pos in self._dictionary_entries():
                seg.add_word(word, freq, pos)
            self._rjieba = seg
        return seg

    def _token_cache(self) -> OrderedDict:
        cache = getattr(self, "_cache", None)
        if cache is None:
            cache = self._cache = OrderedDict()
        return cache

    def _reset(self) -> None:
        for name in _LAZY_ATTRS:
            self.__dict__.pop(name, None)

    # -- public ----------------------------------------------------------

    def __call__(self, text: str) -> list[str]:
        """Tokenize one text.

        Returns
        -------
        list of str
            Tokens in text order, after NFKC normalisation, with stopwords,
            whitespace, punctuation/symbol-only tokens, tokens shorter than
            ``min_len`` and (unless ``keep_numbers``) pure numbers removed.
            A new list on every call; mutating it does not affect the cache.
        """
        if not isinstance(text, str):
            raise TypeError(f"Tokenizer expects str, got {type(text).__name__}: {text!r:.80}")
        if self.cache_size and self.cache_size > 0:
            cache = self._token_cache()
            hit = cache.get(text)
            if hit is not None:
                cache.move_to_end(text)
                return list(hit)
            tokens = self._tokenize(text)
            cache[text] = tuple(tokens)
            while len(cache) > self.cache_size:
                cache.popitem(last=False)
            return tokens
        return self._tokenize(text)

    def segment(self, text: str) -> list[str]:
        """The raw segmentation of *text*: NFKC-normalised, precise mode, HMM off,
        with the domain dictionary and kept words loaded; nothing filtered except
        whitespace-only tokens. ``"".join(tok.segment(t))`` is ``t`` normalised,
        without whitespace."""
        if not isinstance(text, str):
            raise TypeError(f"Tokenizer expects str, got {type(text).__name__}: {text!r:.80}")
        return [tok for tok in self._segment(unicodedata.normalize("NFKC", text)) if tok.strip()]

    def _tokenize(self, text: str) -> list[str]:
        normalised = unicodedata.normalize("NFKC", text)
        stop = self._resolved_stopwords()
        keep = self._resolved_keep_words()
        if self.drop_names:
            rule, protected = self._name_rule()
        out = []
        for raw in self._segment(normalised):
            tok = raw.strip()
            if tok in keep:
                out.append(tok)
                continue
            if (
                len(tok) < self.min_len
                or tok in stop
                or _is_punct_or_space(tok)
                or (not self.keep_numbers and _NUMBER.fullmatch(tok))
                or (self.drop_names and tok not in protected and rule(tok))
            ):
                continue
            out.append(tok)
        return out

    def set_params(self, **params):
        """Set parameters (scikit-learn API); drops the cached segmenter
        instance, stopword set and token cache, which depend on them."""
        result = super().set_params(**params)
        self._reset()
        return result

    def __getstate__(self):
        state = super().__getstate__()
        for name in _LAZY_ATTRS:
            state.pop(name, None)
        return state
