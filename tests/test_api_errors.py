"""The API's one error shape: every error body has "code" and "detail", in the request's language
(Accept-Language; Traditional Chinese by default, English when asked), with the same code in both;
400s keep their per-field message lists and add per-field "codes"."""

import re

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")


def client(user, lang):
    c = APIClient()
    if lang:
        c.credentials(HTTP_ACCEPT_LANGUAGE=lang)
    if user is not None:
        c.force_authenticate(user)
    return c


def both(user, call):
    """(Chinese body, English body, status) of the same request; the Chinese one without Accept-Language."""
    zh, en = call(client(user, None)), call(client(user, "en"))
    assert zh.status_code == en.status_code
    return zh.json(), en.json(), zh.status_code


def chinese(text):
    return bool(CJK.search(text))


@pytest.fixture
def received(product_a, make_sample):
    return make_sample(product_a, "received")


def test_calculation_input_error_per_field(users, received):
    data = {"method": "moisture", "data": {"wet_mass_g": 10, "dry_mass_g": 12}}
    zh, en, status = both(
        users["technician"], lambda c: c.post(f"/api/v1/samples/{received.pk}/assays/", data, format="json")
    )
    assert status == 400
    assert en["dry_mass_g"] == ["must be ≤ wet_mass_g (10)"]  # the field's own name in English
    assert zh["dry_mass_g"] == ["必須 ≤ 濕重 (10)"]  # its label in Chinese
    assert zh["codes"] == en["codes"] == {"dry_mass_g": ["max_value"]}
    assert zh["code"] == en["code"] == "max_value"  # one message: its code and text are the body's
    assert zh["detail"] == zh["dry_mass_g"][0] and en["detail"] == en["dry_mass_g"][0]


def test_several_field_errors_have_a_general_detail(users, received):
    data = {"method": "moisture", "data": {"wet_mass_g": 0, "dry_mass_g": "abc"}}
    zh, en, status = both(
        users["technician"], lambda c: c.post(f"/api/v1/samples/{received.pk}/assays/", data, format="json")
    )
    assert status == 400
    assert zh["code"] == en["code"] == "invalid"
    assert chinese(zh["detail"]) and not chinese(en["detail"])
    assert en["codes"] == {"wet_mass_g": ["min_value"], "dry_mass_g": ["not_a_number"]}
    assert en["wet_mass_g"] == ["must be > 0"] and zh["wet_mass_g"] == ["必須 > 0"]


def test_lifecycle_conflict(users, received):
    body = {"action": "verify"}
    zh, en, status = both(
        users["reviewer"], lambda c: c.post(f"/api/v1/samples/{received.pk}/transitions/", body, format="json")
    )
    assert status == 409
    assert zh["code"] == en["code"] == "transition_not_allowed"
    assert en["detail"] == (
        "A sample that is Received cannot be given this action: Verify (it applies to: To be verified)."
    )
    assert zh["detail"] == "狀態為「已收樣」的樣品不可執行：確認（此操作適用於：待確認）。"


def test_reason_required_is_a_field_error(users, product_a, make_sample):
    sample = make_sample(product_a, "registered")
    zh, en, status = both(
        users["technician"],
        lambda c: c.post(f"/api/v1/samples/{sample.pk}/transitions/", {"action": "reject"}, format="json"),
    )
    assert status == 400
    assert en["codes"] == {"reason": ["reason_required"]} and en["code"] == "reason_required"
    assert chinese(zh["reason"][0]) and not chinese(en["reason"][0])


def test_permission_error(users, received):
    zh, en, status = both(
        users["technician"],
        lambda c: c.post(f"/api/v1/samples/{received.pk}/transitions/", {"action": "verify"}, format="json"),
    )
    assert status == 403
    assert zh["code"] == en["code"] == "role_not_allowed"
    assert en["detail"] == "Your role (Technician) may not do this: Verify. Allowed roles: Reviewer."
    assert zh["detail"] == "您的角色（檢驗員）不可執行：確認。可執行的角色：報告簽署人。"


def test_service_permission_error(users, product_b):
    """PermissionDeniedError of a service (a manufacturer acting for another organisation)."""
    body = {"product": product_b.pk, "lot_number": "L-9", "sampled_on": "2026-11-01"}
    zh, en, status = both(users["manufacturer"], lambda c: c.post("/api/v1/samples/", body, format="json"))
    assert status in (400, 403, 404)
    assert zh["code"] == en["code"]
    assert chinese(zh["detail"]) and not chinese(en["detail"])


def test_drf_permission_error(users, received):
    zh, en, status = both(users["regulator"], lambda c: c.post(f"/api/v1/samples/{received.pk}/transitions/", {}))
    assert status == 403
    assert zh["code"] == en["code"] == "role_not_allowed"
    assert chinese(zh["detail"]) and not chinese(en["detail"])


def test_drf_validation_error(users):
    zh, en, status = both(users["manufacturer"], lambda c: c.post("/api/v1/products/", {}, format="json"))
    assert status == 400
    assert en["name"] == ["This field is required."]
    assert chinese(zh["name"][0])
    assert zh["codes"]["name"] == en["codes"]["name"] == ["required"]
    assert zh["code"] == en["code"] == "invalid"


