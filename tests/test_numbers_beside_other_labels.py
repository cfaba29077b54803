"""Pages built so that a row's numbers stand beside another row's label, or a cell a reader
sees blank is not blank in the reading: no number may land in a cell it does not belong to.

Each page is a table-per-line text report (one cell a line, cells closed by ``|``, as pages
saved from HTML tables print them).  The expected values are read off the page by hand: a
cell printed empty is empty (missing), and a number stands in the row whose label it follows.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from toolkit.parsing import parse_text  # noqa: E402

T3_LABELS = (
    "一、本年新收政府信息公开申请数量", "二、上年结转政府信息公开申请数量", "三、本年度办理结果",
    "(一)予以公开", "(二)部分公开(区分处理的，只计这一情形，不计其他情形)", "(三)不予公开",
    "1.属于国家秘密", "2.其他法律行政法规禁止公开", "3.危及“三安全一稳定”", "4.保护第三方合法权益",
    "5.属于三类内部事务信息", "6.属于四类过程性信息", "7.属于行政执法案卷", "8.属于行政查询事项",
    "(四)无法提供", "1.本机关不掌握相关政府信息", "2.没有现成信息需要另行制作", "3.补正后申请内容仍不明确",
    "(五)不予处理", "1.信访举报投诉类申请", "2.重复申请", "3.要求提供公开出版物", "4.无正当理由大量反复申请",
    "5.要求行政机关确认或重新出具已获取信息", "(六)其他处理",
    "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "3.其他", "(七)总计",
    "四、结转下年度继续办理",
)
# Group headings of table 3: a label line without cells.
T3_GROUPS = {"三、本年度办理结果", "(三)不予公开", "(四)无法提供", "(五)不予处理", "(六)其他处理"}


def cells(values) -> str:
    """One cell a line, closed by ``|``; None is a cell printed empty."""
    return "".join(f"{'' if v is None else v} |\n" for v in values)


def report(t2_rows: dict[str, list] | None = None, t3_rows: dict[str, list] | None = None) -> str:
    """A 2021-template report; *t2_rows* / *t3_rows* replace rows by label (the label as
    printed, and its cells)."""
    t2 = {"规章": [1, 0, 20], "行政规范性文件": [7, 2, 41], "行政许可": [1433], "行政处罚": [229],
          "行政强制": [0], "行政事业性收费": [0]}
    t2.update(t2_rows or {})
    labels = list(t2)

    def row(label):
        return f"{label} |\n" + cells(t2[label])

    t2_text = ("第二十条第(一)项 | |||\n信息内容 |\n本年制发件数 |\n本年废止件数 |\n现行有效件数 | |||\n"
               + row(labels[0]) + row(labels[1])
               + "第二十条第(五)项 | |||\n信息内容 |\n本年处理决定数量 | |||\n" + row(labels[2])
               + "第二十条第(六)项 | |||\n信息内容 |\n本年处理决定数量 | |||\n" + row(labels[3]) + row(labels[4])
               + "第二十条第(八)项 | |||\n信息内容 |\n本年收费金额(单位：万元) | |||\n" + row(labels[5]))
    t3 = {label: ([] if label in T3_GROUPS else [0] * 7) for label in T3_LABELS}
    for label, vals in (t3_rows or {}).items():
        old = next(k for k in t3 if k.startswith(label[:3]) and k not in T3_GROUPS)
        t3 = {(label if k == old else k): (vals if k == old else v) for k, v in t3.items()}
    t3_text = ("(本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和) |\n申请人情况 | |||\n"
               "自然人 |\n法人或其他组织 |\n总计 | |||\n商业企业 |\n科研机构 |\n社会公益组织 |\n法律服务机构 |\n"
               "其他 | |||\n" + "".join(f"{label} |\n" + cells(vals) for label, vals in t3.items()))
    t4_text = ("行政复议 |\n行政诉讼 | |||\n结果维持 |\n结果纠正 |\n其他结果 |\n尚未审结 |\n总计 |\n"
               "未经复议直接起诉 |\n复议后起诉 | |||\n" + "结果维持 |\n结果纠正 |\n其他结果 |\n尚未审结 |\n总计 |\n" * 2
               + " |||\n" + cells([0] * 15))
    return ("某市民政局2021年政府信息公开工作年度报告\n\n一、总体情况\n本年度我局认真落实政府信息公开条例。\n"
            "二、主动公开政府信息情况\n" + t2_text + "\n三、收到和处理政府信息公开申请情况\n" + t3_text
            + "\n四、政府信息公开行政复议、行政诉讼情况\n" + t4_text
            + "\n五、政府信息公开工作存在的主要问题及改进情况\n公开内容有待进一步深化。\n"
            "六、其他需要报告的事项\n本年度没有产生信息公开处理费。\n")


def test_the_page_as_built_reads_as_printed():
    # The page before any attack: every number where it stands (the builder is right).
    r = parse_text(report())
    assert r.tables["t2"]["licensing"] == {"decisions": 1433}
    assert r.tables["t2"]["penalty"] == {"decisions": 229}
    assert r.tables["t2"]["rules"] == {"made": 1, "repealed": 0, "in_force": 20}
    assert r.tables["t3"]["granted"]["total"] == 0


def test_a_blank_t2_cell_does_not_take_the_next_rows_number_under_a_traditional_label():
    # 行政许可 is printed empty; the next row's label carries traditional characters
    # (行政處罰, as text pasted from a traditional source prints it) and its 229.
    # A reader sees licensing blank and 229 as the penalty count.
    text = report({"行政许可": [None]}).replace("行政处罚 |\n229 |", "行政處罰 |\n229 |")
    assert "行政處罰 |\n229 |" in text and "行政许可 |\n |\n" in text
    r = parse_text(text)
    assert r.tables["t2"]["licensing"]["decisions"] is None
    assert r.tables["t2"]["penalty"]["decisions"] in (229, None)


def test_a_blank_t3_row_does_not_take_the_next_rows_numbers_under_a_variant_label():
    # (一)予以公开 is printed empty; (二) is spelt 部份公开 (a common variant of 部分) and
    # holds 3 … 1, 4.  A reader sees granted blank; the 3/1/4 belong to partially_granted.
    r = parse_text(report(t3_rows={"(一)予以公开": [None] * 7,
                                   "(二)部份公开(区分处理的，只计这一情形，不计其他情形)": [3, 0, 0, 0, 0, 1, 4]}))
    granted = r.tables["t3"]["granted"]
    assert all(v is None for v in granted.values()), granted


def test_a_blank_t3_row_does_not_take_the_next_rows_numbers_under_a_traditional_label():
    # As above with the label in traditional characters (部分公開(區分處理的…)).
    r = parse_text(report(t3_rows={"(一)予以公开": [None] * 7,
                                   "(二)部分公開(區分處理的，只計這一情形，不計其他情形)": [3, 0, 0, 0, 0, 1, 4]}))
    granted = r.tables["t3"]["granted"]
    assert all(v is None for v in granted.values()), granted


def test_a_number_in_one_cell_beside_blank_cells_is_not_split_one_digit_a_cell():
    # 规章 | 100 | (empty) | (empty): the reader sees 100 made and two blank cells, not 1, 0, 0.
    r = parse_text(report({"规章": [100, None, None]}))
    assert r.tables["t2"]["rules"]["made"] in (100, None)
    assert r.tables["t2"]["rules"]["repealed"] is None
    assert r.tables["t2"]["rules"]["in_force"] is None


def test_a_number_beside_blank_cells_on_one_line_is_not_split_one_digit_a_cell():
    # The same row on one line, its empty cells between bars.
    text = report().replace("规章 |\n1 |\n0 |\n20 |\n", "规章 | 100 | | |\n")
    assert "规章 | 100 | | |" in text
    r = parse_text(text)
    assert r.tables["t2"]["rules"]["made"] in (100, None)
    assert r.tables["t2"]["rules"]["repealed"] is None
    assert r.tables["t2"]["rules"]["in_force"] is None


T3_HEADER_IN_CELLS = ("申请人情况 | |||\n自然人 |\n法人或其他组织 |\n总计 | |||\n商业企业 |\n科研机构 |\n社会公益组织 |\n"
                      "法律服务机构 |\n其他 | |||\n")


@pytest.mark.parametrize("total", ["総計", "总\u2060计", "总\u00ad计"], ids=["variant 総", "word joiner", "soft hyphen"])
def test_a_t3_header_printing_total_first_is_not_read_in_the_templates_order(total):
    # A header not laid out in cells (one word a line, as a PDF text layer gives it) printing
    # 总计 first; its 总计 is written with a variant character (総, which t2s leaves) or with an
    # invisible character inside (word joiner, soft hyphen): a reader sees 总计 first.  The
    # first number of each row is then its total: new_received is 9 in all, 5 natural persons.
    header = f"申请人情况\n{total}\n自然人\n法人或其他组织\n商业企业\n科研机构\n社会公益组织\n法律服务机构\n其他\n"
    text = report(t3_rows={"一、本年新收政府信息公开申请数量": [9, 5, 1, 1, 1, 1, 0],
                           "四、结转下年度继续办理": [9, 5, 1, 1, 1, 1, 0]}).replace(T3_HEADER_IN_CELLS, header)
    assert header in text
    row = parse_text(text).tables["t3"]["new_received"]
    assert row["total"] in (9, None), row
    assert row["natural_person"] in (5, None), row


@pytest.mark.parametrize("total", ["总计", "総計"])
def test_a_t4_header_printing_total_first_in_each_group_is_not_read_in_the_templates_order(total):
    # Table 4's header as a PDF text layer gives it (one word a line) printing 总计 first in
    # each of its three groups, then one line of numbers: each group reads 5 in all, 2 upheld,
    # 1 corrected, 1 other, 1 pending.  Read in the template's order, 5 would be "upheld".
    group = f"{total}\n结果维持\n结果纠正\n其他结果\n尚未审结\n"
    t4 = "行政复议\n行政诉讼\n" + group + "未经复议直接起诉\n复议后起诉\n" + group + group + " ".join(["5 2 1 1 1"] * 3) + "\n"
    text = report()
    text = text[:text.index("行政复议 |\n行政诉讼")] + t4 + text[text.index("\n五、"):]
    assert t4 in text
    t = parse_text(text).tables["t4"]
    for row in ("reconsideration", "litigation_direct", "litigation_after"):
        assert t[row]["total"] in (5, None), t[row]
        assert t[row]["upheld"] in (2, None), t[row]


def test_a_blank_t2_cell_does_not_take_the_numbers_of_a_row_whose_label_cannot_be_read():
    # 行政许可 is printed empty; the next row's label is one the parser does not know (行政罚没,
    # no spelling of 行政处罚) and holds 229.  Whose 229 it is cannot be read with certainty:
    # licensing stays blank, not 229.
    text = report({"行政许可": [None]}).replace("行政处罚 |\n229 |", "行政罚没 |\n229 |")
    assert "行政罚没 |\n229 |" in text and "行政许可 |\n |\n" in text
    r = parse_text(text)
    assert r.tables["t2"]["licensing"]["decisions"] is None
    assert r.tables["t2"].get("penalty", {}).get("decisions") is None
    assert any("行政罚没" in w for w in r.warnings), r.warnings


def test_a_blank_t3_row_does_not_take_the_numbers_of_a_row_whose_label_cannot_be_read():
    # (一)予以公开 is printed empty; (二)'s label is one the parser does not know.
    r = parse_text(report(t3_rows={"(一)予以公开": [None] * 7, "(二)半数公示": [3, 0, 0, 0, 0, 1, 4]}))
    granted = r.tables["t3"]["granted"]
    assert all(v is None for v in granted.values()), granted
