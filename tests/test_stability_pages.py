"""Issue 13 on the pages: stability entry forms with live preview, and the maturity page with a rule-set choice."""

import re

import pytest

from maturity.assays import assay_enter
from maturity.models import Assay

pytestmark = pytest.mark.django_db


def text(r):
    return re.sub(r"\s+", " ", r.content.decode())


@pytest.fixture
def received(product_a, make_sample):
    return make_sample(product_a, "received")


@pytest.mark.parametrize(
    "method,fields",
    [
        ("co2_evolution", ["co2_c_mg", "dry_mass_g", "organic_matter_pct", "days"]),
        ("solvita", ["co2_colour", "nh3_colour"]),
        ("mineral_nitrogen", ["nh4_n_mg_kg", "no3_n_mg_kg"]),
        ("dewar", ["ambient_temperature_c", "max_temperature_c"]),
    ],
)
def test_entry_form_has_the_raw_fields(web, received, method, fields):
    r = web("technician").get(f"/samples/{received.pk}/assays/new/{method}/")
    assert r.status_code == 200
    for f in fields:
        assert f'name="{f}"' in text(r), f
    assert f'data-method="{method}"' in text(web("technician").get(f"/samples/{received.pk}/"))


def test_preview_of_respirometry_and_its_errors(web, received):
    c = web("technician", "en")
    out = c.post(
        f"/samples/{received.pk}/assays/preview/",
        {"_method": "co2_evolution", "co2_c_mg": "30", "dry_mass_g": "10", "organic_matter_pct": "50", "days": "3"},
    ).json()
    res = {x["parameter"]: x for x in out["results"]}
    assert res["co2_c_mg_per_g_om_day"]["value"] == "2.000" and out["errors"] == {}
    out = c.post(
        f"/samples/{received.pk}/assays/preview/",
        {"_method": "mineral_nitrogen", "nh4_n_mg_kg": "100", "no3_n_mg_kg": "0"},
    ).json()
    assert "NO₃-N is zero, so the NH₄-N : NO₃-N ratio is undefined." in out["flags"]
    out = c.post(f"/samples/{received.pk}/assays/preview/", {"_method": "solvita", "co2_colour": "9"}).json()
    assert out["errors"] == {"co2_colour": ["must be ≤ 8"]}
    out = (
        web("technician")
        .post(f"/samples/{received.pk}/assays/preview/", {"_method": "solvita", "co2_colour": "9"})
        .json()
    )
    assert out["errors"] == {"co2_colour": ["必須 ≤ 8"]}
    assert not Assay.objects.filter(sample=received).exists()


def test_entry_saves_the_assay(web, received):
    r = web("technician").post(
        f"/samples/{received.pk}/assays/new/dewar/", {"ambient_temperature_c": "20", "max_temperature_c": "28"}
    )
    assert r.status_code == 302
    assert Assay.objects.get(sample=received).results["dewar_rise_c"]["value"] == pytest.approx(8.0)


def test_maturity_page_explains_ccqc_and_switches_rule_set(web, received, users):
    t = users["technician"]
    assay_enter(actor=t, sample=received, method="organic_carbon_combustion", data={"organic_carbon_pct": 40})
    assay_enter(actor=t, sample=received, method="direct", data={"values": {"total_nitrogen_pct": {"value": 2}}})
    assay_enter(actor=t, sample=received, method="solvita", data={"co2_colour": 6, "nh3_colour": 5})
    r = web("technician", "en").get(f"/maturity/samples/{received.pk}/")
    page = text(r)
    assert r.status_code == 200 and 'data-rule-set="ccqc_2001"' in page
    assert 'data-verdict="mature"' in page
    assert 'data-group="A">Group A (stability): Mature' in page
    assert "6 meets ≥ 5: mature." in page and "C/N 20.00 meets the gate ≤ 25." in page
    page = text(web("technician").get(f"/maturity/samples/{received.pk}/?rule_set=ccqc_2001"))
    assert "加州堆肥品質委員會" in page and "完全腐熟" in page
    page = text(web("technician", "en").get(f"/maturity/samples/{received.pk}/?rule_set=tari_1999"))
    assert 'data-rule-set="tari_1999"' in page and 'data-verdict="incomplete"' in page
    r = web("technician", "en").get(f"/maturity/samples/{received.pk}/?rule_set=nope")
    assert r.status_code == 400 and "Unknown rule set nope." in text(r)
    assert f"/maturity/samples/{received.pk}/?rule_set=ccqc_2001" in text(
        web("technician").get(f"/samples/{received.pk}/")
    )


def test_maturity_page_respects_visibility(web, received):
    assert web("manufacturer_b").get(f"/maturity/samples/{received.pk}/").status_code == 404
    page = text(web("manufacturer", "en").get(f"/maturity/samples/{received.pk}/"))
    assert "releases results and verdicts once they are verified" in page and "maturity-result" not in page


# --------------------------------------------------------------------------- chromatogram photo pages


