"""The server-rendered pages through Django's test client: roles, login
throttling, 403, manufacturer isolation, live preview, entry, import,
review, certificates, portal, pre-check, regulator, i18n."""

import datetime
import re
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client

from lims import services
from maturity.models import Assay
from web.demo_results import enter_example_results, verify_sample

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hant"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
GERMINATION = {
    "_method": "germination",
    "protocol": "tari_cabbage",
    "control.0.sown": "25",
    "control.0.germinated": "24",
    "control.0.mean_root_length_mm": "20",
    "control.1.sown": "25",
    "control.1.germinated": "25",
    "control.1.mean_root_length_mm": "22",
    "sample.0.sown": "25",
    "sample.0.germinated": "23",
    "sample.0.mean_root_length_mm": "19",
    "sample.1.sown": "25",
    "sample.1.germinated": "22",
    "sample.1.mean_root_length_mm": "18.5",
}


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def verified(product_a, make_sample, users):
    s = make_sample(product_a, "in_testing", lot="V-1")
    enter_example_results(s, users["technician"])
    return verify_sample(s, users["technician"], users["reviewer"])


def text(response):
    return response.content.decode()


# --------------------------------------------------------------------------- login, logout, 403


def test_login_page_is_chinese_by_default_and_english_on_request(client):
    assert "登入" in text(client.get("/accounts/login/"))
    assert "Log in" in text(client.get("/accounts/login/", **EN))


@pytest.mark.parametrize(
    "role,start",
    [
        ("technician", "/lab/"),
        ("lab_admin", "/lab/"),
        ("reviewer", "/review/"),
        ("manufacturer", "/portal/"),
        ("regulator", "/regulator/"),
    ],
)
def test_login_lands_on_the_role_start_page(client, users, standards, role, start):
    username = users[role].username
    r = client.post("/accounts/login/", {"username": username, "password": "pw-" + username}, follow=True)
    assert r.redirect_chain[-1][0] == start
    assert r.status_code == 200


def test_logout_and_password_change(web, users):
    c = web("technician")
    r = c.post(
        "/accounts/password/",
        {"old_password": "pw-tech", "new_password1": "Compost-2026-strong", "new_password2": "Compost-2026-strong"},
        follow=True,
    )
    assert "密碼已變更" in text(r)
    users["technician"].refresh_from_db()
    assert users["technician"].check_password("Compost-2026-strong")
    r = c.post("/accounts/logout/", follow=True)
    assert r.redirect_chain[-1][0].startswith("/accounts/login/")
    assert c.get("/lab/").status_code == 302


def test_login_locks_the_account_after_repeated_failures(client, users):
    from lims import lockout

    for _ in range(lockout.failure_limit()):
        r = client.post("/accounts/login/", {"username": "tech", "password": "wrong"})
        assert r.status_code in (200, 429)
    r = client.post("/accounts/login/", {"username": "tech", "password": "pw-tech"})
    assert r.status_code == 429 and int(r["Retry-After"]) > 0
    assert "鎖定" in text(r) and "_auth_user_id" not in client.session
    # the account, from any address; another account from the same address is not locked
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert other.post("/accounts/login/", {"username": "tech", "password": "pw-tech"}).status_code == 429
    assert Client().post("/accounts/login/", {"username": "rev", "password": "pw-rev"}).status_code == 302
    # in English too, and the lock lifts when a lab admin lifts it
    r = Client().post("/accounts/login/", {"username": "tech", "password": "pw-tech"}, **EN)
    assert r.status_code == 429 and "Too many failed log-in attempts" in text(r)
    lockout.lift(actor=users["lab_admin"], username="tech", reason="called the technician")
    assert Client().post("/accounts/login/", {"username": "tech", "password": "pw-tech"}).status_code == 302


def test_failed_login_counts_down_before_locking(client, users):
    from lims import lockout

    for _ in range(lockout.failure_limit() - 2):
        client.post("/accounts/login/", {"username": "tech", "password": "wrong"})
    r = client.post("/accounts/login/", {"username": "tech", "password": "wrong"})
    assert "再失敗 1 次" in text(r)


@pytest.mark.parametrize(
    "role,url",
    [
        ("technician", "/portal/"),
        ("technician", "/review/"),
        ("manufacturer", "/lab/"),
        ("regulator", "/lab/import/"),
        ("reviewer", "/portal/"),
        ("manufacturer", "/regulator/"),
    ],
)
def test_wrong_role_gets_a_clear_403_page(web, standards, role, url):
    r = web(role).get(url)
    assert r.status_code == 403
    assert "您無權開啟此頁面" in text(r) and "回到我的首頁" in text(r)


