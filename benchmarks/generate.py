"""Write a synthetic corpus for measuring xxgk at scale.

    python -m benchmarks.generate --n 10000 --out DIR [--seed 0] [--broken 0.05] [--check 200]

The folder is laid out like ``corpus/``: ``reports/*.txt`` and ``metadata.csv``
(the columns of :data:`toolkit.corpus.METADATA_COLUMNS`, sha256 filled), plus
a sidecar ``truth.csv`` (report_id, layout, broken_check) that says which text
layout each report uses and which of the template's identities it breaks
deliberately.

Reports are variations of the five seed reports (corpus/reports/000…004):

* text layouts: one cell per line (seed 000), ``|`` rows (001), no tables (002),
  tab rows (003/004), markdown table rows, and cells that ran together
  (``一、本年新收政府信息公开申请数量1000001``) drawn so that the digits split into
  cells in exactly one way (or exactly one way that satisfies the row sum);
  some reports use full-width digits and brackets in their tables;
* numbers are drawn anew so that the template's arithmetic holds (t3: six
  applicant columns sum to 总计; new + carried over = handled + carried forward
  per column; outcome rows sum to (七)总计; t4 rows sum), except for a known
  share (``--broken``) in which one identity is broken on purpose;
* agencies (region prefix + organ) and report years 2021–2024 vary; section
  一 and section 五 are recombined from the seeds' sentences.

Deterministic for a seed: report *i* depends only on (seed, i, broken), so any
report can be regenerated (see :func:`make_report`), which is how
:func:`self_check` compares the parser's numbers with the generated ones.
Files are written one at a time; no more than one report is held in memory.

It is for measuring only and refuses to write into the repository's corpus/.
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import random
import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SEED_GLOB = "00[0-4]_*.txt"
LAYOUTS = ("cells", "pipe", "tab", "markdown", "jammed", "none")

# ------------------------------------------------------------------ agencies

# (display prefix, province, city, county, adcode)
REGIONS = (
    ("鸡东县", "黑龙江省", "鸡西市", "鸡东县", "230321"),
    ("重庆市开州区", "重庆市", "重庆市", "开州区", "500154"),
    ("威海市文登区", "山东省", "威海市", "文登区", "371003"),
    ("吴忠市", "宁夏回族自治区", "吴忠市", None, "640300"),
    ("卫辉市", "河南省", "新乡市", "卫辉市", "410781"),
    ("杭州市西湖区", "浙江省", "杭州市", "西湖区", "330106"),
    ("苏州市", "江苏省", "苏州市", None, "320500"),
    ("深圳市南山区", "广东省", "深圳市", "南山区", "440305"),
    ("成都市武侯区", "四川省", "成都市", "武侯区", "510107"),
    ("武汉市江岸区", "湖北省", "武汉市", "江岸区", "420102"),
    ("石家庄市", "河北省", "石家庄市", None, "130100"),
    ("昆明市五华区", "云南省", "昆明市", "五华区", "530102"),
    ("北京市海淀区", "北京市", "北京市", "海淀区", "110108"),
    ("上海市浦东新区", "上海市", "上海市", "浦东新区", "310115"),
    ("湖南省", "湖南省", None, None, "430000"),
    ("长沙市岳麓区", "湖南省", "长沙市", "岳麓区", "430104"),
    ("福建省", "福建省", None, None, "350000"),
    ("厦门市思明区", "福建省", "厦门市", "思明区", "350203"),
    ("西安市", "陕西省", "西安市", None, "610100"),
    ("兰州市城关区", "甘肃省", "兰州市", "城关区", "620102"),
)
# (organ, sector)
ORGANS = (
    ("民政局", "民政"), ("财政局", "财政"), ("教育局", "教育"), ("卫生健康委员会", "卫生健康"),
    ("自然资源局", "自然资源"), ("生态环境局", "生态环境"), ("住房和城乡建设局", "住房城乡建设"),
    ("交通运输局", "交通运输"), ("市场监督管理局", "市场监管"), ("人力资源和社会保障局", "人力资源社会保障"),
    ("司法局", "司法"), ("农业农村局", "农业农村"), ("应急管理局", "应急管理"), ("审计局", "审计"),
    ("文化和旅游局", "文化旅游"), ("人民政府办公室", "综合"),
)
PROVINCE_ORGANS = {"民政局": "民政厅", "财政局": "财政厅", "教育局": "教育厅", "卫生健康委员会": "卫生健康委员会",
                   "自然资源局": "自然资源厅", "生态环境局": "生态环境厅", "住房和城乡建设局": "住房和城乡建设厅",
                   "交通运输局": "交通运输厅", "市场监督管理局": "市场监督管理局",
                   "人力资源和社会保障局": "人力资源和社会保障厅", "司法局": "司法厅", "农业农村局": "农业农村厅",
                   "应急管理局": "应急管理厅", "审计局": "审计厅", "文化和旅游局": "文化和旅游厅",
                   "人民政府办公室": "人民政府办公厅"}
YEARS = (2021, 2022, 2023, 2024)

# ------------------------------------------------------------------ template

T2_SPEC = (  # (row key, label, columns)
    ("rules", "规章", ("made", "repealed", "in_force")),
    ("normative_docs", "行政规范性文件", ("made", "repealed", "in_force")),
    ("licensing", "行政许可", ("decisions",)),
    ("penalty", "行政处罚", ("decisions",)),
    ("coercion", "行政强制", ("decisions",)),
    ("fees", "行政事业性收费", ("amount",)),
)
T3_COLS = ("natural_person", "commercial", "research", "social_org", "legal_service", "other_org", "total")
APPLICANTS = T3_COLS[:6]
T3_ROWS = (
    "new_received", "carried_over", "granted", "partially_granted",
    "denied.state_secret", "denied.prohibited_by_law", "denied.security_stability", "denied.third_party",
    "denied.internal_affairs", "denied.process_info", "denied.enforcement_file", "denied.inquiry",
    "unavailable.not_held", "unavailable.needs_creation", "unavailable.unclear",
    "not_processed.complaint", "not_processed.duplicate", "not_processed.publication",
    "not_processed.excessive", "not_processed.confirmation",
    "other.no_correction", "other.no_fee", "other.other", "total_handled", "carried_forward",
)
OUTCOMES = T3_ROWS[2:23]
# Relative frequency of each outcome (予以公开 and 本机关不掌握 are the common ones).
OUTCOME_WEIGHTS = (40, 8, 0.3, 1, 0.5, 1, 1, 2, 0.5, 1.5, 15, 3, 2, 4, 3, 0.5, 1, 1, 3, 0.5, 3)
T4_ROWS = ("reconsideration", "litigation_direct", "litigation_after")
T4_COLS = ("upheld", "corrected", "other", "pending", "total")

# Label cells of each t3 row ({o} {c}: opening/closing bracket of the report's style).
T3_LABELS = {
    "new_received": ["一、本年新收政府信息公开申请数量", ""],
    "carried_over": ["二、上年结转政府信息公开申请数量", ""],
    "granted": ["三、本年度办理结果", "{o}一{c}予以公开"],
    "partially_granted": ["", "{o}二{c}部分公开{o}区分处理的，只计这一情形，不计其他情形{c}"],
    "denied.state_secret": ["", "{o}三{c}不予公开", "1.属于国家秘密"],
    "denied.prohibited_by_law": ["", "", "2.其他法律行政法规禁止公开"],
    "denied.security_stability": ["", "", "3.危及“三安全一稳定”"],
    "denied.third_party": ["", "", "4.保护第三方合法权益"],
    "denied.internal_affairs": ["", "", "5.属于三类内部事务信息"],
    "denied.process_info": ["", "", "6.属于四类过程性信息"],
    "denied.enforcement_file": ["", "", "7.属于行政执法案卷"],
    "denied.inquiry": ["", "", "8.属于行政查询事项"],
    "unavailable.not_held": ["", "{o}四{c}无法提供", "1.本机关不掌握相关政府信息"],
    "unavailable.needs_creation": ["", "", "2.没有现成信息需要另行制作"],
    "unavailable.unclear": ["", "", "3.补正后申请内容仍不明确"],
    "not_processed.complaint": ["", "{o}五{c}不予处理", "1.信访举报投诉类申请"],
    "not_processed.duplicate": ["", "", "2.重复申请"],
    "not_processed.publication": ["", "", "3.要求提供公开出版物"],
    "not_processed.excessive": ["", "", "4.无正当理由大量反复申请"],
    "not_processed.confirmation": ["", "", "5.要求行政机关确认或重新出具已获取信息"],
    "other.no_correction": ["", "{o}六{c}其他处理", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"],
    "other.no_fee": ["", "", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"],
    "other.other": ["", "", "3.其他"],
    "total_handled": ["", "{o}七{c}总计"],
    "carried_forward": ["四、结转下年度继续办理", ""],
}

# ------------------------------------------------------------------ seed sentences

_HEADINGS = [("1", "总体情况"), ("2", "主动公开政府信息情况"), ("3", "收到和处理政府信息公开申请情况"),
             ("4", "行政复议、行政诉讼情况"), ("5", "主要问题"), ("6", "其他需要报告的事项")]
_ARTEFACT = re.compile(r"\[bookmark:[^\]]*\]|\*\*")
_SUBHEAD = re.compile(r"^\s*[（(][一二三四五六七八九十][）)][^。]{0,16}?(?:[。.]|$)")
_AVOID = re.compile(r"申请|复议|诉讼|总体情况|主动公开政府信息|收到和处理|主要问题|改进|整改|下一步|今后|针对|"
                    r"其他需要报告|概述|[一二三四五六七八九十]是|首先|其次|第[一二三四五六七八九十]|"
                    r"[（(][一二三四五六七八九十\d][）)]|\d\s*[.．、]|[\t|]|行政许可|行政处罚|规章")


def _seed_sections(text: str) -> dict[str, str]:
    """Section bodies of a seed, found by their headings on lines of their own (no parser involved)."""
    text = _ARTEFACT.sub("", text.replace("\r\n", "\n"))
    lines = text.split("\n")
    starts, cursor = [], 0
    for number, key in _HEADINGS:
        for i in range(cursor, len(lines)):
            line = lines[i].strip()
            if key in line and len(line) <= 40:
                starts.append((number, i))
                cursor = i + 1
                break
    out = {}
    for j, (number, i) in enumerate(starts):
        end = starts[j + 1][1] if j + 1 < len(starts) else len(lines)
        out[number] = "\n".join(lines[i + 1:end])
    return out


def _sentences(body: str) -> list[str]:
    out = []
    for line in body.split("\n"):
        line = _SUBHEAD.sub("", line.strip()).strip()
        for s in re.findall(r"[^。；;]+[。；;]", line):
            s = s.strip().rstrip("；;") + ("" if s.strip().endswith("。") else "。")
            if 8 <= len(s) <= 160 and not _AVOID.search(s):
                out.append(s)
    return out


def _items(body: str) -> list[str]:
    """Enumerated items (一是… / sentences) of a part of section 五, markers removed."""
    out = []
    body = re.sub(r"\s+", "", _SUBHEAD.sub("", body))
    for chunk in re.split(r"[一二三四五六七八九十]是|[；;。]", body):
        chunk = chunk.strip("，,：:。；; ")
        if 6 <= len(chunk) <= 120 and not _AVOID.search(chunk):
            out.append(chunk)
    return out


@dataclass
class Pools:
    overview: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    improvements: list[str] = field(default_factory=list)
    other: list[str] = field(default_factory=list)


_IMPROVE = re.compile(r"[（(]二[)）]\s*(?:改进|整改)|改进措施|整改措施|下一步")


@lru_cache(maxsize=1)
def seed_pools(seed_dir: str | None = None) -> Pools:
    """Sentences of the seed reports, by where they may be reused."""
    folder = Path(seed_dir) if seed_dir else REPO / "corpus" / "reports"
    files = sorted(folder.glob(SEED_GLOB))
    if not files:
        raise SystemExit(f"benchmarks.generate: no seed reports ({SEED_GLOB}) in {folder}")
    pools = Pools()
    for f in files:
        sec = _seed_sections(f.read_text(encoding="utf-8"))
        pools.overview += _sentences(sec.get("1", ""))
        five = sec.get("5", "")
        m = _IMPROVE.search(five)
        cut = m.start() if m else len(five)
        pools.problems += _items(five[:cut])
        pools.improvements += _items(five[cut:])
        pools.other += [s for s in _sentences(sec.get("6", "")) if "费" in s]
    for name in ("overview", "problems", "improvements", "other"):
        values = list(dict.fromkeys(getattr(pools, name)))  # dedupe, keep order
        if not values:
            raise SystemExit(f"benchmarks.generate: no {name} sentences found in the seeds")
        setattr(pools, name, values)
    return pools


# ------------------------------------------------------------------ numbers


def _split_count(digits: str, sizes: list[int], check: bool, limit: int = 2) -> list[list[int]]:
    """Ways (at most *limit*) to cut *digits* into cells grouped by *sizes*.

    A cell has no leading zero unless it is 0 and at most 9 digits; with
    *check*, the last cell of every group must equal the sum of the others.
    This restates the README's rule for run-together cells independently of
    the parser, to know what the parser must read.
    """
    sols: list[list[int]] = []
    n = len(digits)
    bounds = []  # (group index, position in group) for every cell
    for g, size in enumerate(sizes):
        bounds += [(g, k) for k in range(size)]
    total = len(bounds)
    cur: list[int] = []

    def rec(pos: int, cell: int, gsum: int) -> None:
        if len(sols) >= limit:
            return
        if cell == total:
            if pos == n:
                sols.append(list(cur))
            return
        g, k = bounds[cell]
        left = total - cell - 1
        last = k == sizes[g] - 1
        if check and last and sizes[g] > 1:
            tok = str(gsum)
            if digits.startswith(tok, pos) and n - pos - len(tok) >= left:
                cur.append(gsum)
                rec(pos + len(tok), cell + 1, 0)
                cur.pop()
            return
        for length in range(1, min(9, n - pos - left) + 1):
            tok = digits[pos:pos + length]
            if length > 1 and tok[0] == "0":
                break
            if n - pos - length > left * 9:
                continue
            v = int(tok)
            cur.append(v)
            rec(pos + length, cell + 1, 0 if last else gsum + v)
            cur.pop()

    rec(0, 0, 0)
    return sols


def jammed_reading(values: list[int], sizes: list[int], check: bool) -> list[int] | None:
    """What a reader certain of its cells gets from *values* run together: None if not unique."""
    digits = "".join(str(v) for v in values)
    sols = _split_count(digits, sizes, False)
    if len(sols) != 1 and check:
        sols = _split_count(digits, sizes, True)
    return sols[0] if len(sols) == 1 else None


def _draw_t3(rng: random.Random, level: str) -> dict[str, dict[str, int]]:
    t3 = {r: {c: 0 for c in T3_COLS} for r in T3_ROWS}
    scale = {"zero": (0, 0, 0), "small": (12, 2, 2), "large": (400, 40, 6)}[level]
    for c in APPLICANTS:
        top = scale[0] if c == "natural_person" else (scale[1] if c == "commercial" else scale[2])
        if top == 0 or rng.random() < (0.1 if c == "natural_person" else 0.6):
            new = 0
        else:
            new = rng.randint(0, top)
        carried = rng.randint(0, max(0, top // 10)) if rng.random() < 0.3 else 0
        forward = rng.randint(0, (new + carried) // 5) if new + carried and rng.random() < 0.3 else 0
        handled = new + carried - forward
        t3["new_received"][c], t3["carried_over"][c], t3["carried_forward"][c] = new, carried, forward
        counts = [0] * len(OUTCOMES)
        for _ in range(handled):
            counts[_pick(rng, OUTCOME_WEIGHTS)] += 1
        for r, v in zip(OUTCOMES, counts):
            t3[r][c] = v
        t3["total_handled"][c] = handled
    for r in T3_ROWS:
        t3[r]["total"] = sum(t3[r][c] for c in APPLICANTS)
    return t3


@lru_cache(maxsize=None)
def _cumulative(weights: tuple[float, ...]) -> tuple[list[float], float]:
    acc, out = 0.0, []
    for w in weights:
        acc += w
        out.append(acc)
    return out, acc


def _pick(rng: random.Random, weights: tuple[float, ...]) -> int:
    cum, total = _cumulative(weights)
    x = rng.random() * total
    for i, edge in enumerate(cum):
        if x < edge:
            return i
    return len(cum) - 1


def _draw_t2(rng: random.Random, small: bool) -> dict[str, dict]:
    hi = 9 if small else None
    t2 = {
        "rules": {"made": rng.randint(0, 2), "repealed": rng.randint(0, 1), "in_force": rng.randint(0, hi or 30)},
        "normative_docs": {"made": rng.randint(0, hi or 12), "repealed": rng.randint(0, hi or 5),
                           "in_force": rng.randint(0, hi or 80)},
        "licensing": {"decisions": rng.choice([0, rng.randint(0, 3000)])},
        "penalty": {"decisions": rng.choice([0, rng.randint(0, 600)])},
        "coercion": {"decisions": rng.choice([0, rng.randint(0, 40)])},
        "fees": {"amount": 0.0 if rng.random() < 0.7 else round(rng.uniform(0.01, 800), rng.choice([0, 1, 2, 4]))},
    }
    if rng.random() < 0.1:
        del t2["rules"]  # some reports leave 规章 out: absent, not zero
    return t2


def _draw_t4(rng: random.Random) -> dict[str, dict[str, int]]:
    t4 = {}
    for r in T4_ROWS:
        parts = [rng.randint(0, 3) if rng.random() < 0.15 else 0 for _ in range(4)]
        t4[r] = dict(zip(T4_COLS, parts + [sum(parts)]))
    return t4


def failing_checks(t3: dict | None, t4: dict | None) -> list[str]:
    """The template identities the numbers break (check ids as in toolkit.checks)."""
    out = []
    if t3 is not None:
        for c in T3_COLS:
            if t3["new_received"][c] + t3["carried_over"][c] != t3["total_handled"][c] + t3["carried_forward"][c]:
                out.append(f"t3.balance.{c}")
        for r in T3_ROWS:
            if sum(t3[r][c] for c in APPLICANTS) != t3[r]["total"]:
                out.append(f"t3.row_sum.{r}")
        for c in T3_COLS:
            if sum(t3[r][c] for r in OUTCOMES) != t3["total_handled"][c]:
                out.append(f"t3.outcomes.{c}")
    if t4 is not None:
        for r in T4_ROWS:
            if sum(t4[r][c] for c in T4_COLS[:4]) != t4[r]["total"]:
                out.append(f"t4.row_sum.{r}")
    return sorted(out)


def _break(rng: random.Random, kind: str, t3: dict, t4: dict) -> None:
    d = rng.choice([1, 1, 2, 3])
    if kind == "t3.row_sum":
        t3[rng.choice(T3_ROWS)]["total"] += d
    elif kind == "t3.balance":
        c = rng.choice(T3_COLS)
        t3["carried_forward"][c] += d
        if c != "total":
            t3["carried_forward"]["total"] += d
    elif kind == "t3.outcomes":
        c = rng.choice(APPLICANTS)
        t3["granted"][c] += d
        t3["granted"]["total"] += d
    else:
        t4[rng.choice(T4_ROWS)]["total"] += d


# ------------------------------------------------------------------ rendering


def _fee(value: float, rng: random.Random) -> str:
    if value == int(value) and rng.random() < 0.7:
        return str(int(value))
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") and rng.random() < 0.5 else text


def _table_rows(t2, t3, t4, rng, o, c, layout) -> tuple[list, list, list]:
    """(t2 rows, t3 rows, t4 rows): each row is (label cells, value cells, is_header)."""
    split = layout == "cells"  # header cells broken across lines, as extracted from DOCX
    t2_rows = []
    groups = [("一", ["本年制发件数", rng.choice(["本年废止件数", "本年废止件数", "本年度止件数"]), "现行有效件数"],
               ["rules", "normative_docs"]),
              ("五", ["本年处理决定数量"], ["licensing"]),
              ("六", ["本年处理决定数量"], ["penalty", "coercion"]),
              ("八", [f"本年收费金额{o}单位：万元{c}"], ["fees"])]
    for numeral, heads, keys in groups:
        t2_rows.append(([f"第二十条第{o}{numeral}{c}项"], [], True))
        t2_rows.append((["信息内容", *heads], [], True))
        for key in keys:
            if key not in t2:
                continue
            label = dict((k, lab) for k, lab, _ in T2_SPEC)[key]
            cols = dict((k, cs) for k, _, cs in T2_SPEC)[key]
            vals = [_fee(t2[key][col], rng) if col == "amount" else str(t2[key][col]) for col in cols]
            t2_rows.append(([label], vals, False))
    social = rng.choice(["社会公益组织", "社会公益组织", "社会组织"])
    t3_rows = [
        ([f"{o}本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和{c}", "", "申请人情况"], [], True),
        (["", "", "自然人", "法人或其他组织", "", "", "", "", "总计"], [], True),
        (["", "", "", "商业\n企业" if split else "商业企业", "科研\n机构" if split else "科研机构", social,
          "法律服务机构", "其他", ""], [], True),
    ]
    for r in T3_ROWS:
        labels = [lab.format(o=o, c=c) for lab in T3_LABELS[r]]
        t3_rows.append((labels, [str(t3[r][col]) for col in T3_COLS], False))
    res = "结果\n纠正" if split else "结果纠正"
    t4_rows = [
        (["行政复议", "", "", "", "", "行政诉讼"], [], True),
        (["结果维持", res, "其他结果", "尚未审结", "总计", "未经复议直接起诉", "", "", "", "", "复议后起诉"], [], True),
        (["", "", "", "", "", *(["结果维持", res, "其他结果", "尚未审结", "总计"] * 2)], [], True),
        ([], [str(t4[r][col]) for r in T4_ROWS for col in T4_COLS], False),
    ]
    return t2_rows, t3_rows, t4_rows


def _render(rows, layout: str) -> str:
    out = []
    if layout == "cells":
        for labels, vals, _ in rows:
            out.append("\n".join(f"\t{cell}" for cell in [*labels, *vals]))
        return "\n\n".join(out) + "\n"
    if layout == "pipe":
        for labels, vals, header in rows:
            cells = [*labels, *vals]
            lines = [f"{cell} |" for cell in cells if cell]
            if lines and header:
                lines[-1] += " |||"
            out.extend(lines)
        return "\n".join(out) + "\n"
    if layout == "tab":
        return "\n".join("\t".join([*labels, *vals]) for labels, vals, _ in rows) + "\n"
    if layout == "markdown":
        first = True
        for labels, vals, _ in rows:
            cells = [x.replace("\n", "") for x in [*labels, *vals]]
            out.append("| " + " | ".join(cells) + " |")
            if first:
                out.append("|" + "---|" * len(cells))
                first = False
        return "\n".join(out) + "\n"
    if layout == "jammed":
        return "\n".join("".join(labels).replace("\n", "") + "".join(vals) for labels, vals, _ in rows) + "\n"
    raise ValueError(layout)


_FULL = str.maketrans({**{chr(ord("0") + i): chr(0xFF10 + i) for i in range(10)},
                       "(": "（", ")": "）", ".": "．", ":": "："})


@dataclass
class Generated:
    report_id: str
    layout: str
    agency: str
    year: int
    region: tuple
    sector: str
    title: str
    text: str
    tables: dict
    broken: list[str]


def _jammed_ok(t2, t3, t4) -> bool:
    for key, _, cols in T2_SPEC:
        if key in t2 and cols[0] != "amount":
            vals = [t2[key][c] for c in cols]
            if jammed_reading(vals, [len(vals)], False) != vals:
                return False
    for r in T3_ROWS:
        vals = [t3[r][c] for c in T3_COLS]
        if jammed_reading(vals, [7], True) != vals:
            return False
    vals = [t4[r][c] for r in T4_ROWS for c in T4_COLS]
    return jammed_reading(vals, [5, 5, 5], True) == vals


def make_report(seed: int, i: int, broken: float = 0.05) -> Generated:
    """Report *i* of the corpus of *seed*: its text and the numbers it states (deterministic)."""
    rng = random.Random(f"xxgk-bench:{seed}:{i}")
    pools = seed_pools()
    prefix, province, city, county, adcode = rng.choice(REGIONS)
    organ, sector = rng.choice(ORGANS)
    if adcode.endswith("0000"):
        organ = PROVINCE_ORGANS[organ]
    agency = prefix + organ
    year = rng.choice(YEARS)
    layout = LAYOUTS[rng.randrange(len(LAYOUTS))]
    fullwidth = layout in ("cells", "tab", "pipe") and rng.random() < 0.15
    o, c = ("（", "）") if rng.random() < 0.5 else ("(", ")")
    is_broken = layout != "none" and rng.random() < broken
    kind = rng.choice(["t3.row_sum", "t3.balance", "t3.outcomes", "t4.row_sum"]) if is_broken else None
    level = rng.choices(["zero", "small", "large"], weights=[4, 4, 2])[0]
    for attempt in range(40):
        if layout == "jammed" and attempt >= 10:
            level = "small" if attempt < 30 else "zero"
        t2, t3, t4 = _draw_t2(rng, layout == "jammed" and attempt >= 20), _draw_t3(rng, level), _draw_t4(rng)
        if kind:
            _break(rng, kind, t3, t4)
        if layout != "jammed" or _jammed_ok(t2, t3, t4):
            break
    else:
        raise RuntimeError(f"report {i}: could not draw run-together numbers that split uniquely")
    digest = hashlib.sha256(f"{seed}:{i}".encode()).hexdigest()[:12]
    report_id = f"syn{i:06d}_{digest}"
    title = f"{agency}{year}年政府信息公开工作年度报告"
    new_total = t3["new_received"]["total"]

    def pick(pool, k):
        return "".join(rng.sample(pool, min(k, len(pool))))

    head = [title] if rng.random() < 0.5 else [agency, "", f"{year}年政府信息公开工作年度报告"]
    parts = ["\n".join(head), "",
             f"根据《中华人民共和国政府信息公开条例》规定和《国务院办公厅政府信息与政务公开办公室关于印发中华人民共和国"
             f"政府信息公开工作年度报告格式的通知》{o}国办公开办函〔2021〕30号{c}要求，现发布《{title}》。",
             "一、总体情况", pick(pools.overview, 2)]
    stated = ""
    if layout != "none" and rng.random() < 0.5:
        stated = (f"{year}年，共收到政府信息公开申请{new_total}件。" if new_total
                  else f"{year}年，本机关未收到政府信息公开申请。")
    for n, sub in enumerate(["主动公开情况", "依申请公开情况", "政府信息管理情况", "平台建设情况", "监督保障情况"]):
        parts.append(f"{o}{'一二三四五'[n]}{c}{sub}")
        parts.append((stated if n == 1 else "") + pick(pools.overview, rng.randint(1, 3)))
    if layout == "none":
        parts += ["主动公开政府信息情况", " 三、收到和处理政府信息公开申请情况", " 四、政府信息公开行政复议、行政诉讼情况", ""]
        tables = {"t2": None, "t3": None, "t4": None}
    else:
        t2_rows, t3_rows, t4_rows = _table_rows(t2, t3, t4, rng, o, c, layout)
        blocks = [_render(rows, layout) for rows in (t2_rows, t3_rows, t4_rows)]
        if fullwidth:
            blocks = [b.translate(_FULL) for b in blocks]
        parts += ["二、主动公开政府信息情况", blocks[0], "三、收到和处理政府信息公开申请情况", blocks[1],
                  "四、政府信息公开行政复议、行政诉讼情况", blocks[2]]
        tables = {"t2": t2, "t3": t3, "t4": t4}
    numerals = "一二三四五"
    problems = rng.sample(pools.problems, min(rng.randint(2, 3), len(pools.problems)))
    improvements = rng.sample(pools.improvements, min(rng.randint(2, 4), len(pools.improvements)))
    parts += [rng.choice(["五、存在的主要问题及改进情况", "五、政府信息公开工作存在的主要问题及改进情况"]),
              f"{o}一{c}" + rng.choice(["存在的主要问题", "存在的问题"]),
              "".join(f"{numerals[k]}是{p}。" for k, p in enumerate(problems)),
              f"{o}二{c}" + rng.choice(["改进情况", "改进措施", "整改措施"]),
              "".join(f"{numerals[k]}是{p}。" for k, p in enumerate(improvements)),
              "六、其他需要报告的事项",
              rng.choice([f"本机关{year}年未收取信息处理费。", "本年度没有产生信息公开处理费。", pick(pools.other, 1)])]
    text = "\n".join(parts) + "\n"
    broken_checks = failing_checks(tables["t3"], tables["t4"])
    return Generated(report_id, layout + ("+fullwidth" if fullwidth else ""), agency, year,
                     (province, city, county, adcode), sector, title, text, tables, broken_checks)


# ------------------------------------------------------------------ writing


def _admin_level(adcode: str) -> str:
    return "province" if adcode.endswith("0000") else ("city" if adcode.endswith("00") else "county")


def refuse_repo_corpus(out: Path) -> None:
    """Exit with an error if *out* is (inside) the repository's corpus folder."""
    out = out.expanduser().resolve()
    protected = [(REPO / "corpus").resolve()]
    for p in protected:
        if out == p or p in out.parents:
            raise SystemExit(f"benchmarks.generate: refusing to write into the repository's corpus folder {p}")


