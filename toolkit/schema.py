"""The report template as data.

Every row, column, Chinese and English label of the official tables lives here
once; the parser, the audit, the loaders and the charts all read it.  Keys are
the ones fixed in docs/DESIGN.md.

The 2021 template is 国办公开办函〔2021〕30号; the 2019 template is
国办公开办函〔2019〕60号 (report years 2019–2020).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "Item",
    "SECTIONS",
    "T2_ROWS",
    "T2_COLUMNS",
    "T3_ROWS",
    "T3_COLUMNS",
    "T3_OUTCOME_ROWS",
    "T4_ROWS",
    "T4_COLUMNS",
    "TABLES",
    "items",
    "cells",
    "label",
    "t3_rows",
    "t3_outcome_rows",
    "CELL_STATUS",
    "TEMPLATES",
    "ADMIN_LEVELS",
]

#: The templates a report can follow: the 2021 and 2019 tables, or none before 2019.
TEMPLATES: tuple[str, ...] = ("2021", "2019", "pre-2019")
#: Administrative levels of the organs that publish reports.
ADMIN_LEVELS: tuple[str, ...] = ("province", "city", "county")

#: Why a cell of ``load_tables()`` has the value it has (the ``status`` column).
CELL_STATUS: dict[str, str] = {
    "read": "the value was printed and read with certainty",
    "blank": "the source prints the cell blank (unknown, never zero)",
    "ambiguous": "numbers are there but could not be assigned to cells with certainty",
    "label_not_found": "the row's label was not found in the table, or the column's header does not name "
                       "the template's columns (columns are matched by header, never by position)",
    "doubtful_text": "the cell mixes digits and words (290余, 2023年, 约5): not a clean number",
    "table_absent": "the report does not contain the table (absent, or published as an image)",
    "derived": "not printed; implied by the template's arithmetic (offered only when asked for)",
    "ocr_unverified": "read by OCR from a scanned page, but the table's arithmetic does not vouch for it "
                      "(or the recognizer was unsure); the reading is in the parse log",
}


@dataclass(frozen=True)
class Item:
    """One row or column of a template table."""

    key: str
    zh: str
    en: str
    # Alternative spellings seen in published reports (typos, old names).
    aliases: tuple[str, ...] = ()
    # For t2 rows: which column keys the row carries.
    columns: tuple[str, ...] = ()
    unit: str = "件"


# Section number -> (canonical heading, English name, heading regexes).  The
# regexes match the distinctive part of a heading; variants seen in published
# reports (因政府信息公开工作被申请行政复议、提起行政诉讼情况, 存在的主要问题及下一年度
# 工作安排, …) are covered.  A numbered heading with a typo (行政法复议) is found by
# similarity to the canonical heading (toolkit.parsing.sections), and a bare
# pre-2019 heading (六、存在的主要问题) only as a whole numbered line (same module).
SECTIONS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "1": ("总体情况", "Overview", (r"总体情况", r"概\s*述")),
    "2": ("主动公开政府信息情况", "Proactive disclosure", (r"主动公开政府信息(?:的)?情况",)),
    "3": (
        "收到和处理政府信息公开申请情况",
        "Applications received and handled",
        (r"收到和处理政府信息公开申请(?:的)?情况",),
    ),
    "4": (
        "政府信息公开行政复议、行政诉讼情况",
        "Administrative reconsideration and litigation",
        (r"行政复议\s*[、,和及与]?\s*(?:提起)?\s*行政诉讼(?:的)?情况",),
    ),
    "5": (
        "存在的主要问题及改进情况",
        "Main problems and improvements",
        (r"(?:存在的)?主要问题(?:及|和|与|以及)改进(?:情况|措施|计划|方向)",
         # …及下一年度工作安排 / 及明年工作计划 / 和下一步工作打算
         r"(?:存在的)?主要问题(?:及|和|与|以及)(?:下一年度|下一年|下年度|明年|今后|下一步)?的?"
         r"工作(?:计划|打算|安排|思路|措施|重点)",
         r"(?:存在的)?(?:主要)?问题(?:及|和|与|以及)整改(?:情况|措施)",
         # pre-2019 headings: 六、存在的问题及改进措施 / 六、存在的问题和下一步工作措施
         r"存在的问题(?:及|和|与|以及)(?:改进|下一步工作)(?:情况|措施)"),
    ),
    "6": ("其他需要报告的事项", "Other matters", (r"其他需要报告的事项",)),
}

# ---------------------------------------------------------------- table 2
_THREE = ("made", "repealed", "in_force")
T2_ROWS: tuple[Item, ...] = (
    Item("rules", "规章", "Rules (regulations)", columns=_THREE),
    Item("normative_docs", "行政规范性文件", "Normative documents", ("规范性文件",), columns=_THREE),
    Item("licensing", "行政许可", "Administrative licensing", columns=("decisions",)),
    Item("penalty", "行政处罚", "Administrative penalties", columns=("decisions",)),
    Item("coercion", "行政强制", "Administrative coercion", columns=("decisions",)),
    Item("fees", "行政事业性收费", "Administrative fees", columns=("amount",), unit="万元"),
)
T2_COLUMNS: tuple[Item, ...] = (
    Item("made", "本年制发件数", "Issued this year"),
    Item("repealed", "本年废止件数", "Repealed this year", ("本年度止件数", "本年度废止件数")),
    Item("in_force", "现行有效件数", "In force"),
    Item("decisions", "本年处理决定数量", "Decisions this year"),
    Item("amount", "本年收费金额", "Fees collected this year", unit="万元"),
)

# ---------------------------------------------------------------- table 3
T3_COLUMNS: tuple[Item, ...] = (
    Item("natural_person", "自然人", "Natural persons"),
    Item("commercial", "商业企业", "Commercial enterprises"),
    Item("research", "科研机构", "Research institutions"),
    Item("social_org", "社会公益组织", "Social welfare organisations", ("社会组织",)),
    Item("legal_service", "法律服务机构", "Legal service institutions"),
    Item("other_org", "其他", "Other organisations"),
    Item("total", "总计", "Total"),
)

T3_ROWS: tuple[Item, ...] = (
    Item("new_received", "本年新收政府信息公开申请数量", "New applications received"),
    Item("carried_over", "上年结转政府信息公开申请数量", "Carried over from last year"),
    Item("granted", "予以公开", "Granted"),
    Item("partially_granted", "部分公开", "Partially granted"),
    Item("denied.state_secret", "属于国家秘密", "Denied: state secret"),
    Item("denied.prohibited_by_law", "其他法律行政法规禁止公开", "Denied: prohibited by other laws"),
    Item("denied.security_stability", "危及“三安全一稳定”", "Denied: endangers security/stability",
         ("危及三安全一稳定", '危及"三安全一稳定"')),
    Item("denied.third_party", "保护第三方合法权益", "Denied: third-party rights"),
    Item("denied.internal_affairs", "属于三类内部事务信息", "Denied: internal affairs"),
    Item("denied.process_info", "属于四类过程性信息", "Denied: process information"),
    Item("denied.enforcement_file", "属于行政执法案卷", "Denied: enforcement case file"),
    Item("denied.inquiry", "属于行政查询事项", "Denied: administrative inquiry"),
    Item("unavailable.not_held", "本机关不掌握相关政府信息", "Unavailable: not held"),
    Item("unavailable.needs_creation", "没有现成信息需要另行制作", "Unavailable: needs creation"),
    Item("unavailable.unclear", "补正后申请内容仍不明确", "Unavailable: unclear after correction"),
    Item("not_processed.complaint", "信访举报投诉类申请", "Not processed: petition/complaint"),
    Item("not_processed.duplicate", "重复申请", "Not processed: duplicate"),
    Item("not_processed.publication", "要求提供公开出版物", "Not processed: publication requested"),
    Item("not_processed.excessive", "无正当理由大量反复申请", "Not processed: excessive"),
    Item("not_processed.confirmation", "要求行政机关确认或重新出具已获取信息",
         "Not processed: confirmation/reissue"),
    Item("other.no_correction", "申请人无正当理由逾期不补正", "Other: no correction in time"),
    Item("other.no_fee", "申请人逾期未按收费通知要求缴纳费用", "Other: fee not paid"),
    Item("other.other", "其他", "Other: other"),
    Item("total_handled", "总计", "Total handled"),
    Item("carried_forward", "结转下年度继续办理", "Carried forward to next year"),
)

# Outcome rows whose sum is (七)总计, in template order.
T3_OUTCOME_ROWS: tuple[str, ...] = tuple(r.key for r in T3_ROWS[2:23])

# ---------------------------------------------------------------- table 4
T4_ROWS: tuple[Item, ...] = (
    Item("reconsideration", "行政复议", "Administrative reconsideration"),
    Item("litigation_direct", "未经复议直接起诉", "Litigation without reconsideration"),
    Item("litigation_after", "复议后起诉", "Litigation after reconsideration"),
)
T4_COLUMNS: tuple[Item, ...] = (
    Item("upheld", "结果维持", "Upheld"),
    Item("corrected", "结果纠正", "Corrected"),
    Item("other", "其他结果", "Other result"),
    Item("pending", "尚未审结", "Pending"),
    Item("total", "总计", "Total"),
)

TABLES: dict[str, dict] = {
    "t2": {"zh": "主动公开政府信息情况", "en": "Proactive disclosure (Art. 20)",
           "rows": T2_ROWS, "columns": T2_COLUMNS},
    "t3": {"zh": "收到和处理政府信息公开申请情况", "en": "Applications received and handled",
           "rows": T3_ROWS, "columns": T3_COLUMNS},
    "t4": {"zh": "政府信息公开行政复议、行政诉讼情况", "en": "Reconsideration and litigation",
           "rows": T4_ROWS, "columns": T4_COLUMNS},
}


# ------------------------------------------------ 2019 template (国办公开办函〔2019〕60号)
_THREE_2019 = ("made", "published", "total_published")
_SERVICE_2019 = ("previous", "change", "decisions")
T2_ROWS_2019: tuple[Item, ...] = (
    Item("rules", "规章", "Rules (regulations)", columns=_THREE_2019),
    Item("normative_docs", "规范性文件", "Normative documents", ("行政规范性文件",), columns=_THREE_2019),
    Item("licensing", "行政许可", "Administrative licensing", columns=_SERVICE_2019),
    Item("other_services", "其他对外管理服务事项", "Other external management services", columns=_SERVICE_2019),
    Item("penalty", "行政处罚", "Administrative penalties", columns=_SERVICE_2019),
    Item("coercion", "行政强制", "Administrative coercion", columns=_SERVICE_2019),
    Item("fees", "行政事业性收费", "Administrative fees", columns=("previous", "change")),
    Item("procurement", "政府集中采购", "Government centralised procurement", columns=("items", "amount"), unit="万元"),
)
T2_COLUMNS_2019: tuple[Item, ...] = (
    Item("made", "本年新制作数量", "Made this year"),
    Item("published", "本年新公开数量", "Published this year"),
    Item("total_published", "对外公开总数量", "Total published"),
    Item("previous", "上一年项目数量", "Items last year"),
    Item("change", "本年增/减", "Change this year"),
    Item("decisions", "处理决定数量", "Decisions"),
    Item("items", "采购项目数量", "Procurement items"),
    Item("amount", "采购总金额", "Procurement amount", unit="万元"),
)
T3_ROW_OTHER_2019 = Item("other.all", "其他处理", "Other handling")


@lru_cache(maxsize=None)
def t3_rows(template: str = "2021") -> tuple[Item, ...]:
    """Table 3 rows of a template: the 2019 one has (六)其他处理 as one row ``other.all``."""
    if template != "2019":
        return T3_ROWS
    keep = [r for r in T3_ROWS if not r.key.startswith("other.")]
    i = [r.key for r in keep].index("total_handled")
    return tuple(keep[:i] + [T3_ROW_OTHER_2019] + keep[i:])


@lru_cache(maxsize=None)
def t3_outcome_rows(template: str = "2021") -> tuple[str, ...]:
    """Outcome rows (予以公开 … 其他处理) whose sum is (七)总计."""
    keys = [r.key for r in t3_rows(template)]
    return tuple(keys[2:keys.index("total_handled")])


def items(table: str, template: str | None = "2021") -> tuple[tuple[Item, ...], tuple[Item, ...]]:
    """(row items, column items) of *table* in a template (``None`` means 2021)."""
    if table == "t2" and template == "2019":
        return T2_ROWS_2019, T2_COLUMNS_2019
    if table == "t3":
        return t3_rows(template or "2021"), T3_COLUMNS
    spec = TABLES[table]
    return spec["rows"], spec["columns"]


def cells(table: str, template: str | None = "2021") -> list[tuple[str, str]]:
    """Every (row, column) cell of *table* in template order (t2 rows carry their own columns)."""
    rows, columns = items(table, template)
    if table == "t2":
        return [(r.key, c) for r in rows for c in r.columns]
    return [(r.key, c.key) for r in rows for c in columns]


def label(table: str, kind: str, key: str, lang: str = "zh", template: str | None = "2021") -> str:
    """Label of a row or column key of *table* (kind is ``"row"`` or ``"column"``).

    Raises ``KeyError`` naming the unknown key.
    """
    rows, columns = items(table, template)
    for item in rows if kind == "row" else columns:
        if item.key == key:
            return item.zh if lang == "zh" else item.en
    raise KeyError(f"{table}: no {kind} {key!r} in the {template or '2021'} template")

#: The groupings a summary of indicators can be made by (``summarise_indicators(by=...)``,
#: ``xxgk indicators --by``): a report column, or "organ" (organ_id, with the organ's latest name).
SUMMARY_BY = ("year", "organ", "organ_id", "province", "city", "county", "admin_level", "sector", "template")
