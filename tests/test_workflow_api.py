"""Issue 18 through the API: retest by analysis, re-issue after revocation, issuing with
required results missing, duplicate imports, date rules, public verification lookup."""

import datetime
import io

import pytest

from maturity.assays import assay_enter
from web.demo_results import enter_example_results, verify_sample

# transaction=True: render tasks are sent on commit, as in production (they run inline here)
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def verified(product_a, make_sample, users):
    s = make_sample(product_a, "received", "LOT-W1")
    enter_example_results(s, users["technician"])
    return verify_sample(s, users["technician"], users["reviewer"])


def transition(client, sample, **body):
    return client.post(f"/api/v1/samples/{sample.pk}/transitions/", body, format="json")


def assays_by_method(client, sample):
    return {a["method"]: a for a in client.get(f"/api/v1/samples/{sample.pk}/assays/").json()}


# --------------------------------------------------------------------------- retest by analysis


def test_retest_one_assay_keeps_the_others_verified(client_for, verified, users):
    rev, tech = client_for("reviewer"), client_for("technician")
    before = assays_by_method(tech, verified)
    oc = before["organic_carbon_wet_oxidation"]["id"]
    r = transition(rev, verified, action="retest", reason="OC duplicates disagree", assays=[oc])
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "in_testing"
    after = {a["id"]: a for a in tech.get(f"/api/v1/samples/{verified.pk}/assays/").json()}
    assert after[oc]["status"] == "invalidated" and after[oc]["invalidation_reason"] == "OC duplicates disagree"
    assert {a["status"] for pk, a in after.items() if pk != oc} == {"verified"}
    # the germination test and the metals keep their verified values
    results = {row["parameter"]: row for row in tech.get(f"/api/v1/samples/{verified.pk}/results/").json()["results"]}
    assert results["germination_index_pct"]["status"] == "verified" and results["cu"]["status"] == "verified"
    assert "organic_carbon_pct" not in results
    # only the new OC is entered, submitted and verified by a second person
    assay_enter(
        actor=users["technician"],
        sample=verified,
        method="organic_carbon_wet_oxidation",
        data={"sample_mass_g": 0.1, "ferrous_normality": 0.5, "titrant_ml": 17.6, "blank_ml": 40.0},
    )
    assert transition(tech, verified, action="submit").status_code == 200
    r = client_for("reviewer2").post(f"/api/v1/samples/{verified.pk}/verify/")
    assert r.status_code == 200 and r.json()["status"] == "verified"
    statuses = [a["status"] for a in tech.get(f"/api/v1/samples/{verified.pk}/assays/").json()]
    assert statuses.count("verified") == 7 and statuses.count("invalidated") == 1


def test_retest_by_parameter_selects_the_assay_it_comes_from(client_for, verified):
    rev, tech = client_for("reviewer"), client_for("technician")
    direct = assays_by_method(tech, verified)["direct"]["id"]
    r = transition(rev, verified, action="retest", reason="Cu digest failed", parameters=["cu"])
    assert r.status_code == 200, r.content
    after = {a["id"]: a["status"] for a in tech.get(f"/api/v1/samples/{verified.pk}/assays/").json()}
    assert after[direct] == "invalidated"
    assert sorted(after.values()).count("verified") == 6


@pytest.mark.parametrize(
    "body,field,needle",
    [
        ({"parameters": ["cn_ratio"]}, "parameters", "derived"),
        ({"parameters": ["nope"]}, "parameters", "unknown parameter"),
        ({"parameters": ["cao_pct"]}, "parameters", "no current result"),
        ({"assays": [999999]}, "assays", "not a current assay"),
    ],
)
def test_retest_selection_errors_name_the_field(client_for, verified, body, field, needle):
    r = transition(client_for("reviewer"), verified, action="retest", reason="x", **body)
    assert r.status_code == 400 and needle in " ".join(r.json()[field]), r.content
    verified.refresh_from_db()
    assert verified.status == "verified"  # nothing half-saved


