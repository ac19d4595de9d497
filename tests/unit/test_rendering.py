"""PDF rendering of certificates and dossiers (pure reportlab, no Django).

Run: .venv/bin/python -m pytest -p no:django -p no:cacheprovider tests/unit/test_rendering.py -q
"""

from __future__ import annotations

import copy
import hashlib
import io
import os
import shutil
import subprocess
import tempfile

import pytest
from pypdf import PdfReader

from certificates.certificate_pdf import render_certificate
from certificates.dossier_pdf import render_dossier

LAB = {
    "name_zh": "臺灣堆肥品質檢驗實驗室",
    "name_en": "Taiwan Compost Quality Testing Laboratory",
    "address": "臺中市霧峰區中正路 189 號 / No. 189, Zhongzheng Rd., Wufeng Dist., Taichung",
    "accreditation": "TAF 認可編號 Accreditation No. 3421",
}
MANUFACTURER = {
    "name": "綠土有機肥料股份有限公司 Green Soil Organics Co., Ltd.",
    "address": "彰化縣溪州鄉中央路三段 88 號",
}
URL = "https://lims.example/verify/CQ-2026-000001/"

#            key, zh, en, value, qualifier, unit, basis, method, U
_RESULTS = [
    (
        "moisture_pct",
        "水分",
        "Moisture",
        "32.0",
        "",
        "%",
        "as_received",
        "堆肥檢驗法 ch. 8 §1 烘乾法 105 °C oven drying",
        "0.8",
    ),
    ("ph", "酸鹼值 (1:5)", "pH (1:5)", "7.8", "", "", "", "玻璃電極法 Glass electrode, compost : water = 1 : 5", "0.1"),
    (
        "ec_ds_m",
        "電導度 (1:5)",
        "EC (1:5)",
        "3.42",
        "",
        "dS/m",
        "",
        "電導度計 Conductivity meter, 1 : 5 extract",
        "0.12",
    ),
    (
        "organic_carbon_pct",
        "有機碳",
        "Organic carbon",
        "38.2",
        "",
        "%",
        "dry",
        "濕式氧化法 Wet oxidation (Walkley-Black), ch. 8 §11",
        "1.2",
    ),
    ("total_carbon_pct", "總碳", "Total carbon", "40.1", "", "%", "dry", "乾式燃燒法 Dry combustion", "1.0"),
    (
        "organic_matter_pct",
        "有機質",
        "Organic matter",
        "65.8",
        "",
        "%",
        "dry",
        "由有機碳換算 From organic carbon × 1.724",
        "2.1",
    ),
    (
        "total_nitrogen_pct",
        "全氮",
        "Total nitrogen",
        "1.92",
        "",
        "%",
        "dry",
        "凱氏法 Kjeldahl digestion and titration",
        "0.08",
    ),
    ("p2o5_pct", "全磷酐", "Total P₂O₅", "1.45", "", "%", "dry", "鉬藍比色法 Molybdenum-blue colorimetry", "0.07"),
    ("k2o_pct", "全氧化鉀", "Total K₂O", "1.88", "", "%", "dry", "火焰光度法 Flame photometry", "0.09"),
    ("cao_pct", "氧化鈣", "CaO", "3.10", "", "%", "dry", "原子吸收光譜法 AAS", "0.15"),
    ("mgo_pct", "氧化鎂", "MgO", "0.92", "", "%", "dry", "原子吸收光譜法 AAS", "0.05"),
    ("cn_ratio", "碳氮比", "C/N ratio", "19.9", "", "", "", "計算 Calculated (organic C / total N)", "1.1"),
    (
        "reducing_sugar_pct",
        "還原糖",
        "Reducing sugar",
        "0.42",
        "",
        "%",
        "dry",
        "Somogyi-Nelson 比色法 colorimetry, ch. 8 §3",
        "0.03",
    ),
    ("rs_tc_ratio_pct", "還原糖/總碳", "Reducing sugar / total carbon", "1.05", "", "%", "", "計算 Calculated", ""),
    (
        "relative_germination_pct",
        "相對發芽率",
        "Relative germination",
        "95.8",
        "",
        "%",
        "",
        "種子發芽測定法 Cabbage seed germination (tari_cabbage)",
        "3.0",
    ),
    (
        "relative_root_growth_pct",
        "相對根長",
        "Relative root growth",
        "91.3",
        "",
        "%",
        "",
        "種子發芽測定法 Cabbage seed germination (tari_cabbage)",
        "4.0",
    ),
    (
        "germination_index_pct",
        "發芽指數",
        "Germination index",
        "87.5",
        "",
        "%",
        "",
        "種子發芽測定法 Cabbage seed germination (tari_cabbage)",
        "4.5",
    ),
    (
        "chromatogram_score",
        "濾紙顯圖分數",
        "Chromatogram score",
        "3",
        "",
        "",
        "",
        "圓形濾紙擴散顯圖 Circular filter-paper chromatogram",
        "",
    ),
    ("cd", "鎘", "Cadmium (Cd)", "0.5", "<", "mg/kg", "dry", "微波消化 ICP-OES, microwave digestion", ""),
    ("cr", "鉻", "Chromium (Cr)", "18.4", "", "mg/kg", "dry", "微波消化 ICP-OES, microwave digestion", "1.6"),
    ("cu", "銅", "Copper (Cu)", "62.0", "", "mg/kg", "dry", "微波消化 ICP-OES, microwave digestion", "4.8"),
    ("hg", "汞", "Mercury (Hg)", "0.05", "<", "mg/kg", "dry", "冷蒸氣原子吸收法 Cold-vapour AAS", ""),
    ("ni", "鎳", "Nickel (Ni)", "9.7", "", "mg/kg", "dry", "微波消化 ICP-OES, microwave digestion", "0.9"),
    ("pb", "鉛", "Lead (Pb)", "6.3", "", "mg/kg", "dry", "微波消化 ICP-OES, microwave digestion", "0.7"),
    ("zn", "鋅", "Zinc (Zn)", "412", "", "mg/kg", "dry", "微波消化 ICP-OES, microwave digestion", "28"),
    ("as", "砷", "Arsenic (As)", "2.1", "", "mg/kg", "dry", "氫化物原子吸收法 Hydride-generation AAS", "0.3"),
    ("cec_meq_100g", "陽離子交換容量", "CEC", "72", "", "meq/100 g", "dry", "醋酸銨法 Ammonium acetate, pH 7", "5"),
    ("impurities_pct", "夾雜物", "Inert impurities", "0.3", "", "%", "dry", "目視分選 Hand sorting > 2 mm", ""),
]


