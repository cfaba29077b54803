"""Published layouts beyond the seeds, one class per test.  Every report here is
written in the test; its expected values are the ones written into it, never the parser's
output.  Where no honest reading exists the value must stay missing with its reason code."""
from __future__ import annotations

import pytest

from toolkit import schema
from toolkit.checks import check_report
from toolkit.data.frames import ReportRecord, tables_frame
from toolkit.parsing import parse_text
from toolkit.parsing.title import extract_title

from support import T3_LABELS as LABELS

T3_KEYS = [r.key for r in schema.T3_ROWS]
T3_COLS = [c.key for c in schema.T3_COLUMNS]
# 1,295 received, one of them carried forward; every identity holds.
VALUES = {0: [1259, 36, 0, 0, 0, 0, 1295], 2: [1250, 36, 0, 0, 0, 0, 1286], 15: [8, 0, 0, 0, 0, 0, 8],
          23: [1258, 36, 0, 0, 0, 0, 1294], 24: [1, 0, 0, 0, 0, 0, 1]}
ROWS = {k: VALUES.get(i, [0] * 7) for i, k in enumerate(T3_KEYS)}
T4 = "行政复议 行政诉讼\n结果维持 结果纠正 其他结果 尚未审结 总计\n1 0 0 1 2 0 0 0 0 0 0 0 0 0 0"


def report(t3: str, *, t2: str = "第二十条第(一)项 本年制发件数\n行政规范性文件 1 0 3", t4: str = T4,
           head4: str = "四、政府信息公开行政复议、行政诉讼情况", one: str = "本年收到申请若干。") -> str:
    return ("某某市人民政府办公室2023年政府信息公开工作年度报告\n一、总体情况\n" + one + "\n"
            f"二、主动公开政府信息情况\n{t2}\n三、收到和处理政府信息公开申请情况\n{t3}\n"
            f"{head4}\n{t4}\n五、存在的主要问题及改进情况\n一是不足。\n六、其他需要报告的事项\n无。\n")


def t3_lines(sep: str = "\t", fmt=str) -> str:
    return "\n".join(lab + sep + sep.join(fmt(v) for v in ROWS[k]) for k, lab in zip(T3_KEYS, LABELS))


def t3_values(rep) -> dict:
    return {k: list(v.values()) for k, v in rep.tables["t3"].items()}


# ------------------------------------------------------------------ numbers as printed

def test_thousands_separators_in_text_rows():
    rep = parse_text(report(t3_lines(fmt=lambda v: f"{v:,}")))
    assert t3_values(rep) == ROWS


def test_a_letter_read_for_a_digit_leaves_the_row_missing():
    text = report(t3_lines()).replace("1259\t36", "1259\tO\t36", 1).replace("\t0\t0\t0\t0\t1295", "\t0\t0\t0\t1295", 1)
    rep = parse_text(text)
    assert set(rep.tables["t3"]["new_received"].values()) == {None}
    assert rep.tables["t3"]["granted"]["total"] == 1286
    text = report(t3_lines()).replace("1259\t36", "12S9\t36", 1)  # an S for a 5
    rep = parse_text(text)
    assert set(rep.tables["t3"]["new_received"].values()) == {None}
    assert rep.status_of("t3", "new_received", "total") == "doubtful_text"


def test_page_footers_are_not_cells():
    lines = t3_lines().split("\n")
    lines.insert(13, "— 5 —")
    lines.insert(5, "- 4 -")
    rep = parse_text(report("\n".join(lines)))
    assert t3_values(rep) == ROWS


# ------------------------------------------------------------------ where a table is

def test_table4_found_by_its_headers_when_its_heading_is_missing():
    rep = parse_text(report(t3_lines(), head4=""))
    assert rep.sections["4"] is None
    assert t3_values(rep) == ROWS  # the last t3 row ends where table 4 starts
    assert rep.tables["t4"]["reconsideration"] == {"upheld": 1, "corrected": 0, "other": 0, "pending": 1, "total": 2}
    assert any("table 4 found by its column headers" in w for w in rep.warnings)


def test_heading_with_a_typo_and_alternative_wording():
    text = report(t3_lines(), head4="四、政府信息公开行政法复议、行政诉讼情况").replace(
        "五、存在的主要问题及改进情况", "五、存在的主要问题及明年工作计划")
    rep = parse_text(text)
    assert rep.sections["4"] is not None and rep.sections["5"] == "一是不足。"
    assert rep.tables["t4"]["reconsideration"]["total"] == 2


