"""Japanese glyphs for HTML that must not depend on a system font: IPAexGothic, shipped by the
``matplotlib-fontja`` package (the font the figures draw with).

- The pages of ``impactkg serve`` load the font file unchanged from this server
  (:func:`font_file`, served at ``/static/fonts/IPAexGothic.ttf``; the IPA Font License allows
  redistribution of the unmodified font, its text is served beside it).
- A standalone HTML file (a map, the report, the ontology reference) carries a subset of the font
  with only the characters it shows, as a WOFF ``data:`` URL in an ``@font-face`` rule
  (:func:`font_face_css`). The IPA Font License Agreement v1.0 calls this an Embedded Font in a
  Digital Document File (Article 1.5): used only to display that file, it puts no further
  obligation on who copies the file (Article 2.5). The subset's family name is
  :data:`FAMILY`, not the font's own name.

>>> css = font_face_css("インパクト")
>>> css.startswith("@font-face{font-family:'impactkg-ja';src:url(data:font/woff;base64,")
True
>>> font_face_css("ascii only")
''
>>> subset_woff("日本")[:4]
b'wOFF'
"""

from __future__ import annotations

import base64
import importlib.util
import io
from functools import lru_cache
from pathlib import Path

#: The family name of the embedded subsets (CSS ``font-family``).
FAMILY = "impactkg-ja"
#: The family name of the whole font served to the pages.
PAGE_FAMILY = "IPAexGothic"
#: The file name of the font in ``matplotlib-fontja``.
FONT_NAME = "ipaexg.ttf"
LICENCE_NAME = "IPA_Font_License_Agreement_v1.0.txt"


def font_file() -> Path | None:
    """IPAexGothic (``ipaexg.ttf``) from ``matplotlib-fontja``, or None when it is not installed."""
    spec = importlib.util.find_spec("matplotlib_fontja")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder) / "fonts" / FONT_NAME
        if path.exists():
            return path
    return None


#: The code points the Japanese font draws (CSS ``unicode-range``): CJK radicals and punctuation,
#: kana, CJK compatibility, ideographs, half- and full-width forms. Every other character is
#: drawn by the system's fonts (Latin, digits, arrows and other symbols).
JA_RANGES = (
    (0x2E80, 0x2FDF), (0x3000, 0x30FF), (0x3190, 0x319F), (0x31F0, 0x31FF), (0x3200, 0x33FF),
    (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF),
)
UNICODE_RANGE = ",".join(f"U+{a:04X}-{b:04X}" for a, b in JA_RANGES)


def _needs_font(ch: str) -> bool:
    """Whether ``ch`` is one of :data:`JA_RANGES`."""
    code = ord(ch)
    return any(a <= code <= b for a, b in JA_RANGES)


@lru_cache(maxsize=64)
def _subset(chars: str) -> bytes:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    path = font_file()
    assert path is not None
    options = subset.Options()
    options.flavor = "woff"
    # fontTools' default layout features: those a browser applies to horizontal and vertical text
    # by itself. IPAexGothic's others are alternates a page never asks for (jp78, trad, hwid…)
    # and brought half again as many glyphs into the subset.
    options.name_IDs = ["*"]
    options.notdef_outline = True
    # The font's own timestamp, not the time of this subset: the same text gives the same bytes,
    # so a map or report written again from the same graph is the same file.
    font = TTFont(str(path), lazy=True, recalcTimestamp=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=chars)
    subsetter.subset(font)
    font.flavor = "woff"  # zlib-compressed (WOFF 1.0)
    buf = io.BytesIO()
    font.save(buf)
    return buf.getvalue()


def subset_woff(text: str) -> bytes:
    """A WOFF subset of IPAexGothic with the characters of ``text`` that need it (see the module);
    empty bytes when none does or the font is not installed."""
    chars = "".join(sorted({ch for ch in text if _needs_font(ch)}))
    if not chars or font_file() is None:
        return b""
    return _subset(chars)


def font_face_css(text: str) -> str:
    """An ``@font-face`` rule for :data:`FAMILY` with the subset for ``text`` embedded, or ``""``
    when ``text`` needs no Japanese glyph (or the font is not installed)."""
    data = subset_woff(text)
    if not data:
        return ""
    encoded = base64.b64encode(data).decode("ascii")
    return (
        f"@font-face{{font-family:'{FAMILY}';src:url(data:font/woff;base64,{encoded}) format('woff');"
        f"font-display:block;unicode-range:{UNICODE_RANGE}}}"
    )


#: The CSS font stack of standalone files: the embedded subset first (it draws only Japanese, see
#: :data:`JA_RANGES`), the system's fonts for the rest. First, not last: Chromium keeps text laid
#: out before a later web font in the list has loaded as empty boxes.
FONT_STACK = f'"{FAMILY}",system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif'
#: The same for the pages of ``impactkg serve``, with the whole font served.
PAGE_FONT_STACK = FONT_STACK.replace(FAMILY, PAGE_FAMILY)
