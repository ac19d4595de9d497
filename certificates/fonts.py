"""Fonts for the PDF renderers (reportlab and fontTools, no Django).

Every font in a certificate or dossier is embedded (subset), and every font
comes with the project's own install (pinned in requirements.txt), never from
the operating system, so the same context gives the same bytes on any machine:

* Latin text and figures: **Source Sans Pro** Regular and Bold, TrueType, from
  the PyPI package ``font-source-sans-pro`` (the Latin design of Noto Sans
  CJK, so both scripts match; about as wide as Helvetica). It has ≤ ≥ − ± ° µ
  and the subscript digits of P₂O₅ as upright glyphs of the Latin face.
* Chinese (and what the Latin face lacks, such as ℃): **Noto Sans TC** Regular, the
  Taiwan (Traditional Chinese) face of Noto Sans CJK, from the PyPI package
  ``pylopdf-fonts-zh-tw``. It ships as a CFF-based ``.otf``, which reportlab
  cannot embed ("postscript outlines are not supported"), so it is converted
  once with fontTools into TrueType (quadratic) outlines and cached as
  ``var/fonts/NotoSansTC-Regular-<key>.ttf`` (``LIMS_FONT_DIR`` to move it);
  ``<key>`` is derived from the source file's SHA-256 and the fontTools
  version, so a new font or converter never reuses a stale cache. The
  conversion is deterministic (no timestamps) and its result is checked
  against ``CJK_TTF_SHA256``. ``make venv`` builds it (``python -m
  certificates.fonts``); otherwise the first render does (about 10-20 s).
* ``LIMS_CJK_FONT=/path/font.ttf`` (or ``.ttc``, optionally ``path#N`` for
  sub-font N) replaces the bundled CJK font. It must load and must carry the
  Chinese labels: otherwise :class:`FontError`, raised at start-up by
  ``CertificatesConfig.ready`` and at render time; there is no silent
  fallback, and nothing is looked up under ``/usr/share/fonts``.

``register_fonts()`` is idempotent and returns the reportlab name of the CJK
font; ``LATIN_FONT`` / ``LATIN_BOLD`` are the names of the Latin faces.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import importlib.resources
import logging
import os
import tempfile
import threading
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

log = logging.getLogger(__name__)

LATIN_FONT = "LimsSans"  # registered names (Source Sans Pro)
LATIN_BOLD = "LimsSans-Bold"
CJK_FONT_NAME = "LimsCJK"  # registered name of the CJK face
LATIN_PACKAGE = "font_source_sans_pro"  # PyPI: font-source-sans-pro (SIL OFL 1.1)
LATIN_FILES = {LATIN_FONT: "files/SourceSansPro-Regular.ttf", LATIN_BOLD: "files/SourceSansPro-Bold.ttf"}

CJK_PACKAGE = "pylopdf_fonts_zh_tw"  # PyPI: pylopdf-fonts-zh-tw (SIL OFL 1.1)
CJK_SOURCE = "NotoSansTC-Regular.otf"
CJK_SOURCE_SHA256 = "5bab0cb3c1cf89dde07c4a95a4054b195afbcfe784d69d75c340780712237537"
# SHA-256 of the converted TrueType file with the pinned fontTools; a
# different value means PDFs made here will not match hashes recorded elsewhere.
CJK_TTF_SHA256 = "ea873e75515fabf833651891d640c95745bedf6c84e45f5ed196445d3de0dde4"
CONVERTER_VERSION = "1"  # bump when _otf_to_ttf changes its output
# A font that cannot draw these cannot print a certificate.
REQUIRED_CJK = "檢驗報告符合性證明合格腐熟乾基濕基頁"
# Faces of a .ttc collection, best first: the Taiwan face of a CJK collection.
PREFERRED_TTC_FACES = (
    b"NotoSansTC-Regular",
    b"NotoSansCJKtc-Regular",
    b"SourceHanSansTW-Regular",
    b"UMingTW",
    b"UMingTWMBE",
)

_lock = threading.Lock()
_registered: dict = {}


class FontError(RuntimeError):
    """A configured or bundled font cannot be used."""


def _project_root() -> Path:
    return Path(__file__).resolve().parent.parent


def font_cache_dir() -> Path:
    return Path(os.environ.get("LIMS_FONT_DIR") or _project_root() / "var" / "fonts")


def _package_file(package: str, name: str) -> Path:
    try:
        path = Path(str(importlib.resources.files(package).joinpath(name)))
    except ModuleNotFoundError as exc:
        raise FontError(
            f"the font package {package} is not installed ({exc}); run `make venv` (pip install -r requirements.txt)"
        ) from exc
    if not path.is_file():
        raise FontError(f"{path} missing from the installed package {package}")
    return path


def bundled_cjk_source() -> Path:
    return _package_file(CJK_PACKAGE, CJK_SOURCE)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _otf_to_ttf(src: Path, dst: Path) -> None:
    """Convert a CFF-outline OpenType font to TrueType outlines (fontTools cu2qu).

    Deterministic: the same source and fontTools version give the same bytes
    (no timestamp is recalculated).
    """
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont as FTFont
    from fontTools.ttLib import newTable

    font = FTFont(str(src), recalcTimestamp=False)
    if font.sfntVersion != "OTTO" or "CFF " not in font:
        raise FontError(f"{src} has no CFF outlines to convert")
    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        # 1 font unit of error; TrueType contours run the other way round than CFF ones
        glyph_set[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = glyphs
    del font["CFF "]
    if "VORG" in font:  # CFF-only table
        del font["VORG"]
    glyf.compile(font)
    maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for attr in (
        "maxZones",
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    font["maxp"] = maxp
    post = font["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = order
    font.sfntVersion = "\x00\x01\x00\x00"
    font.save(str(dst))


@contextlib.contextmanager
def _file_lock(path: Path):
    """Exclusive lock across processes (two workers starting together convert once)."""
    import fcntl

    with open(path, "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def bundled_cjk_ttf() -> Path:
    """Path of the TrueType conversion of the bundled Noto Sans TC; built and cached on first use."""
    src = bundled_cjk_source()
    import fontTools

    key = hashlib.sha256(f"{_sha256(src)}:{fontTools.version}:{CONVERTER_VERSION}".encode()).hexdigest()[:16]
    name = f"{Path(CJK_SOURCE).stem}-{key}.ttf"
    for cache in (font_cache_dir(), Path(tempfile.gettempdir()) / "lims-fonts"):
        dst = cache / name
        if dst.is_file():
            return dst
        try:
            cache.mkdir(parents=True, exist_ok=True)
            with _file_lock(cache / ".lock"):
                if dst.is_file():  # another process built it while this one waited
                    return dst
                tmp = cache / f".{name}.{os.getpid()}.tmp"
                log.info("converting %s to TrueType outlines into %s (once)", src, dst)
                try:
                    _otf_to_ttf(src, tmp)
                    digest = _sha256(tmp)
                    if digest != CJK_TTF_SHA256:
                        log.warning(
                            "converted CJK font %s has SHA-256 %s, expected %s: PDFs made here will "
                            "differ from those made elsewhere",
                            dst,
                            digest,
                            CJK_TTF_SHA256,
                        )
                    os.replace(tmp, dst)  # atomic: readers never see a half-written file
                finally:
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(tmp)
            return dst
        except OSError as exc:  # read-only folder: try the next one
            log.warning("cannot write the font cache in %s (%s)", cache, exc)
    raise FontError(f"cannot write the converted CJK font to {font_cache_dir()} (set LIMS_FONT_DIR)")


def _override() -> tuple[str, int | None] | None:
    env = os.environ.get("LIMS_CJK_FONT", "").strip()
    if not env:
        return None
    path, index = env, None
    head, sep, tail = env.rpartition("#")
    if sep and tail.isdigit():
        path, index = head, int(tail)
    return path, index


def _load_ttf(name: str, path: str, index: int | None) -> TTFont:
    if not path.lower().endswith((".ttc", ".otc")):
        return TTFont(name, path)
    if index is not None:
        return TTFont(name, path, subfontIndex=index)
    first = None
    best = None
    for i in range(32):
        try:
            font = TTFont(name, path, subfontIndex=i)
        except Exception:  # past the last face of the collection
            break
        if first is None:
            first = font
        if font.face.name in PREFERRED_TTC_FACES:
            rank = PREFERRED_TTC_FACES.index(font.face.name)
            if best is None or rank < best[0]:
                best = (rank, font)
    if first is None:
        return TTFont(name, path, subfontIndex=0)
    return best[1] if best else first


def load_override_font(name: str = CJK_FONT_NAME) -> TTFont | None:
    """The font named by ``LIMS_CJK_FONT``, checked; None when the variable is unset.

    Raises :class:`FontError` naming the variable, the file and the reason.
    """
    spec = _override()
    if spec is None:
        return None
    path, index = spec
    where = f"LIMS_CJK_FONT={os.environ.get('LIMS_CJK_FONT', '').strip()}"
    if not os.path.isfile(path):
        raise FontError(f"{where}: no such file")
    try:
        font = _load_ttf(name, path, index)
    except Exception as exc:  # unreadable, or CFF outlines reportlab cannot embed
        raise FontError(
            f"{where}: cannot be loaded as a TrueType font ({exc}); unset it to use the bundled Noto Sans TC"
        ) from exc
    missing = [ch for ch in REQUIRED_CJK if ord(ch) not in font.face.charToGlyph]
    if missing:
        raise FontError(f"{where}: has no glyph for {''.join(missing)}; a CJK (Traditional Chinese) font is needed")
    return font


def check_configured_fonts() -> None:
    """Start-up check: a ``LIMS_CJK_FONT`` that cannot be used is an error, not a fallback."""
    load_override_font("LimsCJKCheck")


def _register_latin() -> None:
    for name, file in LATIN_FILES.items():
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, str(_package_file(LATIN_PACKAGE, file))))
    # <b>/<i> in paragraph markup stay in the same embedded family
    addMapping(LATIN_FONT, 0, 0, LATIN_FONT)
    addMapping(LATIN_FONT, 1, 0, LATIN_BOLD)
    addMapping(LATIN_FONT, 0, 1, LATIN_FONT)
    addMapping(LATIN_FONT, 1, 1, LATIN_BOLD)


def register_fonts() -> str:
    """Register the Latin and CJK fonts once; return the CJK font's reportlab name."""
    key = _override()
    with _lock:
        if key in _registered:
            return _registered[key]
        _register_latin()
        # A distinct registered name per source, so an override never silently
        # reuses a face registered earlier from another file.
        name = f"{CJK_FONT_NAME}-{len(_registered)}"
        font = load_override_font(name)
        if font is None:
            path = bundled_cjk_ttf()
            try:
                font = TTFont(name, str(path))
            except Exception as exc:  # a damaged cache file: convert again, once
                log.warning("cached CJK font %s unreadable (%s); converting again", path, exc)
                path.unlink(missing_ok=True)
                font = TTFont(name, str(bundled_cjk_ttf()))
        pdfmetrics.registerFont(font)
        addMapping(name, 0, 0, name)
        addMapping(name, 1, 0, name)
        addMapping(name, 0, 1, name)
        addMapping(name, 1, 1, name)
        _registered[key] = name
        return name


def font_file(font_name: str) -> str:
    """File a registered TrueType font was read from."""
    return pdfmetrics.getFont(font_name).face.filename


def has_glyph(font_name: str, ch: str) -> bool:
    """True when the registered TrueType font can draw ``ch``."""
    return ord(ch) in pdfmetrics.getFont(font_name).face.charToGlyph


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


if __name__ == "__main__":  # `python -m certificates.fonts`: build the cache now (run by `make venv`)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    cjk = register_fonts()
    print(f"Latin: {font_file(LATIN_FONT)} (font-source-sans-pro {_version('font-source-sans-pro')})")
    print(f"CJK:   {font_file(cjk)} (pylopdf-fonts-zh-tw {_version('pylopdf-fonts-zh-tw')})")