def test_prose_before_table4_is_not_the_table():
    t4 = "2023年，本机关被申请行政复议2件，未被提起行政诉讼。\n" + T4
    rep = parse_text(report(t3_lines(), t4=t4))
    assert rep.tables["t4"]["reconsideration"]["total"] == 2


def test_a_row_ends_at_the_next_sub_heading():
    t2 = ("第二十条第(一)项 本年制发件数\n行政规范性文件 1 0 3\n第二十条第(八)项 本年收费金额(单位:万元)\n"
          "行政事业性收费 12.5\n(二)重点领域信息公开\n全年发布信息86条，其中图解9条。")
    rep = parse_text(report(t3_lines(), t2=t2))
    assert rep.tables["t2"]["fees"] == {"amount": 12.5}


def test_t2_boxes_in_any_order():
    # Markdown from PDF: the one-value boxes came out before the 规章/规范性文件 box.
    t2 = ("第二十条第(五)项\n信息内容本年处理决定数量\n行政许可 7\n第二十条第(六)项\n行政处罚 3\n行政强制 0\n"
          "第二十条第(八)项\n行政事业性收费 0\n| 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |\n"
          "| 规章 | 1 | 0 | 4 |\n| 行政规范性文件 | 2 | 1 | 9 |")
    rep = parse_text(report(t3_lines(), t2=t2))
    assert rep.tables["t2"] == {"rules": {"made": 1, "repealed": 0, "in_force": 4},
                                "normative_docs": {"made": 2, "repealed": 1, "in_force": 9},
                                "licensing": {"decisions": 7}, "penalty": {"decisions": 3},
                                "coercion": {"decisions": 0}, "fees": {"amount": 0.0}}


# ------------------------------------------------------------------ labels apart from numbers

def test_rows_placed_by_order_between_labelled_rows():
    lines = t3_lines().split("\n")
    lines[3] = "(二)部分公开(区分处理的,只计这一情\n" + "\t".join(map(str, ROWS["partially_granted"])) + "\n形,不计其他情形)"
    lines[19] = "\t".join(map(str, ROWS["not_processed.confirmation"]))  # label lost
    rep = parse_text(report("\n".join(lines)))
    assert t3_values(rep) == ROWS
    assert any("t3.partially_granted" in w and "row order" in w for w in rep.warnings)


def test_rows_not_placeable_by_order_stay_missing():
    lines = t3_lines().split("\n")
    # Two unlabelled lines where only one row is missing its label: which is which is unknown.
    lines[19] = "\t".join(map(str, ROWS["not_processed.confirmation"]))
    lines.insert(19, "0\t0\t0\t0\t0\t0\t0")
    rep = parse_text(report("\n".join(lines)))
    assert set(rep.tables["t3"]["not_processed.confirmation"].values()) == {None}
    assert rep.tables["t3"]["granted"]["total"] == 1286


def test_row_order_reading_is_kept_when_the_source_breaks_a_column_identity():
    lines = t3_lines().split("\n")
    lines[2] = "\t".join(map(str, [1250, 36, 0, 0, 0, 0, 1286]))  # granted, label lost
    lines[15] = "\t".join(map(str, [9, 0, 0, 0, 0, 0, 9]))  # complaint: label lost, and 9 ≠ 8
    rep = parse_text(report("\n".join(lines)))
    # 1286 + 9 ≠ 1294: the source's identity breaks, but each line is the only reading of its
    # place and keeps its own row sum: the printed numbers stay, the audit reports the identity.
    assert list(rep.tables["t3"]["not_processed.complaint"].values()) == [9, 0, 0, 0, 0, 0, 9]
    assert list(rep.tables["t3"]["granted"].values()) == [1250, 36, 0, 0, 0, 0, 1286]
    failed = {c["check"] for c in check_report(rep) if not c["passed"]}
    assert {"t3.outcomes.natural_person", "t3.outcomes.total"} <= failed


def test_typo_in_a_sub_numbered_label_jammed_text():
    jammed = "".join(lab + "".join(map(str, ROWS[k])) for k, lab in zip(T3_KEYS, LABELS))
    jammed = jammed.replace("2.其他法律行政法规禁止公开", "2.其他法律行政止公开")
    rep = parse_text(report(jammed))
    assert rep.tables["t3"]["denied.prohibited_by_law"] == dict.fromkeys(T3_COLS, 0)
    assert rep.tables["t3"]["denied.state_secret"] == dict.fromkeys(T3_COLS, 0)


