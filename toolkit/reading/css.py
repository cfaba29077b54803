"""What a page's CSS says about each element's visibility: the cascade of its own ``<style>``
rules (any selector, matched with cssselect2 as WeasyPrint does) and inline styles, for the few properties that decide
whether text is seen.

A page can hide digits in many ways a browser honours and a text extractor does not: a
class rule with a descendant selector, ``color`` equal to the background, an element moved
far off screen, clipped to nothing, scaled to zero or turned edge-on; a mask, a partial clip
path or a 3D turn leaves it unsure (:func:`unsure_shape`).  :func:`declared` gives, per element,
the winning declaration of each property that matters (stylesheet rules by specificity
and order, the inline style above them, ``!important`` above both); :func:`hides_subtree`,
:func:`parse_colour` and :func:`font_size_is_zero` interpret them.  Rules inside
``@media`` apply only when the media list names ``screen`` or ``all`` without conditions
(a rule for print, or for a narrow window, is not what a reader of the page on a desktop
sees).  Selectors with state pseudo-classes (``:hover``) never match; of pseudo-elements
only ``::before``/``::after`` with a ``content`` count (their text is on the page).
"""
from __future__ import annotations

import math
import re

__all__ = ["CostlyStyles", "declared", "hides_subtree", "parse_colour", "font_size_is_zero", "generated_text", "PROPERTIES",
           "css_length", "unsure_shape"]

#: Properties that decide whether an element's text is seen.
PROPERTIES = frozenset({
    "display", "visibility", "opacity", "font-size", "font", "color", "background", "background-color",
    "position", "left", "top", "right", "bottom", "margin-left", "margin-top", "text-indent", "clip", "clip-path",
    "width", "height", "max-width", "max-height", "overflow", "overflow-x", "overflow-y", "transform",
    "vertical-align", "text-decoration", "text-decoration-line", "float", "content", "filter",
    "content-visibility", "text-shadow", "-webkit-text-stroke", "letter-spacing", "direction", "unicode-bidi",
    "-webkit-text-fill-color", "object-position", "zoom", "-webkit-clip-path", "mask", "mask-image",
    "-webkit-mask", "-webkit-mask-image", "-webkit-mask-box-image", "rotate", "backface-visibility",
    "-webkit-backface-visibility", "transform-style", "perspective",
})
#: Text under this size (px: 2 pt) cannot be read on the page: it counts as size 0.
TINY_PX = 8 / 3


def _declarations(tokens) -> dict[str, tuple[str, bool]]:
    """name -> (value, important) of the properties in :data:`PROPERTIES`; later wins."""
    import tinycss2

    out: dict[str, tuple[str, bool]] = {}
    for d in tokens:
        if d.type != "declaration":
            continue
        name = d.lower_name
        if name == "content":
            value = _content(d.value)
            if name not in out or d.important or not out[name][1]:
                out[name] = (value, d.important)
        elif name in PROPERTIES or name.startswith("--"):
            value = " ".join(tinycss2.serialize(d.value).split()).lower()
            if name not in out or d.important or not out[name][1]:
                out[name] = (value, d.important)
    return out


def _content(tokens) -> tuple:
    """A ``content`` value as its parts: strings, and ``("attr", name)`` for ``attr(name)``;
    counters, images and quotes are left out (they are not the page's digits)."""
    parts: list = []
    for t in tokens:
        if t.type == "string":
            parts.append(t.value)
        elif t.type == "function" and t.lower_name == "attr":
            names = [a.value for a in t.arguments if a.type == "ident"]
            if names:
                parts.append(("attr", names[0].lower()))
        elif t.type == "url" or (t.type == "function" and t.lower_name in ("url", "image-set", "-webkit-image-set")):
            parts.append(("image", ""))  # draws a picture (on an <img>, instead of its own)
    return tuple(parts)


