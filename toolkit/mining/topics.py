"""Topics and distinctive vocabulary of report narratives.

Built for section 五 (存在的主要问题及改进情况), split into items as a DataFrame
with columns ``report_id, part, item, text``, but any list of Chinese texts
works. Everywhere a ``texts`` argument is accepted it may be a list of str,
a pandas Series of str, or a DataFrame with a ``text`` column.

* `TopicModel` — TF-IDF + NMF (or k-means) topics, scikit-learn transformer,
  with each topic's stability across random restarts (``topic_stability_``)
  and its share by a covariate (`TopicModel.share_by`).
* `choose_n_topics` — topic stability across random restarts, per k, as mean
  ± sd over fixed seeds.
* `distinctive_terms` — log-odds ratio with informative Dirichlet prior
  between two groups (e.g. problem vs improvement), its z-score, and
  Benjamini–Hochberg-adjusted p-values.

Heading items (a DataFrame with ``is_heading`` true, as `load_narratives`
marks ``（二）整改措施``) are skipped by every fitting function unless
``include_headings=True``: they carry no content and would form topics of
their own.

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
from sklearn.utils.validation import check_is_fitted

from .tokenizer import Tokenizer

__all__ = ["TopicModel", "choose_n_topics", "distinctive_terms", "SHARE_COVARIATES"]

_METHODS = ("nmf", "kmeans")
# Covariates of load_narratives() that share_by is made for (any column works).
SHARE_COVARIATES = ("year", "admin_level", "sector", "template")
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


def _content_mask(texts, include_headings: bool) -> np.ndarray:
    """True for the texts to fit on: all, or (for a DataFrame with ``is_heading``) the non-headings."""
    n = len(texts)
    if include_headings or not isinstance(texts, pd.DataFrame) or "is_heading" not in texts.columns:
        return np.ones(n, dtype=bool)
    return ~texts["is_heading"].fillna(False).astype(bool).to_numpy()


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
    n_restarts : int, default 10
        Restarts from random initialisations (NMF ``init="random"``; k-means
        ``n_init=1``) with the fixed seeds ``restart_seeds_``, to measure each
        topic's stability; 0 skips the measurement. Must be 0 or >= 2.
    include_headings : bool, default False
        Fit on heading items too (see the module docstring).

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
        ties). -1 for a text with no term of the vocabulary and for a heading
        item left out of the fit.
    topic_labels_ : list of str
        One label per topic: its top 3 terms joined by "·" (e.g.
        "政策解读·解读·形式"), or ``labels`` if given.
    restart_seeds_ : list of int
        The seeds of the restarts: ``random_state + 1 … random_state + n_restarts``.
    restart_similarity_ : ndarray of shape (n_restarts, n_topics)
        For each restart and each fitted topic, the Jaccard overlap of the
        topic's top-``top_n`` terms with its match in the restart (topics
        matched one to one, Hungarian algorithm, to maximise the total).
    topic_stability_ : DataFrame
        One row per topic: ``topic`` (Int64), ``label`` (string),
        ``stability`` (Float64, mean of its best-match similarity over the
        restarts, in [0, 1]; 1 = every restart finds the same top terms),
        ``stability_sd`` (Float64, standard deviation over the restarts,
        ddof=1) and ``stability_min`` (Float64, the worst restart).  A topic
        whose stability is low is an artefact of one initialisation, not a
        theme of the corpus; report it as such.  All <NA> with
        ``n_restarts=0``.
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
        n_restarts=10,
        include_headings=False,
    ):
        self.n_topics = n_topics
        self.method = method
        self.tokenizer = tokenizer
        self.max_df = max_df
        self.min_df = min_df
        self.top_n = top_n
        self.random_state = random_state
        self.labels = labels
        self.n_restarts = n_restarts
        self.include_headings = include_headings

    def fit(self, texts, y=None):
        """Fit on `texts` (list / Series of str, or DataFrame with ``text``;
        heading items skipped, see ``include_headings``). ``y`` is ignored.
        Returns self."""
        if self.method not in _METHODS:
            raise ValueError(f"method must be one of {_METHODS}, got {self.method!r}")
        if not isinstance(self.n_restarts, (int, np.integer)) or self.n_restarts == 1 or self.n_restarts < 0:
            raise ValueError(f"n_restarts must be 0 or an int >= 2, got {self.n_restarts!r}")
        all_docs = _as_text_list(texts)
        keep = _content_mask(texts, self.include_headings)
        docs = [d for d, k in zip(all_docs, keep) if k]
        if self.labels is not None and len(self.labels) != self.n_topics:
            raise ValueError(f"labels has {len(self.labels)} entries but n_topics={self.n_topics}")
        vectorizer, X = _fit_tfidf(docs, self.tokenizer, self.max_df, self.min_df)
        _check_n_topics(self.n_topics, X.shape[0], X.shape[1])

        model = self._make_model(self.random_state, restart=False)
        model.fit(X)
        components = model.components_ if self.method == "nmf" else model.cluster_centers_

        self.vectorizer_ = vectorizer
        self.model_ = model
        self.components_ = components
        labels = np.full(len(all_docs), -1, dtype=np.int64)
        labels[keep] = self._assign(X)
        self.labels_ = labels
        terms = vectorizer.get_feature_names_out()
        if self.labels is not None:
            self.topic_labels_ = [str(label) for label in self.labels]
        else:
            self.topic_labels_ = ["·".join(terms[idx]) for idx in _top_indices(components, 3)]
        self._measure_stability(X)
        return self

    def _make_model(self, seed, restart: bool):
        if self.method == "nmf":
            # the fit itself starts from the deterministic nndsvda; restarts from random points
            return NMF(n_components=self.n_topics, init="random" if restart else "nndsvda",
                       random_state=seed, max_iter=_NMF_MAX_ITER)
        return KMeans(n_clusters=self.n_topics, n_init=1 if restart else 10, random_state=seed)

    def _measure_stability(self, X) -> None:
        self.restart_seeds_ = [int(self.random_state) + i for i in range(1, self.n_restarts + 1)]
        reference = [frozenset(idx) for idx in _top_indices(self.components_, self.top_n)]
        sims = np.empty((self.n_restarts, self.n_topics))
        for r, seed in enumerate(self.restart_seeds_):
            model = self._make_model(seed, restart=True)
            model.fit(X)
            found = model.components_ if self.method == "nmf" else model.cluster_centers_
            other = [frozenset(idx) for idx in _top_indices(found, self.top_n)]
            sim = _jaccard_matrix(reference, other)
            rows, cols = linear_sum_assignment(sim, maximize=True)
            sims[r, rows] = sim[rows, cols]
        self.restart_similarity_ = sims
        n = self.n_restarts
        frame = pd.DataFrame({
            "topic": range(self.n_topics),
            "label": self.topic_labels_,
            "stability": sims.mean(axis=0) if n else [pd.NA] * self.n_topics,
            "stability_sd": sims.std(axis=0, ddof=1) if n else [pd.NA] * self.n_topics,
            "stability_min": sims.min(axis=0) if n else [pd.NA] * self.n_topics,
        })
        self.topic_stability_ = frame.astype({"topic": "Int64", "label": "string", "stability": "Float64",
                                              "stability_sd": "Float64", "stability_min": "Float64"})

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
        Heading items of a DataFrame are never listed (unless the model was
        made with ``include_headings=True``). Ties are ranked by doc_index.
        """
        check_is_fitted(self, "model_")
        docs = _as_text_list(texts)
        keep = _content_mask(texts, self.include_headings)
        W = self.transform(docs)
        rows = []
        for topic in range(W.shape[1]):
            order = np.argsort(-W[:, topic], kind="stable")
            rank = 0
            for i in order:
                if rank == n:
                    break
                if not keep[i]:
                    continue
                if self.method == "nmf" and W[i, topic] <= 0:
                    break
                rank += 1
                rows.append((topic, rank, int(i), float(W[i, topic]), docs[i]))
        frame = pd.DataFrame(rows, columns=["topic", "rank", "doc_index", "weight", "text"])
        return frame.astype(
            {"topic": "Int64", "rank": "Int64", "doc_index": "Int64", "weight": "Float64", "text": "string"}
        )

    def share_by(self, items, by: str) -> pd.DataFrame:
        """Each topic's share of the items in each group of a covariate.

        Parameters
        ----------
        items : DataFrame
            With ``text`` and the column *by*, as `toolkit.load_narratives`
            returns (its covariates: ``year``, ``admin_level``, ``sector``,
            ``template``). Heading items are skipped (unless
            ``include_headings``). Not modified.
        by : str
            The covariate column.

        Returns
        -------
        DataFrame, one row per group and topic, sorted by group (its own order;
        a missing value last) then topic:

        ==========  =======  ==================================================
        <by>        as in    the group's value (<NA>: items without one)
                    items
        topic       Int64    topic index
        label       string   ``topic_labels_[topic]``
        share       Float64  mean over the group's items of the item's share of
                             the topic: "nmf", its `transform` weights
                             normalised to sum to 1; "kmeans", 1 for its
                             cluster. The shares of a group sum to 1.
        n_items     Int64    items of the group with at least one vocabulary
                             term (the denominator)
        n_empty     Int64    items of the group with none, left out
        n_reports   Int64    distinct ``report_id`` among the n_items (<NA>
                             without that column)
        stability   Float64  the topic's ``topic_stability_`` (mean over restarts)
        ==========  =======  ==================================================

        A share describes what the group's items write about; with few items
        per group (``n_items``) it is noisy, and items of one organ's
        near-duplicate reports (``duplicate_of``) count once per report.
        """
        check_is_fitted(self, "model_")
        if not isinstance(items, pd.DataFrame) or "text" not in items.columns:
            raise TypeError("items must be a DataFrame with a 'text' column, as load_narratives() returns")
        if by not in items.columns:
            raise ValueError(f"items have no column {by!r}; covariates of load_narratives(): {SHARE_COVARIATES}")
        frame = items[_content_mask(items, self.include_headings)]
        X = self.vectorizer_.transform(_as_text_list(frame))  # as transform() does, kept for k-means
        W = self._weights(X)
        if self.method == "nmf":
            totals = W.sum(axis=1)
            has = totals > 0
            shares = np.divide(W, totals[:, None], out=np.zeros_like(W), where=has[:, None])
        else:
            has = np.asarray(X.getnnz(axis=1)) > 0
            shares = np.zeros_like(W)
            shares[np.arange(len(W)), np.argmax(W, axis=1)] = 1.0
        groups = frame[by]
        reports = frame["report_id"] if "report_id" in frame.columns else None
        keys = pd.unique(groups.dropna())
        if isinstance(groups.dtype, pd.CategoricalDtype):
            keys = [c for c in groups.cat.categories if c in set(keys)]
        else:
            keys = sorted(keys)
        if groups.isna().any():
            keys = list(keys) + [pd.NA]
        rows = []
        stability = self.topic_stability_["stability"]
        for key in keys:
            in_group = (groups.isna() if key is pd.NA else (groups == key)).fillna(False).to_numpy()
            used = in_group & has
            n_items = int(used.sum())
            mean = shares[used].mean(axis=0) if n_items else np.full(W.shape[1], np.nan)
            n_reports = int(reports[used].nunique()) if reports is not None else pd.NA
            for topic in range(W.shape[1]):
                rows.append((key, topic, self.topic_labels_[topic], mean[topic] if n_items else pd.NA, n_items,
                             int((in_group & ~has).sum()), n_reports, stability.iloc[topic]))
        out = pd.DataFrame(rows, columns=[by, "topic", "label", "share", "n_items", "n_empty", "n_reports",
                                          "stability"])
        out = out.astype({"topic": "Int64", "label": "string", "share": "Float64", "n_items": "Int64",
                          "n_empty": "Int64", "n_reports": "Int64", "stability": "Float64"})
        out[by] = out[by].astype(groups.dtype)
        return out


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


