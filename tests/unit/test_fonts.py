"""Fonts in the PDFs: every font embedded, all from the project's own install
(nothing from /usr/share/fonts), the Taiwan face for Chinese, ≥ ≤ in the Latin
face, and a LIMS_CJK_FONT that cannot be used is an error.

Run: .venv/bin/python -m pytest -p no:django -p no:cacheprovider tests/unit/test_fonts.py -q
"""

from __future__ import annotations

import builtins
import hashlib
import io
import os
import subprocess
import sys

import pytest
from pypdf import PdfReader

import certificates.fonts as fonts
from certificates import batch_evidence, certificate_pdf, dossier_pdf, layout, sections
from certificates.certificate_pdf import render_certificate
from certificates.dossier_pdf import render_dossier

from .test_rendering import make_certificate_ctx, make_dossier_ctx

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SYSTEM_FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", os.path.expanduser("~/.fonts"))


def _fonts_of(pdf: bytes) -> dict[str, dict]:
    """Every font dictionary reachable from the pages (and their form XObjects): BaseFont -> facts."""
    out: dict[str, dict] = {}

    def visit_resources(res):
        res = res.get_object() if res is not None else {}
        for ref in (res.get("/Font") or {}).values():
            f = ref.get_object()
            subtype = str(f.get("/Subtype"))
            desc = f.get("/FontDescriptor")
            if desc is None and f.get("/DescendantFonts"):
                desc = f["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            desc = desc.get_object() if desc is not None else {}
            out[str(f.get("/BaseFont"))] = {
                "subtype": subtype,
                "embedded": any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3")),
            }
        for xo in (res.get("/XObject") or {}).values():
            xo = xo.get_object()
            if xo.get("/Subtype") == "/Form":
                visit_resources(xo.get("/Resources"))

    for page in PdfReader(io.BytesIO(pdf)).pages:
        visit_resources(page.get("/Resources"))
    return out


def _text(pdf: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def fresh_registration(monkeypatch):
    """Forget which fonts were registered, so a test registers them again under its own conditions.

    reportlab keeps the first font registered under a name (or with a face name), so its
    registries are replaced too, for the duration of the test.
    """
    from reportlab.pdfbase import pdfmetrics

    ours = (fonts.CJK_FONT_NAME, fonts.LATIN_FONT)
    monkeypatch.setattr(pdfmetrics, "_fonts", {k: v for k, v in pdfmetrics._fonts.items() if not k.startswith(ours)})
    monkeypatch.setattr(
        pdfmetrics,
        "_dynFaceNames",
        {k: v for k, v in pdfmetrics._dynFaceNames.items() if not v.fontName.startswith(ours)},
    )
    monkeypatch.setattr(fonts, "_registered", {})
    monkeypatch.setattr(layout._Fonts, "cjk", "")
    layout._cjk_ok.cache_clear()
    layout._latin_ok.cache_clear()
    yield
    layout._cjk_ok.cache_clear()
    layout._latin_ok.cache_clear()
    layout._Fonts.cjk = ""


@pytest.fixture
def no_system_fonts(monkeypatch):
    """Any attempt to open a file in a system font folder fails, as on a bare machine."""
    real_open = builtins.open

    def guarded_open(file, *args, **kwargs):
        if isinstance(file, (str, os.PathLike)) and os.path.abspath(os.fspath(file)).startswith(SYSTEM_FONT_DIRS):
            raise AssertionError(f"opened a system font: {file}")
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded_open)
    monkeypatch.setattr(io, "open", guarded_open)
    monkeypatch.delenv("LIMS_CJK_FONT", raising=False)


@pytest.mark.parametrize("kind", ["certificate", "dossier"])
def test_every_font_is_embedded_and_the_chinese_labels_extract(kind, fresh_registration, no_system_fonts):
    if kind == "certificate":
        pdf = render_certificate(make_certificate_ctx())
        labels = ("檢驗報告暨符合性證明", "檢驗結果", "一般堆肥", "合格", "腐熟", "乾基", "≥ 60", "≤ 800", "第 1 頁")
    else:
        pdf = render_dossier(make_dossier_ctx())
        labels = ("肥料登記檢驗資料", "牛糞", "重金屬", "不合格", "中度腐熟", "第 1 頁")
    found = _fonts_of(pdf)
    assert found, "no fonts found"
    not_embedded = {name: f for name, f in found.items() if not f["embedded"]}
    assert not not_embedded, f"fonts not embedded: {not_embedded}"
    assert all(f["subtype"] in ("/TrueType", "/Type0") for f in found.values()), found
    # subset names, e.g. AAAAAA+NotoSansTC-Regular; no base-14 font (Helvetica) and no CID fallback (MSung-Light)
    families = {name.split("+", 1)[-1] for name in found}
    assert families == {"NotoSansTC-Regular", "SourceSansPro-Regular", "SourceSansPro-Bold"}, families
    text = _text(pdf)
    for label in labels:
        assert label in text, label


def test_fonts_come_from_the_projects_install(fresh_registration, no_system_fonts):
    cjk = fonts.register_fonts()
    for name in (cjk, fonts.LATIN_FONT, fonts.LATIN_BOLD):
        path = os.path.abspath(fonts.font_file(name))
        assert not path.startswith(SYSTEM_FONT_DIRS), path
    assert fonts.font_file(cjk).startswith(str(fonts.font_cache_dir())) or "lims-fonts" in fonts.font_file(cjk)
    assert os.path.abspath(fonts.font_file(fonts.LATIN_FONT)).startswith(os.path.abspath(sys.prefix))


def test_the_chinese_face_is_the_taiwan_one():
    cjk = fonts.register_fonts()
    from reportlab.pdfbase import pdfmetrics

    face = pdfmetrics.getFont(cjk).face
    assert face.name == b"NotoSansTC-Regular"
    assert all(ord(ch) in face.charToGlyph for ch in fonts.REQUIRED_CJK + "臺灣堆肥檢驗實驗室")


def test_converted_font_is_the_recorded_one():
    """Same TrueType bytes as recorded: PDFs made here match hashes recorded on another machine."""
    path = fonts.bundled_cjk_ttf()
    with open(path, "rb") as fh:
        assert hashlib.sha256(fh.read()).hexdigest() == fonts.CJK_TTF_SHA256


def test_conversion_runs_once_and_lands_whole(monkeypatch, tmp_path):
    calls = []

    def fake_convert(src, dst):
        calls.append(dst)
        dst.write_bytes(b"converted")

    monkeypatch.setenv("LIMS_FONT_DIR", str(tmp_path / "fonts"))
    monkeypatch.setattr(fonts, "_otf_to_ttf", fake_convert)
    first = fonts.bundled_cjk_ttf()
    second = fonts.bundled_cjk_ttf()
    assert first == second and first.parent == tmp_path / "fonts"
    assert first.read_bytes() == b"converted" and len(calls) == 1
    assert calls[0] != first  # written under a temporary name, then renamed into place
    assert sorted(p.name for p in (tmp_path / "fonts").iterdir()) == [".lock", first.name]


def test_ge_and_le_are_set_in_the_latin_face():
    fonts.register_fonts()
    segments = layout.segments("≥ 60 % ≤ 100 mg/kg ± 2.1 µ °C", markup=False)
    assert {font for font, _, _ in segments} == {fonts.LATIN_FONT}, segments
    assert "≥" in segments[0][1]  # the glyph itself, not the full-width CJK ≧


@pytest.mark.parametrize("case", ["missing", "cff", "latin_only"])
def test_unusable_cjk_font_is_an_error_not_a_fallback(case, monkeypatch, tmp_path, fresh_registration):
    path = {
        "missing": tmp_path / "missing.ttf",
        "cff": fonts.bundled_cjk_source(),  # PostScript outlines: reportlab cannot embed them
        "latin_only": fonts._package_file(fonts.LATIN_PACKAGE, fonts.LATIN_FILES[fonts.LATIN_FONT]),
    }[case]
    reason = {"missing": "no such file", "cff": "cannot be loaded", "latin_only": "has no glyph"}[case]
    monkeypatch.setenv("LIMS_CJK_FONT", str(path))
    with pytest.raises(fonts.FontError, match=f"LIMS_CJK_FONT=.*{reason}"):
        fonts.check_configured_fonts()
    monkeypatch.setattr(fonts, "_registered", {})
    with pytest.raises(fonts.FontError, match=reason):
        render_certificate(make_certificate_ctx())


def test_cjk_font_override(monkeypatch, fresh_registration):
    bundled = fonts.register_fonts()
    override = str(fonts.bundled_cjk_ttf())
    monkeypatch.setenv("LIMS_CJK_FONT", override)
    layout._Fonts.cjk = ""
    name = fonts.register_fonts()
    assert name != bundled and fonts.font_file(name) == override
    fonts.check_configured_fonts()
    assert "一般堆肥" in _text(render_certificate(make_certificate_ctx()))


def test_same_bytes_in_another_process_with_another_environment(tmp_path):
    """Neither the clock, the time zone, SOURCE_DATE_EPOCH nor the working directory changes the bytes."""
    ctx = make_certificate_ctx()
    here = hashlib.sha256(render_certificate(ctx)).hexdigest()
    script = (
        "import hashlib, sys; sys.path.insert(0, sys.argv[1]); "
        "from certificates.certificate_pdf import render_certificate; "
        "from tests.unit.test_rendering import make_certificate_ctx; "
        "print(hashlib.sha256(render_certificate(make_certificate_ctx())).hexdigest())"
    )
    env = {k: v for k, v in os.environ.items() if k != "LIMS_CJK_FONT"}
    env.update(TZ="Pacific/Chatham", SOURCE_DATE_EPOCH="1234567890", LANG="C", LC_ALL="C", PYTHONHASHSEED="7")
    out = subprocess.run(
        [sys.executable, "-c", script, ROOT], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == here
    assert PdfReader(io.BytesIO(render_certificate(ctx))).metadata["/CreationDate"].startswith("D:20261123")


def _variants():
    """Certificates whose page breaks fall in different places (paragraphs split or moved on whole)."""
    for k in range(10, 29):  # 18 and 19 results: a one-line paragraph is moved on to the next page whole
        ctx = make_certificate_ctx()
        ctx["results"] = ctx["results"][:k]
        yield ctx


def test_paragraph_caches_change_no_byte(monkeypatch):
    """The parse and line-break caches (speed) give the same PDF as reportlab's plain Paragraph."""
    ctxs = list(_variants())
    cached = [render_certificate(ctx) for ctx in ctxs]
    assert render_certificate(ctxs[0]) == cached[0]

    def plain(markup, style="cell"):
        return layout.Paragraph(markup, layout.ST[style])

    for module in (layout, sections, certificate_pdf, dossier_pdf, batch_evidence):  # every module that makes them
        monkeypatch.setattr(module, "P", plain)
    for ctx, pdf in zip(ctxs, cached):
        assert pdf == render_certificate(ctx), len(ctx["results"])


def test_no_table_row_alone_on_either_side_of_a_page_break():
    fonts.register_fonts()
    rows = [[layout.P(f"row {i}"), layout.P("檢驗 value")] for i in range(8)]
    seen = set()
    for tenths in range(0, 2000, 7):
        table = layout.data_table([layout.tx("項目 Item"), layout.tx("結果 Result")], rows, [60, 40])
        parts = table.split(400, tenths / 10)
        if len(parts) == 2:
            first, second = (len(p._cellvalues) - 1 for p in parts)  # body rows; the header repeats
            assert first >= 2 and second >= 2, (tenths / 10, first, second)
            assert first + second == 8
            seen.add(first)
    assert seen == {2, 3, 4, 5, 6}, seen  # every break that leaves two rows on each side is used


def test_a_damaged_cache_file_is_converted_again(monkeypatch, tmp_path, fresh_registration):
    good = fonts.bundled_cjk_ttf().read_bytes()
    monkeypatch.setenv("LIMS_FONT_DIR", str(tmp_path))
    monkeypatch.setattr(fonts, "_otf_to_ttf", lambda src, dst: dst.write_bytes(good))  # skip the 15 s conversion
    cached = fonts.bundled_cjk_ttf()
    cached.write_bytes(good[:1000])  # e.g. a disk that filled up while someone copied it
    name = fonts.register_fonts()
    assert fonts.font_file(name) == str(cached) and cached.read_bytes() == good


def _bench_sheet_ctx():
    positions = [
        {"number": 1, "kind": "sample", "label": "S-2026-000001", "detail": ""},
        {"number": 2, "kind": "blank", "label": "WS-7-2", "detail": ""},
        {"number": 3, "kind": "duplicate", "label": "WS-7-3", "detail": "of #1 S-2026-000001"},
        {"number": 4, "kind": "reference", "label": "WS-7-4", "detail": "CRM-堆肥-N lot L-1"},
    ]
    return {
        "title": "WS-7",
        "method": "direct",
        "created_by": "tech",
        "created_at": "2026-11-27 08:00",
        "positions": positions,
    }


def test_bench_sheet_embeds_every_font_from_the_projects_install(fresh_registration, no_system_fonts):
    """The bench sheet (qc) uses the same registration as the certificates: no Helvetica, all embedded."""
    from certificates.bench_sheet import render_bench_sheet

    pdf = render_bench_sheet(_bench_sheet_ctx())
    found = _fonts_of(pdf)
    assert found and all(f["embedded"] for f in found.values()), found
    assert {name.split("+", 1)[-1] for name in found} == {"NotoSansTC-Regular", "SourceSansPro-Regular"}, found
    text = _text(pdf)
    for label in ("工作單", "參考物質", "S-2026-000001", "WS-7-4", "CRM-堆肥-N lot L-1"):
        assert label in text, label
    assert render_bench_sheet(_bench_sheet_ctx()) == pdf  # invariant: same worksheet, same bytes
