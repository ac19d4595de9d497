"""Issue 17 items 2–5: certificate and dossier content (ISO/IEC 17025 §7.8, registration rules)."""

import io
import os
import shutil
import subprocess

import pytest
from pypdf import PdfReader

from lims.models import LabSettings, Sample, User
from web.demo import load_demo

pytestmark = pytest.mark.django_db(transaction=True)


def pdf_text(data):
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def flat(text):
    return " ".join(text.split())


def download(client, doc_id, kind="certificates"):
    r = client.get(f"/api/v1/{kind}/{doc_id}/download/")
    return r, b"".join(r.streaming_content) if r.status_code == 200 else b""


def _png(pdf, name):
    """Keep the PDF and page images for a person to look at (LIMS_SCREENSHOT_DIR)."""
    out = os.environ.get("LIMS_SCREENSHOT_DIR")
    if not out:
        return
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, f"{name}.pdf")
    with open(path, "wb") as f:
        f.write(pdf)
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "70", path, os.path.join(out, name)], check=True)


@pytest.fixture
def demo(db, client_for, users):
    from maturity.services import load_bundled_standards

    load_bundled_standards()
    load_demo(password="pw-demo-1")
    return {u.username: u for u in User.objects.filter(username__in=["reviewer", "manufacturer", "technician"])}


def _api(user):
    from rest_framework.test import APIClient

    c = APIClient()
    c.credentials(HTTP_ACCEPT_LANGUAGE="en")
    c.force_authenticate(user)
    return c


# ---------------------------------------------------------------- §7.8.2.1 from the demo


def test_demo_certificate_and_dossier_carry_every_iso17025_item(demo):
    rev, maker = _api(demo["reviewer"]), _api(demo["manufacturer"])
    sample = Sample.objects.get(status="verified")
    r = rev.post("/api/v1/certificates/", {"sample": sample.pk}, format="json")
    assert r.status_code == 202, r.content
    cert_id = r.json()["id"]
    _, pdf = download(rev, cert_id)
    _png(pdf, "certificate")
    text = flat(pdf_text(pdf))
    lab = LabSettings.current()
    items = {
        "a title": "Test Report and Certificate of Compliance",
        "b lab name": lab.name_en,
        "b lab address": "189 Zhongzheng Rd.",
        "b telephone": lab.telephone,
        "b location of activities": "Location of activities",
        "c unique identification": r.json()["number"],
        "c page x of y": "Page 1 of",
        "c end of report": "End of report",
        "d customer": "Green Source Organic Fertilizer Co.",
        "e method": "LAB-MT-01",
        "e method title": "Aqua regia digestion, ICP-OES",
        "f item": sample.code,
        "f condition on receipt": "sealed bag, intact",
        "g date of receipt": str(sample.received_on),
        "h dates of performance": "Dates of performance",
        "i date of issue": "Issue date",
        "j sampling statement": "Sampling was not performed by the laboratory",
        "k only the item tested": "Results relate only to the item tested",
        "l results with units": "mg/kg",
        "m deviations": "Deviations and remarks",
        "n authorised signatory": "Authorised signatory",
        "n name": "Chen",
        "n title": "technical manager",
        "o results from external providers legend": "external provider",
        "customer data marked": "supplied by the customer",
        "test conditions": "25 Chinese cabbage seeds per dish",
        "pH/EC ratio": "compost : water = 1 : 5",
        "decision rule": "Decision rule",
        "declared by the customer": "Declared by the customer",
        "category name": "General compost",
    }
    missing = {k: v for k, v in items.items() if v not in text}
    assert not missing, missing
    assert "general_compost" not in text  # names, not keys
    assert "Instrumental analysis" not in text

    d = maker.post(
        "/api/v1/registrations/",
        {"product": sample.product_id, "samples": [sample.pk], "declared": {"total_nitrogen_pct": 0.6}},
        format="json",
    )
    assert d.status_code == 202, d.content
    assert d.json()["status"] == "awaiting_signature"
    assert download(maker, d.json()["id"], "registrations")[0].status_code == 409
    assert rev.post(f"/api/v1/registrations/{d.json()['id']}/sign/").status_code == 202
    r, pdf = download(maker, d.json()["id"], "registrations")
    assert r.status_code == 200
    _png(pdf, "dossier")
    text = flat(pdf_text(pdf))
    for needle in [
        "Fertilizer Registration Test Dossier",
        lab.telephone,
        "189 Zhongzheng Rd.",
        sample.code,
        "Authorised signatory",
        "Chen",
        "technical manager",
        "End of report",
        "the lowest of the samples",
        "Fertilizer description",
        "Art. 15",
        "Art. 16",
        "Art. 10",
        "Results relate only to the items tested",
        "Page 1 of",
    ]:
        assert needle in text, needle
