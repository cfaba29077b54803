"""Clip paths, masks and 3D turns in a table-3 cell: the page shows 本年新收/自然人 = 20 (the
other cells 3 1 0 2 1 27), and hidden or half-hidden digits beside it would make it another
number.  Text provably not drawn (clipped to nothing, turned edge-on, its hidden back turned
to the reader) is dropped; text whose visibility cannot be told is doubtful: the cell is
missing with ``doubtful_text`` and a warning, never the number the hidden digits make."""
from __future__ import annotations

import pytest

from test_visible_text import assert_read, natural_person
from visible_fixtures import html_report

BOX = "display:inline-block;"  # transform applies to a box, not to a plain inline <span>

DROPPED = {
    "polygon of zero area": '<span style="clip-path:polygon(0 0, 0 0, 0 0)">5</span>20',
    "polygon on one line": '<span style="clip-path:polygon(0 0, 100% 0, 50% 0)">5</span>20',
    "-webkit-clip-path polygon of zero area": '<span style="-webkit-clip-path:polygon(0 0,0 0,0 0)">5</span>20',
    "inset(50%) on an inline span": '<span style="clip-path:inset(50%)">5</span>20',
    "inset(60%)": '<span style="clip-path:inset(60%)">5</span>20',
    "inset(0 50%): no width left": '<span style="clip-path:inset(0 50%)">5</span>20',
    "rotateX(90deg)": f'<span style="{BOX}transform:rotateX(90deg)">5</span>20',
    "rotateY(90deg)": f'<span style="{BOX}transform:rotateY(90deg)">5</span>20',
    "rotateY(-270deg)": f'<span style="{BOX}transform:rotateY(-270deg)">5</span>20',
    "rotateX(0.25turn) by a class rule": '<style>.t{display:inline-block;transform:rotateX(.25turn)}</style>'
                                         '<span class="t">5</span>20',
    "two half turns make an edge-on one": f'<span style="{BOX}transform:rotateX(45deg) rotateX(45deg)">5</span>20',
    "rotate3d about x by 90deg": f'<span style="{BOX}transform:rotate3d(1,0,0,90deg)">5</span>20',
    "rotate property y 90deg": f'<span style="{BOX}rotate:y 90deg">5</span>20',
    "back turned, backface hidden (Y)": f'<span style="{BOX}transform:rotateY(180deg);backface-visibility:hidden">'
                                        '5</span>20',
    "back turned, backface hidden (X)": f'<span style="{BOX}transform:rotateX(180deg);'
                                        '-webkit-backface-visibility:hidden">5</span>20',
    "edge-on div inside the cell": '<div style="transform:rotateX(90deg)">5</div>20',
}

DOUBTFUL = {
    "polygon keeping part of the box": '<span style="clip-path:polygon(0 0, 100% 0, 100% 100%)">5</span>20',
    "partial inset": '<span style="clip-path:inset(10%)">5</span>20',
    "circle clip": '<span style="clip-path:circle(30%)">5</span>20',
    "svg clip": '<span style="clip-path:url(#c)">5</span>20',
    "mask-image gradient": '<span style="mask-image:linear-gradient(transparent, transparent)">5</span>20',
    "mask shorthand": '<span style="mask:url(m.svg)">5</span>20',
    "-webkit-mask-image by a class rule": '<style>.m{-webkit-mask-image:linear-gradient(#000,transparent)}</style>'
                                          '<span class="m">5</span>20',
    "mask over the digits that seem to show": '<span style="mask-image:linear-gradient(transparent,transparent)">'
                                              '20</span>',
    "rotateX(60deg)": f'<span style="{BOX}transform:rotateX(60deg)">5</span>20',
    "rotateY(180deg) without backface hidden: mirrored": f'<span style="{BOX}transform:rotateY(180deg)">5</span>20',
    "edge-on seen through a perspective": f'<span style="{BOX}transform:perspective(100px) rotateX(90deg)">'
                                          '5</span>20',
    "edge-on passing its turn to children": f'<span style="{BOX}transform:rotateX(90deg);'
                                            'transform-style:preserve-3d">5</span>20',
    "turn that is not read": f'<span style="{BOX}transform:rotateX(var(--a))">5</span>20',
    "mask on a block around the number": '<div style="mask-image:linear-gradient(transparent,transparent)">'
                                         '<span>5</span></div>20',
}


