"""Issue 5: certificates and dossiers, lifecycle, access, verification page,
PDF content (text extraction, Chinese, QR), numbering."""

import hashlib
import io
import shutil
import subprocess

import pytest
from pypdf import PdfReader

from tests.conftest import require_service
from web.demo_results import enter_example_results, verify_sample

# transaction=True: render tasks are sent on commit, as in production (they run inline here)
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def verified(product_a, make_sample, users):
    s = make_sample(product_a, "received", "LOT-V1")
    enter_example_results(s, users["technician"])
    return verify_sample(s, users["technician"], users["reviewer"])


def issue(client_for, sample):
    return client_for("reviewer").post("/api/v1/certificates/", {"sample": sample.pk}, format="json")


def vpath(doc):
    """The verification page of a document as printed in its QR code (path and ?code=)."""
    url = doc["verification_url"]
    return url[url.index("/verify/") :]


def pdf_text(data):
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def download(client, doc_id, kind="certificates"):
    r = client.get(f"/api/v1/{kind}/{doc_id}/download/")
    return r, b"".join(r.streaming_content) if r.status_code == 200 else b""


def test_issue_certificate_end_to_end(client_for, verified):
    r = issue(client_for, verified)
    assert r.status_code == 202, r.content
    body = r.json()
    assert body["number"].startswith("CQ-") and body["number"].endswith("-000001")
    # tasks run inline in tests (eager); a real worker is proven in test_certificate_worker.py
    doc = client_for("reviewer").get(f"/api/v1/certificates/{body['id']}/").json()
    assert doc["status"] == "ready" and len(doc["sha256"]) == 64 and doc["download_url"]
    verified.refresh_from_db()
    assert verified.status == "certified"
    r, pdf = download(client_for("manufacturer"), body["id"])
    assert r.status_code == 200 and pdf.startswith(b"%PDF")
    assert hashlib.sha256(pdf).hexdigest() == doc["sha256"]
    text = pdf_text(pdf)
    for needle in [
        "檢驗報告",
        "一般堆肥",
        body["number"],
        verified.code,
        "LOT-V1",
        "tw-1997",
        "合格",
        "Results relate only to the item tested",
        "tech",
        "rev",
    ]:
        assert needle in text, needle


@pytest.mark.parametrize(
    "role,expected",
    [
        ("technician", 200),
        ("reviewer", 200),
        ("lab_admin", 200),
        ("regulator", 200),
        ("manufacturer", 200),
        ("manufacturer_b", 404),
    ],
)
def test_download_access(client_for, verified, role, expected):
    doc_id = issue(client_for, verified).json()["id"]
    r, _ = download(client_for(role), doc_id)
    assert r.status_code == expected


@pytest.mark.parametrize("role", ["technician", "manufacturer", "regulator", "lab_admin"])
def test_only_reviewers_issue(client_for, verified, role):
    r = client_for(role).post("/api/v1/certificates/", {"sample": verified.pk}, format="json")
    assert r.status_code == 403


def test_cannot_issue_for_unverified_sample_or_twice(client_for, verified, product_a, make_sample):
    s = make_sample(product_a, "received")
    assert issue(client_for, s).status_code == 409
    assert issue(client_for, verified).status_code == 202
    r = issue(client_for, verified)
    assert r.status_code == 409


