"""Codebook coding, the export/re-import of a coding sheet, agreement, and keyword in context."""
from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import toolkit as tk
from toolkit.mining.coding import NONE, load_codebook
from toolkit.parsing import parse_file

FIXTURES = Path(__file__).parent / "fixtures" / "codebook"
REPORTS = Path(__file__).resolve().parents[1] / "corpus" / "reports"


@pytest.fixture(scope="module")
def items():
    return tk.load_narratives()


@pytest.fixture(scope="module")
def coded(items):
    return tk.code_items(items)


def test_codebook_ships_documented_categories_with_real_examples():
    frame = load_codebook()
    assert isinstance(frame, pd.DataFrame)  # like every other load_*
    book = frame.to_dict("records")
    ids = [c["id"] for c in book]
    assert len(ids) == 12 and len(set(ids)) == 12
    for needed in ("policy_interpretation", "timeliness", "content_scope", "platform_website", "request_handling",
                   "staff_training", "public_participation", "key_area_disclosure", "institutional_mechanisms"):
        assert needed in ids
    texts = {p.stem: p.read_text(encoding="utf-8").replace("\r\n", "\n").replace("**", "") for p in REPORTS.glob("*.txt")}
    one = pd.DataFrame({"item_id": ["x"], "text": [""]})
    for cat in book:
        assert cat["definition"] and cat["zh"] and cat["en"]
        assert sorted(e["part"] for e in cat["examples"]) == ["improvement", "problem"]
        for example in cat["examples"]:
            # verbatim from its report, and coded into its own category
            assert example["text"] in texts[example["report_id"]], (cat["id"], example["text"])
            got = tk.code_items(one.assign(text=[example["text"]]))
            assert cat["id"] in set(got["category"].astype(str)), (cat["id"], example["text"])