@pytest.mark.parametrize("case", sorted(DROPPED))
def test_text_provably_not_drawn_is_dropped(case):
    assert_read(html_report(DROPPED[case]), ".html")


@pytest.mark.parametrize("case", sorted(DOUBTFUL))
def test_text_of_unsure_visibility_leaves_the_number_doubtful(case):
    value, status, warnings = natural_person(html_report(DOUBTFUL[case]), ".html")
    assert (value, status) == (None, "doubtful_text")
    assert any("cannot be told" in w and "doubtful" in w for w in warnings), warnings


@pytest.mark.parametrize("cell", [
    '<span style="clip-path:none">20</span>',
    '<span style="clip-path:inset(0)">20</span>',
    '<span style="mask:none">20</span>',
    '<span style="mask-image:none">20</span>',
    f'<span style="{BOX}transform:rotate(0deg)">20</span>',
    f'<span style="{BOX}transform:rotateX(0deg) rotateY(360deg)">20</span>',
    '<span style="transform:rotateX(90deg)">5</span>20',
    '<span style="transform:scale(0)">5</span>20',
    '<span style="transform:translateX(-9999px)">5</span>20',
])
def test_visible_text_with_harmless_shapes_is_read(cell):
    # The last three: transform does not apply to a plain inline box, so a browser shows 520.
    value, status, warnings = natural_person(html_report(cell), ".html")
    expected = 520 if cell.endswith("5</span>20") else 20
    assert (value, status) == (expected, "read")
    assert not any("cannot be told" in w for w in warnings)


# Colours and opacity a reader cannot see: hsl()/hsla() in any of its spellings, an alpha or
# an opacity so small that the text is within 13/255 of its ground (what the page shows is 20).
UNSEEN = {
    "hsla alpha 0": '<span style="color:hsla(0,0%,0%,0)">5</span>20',
    "hsl with a slash alpha 0%": '<span style="color:hsl(0 0% 0% / 0%)">5</span>20',
    "hsl with a fourth argument 0": '<span style="color:hsl(0, 0%, 0%, 0)">5</span>20',
    "hsl white on white": '<span style="color:hsl(0 0% 100%)">5</span>20',
    "hsl turn hue, white": '<span style="color:hsl(0.25turn 0% 100%)">5</span>20',
    "hsl black on a black hsl ground": '<span style="color:hsl(0,0%,0%);background:hsl(0 0% 0%)">5</span>20',
    "rgba alpha 0.01": '<span style="color:rgba(0,0,0,0.01)">5</span>20',
    "8-digit hex alpha 05": '<span style="color:#00000005">5</span>20',
    "opacity 0.001": '<span style="opacity:0.001">5</span>20',
    "opacity 3%": '<span style="opacity:3%">5</span>20',
}


@pytest.mark.parametrize("case", sorted(UNSEEN))
def test_text_in_a_colour_or_opacity_a_reader_cannot_see_is_dropped(case):
    assert_read(html_report(UNSEEN[case]), ".html")


@pytest.mark.parametrize("cell", [
    '<span style="color:hsl(0,0%,20%)">20</span>',
    '<span style="color:hsla(210 50% 30% / 0.8)">20</span>',
    '<span style="opacity:0.5">20</span>',
    '<span style="color:rgba(0,0,0,0.2)">20</span>',
])
def test_faint_but_seen_text_is_read(cell):
    assert_read(html_report(cell), ".html")
