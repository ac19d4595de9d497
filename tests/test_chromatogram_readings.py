"""Issue 13, chromatogram photos through the API: proposal with confidence stored with the photo, accept or
correct (both kept, corrections counted), overlay, 'could not find a chromatogram', audit."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from lims.models import AuditEntry
from maturity.models import Assay, ChromatogramReading
from tests.unit.chromatogram_drawing import Drawing, draw, not_chromatograms

pytestmark = pytest.mark.django_db


@pytest.fixture
def sample(product_a, make_sample):
    return make_sample(product_a, "received")


def upload(content, name="paper.png"):
    return SimpleUploadedFile(name, content, content_type="image/png")


def read(client, sample, content, **extra):
    return client.post(
        f"/api/v1/samples/{sample.pk}/chromatogram-readings/", {"photo": upload(content), **extra}, format="multipart"
    )


def base(sample, rid):
    return f"/api/v1/samples/{sample.pk}/chromatogram-readings/{rid}/"


def test_read_propose_accept(client_for, sample):
    c = client_for("technician")
    d = Drawing(center="red_to_purple", middle_band="irregular", edge="serrated", rotation=20, lighting=0.4)
    r = read(c, sample, draw(d))
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["zones_proposed"] == d.zones and body["decision"] == "proposed"
    assert set(body["confidence"]) == {"center", "middle_band", "edge"} and 0.5 <= body["overall_confidence"] <= 1
    assert body["measures"]["outer_zone"]["spikes"] == 24 and "_profiles" not in body["measures"]
    png = c.get(body["overlay_url"])
    assert png.status_code == 200 and png["Content-Type"] == "image/png"
    assert b"".join(png.streaming_content).startswith(b"\x89PNG")
    assert not Assay.objects.filter(sample=sample).exists()  # nothing entered before the decision

    r = c.post(base(sample, body["id"]) + "decision/", {}, format="json")
    assert r.status_code == 201, r.content
    reading = ChromatogramReading.objects.get(pk=body["id"])
    assert reading.decision == "accepted" and reading.decided_zones == d.zones
    assay = reading.assay
    assert assay.method == "chromatogram" and assay.results["chromatogram_score"]["value"] == 3
    assert assay.photo.name == reading.photo.name
    ind = {i["indicator"]: i for i in c.get(f"/api/v1/samples/{sample.pk}/maturity/").json()["indicators"]}
    assert ind["chromatogram"]["status"] == "mature"
    again = c.post(base(sample, body["id"]) + "decision/", {}, format="json")
    assert again.status_code == 409
    actions = list(
        AuditEntry.objects.filter(entity="chromatogram_reading", entity_id=reading.pk).values_list("action", flat=True)
    )
    assert actions == ["create", "update"]


def test_correction_is_kept_counted_and_needs_a_reason(client_for, sample):
    c = client_for("technician")
    d = Drawing(center="white_to_pink", middle_band="ring", edge="smooth")
    rid = read(c, sample, draw(d)).json()["id"]
    r = c.post(base(sample, rid) + "decision/", {"edge": "serrated"}, format="json")
    assert r.status_code == 400 and r.json()["reason"] == ["A reason is required to correct the proposed reading."]
    assert r.json()["codes"] == {"reason": ["reason_required"]}
    assert not Assay.objects.filter(sample=sample).exists()
    r = c.post(
        base(sample, rid) + "decision/", {"edge": "serrated", "reason": "teeth visible under the loupe"}, format="json"
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["decision"] == "corrected" and body["zones_proposed"] == d.zones
    assert body["decided_zones"] == {**d.zones, "edge": "serrated"}
    assert (body["center_corrected"], body["middle_band_corrected"], body["edge_corrected"]) == (False, False, True)
    assert Assay.objects.get(pk=body["assay"]).results["chromatogram_score"]["value"] == 1
    entry = AuditEntry.objects.get(entity="chromatogram_reading", entity_id=rid, action="update")
    assert entry.reason == "teeth visible under the loupe"

    rid2 = read(c, sample, draw(Drawing())).json()["id"]
    c.post(base(sample, rid2) + "decision/", {}, format="json")
    read(c, sample, draw(Drawing(edge="smooth")))  # read, not decided yet
    stats = client_for("regulator").get("/api/v1/chromatogram-readings/statistics/").json()
    assert stats == {
        "read": 3,
        "decided": 2,
        "accepted": 1,
        "corrected": 1,
        "correction_rate": 0.5,
        "corrected_by_zone": {"center": 0, "middle_band": 0, "edge": 1},
    }


def test_bad_decision_codes_are_400(client_for, sample):
    c = client_for("technician")
    rid = read(c, sample, draw(Drawing())).json()["id"]
    r = c.post(base(sample, rid) + "decision/", {"center": "blue", "reason": "x"}, format="json")
    assert r.status_code == 400 and "center" in r.json()


@pytest.mark.parametrize("name", ["blank_paper", "random_noise", "white_rectangle", "text_page", "not_an_image"])
def test_not_a_chromatogram_stores_nothing(client_for, sample, name):
    r = read(client_for("technician"), sample, not_chromatograms()[name])
    assert r.status_code == 400
    messages = r.json()["photo"]
    if name != "not_an_image":  # DRF's ImageField refuses a non-image before the analysis sees it
        assert messages[0].startswith("Could not find a chromatogram in this picture: ")
    assert not ChromatogramReading.objects.exists()


def test_livestock_protocol_proposes_the_edge_only(client_for, sample):
    r = read(client_for("technician"), sample, draw(Drawing(edge="serrated")), protocol="livestock_naoh")
    assert r.status_code == 201 and r.json()["zones_proposed"] == {"edge": "serrated"}
    r = client_for("technician").post(base(sample, r.json()["id"]) + "decision/", {}, format="json")
    assert r.json()["decided_zones"] == {"edge": "serrated"}


@pytest.mark.parametrize("role,expected", [("reviewer", 403), ("manufacturer", 403), ("regulator", 403)])
def test_only_technicians_read_photos(client_for, sample, role, expected):
    assert read(client_for(role), sample, draw(Drawing())).status_code == expected


def test_oversized_photo_is_refused_before_decoding(client_for, sample, monkeypatch):
    from maturity import chromatogram_services

    monkeypatch.setattr(chromatogram_services, "MAX_PHOTO_PIXELS", 100_000)
    r = read(client_for("technician"), sample, draw(Drawing()))  # 480 × 384 = 184 320 px
    assert r.status_code == 400 and r.json()["photo"] == ["must be at most 100,000 pixels (this one: 480 × 384)"]
    assert r.json()["code"] == "photo_too_many_pixels"
    assert not ChromatogramReading.objects.exists()


@pytest.mark.parametrize(
    "code, measures, english, chinese",
    [
        ("no_paper", {}, "no round filter paper.", "沒有圓形濾紙。"),
        (
            "no_paper",
            {"paper_fraction": 0.0312, "circularity": 0.456},
            "no round filter paper (largest bright shape: 3 % of the picture, circularity 0.46).",
            "沒有圓形濾紙（最大的明亮形狀占照片的 3 %，圓度 0.46）。",
        ),
        (
            "no_pattern",
            {"pattern_angles": 0.5, "median_radius": 0.123},
            "the paper shows no radial pattern of zones (pattern on 50 % of the angles, median radius 0.12 R).",
            "濾紙上沒有放射狀的分區圖樣（圖樣出現於 50 % 的角度，半徑中位數 0.12 R）。",
        ),
        (
            "no_pattern",
            {"band_contrast_l": 3.25},
            "the paper shows no radial pattern of zones (no darker middle band: contrast 3.2 L*).",
            "濾紙上沒有放射狀的分區圖樣（沒有較暗的中間帶：對比 3.2 L*）。",
        ),
        (
            "unreadable_image",
            {"shorter_side_px": 40, "min_side_px": 48},
            "the file is not an image that can be read (40 px on its shorter side, at least 48 px needed).",
            "檔案不是可讀取的影像（短邊 40 px，至少需要 48 px）。",
        ),
    ],
)
def test_a_refusal_reads_with_its_figures_in_the_readers_language(code, measures, english, chinese):
    """The analysis's refusal (its code and the figures it measured) is shown in the page's language: no English
    tail from the image module in a Chinese message."""
    from django.utils import translation

    from maturity.chromatogram_image import ChromatogramNotFound
    from maturity.chromatogram_services import not_found_message

    message = not_found_message(ChromatogramNotFound(code, "English detail", **measures))
    assert message.code == "chromatogram_not_found" and message.params["reason"].code == code
    assert message.english() == f"Could not find a chromatogram in this picture: {english}"
    with translation.override("zh-hant"):
        assert str(message) == f"在此照片中找不到濾紙顯圖：{chinese}"


def test_every_set_of_figures_a_refusal_carries_has_its_detail():
    """Each keyword set the image module raises ChromatogramNotFound with is one NOT_FOUND_DETAILS reads."""
    import ast
    from pathlib import Path

    from maturity import chromatogram_image
    from maturity.chromatogram_services import NOT_FOUND_DETAILS

    tree = ast.parse(Path(chromatogram_image.__file__).read_text(encoding="utf-8"))
    raised = {
        frozenset(k.arg for k in node.keywords)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "ChromatogramNotFound"
    }
    assert len(raised) == 5 and frozenset() in raised
    assert raised - {frozenset()} == {frozenset(written) for _, written in NOT_FOUND_DETAILS}


def test_the_api_refusal_reads_in_chinese(client_for, sample):
    c = client_for("technician")
    c.credentials(HTTP_ACCEPT_LANGUAGE="zh-hant")
    r = read(c, sample, not_chromatograms()["white_rectangle"])
    assert r.status_code == 400
    (message,) = r.json()["photo"]
    assert message.startswith("在此照片中找不到濾紙顯圖：")
    assert "Could not" not in message and "picture" not in message