def make_certificate_ctx(number: str = "CQ-2026-000001", version: int = 1, supersedes=None) -> dict:
    results = [
        {
            "parameter": k,
            "name_zh": zh,
            "name_en": en,
            "value": v,
            "qualifier": q,
            "unit": u,
            "basis": b,
            "method": m,
            "uncertainty": unc,
        }
        for k, zh, en, v, q, u, b, m, unc in _RESULTS
    ]
    return {
        "lab": dict(LAB),
        "number": number,
        "version": version,
        "supersedes": supersedes,
        "issue_date": "2026-11-23",
        "verification_url": f"https://lims.example/verify/{number}/",
        "manufacturer": dict(MANUFACTURER),
        "product": {
            "name": "綠土一號堆肥 Green Soil No. 1",
            "category_key": "general_compost",
            "category_zh": "一般堆肥",
            "category_en": "General compost",
            "bagasse_based": False,
            "chemical_fertilizer_added": False,
        },
        "sample": {
            "code": "S-2026-0417",
            "lot_number": "GS1-261102",
            "sampled_on": "2026-11-02",
            "received_on": "2026-11-04",
        },
        "results": results,
        "maturity": {
            "rule_set": "tari_1999",
            "verdict": "mature",
            "indicators": [
                {
                    "indicator": "germination",
                    "value": "RG 95.8 %, RRG 91.3 %",
                    "criterion": "RG ≥ 90 % 且 and RRG ≥ 90 %",
                    "status": "mature",
                },
                {"indicator": "cn_ratio", "value": "19.9", "criterion": "≤ 20", "status": "mature"},
                {"indicator": "reducing_sugar", "value": "1.05 %", "criterion": "RS/TC ≤ 1.5 %", "status": "mature"},
                {"indicator": "chromatogram", "value": "3", "criterion": "score 3 (≥ 3)", "status": "mature"},
            ],
        },
        "compliance": {
            "standard": "tw-1997",
            "standard_title": "肥料品目及規格（行政院 1997-02-03 修正） "
            "Fertilizer categories and specifications, 1997 amendment",
            "category": "一般堆肥 General compost",
            "decision_rule": "simple",
            "verdict": "pass",
            "checks": [
                {
                    "parameter": "organic_matter_pct",
                    "kind": "min",
                    "limit": "60",
                    "unit": "%",
                    "value": "65.8",
                    "uncertainty": "2.1",
                    "status": "pass",
                    "reason": "",
                },
                {
                    "parameter": "total_nitrogen_pct",
                    "kind": "min",
                    "limit": "0.6",
                    "unit": "%",
                    "value": "1.92",
                    "uncertainty": "0.08",
                    "status": "pass",
                    "reason": "",
                },
                {
                    "parameter": "p2o5_pct",
                    "kind": "min",
                    "limit": "0.3",
                    "unit": "%",
                    "value": "1.45",
                    "uncertainty": "0.07",
                    "status": "pass",
                    "reason": "",
                },
                {
                    "parameter": "k2o_pct",
                    "kind": "min",
                    "limit": "0.3",
                    "unit": "%",
                    "value": "1.88",
                    "uncertainty": "0.09",
                    "status": "pass",
                    "reason": "",
                },
                {
                    "parameter": "cu",
                    "kind": "max",
                    "limit": "100",
                    "unit": "mg/kg",
                    "value": "62.0",
                    "uncertainty": "4.8",
                    "status": "pass",
                    "reason": "",
                },
                {
                    "parameter": "zn",
                    "kind": "max",
                    "limit": "800",
                    "unit": "mg/kg",
                    "value": "412",
                    "uncertainty": "28",
                    "status": "pass",
                    "reason": "",
                },
                {
                    "parameter": "moisture_pct",
                    "kind": "max",
                    "limit": "35",
                    "unit": "%",
                    "value": "32.0",
                    "uncertainty": "0.8",
                    "status": "pass",
                    "reason": "as received; not bagasse-based (limit 35 %)",
                },
                {
                    "parameter": "no_chemical_fertilizer",
                    "kind": "declaration",
                    "limit": "none added",
                    "unit": "",
                    "value": "none added",
                    "uncertainty": "",
                    "status": "pass",
                    "reason": "declared: no chemical fertilizer added",
                },
            ],
        },
        "entered_by": "Lin Technician (technician)",
        "verified_by": "Chen Reviewer",
        "verified_at": "2026-11-22 16:40 (UTC+8)",
    }


