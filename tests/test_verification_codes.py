"""Issue 16 item 10: certificates cannot be enumerated.

The QR code and URL carry an unguessable verification code, printed beside the number; without the
right code /verify/ reveals nothing but a form asking for it; wrong codes are rate-limited; old URLs
without a code keep working through that form."""

import io
import re

import pytest
from django.core.cache import cache
from django.test import Client
from pypdf import PdfReader

from certificates.models import Document
from web.demo_results import enter_example_results, verify_sample

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def cert(client_for, product_a, make_sample, users):
    s = make_sample(product_a, "received", "LOT-C1")
    enter_example_results(s, users["technician"])
    verify_sample(s, users["technician"], users["reviewer"])
    r = client_for("reviewer").post("/api/v1/certificates/", {"sample": s.pk}, format="json")
    assert r.status_code == 202
    return client_for("reviewer").get(f"/api/v1/certificates/{r.json()['id']}/").json()


def html(r):
    return r.content.decode()


def test_codes_are_random_and_well_formed():
    from certificates.models import CODE_ALPHABET, new_verification_code, normalise_code

    codes = {new_verification_code() for _ in range(2000)}
    assert len(codes) == 2000
    for c in list(codes)[:50]:
        parts = c.split("-")
        assert [len(p) for p in parts] == [4, 4, 4] and all(ch in CODE_ALPHABET for ch in "".join(parts))
    assert normalise_code(" 7kq2 m9xd-4twb ") == "7KQ2-M9XD-4TWB"
    assert normalise_code("o1l0-IIII-0000") == "0110-1111-0000"


def test_qr_url_and_pdf_carry_the_code_beside_the_number(client_for, cert):
    code = cert["verification_code"]
    assert cert["verification_url"].endswith(f"/verify/{cert['number']}/?code={code}")
    r = client_for("manufacturer").get(f"/api/v1/certificates/{cert['id']}/download/")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(b"".join(r.streaming_content))).pages)
    assert cert["number"] in text and code in text and "Verification code" in text


def test_without_the_code_the_page_reveals_nothing_and_asks_for_it(client, cert):
    doc = Document.objects.get(pk=cert["id"])
    page = client.get(f"/verify/{cert['number']}/", HTTP_ACCEPT_LANGUAGE="en")
    missing = client.get("/verify/CQ-2026-999999/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == missing.status_code == 200
    body = html(page)
    assert 'id="verify-code-form"' in body and "verification code" in body
    for secret in [doc.product.name, doc.product.manufacturer.name, "Valid", doc.sha256, cert["verification_code"]]:
        assert secret not in body, secret

    # a number that exists and one that does not look the same
    def same(text):
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)

    assert same(body.replace(cert["number"], "N")) == same(html(missing).replace("CQ-2026-999999", "N"))


def test_wrong_code_reveals_nothing_and_right_code_shows_the_status(client, cert):
    wrong = client.get(f"/verify/{cert['number']}/?code=AAAA-BBBB-CCCC", HTTP_ACCEPT_LANGUAGE="en")
    assert wrong.status_code == 404 and "Valid" not in html(wrong) and 'id="verify-wrong"' in html(wrong)
    typed = cert["verification_code"].lower().replace("-", " ")
    right = client.get(f"/verify/{cert['number']}/", {"code": typed}, HTTP_ACCEPT_LANGUAGE="en")
    assert right.status_code == 200 and "Valid" in html(right) and cert["sha256"] in html(right)
    # the PDF compare box needs the code too
    pdf = b"%PDF-not-it"
    r = client.post(f"/verify/{cert['number']}/", {"pdf": io.BytesIO(pdf)}, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200 and "does NOT match" not in html(r) and "Valid" not in html(r)


def test_guesses_are_rate_limited_per_address(client, cert, settings):
    limit = settings.LIMS_VERIFY_GUESS_LIMIT
    for i in range(limit):
        r = client.get(f"/verify/CQ-2026-{i:06d}/?code=AAAA-BBBB-{i:04d}")
        assert r.status_code == 404
    r = client.get(f"/verify/{cert['number']}/?code={cert['verification_code']}", HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 429 and int(r["Retry-After"]) > 0 and "Valid" not in html(r)
    # a forged X-Forwarded-For from an untrusted peer does not reset the count
    r = client.get(f"/verify/{cert['number']}/?code={cert['verification_code']}", HTTP_X_FORWARDED_FOR="192.0.2.1")
    assert r.status_code == 429
    # another address is not blocked
    other = Client(REMOTE_ADDR="198.51.100.4", HTTP_ACCEPT_LANGUAGE="en")
    r = other.get(f"/verify/{cert['number']}/?code={cert['verification_code']}")
    assert r.status_code == 200 and "Valid" in html(r)


def test_old_url_without_code_works_through_the_form(client, cert):
    """A certificate printed before codes: its QR link has no code; the form asks, the owner has it."""
    page = client.get(f"/verify/{cert['number']}/", HTTP_ACCEPT_LANGUAGE="en")
    assert 'name="code"' in html(page) and 'method="get"' in html(page)
    r = client.get(f"/verify/{cert['number']}/", {"code": cert["verification_code"]}, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200 and "Valid" in html(r)


def test_owner_and_lab_see_the_code_other_tenants_do_not(client_for, web, cert):
    assert client_for("manufacturer").get(f"/api/v1/certificates/{cert['id']}/").json()["verification_code"]
    assert client_for("manufacturer_b").get(f"/api/v1/certificates/{cert['id']}/").status_code == 404
    page = web("manufacturer", "en").get(f"/documents/{cert['id']}/")
    assert cert["verification_code"] in html(page) and f"?code={cert['verification_code']}" in html(page)


def test_superseded_page_links_the_new_number_without_its_code(client, client_for, cert, users):
    from lims.models import Sample

    s = Sample.objects.get(code=cert["sample_code"])
    rev = client_for("reviewer")
    rev.post(f"/api/v1/samples/{s.pk}/transitions/", {"action": "retest", "reason": "Cu re-digested"}, format="json")
    enter_example_results(s, users["technician"])
    verify_sample(s, users["technician"], users["reviewer2"])
    new = rev.post(f"/api/v1/certificates/{cert['id']}/supersede/", {"reason": "retest"}, format="json").json()
    r = client.get(f"/verify/{cert['number']}/", {"code": cert["verification_code"]}, HTTP_ACCEPT_LANGUAGE="en")
    assert "Superseded" in html(r) and new["number"] in html(r) and new["verification_code"] not in html(r)
