"""Issue 18 on the pages (server side; the browser behaviour is in tests/browser/test_workflow18.py):
retest of ticked assays, history toggle, re-issue form, document polling, public lookup."""

import re

import pytest

from web.demo_results import enter_example_results, verify_sample

pytestmark = pytest.mark.django_db(transaction=True)


def text(response):
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def verified(product_a, make_sample, users):
    s = make_sample(product_a, "received", "LOT-P1")
    enter_example_results(s, users["technician"])
    return verify_sample(s, users["technician"], users["reviewer"])


def test_review_page_retests_only_the_ticked_assay_and_folds_the_void_one(web, verified):
    c = web("reviewer")
    page = text(c.get(f"/review/samples/{verified.pk}/"))
    assert 'id="retest-form"' in page and 'name="assays"' in page and "data-confirm=" in page
    oc = verified.assays.get(method="organic_carbon_wet_oxidation")
    c.post(
        f"/samples/{verified.pk}/transition/",
        {
            "action": "retest",
            "reason": "OC duplicates disagree",
            "assays": [str(oc.pk)],
            "next": f"/review/samples/{verified.pk}/",
        },
    )
    statuses = dict(verified.assays.values_list("method", "status"))
    assert statuses.pop("organic_carbon_wet_oxidation") == "invalidated"
    assert set(statuses.values()) == {"verified"}
    page = text(c.get(f"/review/samples/{verified.pk}/"))
    history = page[page.index('id="assay-history"') :]
    assert f'data-assay="{oc.pk}"' in history  # the void assay is inside the toggle ...
    assert f'data-assay="{oc.pk}"' not in page[: page.index('id="assay-history"')]  # ... and not before it
    assert "1 項已作廢" in page or "1 void" in page
    sample_page = text(web("technician").get(f"/samples/{verified.pk}/"))
    assert 'id="assay-history"' in sample_page


def test_issue_form_asks_for_a_reason_when_required_results_are_missing(
    web, product_a, make_sample, users, django_capture_on_commit_callbacks
):
    from maturity.assays import assay_enter

    s = make_sample(product_a, "received", "LOT-P2")
    assay_enter(
        actor=users["technician"],
        sample=s,
        method="direct",
        data={"values": {"cu": {"value": 20, "unit": "mg/kg", "basis": "dry"}}},
    )
    verify_sample(s, users["technician"], users["reviewer"])
    c = web("reviewer", "en")
    page = text(c.get(f"/review/samples/{s.pk}/"))
    assert 'id="missing-required"' in page and "Total P₂O₅" in page and 'name="issue_anyway_reason"' in page
    assert "Issue anyway" in page
    r = c.post(f"/review/samples/{s.pk}/certificate/", {"decision_rule": "simple"}, follow=True)
    assert "Required results are missing" in text(r)
    s.refresh_from_db()
    assert s.status == "verified"
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(
            f"/review/samples/{s.pk}/certificate/",
            {"decision_rule": "simple", "issue_anyway_reason": "metals only, on request"},
        )
    doc = s.certificates.get()
    assert doc.context["issue_anyway"]["reason"] == "metals only, on request"


def test_reissue_from_the_document_page(web, verified, users, django_capture_on_commit_callbacks):
    from certificates import services as cert_services

    with django_capture_on_commit_callbacks(execute=True):
        doc = cert_services.certificate_request(actor=users["reviewer"], sample=verified)
    c = web("reviewer")
    page = text(c.get(f"/documents/{doc.pk}/"))
    assert 'id="reissue-form"' not in page and "data-confirm=" in page  # supersede / revoke ask first
    cert_services.document_revoke(actor=users["reviewer"], document=doc, reason="wrong lot printed")
    page = text(c.get(f"/documents/{doc.pk}/"))
    assert 'id="reissue-form"' in page
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(f"/documents/{doc.pk}/reissue/", {"reason": "lot corrected"}, follow=True)
    new = verified.certificates.exclude(pk=doc.pk).get()
    assert new.version == 2 and new.supersedes_id == doc.pk and new.validity == "valid"
    assert new.number in text(r)
    assert 'id="reissue-form"' not in text(c.get(f"/documents/{doc.pk}/"))  # once only