def generated_text(value, el) -> str:
    """The text a ``content`` value (from :func:`_content`) puts on the page for *el*."""
    if not isinstance(value, tuple):
        return ""
    return "".join(p if isinstance(p, str) else (el.get(p[1]) or "") if p[0] == "attr" else "" for p in value)


def inline(style: str) -> dict[str, tuple[str, bool]]:
    """An inline ``style`` attribute's declarations (comments, case and spacing undone)."""
    import tinycss2

    return _declarations(tinycss2.parse_blocks_contents(style, skip_comments=True, skip_whitespace=True))


def _media_applies(prelude: str) -> bool:
    queries = [q.strip().lower() for q in prelude.split(",")]
    return any(q in ("screen", "all", "only screen") for q in queries)


def _rules(css: str):
    """(selector text, declarations) of the rules that apply on screen, in source order."""
    import tinycss2

    stack = [iter(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True))]
    while stack:
        node = next(stack[-1], None)
        if node is None:
            stack.pop()
            continue
        if node.type == "qualified-rule":
            decls = _declarations(tinycss2.parse_blocks_contents(node.content, skip_comments=True,
                                                                  skip_whitespace=True))
            if decls:
                yield tinycss2.serialize(node.prelude).strip(), decls
        elif node.type == "at-rule" and node.content is not None and len(stack) < 16:
            prelude = tinycss2.serialize(node.prelude)
            if node.lower_at_keyword in ("supports", "layer") or (
                    node.lower_at_keyword == "media" and _media_applies(prelude)):
                stack.append(iter(tinycss2.parse_stylesheet(node.content, skip_comments=True,
                                                            skip_whitespace=True)))


def declared(root) -> dict:
    """element -> {property: value} of the winning declarations (stylesheet and inline)."""
    import cssselect2
    from cssselect2.parser import SelectorError

    matcher = cssselect2.Matcher()
    rules = 0
    compiled_once: dict[str, list] = {}
    parts = 0
    for style in root.iter("style"):
        for selectors, decls in _rules(style.text or ""):
            if selectors not in compiled_once:
                longest = max(len(sel.split()) for sel in selectors.split(","))
                parts += len(selectors.split())
                if len(selectors) > MAX_SELECTOR_CHARS or longest > MAX_SELECTOR_PARTS or parts > MAX_PARTS:
                    raise CostlyStyles(f"the page's stylesheet has selectors too long to apply (one of "
                                       f"{len(selectors):,} characters and {longest} parts, {parts:,} parts in all)")
            try:
                if selectors not in compiled_once:
                    compiled_once[selectors] = cssselect2.compile_selector_list(selectors)
                compiled = compiled_once[selectors]
            except SelectorError:
                continue  # a browser drops a rule whose selector it cannot parse
            for sel in compiled:
                if sel.never_matches or (sel.pseudo_element is not None and (
                        sel.pseudo_element not in ("before", "after") or "content" not in decls)):
                    continue  # :hover and the like: a state the printed page is not in
                matcher.add_selector(sel, decls)
                rules += 1
    # element -> property -> (priority, value); priority = (important, inline, specificity, order)
    won: dict = {}
    if rules:
        elements = sum(1 for el in root.iter() if isinstance(el.tag, str))
        everywhere = len(matcher.other_selectors)  # rules every element is tried against
        if elements * everywhere > MAX_MATCH_WORK:
            raise CostlyStyles(f"the page's stylesheet tries {everywhere:,} rules on each of its {elements:,} "
                               f"elements (more than {MAX_MATCH_WORK:,} tries)")
        for wrapper in cssselect2.ElementWrapper.from_html_root(root).iter_subtree():
            matches = matcher.match(wrapper)
            if not matches:
                continue
            props = won.setdefault(wrapper.etree_element, {})
            for spec, order, pseudo, decls in matches:
                if pseudo is not None:  # text the page draws before/after the element's own
                    items = [(f"::{pseudo}", decls["content"])]
                else:
                    items = decls.items()
                for name, (value, important) in items:
                    prio = (important, 0, spec, order)
                    if name not in props or props[name][0] < prio:
                        props[name] = (prio, value)
    for el in root.iter():
        style = el.get("style") if isinstance(el.tag, str) else None
        if not style:
            continue
        props = won.setdefault(el, {})
        for name, (value, important) in inline(style).items():
            if name == "content" and el.tag != "img":
                continue  # content applies to pseudo-elements only (and replaces a picture)
            prio = (important, 1, (0, 0, 0), 0)
            if name not in props or props[name][0] < prio:
                props[name] = (prio, value)
    # Custom properties (--x) are taken page-wide: a name given two different values is left
    # unresolved, and a colour made of it is unknown (taken as seen).
    values: dict[str, set] = {}
    for props in won.values():
        for name, (_, value) in props.items():
            if name.startswith("--"):
                values.setdefault(name, set()).add(value)
    custom = {name: next(iter(vs)) for name, vs in values.items() if len(vs) == 1}
    return {el: {k: _resolve(v, custom) for k, (_, v) in props.items() if not k.startswith("--")}
            for el, props in won.items()}