def choose_n_topics(texts, ks=range(2, 9), n_runs=10, random_state=0, include_headings=False,
                    **params) -> pd.DataFrame:
    """Topic stability per number of topics, to help choose ``n_topics``.

    For each k, NMF is fitted ``n_runs`` times on the same TF-IDF matrix from
    random initialisations (``init="random"``) with the fixed seeds
    ``random_state, random_state + 1, …, random_state + n_runs - 1`` (the same
    seeds for every k; ``df.attrs["seeds"]``), so the result is reproducible.
    For every pair of runs the topics are matched one-to-one (Hungarian
    algorithm) and the Jaccard overlap of their top-10 term sets is averaged
    (Greene, O'Callaghan & Cunningham 2014, "How many topics? Stability
    analysis for topic models").  Each run's stability is its mean agreement
    with the other runs; the table gives their mean and standard deviation,
    so a reader sees how much the answer depends on the seed.

    Parameters
    ----------
    texts : list / Series of str, or DataFrame with ``text`` (heading items
        skipped unless *include_headings*)
    ks : iterable of int, default range(2, 9)
        Each must be <= number of texts and <= vocabulary size.
    n_runs : int, default 10
        Runs (seeds) per k (>= 2).
    random_state : int, default 0
        The first seed.
    **params
        ``tokenizer``, ``max_df``, ``min_df`` (as in `TopicModel`) and
        ``top_n`` (size of the compared term sets, default 10).

    Returns
    -------
    DataFrame, one row per k in the order given:

    ====================  =======  ============================================
    k                     Int64    number of topics
    stability             Float64  mean over runs of each run's mean matched
                                   top-term Jaccard with the other runs, in
                                   [0, 1]; 1 = every run finds the same topics
    stability_sd          Float64  standard deviation of the runs' stability
                                   (ddof=1): the seed-to-seed spread
    reconstruction_error  Float64  mean NMF Frobenius reconstruction error
                                   ``||X - WH||`` over the runs
    n_runs                Int64    runs per k
    ====================  =======  ============================================

    How to read it: prefer the k with the highest stability whose interval
    ``stability ± 2·stability_sd`` does not overlap a clearly better k; ks
    within each other's spread are not distinguished by this corpus.
    Reconstruction error always falls as k grows, so use it only to break
    near-ties or to spot the "elbow"; never pick the k with the lowest error.
    """
    allowed = {"tokenizer", "max_df", "min_df", "top_n"}
    unknown = set(params) - allowed
    if unknown:
        raise TypeError(f"unexpected parameters {sorted(unknown)}; allowed: {sorted(allowed)}")
    if not isinstance(n_runs, (int, np.integer)) or n_runs < 2:
        raise ValueError(f"n_runs must be >= 2 to measure stability, got {n_runs}")
    defaults = TopicModel().get_params()
    top_n = params.get("top_n", 10)
    keep = _content_mask(texts, include_headings)
    docs = [d for d, k in zip(_as_text_list(texts), keep) if k]
    _, X = _fit_tfidf(
        docs,
        params.get("tokenizer", defaults["tokenizer"]),
        params.get("max_df", defaults["max_df"]),
        params.get("min_df", defaults["min_df"]),
    )
    ks = list(ks)
    for k in ks:
        _check_n_topics(k, X.shape[0], X.shape[1])
    seeds = [int(random_state) + i for i in range(n_runs)]

    rows = []
    for k in ks:
        term_sets, errors = [], []
        for seed in seeds:
            model = NMF(n_components=k, init="random", random_state=seed, max_iter=_NMF_MAX_ITER)
            model.fit(X)
            errors.append(model.reconstruction_err_)
            term_sets.append([frozenset(idx) for idx in _top_indices(model.components_, top_n)])
        pair = np.eye(n_runs)
        for i in range(n_runs):
            for j in range(i + 1, n_runs):
                pair[i, j] = pair[j, i] = _matched_jaccard(term_sets[i], term_sets[j])
        per_run = (pair.sum(axis=1) - 1.0) / (n_runs - 1)  # each run against the others
        rows.append((k, float(per_run.mean()), float(per_run.std(ddof=1)), float(np.mean(errors)), n_runs))
    frame = pd.DataFrame(rows, columns=["k", "stability", "stability_sd", "reconstruction_error", "n_runs"])
    frame = frame.astype({"k": "Int64", "stability": "Float64", "stability_sd": "Float64",
                          "reconstruction_error": "Float64", "n_runs": "Int64"})
    frame.attrs["seeds"] = seeds
    return frame