def test_anonymous_is_sent_to_login(client):
    r = client.get("/samples/")
    assert r.status_code == 302 and r["Location"].startswith("/accounts/login/")


def test_regulator_cannot_change_anything(web, product_a, make_sample):
    s = make_sample(product_a, "registered")
    r = web("regulator").post(f"/samples/{s.pk}/transition/", {"action": "receive"}, follow=True)
    assert r.status_code == 200 and "不可執行" in text(r)
    s.refresh_from_db()
    assert s.status == "registered"
    assert web("regulator").post(f"/samples/{s.pk}/assays/preview/", {"_method": "moisture"}).status_code == 403


# --------------------------------------------------------------------------- isolation


def test_manufacturer_sees_only_its_own_samples_and_documents(web, product_a, product_b, make_sample):
    mine, theirs = make_sample(product_a), make_sample(product_b)
    c = web("manufacturer")
    listing = text(c.get("/samples/"))
    assert mine.code in listing and theirs.code not in listing
    assert c.get(f"/samples/{theirs.pk}/").status_code == 404
    assert c.get(f"/samples/{theirs.pk}/label/").status_code == 404
    assert c.get(f"/products/{product_b.pk}/").status_code == 404
    assert theirs.code not in text(c.get("/portal/"))


def test_manufacturer_sees_verdicts_only_once_verified(web, product_a, make_sample, users, verified):
    pending = make_sample(product_a, "in_testing", lot="P-1")
    enter_example_results(pending, users["technician"])
    c = web("manufacturer")
    assert "第二人確認後才會公布" in text(c.get(f"/samples/{pending.pk}/"))
    page = text(c.get(f"/samples/{verified.pk}/"))
    assert 'id="maturity"' in page and 'id="compliance"' in page


# --------------------------------------------------------------------------- technician


def test_worklist_shows_receipts_and_pending_assays(web, product_a, make_sample):
    waiting, received = make_sample(product_a, "registered", lot="W"), make_sample(product_a, "received", lot="R")
    page = text(web("technician").get("/lab/"))
    assert waiting.code in page and received.code in page and "待檢驗" in page


def test_receipt_by_scanned_code_then_label_with_qr(web, product_a, make_sample):
    s = make_sample(product_a, "registered")
    c = web("technician")
    r = c.post("/lab/receive/", {"code": s.code.lower()}, follow=True)
    assert r.redirect_chain[-1][0] == f"/samples/{s.pk}/label/"
    s.refresh_from_db()
    assert s.status == "received"
    assert "<svg" in text(r) and s.code in text(r)
    r = c.post("/lab/receive/", {"code": "S-1999-999999"})
    assert "查無樣品編號" in text(r)
    r = c.post("/lab/receive/", {"code": s.code})
    assert "不可執行" in text(r)  # already received: the service's rule, in Chinese


def test_register_sample_page(web, product_a):
    c = web("manufacturer")
    r = c.post(
        "/samples/new/", {"product": product_a.pk, "lot_number": "NEW-1", "sampled_on": "2026-11-02"}, follow=True
    )
    assert r.status_code == 200 and "NEW-1" in text(r) and "已登記" in text(r)


def test_preview_computes_the_germination_index_without_storing(web, product_a, make_sample):
    s = make_sample(product_a, "received")
    r = web("technician").post(f"/samples/{s.pk}/assays/preview/", GERMINATION)
    assert r.status_code == 200
    out = r.json()
    gi = {x["parameter"]: x for x in out["results"]}["germination_index_pct"]
    assert gi["name"] == "發芽指數" and gi["unit"] == "%" and float(gi["value"]) > 80
    assert out["errors"] == {}
    assert not Assay.objects.filter(sample=s).exists()
    s.refresh_from_db()
    assert s.status == "received"


