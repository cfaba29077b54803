"""Scanned-looking pages rendered from a report's true table values (the OCR tests and benchmark).

A page is drawn as the 2021 template prints tables 3 and 4 (ruled cells, spanned
labels, the three-row header), then degraded as scans are: rotation, blur, JPEG
artefacts, a lower resolution, a red seal over part of the table, yellowed paper,
a table split over two pages.  Everything is drawn from a fixed seed, so a test
sees the same pixels on every run; nothing is stored in the repository.
"""
from __future__ import annotations

import io
import math
import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from toolkit import schema

A4_MM = (210, 297)
PAPER = (255, 255, 255)


def cjk_font_path() -> Path:
    """Noto Sans CJK SC as shipped by mplfonts (a dependency of the toolkit)."""
    import mplfonts

    path = Path(mplfonts.__file__).parent / "fonts" / "NotoSansCJKsc-Regular.otf"
    if not path.is_file():
        raise FileNotFoundError(path)
    return path


# (label cells left to right, spans): each t3 row as the 2021 template prints its labels.
_T3_LABELS_2021 = {
    "new_received": "一、本年新收政府信息公开申请数量",
    "carried_over": "二、上年结转政府信息公开申请数量",
    "granted": "(一)予以公开",
    "partially_granted": "(二)部分公开(区分处理的,只计这一情形,不计其他情形)",
    "denied.state_secret": "1.属于国家秘密",
    "denied.prohibited_by_law": "2.其他法律行政法规禁止公开",
    "denied.security_stability": "3.危及“三安全一稳定”",
    "denied.third_party": "4.保护第三方合法权益",
    "denied.internal_affairs": "5.属于三类内部事务信息",
    "denied.process_info": "6.属于四类过程性信息",
    "denied.enforcement_file": "7.属于行政执法案卷",
    "denied.inquiry": "8.属于行政查询事项",
    "unavailable.not_held": "1.本机关不掌握相关政府信息",
    "unavailable.needs_creation": "2.没有现成信息需要另行制作",
    "unavailable.unclear": "3.补正后申请内容仍不明确",
    "not_processed.complaint": "1.信访举报投诉类申请",
    "not_processed.duplicate": "2.重复申请",
    "not_processed.publication": "3.要求提供公开出版物",
    "not_processed.excessive": "4.无正当理由大量反复申请",
    "not_processed.confirmation": "5.要求行政机关确认或重新出具已获取信息",
    "other.no_correction": "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "other.no_fee": "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "other.other": "3.其他",
    "total_handled": "(七)总计",
    "carried_forward": "四、结转下年度继续办理",
}
# Second-level labels spanning several rows: (first row, last row, label).
_T3_GROUPS = [("denied.state_secret", "denied.inquiry", "(三)不予公开"),
              ("unavailable.not_held", "unavailable.unclear", "(四)无法提供"),
              ("not_processed.complaint", "not_processed.confirmation", "(五)不予处理"),
              ("other.no_correction", "other.other", "(六)其他处理")]


class _Canvas:
    def __init__(self, dpi: int):
        self.dpi = dpi
        self.scale = dpi / 200
        w, h = (round(mm / 25.4 * dpi) for mm in A4_MM)
        self.image = Image.new("RGB", (w, h), PAPER)
        self.draw = ImageDraw.Draw(self.image)
        self.font = ImageFont.truetype(str(cjk_font_path()), round(22 * self.scale))
        self.big = ImageFont.truetype(str(cjk_font_path()), round(30 * self.scale))
        self.margin = round(150 * self.scale)
        self.y = round(150 * self.scale)

    def px(self, v: float) -> int:
        return round(v * self.scale)

    def text_line(self, text: str, font=None):
        font = font or self.font
        self.draw.text((self.margin, self.y), text, fill=(0, 0, 0), font=font)
        self.y += self.px(50 if font is self.big else 40)

    def wrap(self, text: str, width: int) -> list[str]:
        lines, cur = [], ""
        for ch in text:
            if self.draw.textlength(cur + ch, font=self.font) > width and cur:
                lines.append(cur)
                cur = ch
            else:
                cur += ch
        return [*lines, cur] if cur else lines

    def cell(self, box, text: str = "", align: str = "center"):
        x0, y0, x1, y1 = box
        self.draw.rectangle(box, outline=(0, 0, 0), width=max(1, self.px(2)))
        if not text:
            return
        lines = self.wrap(text, x1 - x0 - self.px(12))
        lh = self.px(28)
        top = (y0 + y1) / 2 - lh * len(lines) / 2
        for i, ln in enumerate(lines):
            w = self.draw.textlength(ln, font=self.font)
            x = (x0 + x1 - w) / 2 if align == "center" else x0 + self.px(8)
            self.draw.text((x, top + i * lh), ln, fill=(0, 0, 0), font=self.font)

    def row_height(self, text: str, width: int) -> int:
        return max(self.px(46), self.px(28) * len(self.wrap(text, width - self.px(12))) + self.px(16))