_VAR = re.compile(r"var\(\s*(--[\w-]+)\s*(?:,\s*([^()]*))?\)")


def _resolve(value, custom: dict):
    """*value* with each ``var(--x, fallback)`` replaced by the page's one value of ``--x``."""
    if not isinstance(value, str) or "var(" not in value:
        return value
    for _ in range(8):  # a variable may name another
        new = _VAR.sub(lambda m: custom.get(m.group(1), m.group(2) if m.group(2) is not None else m.group(0)), value)
        if new == value:
            break
        value = new
    return value


class CostlyStyles(ValueError):
    """A page whose stylesheet would take too long to apply (a hostile one): not read, since
    what it hides cannot be told."""


#: Limits on applying a page's stylesheet, far above any real page's: one selector's length
#: and number of parts (cssselect2 compiles a selector in time quadratic in its parts), the
#: parts of all its distinct selectors, and
#: elements x rules keyed on no class, id or tag (each is tried on every element).
MAX_SELECTOR_CHARS = 2_000
MAX_SELECTOR_PARTS = 16
MAX_PARTS = 50_000
MAX_MATCH_WORK = 2_000_000


_NUMBER = re.compile(r"^([+-]?(?:\d+\.?\d*|\.\d+))(px|pt|em|rem|%|vw|vh)?$")
_PX = {None: 1.0, "px": 1.0, "pt": 4 / 3, "em": 16.0, "rem": 16.0, "%": None, "vw": 19.2, "vh": 10.8}
_FAR = -500.0  # px: an element this far left or up is off any screen


def _length(value: str | None) -> float | None:
    """A CSS length in px (em as 16 px), None when not a plain length."""
    if not value:
        return None
    m = _NUMBER.match(value.strip())
    if not m:
        return None
    scale = _PX.get(m.group(2))
    if scale is None:
        return 0.0 if float(m.group(1)) == 0 else None
    return float(m.group(1)) * scale


def css_length(value: str | None) -> float | None:
    """A CSS length in px (em as 16 px), None when not a plain length (a percentage other than 0)."""
    return _length(value)


def font_size_is_zero(props: dict) -> bool | None:
    """Does the element set a zero (or unreadably small, under :data:`TINY_PX`) font size
    (``font-size:0``, ``font:0/0 a``)?  None when it sets none."""
    size = props.get("font-size")
    if size is None and "font" in props:
        for token in props["font"].split():
            token = token.split("/")[0]
            if _NUMBER.match(token):
                size = token
                break
    if size is None:
        return None
    px = _length(size)
    return px is not None and px < TINY_PX


def _number(value: str | None) -> float | None:
    m = _NUMBER.match((value or "").strip())
    if not m:
        return None
    return float(m.group(1)) / (100 if m.group(2) == "%" else 1)