def test_document_page_polls_while_rendering(web, verified, users):
    from certificates import services as cert_services
    from certificates.models import Document

    doc = cert_services.certificate_request(actor=users["reviewer"], sample=verified)
    Document.objects.filter(pk=doc.pk).update(status="queued")  # as while the worker is busy
    c = web("reviewer")
    page = text(c.get(f"/documents/{doc.pk}/"))
    assert f'data-poll="/documents/{doc.pk}/?format=json"' in page
    body = c.get(f"/documents/{doc.pk}/", {"format": "json"}).json()
    assert body["status"] == "queued" and body["finished"] is False


@pytest.mark.parametrize("typed", ["cq-2026-000001", " CQ-2026-000001 ", "Cq-2026-000001"])
def test_public_lookup_ignores_case_and_spaces(client, verified, users, typed, django_capture_on_commit_callbacks):
    from certificates import services as cert_services

    with django_capture_on_commit_callbacks(execute=True):
        doc = cert_services.certificate_request(actor=users["reviewer"], sample=verified)
    assert doc.number == "CQ-2026-000001" or doc.number.startswith("CQ-")
    form = client.get("/verify/")
    assert form.status_code == 200 and 'id="verify-lookup"' in text(form)
    r = client.get("/verify/", {"number": typed.replace("2026", doc.number[3:7])})
    assert r.status_code == 302 and r["Location"] == f"/verify/{doc.number}/"
    # number and verification code typed together: the redirect keeps the code
    r = client.get("/verify/", {"number": typed.replace("2026", doc.number[3:7]), "code": doc.verification_code})
    assert r.status_code == 302 and r["Location"] == f"/verify/{doc.number}/?code={doc.verification_code}"
    # the status is shown only with the document's verification code
    r = client.get(f"/verify/{doc.number.lower()}/", {"code": doc.verification_code}, follow=True)
    assert r.status_code == 200 and 'data-answer="valid"' in text(r)


def test_public_answers_in_plain_words(client, verified, users, django_capture_on_commit_callbacks):
    # without a code nothing is answered about the number (it may or may not exist)
    r = client.get("/verify/CQ-2099-000777/", HTTP_ACCEPT_LANGUAGE="en")
    page = text(r)
    assert r.status_code == 200 and "data-answer=" not in page and "We found no certificate" not in page
    assert 'id="verify-code-form"' in page
    # with a code that matches nothing: plain words, the same for an unknown number and a wrong code
    r = client.get("/verify/CQ-2099-000777/", {"code": "AAAA-BBBB-CCCC"}, HTTP_ACCEPT_LANGUAGE="en")
    page = text(r)
    assert r.status_code == 404 and 'data-answer="unknown"' in page and "We found no certificate" in page
    assert 'id="verify-lookup"' in page  # try again right there
    from certificates import services as cert_services

    with django_capture_on_commit_callbacks(execute=True):
        doc = cert_services.certificate_request(actor=users["reviewer"], sample=verified)
    doc.refresh_from_db()
    pdf = doc.pdf.open("rb").read()
    cert_services.document_revoke(actor=users["reviewer"], document=doc, reason="wrong lot printed")
    import io

    upload = io.BytesIO(pdf)
    upload.name = "c.pdf"
    r = client.post(f"/verify/{doc.number}/", {"pdf": upload, "code": doc.verification_code}, HTTP_ACCEPT_LANGUAGE="en")
    page = text(r)
    answer = page[page.index('id="compare-answer"') :]
    assert "identical" in answer and "revoked" in answer  # the compare box repeats the status
    zh = text(client.get(f"/verify/{doc.number}/", {"code": doc.verification_code}, HTTP_ACCEPT_LANGUAGE="zh-hant"))
    assert "已撤銷" in zh
    wrong = text(client.get(f"/verify/{doc.number}/", {"code": "AAAA-BBBB-CCCC"}, HTTP_ACCEPT_LANGUAGE="zh-hant"))
    assert "查無編號" in wrong and "已撤銷" not in wrong