# -- distinctive terms -----------------------------------------------------------


def distinctive_terms(texts, groups, tokenizer=None, prior=0.01, top_n=20, min_count=5, alpha=0.05,
                      include_headings=False) -> pd.DataFrame:
    """Terms that separate two groups of texts: log-odds ratio with an
    informative Dirichlet prior (Monroe, Colaresi & Quinn 2008, "Fightin'
    Words", Political Analysis 16(4), section 3.5), its z-score, and
    p-values adjusted for testing many terms at once (Benjamini–Hochberg).

    For term w with counts y_a, y_b in the two groups (totals n_a, n_b), the
    prior pseudo-count is ``alpha_w = prior * (y_a + y_b)`` (the pooled corpus,
    scaled; alpha_0 = sum of alpha_w) and

        log_odds_w = log((y_a+alpha_w) / (n_a+alpha_0-y_a-alpha_w))
                   - log((y_b+alpha_w) / (n_b+alpha_0-y_b-alpha_w))
        z_w        = log_odds_w / sqrt(1/(y_a+alpha_w) + 1/(y_b+alpha_w))

    Only terms occurring at least ``min_count`` times in all are tested (a
    rarer term cannot reach significance honestly and would only inflate the
    number of tests). Each tested term's two-sided p-value is ``2·Φ(-|z|)``;
    the p-values are adjusted over all tested terms with the Benjamini–Hochberg
    procedure (``scipy.stats.false_discovery_control``), which keeps the
    expected share of false discoveries among the terms called distinctive at
    ``alpha``.

    Parameters
    ----------
    texts : list / Series of str, or DataFrame with ``text`` (heading items
        skipped unless *include_headings*, with their groups)
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
        |z|); None keeps every tested term.
    min_count : int, default 5
        Smallest total count (both groups) of a tested term.
    alpha : float, default 0.05
        False discovery rate for ``distinctive``.

    Returns
    -------
    DataFrame sorted by |z| descending, then term:

    ==========  =======  ======================================================
    term        string   the term
    group       string   label (as str) of the group the term is more typical of
    z           Float64  z-score of the log-odds ratio, group a vs group b;
                         positive favours a, negative favours b
    log_odds    Float64  the log-odds ratio itself (natural log)
    count_a     Int64    occurrences of the term in group a's texts
    count_b     Int64    occurrences in group b's texts
    p_value     Float64  two-sided p-value of z (normal approximation)
    p_adjusted  Float64  Benjamini–Hochberg-adjusted p-value over all tested terms
    distinctive boolean  p_adjusted < alpha: call the term distinctive only then
    ==========  =======  ======================================================

    Group a is the first of the two labels in sorted order, b the second;
    ``df.attrs`` holds ``group_a``, ``group_b``, ``n_tested`` (terms tested),
    ``min_count`` and ``alpha``. A term with z = 0 is assigned to group a.
    """
    from scipy.stats import false_discovery_control, norm

    if isinstance(texts, pd.DataFrame) and isinstance(groups, str):
        if groups not in texts.columns:
            raise ValueError(f"texts has no column {groups!r}")
        groups = texts[groups]
    docs = _as_text_list(texts)
    labels = pd.Series(list(groups.tolist() if isinstance(groups, pd.Series) else groups), dtype=object)
    if len(labels) != len(docs):
        raise ValueError(f"groups has {len(labels)} entries but there are {len(docs)} texts")
    keep = _content_mask(texts, include_headings)
    docs = [d for d, k in zip(docs, keep) if k]
    labels = labels[keep].reset_index(drop=True)
    if labels.isna().any():
        raise ValueError("groups contains missing values; drop those texts first")
    distinct = sorted(labels.unique().tolist(), key=lambda v: (str(type(v)), v))
    if len(distinct) != 2:
        raise ValueError(f"groups must have exactly 2 distinct values, got {len(distinct)}: {distinct!r:.200}")
    if not prior > 0:
        raise ValueError(f"prior must be > 0, got {prior!r}")
    if not isinstance(min_count, (int, np.integer)) or min_count < 1:
        raise ValueError(f"min_count must be a positive int, got {min_count!r}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha!r}")
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
    alpha_w = prior * (y_a + y_b)
    alpha0 = alpha_w.sum()
    n_a, n_b = y_a.sum(), y_b.sum()
    delta = np.log((y_a + alpha_w) / (n_a + alpha0 - y_a - alpha_w)) - np.log(
        (y_b + alpha_w) / (n_b + alpha0 - y_b - alpha_w)
    )
    z = delta / np.sqrt(1.0 / (y_a + alpha_w) + 1.0 / (y_b + alpha_w))
    tested = (y_a + y_b) >= min_count
    p_value = 2.0 * norm.sf(np.abs(z[tested]))
    p_adjusted = false_discovery_control(p_value, method="bh") if tested.any() else p_value

    frame = pd.DataFrame(
        {
            "term": vectorizer.get_feature_names_out()[tested],
            "group": np.where(z[tested] >= 0, str(group_a), str(group_b)),
            "z": z[tested],
            "log_odds": delta[tested],
            "count_a": y_a[tested].astype(np.int64),
            "count_b": y_b[tested].astype(np.int64),
            "p_value": p_value,
            "p_adjusted": p_adjusted,
        }
    )
    frame["distinctive"] = frame["p_adjusted"] < alpha
    frame["_abs"] = frame["z"].abs()
    frame = frame.sort_values(["_abs", "term"], ascending=[False, True], kind="mergesort")
    if top_n is not None:
        frame = frame.groupby("group", sort=False).head(top_n)
    frame = frame.drop(columns="_abs").reset_index(drop=True)
    frame = frame.astype(
        {"term": "string", "group": "string", "z": "Float64", "log_odds": "Float64", "count_a": "Int64",
         "count_b": "Int64", "p_value": "Float64", "p_adjusted": "Float64", "distinctive": "boolean"}
    )
    frame.attrs.update(group_a=group_a, group_b=group_b, n_tested=int(tested.sum()), min_count=int(min_count),
                       alpha=float(alpha))
    return frame