def hides_subtree(props: dict, transformable: bool = True, parent: dict | None = None) -> bool:
    """Do these declarations hide the element and all it holds, whatever its descendants say:
    ``display:none``, ``opacity:0``, moved far off screen, clipped or scaled to nothing,
    turned edge-on or its back to the reader (:func:`unsure_shape`), a zero-size box that
    hides its overflow?  *transformable*: whether ``transform`` applies to it (not to a
    plain inline box such as a ``<span>``); *parent*: its parent's declarations."""
    if props.get("display") == "none" or props.get("content-visibility") == "hidden":
        return True
    if re.search(r"\bopacity\(\s*0(?:\.0*)?%?\s*\)", props.get("filter", "")):
        return True
    opacity = _number(props.get("opacity"))
    if opacity is not None and opacity <= FAINT:
        return True
    if props.get("position") in ("absolute", "fixed"):
        for side in ("left", "top", "right", "bottom"):
            px = _length(props.get(side))
            if px is not None and (px <= _FAR if side in ("left", "top") else px >= -_FAR * 4):
                return True
        clip = props.get("clip", "")
        m = re.fullmatch(r"rect\(([^)]*)\)", clip)
        if m:
            edges = [_length(v) for v in re.split(r"[\s,]+", m.group(1).strip())]
            if len(edges) == 4 and None not in edges:
                top, right, bottom, left = edges
                if bottom - top <= 1 or right - left <= 1:
                    return True
    # (A large negative margin is left alone: left:50% with margin-left:-490px centres a page;
    # one wider than any screen is not.)
    for side in ("margin-left", "margin-top"):
        px = _length(props.get(side))
        if px is not None and px <= _FAR * 10:
            return True
    px = _length(props.get("text-indent"))
    if px is not None and px <= _FAR:
        return True
    if _shape(props, parent, transformable) is True:
        return True
    transform = props.get("transform", "") if transformable else ""
    if _shrunk(transform, props.get("zoom")) or _moved_away(transform):
        return True
    if re.search(r"\bscale[xy]?\(\s*0(?:\.0*)?\s*[,)]|\bscale\(\s*[\d.]+\s*,\s*0(?:\.0*)?\s*\)", transform) \
            or re.search(r"\bmatrix\(\s*0(?:\.0*)?\s*,\s*0(?:\.0*)?\s*,\s*0(?:\.0*)?\s*,\s*0(?:\.0*)?\s*,", transform):
        return True
    overflow = {props.get(k) for k in ("overflow", "overflow-x", "overflow-y")}
    if overflow & {"hidden", "clip"}:
        for side in ("width", "height", "max-width", "max-height"):
            px = _length(props.get(side))
            if px is not None and px <= 1:
                return True
    return False


def unsure_shape(props: dict, parent: dict | None = None, transformable: bool = True) -> str | None:
    """Why it cannot be told whether the element's text is seen, or None: a mask (an image or
    gradient drawn as its alpha), a clip path that neither keeps the whole box nor provably
    keeps nothing (a polygon, a partial inset, a circle, an SVG path), a 3D turn other than one
    that leaves it as drawn or provably hidden (edge-on, or its back shown with
    ``backface-visibility:hidden``), or one seen through a perspective or passed on to its
    children (``transform-style:preserve-3d``)."""
    verdict = _shape(props, parent, transformable)
    return verdict if isinstance(verdict, str) else None


_NONE = frozenset({"none", "initial", "unset", "revert", "revert-layer", "inherit"})
_BOXES = frozenset({"margin-box", "border-box", "padding-box", "content-box", "fill-box", "stroke-box", "view-box"})
_ANGLE = re.compile(r"([+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)(deg|rad|grad|turn)?")
_TO_DEG = {"deg": 1.0, "rad": 180 / math.pi, "grad": 0.9, "turn": 360.0, None: 1.0}
_FN = re.compile(r"([a-z][a-z0-9-]*)\(([^()]*)\)")
# A matrix entry this close to 0 is 0: cos(90deg) is 6e-17 in floating point.
_EPS = 1e-9