def test_drf_not_authenticated_and_not_found(users):
    zh, en, status = both(None, lambda c: c.get("/api/v1/samples/"))
    assert status in (401, 403)
    assert zh["code"] == en["code"] == "not_authenticated"
    assert chinese(zh["detail"]) and not chinese(en["detail"])
    zh, en, status = both(users["technician"], lambda c: c.get("/api/v1/samples/999999/"))
    assert status == 404
    assert zh["code"] == en["code"] == "not_found"
    assert chinese(zh["detail"]) and not chinese(en["detail"])
    zh, en, status = both(users["technician"], lambda c: c.get("/api/v1/no-such-address/"))
    assert status == 404 and zh["code"] == en["code"] == "not_found"
    assert chinese(zh["detail"]) and not chinese(en["detail"])


# --------------------------------------------------------------------------- one converted message per app
# (issue #14: each was an English literal; now a message with a code, in the request's language)


def test_maturity_unknown_parameter_filter(users):
    zh, en, status = both(users["regulator"], lambda c: c.get("/api/v1/regulator/samples/?failing=nope"))
    assert status == 400
    assert zh["code"] == en["code"] == "unknown_parameter" and zh["codes"] == {"failing": ["unknown_parameter"]}
    assert en["failing"] == ["Unknown parameter 'nope'."]
    assert zh["failing"] == ["未知的檢驗項目「nope」。"]


def test_maturity_results_not_released_to_the_manufacturer(users, received):
    zh, en, status = both(users["manufacturer"], lambda c: c.get(f"/api/v1/samples/{received.pk}/results/"))
    assert status == 409
    assert zh["code"] == en["code"] == "results_not_released"
    assert en["detail"].startswith(f"Results of {received.code} are released to the manufacturer")
    assert chinese(zh["detail"]) and received.code in zh["detail"] and zh["detail"] != en["detail"]


def test_certificates_repeated_sample_in_a_batch(users, received):
    body = {"samples": [received.pk, received.pk]}
    zh, en, status = both(users["reviewer"], lambda c: c.post("/api/v1/certificates/batch/", body, format="json"))
    assert status == 400
    assert zh["code"] == en["code"] == "sample_repeated"
    assert en["samples"] == ["Each sample may be named once in a batch."]
    assert chinese(zh["samples"][0])


def test_certificates_declared_component_not_guaranteed(users, product_a, received):
    body = {"product": product_a.pk, "samples": [received.pk], "declared": {"cu": 5}}
    zh, en, status = both(users["manufacturer"], lambda c: c.post("/api/v1/registrations/", body, format="json"))
    assert status == 400
    assert zh["codes"]["declared"] == en["codes"]["declared"] == ["not_guaranteed_component"]
    assert en["declared"][0].startswith("not a guaranteed component: cu; allowed: ")
    assert zh["declared"][0].startswith("非保證成分：cu；")


def test_composting_batch_manufacturer_required(users):
    body = {"name": "W-9", "method": "windrow", "started_on": "2026-02-01"}
    zh, en, status = both(users["technician"], lambda c: c.post("/api/v1/composting/batches/", body, format="json"))
    assert status == 400
    assert zh["codes"] == en["codes"] == {"manufacturer": ["required"]}
    assert en["manufacturer"] == ["This field is required."] and zh["manufacturer"] == ["此欄位為必填。"]


def test_composting_batch_for_another_organisation(users, org_b):
    body = {"name": "W-9", "method": "windrow", "started_on": "2026-02-01", "manufacturer": org_b.pk}
    zh, en, status = both(users["manufacturer"], lambda c: c.post("/api/v1/composting/batches/", body, format="json"))
    assert status == 403
    assert zh["code"] == en["code"] == "own_organisation_only"
    assert en["detail"] == "You may record batches only for your own organisation."
    assert zh["detail"] == "您只能為自己公司登錄批次。"


def test_web_certify_is_done_by_issuing_a_certificate(users, received):
    body = {"action": "certify"}
    zh, en, status = both(
        users["reviewer"], lambda c: c.post(f"/api/v1/samples/{received.pk}/transitions/", body, format="json")
    )
    assert status == 409
    assert zh["code"] == en["code"] == "certify_by_certificate"
    assert en["detail"].startswith("A sample is certified by issuing its certificate")
    assert chinese(zh["detail"])


def test_reporting_digits_validation_in_the_admin_language():
    """The lab admin's reporting digits (MethodReference.clean): a message with a code, in the active language."""
    from django.core.exceptions import ValidationError
    from django.utils import translation

    from maturity.models import MethodReference

    ref = MethodReference(method="moisture", decimals=2, significant_figures=3)
    for lang, text in (("en", "Give decimal places or significant figures, not both."), ("zh-hant", "請填小數")):
        with translation.override(lang):
            with pytest.raises(ValidationError) as exc:
                ref.clean()
            (message,) = exc.value.error_dict["significant_figures"]
            assert message.message.code == "precision_both_given"
            assert exc.value.message_dict["significant_figures"][0].startswith(text)
