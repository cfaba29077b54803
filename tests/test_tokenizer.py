"""The tokenizer (toolkit.mining.tokenizer): domain terms kept whole, stopwords, both segmentation
backends, caching, and the sklearn protocol."""
import copy
import json
import logging
import pickle
import sys
import types
from pathlib import Path

import jieba
import pytest
from sklearn.base import clone
from sklearn.feature_extraction.text import CountVectorizer

from toolkit.parsing import parse_file
from toolkit.mining.tokenizer import (Tokenizer, corpus_agencies, domain_dict_text, load_negation_words,
                                      load_stopwords, place_names)

SENTENCE = "进一步加强依申请公开工作，严格落实三审三校制度"
SENTENCE_2 = "推进重点领域信息公开，规范政务新媒体管理，２０２３年发布信息１２.５%"
DOMAIN_TERMS = ["依申请公开", "三审三校", "重点领域信息公开", "政务新媒体"]


@pytest.fixture(scope="module")
def tok():
    return Tokenizer()


@pytest.fixture(scope="module")
def rtok():
    return Tokenizer(backend="rjieba")


def domain_words() -> list[str]:
    return [ln.split()[0] for ln in domain_dict_text().splitlines() if ln.strip() and not ln.startswith("#")]


def test_domain_terms_are_single_tokens(tok):
    tokens = tok(SENTENCE) + tok(SENTENCE_2)
    for term in DOMAIN_TERMS:
        assert term in tokens
    # no fragment of a domain term survives on its own
    assert "申请" not in tokens and "三审" not in tokens and "新媒体" not in tokens


def test_stopwords_punctuation_numbers_removed(tok):
    tokens = tok(SENTENCE) + tok(SENTENCE_2)
    for word in ["进一步", "加强", "工作", "，", "2023", "12.5%", "年"]:
        assert word not in tokens
    assert all(len(t) >= 2 for t in tokens)


def test_keep_numbers_and_nfkc():
    tokens = Tokenizer(keep_numbers=True)(SENTENCE_2)
    assert "2023" in tokens  # full-width digits normalised


def test_packaged_files_load():
    stop = load_stopwords()
    assert {"的", "进一步", "加强", "一是", "本机关"} <= stop
    assert not any(w.startswith("#") for w in stop)
    assert "依申请公开" not in stop
    entries = [ln.split()[0] for ln in domain_dict_text().splitlines() if ln.strip() and not ln.startswith("#")]
    assert set(DOMAIN_TERMS) <= set(entries)
    assert len(entries) == len(set(entries))  # no word listed twice
    assert 200 <= len(entries) <= 300


def test_user_stopwords_file_replaces_default(tmp_path):
    path = tmp_path / "stop.txt"
    path.write_text("# my list\n依申请公开\n", encoding="utf-8")
    tokens = Tokenizer(stopwords=path)(SENTENCE)
    assert "依申请公开" not in tokens
    assert "加强" in tokens and "进一步" in tokens
    assert load_stopwords(path) == frozenset({"依申请公开"})


def test_stopwords_as_iterable():
    tokens = Tokenizer(stopwords=load_stopwords() | {"制度"})(SENTENCE)
    assert "制度" not in tokens and "三审三校" in tokens


@pytest.mark.parametrize("backend", ["jieba", "rjieba"])
def test_user_dict(tmp_path, backend):
    text = "推行网格员机制"
    assert "网格员机制" not in Tokenizer(backend=backend)(text)
    path = tmp_path / "dict.txt"
    path.write_text("# extra terms\n网格员机制 50000 nz\n", encoding="utf-8")
    assert "网格员机制" in Tokenizer(user_dict=str(path), backend=backend)(text)


def test_deterministic_across_instances(tok):
    text = SENTENCE + "。" + SENTENCE_2
    assert Tokenizer()(text) == tok(text) == tok(text)