def test_upload_photo_see_proposal_with_overlay_and_accept(web, received):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from maturity.models import ChromatogramReading
    from tests.unit.chromatogram_drawing import Drawing, draw

    c = web("technician", "en")
    assert 'id="chromatogram-photo"' in text(c.get(f"/samples/{received.pk}/"))
    d = Drawing(center="red_to_purple", middle_band="ring", edge="serrated", offset=(0.08, 0.0), paper_radius=0.38)
    r = c.post(
        f"/maturity/samples/{received.pk}/chromatogram/",
        {"protocol": "tari_agno3", "photo": SimpleUploadedFile("p.png", draw(d), "image/png")},
    )
    assert r.status_code == 302
    reading = ChromatogramReading.objects.get(sample=received)
    page = text(c.get(r["Location"]))
    assert f'src="/maturity/chromatogram/{reading.pk}/overlay.png"' in page
    assert 'data-zone="center" data-proposed="red_to_purple"' in page and "red to purple (mature)" in page
    assert 'data-zone="middle_band" data-proposed="ring"' in page
    assert 'data-zone="edge" data-proposed="serrated"' in page
    png = c.get(f"/maturity/chromatogram/{reading.pk}/overlay.png")
    assert png.status_code == 200 and b"".join(png.streaming_content).startswith(b"\x89PNG")
    r = c.post(
        f"/maturity/chromatogram/{reading.pk}/",
        {"center": "red_to_purple", "middle_band": "ring", "edge": "serrated", "reason": ""},
    )
    assert r.status_code == 302
    reading.refresh_from_db()
    assert reading.decision == "accepted" and reading.assay.results["chromatogram_score"]["value"] == 2
    page = text(c.get(f"/maturity/chromatogram/{reading.pk}/"))
    assert 'data-decision="accepted"' in page and 'id="decide"' not in page


def test_correction_on_the_page_needs_a_reason(web, received):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from maturity.models import ChromatogramReading
    from tests.unit.chromatogram_drawing import Drawing, draw

    c = web("technician")
    c.post(
        f"/maturity/samples/{received.pk}/chromatogram/",
        {"photo": SimpleUploadedFile("p.png", draw(Drawing(edge="smooth")), "image/png")},
    )
    reading = ChromatogramReading.objects.get(sample=received)
    r = c.post(
        f"/maturity/chromatogram/{reading.pk}/",
        {"center": "red_to_purple", "middle_band": "irregular", "edge": "serrated"},
    )
    assert r.status_code == 400 and "更正建議的判讀需要理由。" in text(r)
    r = c.post(
        f"/maturity/chromatogram/{reading.pk}/",
        {"center": "red_to_purple", "middle_band": "irregular", "edge": "serrated", "reason": "teeth seen"},
    )
    assert r.status_code == 302
    reading.refresh_from_db()
    assert reading.decision == "corrected" and reading.edge_corrected and not reading.center_corrected


def test_not_a_chromatogram_on_the_page(web, received):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from maturity.models import ChromatogramReading
    from tests.unit.chromatogram_drawing import not_chromatograms

    r = web("technician", "en").post(
        f"/maturity/samples/{received.pk}/chromatogram/",
        {"photo": SimpleUploadedFile("p.png", not_chromatograms()["blank_paper"], "image/png")},
    )
    assert r.status_code == 400
    page = text(r)
    reason = "the paper shows no radial pattern of zones"
    assert f"Could not find a chromatogram in this picture: {reason} (pattern on " in page
    r = web("technician").post(
        f"/maturity/samples/{received.pk}/chromatogram/",
        {"photo": SimpleUploadedFile("p.png", not_chromatograms()["white_rectangle"], "image/png")},
    )
    assert "找不到濾紙顯圖" in text(r) and "largest bright shape" not in text(r)
    assert not ChromatogramReading.objects.exists()


def test_chromatogram_pages_roles(web, received):
    assert web("manufacturer").get(f"/maturity/samples/{received.pk}/chromatogram/").status_code == 403
    assert web("reviewer").get(f"/maturity/samples/{received.pk}/chromatogram/").status_code == 403
    assert web("technician").get(f"/maturity/samples/{received.pk}/chromatogram/").status_code == 200


def test_reviewer_issues_a_certificate_under_ccqc_2001(
    web, product_a, make_sample, users, django_capture_on_commit_callbacks
):
    from web.demo_results import enter_example_results, verify_sample

    s = make_sample(product_a, "received", "LOT-RS")
    enter_example_results(s, users["technician"])
    verify_sample(s, users["technician"], users["reviewer"])
    c = web("reviewer")
    page = text(c.get(f"/review/samples/{s.pk}/"))
    assert 'name="rule_set"' in page and '<option value="ccqc_2001">' in page
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(f"/review/samples/{s.pk}/certificate/", {"decision_rule": "simple", "rule_set": "ccqc_2001"})
    assert r.status_code == 302
    assert s.certificates.get().context["maturity"]["rule_set"] == "ccqc_2001"


def test_maturity_page_shows_an_input_error_in_the_readers_language(web, received, monkeypatch):
    """An InputError of the engine (its messages are lims.messages.Message) is shown as text, not a server error."""
    from lims.messages import Message, gettext_noop
    from maturity.errors import InputError

    def refuse(*args, **kwargs):
        raise InputError({"standard": [Message("x", gettext_noop("must not be negative"))]})

    monkeypatch.setattr("maturity.selectors.sample_maturity_verdict", refuse)
    r = web("technician").get(f"/maturity/samples/{received.pk}/?rule_set=ccqc_2001")
    assert r.status_code == 200 and "不得為負值" in text(r)
