"""Issue 17 item 7 (type): a certificate from the API prints category names, not keys, and
every font in it is embedded (the Latin face included)."""

import io

import pytest
from pypdf import PdfReader

from web.demo_results import enter_example_results, verify_sample

pytestmark = pytest.mark.django_db(transaction=True)


def test_certificate_prints_category_names_and_embeds_every_font(client_for, product_a, make_sample, users):
    s = make_sample(product_a, "received", "LOT-T1")
    enter_example_results(s, users["technician"])
    s = verify_sample(s, users["technician"], users["reviewer"])
    r = client_for("reviewer").post("/api/v1/certificates/", {"sample": s.pk}, format="json")
    assert r.status_code == 202, r.content
    dl = client_for("reviewer").get(f"/api/v1/certificates/{r.json()['id']}/download/")
    pdf = b"".join(dl.streaming_content)
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert product_a.category == "general_compost"
    assert "general_compost" not in text
    assert text.count("一般堆肥") >= 3  # party table, verdict box, statement of compliance
    for page in reader.pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            assert "/FontFile2" in font["/FontDescriptor"], font["/BaseFont"]
            assert "Helvetica" not in font["/BaseFont"]