def test_global_jieba_untouched():
    jieba.dt.check_initialized()
    before_freq = dict(jieba.dt.FREQ)
    before_total = jieba.dt.total
    before_cut = jieba.lcut(SENTENCE)
    level = logging.getLogger("jieba").level

    Tokenizer(cache_size=0)(SENTENCE)

    assert jieba.dt.total == before_total
    assert jieba.dt.FREQ == before_freq
    assert jieba.lcut(SENTENCE) == before_cut
    assert "三审三校" not in before_cut
    assert logging.getLogger("jieba").level == level


def test_count_vectorizer():
    vec = CountVectorizer(tokenizer=Tokenizer(), token_pattern=None, lowercase=False)
    X = vec.fit_transform([SENTENCE, SENTENCE_2, SENTENCE])
    names = list(vec.get_feature_names_out())
    assert "三审三校" in names
    assert X[:, names.index("三审三校")].sum() == 2


def test_pickle_and_clone_round_trip(tok):
    tok(SENTENCE)  # populate jieba instance and cache
    data = pickle.dumps(tok)
    assert len(data) < 10_000  # neither the dictionary nor the cache is pickled
    restored = pickle.loads(data)
    assert restored.get_params() == tok.get_params()
    assert restored(SENTENCE) == tok(SENTENCE)
    cloned = clone(Tokenizer(min_len=3))
    assert cloned.get_params()["min_len"] == 3
    assert "Tokenizer(min_len=3)" in repr(cloned)


def test_cache_hit_skips_jieba():
    t = Tokenizer()
    first = t(SENTENCE)

    def boom(*args, **kwargs):
        raise AssertionError("jieba called for a cached text")

    t._jieba.lcut = boom
    assert t(SENTENCE) == first
    first.append("mutated")  # returned lists are copies
    assert t(SENTENCE) != first
    with pytest.raises(AssertionError):
        t("一段新的文字")


def test_cache_is_bounded():
    t = Tokenizer(cache_size=2)
    for text in ["政务公开", "政策解读", "政府网站"]:
        t(text)
    assert list(t._cache) == ["政策解读", "政府网站"]


def test_set_params_invalidates_cache():
    t = Tokenizer()
    assert "加强" not in t(SENTENCE)
    t.set_params(stopwords=[])
    assert "加强" in t(SENTENCE)


def test_rejects_non_str(tok):
    with pytest.raises(TypeError):
        tok(None)


# -- backend="rjieba" ----------------------------------------------------------


def test_rjieba_keeps_every_domain_word_whole(tok, rtok):
    words = domain_words()
    assert len(words) >= 60
    for frame in ("本机关认真做好{}相关工作", "持续推进{}，取得成效。"):
        for word in words:
            text = frame.format(word)
            expected = tok(text)
            assert word in expected, (word, expected)  # one token with jieba ...
            assert rtok(text) == expected, word  # ... and exactly the same tokens with rjieba
    # the rjieba instance really did the work, not a silent fallback to jieba
    assert "_rjieba" in rtok.__dict__ and "_jieba" not in rtok.__dict__


def test_rjieba_matches_jieba_on_seed_sections(seed_corpus):
    # Measured on all 151 section texts of the shipped corpus (37 reports) and
    # on synthetic benchmark texts: token lists identical in every text, so
    # equality, not an agreement share, is asserted. Both the filtered tokens
    # and the raw segmentation (nothing filtered) are compared.
    texts = []
    for path in sorted((seed_corpus / "reports").glob("*.txt")):
        texts += [(path.name, key, t) for key, t in parse_file(path).sections.items() if t]
    assert len(texts) >= 25 and sum(len(t) for _, _, t in texts) > 10_000
    for params in ({}, {"stopwords": [], "min_len": 1, "keep_numbers": True}):
        jb = Tokenizer(cache_size=0, **params)
        rj = Tokenizer(cache_size=0, backend="rjieba", **params)
        differing = [(name, key) for name, key, text in texts if rj(text) != jb(text)]
        assert differing == [], params