def make_dossier_ctx(number: str = "RG-2026-000001") -> dict:
    def ind(status="mature"):
        return [
            {"indicator": "germination", "value": "RG 95.8 %, RRG 91.3 %", "criterion": "≥ 90 %", "status": status},
            {"indicator": "cn_ratio", "value": "19.9", "criterion": "≤ 20", "status": "mature"},
        ]

    return {
        "lab": dict(LAB),
        "number": number,
        "issue_date": "2026-11-30",
        "verification_url": f"https://lims.example/verify/{number}/",
        "manufacturer": dict(MANUFACTURER),
        "product": {
            "name": "綠土一號堆肥 Green Soil No. 1",
            "category_key": "general_compost",
            "category_zh": "一般堆肥",
            "category_en": "General compost",
            "bagasse_based": False,
            "chemical_fertilizer_added": False,
            "raw_materials": [
                {"name": "牛糞 Cattle manure", "proportion_pct": "45"},
                {"name": "稻殼 Rice husk", "proportion_pct": "25"},
                {"name": "菇類廢棄太空包 Spent mushroom substrate", "proportion_pct": "20"},
                {"name": "米糠 Rice bran", "proportion_pct": "10"},
            ],
            "process": {"fermentation_days": "90", "peak_temperature_c": "68", "turnings": "12"},
        },
        "samples": [
            {
                "code": "S-2026-0417",
                "lot_number": "GS1-261102",
                "received_on": "2026-11-04",
                "verified_on": "2026-11-22",
            },
            {
                "code": "S-2026-0431",
                "lot_number": "GS1-261109",
                "received_on": "2026-11-11",
                "verified_on": "2026-11-25",
            },
        ],
        "declared": [
            {
                "parameter": "organic_matter_pct",
                "name_zh": "有機質",
                "name_en": "Organic matter",
                "declared": "60.0",
                "unit": "%",
                "measured": "65.8",
                "status": "pass",
            },
            {
                "parameter": "total_nitrogen_pct",
                "name_zh": "全氮",
                "name_en": "Total nitrogen",
                "declared": "1.5",
                "unit": "%",
                "measured": "1.92",
                "status": "pass",
            },
            {
                "parameter": "p2o5_pct",
                "name_zh": "全磷酐",
                "name_en": "Total P₂O₅",
                "declared": "1.5",
                "unit": "%",
                "measured": "1.45",
                "status": "fail",
            },
            {
                "parameter": "k2o_pct",
                "name_zh": "全氧化鉀",
                "name_en": "Total K₂O",
                "declared": "1.5",
                "unit": "%",
                "measured": "1.88",
                "status": "pass",
            },
        ],
        "maturity": [
            {"sample": "S-2026-0417", "rule_set": "tari_1999", "verdict": "mature", "indicators": ind()},
            {
                "sample": "S-2026-0431",
                "rule_set": "zucconi_gi",
                "verdict": "intermediate",
                "indicators": [
                    {
                        "indicator": "germination_index_pct",
                        "value": "72.4 %",
                        "criterion": "≥ 80 % mature; 50–80 % intermediate",
                        "status": "intermediate",
                    }
                ],
            },
        ],
        "metals": [
            {
                "parameter": "cu",
                "name_zh": "銅",
                "name_en": "Copper (Cu)",
                "value": "62.0",
                "qualifier": "",
                "limit": "100",
                "unit": "mg/kg",
                "status": "pass",
            },
            {
                "parameter": "zn",
                "name_zh": "鋅",
                "name_en": "Zinc (Zn)",
                "value": "412",
                "qualifier": "",
                "limit": "800",
                "unit": "mg/kg",
                "status": "pass",
            },
            {
                "parameter": "cd",
                "name_zh": "鎘",
                "name_en": "Cadmium (Cd)",
                "value": "0.5",
                "qualifier": "<",
                "limit": "5",
                "unit": "mg/kg",
                "status": "pass",
            },
            {
                "parameter": "pb",
                "name_zh": "鉛",
                "name_en": "Lead (Pb)",
                "value": "6.3",
                "qualifier": "",
                "limit": "150",
                "unit": "mg/kg",
                "status": "pass",
            },
            {
                "parameter": "ni",
                "name_zh": "鎳",
                "name_en": "Nickel (Ni)",
                "value": "27.5",
                "qualifier": "",
                "limit": "25",
                "unit": "mg/kg",
                "status": "fail",
            },
            {
                "parameter": "cr",
                "name_zh": "鉻",
                "name_en": "Chromium (Cr)",
                "value": "18.4",
                "qualifier": "",
                "limit": "150",
                "unit": "mg/kg",
                "status": "pass",
            },
            {
                "parameter": "hg",
                "name_zh": "汞",
                "name_en": "Mercury (Hg)",
                "value": "0.05",
                "qualifier": "<",
                "limit": "2",
                "unit": "mg/kg",
                "status": "pass",
            },
            {
                "parameter": "as",
                "name_zh": "砷",
                "name_en": "Arsenic (As)",
                "value": "46",
                "qualifier": "",
                "limit": "50",
                "unit": "mg/kg",
                "status": "conditional",
            },
            {
                "parameter": "co",
                "name_zh": "鈷",
                "name_en": "Cobalt (Co)",
                "value": "3.2",
                "qualifier": "",
                "limit": None,
                "unit": "mg/kg",
                "status": "",
            },
        ],
        "compliance": None,
        "chemical_fertilizer_declaration": {
            "declared_added": False,
            "text_zh": "本公司聲明：本產品係以有機質材料經醱酵腐熟製成，製造過程中未添加任何化學肥料。",
            "text_en": "We declare that this product is made from organic materials by fermentation and that "
            "no chemical fertilizer has been added during manufacture.",
        },
        "requested_by": "Lin Technician",
        "signature": {"name": "Chen Reviewer", "title": "Technical manager", "date": "2026-05-21"},
    }