def test_retest_selection_only_with_retest_and_state_checked_first(client_for, verified, product_a, make_sample):
    r = transition(client_for("technician"), verified, action="submit", assays=[1])
    assert r.status_code == 400 and "retest" in r.json()["assays"][0]
    other = make_sample(product_a, "received", "LOT-W2")
    r = transition(client_for("reviewer"), other, action="retest", reason="x", assays=[1])
    assert r.status_code == 409


def test_retest_without_selection_still_retests_everything(client_for, verified):
    r = transition(client_for("reviewer"), verified, action="retest", reason="whole sample contaminated")
    assert r.status_code == 200
    statuses = {a["status"] for a in client_for("technician").get(f"/api/v1/samples/{verified.pk}/assays/").json()}
    assert statuses == {"invalidated"}


# --------------------------------------------------------------------------- re-issue after revocation


def test_reissue_after_revocation_without_retest(client, client_for, verified):
    rev = client_for("reviewer")
    first = rev.post("/api/v1/certificates/", {"sample": verified.pk}, format="json").json()
    r = rev.post(f"/api/v1/certificates/{first['id']}/reissue/", {"reason": "x"}, format="json")
    assert r.status_code == 409 and "superseded" in r.json()["detail"]  # a valid one is superseded, not re-issued
    # supersede without a retest says what to do
    r = rev.post(f"/api/v1/certificates/{first['id']}/supersede/", {"reason": "typo"}, format="json")
    assert r.status_code == 409 and "retest" in r.json()["detail"] and "revoke" in r.json()["detail"]
    assert (
        rev.post(
            f"/api/v1/certificates/{first['id']}/revoke/", {"reason": "wrong address printed"}, format="json"
        ).status_code
        == 200
    )
    assert rev.post(f"/api/v1/certificates/{first['id']}/reissue/", {}, format="json").status_code == 400
    assert (
        client_for("technician")
        .post(f"/api/v1/certificates/{first['id']}/reissue/", {"reason": "x"}, format="json")
        .status_code
        == 403
    )
    r = rev.post(f"/api/v1/certificates/{first['id']}/reissue/", {"reason": "address corrected"}, format="json")
    assert r.status_code == 202, r.content
    second = r.json()
    assert second["version"] == 2 and second["supersedes"] == first["number"] and second["validity"] == "valid"
    assert second["status"] == "ready"
    old = rev.get(f"/api/v1/certificates/{first['id']}/").json()
    assert old["validity"] == "revoked" and old["superseded_by"] == second["number"]
    # once only
    r = rev.post(f"/api/v1/certificates/{first['id']}/reissue/", {"reason": "again"}, format="json")
    assert r.status_code == 409
    hist = client_for("regulator").get(f"/api/v1/audit/?entity=certificate&entity_id={first['id']}").json()
    assert [h["action"] for h in hist["results"]] == ["create", "revoke", "reissue"]
    from certificates.models import Document

    code = Document.objects.get(pk=first["id"]).verification_code  # the public page answers only with the code
    html = client.get(f"/verify/{first['number']}/", {"code": code}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Revoked" in html and second["number"] in html


# --------------------------------------------------------------------------- issue anyway


@pytest.fixture
def verified_incomplete(product_a, make_sample, users):
    """A verified sample without P₂O₅, K₂O and moisture (required for general compost)."""
    from web.demo_results import EXAMPLE_ASSAYS

    s = make_sample(product_a, "received", "LOT-W3")
    for method, data in EXAMPLE_ASSAYS:
        if method == "moisture":
            continue
        if method == "direct":
            data = {"values": {k: v for k, v in data["values"].items() if k not in ("p2o5_pct", "k2o_pct")}}
        assay_enter(actor=users["technician"], sample=s, method=method, data=data)
    return verify_sample(s, users["technician"], users["reviewer"])


def test_issue_with_missing_required_results_needs_a_reason_printed_in_remarks(client_for, verified_incomplete):
    rev = client_for("reviewer")
    r = rev.post("/api/v1/certificates/", {"sample": verified_incomplete.pk}, format="json")
    assert r.status_code == 400
    msg = r.json()["issue_anyway_reason"][0]
    for name in ("Total P₂O₅", "Total K₂O", "Moisture"):
        assert name in msg
    verified_incomplete.refresh_from_db()
    assert verified_incomplete.status == "verified"
    r = rev.post(
        "/api/v1/certificates/",
        {"sample": verified_incomplete.pk, "issue_anyway_reason": "client asked for metals only"},
        format="json",
    )
    assert r.status_code == 202, r.content
    assert r.json()["number"].endswith("-000001")  # the refused request gave its number back
    from certificates.models import Document

    doc = Document.objects.get(pk=r.json()["id"])
    assert doc.context["issue_anyway"]["reason"] == "client asked for metals only"
    # Cu was reported as received: without moisture it cannot be put on the dry basis either
    assert {m["parameter"] for m in doc.context["issue_anyway"]["missing"]} == {
        "p2o5_pct",
        "k2o_pct",
        "moisture_pct",
        "cu",
    }
    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(doc.pdf.open("rb")).pages)
    assert "client asked for metals only" in text