def _shape(props: dict, parent: dict | None, transformable: bool):
    """True when the element is provably not drawn (clipped to nothing, edge-on, its hidden
    back turned to the reader), a reason (str) when that cannot be told, None when it is
    drawn as its box."""
    for name in ("mask", "mask-image", "-webkit-mask", "-webkit-mask-image", "-webkit-mask-box-image"):
        value = props.get(name)
        if value and value not in _NONE and value.split()[0] != "none":
            return f"a mask ({name}:{value})"
    for name in ("clip-path", "-webkit-clip-path"):
        value = props.get(name)
        if value and value not in _NONE and not set(value.split()) <= _BOXES:
            verdict = _clip_path(value)
            if verdict is not None:
                return verdict if verdict is True else f"a clip path ({name}:{value})"
    if not transformable:
        return None  # transform and rotate do not apply to a plain inline box
    return _turned(props, parent)


def _clip_path(value: str):
    """True when the clip path keeps nothing, None when it keeps the whole box, False when
    it keeps some part of it that cannot be told without laying the page out."""
    m = _FN.search(value)
    if m is None:
        return False  # url(#…): an SVG clip
    name, args = m.group(1), m.group(2)
    if name == "inset":
        edges = [_percent(v) for v in args.split(" round ")[0].split()]
        if not edges or len(edges) > 4 or None in edges:
            return False
        top, right = edges[0], edges[1 % len(edges)]  # the CSS shorthand: 1 to 4 values
        bottom = edges[2] if len(edges) > 2 else top
        left = edges[3] if len(edges) > 3 else right
        if top + bottom >= 100 or left + right >= 100:
            return True
        return None if max(edges) == 0 else False
    if name in ("circle", "ellipse"):
        radii = args.split(" at ")[0].split()
        return True if radii and any(_length(r) == 0 for r in radii) else False
    if name == "polygon":
        points = [p.split() for p in args.split(",")]
        if points and points[0] and points[0][0] in ("nonzero", "evenodd"):
            points[0] = points[0][1:]
        coords = [(_percent(p[0]), _percent(p[1])) if len(p) == 2 else (None, None) for p in points]
        if any(None in c for c in coords):
            return False
        area = sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(coords, coords[1:] + coords[:1]))
        return True if abs(area) < _EPS else False
    return False  # path(), rect(), xywh(), shape(): not worked out


def _percent(value: str) -> float | None:
    """A clip coordinate as a percentage of the box; 0 in any unit is 0; None for a length
    (whose share of the box is not known without laying the page out)."""
    m = _NUMBER.match(value.strip())
    if not m:
        return None
    number = float(m.group(1))
    if number == 0 or m.group(2) == "%":
        return number
    return None


def _turned(props: dict, parent: dict | None):
    """The verdict of :func:`_shape` for the element's 3D turn (``transform``, ``rotate``)."""
    transform = props.get("transform") or ""
    rotate = props.get("rotate") or ""
    if not re.search(r"3d|rotate[xy]|perspective|scalez|matrix3d", transform) and (
            not rotate or rotate in _NONE or re.fullmatch(r"(?:z\s+)?" + _ANGLE.pattern, rotate)):
        return None  # flat: the rules for 2D transforms apply
    matrix = _linear(rotate, transform)
    if matrix is None:
        return f"a 3D transform not worked out (transform:{transform}{'; rotate:' + rotate if rotate else ''})"
    flat = all(abs(matrix[i][j]) < _EPS for i, j in ((0, 2), (1, 2), (2, 0), (2, 1))) and matrix[2][2] > _EPS
    if flat:
        return None
    reason = f"a 3D turn (transform:{transform}{'; rotate:' + rotate if rotate else ''})"
    seen_through = "perspective(" in transform or (parent or {}).get("perspective", "none") not in _NONE
    if seen_through or props.get("transform-style") == "preserve-3d":
        return reason  # a perspective shows a turned plane slanted; preserve-3d lets children turn back
    face = matrix[0][0] * matrix[1][1] - matrix[0][1] * matrix[1][0]  # area of its box on the screen
    if abs(face) < _EPS:
        return True  # edge-on: drawn as a line
    volume = _det3(matrix)
    back = abs(volume) > _EPS and face / volume < 0  # the inverse's z-z entry: the reader sees its back
    if back and "hidden" in (props.get("backface-visibility"), props.get("-webkit-backface-visibility")):
        return True
    return reason  # drawn mirrored or slanted: what it shows is not certain


