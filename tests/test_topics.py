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
    result = choose_n_topics(TEXTS, ks=ks, n_runs=3, tokenizer=tok)
    assert list(result.columns) == ["k", "stability", "reconstruction_error"]
    assert result["k"].tolist() == ks
    assert result["stability"].between(0, 1).all()
    assert (result["reconstruction_error"] >= 0).all()
    again = choose_n_topics(TEXTS, ks=ks, n_runs=3, tokenizer=tok)
    pd.testing.assert_frame_equal(result, again)
    with pytest.raises(TypeError):
        choose_n_topics(TEXTS, ks=[2], bogus=1)


def test_distinctive_terms(tok):
    # groups cut across themes, so only the planted term separates them
    groups = ["problem", "improvement"] * 15
    texts = [t + "信息处理费" if g == "problem" else t for t, g in zip(TEXTS, groups)]
    result = distinctive_terms(texts, groups, tokenizer=tok)
    assert list(result.columns) == ["term", "group", "log_odds", "count_a", "count_b"]
    assert result.dtypes.astype(str).tolist() == ["string", "string", "Float64", "Int64", "Int64"]
    assert result.iloc[0]["term"] == "信息处理费"
    assert result.iloc[0]["group"] == "problem"
    assert result.attrs == {"group_a": "improvement", "group_b": "problem"}
    planted = result[result["term"] == "信息处理费"].iloc[0]
    assert planted["count_b"] == 15 and planted["count_a"] == 0
    assert planted["log_odds"] < 0  # favours b = "problem"
    z = result["log_odds"].abs()
    assert z.is_monotonic_decreasing
    assert (result.groupby("group").size() <= 20).all()


def test_distinctive_terms_dataframe_and_errors(tok):
    frame = pd.DataFrame({"text": TEXTS, "part": ["problem", "improvement"] * 15})
    assert len(distinctive_terms(frame, "part", tokenizer=tok, top_n=None)) > 0
    with pytest.raises(ValueError, match="exactly 2"):
        distinctive_terms(TEXTS, [0, 1, 2] * 10, tokenizer=tok)
    with pytest.raises(ValueError, match="exactly 2"):
        distinctive_terms(TEXTS, ["a"] * 30, tokenizer=tok)
    with pytest.raises(ValueError, match="entries"):
        distinctive_terms(TEXTS, ["a", "b"], tokenizer=tok)