# ---------------------------------------------------------------------------
@pytest.fixture
def cert_ctx():
    return make_certificate_ctx()


@pytest.fixture
def dossier_ctx():
    return make_dossier_ctx()


@pytest.fixture
def cert_pdf(cert_ctx):
    return render_certificate(cert_ctx)


def _text(pdf: bytes) -> list[str]:
    return [p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages]


def _fonts(pdf: bytes) -> set[str]:
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        res = page.get("/Resources") or {}
        fonts = res.get_object().get("/Font") or {}
        for ref in fonts.get_object().values():
            f = ref.get_object()
            names.add(str(f.get("/BaseFont")))
            for d in f.get("/DescendantFonts") or []:
                names.add(str(d.get_object().get("/BaseFont")))
    return names


# ---------------------------------------------------------------------------
def test_certificate_is_pdf_and_spans_pages(cert_pdf):
    assert cert_pdf.startswith(b"%PDF")
    assert len(PdfReader(io.BytesIO(cert_pdf)).pages) >= 2


def test_certificate_text_bilingual(cert_pdf, cert_ctx):
    pages = _text(cert_pdf)
    text = "\n".join(pages)
    for s in (
        "檢驗報告",
        "符合性證明",
        "Test Report and Certificate of Compliance",
        "CQ-2026-000001",
        "一般堆肥",
        "General compost",
        "合格",
        "PASS",
        "腐熟",
        "Mature",
        "乾基",
        "濕基",
        "本報告結果僅對受測樣品負責",
        "Results relate only to the item tested",
        "S-2026-0417",
        "GS1-261102",
        "2026-11-02",
        "2026-11-04",
        "tw-1997",
        "tari_1999",
        "Simple acceptance",
        "Lin Technician (technician)",
        "Chen Reviewer",
        "綠土有機肥料股份有限公司",
        "有機質",
        "Organic matter",
        "± 2.1",
        "< 0.5",
        "https://lims.example/verify/CQ-2026-000001/",
        "≥ 60",
        "≤ 800",
    ):
        assert s in text, s
    n = len(pages)
    for i, page in enumerate(pages, 1):
        assert f"Page {i} of {n}" in page
        assert f"第 {i} 頁" in page and f"共 {n} 頁" in page
        assert "CQ-2026-000001" in page  # number on every page