def _linear(rotate: str, transform: str):
    """The 3x3 linear part of ``rotate`` then ``transform`` (translations left out: they do
    not turn the plane), None when a part cannot be read."""
    m = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    if rotate and rotate not in _NONE:
        parts = rotate.split()
        axis = {"x": [1.0, 0.0, 0.0], "y": [0.0, 1.0, 0.0], "z": [0.0, 0.0, 1.0]}
        try:
            if len(parts) == 1:
                vector, angle = [0.0, 0.0, 1.0], _degrees(parts[0])
            elif len(parts) == 2 and parts[0] in axis:
                vector, angle = axis[parts[0]], _degrees(parts[1])
            elif len(parts) == 4:
                vector, angle = [float(p) for p in parts[:3]], _degrees(parts[3])
            else:
                return None
        except ValueError:
            return None
        if angle is None:
            return None
        m = _turn(vector, angle)
    pos = 0
    for fn in _FN.finditer(transform):
        if transform[pos:fn.start()].strip():
            return None  # something between functions (an unresolved var()): not read
        pos = fn.end()
        step = _step(fn.group(1), [a.strip() for a in fn.group(2).split(",")])
        if step is None:
            return None
        m = [[sum(m[i][k] * step[k][j] for k in range(3)) for j in range(3)] for i in range(3)]
    if transform[pos:].strip() and transform.strip() not in _NONE:
        return None
    return m


def _step(name: str, args: list[str]):
    """One transform function's 3x3 linear part (None when not read)."""
    one = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    try:
        if name in ("translate", "translatex", "translatey", "translatez", "translate3d", "perspective"):
            return one
        if name in ("rotatex", "rotatey", "rotatez", "rotate"):
            angle = _degrees(args[0])
            axis = {"rotatex": [1.0, 0.0, 0.0], "rotatey": [0.0, 1.0, 0.0]}.get(name, [0.0, 0.0, 1.0])
            return None if angle is None else _turn(axis, angle)
        if name == "rotate3d" and len(args) == 4:
            angle = _degrees(args[3])
            return None if angle is None else _turn([float(a) for a in args[:3]], angle)
        if name.startswith("scale"):
            values = [float(a) for a in args]
            sx, sy, sz = {"scale": lambda: (values[0], values[-1], 1.0), "scalex": lambda: (values[0], 1.0, 1.0),
                          "scaley": lambda: (1.0, values[0], 1.0), "scalez": lambda: (1.0, 1.0, values[0]),
                          "scale3d": lambda: tuple(values[:3])}[name]()
            return [[sx, 0.0, 0.0], [0.0, sy, 0.0], [0.0, 0.0, sz]]
        if name in ("skew", "skewx", "skewy"):
            ax = _degrees(args[0]) if name != "skewy" else 0.0
            ay = _degrees(args[-1] if name == "skew" and len(args) > 1 else args[0]) if name != "skewx" else 0.0
            if name == "skew" and len(args) == 1:
                ay = 0.0
            if ax is None or ay is None:
                return None
            return [[1.0, math.tan(math.radians(ax)), 0.0], [math.tan(math.radians(ay)), 1.0, 0.0], [0.0, 0.0, 1.0]]
        if name == "matrix" and len(args) == 6:
            a, b, c, d = (float(v) for v in args[:4])
            return [[a, c, 0.0], [b, d, 0.0], [0.0, 0.0, 1.0]]
        if name == "matrix3d" and len(args) == 16:
            v = [float(a) for a in args]  # column-major
            return [[v[0], v[4], v[8]], [v[1], v[5], v[9]], [v[2], v[6], v[10]]]
    except (ValueError, KeyError, IndexError):
        return None
    return None