def test_unknown_backend_raises_value_error():
    t = Tokenizer(backend="pkuseg")  # stored as-is, checked at first use (scikit-learn convention)
    assert t.get_params()["backend"] == "pkuseg"
    assert clone(t).backend == "pkuseg"
    with pytest.raises(ValueError, match=r"backend must be one of 'jieba', 'rjieba'; got 'pkuseg'"):
        t(SENTENCE)
    with pytest.raises(ValueError, match="got None"):
        Tokenizer(backend=None)(SENTENCE)


def test_missing_rjieba_raises_import_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "rjieba", None)  # makes `import rjieba` fail
    with pytest.raises(ImportError, match=r"pip install .*rjieba"):
        Tokenizer(backend="rjieba")(SENTENCE)
    too_old = types.ModuleType("rjieba")
    too_old.Jieba = type("Jieba", (), {"cut": lambda self, text, hmm=True: [text]})  # no add_word (< 0.2.2)
    monkeypatch.setitem(sys.modules, "rjieba", too_old)
    with pytest.raises(ImportError, match=r"rjieba>=0\.2\.2"):
        Tokenizer(backend="rjieba")(SENTENCE)
    assert Tokenizer()(SENTENCE)  # the default backend never needs rjieba


def test_rjieba_pickle_clone_deepcopy(rtok):
    expected = rtok(SENTENCE)  # builds the rjieba instance and the cache
    data = pickle.dumps(rtok)
    assert len(data) < 10_000  # neither the rjieba instance nor the cache is pickled
    restored = pickle.loads(data)
    assert restored.get_params() == rtok.get_params()
    assert restored.backend == "rjieba"
    assert restored(SENTENCE) == expected
    assert "_rjieba" in restored.__dict__ and "_jieba" not in restored.__dict__
    for other in (clone(rtok), copy.deepcopy(rtok)):
        assert other.get_params() == rtok.get_params()
        assert other(SENTENCE_2) == rtok(SENTENCE_2)
        assert other._rjieba is not rtok._rjieba  # each instance owns its own segmenter
    assert "backend='rjieba'" in repr(clone(rtok))
    assert repr(Tokenizer()) == "Tokenizer()"


def test_set_params_switches_backend():
    t = Tokenizer()
    first = t(SENTENCE)
    t.set_params(backend="rjieba")
    assert "_jieba" not in t.__dict__ and "_cache" not in t.__dict__
    assert t(SENTENCE) == first
    assert "_rjieba" in t.__dict__ and "_jieba" not in t.__dict__


def test_count_vectorizer_rjieba():
    texts = [SENTENCE, SENTENCE_2, SENTENCE]
    make = lambda backend: CountVectorizer(tokenizer=Tokenizer(backend=backend), token_pattern=None,
                                           lowercase=False)
    a, b = make("jieba"), make("rjieba")
    Xa, Xb = a.fit_transform(texts), b.fit_transform(texts)
    assert list(a.get_feature_names_out()) == list(b.get_feature_names_out())
    assert (Xa != Xb).nnz == 0


# -- negation kept, names dropped by rule, domain phrases pinned ---------------------------------

PHRASES = json.loads((Path(__file__).parent / "fixtures" / "codebook" / "domain_phrases.json").read_text("utf-8"))


def test_phrase_fixture_is_the_reviewed_set():
    assert len(PHRASES) == 30
    for entry in PHRASES:
        assert "".join(entry["tokens"]) == entry["phrase"]  # the expected tokens spell the phrase


@pytest.mark.parametrize("backend", ["jieba", "rjieba"])
def test_domain_phrases_segmentation_pinned(backend):
    # Expected tokens segmented by hand (tests/fixtures/codebook/domain_phrases.json): domain terms
    # whole (两微一端, 预公开, 12345热线), deficiency words their own tokens (不及时, 不够, 有待).
    tok = Tokenizer(backend=backend)
    wrong = [(e["phrase"], tok.segment(e["phrase"]), e["tokens"]) for e in PHRASES
             if tok.segment(e["phrase"]) != e["tokens"]]
    assert wrong == []