def test_certificate_subscripts_do_not_break_text(cert_pdf):
    text = "\n".join(_text(cert_pdf))
    assert "?" not in text.replace("?hidden?", "")  # no unrenderable glyph placeholder
    assert "P" in text and "O" in text


def test_supersedes_and_verdict_translations(cert_ctx):
    ctx = copy.deepcopy(cert_ctx)
    ctx.update(number="CQ-2026-000002", version=2, supersedes="CQ-2026-000001")
    ctx["compliance"]["verdict"] = "fail"
    ctx["compliance"]["decision_rule"] = "guarded"
    ctx["compliance"]["checks"][4].update(value="104", status="fail", reason="value − U > limit")
    ctx["compliance"]["checks"][5].update(status="conditional")
    ctx["maturity"]["verdict"] = "immature"
    text = "\n".join(_text(render_certificate(ctx)))
    for s in ("supersedes CQ-2026-000001", "不合格", "FAIL", "有條件/需判讀", "未腐熟", "Guarded acceptance"):
        assert s in text, s
    ctx["compliance"]["verdict"] = "incomplete"
    ctx["maturity"]["verdict"] = "intermediate"
    text = "\n".join(_text(render_certificate(ctx)))
    assert "資料不全" in text and "中度腐熟" in text


def test_missing_optional_keys_render_dash():
    pdf = render_certificate(
        {
            "number": "CQ-2026-000009",
            "verification_url": "https://x/verify/",
            "results": [],
            "maturity": None,
            "compliance": None,
        }
    )
    text = "\n".join(_text(pdf))
    assert "CQ-2026-000009" in text and "—" in text and "Page 1 of" in text


def test_markup_characters_are_escaped(cert_ctx):
    ctx = copy.deepcopy(cert_ctx)
    ctx["manufacturer"]["name"] = "A & B <Compost> Co."
    text = "\n".join(_text(render_certificate(ctx)))
    assert "A & B <Compost> Co." in text


