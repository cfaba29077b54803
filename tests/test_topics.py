import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.metrics import adjusted_rand_score

from toolkit.mining.tokenizer import Tokenizer
from toolkit.mining.topics import TopicModel, choose_n_topics, distinctive_terms

# Three themes with disjoint content vocabulary; each text draws 3 of the
# theme's phrases so that terms recur across texts (min_df=2) but no text is
# identical.
THEMES = {
    "website": ["政府网站栏目更新不及时", "门户网站内容维护滞后", "网站栏目存在空白", "网站链接失效", "网站信息发布迟缓"],
    "policy": ["政策解读形式单一", "解读材料数量偏少", "政策解读图解较少", "解读深度不足", "政策文件解读滞后"],
    "application": ["依申请公开答复期限把握不准", "申请答复文书不规范", "依申请公开办理流程复杂", "答复内容不够严谨", "申请登记台账缺失"],
}
N_PER_THEME = 10


def _corpus():
    texts, truth = [], []
    for t, phrases in enumerate(THEMES.values()):
        for i in range(N_PER_THEME):
            picked = [phrases[(i + j) % 5] for j in range(3)] if i < 5 else [phrases[(i + 2 * j) % 5] for j in range(3)]
            texts.append("，".join(picked) + "。")
            truth.append(t)
    return texts, truth


TEXTS, TRUTH = _corpus()


@pytest.fixture(scope="module")
def tok():
    return Tokenizer()


@pytest.fixture(scope="module")
def fitted(tok):
    return TopicModel(n_topics=3, tokenizer=tok).fit(TEXTS)


def test_recovers_themes(fitted):
    assert adjusted_rand_score(TRUTH, fitted.labels_) == 1.0
    assert fitted.components_.shape == (3, len(fitted.vectorizer_.get_feature_names_out()))


def test_deterministic(tok, fitted):
    again = TopicModel(n_topics=3, tokenizer=tok).fit(TEXTS)
    np.testing.assert_array_equal(again.labels_, fitted.labels_)
    pd.testing.assert_frame_equal(again.top_terms(), fitted.top_terms())
    assert again.topic_labels_ == fitted.topic_labels_


def test_clone_and_params(tok):
    model = TopicModel(n_topics=3, method="kmeans", tokenizer=tok, min_df=1, labels=["a", "b", "c"])
    params = model.get_params(deep=False)
    cloned = clone(model)
    assert not hasattr(cloned, "components_")
    assert cloned.get_params(deep=False).keys() == params.keys()
    for key, value in params.items():
        if key != "tokenizer":  # clone copies nested objects
            assert cloned.get_params(deep=False)[key] == value
    assert cloned.get_params()["tokenizer"].get_params() == tok.get_params()
    assert TopicModel(**params).get_params(deep=False) == params


def test_inputs_not_modified(tok):
    as_list = list(TEXTS)
    as_series = pd.Series(TEXTS, index=range(100, 100 + len(TEXTS)))
    series_copy = as_series.copy()
    TopicModel(n_topics=3, tokenizer=tok).fit(as_list)
    model = TopicModel(n_topics=3, tokenizer=tok).fit(as_series)
    model.representative(as_series)
    assert as_list == TEXTS
    pd.testing.assert_series_equal(as_series, series_copy)


def test_dataframe_input(tok, fitted):
    frame = pd.DataFrame({"report_id": range(len(TEXTS)), "part": "problem", "item": 1, "text": TEXTS})
    model = TopicModel(n_topics=3, tokenizer=tok).fit(frame)
    np.testing.assert_array_equal(model.labels_, fitted.labels_)


def test_user_labels(tok):
    names = ["网站", "解读", "申请"]
    model = TopicModel(n_topics=3, tokenizer=tok, labels=names).fit(TEXTS)
    assert model.topic_labels_ == names
    assert set(model.top_terms()["label"]) == set(names)
    with pytest.raises(ValueError, match="labels"):
        TopicModel(n_topics=3, tokenizer=tok, labels=["x"]).fit(TEXTS)


def test_auto_labels(fitted):
    terms = fitted.top_terms()
    for topic, label in enumerate(fitted.topic_labels_):
        top3 = terms[terms["topic"] == topic]["term"].head(3).tolist()
        assert label == "·".join(top3)


def test_top_terms_schema(fitted):
    terms = fitted.top_terms(n=4)
    assert list(terms.columns) == ["topic", "label", "rank", "term", "weight"]
    assert terms.dtypes.astype(str).tolist() == ["Int64", "string", "Int64", "string", "Float64"]
    assert terms.groupby("topic").size().max() <= 4
    for _, group in terms.groupby("topic"):
        assert group["rank"].tolist() == list(range(1, len(group) + 1))
        assert group["weight"].is_monotonic_decreasing
    assert len(fitted.top_terms()) <= 3 * fitted.top_n


