"""Issue 16 item 5: uploads have limits and bounded memory. A body over the limit is answered 413
before it is read (imports, chromatogram photos, the PDF box of /verify/); imports have a row limit,
an XLSX is checked for what it inflates to before it is opened, the report lists at most 200 problems
and counts them all; a chromatogram photo must be a real image within its size limit."""

import io
import zipfile

import pytest

pytestmark = pytest.mark.django_db

HEADER = "sample_code,parameter,value,unit,basis,qualifier,uncertainty\n"


def _csv(text, name="icp.csv"):
    f = io.BytesIO(text.encode())
    f.name = name
    return f


@pytest.fixture
def small_limits(settings):
    settings.LIMS_UPLOAD_MAX_BYTES = 1_000_000
    settings.LIMS_IMPORT_MAX_ROWS = 50
    settings.LIMS_IMPORT_MAX_INFLATED_BYTES = 2_000_000
    settings.LIMS_PHOTO_MAX_BYTES = 200_000
    return settings


def test_import_over_the_size_limit_is_413_before_reading(client_for, users, small_limits):
    body = HEADER + "S-2026-000001,cu,60,mg/kg,dry,,\n" * 40_000  # 1.3 MB
    r = client_for("technician").post("/api/v1/imports/", {"file": _csv(body)}, format="multipart")
    assert r.status_code == 413
    assert r.json()["code"] == "upload_too_large" and r.json()["limit_bytes"] == 1_000_000


def test_web_import_and_verify_box_over_the_limit_are_413(web, small_limits):
    from django.test import Client

    big = _csv("x" * 1_200_000, "big.csv")
    assert web("technician").post("/lab/import/", {"file": big}).status_code == 413
    big = _csv("%PDF" + "x" * 1_200_000, "c.pdf")
    r = Client().post("/verify/CQ-2026-000001/", {"pdf": big})
    assert r.status_code == 413 and "MB" in r.content.decode()


def test_import_row_limit(client_for, product_a, make_sample, small_limits):
    s = make_sample(product_a, "received")
    body = HEADER + "".join(f"{s.code},cu,{i},mg/kg,dry,,\n" for i in range(51))
    r = client_for("technician").post("/api/v1/imports/", {"file": _csv(body)}, format="multipart")
    assert r.status_code == 400
    assert r.json()["errors"][0]["column"] == "file" and "more than 50 data rows" in r.json()["errors"][0]["reason"]


def test_error_report_is_capped_at_200_with_a_count(client_for, product_a, make_sample, settings):
    s = make_sample(product_a, "received")
    body = HEADER + "".join(f"{s.code},zz{i},1,,,,\n" for i in range(300))
    r = client_for("technician").post("/api/v1/imports/", {"file": _csv(body)}, format="multipart")
    assert r.status_code == 400
    body = r.json()
    assert len(body["errors"]) == 200 and body["error_count"] == 300 and body["errors_shown"] == 200
    assert body["errors"][0]["row"] == 2


def test_xlsx_that_inflates_is_refused_unopened(client_for, product_a, make_sample, small_limits):
    import pandas as pd

    s = make_sample(product_a, "received")
    buf = io.BytesIO()
    pd.DataFrame([{"sample_code": s.code, "parameter": "cu", "value": "60"}]).to_excel(buf, index=False)
    with zipfile.ZipFile(buf, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/media/padding.bin", b"\0" * 5_000_000)  # 5 MB of zeros: a few kB compressed
    assert len(buf.getvalue()) < 100_000
    f = io.BytesIO(buf.getvalue())
    f.name = "bomb.xlsx"
    r = client_for("technician").post("/api/v1/imports/", {"file": f}, format="multipart")
    assert r.status_code == 400
    assert "inflates" in r.json()["errors"][0]["reason"]
    from maturity.models import Assay

    assert not Assay.objects.exists()


def _png(padding=0):
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (40, 40), (120, 60, 30)).save(buf, "PNG")
    buf.write(b"\0" * padding)
    buf.seek(0)
    buf.name = "paper.png"
    return buf


def _chromatogram(client_for, sample, photo):
    import json

    return client_for("technician").post(
        f"/api/v1/samples/{sample.pk}/assays/",
        {
            "method": "chromatogram",
            "photo": photo,
            "data": json.dumps({"protocol": "livestock_naoh", "edge": "serrated"}),
        },
        format="multipart",
    )


def test_photo_over_its_limit_is_refused(client_for, product_a, make_sample, small_limits):
    s = make_sample(product_a, "received")
    r = _chromatogram(client_for, s, _png(padding=300_000))
    assert r.status_code == 400 and "photo" in r.json()
    assert _chromatogram(client_for, s, _png()).status_code == 201


def test_web_photo_must_be_a_real_image(web, product_a, make_sample, users):
    from maturity.models import Assay

    s = make_sample(product_a, "received")
    fake = io.BytesIO(b"not an image at all")
    fake.name = "paper.png"
    r = web("technician", "en").post(
        f"/samples/{s.pk}/assays/new/chromatogram/", {"protocol": "livestock_naoh", "edge": "serrated", "photo": fake}
    )
    assert r.status_code == 200 and "not a readable image" in r.content.decode()
    assert not Assay.objects.filter(sample=s).exists()
