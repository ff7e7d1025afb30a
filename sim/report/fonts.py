"""Fonts and the drawing back end of every figure, so that Chinese names render.

matplotlib's default font has no CJK glyphs: a Chinese village name becomes empty boxes.
Every figure of the report (charts, maps, the lead-time histogram) is drawn inside
:func:`report_style`: the default font first, then the installed fonts of
:data:`CJK_FALLBACK_FONTS` (matplotlib falls back glyph by glyph), and SVG keeps text as
text (``svg.fonttype = "none"``) so that the viewer's fonts render it. On a machine with
no CJK font, matplotlib's warning per missing glyph is silenced and :func:`set_fonts`
says once which font to install. matplotlib is imported inside the functions
(``ruralsim validate`` should not pay for it).
"""

from __future__ import annotations

import contextlib
import sys
import warnings
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: Fonts with CJK glyphs, tried in order after the default font for characters it lacks.
CJK_FALLBACK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Droid Sans Fallback",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
    "Hiragino Sans GB",
    "Arial Unicode MS",
)
BASE_FONT = "DejaVu Sans"
GLYPH_WARNING = r"Glyph \d+ .* missing from font"
CJK_FIRST_CODEPOINT = 0x2E80  # CJK radicals; every Chinese character lies above it

_warned_no_cjk = False


def pyplot():
    """matplotlib.pyplot, on the Agg back end unless a notebook or a prompt shows figures."""
    import matplotlib

    if not ("ipykernel" in sys.modules or hasattr(sys, "ps1")):
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def font_list() -> list[str]:
    """The sans-serif fonts of every figure: the default, then the installed CJK fallbacks."""
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    return [BASE_FONT, *(name for name in CJK_FALLBACK_FONTS if name in installed)]


@contextlib.contextmanager
def quiet_glyphs() -> Iterator[None]:
    """matplotlib's warning per glyph its fonts lack, silenced (:func:`set_fonts` warns once)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=GLYPH_WARNING, category=UserWarning)
        yield


@contextlib.contextmanager
def report_style() -> Iterator[list[str]]:
    """matplotlib settings of the report's figures (fonts, SVG text as text); yields the fonts.

    Fonts are fixed when a text is made: draw the figure inside this context."""
    import matplotlib

    fonts = font_list()
    rc = {"font.family": "sans-serif", "font.sans-serif": fonts, "svg.fonttype": "none"}
    with matplotlib.rc_context(rc), quiet_glyphs():
        yield fonts


def set_fonts(fig: Figure, fonts: list[str]) -> None:
    """Give every text of ``fig`` the font list (so that it keeps them outside the context);
    warn once per process when a Chinese name meets a machine without a CJK font."""
    global _warned_no_cjk
    from matplotlib.text import Text

    texts = fig.findobj(Text)
    for text in texts:
        text.set_fontfamily(fonts)
    cjk = any(ord(c) >= CJK_FIRST_CODEPOINT for t in texts for c in t.get_text())
    if cjk and fonts == [BASE_FONT] and not _warned_no_cjk:
        _warned_no_cjk = True
        warnings.warn(
            "no CJK font installed: Chinese names show as boxes in PNG figures (SVG keeps them as "
            f"text for the viewer's fonts); install one of {', '.join(CJK_FALLBACK_FONTS[:4])} "
            "(Debian: fonts-noto-cjk)",
            UserWarning,
            stacklevel=3,
        )