@pytest.mark.parametrize("lang,needle", [("zh-hant", "不可為未來日期"), ("en", "cannot be in the future")])
def test_sample_page_refuses_a_future_sampling_date_like_the_api(web, product_a, lang, needle):
    import datetime

    from django.utils import timezone

    from lims.models import Sample

    future = timezone.localdate() + datetime.timedelta(days=49)
    c = web("manufacturer", lang)
    r = c.post("/samples/new/", {"product": product_a.pk, "lot_number": "L-F", "sampled_on": future.isoformat()})
    assert r.status_code == 200 and needle in text(r)
    assert not Sample.objects.exists()
    page = text(c.get("/samples/new/"))
    assert f'max="{timezone.localdate().isoformat()}"' in page
    r = c.post(
        "/samples/new/", {"product": product_a.pk, "lot_number": "L-F", "sampled_on": timezone.localdate().isoformat()}
    )
    assert r.status_code == 302 and Sample.objects.count() == 1


def test_import_page_refuses_a_double_import_and_reimports_on_confirmation(web, product_a, make_sample):
    import io

    from maturity.models import Assay

    s1 = make_sample(product_a, "received", "LOT-PI")
    body = f"sample_code,parameter,value,unit,basis\n{s1.code},cu,60,mg/kg,dry\n".encode()

    def upload(**extra):
        f = io.BytesIO(body)
        f.name = "icp.csv"
        return c.post("/lab/import/", {"file": f, **extra})

    c = web("technician", "en")
    page = text(upload(check_only="on"))
    assert 'id="import-checked"' in page and Assay.objects.count() == 0
    upload()
    assert Assay.objects.count() == 1
    page = text(upload())
    assert 'id="import-duplicate"' in page and "icp.csv" in page and Assay.objects.count() == 1
    sha = re.search(r'name="pending" value="([0-9a-f]{64})"', page).group(1)
    page = text(c.post("/lab/import/", {"pending": sha, "pending_name": "icp.csv"}))
    assert 'id="import-done"' in page and Assay.objects.count() == 2
    zh = text(web("technician").get("/lab/import/"))
    assert "只檢查" in zh


def test_refused_uploads_kept_for_confirmation_do_not_pile_up(web, product_a, make_sample, settings, tmp_path):
    """The file refused as a double import is kept for its confirmation: deleted once confirmed, and deleted
    unconfirmed after a day (the next refusal sweeps the folder)."""
    import io
    import os
    import time

    from web.views.lab import PENDING_MAX_AGE

    settings.MEDIA_ROOT = tmp_path
    s1 = make_sample(product_a, "received", "LOT-PP")
    c = web("technician", "en")

    def upload(value):
        f = io.BytesIO(f"sample_code,parameter,value,unit,basis\n{s1.code},cu,{value},mg/kg,dry\n".encode())
        f.name = "icp.csv"
        return text(c.post("/lab/import/", {"file": f}))

    upload(60)
    assert 'id="import-duplicate"' in upload(60)
    folder = tmp_path / "import-pending"
    (first,) = folder.iterdir()
    stale = time.time() - PENDING_MAX_AGE - 60
    os.utime(first, (stale, stale))  # a day old, never confirmed
    upload(61)
    assert 'id="import-duplicate"' in upload(61)
    (second,) = folder.iterdir()  # the stale one was swept, the new one kept
    assert second != first
    sha = second.name.split("-", 1)[1]
    page = text(c.post("/lab/import/", {"pending": sha, "pending_name": "icp.csv"}))
    assert 'id="import-done"' in page and not any(folder.iterdir())


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_import_template_downloads_with_the_right_headers(web, users, fmt):
    import io

    import pandas as pd

    from maturity.importing import COLUMNS

    r = web("technician").get("/lab/import/template/", {"format": fmt})
    assert r.status_code == 200
    df = (
        pd.read_excel(io.BytesIO(r.content))
        if fmt == "xlsx"
        else pd.read_csv(io.BytesIO(r.content), encoding="utf-8-sig")
    )
    assert list(df.columns) == COLUMNS
    assert web("manufacturer").get("/lab/import/template/").status_code == 403


# --------------------------------------------------------------------------- one language at a time