def test_preview_puts_errors_on_their_fields_in_the_page_language(web, product_a, make_sample):
    s = make_sample(product_a, "received")
    body = dict(GERMINATION, **{"sample.1.germinated": "30", "control.0.sown": "x"})
    out = web("technician").post(f"/samples/{s.pk}/assays/preview/", body).json()
    assert out["results"] == []
    assert out["errors"]["sample.1.germinated"] == ["必須 ≤ 播種數 (25)"]
    assert out["errors"]["control.0.sown"] == ["必須為數字（收到 'x'）"]
    out = web("technician", "en").post(f"/samples/{s.pk}/assays/preview/", body).json()
    assert out["errors"]["sample.1.germinated"] == ["must be ≤ sown (25)"]


def test_preview_of_nitrogen_shows_the_c_n_ratio_it_will_give(web, product_a, make_sample, users):
    from maturity.assays import assay_enter

    s = make_sample(product_a, "received")
    assay_enter(
        actor=users["technician"], sample=s, method="organic_carbon_combustion", data={"organic_carbon_pct": "40"}
    )
    out = (
        web("technician")
        .post(
            f"/samples/{s.pk}/assays/preview/",
            {
                "_method": "total_nitrogen_kjeldahl",
                "sample_mass_g": "0.5",
                "acid_normality": "0.1",
                "titrant_ml": "14.477",
                "blank_ml": "0.2",
            },
        )
        .json()
    )
    derived = {x["parameter"]: x for x in out["derived"]}
    assert derived["cn_ratio"]["value"] == "10.00"  # 40 % / 4.000 %


def test_direct_entry_rows_errors_land_on_their_row(web, product_a, make_sample):
    s = make_sample(product_a, "received")
    out = (
        web("technician")
        .post(
            f"/samples/{s.pk}/assays/preview/",
            {
                "_method": "direct",
                "rows.0.parameter": "ph",
                "rows.0.value": "7.1",
                "rows.1.parameter": "cu",
                "rows.1.value": "12",
                "rows.1.unit": "ppb",
                "rows.2.parameter": "ph",
                "rows.2.value": "7",
            },
        )
        .json()
    )
    assert "rows.1.unit" in out["errors"] and "rows.2.parameter" in out["errors"]


def test_entering_an_assay_saves_it_and_shows_the_figures(web, product_a, make_sample):
    s = make_sample(product_a, "received")
    c = web("technician")
    page = c.get(f"/samples/{s.pk}/assays/new/germination/")
    assert page.status_code == 200 and "data-preview-url" in text(page)
    bad = c.post(f"/samples/{s.pk}/assays/new/germination/", dict(GERMINATION, **{"sample.0.germinated": "99"}))
    assert bad.status_code == 200 and "必須 ≤ 播種數" in text(bad) and not Assay.objects.filter(sample=s).exists()
    r = c.post(f"/samples/{s.pk}/assays/new/germination/", GERMINATION, follow=True)
    assert r.redirect_chain[-1][0] == f"/samples/{s.pk}/"
    assay = Assay.objects.get(sample=s)
    assert assay.method == "germination" and "germination_index_pct" in assay.results
    assert "發芽指數" in text(r) and "種子發芽試驗 已儲存" in text(r)
    s.refresh_from_db()
    assert s.status == "in_testing"


def test_observation_and_chromatogram_forms_save(web, product_a, make_sample):
    s = make_sample(product_a, "received")
    c = web("technician")
    r = c.post(
        f"/samples/{s.pk}/assays/new/observation/",
        {
            "observations.colour": "black_brown",
            "observations.manure_odour": "false",
            "observations.fermentation_days": "75",
        },
    )
    assert r.status_code == 302
    obs = Assay.objects.get(sample=s, method="observation")
    assert obs.data["observations"] == {"colour": "black_brown", "manure_odour": False, "fermentation_days": "75"}
    r = c.post(
        f"/samples/{s.pk}/assays/new/chromatogram/",
        {"protocol": "livestock_naoh", "center": "ring", "edge": "serrated"},
    )
    assert r.status_code == 302
    assert Assay.objects.get(sample=s, method="chromatogram").results["chromatogram_score"]["value"] == 1


def test_correcting_an_assay_needs_a_reason(web, product_a, make_sample):
    s = make_sample(product_a, "received")
    c = web("technician")
    c.post(f"/samples/{s.pk}/assays/new/moisture/", {"wet_mass_g": "50", "dry_mass_g": "34"})
    assay = Assay.objects.get(sample=s)
    page = c.get(f"/samples/{s.pk}/assays/{assay.pk}/correct/")
    assert 'value="34"' in text(page)
    r = c.post(f"/samples/{s.pk}/assays/{assay.pk}/correct/", {"wet_mass_g": "50", "dry_mass_g": "30"})
    assert r.status_code == 200 and "更正原始數據必須填寫原因" in text(r)
    r = c.post(
        f"/samples/{s.pk}/assays/{assay.pk}/correct/", {"wet_mass_g": "50", "dry_mass_g": "30", "reason": "typo"}
    )
    assert r.status_code == 302
    assay.refresh_from_db()
    assert assay.results["moisture_pct"]["value"] == 40.0


