"""Certificates and dossiers of a sample from a composting batch carry the batch evidence (chart and table)."""

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from web.demo_results import enter_example_results, verify_sample

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def composting_data(db):
    """Transactional tests flush the database, migration data included: load the bundled criteria again."""
    from composting.services import load_bundled_data

    load_bundled_data()


@pytest.fixture
def sample_from_batch(users, org_a, product_a, make_sample):
    from composting import services

    tz = dt.timezone(dt.timedelta(hours=8))
    batch = services.batch_create(
        actor=users["manufacturer"],
        manufacturer=org_a,
        name="Pile 12",
        method="windrow",
        started_on=dt.date(2026, 1, 1),
        ended_on=dt.date(2026, 3, 15),
    )
    t0 = dt.datetime(2026, 1, 1, tzinfo=tz)
    rows = [
        (t0 + dt.timedelta(hours=i), p, 58 + (i % 24) / 4 - (1 if p == "edge" else 0))
        for i in range(24 * 20)
        for p in ("core", "edge")
    ]
    services.readings_add(actor=users["manufacturer"], batch=batch, rows=rows)
    for d in (1, 4, 7, 10, 13, 16):
        services.turning_add(actor=users["manufacturer"], batch=batch, at=t0 + dt.timedelta(days=d, hours=9))
    s = make_sample(product_a, "received", "LOT-B")
    services.sample_link(actor=users["manufacturer"], sample=s, batch=batch)
    enter_example_results(s, users["technician"])
    return verify_sample(s, users["technician"], users["reviewer"])


def pdf_of(client, kind, doc_id):
    r = client.get(f"/api/v1/{kind}/{doc_id}/download/")
    return b"".join(r.streaming_content)


def text_of(pdf):
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)


def test_certificate_and_dossier_show_batch_evidence(client_for, sample_from_batch, product_a, tmp_path):
    from certificates.models import Document

    r = client_for("reviewer").post("/api/v1/certificates/", {"sample": sample_from_batch.pk}, format="json")
    assert r.status_code == 202
    doc = Document.objects.get(pk=r.json()["id"])
    ev = doc.context["batch_evidence"]
    assert len(ev) == 1 and ev[0]["batch"] == "Pile 12" and len(ev[0]["governing"]) == 480
    status = {c["key"]: c["status"] for c in ev[0]["criteria"]}
    assert status["us_epa_pfrp"] == "met" and status["tari_comprehensive"] == "not_shown"
    text = text_of(pdf_of(client_for("manufacturer"), "certificates", doc.pk))
    for needle in (
        "Composting batch evidence: Pile 12",
        "堆肥批次證據",
        "US EPA PFRP",
        "達成",
        "not shown",
        "inactivated",
    ):
        assert needle in text, needle
    (tmp_path / "c.pdf").write_bytes(pdf_of(client_for("manufacturer"), "certificates", doc.pk))
    r = client_for("manufacturer").post(
        "/api/v1/registrations/",
        {"product": product_a.pk, "samples": [sample_from_batch.pk], "declared": {"total_nitrogen_pct": 0.1}},
        format="json",
    )
    assert r.status_code == 202, r.content
    if r.json()["status"] == "awaiting_signature":  # dossiers signed by a reviewer before they are rendered
        assert client_for("reviewer").post(f"/api/v1/registrations/{r.json()['id']}/sign/").status_code == 202
    text = text_of(pdf_of(client_for("manufacturer"), "registrations", r.json()["id"]))
    assert "Composting batch evidence: Pile 12" in text


def test_certificate_without_batch_has_no_evidence(client_for, users, product_a, make_sample):
    from certificates.models import Document

    s = make_sample(product_a, "received")
    enter_example_results(s, users["technician"])
    s = verify_sample(s, users["technician"], users["reviewer"])
    r = client_for("reviewer").post("/api/v1/certificates/", {"sample": s.pk}, format="json")
    doc = Document.objects.get(pk=r.json()["id"])
    assert doc.context["batch_evidence"] == []
    assert "Composting batch evidence" not in text_of(pdf_of(client_for("manufacturer"), "certificates", doc.pk))