def generate(n: int, out: str | Path, seed: int = 0, broken: float = 0.05, progress: bool = False) -> Path:
    """Write *n* synthetic reports to *out* (reports/, metadata.csv, truth.csv); returns the folder."""
    from toolkit.corpus import METADATA_COLUMNS

    out = Path(out).expanduser().resolve()
    refuse_repo_corpus(out)
    (out / "reports").mkdir(parents=True, exist_ok=True)
    source = f"synthetic (benchmarks.generate seed={seed} broken={broken})"
    with open(out / "metadata.csv", "w", encoding="utf-8", newline="") as mf, \
            open(out / "truth.csv", "w", encoding="utf-8", newline="") as tf:
        meta = csv.writer(mf, lineterminator="\n")
        truth = csv.writer(tf, lineterminator="\n")
        meta.writerow(METADATA_COLUMNS)
        truth.writerow(["report_id", "layout", "broken_check"])
        for i in range(n):
            g = make_report(seed, i, broken)
            data = g.text.encode("utf-8")
            rel = f"reports/{g.report_id}.txt"
            (out / rel).write_bytes(data)
            province, city, county, adcode = g.region
            row = {"report_id": g.report_id, "agency": g.agency, "province": province, "city": city or "",
                   "county": county or "", "adcode": adcode, "admin_level": _admin_level(adcode),
                   "sector": g.sector, "year": g.year, "title": g.title, "file": rel,
                   "sha256": hashlib.sha256(data).hexdigest(), "source": source}
            meta.writerow([row[col] for col in METADATA_COLUMNS])
            truth.writerow([g.report_id, g.layout, ";".join(g.broken)])
            if progress and (i + 1) % 10000 == 0:
                print(f"  generated {i + 1}/{n}", file=sys.stderr)
    return out