def test_retest_reissue_supersedes_and_verification_page(client, client_for, verified, users):
    first = issue(client_for, verified).json()
    rev = client_for("reviewer")
    page = client.get(vpath(first))
    assert page.status_code == 200 and "Valid" in page.content.decode() or "有效" in page.content.decode()
    # retest, new result, re-verify, supersede
    r = rev.post(
        f"/api/v1/samples/{verified.pk}/transitions/", {"action": "retest", "reason": "Cu re-digested"}, format="json"
    )
    assert r.status_code == 200, r.content
    enter_example_results(verified, users["technician"])
    verify_sample(verified, users["technician"], users["reviewer2"])
    assert rev.post(f"/api/v1/certificates/{first['id']}/supersede/", {}, format="json").status_code == 400
    r = rev.post(f"/api/v1/certificates/{first['id']}/supersede/", {"reason": "retest of Cu"}, format="json")
    assert r.status_code == 202, r.content
    second = r.json()
    assert second["version"] == 2 and second["supersedes"] == first["number"]
    old = rev.get(f"/api/v1/certificates/{first['id']}/").json()
    assert old["validity"] == "superseded" and old["superseded_by"] == second["number"]
    html = client.get(vpath(first), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert second["number"] in html and "Superseded" in html
    _, pdf = download(rev, second["id"])
    assert first["number"] in pdf_text(pdf)
    # revoke with reason
    assert rev.post(f"/api/v1/certificates/{second['id']}/revoke/", {}, format="json").status_code == 400
    r = rev.post(f"/api/v1/certificates/{second['id']}/revoke/", {"reason": "lab error in Zn"}, format="json")
    assert r.status_code == 200 and r.json()["validity"] == "revoked"
    html = client.get(vpath(second), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Revoked" in html and "lab error in Zn" in html
    # technicians cannot revoke or supersede
    assert (
        client_for("technician")
        .post(f"/api/v1/certificates/{second['id']}/revoke/", {"reason": "x"}, format="json")
        .status_code
        == 403
    )


def test_verification_page_exposes_nothing_else_and_checks_uploaded_pdf(client, client_for, verified):
    first = issue(client_for, verified).json()
    first = client_for("reviewer").get(f"/api/v1/certificates/{first['id']}/").json()
    html = client.get(vpath(first), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert first["sha256"] in html and verified.product.name in html
    assert "88.2" not in html and verified.lot_number not in html  # no results, no lot
    _, pdf = download(client_for("reviewer"), first["id"])
    ok = client.post(vpath(first), {"pdf": io.BytesIO(pdf)}, HTTP_ACCEPT_LANGUAGE="en")
    assert "identical" in ok.content.decode()
    bad = client.post(vpath(first), {"pdf": io.BytesIO(pdf + b"%tampered")}, HTTP_ACCEPT_LANGUAGE="en")
    assert "does NOT match" in bad.content.decode()
    assert client.get("/verify/CQ-1999-999999/?code=AAAA-BBBB-CCCC").status_code == 404


def test_render_twice_is_idempotent(client_for, verified):
    from certificates.models import Document
    from certificates.tasks import render_document

    doc_id = issue(client_for, verified).json()["id"]
    d1 = Document.objects.get(pk=doc_id)
    Document.objects.filter(pk=doc_id).update(status="rendering")  # as if the first worker died after writing
    render_document.apply(args=[doc_id])
    render_document.apply(args=[doc_id])
    d2 = Document.objects.get(pk=doc_id)
    assert d2.sha256 == d1.sha256 and d2.number == d1.number and d2.pdf.name == d1.pdf.name
    import os

    folder = os.path.dirname(d2.pdf.path)
    assert [f for f in os.listdir(folder) if f.startswith(d2.number)] == [f"{d2.number}.pdf"]
    assert Document.objects.count() == 1


def test_outbox_keeps_request_when_broker_is_down(client_for, verified, monkeypatch):
    from certificates import services
    from certificates.models import Document
    from certificates.tasks import render_document

    def broker_down(*a, **kw):
        raise ConnectionRefusedError("broker unreachable")

    monkeypatch.setattr(render_document, "apply_async", broker_down)
    r = issue(client_for, verified)
    assert r.status_code == 202
    doc = Document.objects.get(pk=r.json()["id"])
    assert doc.status == "queued" and doc.dispatched_at is None and doc.number.endswith("-000001")
    monkeypatch.undo()  # the broker is back
    sent = services.relay_outbox()
    assert sent == [doc.pk]
    doc.refresh_from_db()
    assert doc.status == "ready" and doc.dispatched_at is not None


def test_batch_issue_with_progress(client_for, product_a, make_sample, users):
    samples = []
    for i in range(3):
        s = make_sample(product_a, "received", f"B{i}")
        enter_example_results(s, users["technician"])
        samples.append(verify_sample(s, users["technician"], users["reviewer"]))
    rev = client_for("reviewer")
    bad = rev.post(
        "/api/v1/certificates/batch/", {"samples": [samples[0].pk, make_sample(product_a).pk]}, format="json"
    )
    assert bad.status_code == 400
    from certificates.models import Document

    assert Document.objects.count() == 0
    r = rev.post("/api/v1/certificates/batch/", {"samples": [s.pk for s in samples]}, format="json")
    assert r.status_code == 202, r.content
    progress = rev.get(f"/api/v1/certificates/batches/{r.json()['id']}/").json()
    assert progress["total"] == 3 and progress["ready"] == 3 and progress["progress_pct"] == 100.0
    numbers = sorted(Document.objects.values_list("number", flat=True))
    assert [n[-6:] for n in numbers] == ["000001", "000002", "000003"]


def test_registration_dossier(client_for, verified, product_a):
    m = client_for("manufacturer")
    r = m.post(
        "/api/v1/registrations/",
        {"product": product_a.pk, "samples": [verified.pk], "declared": {"total_nitrogen_pct": 2.0, "k2o_pct": 1.5}},
        format="json",
    )
    assert r.status_code == 202, r.content
    assert r.json()["status"] == "awaiting_signature"  # issued only once a reviewer signs it
    assert client_for("reviewer").post(f"/api/v1/registrations/{r.json()['id']}/sign/").status_code == 202
    doc = m.get(f"/api/v1/registrations/{r.json()['id']}/").json()
    assert doc["number"].startswith("RG-") and doc["status"] == "ready"
    _, pdf = download(m, doc["id"], "registrations")
    text = pdf_text(pdf)
    assert "肥料登記檢驗資料" in text and doc["number"] in text and "cattle manure" in text
    from certificates.models import Document

    ctx = Document.objects.get(pk=doc["id"]).context
    declared = {d["parameter"]: d["status"] for d in ctx["declared"]}
    assert declared == {"total_nitrogen_pct": "pass", "k2o_pct": "fail"}  # measured 2.52 % N, 1.2 % K2O
    bad = m.post(
        "/api/v1/registrations/",
        {"product": product_a.pk, "samples": [verified.pk], "declared": {"cu": 5}},
        format="json",
    )
    assert bad.status_code == 400 and "declared" in bad.json()
    other = client_for("manufacturer_b").post(
        "/api/v1/registrations/", {"product": product_a.pk, "samples": [verified.pk]}, format="json"
    )
    assert other.status_code == 400  # another manufacturer's product does not exist for them


def test_qr_code_decodes_to_verification_url(client_for, verified, tmp_path):
    require_service(
        shutil.which("zbarimg") and shutil.which("pdftoppm"),
        "zbarimg (zbar-tools) and pdftoppm (poppler-utils) are needed to decode the QR code",
    )
    doc = issue(client_for, verified).json()
    _, pdf = download(client_for("reviewer"), doc["id"])
    (tmp_path / "c.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "200", "-png", "-f", "1", "-l", "1", str(tmp_path / "c.pdf"), str(tmp_path / "p")],
        check=True,
    )
    png = sorted(tmp_path.glob("p*.png"))[0]
    out = subprocess.run(["zbarimg", "--raw", "-q", str(png)], capture_output=True, text=True).stdout.strip()
    assert out == doc["verification_url"]
    assert out.endswith(f"/verify/{doc['number']}/?code={doc['verification_code']}")