def _fmt(v) -> str:
    return "" if v is None else str(v)


def _draw_t3(c: _Canvas, t3: dict, rows: list[str], header: bool) -> None:
    cols = [col.key for col in schema.T3_COLUMNS]
    x = c.margin
    w1, w2, w3, wv = c.px(100), c.px(130), c.px(400), c.px(108)
    xs = [x, x + w1, x + w1 + w2, x + w1 + w2 + w3] + [x + w1 + w2 + w3 + wv * (i + 1) for i in range(7)]
    vx = xs[3:]
    if header:
        h = c.px(50)
        y0 = c.y
        c.cell((xs[0], y0, xs[3], y0 + 3 * h), "(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)")
        c.cell((vx[0], y0, vx[7], y0 + h), "申请人情况")
        c.cell((vx[0], y0 + h, vx[1], y0 + 3 * h), "自然人")
        c.cell((vx[1], y0 + h, vx[6], y0 + 2 * h), "法人或其他组织")
        c.cell((vx[6], y0 + h, vx[7], y0 + 3 * h), "总计")
        for i, name in enumerate(["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]):
            c.cell((vx[1 + i], y0 + 2 * h, vx[2 + i], y0 + 3 * h), name)
        c.y = y0 + 3 * h
    heights = {}
    for r in rows:
        label = _T3_LABELS_2021[r]
        width = (xs[3] - xs[0]) if r in ("new_received", "carried_over", "carried_forward") else \
            (xs[3] - xs[1]) if r in ("granted", "partially_granted", "total_handled") else (xs[3] - xs[2])
        heights[r] = c.row_height(label, width)
    tops = {}
    for r in rows:
        tops[r] = c.y
        c.y += heights[r]
    # Spanned labels: 三、本年度办理结果 over the outcome rows, and the second-level groups.
    outcome = [r for r in rows if r in schema.T3_OUTCOME_ROWS or r == "total_handled"]
    if outcome:
        c.cell((xs[0], tops[outcome[0]], xs[1], tops[outcome[-1]] + heights[outcome[-1]]),
               "三、本年度办理结果")
    for first, last, label in _T3_GROUPS:
        order = [r.key for r in schema.T3_ROWS]
        span = order[order.index(first):order.index(last) + 1]
        inside = [r for r in rows if r in span]
        if inside:
            c.cell((xs[1], tops[inside[0]], xs[2], tops[inside[-1]] + heights[inside[-1]]), label)
    for r in rows:
        y0, y1 = tops[r], tops[r] + heights[r]
        left = xs[0] if r in ("new_received", "carried_over", "carried_forward") else \
            xs[1] if r in ("granted", "partially_granted", "total_handled") else xs[2]
        c.cell((left, y0, xs[3], y1), _T3_LABELS_2021[r], align="left")
        for i, col in enumerate(cols):
            c.cell((vx[i], y0, vx[i + 1], y1), _fmt(t3[r][col]))
    c.y += c.px(30)


def _draw_t4(c: _Canvas, t4: dict) -> None:
    w = c.px(90)
    xs = [c.margin + w * i for i in range(16)]
    h = c.px(50)
    y0 = c.y
    c.cell((xs[0], y0, xs[5], y0 + 2 * h), "行政复议")
    c.cell((xs[5], y0, xs[15], y0 + h), "行政诉讼")
    c.cell((xs[5], y0 + h, xs[10], y0 + 2 * h), "未经复议直接起诉")
    c.cell((xs[10], y0 + h, xs[15], y0 + 2 * h), "复议后起诉")
    names = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    hh = c.px(80)
    for i in range(15):
        c.cell((xs[i], y0 + 2 * h, xs[i + 1], y0 + 2 * h + hh), names[i % 5])
    vals = [t4[r.key][col.key] for r in schema.T4_ROWS for col in schema.T4_COLUMNS]
    for i, v in enumerate(vals):
        c.cell((xs[i], y0 + 2 * h + hh, xs[i + 1], y0 + 3 * h + hh), _fmt(v))
    c.y = y0 + 3 * h + hh + c.px(30)


def render_pages(truth: dict, dpi: int = 200, split_after: str | None = None) -> list[Image.Image]:
    """Pages showing a report's title, sections 3–4 and tables 3–4 with *truth*'s values.

    *split_after* (a t3 row key) ends the first page after that row; the rest of the
    table, without its header, continues on a second page.
    """
    t3, t4 = truth["tables"]["t3"], truth["tables"]["t4"]
    rows = [r.key for r in schema.T3_ROWS]
    pages = []
    c = _Canvas(dpi)
    c.text_line(f"{truth['agency']}{truth['year']}年政府信息公开工作年度报告", c.big)
    c.text_line("三、收到和处理政府信息公开申请情况", c.big)
    if split_after is None:
        _draw_t3(c, t3, rows, header=True)
    else:
        cut = rows.index(split_after) + 1
        _draw_t3(c, t3, rows[:cut], header=True)
        pages.append(c.image)
        c = _Canvas(dpi)
        _draw_t3(c, t3, rows[cut:], header=False)
    c.text_line("四、政府信息公开行政复议、行政诉讼情况", c.big)
    _draw_t4(c, t4)
    c.text_line("五、存在的主要问题及改进情况", c.big)
    c.text_line("本机关将继续做好政府信息公开工作。")
    pages.append(c.image)
    return pages


# ------------------------------------------------------------------ degradations


def rotate(img: Image.Image, degrees: float) -> Image.Image:
    return img.rotate(degrees, resample=Image.BICUBIC, fillcolor=PAPER)


def blur(img: Image.Image, radius: float = 1.2) -> Image.Image:
    return img.filter(ImageFilter.GaussianBlur(radius))


def jpeg(img: Image.Image, quality: int = 25) -> Image.Image:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buf.getvalue())).convert("RGB")