def test_transform_and_feature_names(fitted):
    W = fitted.transform(TEXTS[:4])
    assert W.shape == (4, 3)
    assert list(fitted.get_feature_names_out()) == ["topic_0", "topic_1", "topic_2"]


def test_representative(fitted):
    rep = fitted.representative(TEXTS, n=2)
    assert list(rep.columns) == ["topic", "rank", "doc_index", "weight", "text"]
    assert rep.dtypes.astype(str).tolist() == ["Int64", "Int64", "Int64", "Float64", "string"]
    assert len(rep) == 6
    for row in rep.itertuples():
        assert TEXTS[row.doc_index] == row.text
        assert fitted.labels_[row.doc_index] == row.topic


def test_kmeans(tok):
    model = TopicModel(n_topics=3, method="kmeans", tokenizer=tok).fit(TEXTS)
    assert adjusted_rand_score(TRUTH, model.labels_) == 1.0
    W = model.transform(TEXTS)
    assert (W <= 0).all()
    np.testing.assert_array_equal(W.argmax(axis=1), model.labels_)
    assert len(model.top_terms()) > 0


def test_small_corpus_errors(tok):
    with pytest.raises(ValueError, match="n_topics=5 exceeds the number of texts"):
        TopicModel(n_topics=5, tokenizer=tok, min_df=1).fit(TEXTS[:3])
    with pytest.raises(ValueError, match="min_df"):
        TopicModel(n_topics=2, tokenizer=tok, min_df=2).fit(["政务公开", "政策解读", "政府网站"])
    with pytest.raises(ValueError, match="method"):
        TopicModel(method="lda").fit(TEXTS)
    with pytest.raises(TypeError):
        TopicModel(tokenizer=tok).fit(TEXTS[:5] + [None])


def test_unfitted_raises():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        TopicModel().top_terms()


def test_choose_n_topics(tok):
    ks = [2, 3, 4]
    result = choose_n_topics(TEXTS, ks=ks, n_runs=4, tokenizer=tok)
    assert list(result.columns) == ["k", "stability", "stability_sd", "reconstruction_error", "n_runs"]
    assert result.dtypes.astype(str).tolist() == ["Int64", "Float64", "Float64", "Float64", "Int64"]
    assert result["k"].tolist() == ks and (result["n_runs"] == 4).all()
    assert result["stability"].between(0, 1).all() and (result["stability_sd"] >= 0).all()
    assert (result["reconstruction_error"] >= 0).all()
    assert result.attrs["seeds"] == [0, 1, 2, 3]
    # the three planted themes: k = 3 is found by every seed, the wrong ks are not
    best = result.set_index("k")
    assert best.loc[3, "stability"] == pytest.approx(1.0) and best.loc[3, "stability_sd"] == pytest.approx(0.0)
    assert best.loc[3, "stability"] > best.loc[2, "stability"] and best.loc[3, "stability"] > best.loc[4, "stability"]
    again = choose_n_topics(TEXTS, ks=ks, n_runs=4, tokenizer=tok)
    pd.testing.assert_frame_equal(result, again)  # fixed seeds: reproducible
    shifted = choose_n_topics(TEXTS, ks=ks, n_runs=4, tokenizer=tok, random_state=10)
    assert shifted.attrs["seeds"] == [10, 11, 12, 13]
    with pytest.raises(TypeError):
        choose_n_topics(TEXTS, ks=[2], bogus=1)
    with pytest.raises(ValueError, match="n_runs"):
        choose_n_topics(TEXTS, ks=[2], n_runs=1)


def test_choose_n_topics_per_run_stability_by_hand(tok):
    # with two runs, each run's stability is the pair's matched Jaccard: sd 0, mean that value
    result = choose_n_topics(TEXTS, ks=[3], n_runs=2, tokenizer=tok)
    assert result.loc[0, "stability_sd"] == 0.0