def test_bulk_import_reports_rows_or_imports_all(web, product_a, make_sample):
    from django.core.files.uploadedfile import SimpleUploadedFile

    s = make_sample(product_a, "received")
    c = web("technician")
    bad = SimpleUploadedFile(
        "r.csv",
        f"sample_code,parameter,value,unit\n{s.code},cu,12,mg/kg\n{s.code},zz,1,\nS-1999-000001,ph,7,\n".encode(),
    )
    r = c.post("/lab/import/", {"file": bad})
    page = text(r)
    assert 'id="import-report"' in page and "未匯入任何資料" in page and "查無樣品 S-1999-000001" in page
    assert not Assay.objects.filter(sample=s).exists()
    good = SimpleUploadedFile(
        "r.csv", f"sample_code,parameter,value,unit\n{s.code},cu,12,mg/kg\n{s.code},zn,<5,mg/kg\n".encode()
    )
    r = c.post("/lab/import/", {"file": good}, follow=True)
    assert 'id="import-done"' in text(r)
    assert Assay.objects.get(sample=s).data["values"]["zn"]["qualifier"] == "<"


def test_submit_from_the_sample_page(web, product_a, make_sample, users):
    s = make_sample(product_a, "in_testing")
    c = web("technician")
    r = c.post(f"/samples/{s.pk}/transition/", {"action": "submit"}, follow=True)
    assert "請先輸入至少一項檢驗" in text(r)
    enter_example_results(s, users["technician"])
    c.post(f"/samples/{s.pk}/transition/", {"action": "submit"})
    s.refresh_from_db()
    assert s.status == "to_be_verified"


# --------------------------------------------------------------------------- reviewer


def test_reviewer_queue_side_by_side_verify_and_issue(
    web, product_a, make_sample, users, django_capture_on_commit_callbacks
):
    s = make_sample(product_a, "in_testing")
    enter_example_results(s, users["technician"])
    services.sample_transition(actor=users["technician"], sample=s, action="submit")
    c = web("reviewer")
    assert s.code in text(c.get("/review/"))
    page = text(c.get(f"/review/samples/{s.pk}/"))
    assert "原始數據" in page and "計算結果" in page and "發芽 24 / 25" in page and 'id="verify"' in page
    # the technician may not verify
    r = web("technician").post(f"/samples/{s.pk}/transition/", {"action": "verify"}, follow=True)
    assert "不可執行" in text(r)
    c.post(f"/samples/{s.pk}/transition/", {"action": "verify", "next": f"/review/samples/{s.pk}/"})
    s.refresh_from_db()
    assert s.status == "verified"
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(f"/review/samples/{s.pk}/certificate/", {"decision_rule": "simple"}, follow=True)
    assert "CQ-" in text(r)
    s.refresh_from_db()
    assert s.status == "certified"
    doc = s.certificates.get()
    assert doc.status == "ready"
    r = c.get(f"/documents/{doc.pk}/download/")
    assert r.status_code == 200 and b"".join(r.streaming_content).startswith(b"%PDF")


def test_retest_needs_a_reason(web, verified):
    c = web("reviewer")
    r = c.post(f"/samples/{verified.pk}/transition/", {"action": "retest", "reason": " "}, follow=True)
    assert "必須填寫原因" in text(r)
    c.post(f"/samples/{verified.pk}/transition/", {"action": "retest", "reason": "Cu digest failed"})
    verified.refresh_from_db()
    assert verified.status == "in_testing"


def test_batch_issue_and_progress(web, product_a, make_sample, users, django_capture_on_commit_callbacks):
    samples = []
    for lot in ("B-1", "B-2"):
        s = make_sample(product_a, "in_testing", lot=lot)
        enter_example_results(s, users["technician"])
        samples.append(verify_sample(s, users["technician"], users["reviewer"]))
    c = web("reviewer")
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post("/review/batch/", {"samples": [s.pk for s in samples]})
    assert r.status_code == 302 and "/review/batch/" in r["Location"]
    progress = c.get(r["Location"] + "?format=json").json()
    assert progress["total"] == 2 and progress["finished"] and progress["progress_pct"] == 100.0
    assert 'id="batch-bar"' in text(c.get(r["Location"]))
    r = c.post("/review/batch/", {"samples": [samples[0].pk]}, follow=True)
    assert "須有已確認的結果" in text(r)  # certified now: the service refuses, in Chinese