def test_regulator_export_speaks_one_language_with_rounded_numbers(web, verified):
    import csv
    import io

    from lims.models import LabSettings

    def rows(lang):
        r = web("regulator", lang).get("/regulator/export/", {"format": "csv"})  # streamed
        return list(csv.DictReader(io.StringIO(b"".join(r.streaming_content).decode("utf-8-sig"))))

    zh = rows("zh-hant")
    assert zh and "樣品編號" in zh[0] and "符合性判定" in zh[0] and "有機碳 (%)" in zh[0]
    assert zh[0]["肥料品目"] == "一般堆肥" and zh[0]["狀態"] == "已確認" and "general_compost" not in str(zh)
    from maturity.formatting import fmt

    raw = web("regulator").get("/api/v1/regulator/samples/export/", {"format": "csv"})
    raw = list(csv.DictReader(io.StringIO(b"".join(raw.streaming_content).decode("utf-8-sig"))))[
        0
    ]  # the API keeps full precision
    assert zh[0]["有機碳 (%)"] == fmt(float(raw["organic_carbon_pct"]))  # rounded as on the certificate
    en = rows("en")
    assert en[0]["Sample code"] == verified.code and en[0]["Fertilizer category"] == "General compost"
    lab = LabSettings.current()
    lab.export_language = "en"  # the lab's choice of headers wins over the page's language
    lab.save()
    assert "Sample code" in rows("zh-hant")[0]


def test_admin_speaks_chinese(web, verified):
    c = web("lab_admin")
    page = text(c.get("/admin/lims/auditentry/"))
    assert "transition:receive" not in page and "收樣" in page and "稽核紀錄" in page
    page = text(c.get("/admin/lims/user/"))
    assert "Get full name" not in page and "姓名" in page
    page = text(c.get("/admin/lims/labsettings/1/change/"))
    assert "校正因子" in page and "Wet-oxidation recovery factor" not in page and "簡單接受" in page
    from maturity.models import StandardEdition

    edition = StandardEdition.objects.get(code="tw-1997")
    page = text(c.get(f"/admin/maturity/standardedition/{edition.pk}/change/"))
    assert "Requirement object" not in page and "規格要求" in page and "general_compost · cu max 100" in page
    page = text(c.get("/admin/lims/sample/"))
    assert "已確認" in page and ">verified<" not in page
    page = text(c.get("/admin/"))
    for english in ("Audit entries", "Lab settings", "Standard editions", "Assays"):
        assert english not in page, english


# --------------------------------------------------------------------------- fewer clicks: lists


def test_sample_list_sorts_by_its_headers(web, product_a, make_sample):
    a = make_sample(product_a, "registered", "LOT-B")
    b = make_sample(product_a, "registered", "LOT-A")
    c = web("technician")
    page = text(c.get("/samples/", {"sort": "lot"}))
    assert page.index(b.code) < page.index(a.code) and 'href="?sort=-lot"' in page
    page = text(c.get("/samples/", {"sort": "-lot"}))
    assert page.index(a.code) < page.index(b.code)
    assert c.get("/samples/", {"sort": "no_such_column"}).status_code == 200  # unknown: default order


def test_bulk_receive_is_all_or_nothing_and_bulk_verify(web, product_a, make_sample, users):
    from web.demo_results import enter_example_results

    r1, r2 = make_sample(product_a, "registered", "BR-1"), make_sample(product_a, "registered", "BR-2")
    done = make_sample(product_a, "received", "BR-3")
    c = web("technician")
    page = text(c.get("/samples/"))
    assert 'data-bulk="receive"' in page and 'data-bulk="submit"' in page and 'data-bulk="verify"' not in page
    r = c.post("/samples/bulk/", {"action": "receive", "samples": [r1.pk, done.pk]}, follow=True)
    assert done.code in text(r)  # named, with its reason
    r1.refresh_from_db()
    assert r1.status == "registered"  # nothing changed
    c.post("/samples/bulk/", {"action": "receive", "samples": [r1.pk, r2.pk]})
    r1.refresh_from_db(), r2.refresh_from_db()
    assert (r1.status, r2.status) == ("received", "received")
    for s in (r1, r2):
        enter_example_results(s, users["technician"])
    c.post("/samples/bulk/", {"action": "submit", "samples": [r1.pk, r2.pk]})
    rev = web("reviewer")
    assert rev.post("/samples/bulk/", {"action": "receive", "samples": [r1.pk]}).status_code == 302
    rev.post("/samples/bulk/", {"action": "verify", "samples": [r1.pk, r2.pk]})
    r1.refresh_from_db(), r2.refresh_from_db()
    assert (r1.status, r2.status) == ("verified", "verified")
    labels = text(c.get("/samples/labels/", {"samples": [r1.pk, r2.pk]}))
    assert labels.count('class="label"') == 2 and r1.code in labels and r2.code in labels
    assert web("manufacturer").get("/samples/labels/", {"samples": [r1.pk]}).status_code == 403