def _degrees(value: str) -> float | None:
    m = _ANGLE.fullmatch(value.strip())
    if not m or (m.group(2) is None and float(m.group(1)) != 0):
        return None
    return float(m.group(1)) * _TO_DEG[m.group(2)]


def _turn(axis: list[float], degrees: float):
    """The rotation matrix about *axis* (Rodrigues), sines and cosines of whole quarter turns exact."""
    norm = math.sqrt(sum(a * a for a in axis))
    if norm == 0:
        return [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    x, y, z = (a / norm for a in axis)
    quarter = degrees / 90
    if quarter == int(quarter):
        c, s = ((1.0, 0.0), (0.0, 1.0), (-1.0, 0.0), (0.0, -1.0))[int(quarter) % 4]
    else:
        c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    t = 1 - c
    return [[t * x * x + c, t * x * y - s * z, t * x * z + s * y],
            [t * x * y + s * z, t * y * y + c, t * y * z - s * x],
            [t * x * z - s * y, t * y * z + s * x, t * z * z + c]]


def _det3(m) -> float:
    return (m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
            + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]))


# A scale under this draws 16 px text under one pixel: nothing a reader can read.
_TINY_SCALE = 0.05


def _shrunk(transform: str, zoom: str | None) -> bool:
    """Scaled (``transform:scale(0.001)``) or zoomed (``zoom:0.001``) below :data:`_TINY_SCALE`."""
    factors = [float(v) for m in re.finditer(r"\bscale[xy]?\(([^)]*)\)", transform)
               for v in re.split(r"[\s,]+", m.group(1).strip()) if re.fullmatch(r"[+-]?(?:\d+\.?\d*|\.\d+)", v)]
    z = _number(zoom) if zoom else None
    if z is not None:
        factors.append(z)
    return any(abs(f) < _TINY_SCALE for f in factors)


def _moved_away(transform: str) -> bool:
    """Translated far off screen (``translateX(-99999px)``), as an element placed far left or up."""
    for m in re.finditer(r"\btranslate([xy]?)\(([^)]*)\)", transform, re.I):
        for v in re.split(r"\s*,\s*", m.group(2).strip()):
            px = _length(v)
            if px is not None and (px <= _FAR * 4 or px >= -_FAR * 8):
                return True
    return False


_NAMED = {
    "white": (255, 255, 255), "black": (0, 0, 0), "red": (255, 0, 0), "green": (0, 128, 0),
    "blue": (0, 0, 255), "yellow": (255, 255, 0), "gray": (128, 128, 128), "grey": (128, 128, 128),
    "silver": (192, 192, 192), "maroon": (128, 0, 0), "navy": (0, 0, 128), "purple": (128, 0, 128),
    "teal": (0, 128, 128), "olive": (128, 128, 0), "lime": (0, 255, 0), "aqua": (0, 255, 255),
    "fuchsia": (255, 0, 255), "orange": (255, 165, 0), "whitesmoke": (245, 245, 245), "snow": (255, 250, 250),
    "ivory": (255, 255, 240), "ghostwhite": (248, 248, 255), "azure": (240, 255, 255),
}
#: A colour with no alpha: what "transparent" and rgba(…, 0) parse to.
CLEAR = "clear"
#: An alpha or opacity at most this leaves text within 13/255 of its ground in every channel,
#: which a reader does not see (the HTML reader's same-colour test, the PDF reader's 0.05).
FAINT = 0.05
_HUE_UNITS = {"deg": 1 / 360, "grad": 1 / 400, "rad": 1 / (2 * 3.141592653589793), "turn": 1.0, "": 1 / 360}


