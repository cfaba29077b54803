"""Pictures inside an HTML page or a DOCX file, read by OCR where they stand.

Some reports paste their tables into the page as pictures.  The HTML and DOCX
readers put an :class:`Picture` where a visible picture stands; :func:`settle`
replaces each with what OCR reads on it (text lines and table grids, as for a
scanned page, :func:`toolkit.reading.ocr.page_document`), and the document is
then read as OCR'd: its numbers enter the data only when the tables'
arithmetic vouches for them (:mod:`toolkit.parsing.ocr_tables`).

Only pictures that can hold a table are read (:data:`MIN_WIDTH` x
:data:`MIN_HEIGHT` pixels: icons, logos and seals are smaller; ruling lines across
it, :func:`ruled`: a photo or chart is not recognised), and what they give enters
the document only when OCR found a table on them (a caption's text alone would
enter unvouched).  At most
:data:`MAX_PICTURES` of them and :data:`MAX_PIXELS` per picture (a
decompression bomb is refused before it is decoded), :data:`MAX_TOTAL_PIXELS`
per document.  Without the ``[ocr]`` extra nothing is read and the document
gets one warning naming the extra.
"""
from __future__ import annotations

import base64
import binascii
import io
import os
import re
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from ..errors import ReportError
from .document import Grid

__all__ = ["Picture", "settle", "ruled", "inline_pictures", "table_sized", "as_data_uri", "picture_size",
           "data_uri_bytes", "local_picture", "MIN_WIDTH", "MIN_HEIGHT", "MAX_PICTURES", "MAX_PIXELS",
           "MAX_TOTAL_PIXELS", "MAX_PICTURE_BYTES", "MAX_INLINED_BYTES", "PICTURE_HINT"]

#: A picture narrower or lower than this (pixels) is not a table: an icon, logo, seal or rule.
#: Table 4 of the template, the smallest, is about 700 x 200 pixels on a screen.
MIN_WIDTH = 400
MIN_HEIGHT = 120
#: Pictures read per document at most (OCR takes seconds each); the rest are named in a warning.
MAX_PICTURES = 12
#: Pixels of one picture at most: an A4 page at 600 dpi is 35 million.  More is refused unread
#: (a small file that decodes to gigabytes is an attack on the reader).
MAX_PIXELS = 40_000_000
#: Pixels of all a document's pictures together at most.
MAX_TOTAL_PIXELS = 120_000_000
#: Bytes of one picture file at most.
MAX_PICTURE_BYTES = 20 * 2**20

PICTURE_HINT = ("picture(s) large enough to hold a table were not read: install the OCR extra to read "
                "tables pasted as pictures (pip install 'xxgk[ocr]')")


@dataclass
class Picture:
    """A visible picture in a document's flow: its bytes (``None`` when they could not be had,
    *why* then says so) and a name for messages (its ``src`` or its part name)."""

    name: str
    data: bytes | None
    why: str = ""
    #: Fractions (left, top, right, bottom) of the picture the document cuts off: not shown, not read.
    crop: tuple[float, ...] = (0.0, 0.0, 0.0, 0.0)


_DATA_URI = re.compile(r"data:(image/[a-z0-9.+-]+)?(;[a-z0-9=._+-]+)*?(;base64)?,(.*)", re.I | re.S)


def data_uri_bytes(src: str) -> bytes | None:
    """The bytes of an ``data:image/…`` URI (base64 or percent-encoded); ``None`` if it is not one."""
    m = _DATA_URI.fullmatch(src.strip())
    if m is None or not m.group(1):
        return None
    payload = m.group(4)
    if m.group(3):
        try:
            return base64.b64decode(re.sub(r"\s+", "", urllib.parse.unquote(payload)), validate=True)
        except (binascii.Error, ValueError):
            return None
    return urllib.parse.unquote_to_bytes(payload)