def test_other_handling_printed_as_one_row():
    lines = [lab + "\t" + "\t".join(map(str, ROWS[k])) for k, lab in zip(T3_KEYS, LABELS)
             if not k.startswith("other.")]
    lines.insert(20, "(六)其他处理\t0\t0\t0\t0\t0\t0\t0")
    rep = parse_text(report("\n".join(lines)))
    t3 = rep.tables["t3"]
    assert t3["other.all"] == dict.fromkeys(T3_COLS, 0)
    assert rep.status_of("t3", "other.no_fee", "total") == "label_not_found"
    found = {f["check"]: f["passed"] for f in check_report(rep)}
    assert found["t3.outcomes.total"] is True


# ------------------------------------------------------------------ text that drops blank cells

def test_2019_text_that_drops_blank_cells_splits_nothing_by_counting():
    t2 = ("第二十条第(一)项信息内容本年新制作数量本年新公开数量对外公开总数量规章000规范性文件222"
          "第二十条第(五)项信息内容上一年项目数量本年增/减处理决定数量行政许可97其他对外管理服务事项00"
          "第二十条第(八)项信息内容上一年项目数量本年增/减行政事业性收费10")
    rep = parse_text(report(t3_lines(), t2=t2))
    assert rep.template == "2019"
    t2 = rep.tables["t2"]
    assert t2["rules"] == {"made": 0, "published": 0, "total_published": 0}  # 000: no other reading
    assert set(t2["normative_docs"].values()) == {None}  # 222: 2|2|2, or 22|2 with a blank …
    assert set(t2["fees"].values()) == {None}  # 10: 1|0 or 10|blank


# ------------------------------------------------------------------ statements

def test_statement_pins_only_a_unique_split():
    t2 = "第二十条第(一)项信息内容本年制发件数本年废止件数现行有效件数规章000行政规范性文件1126行政许可3"
    rep = parse_text(report(t3_lines(), t2=t2, one="全年制发规范性文件1件、废止1件。"))
    assert rep.tables["t2"]["normative_docs"] == {"made": 1, "repealed": 1, "in_force": 26}
    # Two statements that disagree pin nothing.
    rep = parse_text(report(t3_lines(), t2=t2, one="全年制发规范性文件1件。现行有效规范性文件6件。废止规范性文件1件。"))
    assert set(rep.tables["t2"]["normative_docs"].values()) == {None}


@pytest.mark.parametrize("one,kind,value", [
    ("全年共受理政府信息公开申请1295件，办结1294件（含上年结转0件）。", ("t3", "total_handled", "total"), 1294),
    ("截至年底，现行有效的行政规范性文件共416件。", ("t2", "normative_docs", "in_force"), 416),
    ("本年度未发生因政府信息公开引起的行政复议和行政诉讼。", ("t4", "litigation_after", "total"), 0),
    ("全年收取行政事业性收费12.5万元。", ("t2", "fees", "amount"), 12.5),
])
def test_statements_found(one, kind, value):
    rep = parse_text(report(t3_lines(), one=one))
    stated = {(s["table"], s["row"], s["column"]): s["value"] for s in rep.statements}
    assert stated[kind] == value


@pytest.mark.parametrize("one", [
    "2024年将制定规范性文件3件。",           # a plan
    "2022年收到政府信息公开申请20件。",        # another year
    "上年收到政府信息公开申请20件。",          # last year
    "全年主动公开规范性文件34件。",            # published, not made
    "对53件规范性文件进行清理，其中49件保留。",  # kept after a cleanup, not the stock in force
    "未发生因政府信息公开被行政复议纠错的情形。",  # no corrections, not no cases
])
def test_no_statement_where_the_cell_is_not_certain(one):
    rep = parse_text(report(t3_lines(), one=one))
    assert rep.statements == []


# ------------------------------------------------------------------ why a value is missing

def test_every_missing_cell_has_a_reason_and_derived_values_only_on_request():
    lines = t3_lines().split("\n")
    lines[21] = LABELS[21]  # other.no_fee: printed with blank cells
    lines[22] = LABELS[22]  # other.other: printed with blank cells
    lines[16] = LABELS[16] + "\t290余\t0\t0\t0\t0\t0\t0"  # duplicate: not a clean number
    rep = parse_text(report("\n".join(lines)))
    assert rep.status_of("t3", "other.no_fee", "natural_person") == "blank"
    assert rep.status_of("t3", "not_processed.duplicate", "total") == "doubtful_text"
    for table, rows in rep.tables.items():
        for row, cols in (rows or {}).items():
            for col, value in cols.items():
                if value is None:
                    assert rep.cell_status[table][row][col] in schema.CELL_STATUS
    frame = tables_frame([ReportRecord({"report_id": "r"}, rep)])
    derived = tables_frame([ReportRecord({"report_id": "r"}, rep)], derived=True)
    cell = (frame["row"] == "other.no_fee") & (frame["column"] == "total")
    assert frame.loc[cell, "status"].item() == "blank" and frame.loc[cell, "value"].isna().item()
    # (七)总计 minus the printed outcome rows leaves 0 for the two blank rows: offered as derived only.
    dcell = (derived["row"] == "other.no_fee") & (derived["column"] == "total")
    assert derived.loc[dcell, "status"].item() in ("derived", "blank")
    assert "derived" not in set(frame["status"])


