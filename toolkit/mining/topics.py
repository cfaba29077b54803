"""Topics and distinctive vocabulary of report narratives.

Built for section 五 (存在的主要问题及改进情况), split into items as a DataFrame
with columns ``report_id, part, item, text``, but any list of Chinese texts
works. Everywhere a ``texts`` argument is accepted it may be a list of str,
a pandas Series of str, or a DataFrame with a ``text`` column.

* `TopicModel` — TF-IDF + NMF (or k-means) topics, scikit-learn transformer.
* `choose_n_topics` — topic stability across random restarts, per k.
* `distinctive_terms` — log-odds ratio with informative Dirichlet prior
  between two groups (e.g. problem vs improvement).

All results are deterministic for a fixed ``random_state``; ties are broken by
term (alphabetical code-point order) or by document position.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.cluster import KMeans
from sklearn.decomposition import NMF
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from .tokenizer import Tokenizer

__all__ = ["TopicModel", "choose_n_topics", "distinctive_terms"]

_METHODS = ("nmf", "kmeans")
# NMF's default 200 iterations often stops short on small sparse corpora,
# which would make results depend on a convergence warning nobody reads.
_NMF_MAX_ITER = 1000


# -- input helpers ---------------------------------------------------------


def _as_text_list(texts) -> list[str]:
    """Copy `texts` (list / Series / DataFrame with ``text``) into a new list of
    str, validating every element. The input is never modified."""
    if isinstance(texts, pd.DataFrame):
        if "text" not in texts.columns:
            raise ValueError("a DataFrame passed as texts needs a 'text' column")
        texts = texts["text"]
    if isinstance(texts, str):
        raise TypeError("texts must be a sequence of str, not a single str")
    values = list(texts.tolist() if isinstance(texts, pd.Series) else texts)
    for i, value in enumerate(values):
        if not isinstance(value, str):
            raise TypeError(
                f"texts[{i}] is {type(value).__name__} ({value!r:.60}), expected str; "
                "drop or fill missing texts first"
            )
    return values


def _make_vectorizer(tokenizer, max_df, min_df) -> TfidfVectorizer:
    return TfidfVectorizer(
        tokenizer=tokenizer if tokenizer is not None else Tokenizer(),
        token_pattern=None,
        lowercase=False,
        max_df=max_df,
        min_df=min_df,
    )


def _fit_tfidf(docs: list[str], tokenizer, max_df, min_df):
    if not docs:
        raise ValueError("no texts given")
    vectorizer = _make_vectorizer(tokenizer, max_df, min_df)
    try:
        X = vectorizer.fit_transform(docs)
    except ValueError as err:
        # sklearn's messages ("After pruning, no terms remain", "empty
        # vocabulary") do not say which knob to turn for a small corpus.
        raise ValueError(
            f"no vocabulary left for {len(docs)} texts with min_df={min_df!r}, "
            f"max_df={max_df!r} (after stopwords): lower min_df, raise max_df, "
            f"or give more/longer texts. sklearn said: {err}"
        ) from err
    return vectorizer, X


def _check_n_topics(k, n_docs, n_terms) -> None:
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or k < 1:
        raise ValueError(f"n_topics must be a positive int, got {k!r}")
    if k > n_docs:
        raise ValueError(f"n_topics={k} exceeds the number of texts ({n_docs}); use n_topics <= {n_docs}")
    if k > n_terms:
        raise ValueError(
            f"n_topics={k} exceeds the vocabulary size ({n_terms} terms after min_df/max_df); "
            f"use n_topics <= {n_terms} or lower min_df"
        )


def _top_indices(weights: np.ndarray, n: int) -> np.ndarray:
    """Indices of the n largest entries per row, largest first; ties keep the
    lower index (= alphabetically earlier term, since vocabularies are sorted)."""
    order = np.argsort(-weights, axis=1, kind="stable")
    return order[:, :n]


# -- TopicModel --------------------------------------------------------------


class TopicModel(TransformerMixin, BaseEstimator):
    """Topics of short Chinese texts: TF-IDF, then NMF or k-means.

    Parameters
    ----------
    n_topics : int, default 5
        Number of topics; must be <= number of texts and <= vocabulary size.
        See `choose_n_topics`.
    method : {"nmf", "kmeans"}, default "nmf"
        "nmf": non-negative matrix factorisation (``init="nndsvda"``), a text
        can mix topics. "kmeans": each text belongs to one cluster
        (``n_init=10``).
    tokenizer : callable, optional
        ``str -> list[str]``; default ``toolkit.mining.tokenizer.Tokenizer()``.
    max_df, min_df : float or int
        Passed to ``TfidfVectorizer``: drop terms in more than ``max_df``
        (share or count) / fewer than ``min_df`` texts.
    top_n : int, default 10
        Default number of terms in `top_terms`.
    random_state : int, default 0
        Seed for NMF / k-means.
    labels : list of str, optional
        Readable topic names, one per topic, used instead of the automatic
        ones in ``topic_labels_``.

    Attributes
    ----------
    vectorizer_ : TfidfVectorizer
        Fitted vectorizer; ``vectorizer_.get_feature_names_out()`` are the terms.
    model_ : NMF or KMeans
        Fitted model.
    components_ : ndarray of shape (n_topics, n_terms)
        Topic x term weights (NMF ``components_``; k-means cluster centres in
        TF-IDF space).
    labels_ : ndarray of int of shape (n_texts,)
        Topic of each training text (argmax of `transform`; lowest topic on
        ties). -1 for a text with no term of the vocabulary.
    topic_labels_ : list of str
        One label per topic: its top 3 terms joined by "·" (e.g.
        "政策解读·解读·形式"), or ``labels`` if given.
    """

    def __init__(
        self,
        n_topics=5,
        method="nmf",
        tokenizer=None,
        max_df=0.9,
        min_df=2,
        top_n=10,
        random_state=0,
        labels=None,
    ):
        self.n_topics = n_topics
        self.method = method
        self.tokenizer = tokenizer
        self.max_df = max_df
        self.min_df = min_df
        self.top_n = top_n
        self.random_state = random_state
        self.labels = labels

    def fit(self, texts, y=None):
        """Fit on `texts` (list / Series of str, or DataFrame with ``text``).
        ``y`` is ignored. Returns self."""
        if self.method not in _METHODS:
            raise ValueError(f"method must be one of {_METHODS}, got {self.method!r}")
        docs = _as_text_list(texts)
        if self.labels is not None and len(self.labels) != self.n_topics:
            raise ValueError(f"labels has {len(self.labels)} entries but n_topics={self.n_topics}")
        vectorizer, X = _fit_tfidf(docs, self.tokenizer, self.max_df, self.min_df)
        _check_n_topics(self.n_topics, X.shape[0], X.shape[1])

        if self.method == "nmf":
            model = NMF(
                n_components=self.n_topics,
                init="nndsvda",
                random_state=self.random_state,
                max_iter=_NMF_MAX_ITER,
            )
            model.fit(X)
            components = model.components_
        else:
            model = KMeans(n_clusters=self.n_topics, n_init=10, random_state=self.random_state)
            model.fit(X)
            components = model.cluster_centers_

        self.vectorizer_ = vectorizer
        self.model_ = model
        self.components_ = components
        self.labels_ = self._assign(X)
        terms = vectorizer.get_feature_names_out()
        if self.labels is not None:
            self.topic_labels_ = [str(label) for label in self.labels]
        else:
            self.topic_labels_ = ["·".join(terms[idx]) for idx in _top_indices(components, 3)]
        return self

    def _weights(self, X) -> np.ndarray:
        if self.method == "nmf":
            return self.model_.transform(X)
        return -self.model_.transform(X)

    def _assign(self, X) -> np.ndarray:
        labels = np.argmax(self._weights(X), axis=1).astype(np.int64)
        labels[np.asarray(X.getnnz(axis=1)) == 0] = -1
        return labels

    def transform(self, texts) -> np.ndarray:
        """Document-topic weights, ndarray of shape (n_texts, n_topics), float.

        "nmf": the non-negative topic loadings (rows not normalised; an
        all-zero row means the text has no vocabulary term).
        "kmeans": minus the Euclidean distance of the text's TF-IDF vector to
        each cluster centre, so larger is closer and argmax is the cluster,
        as for NMF.
        """
        check_is_fitted(self, "model_")
        X = self.vectorizer_.transform(_as_text_list(texts))
        return self._weights(X)

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """Names of the `transform` columns: ``topic_0`` ... ``topic_{k-1}``
        (ndarray of object/str)."""
        check_is_fitted(self, "components_")
        return np.asarray([f"topic_{i}" for i in range(self.components_.shape[0])], dtype=object)

    def top_terms(self, n=None) -> pd.DataFrame:
        """Highest-weighted terms of each topic.

        Parameters
        ----------
        n : int, optional
            Terms per topic; default ``top_n``.

        Returns
        -------
        DataFrame, one row per (topic, term), ordered by topic then rank:

        ======  =======  ====================================================
        topic   Int64    topic index, 0 .. n_topics-1
        label   string   ``topic_labels_[topic]``
        rank    Int64    1 = highest weight within the topic
        term    string   the term
        weight  Float64  its weight in ``components_``
        ======  =======  ====================================================

        Terms with weight 0 are left out, so a topic can have fewer than n
        rows. Ties are ranked alphabetically.
        """
        check_is_fitted(self, "components_")
        n = self.top_n if n is None else n
        terms = self.vectorizer_.get_feature_names_out()
        rows = []
        for topic, idx in enumerate(_top_indices(self.components_, n)):
            rank = 0
            for j in idx:
                weight = float(self.components_[topic, j])
                if weight <= 0:
                    continue
                rank += 1
                rows.append((topic, self.topic_labels_[topic], rank, terms[j], weight))
        frame = pd.DataFrame(rows, columns=["topic", "label", "rank", "term", "weight"])
        return frame.astype(
            {"topic": "Int64", "label": "string", "rank": "Int64", "term": "string", "weight": "Float64"}
        )

    def representative(self, texts, n=3) -> pd.DataFrame:
        """The `n` texts with the highest weight (`transform`) in each topic.

        Parameters
        ----------
        texts : list / Series of str, or DataFrame with ``text``
            Usually the training texts.
        n : int, default 3

        Returns
        -------
        DataFrame ordered by topic then rank:

        =========  =======  ===================================================
        topic      Int64    topic index
        rank       Int64    1 = most representative
        doc_index  Int64    position of the text in `texts` (0-based, not the
                            Series/DataFrame index)
        weight     Float64  the text's `transform` weight for the topic (for
                            "kmeans" minus the distance to the centre)
        text       string   the text
        =========  =======  ===================================================

        For "nmf", texts with weight 0 in a topic are never listed for it.
        Ties are ranked by doc_index.
        """
        check_is_fitted(self, "model_")
        docs = _as_text_list(texts)
        W = self.transform(docs)
        rows = []
        for topic in range(W.shape[1]):
            order = np.argsort(-W[:, topic], kind="stable")
            rank = 0
            for i in order:
                if rank == n:
                    break
                if self.method == "nmf" and W[i, topic] <= 0:
                    break
                rank += 1
                rows.append((topic, rank, int(i), float(W[i, topic]), docs[i]))
        frame = pd.DataFrame(rows, columns=["topic", "rank", "doc_index", "weight", "text"])
        return frame.astype(
            {"topic": "Int64", "rank": "Int64", "doc_index": "Int64", "weight": "Float64", "text": "string"}
        )


# -- choosing k ----------------------------------------------------------------


def _jaccard_matrix(a: list[frozenset], b: list[frozenset]) -> np.ndarray:
    return np.array([[len(x & y) / len(x | y) if (x | y) else 1.0 for y in b] for x in a])


def _matched_jaccard(a: list[frozenset], b: list[frozenset]) -> float:
    """Mean Jaccard of top-term sets under the one-to-one topic matching that
    maximises it (Hungarian algorithm), so two topics of one run cannot both
    claim the same topic of the other."""
    sim = _jaccard_matrix(a, b)
    rows, cols = linear_sum_assignment(sim, maximize=True)
    return float(sim[rows, cols].mean())


def choose_n_topics(texts, ks=range(2, 9), n_runs=5, random_state=0, **params) -> pd.DataFrame:
    """Topic stability per number of topics, to help choose ``n_topics``.

    For each k, NMF is fitted ``n_runs`` times on the same TF-IDF matrix with
    different random initialisations (``init="random"``; the ``"nndsvda"``
    initialisation of `TopicModel` is deterministic, so seeds would change
    nothing). For every pair of runs the topics are matched one-to-one and
    the Jaccard overlap of their top-10 term sets is averaged (Greene,
    O'Callaghan & Cunningham 2014, "How many topics? Stability analysis for
    topic models").

    Parameters
    ----------
    texts : list / Series of str, or DataFrame with ``text``
    ks : iterable of int, default range(2, 9)
        Each must be <= number of texts and <= vocabulary size.
    n_runs : int, default 5
        Runs per k (>= 2).
    random_state : int, default 0
        Seeds the per-run seeds.
    **params
        ``tokenizer``, ``max_df``, ``min_df`` (as in `TopicModel`) and
        ``top_n`` (size of the compared term sets, default 10).

    Returns
    -------
    DataFrame, one row per k in the order given:

    ====================  =======  ============================================
    k                     Int64    number of topics
    stability             Float64  mean matched top-term Jaccard over all pairs
                                   of runs, in [0, 1]; 1 = every run finds the
                                   same topics
    reconstruction_error  Float64  mean NMF Frobenius reconstruction error
                                   ``||X - WH||`` over the runs
    ====================  =======  ============================================

    How to read it: pick the k with the highest stability (a topic structure
    that reappears whatever the initialisation). Reconstruction error always
    falls as k grows, so use it only to break near-ties or to spot the
    "elbow"; never pick the k with the lowest error.
    """
    allowed = {"tokenizer", "max_df", "min_df", "top_n"}
    unknown = set(params) - allowed
    if unknown:
        raise TypeError(f"unexpected parameters {sorted(unknown)}; allowed: {sorted(allowed)}")
    if n_runs < 2:
        raise ValueError(f"n_runs must be >= 2 to measure stability, got {n_runs}")
    defaults = TopicModel().get_params()
    top_n = params.get("top_n", 10)
    docs = _as_text_list(texts)
    _, X = _fit_tfidf(
        docs,
        params.get("tokenizer", defaults["tokenizer"]),
        params.get("max_df", defaults["max_df"]),
        params.get("min_df", defaults["min_df"]),
    )
    ks = list(ks)
    for k in ks:
        _check_n_topics(k, X.shape[0], X.shape[1])
    seeds = check_random_state(random_state).randint(0, np.iinfo(np.int32).max, size=n_runs)

    rows = []
    for k in ks:
        term_sets, errors = [], []
        for seed in seeds:
            model = NMF(n_components=k, init="random", random_state=int(seed), max_iter=_NMF_MAX_ITER)
            model.fit(X)
            errors.append(model.reconstruction_err_)
            term_sets.append([frozenset(idx) for idx in _top_indices(model.components_, top_n)])
        pairs = [
            _matched_jaccard(term_sets[i], term_sets[j])
            for i in range(n_runs)
            for j in range(i + 1, n_runs)
        ]
        rows.append((k, float(np.mean(pairs)), float(np.mean(errors))))
    frame = pd.DataFrame(rows, columns=["k", "stability", "reconstruction_error"])
    return frame.astype({"k": "Int64", "stability": "Float64", "reconstruction_error": "Float64"})


# -- distinctive terms -----------------------------------------------------------


def distinctive_terms(texts, groups, tokenizer=None, prior=0.01, top_n=20) -> pd.DataFrame:
    """Terms that separate two groups of texts: log-odds ratio with an
    informative Dirichlet prior (Monroe, Colaresi & Quinn 2008, "Fightin'
    Words", Political Analysis 16(4), section 3.5).

    For term w with counts y_a, y_b in the two groups (totals n_a, n_b), the
    prior pseudo-count is ``alpha_w = prior * (y_a + y_b)`` (the pooled corpus,
    scaled; alpha_0 = sum of alpha_w) and

        delta_w = log((y_a+alpha_w) / (n_a+alpha_0-y_a-alpha_w))
                - log((y_b+alpha_w) / (n_b+alpha_0-y_b-alpha_w))
        z_w     = delta_w / sqrt(1/(y_a+alpha_w) + 1/(y_b+alpha_w))

    Parameters
    ----------
    texts : list / Series of str, or DataFrame with ``text``
    groups : array-like, or a column name when `texts` is a DataFrame
        One label per text with exactly two distinct values, e.g. the
        ``part`` column (problem / improvement) or an admin level.
    tokenizer : callable, optional
        Default ``toolkit.mining.tokenizer.Tokenizer()``.
    prior : float, default 0.01
        Strength of the prior as a share of the pooled counts (> 0). Larger
        values shrink rare terms' z-scores more.
    top_n : int or None, default 20
        Rows kept per group (the terms favouring each group with largest
        |z|); None keeps every term.

    Returns
    -------
    DataFrame sorted by |log_odds| descending, then term:

    ========  =======  ========================================================
    term      string   the term
    group     string   label (as str) of the group the term is more typical of
    log_odds  Float64  z-score of the log-odds ratio, group a vs group b;
                       positive favours a, negative favours b
    count_a   Int64    occurrences of the term in group a's texts
    count_b   Int64    occurrences in group b's texts
    ========  =======  ========================================================

    Group a is the first of the two labels in sorted order, b the second;
    ``df.attrs["group_a"]`` and ``df.attrs["group_b"]`` hold them. A term with
    z = 0 is assigned to group a.
    """
    if isinstance(texts, pd.DataFrame) and isinstance(groups, str):
        if groups not in texts.columns:
            raise ValueError(f"texts has no column {groups!r}")
        groups = texts[groups]
    docs = _as_text_list(texts)
    labels = pd.Series(list(groups.tolist() if isinstance(groups, pd.Series) else groups), dtype=object)
    if len(labels) != len(docs):
        raise ValueError(f"groups has {len(labels)} entries but there are {len(docs)} texts")
    if labels.isna().any():
        raise ValueError("groups contains missing values; drop those texts first")
    distinct = sorted(labels.unique().tolist(), key=lambda v: (str(type(v)), v))
    if len(distinct) != 2:
        raise ValueError(f"groups must have exactly 2 distinct values, got {len(distinct)}: {distinct!r:.200}")
    if not prior > 0:
        raise ValueError(f"prior must be > 0, got {prior!r}")
    group_a, group_b = distinct

    vectorizer = CountVectorizer(
        tokenizer=tokenizer if tokenizer is not None else Tokenizer(),
        token_pattern=None,
        lowercase=False,
    )
    try:
        counts = vectorizer.fit_transform(docs)
    except ValueError as err:
        raise ValueError(f"no terms found in the texts after tokenization: {err}") from err
    in_a = (labels == group_a).to_numpy()
    y_a = np.asarray(counts[in_a].sum(axis=0)).ravel().astype(float)
    y_b = np.asarray(counts[~in_a].sum(axis=0)).ravel().astype(float)
    alpha = prior * (y_a + y_b)
    alpha0 = alpha.sum()
    n_a, n_b = y_a.sum(), y_b.sum()
    delta = np.log((y_a + alpha) / (n_a + alpha0 - y_a - alpha)) - np.log(
        (y_b + alpha) / (n_b + alpha0 - y_b - alpha)
    )
    z = delta / np.sqrt(1.0 / (y_a + alpha) + 1.0 / (y_b + alpha))

    frame = pd.DataFrame(
        {
            "term": vectorizer.get_feature_names_out(),
            "group": np.where(z >= 0, str(group_a), str(group_b)),
            "log_odds": z,
            "count_a": y_a.astype(np.int64),
            "count_b": y_b.astype(np.int64),
        }
    )
    frame["_abs"] = frame["log_odds"].abs()
    frame = frame.sort_values(["_abs", "term"], ascending=[False, True], kind="mergesort")
    if top_n is not None:
        frame = frame.groupby("group", sort=False).head(top_n)
    frame = frame.drop(columns="_abs").reset_index(drop=True)
    frame = frame.astype(
        {"term": "string", "group": "string", "log_odds": "Float64", "count_a": "Int64", "count_b": "Int64"}
    )
    frame.attrs["group_a"] = group_a
    frame.attrs["group_b"] = group_b
    return frame