def test_deterministic(cert_ctx, dossier_ctx):
    a = render_certificate(cert_ctx)
    b = render_certificate(copy.deepcopy(cert_ctx))
    assert hashlib.sha256(a).hexdigest() == hashlib.sha256(b).hexdigest()
    assert render_dossier(dossier_ctx) == render_dossier(copy.deepcopy(dossier_ctx))
    other = copy.deepcopy(cert_ctx)
    other["results"][0]["value"] = "31.9"
    assert render_certificate(other) != a


def _decode_qr(pdf: bytes) -> list[str]:
    pdftoppm, zbarimg = shutil.which("pdftoppm"), shutil.which("zbarimg")
    if not pdftoppm or not zbarimg:
        pytest.skip(f"QR decode needs pdftoppm and zbarimg (pdftoppm={pdftoppm}, zbarimg={zbarimg})")
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, "doc.pdf")
        with open(src, "wb") as fh:
            fh.write(pdf)
        subprocess.run(
            [pdftoppm, "-r", "200", "-f", "1", "-l", "1", "-png", src, os.path.join(d, "p")],
            check=True,
            capture_output=True,
        )
        png = sorted(f for f in os.listdir(d) if f.endswith(".png"))[0]
        out = subprocess.run(
            [zbarimg, "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", os.path.join(d, png)],
            capture_output=True,
            text=True,
        )
        return [line for line in out.stdout.splitlines() if line.strip()]


def test_certificate_qr_decodes_to_url(cert_pdf, cert_ctx):
    assert _decode_qr(cert_pdf) == [cert_ctx["verification_url"]]


def test_dossier_renders_with_chart(dossier_ctx):
    pdf = render_dossier(dossier_ctx)
    assert pdf.startswith(b"%PDF")
    pages = _text(pdf)
    text = " ".join(" ".join(pages).split())  # wrapped lines joined
    for s in (
        "肥料登記檢驗資料",
        "Fertilizer Registration Test Dossier",
        "RG-2026-000001",
        "牛糞",
        "Cattle manure",
        "Raw materials",
        "Fermentation",
        "68 °C",
        "Declared",
        "Measured",
        "不合格",
        "腐熟",
        "中度腐熟",
        "Heavy metals",
        "100 % = 限值 limit",
        "Measured value as % of limit",
        "110 %",
        "未添加化學肥料",
        "no chemical fertilizer",
        "Requested by",
        "Authorised signatory",
        "Lin Technician",
        "Chen Reviewer",
        "Technical manager",
        "End of report",
    ):
        assert s in text, s
    n = len(pages)
    for i, page in enumerate(pages, 1):
        assert f"Page {i} of {n}" in page
    assert _decode_qr(pdf) == [dossier_ctx["verification_url"]]


def test_dossier_without_metal_limits_or_maturity(dossier_ctx):
    ctx = copy.deepcopy(dossier_ctx)
    ctx["metals"] = [
        {
            "parameter": "co",
            "name_zh": "鈷",
            "name_en": "Cobalt",
            "value": "3",
            "qualifier": "",
            "limit": None,
            "unit": "mg/kg",
            "status": "",
        }
    ]
    ctx["maturity"] = []
    ctx["compliance"] = make_certificate_ctx()["compliance"]
    ctx["chemical_fertilizer_declaration"]["declared_added"] = True
    text = "\n".join(_text(render_dossier(ctx)))
    assert "有添加化學肥料" in text and "tw-1997" in text


def test_certificate_states_qc_estimated_uncertainty_and_qc_passed(cert_ctx):
    """Issue 11: a U estimated from QC is marked and explained; QC passed is stated only when it did."""
    ctx = copy.deepcopy(cert_ctx)
    text = "\n".join(_text(render_certificate(ctx)))
    assert "Nordtest" not in text and "Quality control of this sample" not in text
    ctx["results"][0].update(uncertainty="0.12", uncertainty_from_qc=True)
    ctx["qc_passed"] = True
    text = "\n".join(_text(render_certificate(ctx)))
    assert "± 0.12 *" in text
    assert "U estimated from the laboratory's quality-control data (Nordtest TR 537)" in text.replace("\n", " ")
    assert "Quality control of this sample's runs" in text.replace("\n", " ")
    ctx["qc_passed"] = False
    assert "Quality control of this sample" not in "\n".join(_text(render_certificate(ctx)))