def test_supersede_and_revoke_from_the_document_page(web, verified, users, django_capture_on_commit_callbacks):
    from certificates.services import certificate_request

    with django_capture_on_commit_callbacks(execute=True):
        doc = certificate_request(actor=users["reviewer"], sample=verified)
    c = web("reviewer")
    r = c.post(f"/documents/{doc.pk}/revoke/", {"reason": ""}, follow=True)
    assert "撤銷必須填寫原因" in text(r)
    r = c.post(f"/documents/{doc.pk}/revoke/", {"reason": "wrong lot"}, follow=True)
    doc.refresh_from_db()
    assert doc.validity == "revoked" and "已撤銷" in text(r)
    assert web("technician").post(f"/documents/{doc.pk}/revoke/", {"reason": "x"}).status_code == 403


# --------------------------------------------------------------------------- manufacturer


def test_portal_explains_a_failed_check_in_plain_words(web, product_a, make_sample, users):
    from maturity.assays import assay_enter

    s = make_sample(product_a, "in_testing", lot="F-1")
    enter_example_results(s, users["technician"])
    assay_enter(
        actor=users["technician"],
        sample=s,
        method="direct",
        data={"values": {"cu": {"value": 120, "unit": "mg/kg", "basis": "dry"}}},
    )
    verify_sample(s, users["technician"], users["reviewer"])
    page = text(web("manufacturer").get("/portal/"))
    # figures by the lab's reporting rule (Cu: 3 significant figures), limits as the regulation writes them
    assert "銅 Cu 120 mg/kg 超過上限 100 mg/kg（超出 20.0 mg/kg，20.0 %）" in page
    page = text(web("manufacturer", "en").get(f"/samples/{s.pk}/"))
    assert "Copper (Cu) 120 mg/kg exceeds the maximum of 100 mg/kg (over by 20.0 mg/kg, 20.0 %)" in page


def test_precheck_page_judges_without_storing(web, standards):
    c = web("manufacturer")
    assert c.get("/portal/precheck/").status_code == 200
    r = c.post(
        "/portal/precheck/",
        {
            "standard": "tw-1997",
            "category": "general_compost",
            "decision_rule": "simple",
            "rows.0.parameter": "cu",
            "rows.0.value": "120",
            "rows.0.unit": "mg/kg",
            "rows.1.parameter": "organic_matter_pct",
            "rows.1.value": "65",
        },
    )
    page = text(r)
    assert 'id="precheck-result"' in page and "超過上限 100 mg/kg" in page and "有機質 65.0 % 達到下限" in page
    r = c.post(
        "/portal/precheck/",
        {
            "standard": "tw-1997",
            "category": "general_compost",
            "decision_rule": "simple",
            "rows.0.parameter": "cu",
            "rows.0.value": "-1",
        },
    )
    assert 'id="precheck-result"' not in text(r) and "必須 ≥ 0" in text(r)


def test_dossier_request_from_the_product_page(web, product_a, verified, django_capture_on_commit_callbacks):
    c = web("manufacturer")
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(
            f"/products/{product_a.pk}/", {"samples": [verified.pk], "declared_total_nitrogen_pct": "2.0"}, follow=True
        )
    assert "RG-" in text(r)
    doc = product_a.documents.get(kind="registration")
    assert doc.declared == {"total_nitrogen_pct": 2.0}


# --------------------------------------------------------------------------- regulator


def _failing_and_passing(product_a, make_sample, users):
    from maturity.assays import assay_enter

    bad = make_sample(product_a, "in_testing", lot="BAD")
    enter_example_results(bad, users["technician"])
    assay_enter(
        actor=users["technician"],
        sample=bad,
        method="direct",
        data={"values": {"cu": {"value": 150, "unit": "mg/kg", "basis": "dry"}}},
    )
    verify_sample(bad, users["technician"], users["reviewer"])
    good = make_sample(product_a, "in_testing", lot="GOOD")
    enter_example_results(good, users["technician"])
    verify_sample(good, users["technician"], users["reviewer"])
    return bad, good