def test_codebook_validation(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('[{"id": "a", "zh": "甲", "en": "A", "definition": "d", "keywords": [], '
                   '"patterns": ["(unclosed"], "examples": []}]', encoding="utf-8")
    with pytest.raises(ValueError, match="bad pattern"):
        load_codebook(bad)
    with pytest.raises(ValueError, match="reserved"):
        tk.code_items(pd.DataFrame({"item_id": ["x"], "text": ["t"]}),
                      codebook=[{"id": NONE, "zh": "", "en": "", "definition": "", "keywords": ["t"],
                                 "patterns": [], "examples": []}])


def test_code_items_one_row_per_item_and_category(items, coded):
    assert list(coded.columns) == ["item_id", "report_id", "part", "item", "category", "terms", "score", "primary"]
    assert coded.dtypes.astype(str).tolist() == ["string", "string", "category", "Int64", "category", "string",
                                                 "Int64", "boolean"]
    assert not coded.duplicated(["item_id", "category"]).any()
    assert (coded.groupby("item_id")["primary"].sum() == 1).all()
    # read by hand: 001's first problem is public participation (参与度, 反馈较少, 意见征集)
    row = coded[(coded["item_id"] == "001_0d529075b8579b4b:p1")].set_index("category", drop=False)
    assert row.loc["public_participation", "primary"]
    assert "参与度" in row.loc["public_participation", "terms"] and "意见征集" in row.loc["public_participation", "terms"]
    # 监督权 (the public's right) is no institutional mechanism; 监督检查 is
    terms = coded[coded["category"] == "institutional_mechanisms"]["terms"].str.split(" | ", regex=False).explode()
    assert "监督" in set(terms)
    assert not any("监督权" in t for t in terms)


def test_heading_items_are_not_coded_by_default(items):
    frame = pd.DataFrame({"item_id": ["a:p0", "a:p1"], "text": ["（一）政策解读方面", "政策解读形式单一"],
                          "is_heading": [True, False]})
    assert tk.code_items(frame)["item_id"].tolist() == ["a:p1"]
    assert tk.code_items(frame, include_headings=True)["item_id"].tolist() == ["a:p0", "a:p1"]
    assert not set(items.loc[items["is_heading"], "item_id"]) & set(tk.code_items(items)["item_id"])


def test_code_items_does_not_modify_items(items):
    before = items.copy()
    tk.code_items(items)
    pd.testing.assert_frame_equal(items, before)


def _fill_sheet_like_the_manual_coder(path: Path, items: pd.DataFrame) -> int:
    """Open the exported sheet with openpyxl and type in the categories of manual_coding.csv.

    The coder (who is not recorded) coded 47 passages (items, sentences or clauses) of 24 reports;
    each passage lies inside one exported item. An item holding two coded passages gets the first (the item's lead
    passage in the CSV's order, as the coder's rule says: code an item by its lead clause).
    """
    with open(FIXTURES / "manual_coding.csv", encoding="utf-8") as fh:
        manual = list(csv.DictReader(fh))
    wb = openpyxl.load_workbook(path)
    ws = wb["coding"]
    header = [c.value for c in ws[1]]
    col_id, col_text, col_cat = header.index("item_id"), header.index("text"), header.index("category")
    filled = set()
    for passage in manual:
        rows = [r for r in ws.iter_rows(min_row=2) if str(r[col_id].value).startswith(passage["report_id"] + ":")
                and passage["text"] in r[col_text].value]
        assert len(rows) == 1, passage["text"]
        if rows[0][col_id].value in filled:
            continue
        rows[0][col_cat].value = passage["category"]
        filled.add(rows[0][col_id].value)
    wb.save(path)
    return len(filled)


def test_export_fill_reimport_and_agreement(items, coded, tmp_path):
    path = tk.export_for_coding(items, tmp_path / "coding.xlsx")
    # the sheet: stable ids, the texts, an empty category column restricted to the codebook
    wb = openpyxl.load_workbook(path)
    ws = wb["coding"]
    assert [c.value for c in ws[1]] == ["item_id", "report_id", "part", "item", "text", "category", "note"]
    exported = [r[0].value for r in ws.iter_rows(min_row=2)]
    assert exported == items.loc[~items["is_heading"], "item_id"].tolist()
    assert all(r[5].value is None for r in ws.iter_rows(min_row=2))
    (validation,) = ws.data_validations.dataValidation
    assert validation.type == "list" and "F2" in str(validation.sqref)
    listed = [r[0].value for r in wb["categories"].iter_rows(min_row=2)]
    assert validation.formula1 == f"categories!$A$2:$A${len(listed) + 1}"
    assert listed == list(load_codebook()["id"]) + [NONE]
    # never overwrites a sheet someone may be filling
    with pytest.raises(FileExistsError):
        tk.export_for_coding(items, path)

    n = _fill_sheet_like_the_manual_coder(path, items)
    assert n == 46  # 47 passages, two of them in one item of 2017_177f
    manual = tk.read_coding(path)
    assert list(manual.columns) == ["item_id", "category", "note"]
    assert manual["category"].notna().sum() == 46

    result = tk.agreement(manual, coded)
    assert result.n_items == 46
    per = result.per_category.set_index("category")
    assert list(per.index) == list(load_codebook()["id"])
    assert per["manual"].sum() == 44  # the other 2 items were coded none
    assert per["kappa"].between(-1, 1).all()
    # the confusion table is the single-label comparison: its diagonal is the agreement
    conf = result.confusion
    assert conf.values.sum() == 46 and list(conf.index) == list(conf.columns) == list(per.index) + [NONE]
    for cat in per.index:
        assert conf.loc[cat, cat] == per.loc[cat, "both"]
        assert conf.loc[cat].sum() == per.loc[cat, "manual"]
        assert conf[cat].sum() == per.loc[cat, "automatic"]
    assert conf.loc[NONE, NONE] == 2  # both boilerplate items the coder called none match nothing
    # kappa recomputed from the confusion table by hand
    total = conf.values.sum()
    po = conf.values.trace() / total
    pe = (conf.sum(axis=1).values * conf.sum(axis=0).values).sum() / total**2
    assert result.kappa == pytest.approx((po - pe) / (1 - pe))
    # measured (in-sample, optimistic: the keywords were tuned on these texts): 41 of 46 agree
    assert conf.values.trace() == 41 and 0.8 < result.kappa < 0.95
    # the path works as well as the frame
    assert tk.agreement(path, coded).kappa == result.kappa


def test_agreement_perfect_and_errors(coded):
    primary = coded[coded["primary"]][["item_id", "category"]].head(10).astype({"category": "string"})
    perfect = tk.agreement(primary, coded)
    assert perfect.kappa == pytest.approx(1.0)
    used = perfect.per_category.dropna(subset=["kappa"])
    assert (used["kappa"] == 1.0).all() and (used["manual"] > 0).all()
    with pytest.raises(ValueError, match="not in the codebook"):
        tk.agreement(pd.DataFrame({"item_id": ["x"], "category": ["bogus"]}), coded)
    with pytest.raises(ValueError, match="more than one"):
        tk.agreement(pd.DataFrame({"item_id": ["x", "x"], "category": ["timeliness", "none"]}), coded)


def test_read_coding_rejects_a_category_outside_the_codebook(items, tmp_path):
    path = tk.export_for_coding(items.head(5), tmp_path / "c.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["coding"]["F2"] = "website stuff"
    wb.save(path)
    with pytest.raises(ValueError, match=r"c\.xlsx: row 2 .*'website stuff'"):
        tk.read_coding(path)


def test_kwic(items):
    lines = tk.kwic("不及时", items, window=6)
    assert list(lines.columns) == ["report_id", "part", "item", "left", "term", "right", "item_id", "offset"]
    assert (lines["term"] == "不及时").all() and (lines["left"].str.len() <= 6).all()
    # read by hand: 003's first problem "一是公开主动性需要进一步提高，部分网站栏目更新不及时。"
    row = lines[lines["item_id"] == "003_03a04d677c33f02f:p1"].iloc[0]
    assert (row["left"], row["right"]) == ("网站栏目更新", "。")
    section = parse_file(next(REPORTS.glob("003_*.txt"))).sections["5"]
    for r in lines.itertuples():
        if r.report_id.startswith("003"):
            assert section[r.offset:r.offset + 3] == "不及时"
    # every occurrence in the non-heading items is listed
    body = items[~items["is_heading"]]
    assert len(lines) == sum(t.count("不及时") for t in body["text"])
    regex = tk.kwic("不够(?:及时|丰富)", items, regex=True)
    assert set(regex["term"]) == {"不够及时", "不够丰富"}
    assert tk.kwic("不存在的词语xyz", items).empty
    with pytest.raises(ValueError):
        tk.kwic("", items)


def test_kwic_default_items_are_the_corpus():
    assert len(tk.kwic("政策解读")) == len(tk.kwic("政策解读", tk.load_narratives()))


def _wilson(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * (p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5 / (1 + z * z / n)
    return centre - half, centre + half


SMALL = pd.DataFrame({
    "item_id": ["r1:p1", "r1:i1", "r2:p1", "r2:p2", "r3:p0", "r4:p1"],
    "report_id": ["r1", "r1", "r2", "r2", "r3", "r4"],
    "part": ["problem", "improvement", "problem", "problem", "problem", "problem"],
    "is_heading": [False, False, False, False, True, False],
    "year": pd.array([2021, 2021, 2021, 2021, 2021, 2022], dtype="Int64"),
    "text": ["政策解读形式单一", "加强业务培训", "栏目更新不及时", "政策解读不够", "（一）存在的问题", "人手少、兼职多"],
})


def test_category_shares_by_hand():
    shares = tk.category_shares(SMALL, "year").set_index(["year", "category"])
    assert list(shares.columns) == ["zh", "k", "n", "share", "ci_low", "ci_high"]
    # 2021: reports r1 and r2 have problem items (r3 only a heading); both name policy interpretation
    row = shares.loc[(2021, "policy_interpretation")]
    assert (row["k"], row["n"], row["share"]) == (2, 2, 1.0)
    row = shares.loc[(2021, "timeliness")]
    assert (row["k"], row["n"], row["share"]) == (1, 2, 0.5)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx(_wilson(1, 2))
    # the improvement item's 培训 is not counted among problems; r4's 人手 is, in 2022
    assert shares.loc[(2021, "staff_training"), "k"] == 0
    assert shares.loc[(2022, "staff_training"), ["k", "n"]].tolist() == [1, 1]
    lo, hi = _wilson(0, 2)
    assert shares.loc[(2021, "review_quality"), "ci_low"] == pytest.approx(lo, abs=1e-12)
    assert shares.loc[(2021, "review_quality"), "ci_high"] == pytest.approx(hi)
    items = tk.category_shares(SMALL, "year", unit="item").set_index(["year", "category"])
    assert items.loc[(2021, "policy_interpretation"), ["k", "n"]].tolist() == [2, 3]
    both = tk.category_shares(SMALL, "year", part=None).set_index(["year", "category"])
    assert both.loc[(2021, "staff_training"), ["k", "n"]].tolist() == [1, 2]


def test_category_shares_missing_group_and_chart():
    from toolkit import plots

    small = SMALL.copy()
    small.loc[5, "year"] = pd.NA
    shares = tk.category_shares(small, "year")
    assert shares["year"].isna().sum() == 12 and (shares.loc[shares["year"].isna(), "n"] == 1).all()
    fig = plots.category_shares(tk.category_shares(SMALL, "year"), "year")
    texts = [t.get_text() for t in fig.texts]
    assert any("数据来源" in t and "3 份" in t for t in texts)
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend == ["2021（n = 2）", "2022（n = 1）"]
    with pytest.raises(ValueError, match="unit"):
        tk.category_shares(SMALL, "year", unit="sentence")


def _filled(items, tmp_path, name, labels):
    """A sheet as export_for_coding writes it, filled with *labels* by a 'coder', read back."""
    import openpyxl

    path = tk.export_for_coding(items, tmp_path / name)
    wb = openpyxl.load_workbook(path)
    ws = wb["coding"]
    for r, label in enumerate(labels, start=2):
        ws.cell(row=r, column=6, value=label)
    wb.save(path)
    return tk.read_coding(path)


def test_agreement_between_two_human_sheets_with_an_interval(items, tmp_path):
    from sklearn.metrics import cohen_kappa_score

    sample = items[~items["is_heading"]].head(12)
    a = ["timeliness", "timeliness", "policy_interpretation", "none", "staff_training", "timeliness",
         "policy_interpretation", "content_scope", "content_scope", "none", "staff_training", "timeliness"]
    b = ["timeliness", "content_scope", "policy_interpretation", "none", "staff_training", "timeliness",
         "policy_interpretation", "content_scope", "timeliness", "none", "staff_training", "timeliness"]
    one, two = _filled(sample, tmp_path, "a.xlsx", a), _filled(sample, tmp_path, "b.xlsx", b)
    assert "primary" not in two.columns  # a human sheet: no automatic primary column
    result = tk.agreement(one, two)
    assert result.n_items == 12
    assert result.kappa == pytest.approx(cohen_kappa_score(a, b))
    assert result.kappa_low < result.kappa <= result.kappa_high <= 1
    assert "bootstrap" in result.method
    per = result.per_category.set_index("category")
    m = [x == "timeliness" for x in a]
    n = [x == "timeliness" for x in b]
    assert per.loc["timeliness", "kappa"] == pytest.approx(cohen_kappa_score(m, n))
    assert per.loc["timeliness", "kappa_low"] <= per.loc["timeliness", "kappa"]
    assert per.loc["staff_training", "kappa"] == 1.0
    assert per.loc["timeliness", "matched"] is pd.NA  # no rules on either side
    # same seed, same interval
    assert tk.agreement(one, two).kappa_low == result.kappa_low
    # three coders: Krippendorff's alpha (nominal), as the krippendorff package computes it
    c = list(a)
    c[0] = "none"
    three = _filled(sample, tmp_path, "c.xlsx", c)
    alpha = tk.krippendorff_alpha(one, two, three)
    assert 0 < alpha < 1
    assert tk.krippendorff_alpha(one, one) == pytest.approx(1.0)


def test_export_over_an_existing_file_says_to_pass_overwrite(items, tmp_path):
    path = tk.export_for_coding(items.head(3), tmp_path / "c.xlsx")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        tk.export_for_coding(items.head(3), path)
    tk.export_for_coding(items.head(3), path, overwrite=True)


def test_sentences_about_achievements_are_not_coded():
    texts = ["随着信息公开工作的体制机制不断健全", "公开力度不断加大", "我厅政务公开工作取得了一定成效",
             "政策解读的主动性得到了进一步提高"]
    got = tk.code_items(pd.DataFrame({"item_id": [f"x{i}" for i in range(len(texts))], "text": texts}))
    assert got.empty, got
    # A plan or a problem with the same words is still coded.
    kept = tk.code_items(pd.DataFrame({"item_id": ["p", "q"], "text": ["进一步健全信息公开工作机制",
                                                                       "政策解读的主动性有待进一步提高"]}))
    assert set(kept["item_id"]) == {"p", "q"}
    assert "exclude" in tk.load_codebook().columns


def test_precision_recall_against_a_reference_counted_by_hand():
    coded = tk.code_items(pd.DataFrame({"item_id": ["a", "b", "c"],
                                        "text": ["政策解读不够", "网站栏目更新不及时", "人员少"]}))
    rules = coded.groupby("item_id")["category"].agg(lambda c: set(map(str, c))).to_dict()
    reference = pd.DataFrame({"item_id": ["a", "b", "c"],
                              "categories": ["policy_interpretation", "timeliness", "staff_training"]})
    out = tk.precision_recall(reference, coded).set_index("category")
    # counted from the sets above, not from the function
    for cat in ("policy_interpretation", "timeliness", "staff_training"):
        mine = {i for i, cs in rules.items() if cat in cs}
        theirs = set(reference.loc[reference["categories"] == cat, "item_id"])
        assert out.loc[cat, "tp"] == len(mine & theirs)
        assert out.loc[cat, "rules"] == len(mine) and out.loc[cat, "reference"] == len(theirs)
    assert out.loc["all", "reference"] == 3
    with pytest.raises(ValueError, match="not in the codebook"):
        tk.precision_recall(reference.assign(categories="bogus"), coded)


def test_hand_coding_covers_every_content_item_once():
    hand = pd.read_csv(Path(__file__).parent / "fixtures" / "codebook" / "hand_coding.csv", dtype=str)
    items = tk.load_narratives()
    body = items[~items["is_heading"]]
    assert sorted(hand["item_id"]) == sorted(body["item_id"])
    ids = set(load_codebook()["id"]) | {NONE}
    for cats, primary in zip(hand["categories"], hand["primary"]):
        assert set(cats.split("|")) <= ids and primary in ids
        assert primary == NONE or primary in cats.split("|")
    # the text shipped is the item's text (the codes are checkable against it)
    assert dict(zip(hand["item_id"], hand["text"])) == dict(zip(body["item_id"], body["text"]))
