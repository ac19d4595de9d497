"""Font registration for the PDF renderers (pure reportlab, no Django).

Strategy
--------
* Chinese (and any glyph the Latin font cannot encode, such as ≤ ≥) is set in
  an embedded TrueType CJK font. Candidates, first found wins:

  1. the path in the environment variable ``LIMS_CJK_FONT``;
  2. ``/usr/share/fonts/truetype/arphic/uming.ttc`` (Debian fonts-arphic-uming).

  For a ``.ttc`` collection the Traditional Chinese (Taiwan) face is chosen by
  name ("UMingTW"); without one, the first face. ``LIMS_CJK_FONT`` may also be
  written ``path#N`` to force sub-font N.
* When no candidate can be loaded, reportlab's built-in CID font
  ``MSung-Light`` (Traditional Chinese, Adobe-CNS1) is used: it needs no file
  and no root, but it is not embedded (the viewer substitutes a Ming face).
* Latin text and numbers are set in Helvetica (one of the PDF base-14 fonts);
  the renderer switches fonts per run of characters (see ``rendering``).

``register_fonts()`` is idempotent and returns the reportlab font name to use
for CJK text.
"""
from __future__ import annotations

import logging
import os
import threading

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import CIDEncoding, UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont

log = logging.getLogger(__name__)

DEFAULT_CJK_PATHS = ("/usr/share/fonts/truetype/arphic/uming.ttc",)
CID_FALLBACK = "MSung-Light"
CJK_FONT_NAME = "LimsCJK"          # registered name of an embedded TrueType face
LATIN_FONT = "Helvetica"
LATIN_BOLD = "Helvetica-Bold"
PREFERRED_TTC_FACES = (b"UMingTW", b"UMingTWMBE", b"UMingHK")

_lock = threading.Lock()
_registered: dict = {}


def _candidates() -> list[tuple[str, int | None]]:
    out: list[tuple[str, int | None]] = []
    env = os.environ.get("LIMS_CJK_FONT", "").strip()
    if env:
        path, index = env, None
        if "#" in env:
            head, _, tail = env.rpartition("#")
            if tail.isdigit():
                path, index = head, int(tail)
        out.append((path, index))
    out.extend((p, None) for p in DEFAULT_CJK_PATHS)
    return out


def _load_ttf(name: str, path: str, index: int | None) -> TTFont:
    if not path.lower().endswith((".ttc", ".otc")):
        return TTFont(name, path)
    if index is not None:
        return TTFont(name, path, subfontIndex=index)
    first = None
    for i in range(16):
        try:
            font = TTFont(name, path, subfontIndex=i)
        except Exception:  # past the last face of the collection
            break
        if first is None:
            first = font
        if font.face.name in PREFERRED_TTC_FACES:
            return font
    if first is None:
        return TTFont(name, path, subfontIndex=0)
    return first


def _cid_fallback_font() -> UnicodeCIDFont:
    """MSung-Light with the Unicode CMap of its own collection.

    reportlab pairs MSung-Light (an Adobe-CNS1 font) with ``UniGB-UCS2-H``, a
    CMap of the Adobe-GB1 collection; strict viewers (poppler) then drop the
    text. ``UniCNS-UCS2-H`` is the matching UCS-2 CMap (same UTF-16 encoding
    of the text, so widths and output bytes are otherwise unchanged).
    """
    font = UnicodeCIDFont(CID_FALLBACK)
    if font.encodingName.startswith("UniGB-"):
        enc = "UniCNS-" + font.encodingName[len("UniGB-"):]
        font.encodingName = enc
        font.encoding = CIDEncoding(enc)
    return font


def register_fonts() -> str:
    """Register the CJK font once; return its reportlab font name."""
    key = tuple(_candidates())
    with _lock:
        if key in _registered:
            return _registered[key]
        name = None
        for path, index in key:
            if not os.path.isfile(path):
                continue
            # A distinct registered name per file, so an override never
            # silently reuses a face registered earlier from another path.
            reg_name = f"{CJK_FONT_NAME}-{len(_registered)}"
            try:
                font = _load_ttf(reg_name, path, index)
            except Exception as exc:  # unreadable, or a CFF/OpenType font reportlab cannot embed
                log.warning("CJK font %s unusable (%s); trying the next one", path, exc)
                continue
            pdfmetrics.registerFont(font)
            name = font.fontName
            break
        if name is None:
            pdfmetrics.registerFont(_cid_fallback_font())
            name = CID_FALLBACK
        _registered[key] = name
        return name


def is_embedded_ttf(font_name: str) -> bool:
    return isinstance(pdfmetrics.getFont(font_name), TTFont)


def has_glyph(font_name: str, ch: str) -> bool:
    """True when the font can draw ``ch``.

    For the CID fallback (Adobe-CNS1) the repertoire is approximated by
    Big5-HKSCS, which that collection covers; ASCII is always present.
    """
    font = pdfmetrics.getFont(font_name)
    if isinstance(font, TTFont):
        return ord(ch) in font.face.charToGlyph
    if ord(ch) < 0x80:
        return True
    try:
        ch.encode("big5hkscs")
    except UnicodeEncodeError:
        return False
    return True