@pytest.mark.parametrize("text,expected", [
    ("栏目更新不及时", ["栏目", "更新", "不及时"]),
    ("答复不够规范", ["答复", "不够", "规范"]),
    ("信息更新不够及时", ["信息更新", "不够", "及时"]),
    ("还有待加强", ["有待"]),
    ("公开机制不健全", ["公开", "机制", "不健全"]),
    ("缺乏专业的信息采集加工人员", ["缺乏", "专业", "信息", "采集", "加工", "人员"]),
    ("解读形式单一，工作滞后", ["解读", "形式", "单一", "滞后"]),
    ("回复不及时、内容不准", ["回复", "不及时", "内容", "不准"]),
])
def test_negation_and_deficiency_words_survive(tok, rtok, text, expected):
    assert tok(text) == expected
    assert rtok(text) == expected


def test_bare_negators_survive_min_len_and_user_stopwords():
    assert "不" in Tokenizer()("公开内容不丰富")  # a single character, kept though min_len=2
    # a kept word wins over a stopword list that names it ...
    assert "不够" in Tokenizer(stopwords=load_stopwords() | {"不够"})("答复不够规范")
    # ... unless the user keeps nothing
    assert "不够" not in Tokenizer(stopwords=load_stopwords() | {"不够"}, keep_words=())("答复不够规范")
    assert {"不", "不够", "有待", "不及时", "欠缺"} <= load_negation_words()
    assert not {"不断", "不予公开", "无法提供"} & load_negation_words()  # look-alikes, not problem cues
    assert not load_negation_words() & load_stopwords()


@pytest.mark.parametrize("backend", ["jieba", "rjieba"])
def test_organ_and_place_names_dropped_by_rule(backend):
    tok = Tokenizer(backend=backend)
    text = "河北省教育厅虽然取得成效，但我们按照省委、省政府部署，科技厅和吴忠市民政局、文登区民政局加强政策解读"
    tokens = tok(text)
    for name in ["河北省", "教育厅", "省委", "省政府", "科技厅", "吴忠市", "民政局", "文登区民政局", "虽然", "我们"]:
        assert name not in tokens
    assert "政策解读" in tokens and "成效" not in tokens  # 成效 is a stopword, not a name
    assert "河北省" in Tokenizer(backend=backend, drop_names=False)(text)


def test_is_name_rule():
    tok = Tokenizer(agencies=["某某市城市管理局", "河北省科学技术厅"])
    for name in ["河北省", "河北", "石家庄市", "石家庄", "河北省石家庄市", "宁夏", "文登区", "省委", "省政府",
                 "城市管理局", "城管局", "科学技术厅", "科技厅", "省科技厅", "河北省人民政府"]:
        assert tok.is_name(name), name
    # ordinary words that end like an organ or start like a place, county short forms (合作市 -> 合作),
    # and words of the domain dictionary are never names
    for word in ["格局", "大厅", "合作", "东方", "中山大学", "政府", "全省", "政务服务大厅", "政策解读", "管理"]:
        assert not tok.is_name(word), word
    assert {"河北省", "河北", "石家庄", "文登区"} <= place_names()
    assert not {"合作", "文登", "市辖区"} & place_names()


def test_default_agencies_come_from_the_corpus_metadata():
    agencies = corpus_agencies()
    assert "河北省工业和信息化厅" in agencies and "鸡东县民政局" in agencies
    tok = Tokenizer()
    assert tok.segment("河北省工业和信息化厅") == ["河北省工业和信息化厅"]  # whole, so nothing is left behind
    assert tok("河北省工业和信息化厅") == [] and tok("工信厅") == [] and tok("人社厅") == []
    with pytest.raises(TypeError, match="single str"):
        Tokenizer(agencies="河北省教育厅")("公开")
