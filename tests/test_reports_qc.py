"""Issue 17 item 1: QC flags and impossible results gate verification; impossible raw data is refused."""

import io

import pytest
from pypdf import PdfReader

from lims import services
from lims.models import AuditEntry
from maturity.plausibility import issues

pytestmark = pytest.mark.django_db(transaction=True)

FLAGGED_OC = {"sample_mass_g": 0.1, "ferrous_normality": 0.5, "titrant_ml": 5.0, "blank_ml": 40.0}


def enter(client, sample, method, data):
    return client.post(f"/api/v1/samples/{sample.pk}/assays/", {"method": method, "data": data}, format="json")


@pytest.fixture
def flagged(product_a, make_sample, users, client_for):
    s = make_sample(product_a, "received", "LOT-QC")
    tech = client_for("technician")
    assert enter(tech, s, "moisture", {"wet_mass_g": 50.0, "dry_mass_g": 34.0}).status_code == 201
    r = enter(tech, s, "organic_carbon_wet_oxidation", FLAGGED_OC)
    assert r.status_code == 201 and r.json()["flags"] == ["dichromate_reduced_over_limit"]
    assert (
        enter(
            tech,
            s,
            "total_nitrogen_kjeldahl",
            {"sample_mass_g": 0.5, "acid_normality": 0.1, "titrant_ml": 9.2, "blank_ml": 0.2},
        ).status_code
        == 201
    )
    services.sample_transition(actor=users["technician"], sample=s, action="submit")
    return s


def test_flagged_impossible_result_cannot_be_verified_without_override(flagged, client_for):
    rev = client_for("reviewer")
    r = rev.post(f"/api/v1/samples/{flagged.pk}/verify/", {}, format="json")
    assert r.status_code == 400, r.content
    msg = " ".join(r.json()["override_reason"])
    assert "dichromate" in msg and "organic_matter_pct" in msg and "cannot exceed 100 %" in msg
    flagged.refresh_from_db()
    assert flagged.status == "to_be_verified"
    # the generic transition endpoint is gated the same way
    r = rev.post(f"/api/v1/samples/{flagged.pk}/transitions/", {"action": "verify"}, format="json")
    assert r.status_code == 400 and "override_reason" in r.json()


def test_override_with_reason_is_audited_and_printed_in_deviations(flagged, client_for):
    rev = client_for("reviewer")
    r = rev.post(
        f"/api/v1/samples/{flagged.pk}/verify/",
        {"override_reason": "customer asked for the figure as measured; repeat booked"},
        format="json",
    )
    assert r.status_code == 200, r.content
    entry = AuditEntry.objects.get(sample=flagged, action="qc_override")
    assert entry.reason.startswith("customer asked") and "flag:dichromate_reduced_over_limit" in str(entry.changes)
    assert entry.actor.username == "rev"
    # the fixture enters only moisture, organic carbon and nitrogen: the other required results are
    # missing, so the certificate needs a reason to issue anyway
    r = rev.post(
        "/api/v1/certificates/",
        {"sample": flagged.pk, "issue_anyway_reason": "QC check of the carbon and nitrogen only"},
        format="json",
    )
    assert r.status_code == 202, r.content
    pdf = b"".join(rev.get(f"/api/v1/certificates/{r.json()['id']}/download/").streaming_content)
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).replace("\n", " ")
    assert "Deviations" in text and "override" in text.lower()
    assert "customer asked for the figure as measured" in text
    assert "dichromate" in text


def test_override_needs_the_reviewer_not_a_blank_reason(flagged, client_for):
    r = client_for("reviewer").post(f"/api/v1/samples/{flagged.pk}/verify/", {"override_reason": "   "}, format="json")
    assert r.status_code == 400


@pytest.mark.parametrize(
    "method,data,field",
    [
        (
            "organic_carbon_wet_oxidation",
            {"sample_mass_g": 0.01, "ferrous_normality": 0.5, "titrant_ml": 5.0, "blank_ml": 40.0},
            "titrant_ml",
        ),
        (
            "total_nitrogen_kjeldahl",
            {"sample_mass_g": 0.001, "acid_normality": 1.0, "titrant_ml": 90, "blank_ml": 0.2},
            "titrant_ml",
        ),
    ],
)
def test_impossible_raw_data_refused_at_entry_naming_field_and_rule(
    product_a, make_sample, client_for, method, data, field
):
    s = make_sample(product_a, "received")
    r = enter(client_for("technician"), s, method, data)
    assert r.status_code == 400, r.content
    assert "cannot exceed 100 %" in " ".join(
        r.json()[f"data.{field}"] if f"data.{field}" in r.json() else r.json()[field]
    )
    assert s.assays.count() == 0


def test_plausibility_rules_pure():
    assert issues({"organic_matter_pct": 64.2, "p2o5_pct": 2.1, "k2o_pct": 1.2}) == []
    codes = [i["code"] for i in issues({"organic_matter_pct": 101.0})]
    assert codes == [
        "over_100:organic_matter_pct",
    ]
    assert [i["code"] for i in issues({"organic_carbon_pct": 40.0, "total_carbon_pct": 30.0})] == ["oc_over_tc"]
    assert [i["code"] for i in issues({"organic_matter_pct": 80.0, "cao_pct": 15.0, "mgo_pct": 6.0})] == [
        "fractions_over_100"
    ]
    assert [i["code"] for i in issues({"cu": -1.0})] == ["negative:cu"]


def test_override_shows_in_the_sample_timeline(flagged, client_for, web):
    client_for("reviewer").post(
        f"/api/v1/samples/{flagged.pk}/verify/", {"override_reason": "repeat booked"}, format="json"
    )
    page = web("regulator", "en").get(f"/samples/{flagged.pk}/history/").content.decode()
    assert "QC flags overridden by the reviewer" in page and "repeat booked" in page