def test_regulator_dashboard_filters_failures_charts_and_exports(web, product_a, make_sample, users):
    bad, good = _failing_and_passing(product_a, make_sample, users)
    c = web("regulator")
    page = text(c.get("/regulator/"))
    assert bad.code in page and good.code in page and "<svg" in page and "各項目分布" in page
    page = text(c.get("/regulator/", {"verdict": "fail"}))
    assert bad.code in page and good.code not in page and "銅 Cu" in page
    page = text(c.get("/regulator/", {"failing": "cu"}))
    assert bad.code in page and good.code not in page
    r = c.get("/regulator/export/", {"verdict": "fail", "format": "csv"})
    body = b"".join(r.streaming_content).decode("utf-8-sig")
    assert r.status_code == 200 and bad.code in body and good.code not in body
    r = c.get("/regulator/export/", {"format": "xlsx"})
    assert b"".join(r.streaming_content)[:2] == b"PK"


def test_timeline_shows_who_when_why(web, verified, users):
    services.sample_transition(actor=users["reviewer"], sample=verified, action="retest", reason="Cu re-digest")
    page = text(web("regulator").get(f"/samples/{verified.pk}/history/"))
    assert "Cu re-digest" in page and "重新檢驗" in page and "已確認 → 檢驗中" in page
    assert web("manufacturer").get(f"/samples/{verified.pk}/history/").status_code == 403


# --------------------------------------------------------------------------- i18n

LOCALE = Path(__file__).resolve().parent.parent / "locale" / "zh_Hant" / "LC_MESSAGES"


def _msgids():
    entries, current, key = [], None, None
    for line in (LOCALE / "django.po").read_text(encoding="utf-8").splitlines():
        if line.startswith("msgid "):
            current = {"msgid": eval(line[6:]), "msgstr": ""}  # noqa: S307 (our own .po file)
            key = "msgid"
            entries.append(current)
        elif line.startswith("msgid_plural "):
            key = "msgid_plural"
        elif line.startswith("msgstr"):
            key = "msgstr"
            current["msgstr"] += eval(line.split(" ", 1)[1])  # noqa: S307
        elif line.startswith('"') and current is not None:
            if key in ("msgid", "msgstr"):
                current[key] += eval(line)  # noqa: S307
        elif not line.strip():
            key = None
    return [e for e in entries if e["msgid"]]


def test_every_string_has_a_traditional_chinese_translation_and_is_compiled():
    entries = _msgids()
    assert len(entries) > 500
    untranslated = [e["msgid"] for e in entries if not e["msgstr"]]
    assert untranslated == []
    from django.utils import translation

    with translation.override("zh-hant"):
        assert translation.gettext("Germination index") == "發芽指數"
        assert translation.gettext("Sample receipt") == "收樣"


def test_chinese_pages_show_no_english_interface_strings(web, product_a, make_sample, users, verified):
    """No msgid of the catalogue (the English interface text) appears on a Chinese page."""
    received = make_sample(product_a, "received", lot="ZH")
    english = sorted(
        {
            e["msgid"]
            for e in _msgids()
            if len(e["msgid"]) >= 6 and " " in e["msgid"] and "%(" not in e["msgid"] and e["msgid"] not in e["msgstr"]
        },
        key=len,
        reverse=True,
    )
    pages = {
        "technician": [
            "/lab/",
            "/lab/receive/",
            "/lab/import/",
            f"/samples/{received.pk}/",
            f"/samples/{received.pk}/assays/new/germination/",
            f"/samples/{received.pk}/assays/new/direct/",
            f"/samples/{received.pk}/assays/new/observation/",
            f"/samples/{verified.pk}/label/",
        ],
        "reviewer": ["/review/", f"/review/samples/{verified.pk}/", "/documents/"],
        "manufacturer": ["/portal/", f"/samples/{verified.pk}/", "/portal/precheck/", f"/products/{product_a.pk}/"],
        "regulator": ["/regulator/", f"/samples/{verified.pk}/history/"],
    }
    for role, urls in pages.items():
        c = web(role)
        for url in urls:
            r = c.get(url)
            assert r.status_code == 200, url
            visible = re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", text(r), flags=re.S))
            visible = visible.replace(product_a.name, "").replace(product_a.manufacturer.name, "")
            found = [m for m in english if m in visible]
            assert found == [], (url, found[:5])