def test_topic_stability_attribute(fitted, tok):
    stab = fitted.topic_stability_
    assert list(stab.columns) == ["topic", "label", "stability", "stability_sd", "stability_min"]
    assert stab.dtypes.astype(str).tolist() == ["Int64", "string", "Float64", "Float64", "Float64"]
    assert fitted.restart_seeds_ == list(range(1, 11))  # >= 10 restarts by default, fixed seeds
    assert fitted.restart_similarity_.shape == (10, 3)
    # the planted themes come back in every restart
    assert (stab["stability"] == 1.0).all() and (stab["stability_min"] == 1.0).all()
    np.testing.assert_allclose(stab["stability"].to_numpy(float), fitted.restart_similarity_.mean(axis=0))
    # too many topics for three themes: some topics are unstable
    over = TopicModel(n_topics=6, tokenizer=tok, min_df=1).fit(TEXTS)
    assert over.topic_stability_["stability"].min() < 0.9
    assert (over.topic_stability_["stability_min"] <= over.topic_stability_["stability"]).all()
    off = TopicModel(n_topics=3, tokenizer=tok, n_restarts=0).fit(TEXTS)
    assert off.topic_stability_["stability"].isna().all() and off.restart_seeds_ == []
    with pytest.raises(ValueError, match="n_restarts"):
        TopicModel(n_topics=3, tokenizer=tok, n_restarts=1).fit(TEXTS)


def test_heading_items_are_excluded_from_fitting(tok, fitted):
    # the same corpus plus heading items that would otherwise form a topic of their own
    # (real headings such as （二）整改措施 are all stopwords; these have content words on purpose)
    heads = ["（四）平台建设方面", "（五）宣传推广方面"] * 6
    frame = pd.DataFrame({"text": TEXTS + heads, "is_heading": [False] * len(TEXTS) + [True] * len(heads)})
    model = TopicModel(n_topics=3, tokenizer=tok).fit(frame)
    np.testing.assert_array_equal(model.labels_[: len(TEXTS)], fitted.labels_)
    assert (model.labels_[len(TEXTS):] == -1).all()
    assert "推广" not in set(model.vectorizer_.get_feature_names_out())
    assert not (model.representative(frame, n=5)["doc_index"] >= len(TEXTS)).any()
    with_heads = TopicModel(n_topics=3, tokenizer=tok, include_headings=True).fit(frame)
    assert "推广" in set(with_heads.vectorizer_.get_feature_names_out())
    assert len(choose_n_topics(frame, ks=[3], n_runs=2, tokenizer=tok)) == 1


def test_share_by(fitted, tok):
    # theme t's texts are all in year 2020 + t, so each year is one topic
    years = [2020 + t for t in TRUTH]
    frame = pd.DataFrame({"text": TEXTS, "year": pd.array(years, dtype="Int64"),
                          "report_id": [f"r{i // 2}" for i in range(len(TEXTS))]})
    shares = fitted.share_by(frame, "year")
    assert list(shares.columns) == ["year", "topic", "label", "share", "n_items", "n_empty", "n_reports",
                                    "stability"]
    assert str(shares["year"].dtype) == "Int64" and shares["year"].tolist() == [2020] * 3 + [2021] * 3 + [2022] * 3
    total = shares.groupby("year")["share"].sum()
    np.testing.assert_allclose(total.to_numpy(float), 1.0)
    assert (shares["n_items"] == N_PER_THEME).all() and (shares["n_reports"] == 5).all()
    for year, group in shares.groupby("year"):
        top = group.loc[group["share"].idxmax()]
        assert top["share"] > 0.9
        assert fitted.labels_[years.index(year)] == top["topic"]
    # items without a value are a group of their own, never silently dropped
    frame.loc[0, "year"] = pd.NA
    shares = fitted.share_by(frame, "year")
    assert shares["year"].isna().sum() == 3 and shares.loc[shares["year"].isna(), "n_items"].iloc[0] == 1
    before = frame.copy()
    fitted.share_by(frame, "year")
    pd.testing.assert_frame_equal(frame, before)
    with pytest.raises(ValueError, match="no column"):
        fitted.share_by(frame, "sector")


def test_share_by_kmeans_counts_items(tok):
    model = TopicModel(n_topics=3, method="kmeans", tokenizer=tok).fit(TEXTS)
    frame = pd.DataFrame({"text": TEXTS, "level": ["a"] * 15 + ["b"] * 15})
    shares = model.share_by(frame, "level")
    for level, group in shares.groupby("level"):
        labels = model.labels_[:15] if level == "a" else model.labels_[15:]
        expected = np.bincount(labels, minlength=3) / 15
        np.testing.assert_allclose(group["share"].to_numpy(float), expected)