def test_batch_pdfs_as_one_zip(web, product_a, make_sample, users, django_capture_on_commit_callbacks):
    import io
    import zipfile

    from certificates import services as cert_services

    samples = []
    for lot in ("Z-1", "Z-2"):
        s = make_sample(product_a, "received", lot)
        from web.demo_results import enter_example_results

        enter_example_results(s, users["technician"])
        samples.append(verify_sample(s, users["technician"], users["reviewer"]))
    with django_capture_on_commit_callbacks(execute=True):
        batch = cert_services.certificates_batch_request(actor=users["reviewer"], samples=samples)
    c = web("reviewer")
    assert 'id="batch-zip"' in text(c.get(f"/review/batch/{batch.pk}/"))
    r = c.get(f"/review/batch/{batch.pk}/pdfs.zip")
    names = zipfile.ZipFile(io.BytesIO(r.content)).namelist()
    assert sorted(names) == sorted(f"{d.number}.pdf" for d in batch.documents.all())
    assert all(zipfile.ZipFile(io.BytesIO(r.content)).read(n).startswith(b"%PDF") for n in names)
    assert web("technician").get(f"/review/batch/{batch.pk}/pdfs.zip").status_code == 403


def test_import_source_line_in_the_page_language(web, product_a, make_sample, users):
    from maturity.assays import results_import

    s = make_sample(product_a, "received", "LOT-SRC")
    results_import(
        actor=users["technician"],
        filename="icp.csv",
        content=f"sample_code,parameter,value,unit,basis\n{s.code},cu,60,mg/kg,dry\n".encode(),
    )
    page = text(web("technician").get(f"/samples/{s.pk}/"))
    assert "匯入自 icp.csv，第 2–2 列" in page and "import:icp.csv" not in page
    assert "imported from icp.csv, rows 2–2" in text(web("technician", "en").get(f"/samples/{s.pk}/"))


def test_document_list_sorts_by_its_headers(web, verified, users):
    from certificates import services as cert_services

    doc = cert_services.certificate_request(actor=users["reviewer"], sample=verified)
    c = web("reviewer")
    for sort in ("number", "-number", "sample", "-validity", "nonsense"):
        r = c.get("/documents/", {"sort": sort})
        assert r.status_code == 200 and doc.number in text(r)
    assert 'data-sort="issued"' in text(c.get("/documents/"))


def test_batch_issue_with_missing_results_names_them_and_takes_a_reason(
    web, product_a, make_sample, users, django_capture_on_commit_callbacks
):
    from maturity.assays import assay_enter

    s = make_sample(product_a, "received", "LOT-BM")
    assay_enter(
        actor=users["technician"],
        sample=s,
        method="direct",
        data={"values": {"cu": {"value": 20, "unit": "mg/kg", "basis": "dry"}}},
    )
    verify_sample(s, users["technician"], users["reviewer"])
    c = web("reviewer", "en")
    r = c.post("/review/batch/", {"samples": [s.pk], "decision_rule": "simple"}, follow=True)
    assert "Required results are missing" in text(r) and s.code in text(r) and not s.certificates.exists()
    with django_capture_on_commit_callbacks(execute=True):
        c.post("/review/batch/", {"samples": [s.pk], "decision_rule": "simple", "issue_anyway_reason": "metals only"})
    assert s.certificates.get().context["issue_anyway"]["reason"] == "metals only"