def test_services_messages_read_in_chinese_on_the_pages():
    """The messages are made translatable where they are raised (lims.messages), so a page only reads them:
    in Chinese, no English word is left but the codes quoted in them."""
    from django.utils import translation

    from lims.lifecycle import TransitionError, check_transition
    from maturity import calculations as calc
    from maturity.compliance import Missing, to_basis
    from maturity.errors import InputError
    from maturity.measurements import Measurement
    from web.labels import text

    made = []
    for action, state, role in (("verify", "in_testing", "reviewer"), ("retest", "verified", "reviewer")):
        try:
            check_transition(action, state, role, "")
        except TransitionError as e:
            made.append(e.message)
    for method, data in (
        ("moisture", {"wet_mass_g": 34, "dry_mass_g": 40}),
        ("moisture", {"wet_mass_g": "x"}),
        ("germination", {"protocol": "zz", "control": [], "sample": []}),
    ):
        try:
            calc.compute(method, data)
        except InputError as e:
            made += [m for msgs in e.errors.values() for m in msgs]
    try:
        to_basis(Measurement(value=5.0, unit="mg/kg", basis="as_received"), "dry", None, "cu")
    except Missing as e:
        made.append(e.reason)
    assert len(made) >= 8
    with translation.override("zh-hant"):
        for message in made:
            out = text(message)
            words = re.sub(r"'[^']*'|\w+_\w+", "", out)  # quoted values and codes (tari_cabbage) may stay
            assert not re.search(r"[a-z]{4,}", words), (message, out)
    with translation.override("en"):
        assert text(made[0]).startswith("A sample that is In testing cannot be given this action: Verify")


def test_sample_pages_are_usable_for_every_role(web, verified):
    for role in ("technician", "reviewer", "regulator", "lab_admin", "manufacturer"):
        assert web(role).get(f"/samples/{verified.pk}/").status_code == 200
    assert web("technician").get(f"/samples/{verified.pk}/assays/new/nonsense/").status_code == 404
    sampled = datetime.date(2026, 11, 1)
    assert verified.sampled_on == sampled


def test_regulator_export_with_an_unknown_default_edition_says_so(web, standards):
    """The lab's default edition gone: the export answers 400 naming it, in the reader's language (not a 500)."""
    from lims.models import LabSettings

    LabSettings.objects.filter(pk=LabSettings.current().pk).update(default_standard="tw-2099")
    r = web("regulator").get("/regulator/export/", {"format": "csv"})
    assert r.status_code == 400 and r.content.decode() == "不明的標準版本「tw-2099」。已知版本：tw-1997。"
    r = web("regulator", "en").get("/regulator/export/", {"format": "csv"})
    assert r.status_code == 400 and r.content.decode() == "Unknown standard edition 'tw-2099'. Known: tw-1997."


def test_direct_entry_row_errors_are_messages_in_the_page_language():
    """Issue 14: the direct-entry grid's own row errors are marked for translation, with a code."""
    from django.utils import translation

    from web import assay_forms

    post = {"rows.0.parameter": "cu", "rows.0.value": "1", "rows.1.parameter": "cu", "rows.1.value": "2"}
    post |= {"rows.2.value": "3"}
    _data, path_map = assay_forms.nest("direct", post)
    extra = path_map["__extra__"]
    assert [m.code for m in extra["rows.1.parameter"]] == ["parameter_repeated"]
    assert [m.code for m in extra["rows.2.parameter"]] == ["required"]
    with translation.override("zh-hant"):
        assert str(extra["rows.1.parameter"][0]) != "already given in another row"
        assert str(extra["rows.2.parameter"][0]) != "is required"


def test_timeline_names_the_condition_on_receipt_in_the_page_language(web, product_a, make_sample, users):
    """The receipt's recorded condition is listed under its name, not the field's code."""
    import re

    from lims import services

    sample = make_sample(product_a, "registered", "LOT-COND")
    services.sample_transition(actor=users["technician"], sample=sample, action="receive", condition="sealed bag")
    for lang, name in (("zh-hant", "收樣狀況: sealed bag"), ("en", "Condition on receipt: sealed bag")):
        page = web("regulator", lang=lang).get(f"/samples/{sample.pk}/history/")
        shown = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.content.decode()))
        assert name in shown and "condition_on_receipt" not in shown