def test_batch_names_missing_results_at_the_request_and_the_worker_prints_the_reason(
    client_for, verified, verified_incomplete
):
    """Faults moved batch issuing into a worker: the request still refuses missing results (naming the sample)
    and unset lab settings, storing nothing; the reason it takes reaches the worker's certificates."""
    from certificates.models import Document, IssueBatch
    from lims.models import LabSettings

    rev = client_for("reviewer")
    body = {"samples": [verified.pk, verified_incomplete.pk]}
    r = rev.post("/api/v1/certificates/batch/", body, format="json")
    assert r.status_code == 400
    msg = r.json()["issue_anyway_reason"][0]
    assert verified_incomplete.code in msg and verified.code not in msg and "Total K₂O" in msg
    saved = LabSettings.objects.filter(pk=1).values("address", "telephone").get()
    LabSettings.objects.filter(pk=1).update(address="", telephone="")
    r = rev.post("/api/v1/certificates/batch/", {**body, "issue_anyway_reason": "metals only"}, format="json")
    assert r.status_code == 400
    assert set(r.json()) == {"lab_settings.address", "lab_settings.telephone", "code", "detail", "codes"}
    assert r.json()["codes"]["lab_settings.address"] == ["lab_setting_required"]
    assert not IssueBatch.objects.exists()
    LabSettings.objects.filter(pk=1).update(**saved)
    r = rev.post("/api/v1/certificates/batch/", {**body, "issue_anyway_reason": "metals only"}, format="json")
    assert r.status_code == 202, r.content
    batch = IssueBatch.objects.get()
    assert batch.status == "issued" and batch.issue_anyway_reason == "metals only"
    docs = {d.sample_id: d for d in Document.objects.filter(batch=batch)}
    assert docs[verified_incomplete.pk].context["issue_anyway"]["reason"] == "metals only"
    assert "issue_anyway" not in docs[verified.pk].context  # complete: nothing to excuse


def test_missing_results_of_a_batch_are_those_each_sample_check_finds(verified, verified_incomplete):
    """The batch request reads what the samples share once; it finds what each sample's own check finds."""
    from certificates.selectors import missing_required_results, missing_required_results_of

    samples = [verified, verified_incomplete]
    for rule in (None, "guarded"):
        bulk = missing_required_results_of(samples, decision_rule=rule)
        assert bulk == {s.pk: missing_required_results(s, decision_rule=rule) for s in samples}
    assert bulk[verified.pk] == []
    assert {m["parameter"] for m in bulk[verified_incomplete.pk]} >= {"p2o5_pct", "k2o_pct", "moisture_pct"}


def test_complete_sample_needs_no_reason(client_for, verified):
    r = client_for("reviewer").post("/api/v1/certificates/", {"sample": verified.pk}, format="json")
    assert r.status_code == 202
    from certificates.models import Document

    assert "issue_anyway" not in Document.objects.get(pk=r.json()["id"]).context


# --------------------------------------------------------------------------- dates: one set of rules