# ------------------------------------------------------------------ self-check


def _snippet(text: str, needle: str, width: int = 160) -> str:
    norm = text
    k = norm.find(needle)
    if k < 0:
        return repr(text[:width])
    return repr(norm[max(0, k - 20): k + width])


def self_check(seed: int = 0, n: int = 10000, sample: int = 200, broken: float = 0.05,
               verbose: bool = True) -> dict:
    """Regenerate a sample of reports, parse + audit them, compare with the generated truth.

    Returns counts; prints every mismatch (cell values, tables found, title,
    and the arithmetic checks the audit fails vs those deliberately broken).
    A mismatch means a generator bug or a parser bug; the snippet shows the text.
    """
    from toolkit.checks import check_report
    from toolkit.parsing import parse_text

    rng = random.Random(f"self-check:{seed}")
    idx = sorted(rng.sample(range(n), min(sample, n)))
    stats = {"reports": 0, "cells": 0, "cell_mismatches": 0, "table_mismatches": 0, "title_mismatches": 0,
             "audit_mismatches": 0, "reports_with_mismatch": 0, "by_layout": {}}
    for i in idx:
        g = make_report(seed, i, broken)
        rep = parse_text(g.text, report_id=g.report_id)
        problems = []
        if rep.agency != g.agency or rep.year != g.year:
            stats["title_mismatches"] += 1
            problems.append(f"title: parsed agency={rep.agency!r} year={rep.year} "
                            f"expected {g.agency!r} {g.year}")
        for t in ("t2", "t3", "t4"):
            want, got = g.tables[t], rep.tables.get(t)
            if (want is None) != (got is None):
                stats["table_mismatches"] += 1
                problems.append(f"{t}: expected {'absent' if want is None else 'present'}, "
                                f"parsed {'absent' if got is None else 'present'}")
                continue
            if want is None:
                continue
            if set(want) != set(got):
                stats["table_mismatches"] += 1
                problems.append(f"{t}: rows expected {sorted(want)} parsed {sorted(got)}")
            for r, cols in want.items():
                for col, v in cols.items():
                    stats["cells"] += 1
                    pv = (got.get(r) or {}).get(col)
                    if pv is None or abs(float(pv) - float(v)) > 1e-9:
                        stats["cell_mismatches"] += 1
                        problems.append(f"{t}.{r}.{col}: expected {v!r} parsed {pv!r}")
        failed = sorted(f["check"] for f in check_report(rep)
                        if f["passed"] is False and f["check"].startswith(("t3.", "t4.")))
        if failed != g.broken:
            stats["audit_mismatches"] += 1
            problems.append(f"audit: failed arithmetic checks {failed} expected {g.broken}")
        stats["reports"] += 1
        lay = stats["by_layout"].setdefault(g.layout, [0, 0])
        lay[0] += 1
        if problems:
            lay[1] += 1
            stats["reports_with_mismatch"] += 1
            if verbose:
                print(f"MISMATCH report {i} ({g.report_id}, layout {g.layout}):")
                for p in problems[:12]:
                    print(f"    {p}")
                if len(problems) > 12:
                    print(f"    … {len(problems) - 12} more")
                if rep.warnings:
                    print(f"    parser warnings: {rep.warnings[:4]}")
                key = problems[0].split(":")[0].split(".")
                if key[0] in ("t2", "t3", "t4") and len(key) > 1:
                    label = {**{k: lab for k, lab, _ in T2_SPEC},
                             **{r: T3_LABELS[r][-1] or T3_LABELS[r][-2] for r in T3_ROWS}}.get(".".join(key[1:-1]) or key[1])
                    if label:
                        label = re.sub(r"\{o\}.\{c\}", "", label).split("{")[0]
                        print(f"    text: {_snippet(g.text, label)}")
    if verbose:
        print(f"self-check: {stats['reports']} reports, {stats['cells']} cells; "
              f"{stats['cell_mismatches']} cell mismatches, {stats['table_mismatches']} table presence/row "
              f"mismatches, {stats['title_mismatches']} title mismatches, {stats['audit_mismatches']} audit "
              f"mismatches; {stats['reports_with_mismatch']} reports with any mismatch")
        for lay, (k, bad) in sorted(stats["by_layout"].items()):
            print(f"    {lay:20s} {k:5d} reports, {bad} with mismatch")
    return stats


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.generate", description=__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, default=10000, help="number of reports (default 10000)")
    p.add_argument("--out", help="output folder (must not be the repository's corpus/)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--broken", type=float, default=0.05, help="share of reports with a broken identity")
    p.add_argument("--check", type=int, default=0, metavar="K",
                   help="after writing (or alone, without --out), parse K sampled reports and compare")
    args = p.parse_args(argv)
    if not 0 <= args.broken <= 1:
        p.error("--broken must be between 0 and 1")
    if args.out is None and not args.check:
        p.error("give --out DIR (and/or --check K)")
    if args.out:
        import time

        t0 = time.perf_counter()
        out = generate(args.n, args.out, args.seed, args.broken, progress=True)
        print(f"wrote {args.n} reports to {out} in {time.perf_counter() - t0:.1f} s")
    if args.check:
        stats = self_check(args.seed, args.n, args.check, args.broken)
        return 1 if stats["reports_with_mismatch"] else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
