"""Reports whose tables' headers print the columns in another order than the template's,
or cannot be matched (text, markdown, HTML, DOCX, PDF).  Every table holds distinct
numbers per column, so a column read by position instead of by header shows."""
from __future__ import annotations

ROWS = [
    ("一、本年新收政府信息公开申请数量", "new_received"),
    ("二、上年结转政府信息公开申请数量", "carried_over"),
    ("三、本年度办理结果\t（一）予以公开", "granted"),
    ("\t（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "partially_granted"),
    ("\t（三）不予公开\t1.属于国家秘密", "denied.state_secret"),
    ("\t\t2.其他法律行政法规禁止公开", "denied.prohibited_by_law"),
    ("\t\t3.危及“三安全一稳定”", "denied.security_stability"),
    ("\t\t4.保护第三方合法权益", "denied.third_party"),
    ("\t\t5.属于三类内部事务信息", "denied.internal_affairs"),
    ("\t\t6.属于四类过程性信息", "denied.process_info"),
    ("\t\t7.属于行政执法案卷", "denied.enforcement_file"),
    ("\t\t8.属于行政查询事项", "denied.inquiry"),
    ("\t（四）无法提供\t1.本机关不掌握相关政府信息", "unavailable.not_held"),
    ("\t\t2.没有现成信息需要另行制作", "unavailable.needs_creation"),
    ("\t\t3.补正后申请内容仍不明确", "unavailable.unclear"),
    ("\t（五）不予处理\t1.信访举报投诉类申请", "not_processed.complaint"),
    ("\t\t2.重复申请", "not_processed.duplicate"),
    ("\t\t3.要求提供公开出版物", "not_processed.publication"),
    ("\t\t4.无正当理由大量反复申请", "not_processed.excessive"),
    ("\t\t5.要求行政机关确认或重新出具已获取信息", "not_processed.confirmation"),
    ("\t（六）其他处理\t1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "other.no_correction"),
    ("\t\t2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "other.no_fee"),
    ("\t\t3.其他", "other.other"),
    ("\t（七）总计", "total_handled"),
    ("四、结转下年度继续办理", "carried_forward"),
]
COLS = ["natural_person", "commercial", "research", "social_org", "legal_service", "other_org", "total"]
NR = [20, 3, 1, 4, 2, 5, 35]
GR = [12, 2, 1, 3, 1, 4, 23]
NH = [8, 1, 0, 1, 1, 1, 12]
# Table 3's truth: new_received = granted + not_held = total_handled; every other row 0.
T3_TRUTH = {k: [0] * 7 for _, k in ROWS}
T3_TRUTH.update({"new_received": NR, "granted": GR, "unavailable.not_held": NH, "total_handled": NR})
T4_VALUES = [3, 1, 2, 4, 10, 5, 0, 1, 2, 8, 1, 2, 0, 3, 6]
T4_TRUTH = {"reconsideration": [3, 1, 2, 4, 10], "litigation_direct": [5, 0, 1, 2, 8],
            "litigation_after": [1, 2, 0, 3, 6]}
T4_COLS = ["upheld", "corrected", "other", "pending", "total"]
T2_TRUTH = {"rules": [0, 0, 0], "normative_docs": [3, 1, 12]}  # made, repealed, in_force

HEAD = """XX市民政局
2023年政府信息公开工作年度报告

根据《中华人民共和国政府信息公开条例》规定，现发布本报告。本报告统计数据从2023年1月1日至12月31日。

一、总体情况

2023年，本局认真做好政府信息公开工作。

二、主动公开政府信息情况

"""
T2_HEAD = "信息内容\t本年制发件数\t本年废止件数\t现行有效件数"
T2 = f"""第二十条第（一）项
{T2_HEAD}
规章\t0\t0\t0
行政规范性文件\t3\t1\t12
第二十条第（五）项
信息内容\t本年处理决定数量
行政许可\t17
第二十条第（六）项
信息内容\t本年处理决定数量
行政处罚\t8
行政强制\t2
第二十条第（八）项
信息内容\t本年收费金额（单位：万元）
行政事业性收费\t0
"""
T2_2019 = """第二十条第（一）项
信息内容\t本年新制作数量\t本年新公开数量\t对外公开总数量
规章\t0\t0\t0
规范性文件\t3\t3\t12
第二十条第（五）项
信息内容\t上一年项目数量\t本年增/减\t处理决定数量
行政许可\t10\t2\t17
其他对外管理服务事项\t0\t0\t0
第二十条第（六）项
信息内容\t上一年项目数量\t本年增/减\t处理决定数量
行政处罚\t5\t0\t8
行政强制\t1\t0\t2
第二十条第（八）项
信息内容\t上一年项目数量\t本年增/减
行政事业性收费\t0\t0
第二十条第（九）项
信息内容\t采购项目数量\t采购总金额
政府集中采购\t2\t35.5
"""
NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）\t申请人情况\n"
T3_HEAD = NOTE + "\t自然人\t法人或其他组织\t\t\t\t\t总计\n\t\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t\n"
T4 = ("行政复议\t\t\t\t\t行政诉讼\n结果维持\t结果纠正\t其他结果\t尚未审结\t总计\t未经复议直接起诉\t\t\t\t\t复议后起诉\n"
      "\t\t\t\t\t结果维持\t结果纠正\t其他结果\t尚未审结\t总计\t结果维持\t结果纠正\t其他结果\t尚未审结\t总计\n"
      + "\t".join(map(str, T4_VALUES)) + "\n")
TAIL = """
五、存在的主要问题及改进情况

（一）存在问题。公开内容不够全面。

六、其他需要报告的事项

本年度未收取信息处理费。
"""


def text_report(t2=T2, t3=None, t4=T4) -> str:
    t3 = t3 if t3 is not None else t3_text()
    return (HEAD + t2 + "\n三、收到和处理政府信息公开申请情况\n\n" + t3 + "\n四、政府信息公开行政复议、行政诉讼情况\n\n"
            + t4 + TAIL)


def t3_text(header=T3_HEAD, order=None, truth=None, rows=ROWS) -> str:
    """Table 3 as tab-separated text, its values printed in *order* (indexes into COLS)."""
    order = order or list(range(7))
    truth = truth or T3_TRUTH
    return header + "".join(label + "\t" + "\t".join(str(truth[k][i]) for i in order) + "\n" for label, k in rows)


# ------------------------------------------------------------------ HTML

def tr(cells) -> str:
    return "<tr>" + "".join(f"<td {c[1]}>{c[0]}</td>" if isinstance(c, tuple) else f"<td>{c}</td>"
                            for c in cells) + "</tr>\n"


HTML_HEAD = [
    [("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 'colspan="3" rowspan="3"'),
     ("申请人情况", 'colspan="7"')],
    [("自然人", 'rowspan="2"'), ("法人或其他组织", 'colspan="5"'), ("总计", 'rowspan="2"')],
    ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"],
]
SWAPPED = [0, 2, 1, 3, 4, 5, 6]  # research printed before commercial
SWAPPED_ORGS = ["科研机构", "商业企业", "社会公益组织", "法律服务机构", "其他"]


def _html_label(label: str, wide: bool = True) -> list:
    parts = [p for p in label.split("\t") if p]
    if not wide:
        return [("".join(parts), "")]
    return [(parts[0], 'colspan="3"')] if len(parts) == 1 else [(parts[0], ""), (parts[1], 'colspan="2"')] \
        if len(parts) == 2 else [(p, "") for p in parts]


def t3_html(head=HTML_HEAD, order=None, sep_header=False) -> str:
    order = order or list(range(7))
    h = "".join(tr(r) for r in head)
    body = "".join(tr(_html_label(label) + [str(T3_TRUTH[k][i]) for i in order]) for label, k in ROWS)
    if sep_header:
        return f"<table border=1>{h}</table>\n<table border=1>{body}</table>"
    return f"<table border=1>{h}{body}</table>"


def t3_html_split_widths(head=HTML_HEAD, order=SWAPPED) -> str:
    """Table 3 split in two tables: the second (rows 7 on) drawn with one label column."""
    h = "".join(tr(r) for r in head)
    first = "".join(tr(_html_label(label) + [str(T3_TRUTH[k][i]) for i in order]) for label, k in ROWS[:6])
    second = "".join(tr(_html_label(label, wide=False) + [str(T3_TRUTH[k][i]) for i in order])
                     for label, k in ROWS[6:])
    return f"<table border=1>{h}{first}</table><p>- 3 -</p><table border=1>{second}</table>"


def t2_html(cols=("本年制发件数", "本年废止件数", "现行有效件数"), nd=("3", "1", "12")) -> str:
    return f"""<table border=1>
<tr><td colspan="4">第二十条第（一）项</td></tr>
<tr><td>信息内容</td><td>{cols[0]}</td><td>{cols[1]}</td><td>{cols[2]}</td></tr>
<tr><td>规章</td><td>0</td><td>0</td><td>0</td></tr>
<tr><td>行政规范性文件</td><td>{nd[0]}</td><td>{nd[1]}</td><td>{nd[2]}</td></tr>
<tr><td colspan="4">第二十条第（五）项</td></tr>
<tr><td>信息内容</td><td colspan="3">本年处理决定数量</td></tr>
<tr><td>行政许可</td><td colspan="3">17</td></tr>
<tr><td colspan="4">第二十条第（八）项</td></tr>
<tr><td>信息内容</td><td colspan="3">本年收费金额（单位：万元）</td></tr>
<tr><td>行政事业性收费</td><td colspan="3">0</td></tr>
</table>"""


T4_HTML = ("<table border=1>\n<tr><td colspan=\"5\">行政复议</td><td colspan=\"10\">行政诉讼</td></tr>\n<tr>"
           + "".join(f'<td rowspan="2">{w}</td>' for w in ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计"))
           + '<td colspan="5">未经复议直接起诉</td><td colspan="5">复议后起诉</td></tr>\n'
           + tr(["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2) + tr([str(v) for v in T4_VALUES])
           + "</table>")


def html_report(t2=None, t3=None) -> str:
    title = "XX市民政局2023年政府信息公开工作年度报告"
    return f"""<html><head><meta charset="utf-8"><title>{title}</title></head><body>
<h1>{title}</h1>
<p>根据《中华人民共和国政府信息公开条例》规定，现发布本报告。本报告统计数据从2023年1月1日至12月31日。</p>
<p>一、总体情况</p><p>2023年，本局认真做好政府信息公开工作。</p>
<p>二、主动公开政府信息情况</p>{t2 or t2_html()}
<p>三、收到和处理政府信息公开申请情况</p>{t3 or t3_html()}
<p>四、政府信息公开行政复议、行政诉讼情况</p>{T4_HTML}
<p>五、存在的主要问题及改进情况</p><p>（一）存在问题。公开内容不够全面。</p>
<p>六、其他需要报告的事项</p><p>本年度未收取信息处理费。</p>
</body></html>"""


# ------------------------------------------------------------------ DOCX and PDF (10-column grids)

GRID_H1 = ["（勾稽关系）", "", "", "申请人情况", "", "", "", "", "", ""]
GRID_H2 = ["", "", "", "自然人", "法人或其他组织", "", "", "", "", "总计"]
GRID_H2_TRAD = ["", "", "", "自然人", "法人或其他組織", "", "", "", "", "總計"]


def grid_h3(names) -> list[str]:
    return ["", "", "", ""] + list(names) + [""]


STD_ORGS = ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
TRAD_SWAPPED_ORGS = ["科研機構", "商業企業", "社會公益組織", "法律服務機構", "其他"]
T4_GRID = [["行政复议"] * 5 + ["行政诉讼"] * 10,
           ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] + ["未经复议直接起诉"] * 5 + ["复议后起诉"] * 5,
           ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 3, [str(x) for x in T4_VALUES]]


def _t2_grid(header, nd) -> list[list[str]]:
    return [["第二十条第（一）项", "", "", ""], ["信息内容", *header], ["规章", "0", "0", "0"],
            ["行政规范性文件", *map(str, nd)], ["信息内容", "本年处理决定数量", "", ""], ["行政许可", "17", "", ""],
            ["信息内容", "本年收费金额（单位：万元）", "", ""], ["行政事业性收费", "0", "", ""]]


def _t3_body(order) -> list[list[str]]:
    return [(label.split("\t") + ["", "", ""])[:3] + [str(T3_TRUTH[k][i]) for i in order] for label, k in ROWS]


def build_docx(path, head, order, sep_header=False, t2_header=("本年制发件数", "本年废止件数", "现行有效件数"),
               t2_nd=(3, 1, 12)) -> None:
    import docx

    d = docx.Document()
    for line in ("XX市民政局2023年政府信息公开工作年度报告", "根据《中华人民共和国政府信息公开条例》规定，现发布本报告。",
                 "一、总体情况", "2023年，本局认真做好政府信息公开工作。", "二、主动公开政府信息情况"):
        d.add_paragraph(line)

    def table(rows, cols):
        t = d.add_table(rows=0, cols=cols)
        for row in rows:
            for c, v in zip(t.add_row().cells, row):
                c.text = v
    table(_t2_grid(t2_header, t2_nd), 4)
    d.add_paragraph("三、收到和处理政府信息公开申请情况")
    if sep_header:
        table(head, 10)
        d.add_paragraph("")
        table(_t3_body(order), 10)
    else:
        table(head + _t3_body(order), 10)
    d.add_paragraph("四、政府信息公开行政复议、行政诉讼情况")
    table(T4_GRID, 15)
    for line in ("五、存在的主要问题及改进情况", "（一）存在问题。公开内容不够全面。", "六、其他需要报告的事项", "本年度未收取信息处理费。"):
        d.add_paragraph(line)
    d.save(path)


def build_pdf(path, head, order, split_at=None, narrow_second=False,
              t2_header=("本年制发件数", "本年废止件数", "现行有效件数"), t2_nd=(3, 1, 12)) -> None:
    """A PDF report; table 3 split over two pages at row *split_at*, its second piece drawn
    8 columns wide (one label column) when *narrow_second*."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    style = ParagraphStyle("s", fontName="STSong-Light", fontSize=9, leading=12)
    grid = TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "black"), ("FONTNAME", (0, 0), (-1, -1), "STSong-Light"),
                       ("FONTSIZE", (0, 0), (-1, -1), 7)])

    def short(s):
        return s if len(s) < 18 else s[:16]
    story = [Paragraph(x, style) for x in ("XX市民政局2023年政府信息公开工作年度报告", "一、总体情况",
                                           "2023年，本局认真做好政府信息公开工作。", "二、主动公开政府信息情况")]
    story.append(Table(_t2_grid(t2_header, t2_nd), style=grid))
    story.append(Paragraph("三、收到和处理政府信息公开申请情况", style))
    rows = [list(r) for r in head] + [[short(c) for c in r[:3]] + r[3:] for r in _t3_body(order)]
    if split_at:
        second = rows[split_at:]
        if narrow_second:
            second = [[short("".join(r[:3]))] + r[3:] for r in second]
        story += [Table(rows[:split_at], style=grid), PageBreak(), Table(second, style=grid)]
    else:
        story.append(Table(rows, style=grid))
    story.append(Paragraph("四、政府信息公开行政复议、行政诉讼情况", style))
    story.append(Table([["行政复议"] + [""] * 4 + ["行政诉讼"] + [""] * 9,
                        ["维持", "纠正", "其他", "尚未审结", "总计", "未经复议直接起诉"] + [""] * 4 + ["复议后起诉"] + [""] * 4,
                        [""] * 5 + ["维持", "纠正", "其他", "尚未审结", "总计"] * 2, [str(x) for x in T4_VALUES]],
                       style=grid))
    story += [Paragraph(x, style) for x in ("五、存在的主要问题及改进情况", "（一）存在问题。公开内容不够全面。",
                                            "六、其他需要报告的事项", "本年度未收取信息处理费。")]
    SimpleDocTemplate(str(path), pagesize=A4).build(story)
