"""Issue 14: the reasons the system writes into the audit history and the lifecycle steps are stored as a message
(code and params beside the English text) and read in the reader's language; a reason a person typed is shown as
typed; rows stored before the message was kept show their text."""

import re

import pytest

from lims import lockout, services
from lims.models import AuditEntry, SampleTransition
from maturity.formatting import METHOD_LABELS
from maturity.models import Assay
from web.demo_results import enter_example_results, verify_sample

pytestmark = pytest.mark.django_db


def text(response):
    assert response.status_code == 200, response.status_code
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture
def verified(product_a, make_sample, users):
    s = make_sample(product_a, "received", "LOT-R1")
    enter_example_results(s, users["technician"])
    return verify_sample(s, users["technician"], users["reviewer"])


def test_system_reason_is_stored_with_its_code_and_english_text(verified):
    step = SampleTransition.objects.get(sample=verified, action="start_testing")
    assert step.reason.startswith("first assay entered (")  # the text column stays English (exports)
    assert step.reason_code == "reason_first_assay"
    assert step.reason_message["$message"]["code"] == "reason_first_assay"
    entry = AuditEntry.objects.get(sample=verified, action="transition:start_testing")
    assert (entry.reason, entry.reason_code) == (step.reason, "reason_first_assay")


def test_timeline_shows_a_system_reason_in_the_page_language(web, verified):
    url = f"/samples/{verified.pk}/history/"
    chinese = text(web("regulator").get(url))
    assert "輸入第一項檢驗（" in chinese and "first assay entered" not in chinese
    method = Assay.objects.filter(sample=verified).order_by("id").first().method  # named by the reason, in Chinese
    assert f"輸入第一項檢驗（{METHOD_LABELS[method][0]}）" in chinese
    english = text(web("regulator", lang="en").get(url))
    assert f"first assay entered ({method})" in english and "輸入第一項檢驗" not in english


def test_a_persons_reason_is_shown_as_typed_and_a_composed_one_keeps_it_untranslated(web, verified, users):
    services.product_update(
        actor=users["lab_admin"], product=verified.product, reason="typo in the registration", bagasse_based=True
    )
    step = SampleTransition.objects.get(sample=verified, action="reopen")
    assert step.reason == "product corrected (bagasse_based): typo in the registration"
    assert step.reason_code == "reason_product_corrected"
    page = text(web("regulator").get(f"/samples/{verified.pk}/history/"))
    assert "產品資料更正（bagasse_based）：typo in the registration" in page
    services.sample_transition(actor=users["reviewer"], sample=verified, action="verify", reason="")
    services.sample_transition(
        actor=users["reviewer"], sample=verified, action="retest", reason="Cu 重新消化 re-digest"
    )
    retest = SampleTransition.objects.get(sample=verified, action="retest")
    assert retest.reason_message is None and retest.reason_code is None
    for lang in ("zh-hant", "en"):
        assert "Cu 重新消化 re-digest" in text(web("regulator", lang=lang).get(f"/samples/{verified.pk}/history/"))


def api(users, role, lang):
    from rest_framework.test import APIClient

    c = APIClient(HTTP_ACCEPT_LANGUAGE=lang)
    c.force_authenticate(users[role])
    return c


def test_history_api_answers_in_the_request_language_with_the_code(users, verified):
    c = api(users, "regulator", "en")
    english = c.get("/api/v1/audit/", {"sample": verified.pk, "action": "transition:start_testing"}).json()
    (row,) = english["results"]
    assert row["reason"].startswith("first assay entered (") and row["reason_code"] == "reason_first_assay"
    c = api(users, "regulator", "zh-hant")  # the API's default language
    chinese = c.get("/api/v1/audit/", {"sample": verified.pk, "action": "transition:start_testing"}).json()
    assert chinese["results"][0]["reason"].startswith("輸入第一項檢驗（")
    steps = c.get(f"/api/v1/samples/{verified.pk}/").json()["transitions"]
    start = next(s for s in steps if s["action"] == "start_testing")
    assert start["reason"].startswith("輸入第一項檢驗（") and start["reason_code"] == "reason_first_assay"
    receive = next(s for s in steps if s["action"] == "receive")
    assert receive["reason_code"] is None


def test_rows_stored_before_the_code_show_their_text(web, users, verified):
    SampleTransition.objects.filter(sample=verified, action="start_testing").update(reason_message=None)
    AuditEntry.objects.filter(sample=verified, action="transition:start_testing").update(
        reason="first assay entered (direct)", reason_message=None
    )
    page = text(web("regulator").get(f"/samples/{verified.pk}/history/"))
    assert "first assay entered (direct)" in page
    rows = api(users, "regulator", "zh-hant").get("/api/v1/audit/", {"sample": verified.pk})
    row = next(r for r in rows.json()["results"] if r["action"] == "transition:start_testing")
    assert (row["reason"], row["reason_code"]) == ("first assay entered (direct)", None)


def test_lockout_reason_is_a_message(users, settings):
    lockout.on_locked_out(None, username=users["technician"].username, ip_address="192.0.2.7")
    entry = AuditEntry.objects.get(entity="login_lockout", action="lock")
    assert entry.reason_code == "reason_failed_logins"
    assert entry.reason == f"{lockout.failure_limit()} failed log-ins"
    from django.utils import translation

    with translation.override("zh-hant"):
        assert entry.reason_shown == f"登入失敗 {lockout.failure_limit()} 次"