def test_distinctive_terms(tok):
    # groups cut across themes, so only the planted term separates them
    groups = ["problem", "improvement"] * 15
    texts = [t + "信息处理费，信息处理费，信息处理费" if g == "problem" else t for t, g in zip(TEXTS, groups)]
    texts[1] += "信息处理费"  # once in an improvement, so the term is not simply absent from a
    result = distinctive_terms(texts, groups, tokenizer=tok)
    assert list(result.columns) == ["term", "group", "z", "log_odds", "count_a", "count_b", "p_value",
                                    "p_adjusted", "distinctive"]
    assert result.dtypes.astype(str).tolist() == ["string", "string", "Float64", "Float64", "Int64", "Int64",
                                                  "Float64", "Float64", "boolean"]
    assert result.iloc[0]["term"] == "信息处理费"
    assert result.iloc[0]["group"] == "problem"
    assert {k: result.attrs[k] for k in ("group_a", "group_b")} == {"group_a": "improvement", "group_b": "problem"}
    planted = result[result["term"] == "信息处理费"].iloc[0]
    assert planted["count_b"] == 45 and planted["count_a"] == 1
    assert planted["z"] < 0 and planted["log_odds"] < 0  # favours b = "problem"
    assert planted["distinctive"] and planted["p_adjusted"] < 0.05
    # only the planted term passes: the theme terms are spread evenly over the groups
    assert result["distinctive"].sum() == 1
    assert result["z"].abs().is_monotonic_decreasing
    assert (result.groupby("group").size() <= 20).all()
    # absent from one group only, a term is not distinctive on 15 texts: the prior keeps its variance high
    alone = [t + "信息处理费" if g == "problem" else t for t, g in zip(TEXTS, groups)]
    lone = distinctive_terms(alone, groups, tokenizer=tok).set_index("term").loc["信息处理费"]
    assert lone["z"] < 0 and not lone["distinctive"]
    # log_odds and z as defined (Monroe et al. 2008), recomputed by hand for the planted term
    y_a, y_b = 1.0, 45.0
    full = distinctive_terms(texts, groups, tokenizer=tok, top_n=None, min_count=1)
    n_a = float(full["count_a"].sum())
    n_b = float(full["count_b"].sum())
    a_w = 0.01 * (y_a + y_b)
    a_0 = 0.01 * (n_a + n_b)
    delta = np.log((y_a + a_w) / (n_a + a_0 - y_a - a_w)) - np.log((y_b + a_w) / (n_b + a_0 - y_b - a_w))
    row = full[full["term"] == "信息处理费"].iloc[0]
    assert row["log_odds"] == pytest.approx(delta)
    assert row["z"] == pytest.approx(delta / np.sqrt(1 / (y_a + a_w) + 1 / (y_b + a_w)))


def test_distinctive_terms_bh_and_min_count(tok):
    from scipy.stats import norm

    groups = ["problem", "improvement"] * 15
    full = distinctive_terms(TEXTS, groups, tokenizer=tok, top_n=None, min_count=1)
    assert full.attrs["n_tested"] == len(full)
    # two-sided normal p-values and the Benjamini–Hochberg step-up, by hand
    p = 2 * norm.sf(full["z"].abs().to_numpy(float))
    np.testing.assert_allclose(full["p_value"].to_numpy(float), p)
    m = len(p)
    order = np.argsort(p)
    adjusted = np.minimum.accumulate((p[order] * m / np.arange(1, m + 1))[::-1])[::-1]
    expected = np.empty(m)
    expected[order] = np.minimum(adjusted, 1)
    np.testing.assert_allclose(full["p_adjusted"].to_numpy(float), expected)
    # a minimum count removes rare terms from the test (fewer tests, never more)
    five = distinctive_terms(TEXTS, groups, tokenizer=tok, top_n=None, min_count=5)
    assert ((five["count_a"] + five["count_b"]) >= 5).all()
    assert five.attrs["n_tested"] == int(((full["count_a"] + full["count_b"]) >= 5).sum())
    with pytest.raises(ValueError, match="min_count"):
        distinctive_terms(TEXTS, groups, tokenizer=tok, min_count=0)


def test_distinctive_terms_dataframe_and_errors(tok):
    frame = pd.DataFrame({"text": TEXTS, "part": ["problem", "improvement"] * 15})
    assert len(distinctive_terms(frame, "part", tokenizer=tok, top_n=None)) > 0
    with pytest.raises(ValueError, match="exactly 2"):
        distinctive_terms(TEXTS, [0, 1, 2] * 10, tokenizer=tok)
    with pytest.raises(ValueError, match="exactly 2"):
        distinctive_terms(TEXTS, ["a"] * 30, tokenizer=tok)
    with pytest.raises(ValueError, match="entries"):
        distinctive_terms(TEXTS, ["a", "b"], tokenizer=tok)