def local_picture(src: str, folder: Path | None) -> Picture:
    """The picture an ``<img src>`` names: a data: URI, or a file inside *folder* (the HTML file's
    own folder) named by a relative path.  Anything else (a web address, an absolute path, a path
    leaving the folder) is not read, and the picture says why."""
    src = (src or "").strip()
    label = src if len(src) <= 80 else src[:60] + "…"
    if src.lower().startswith("data:"):
        data = data_uri_bytes(src)
        if data is not None and len(data) > MAX_PICTURE_BYTES:
            return Picture("data: URI", None, f"more than {MAX_PICTURE_BYTES // 2**20} MiB")
        return Picture("data: URI", data, "" if data else "a data: URI that is not a picture")
    parts = urllib.parse.urlsplit(src)
    if parts.scheme or parts.netloc:
        return Picture(label, None, "a web address (pictures are not downloaded while reading)")
    if folder is None:
        return Picture(label, None, "a file, but the page is not read from a folder")
    rel = urllib.parse.unquote(parts.path)
    if not rel or rel.startswith(("/", "\\")) or Path(rel).is_absolute():
        return Picture(label, None, "an absolute path (only paths relative to the page's folder are read)")
    try:
        base = os.path.realpath(folder)
        target = os.path.realpath(os.path.join(base, rel))
        inside = os.path.commonpath([base, target]) == base
    except (OSError, ValueError):  # a NUL in the path, a path the system cannot take
        return Picture(label, None, "not a path this system can open")
    if not inside:
        return Picture(label, None, "a path outside the page's folder")
    from ..fileio import read_bytes

    try:
        return Picture(label, read_bytes(target, MAX_PICTURE_BYTES))
    except ReportError as exc:
        return Picture(label, None, exc.reason)


def picture_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from a picture's header, without decoding its pixels; ``None`` if it is not one."""
    return _probe(data)[0]


def _probe(data: bytes) -> tuple[tuple[int, int] | None, str]:
    """(size, why not) of a picture's bytes, from its header only."""
    import warnings

    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            # The size is checked against MAX_PIXELS here, before any pixel is decoded.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                if getattr(img, "is_animated", False):
                    # A page shows such a picture frame after frame (or its last frame, once played):
                    # which table a reader sees is not certain, and the first frame may not be it.
                    return None, "a picture of several frames (animated): which one a reader sees is not certain"
                return img.size, ""
    except Image.DecompressionBombError:
        return None, "more pixels than a picture may have (a decompression bomb?)"
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return None, "not a picture file this reader knows"


def _decode(data: bytes):
    """The picture's first frame as a BGR array, transparent parts on white paper."""
    import numpy as np
    from PIL import Image

    with Image.open(io.BytesIO(data)) as img:
        img.seek(0)
        if img.mode in ("RGBA", "LA", "P", "PA"):
            rgba = img.convert("RGBA")
            paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
            rgb = Image.alpha_composite(paper, rgba).convert("RGB")
        else:
            rgb = img.convert("RGB")
    return np.asarray(rgb)[..., ::-1].copy()


def settle(blocks: list, source: str | None, warnings: list[str]) -> tuple[list[str | Grid], bool]:
    """*blocks* with each :class:`Picture` replaced by what OCR reads on it; and whether any was
    read (the document is then an OCR'd one).  Pictures too small to be a table are dropped
    silently; the others not read are named in *warnings*."""
    pictures = [b for b in blocks if isinstance(b, Picture)]
    if not pictures:
        return blocks, False
    from . import ocr

    sizes: dict[int, tuple[int, int] | None] = {}
    unread: dict[str, list[str]] = {}  # why -> names: one line per reason, however many pictures
    for pic in pictures:
        why = pic.why
        if pic.data is not None:
            sizes[id(pic)], why = _probe(pic.data)
        if sizes.get(id(pic)) is None:
            unread.setdefault(why, []).append(pic.name)
    for why, names in unread.items():
        more = f" and {len(names) - 1} more" if len(names) > 1 else ""
        warnings.append(f"picture {names[0]!r}{more} not read: {why}")
    tables = [p for p in pictures if sizes.get(id(p)) is not None and sizes[id(p)][0] >= MIN_WIDTH
              and sizes[id(p)][1] >= MIN_HEIGHT]
    if not tables:
        return [b for b in blocks if not isinstance(b, Picture)], False
    if not ocr.available():
        warnings.append(f"{len(tables)} {PICTURE_HINT}")
        return [b for b in blocks if not isinstance(b, Picture)], False
    wanted = {id(p) for p in tables}
    out: list[str | Grid] = []
    read = tables_read = total = 0
    no_table: list[str] = []
    for b in blocks:
        if not isinstance(b, Picture):
            out.append(b)
            continue
        if id(b) not in wanted:
            continue
        w, h = sizes[id(b)]
        if w * h > MAX_PIXELS:
            warnings.append(f"picture {b.name!r} not read: {w}x{h} pixels is more than the {MAX_PIXELS:,} "
                            f"a picture may have (a decompression bomb?)")
            continue
        if read >= MAX_PICTURES or total + w * h > MAX_TOTAL_PIXELS:
            warnings.append(f"picture {b.name!r} not read: the document has more pictures than the "
                            f"{MAX_PICTURES} (or {MAX_TOTAL_PIXELS:,} pixels) read per document")
            continue
        try:
            bgr = _decode(b.data)
        except (OSError, ValueError, SyntaxError) as exc:
            warnings.append(f"picture {b.name!r} not read: unreadable picture ({type(exc).__name__})")
            continue
        total += w * h
        bgr = _cropped(bgr, b.crop)
        if bgr.shape[0] < MIN_HEIGHT or bgr.shape[1] < MIN_WIDTH:
            continue  # what is shown of it is too small to hold a table
        if not ruled(bgr):
            no_table.append(b.name)
            continue
        read += 1
        found, log = ocr.page_document(bgr, read)
        if not any(isinstance(f, Grid) for f in found):
            # Its text alone (a photo's caption, a chart's labels) would enter the report unvouched.
            no_table.append(b.name)
            continue
        out.extend(found)
        warnings.extend(log)
        tables_read += 1
    if no_table:
        more = f" and {len(no_table) - 1} more" if len(no_table) > 1 else ""
        warnings.append(f"picture {no_table[0]!r}{more} not read: no ruled table on it")
    if tables_read:
        warnings.append(f"OCR: {tables_read} picture(s) holding tables read by OCR; their numbers count only "
                        f"where the tables' arithmetic vouches for them")
    return out, tables_read > 0