def test_sample_dates_checked_by_the_api(client_for, product_a):
    from django.utils import timezone

    today = timezone.localdate()
    c = client_for("manufacturer")
    r = c.post(
        "/api/v1/samples/",
        {"product": product_a.pk, "lot_number": "L-D", "sampled_on": (today + datetime.timedelta(days=1)).isoformat()},
        format="json",
    )
    assert r.status_code == 400 and "future" in r.json()["sampled_on"][0]
    r = c.post(
        "/api/v1/samples/",
        {
            "product": product_a.pk,
            "lot_number": "L-D",
            "sampled_on": today.isoformat(),
            "received_on": (today - datetime.timedelta(days=2)).isoformat(),
        },
        format="json",
    )
    assert r.status_code == 400 and "before the sampling date" in r.json()["received_on"][0]


def test_date_rules_are_one_pure_function():
    from lims.dates import sample_date_errors

    d = datetime.date
    assert sample_date_errors(d(2026, 11, 1), d(2026, 11, 2), d(2026, 11, 27)) == {}
    assert set(sample_date_errors(d(2027, 1, 15), None, d(2026, 11, 27))) == {"sampled_on"}
    assert set(sample_date_errors(d(2026, 11, 5), d(2026, 11, 1), d(2026, 11, 27))) == {"received_on"}


# --------------------------------------------------------------------------- imports that cannot double


def _csv(text, name="icp.csv"):
    f = io.BytesIO(text.encode())
    f.name = name
    return f


def test_the_same_file_is_not_imported_twice(client_for, product_a, make_sample):
    from maturity.models import Assay

    s1 = make_sample(product_a, "received", "LOT-I1")
    body = f"sample_code,parameter,value,unit,basis\n{s1.code},cu,60,mg/kg,dry\n{s1.code},zn,120,mg/kg,dry\n"
    c = client_for("technician")
    # check only: every check, nothing stored
    r = c.post("/api/v1/imports/", {"file": _csv(body), "check_only": "true"}, format="multipart")
    assert r.status_code == 200 and r.json()["would_import_rows"] == 2 and r.json()["check_only"] is True
    assert Assay.objects.count() == 0
    s1.refresh_from_db()
    assert s1.status == "received"  # not even the implicit start of testing
    assert c.post("/api/v1/imports/", {"file": _csv(body)}, format="multipart").status_code == 201
    assert Assay.objects.count() == 1
    r = c.post("/api/v1/imports/", {"file": _csv(body, "icp-copy.csv")}, format="multipart")
    assert r.status_code == 409, r.content
    out = r.json()
    assert out["earlier_import"]["filename"] == "icp.csv" and "icp.csv" in out["detail"]
    assert [d["row"] for d in out["duplicates"]] == [2, 3]
    assert Assay.objects.count() == 1
    r = c.post("/api/v1/imports/", {"file": _csv(body), "check_only": "yes"}, format="multipart")
    assert r.status_code == 200 and r.json()["earlier_import"]["filename"] == "icp.csv"
    r = c.post("/api/v1/imports/", {"file": _csv(body), "reimport": "maybe"}, format="multipart")
    assert r.status_code == 400 and "reimport" in r.json()
    r = c.post("/api/v1/imports/", {"file": _csv(body), "reimport": "true"}, format="multipart")
    assert r.status_code == 201 and r.json()["reimport"] is True
    assert Assay.objects.count() == 2


def test_rows_repeating_stored_values_are_refused_even_in_another_file(client_for, product_a, make_sample):
    s1 = make_sample(product_a, "received", "LOT-I2")
    c = client_for("technician")
    first = f"sample_code,parameter,value,unit,basis\n{s1.code},cu,60,mg/kg,dry\n"
    assert c.post("/api/v1/imports/", {"file": _csv(first)}, format="multipart").status_code == 201
    second = f"sample_code,parameter,value,unit,basis\n{s1.code},pb,7,mg/kg,dry\n{s1.code},cu,60.0,mg/kg,dry\n"
    r = c.post("/api/v1/imports/", {"file": _csv(second, "other.csv")}, format="multipart")
    assert r.status_code == 409 and r.json()["earlier_import"] is None
    assert [(d["row"], d["column"]) for d in r.json()["duplicates"]] == [(3, "value")]
    # a different value of the same parameter is a new measurement, not a duplicate
    third = f"sample_code,parameter,value,unit,basis\n{s1.code},cu,61,mg/kg,dry\n"
    assert c.post("/api/v1/imports/", {"file": _csv(third, "rerun.csv")}, format="multipart").status_code == 201