def _hsl(parts: list[str]) -> list[float]:
    """(r, g, b) in 0..255 of ``hsl()``'s hue, saturation and lightness (a bare number for
    saturation or lightness is a percentage, as CSS Color 4 reads it)."""
    import colorsys

    m = re.fullmatch(r"(-?[\d.]+)([a-z]*)", parts[0])
    if m is None or m.group(2) not in _HUE_UNITS:
        raise ValueError(parts[0])
    hue = (float(m.group(1)) * _HUE_UNITS[m.group(2)]) % 1.0
    sat, light = (min(max(float(p.rstrip("%")) / 100, 0.0), 1.0) for p in parts[1:3])
    return [c * 255 for c in colorsys.hls_to_rgb(hue, light, sat)]


def parse_colour(value: str | None):
    """(r, g, b) in 0..255, :data:`CLEAR` for a fully transparent colour, None when unknown
    (a variable, a gradient, ``currentColor``, a named colour not listed here)."""
    if not value:
        return None
    v = value.strip().lower()
    if v == "transparent":
        return CLEAR
    if v in _NAMED:
        return _NAMED[v]
    m = re.fullmatch(r"#([0-9a-f]{3,8})", v)
    if m:
        h = m.group(1)
        if len(h) in (3, 4):
            h = "".join(c * 2 for c in h)
        if len(h) not in (6, 8):
            return None
        if len(h) == 8 and int(h[6:], 16) / 255 <= FAINT:
            return CLEAR
        return tuple(int(h[i:i + 2], 16) for i in (0, 2, 4))
    m = re.fullmatch(r"(rgb|hsl)a?\(([^)]*)\)", v)
    if m:
        parts = [p for p in re.split(r"[\s,/]+", m.group(2).strip()) if p]
        if len(parts) not in (3, 4):
            return None
        try:
            rgb = _hsl(parts) if m.group(1) == "hsl" else \
                [float(p[:-1]) * 2.55 if p.endswith("%") else float(p) for p in parts[:3]]
            alpha = None if len(parts) < 4 else (float(parts[3][:-1]) / 100 if parts[3].endswith("%")
                                                 else float(parts[3]))
        except ValueError:
            return None
        if alpha is not None and alpha <= FAINT:
            return CLEAR
        return tuple(int(round(c)) for c in rgb)
    return None


def overlapping(props: dict) -> bool:
    """Is the letter spacing so negative (-0.3 em or less) that each glyph is drawn over the next?"""
    value = (props.get("letter-spacing") or "").strip()
    m = _NUMBER.match(value)
    if not m:
        return False
    if m.group(2) in ("em", "rem"):
        return float(m.group(1)) <= -0.3
    px = _length(value)
    return px is not None and px <= -0.3 * 16


def outlined(props: dict) -> bool:
    """Is the text drawn with a shadow or an outline, which shows it whatever its colour?"""
    shadow = props.get("text-shadow")
    stroke = props.get("-webkit-text-stroke")
    return bool(shadow and shadow != "none") or bool(stroke and _length(stroke.split()[0]) not in (0.0, None))


def background_colour(props: dict):
    """The colour an element paints behind its text (``background-color``, or the colour in a
    ``background`` shorthand); None when it paints none or it cannot be told (an image)."""
    value = props.get("background-color")
    if value is None and "background" in props:
        bg = props["background"]
        if "url(" in bg or "gradient" in bg:
            return "unknown"
        for token in re.findall(r"#[0-9a-f]{3,8}\b|(?:rgb|hsl)a?\([^)]*\)|[a-z]+", bg):
            colour = parse_colour(token)
            if colour is not None:
                return colour
        return None
    colour = parse_colour(value)
    if value is not None and colour is None:
        return "unknown"
    return colour