def _cropped(bgr, crop):
    """The part of the picture shown: *crop* fractions (left, top, right, bottom) cut off."""
    left, top, right, bottom = crop
    if not any(crop):
        return bgr
    h, w = bgr.shape[:2]
    x0, y0 = round(w * left), round(h * top)
    x1, y1 = max(x0, w - round(w * right)), max(y0, h - round(h * bottom))
    return bgr[y0:y1, x0:x1].copy()


def ruled(bgr) -> bool:
    """Does the picture show a ruled table: at least three long horizontal rules and three long
    vertical ones?  Cheap (morphology on the picture), so a photo or a chart is not recognised."""
    import cv2
    import numpy as np

    gray = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    ink = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 15)
    h, w = gray.shape
    horiz = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(20, w // 6), 1)))
    vert = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(20, h // 12))))

    def lines(profile) -> int:
        on = np.flatnonzero(profile > 0)
        return 0 if on.size == 0 else 1 + int(np.count_nonzero(np.diff(on) > 3))

    return lines(horiz.any(axis=1)) >= 3 and lines(vert.any(axis=0)) >= 3


#: Bytes of pictures put into one stored page at most (:func:`inline_pictures`).
MAX_INLINED_BYTES = 32 * 2**20

_IMG_SRC = re.compile(rb"""(<img\b[^>]*?\ssrc\s*=\s*)(?:"([^"]*)"|'([^']*)'|([^\s>"']+))""", re.I)


def table_sized(data: bytes) -> bool:
    """Is this a picture large enough to hold a table, and not too large to be read?"""
    size = picture_size(data)
    return size is not None and size[0] >= MIN_WIDTH and size[1] >= MIN_HEIGHT and size[0] * size[1] <= MAX_PIXELS


def as_data_uri(data: bytes) -> str:
    """*data* (a picture) as a ``data:image/…;base64,`` URI."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as img:
        mime = Image.MIME.get(img.format or "", "application/octet-stream")
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def inline_pictures(page: bytes, pictures: dict[str, bytes], charset: str | None = None) -> bytes:
    """*page* (HTML bytes) with the ``src`` of each ``<img>`` named in *pictures* (by its ``src``,
    as :func:`toolkit.reading.html.report_pictures` gives it) replaced by a ``data:`` URI of the
    picture: one file that holds its pictures, read the same wherever it is stored.  Only the
    ``src`` values change; every other byte of the page stays as it was."""
    import html

    if not pictures:
        return page
    uris: dict[str, bytes] = {}
    budget = MAX_INLINED_BYTES
    for src, data in pictures.items():
        if len(data) <= budget:
            uris[src] = as_data_uri(data).encode("ascii")
            budget -= len(data)
    encodings = [e for e in (charset, "utf-8", "gb18030") if e]

    def swap(m: re.Match) -> bytes:
        raw = next(g for g in m.groups()[1:] if g is not None)
        for enc in encodings:
            try:
                src = html.unescape(raw.decode(enc)).strip()
            except (UnicodeDecodeError, LookupError):
                continue
            if src in uris:
                return m.group(1) + b'"' + uris[src] + b'"'
        return m.group(0)

    return _IMG_SRC.sub(swap, page)