# ------------------------------------------------------------------ titles

@pytest.mark.parametrize("text,expected", [
    ("标题: 云溪市农业农村局2023年度政府信息公开工作年度报告\n发布时间: 2024-01-20\n==== 正文 ====\n正文",
     ("云溪市农业农村局2023年度政府信息公开工作年度报告", "云溪市农业农村局", 2023)),
    ("# 东湖新区住房和城乡建设局2023年政府信息公开工作年度报告\n一、总体情况",
     ("东湖新区住房和城乡建设局2023年政府信息公开工作年度报告", "东湖新区住房和城乡建设局", 2023)),
    ("正文\n2025 年上海市人民政府办公厅政府信息公开\n工作年度报告\n本年度报告",
     ("2025年上海市人民政府办公厅政府信息公开工作年度报告", "上海市人民政府办公厅", 2025)),
    ("某县财政局关于2022年政府信息公开工作年度报告\n一、总体情况",
     ("某县财政局关于2022年政府信息公开工作年度报告", "某县财政局", 2022)),
    ("依据条例编写本报告，数据统计时间为2024年1月1日至2024年12月31日。\n一、总体情况\n……\n白沙县民族宗教事务局\n2025年1月15日",
     (None, "白沙县民族宗教事务局", 2024)),
    ("数据统计期限为2023年7月1日至2023年12月31日。\n一、总体情况", (None, None, None)),  # not a full year
])
def test_title_agency_year_from_what_the_page_gives(text, expected):
    assert extract_title(text) == expected


def test_2019_signed_change_gives_only_the_previous_count():
    t2 = ("第二十条第(一)项信息内容本年新制作数量本年新公开数量对外公开总数量规章000"
          "第二十条第(五)项信息内容上一年项目数量本年增/减处理决定数量行政许可156-5997其他对外管理服务事项0+34636")
    rep = parse_text(report(t3_lines(), t2=t2))
    assert rep.tables["t2"]["licensing"] == {"previous": 156, "change": None, "decisions": None}
    assert rep.tables["t2"]["other_services"] == {"previous": 0, "change": None, "decisions": None}
    assert rep.status_of("t2", "licensing", "change") == "ambiguous"


def test_cells_separated_by_runs_of_line_breaks():
    # Saved from Word with bare line breaks: 3 after a cell, 5 after a row; a blank cell adds 3.
    cell, row = "\n" * 3, "\n" * 5
    lines = []
    for k, lab in zip(T3_KEYS, LABELS):
        values = [str(v) for v in ROWS[k]]
        if k == "carried_over":
            values[-1] = ""  # 总计 printed blank
        lines.append(lab + cell + cell.join(values))
    t3 = row.join(lines).replace(cell + row, "\n" * 8)
    t4 = "行政复议" + cell + "结果维持" + cell + "总计" + row + cell * 4 + "2" + cell * 5 + "0" + cell * 5 + "0" + row
    rep = parse_text(report(t3, t4=t4))
    assert rep.tables["t3"]["carried_over"] == {**dict.fromkeys(T3_COLS[:-1], 0), "total": None}
    assert rep.status_of("t3", "carried_over", "total") == "blank"
    assert rep.tables["t3"]["new_received"]["total"] == 1295
    assert rep.tables["t4"]["reconsideration"] == {"upheld": None, "corrected": None, "other": None,
                                                   "pending": None, "total": 2}
    assert rep.derived["t3"]["carried_over"]["total"] == 0  # 0+0+…+0, offered as derived only


def test_a_stray_line_of_numbers_is_not_placed_by_order():
    lines = t3_lines().split("\n")
    lines[11] = "1\t2\t3\t4\t5\t6\t7"  # 8.属于行政查询事项 lost; a line of column numbers in its place
    rep = parse_text(report("\n".join(lines)))
    assert set(rep.tables["t3"]["denied.inquiry"].values()) == {None}
    assert rep.tables["t3"]["denied.enforcement_file"] == dict.fromkeys(T3_COLS, 0)