def red_seal(img: Image.Image, centre: tuple[float, float], seed: int = 0) -> Image.Image:
    """A round red stamp (ring, star, arc of text) over the page at *centre* (fractions of the page)."""
    rng = random.Random(seed)
    w, h = img.size
    r = round(0.085 * w)
    cx, cy = round(centre[0] * w), round(centre[1] * h)
    layer = Image.new("RGBA", img.size, (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    red = (220, 30, 40, 170)
    d.ellipse((cx - r, cy - r, cx + r, cy + r), outline=red, width=max(3, r // 14))
    d.regular_polygon((cx, cy, r // 4), 5, fill=red)
    font = ImageFont.truetype(str(cjk_font_path()), max(10, r // 4))
    for i, ch in enumerate("政府信息公开专用章"):
        a = 3.6 + i * 0.28 + rng.uniform(-0.02, 0.02)
        x, y = cx + 0.68 * r * math.cos(a), cy + 0.68 * r * math.sin(a)
        d.text((x, y), ch, fill=red, font=font, anchor="mm")
    return Image.alpha_composite(img.convert("RGBA"), layer).convert("RGB")


def yellowed(img: Image.Image, seed: int = 0) -> Image.Image:
    """Old paper: a yellow cast and speckle noise."""
    import numpy as np

    rng = np.random.default_rng(seed)
    a = np.asarray(img).astype(np.float32)
    a = a * np.array([0.97, 0.91, 0.72], np.float32)
    a += rng.normal(0, 6, a.shape[:2])[..., None]
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))


def to_bytes(pages: list[Image.Image], fmt: str) -> bytes:
    """Pages as one file: ``PNG``/``JPEG``/``TIFF`` (first page) or ``PDF`` (image-only, every page)."""
    buf = io.BytesIO()
    if fmt == "PDF":
        pages[0].save(buf, "PDF", resolution=pages[0].width / (A4_MM[0] / 25.4), save_all=True,
                      append_images=pages[1:])
    else:
        pages[0].save(buf, fmt)
    return buf.getvalue()


#: The degradations the OCR tests and the held-back benchmark apply: name -> truth -> (file
#: name, bytes), each drawn from a fixed seed.
DEGRADATIONS = {
    "rotated": lambda t: ("rotated.png", to_bytes([rotate(p, 1.8) for p in render_pages(t)], "PNG")),
    "blurred": lambda t: ("blurred.png", to_bytes([blur(p, 1.3) for p in render_pages(t)], "PNG")),
    "jpeg": lambda t: ("jpeg.jpg", to_bytes([jpeg(p, 20) for p in render_pages(t)], "JPEG")),
    "150dpi": lambda t: ("low.pdf", to_bytes(render_pages(t, dpi=150), "PDF")),
    "seal": lambda t: ("seal.png", to_bytes([red_seal(p, (0.62, 0.38), seed=3) for p in render_pages(t)], "PNG")),
    "yellowed": lambda t: ("old.tif", to_bytes([yellowed(p, seed=5) for p in render_pages(t)], "TIFF")),
    "split": lambda t: ("split.pdf", to_bytes(render_pages(t, split_after="denied.inquiry"), "PDF")),
}


def score(report, truth: dict) -> tuple[int, int, int]:
    """(exact, wrong, total) over the true cells of tables 3 and 4 in *truth*: wrong = read but
    not the true value; a cell left missing is neither."""
    exact = wrong = total = 0
    for table in ("t3", "t4"):
        for row, cols in truth["tables"][table].items():
            for col, true in cols.items():
                total += 1
                got = ((report.tables.get(table) or {}).get(row) or {}).get(col)
                if got is not None:
                    exact += got == true
                    wrong += got != true
    return exact, wrong, total


def bench_page(repeat: int = 3) -> dict:
    """Wall and CPU seconds to OCR one A4 page at 200 dpi (tables 3 and 4 of a real report, rendered), engine
    loaded once beforehand; the median of *repeat* runs, and the cells the arithmetic vouched for."""
    import json
    import os
    import statistics
    import time

    import numpy as np

    from toolkit.parsing import parse_document
    from toolkit.reading import ocr

    truth = json.loads((Path(__file__).resolve().parents[1] / "tests" / "truth" /
                        "2025_fb8bfcf9bb4fc033.json").read_text(encoding="utf-8"))
    page = render_pages(truth, dpi=200)[0]
    bgr = np.asarray(page)[..., ::-1].copy()
    t0 = time.perf_counter()
    ocr.engine()
    load = time.perf_counter() - t0
    times, cpu = [], []
    for _ in range(repeat):
        ocr._PAGES.clear()  # a page already read in the process is not read again
        t0, c0 = time.perf_counter(), time.process_time()
        blocks, log = ocr.page_document(bgr)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    from toolkit.reading.document import Document, assemble

    text, grids = assemble(blocks)
    report = parse_document(Document(text, grids, log, ocr=True))
    verified = next(w for w in report.warnings if w.startswith("OCR: ") and "verified" in w)
    # CPU seconds (all threads) say what the page costs when other work shares the cores.
    # The load average says how far the wall time is to be trusted on shared cores.
    return {"seconds": statistics.median(times), "runs": times, "cpu": statistics.median(cpu),
            "engine_load": load, "verified": verified, "size": page.size, "loadavg": os.getloadavg()[0]}
