"""Issue 13 through the API: stability assays (DOMAIN.md §12) entered as raw data, the ccqc_2001 verdict with
explained indicators, bad input, import, and a certificate judged under ccqc_2001."""

import io

import pytest
from pypdf import PdfReader

from web.demo_results import enter_example_results, verify_sample

pytestmark = pytest.mark.django_db


@pytest.fixture
def sample(product_a, make_sample):
    return make_sample(product_a, "received")


def enter(client, sample, method, data):
    return client.post(f"/api/v1/samples/{sample.pk}/assays/", {"method": method, "data": data}, format="json")


def maturity(client, sample, rule_set="ccqc_2001"):
    return client.get(f"/api/v1/samples/{sample.pk}/maturity/?rule_set={rule_set}")


def by_indicator(body):
    return {i["indicator"]: i for i in body["indicators"]}


def cn_assays(c, sample):
    # EXAMPLES.md: OC 19.5 %, N with 12.6/0.2 mL -> C/N 5.61
    enter(
        c,
        sample,
        "organic_carbon_wet_oxidation",
        {"sample_mass_g": 0.1, "ferrous_normality": 0.5, "titrant_ml": 30.0, "blank_ml": 40.0},
    )
    enter(
        c,
        sample,
        "total_nitrogen_kjeldahl",
        {"sample_mass_g": 0.5, "acid_normality": 0.1, "titrant_ml": 12.6, "blank_ml": 0.2},
    )


def test_stability_assays_and_ccqc_verdict(client_for, sample):
    c = client_for("technician")
    r = enter(c, sample, "co2_evolution", {"co2_c_mg": 30, "dry_mass_g": 10, "organic_matter_pct": 50, "days": 3})
    assert r.status_code == 201, r.content
    assert r.json()["results"]["co2_c_mg_per_g_om_day"] == pytest.approx(2.0)
    r = enter(c, sample, "mineral_nitrogen", {"nh4_n_mg_kg": 60, "no3_n_mg_kg": 240})
    assert r.json()["results"]["nh4_no3_ratio"] == pytest.approx(0.25)
    body = maturity(c, sample).json()
    assert body["rule_set"] == "ccqc_2001" and body["verdict"] == "incomplete"  # no C/N yet: the gate is open
    assert by_indicator(body)["cn_ratio"]["status"] == "missing"

    cn_assays(c, sample)
    body = maturity(c, sample).json()
    ind = by_indicator(body)
    assert ind["cn_ratio"]["status"] == "mature" and ind["cn_ratio"]["threshold"] == "≤ 25"
    assert ind["co2_evolution"] == {
        "indicator": "co2_evolution",
        "group": "A",
        "parameter": "co2_c_mg_per_g_om_day",
        "value": pytest.approx(2.0),
        "criterion": "very mature < 2 mg CO₂-C/g OM/day, mature ≤ 4 mg CO₂-C/g OM/day, else immature",
        "status": "mature",
        "threshold": "≤ 4",
    }
    assert (ind["nh4_n"]["status"], ind["nh4_n"]["threshold"]) == ("very_mature", "< 75")
    assert ind["nh4_no3_ratio"]["status"] == "very_mature"
    assert body["groups"] == {"A": "mature", "B": "very_mature"} and body["verdict"] == "mature"

    # a second group A test, worse: the most conservative result counts
    r = enter(c, sample, "dewar", {"ambient_temperature_c": 20, "max_temperature_c": 41})
    assert r.json()["results"]["dewar_rise_c"] == pytest.approx(21.0)
    body = maturity(c, sample).json()
    assert by_indicator(body)["dewar_rise"]["status"] == "immature"
    assert body["groups"]["A"] == "immature" and body["verdict"] == "immature"

    r = enter(c, sample, "solvita", {"co2_colour": 7, "nh3_colour": 5})
    assert r.json()["results"]["solvita_co2"] == 7 and r.json()["results"]["solvita_nh3"] == 5
    # the other rule sets still answer as before
    assert maturity(c, sample, "tari_1999").json()["rule_set"] == "tari_1999"


def test_results_list_the_stability_figures(client_for, sample):
    c = client_for("technician")
    enter(c, sample, "solvita", {"co2_colour": 6})
    res = {row["parameter"]: row for row in c.get(f"/api/v1/samples/{sample.pk}/results/").json()["results"]}
    assert res["solvita_co2"]["value"] == 6 and res["solvita_co2"]["method"] == "solvita"


@pytest.mark.parametrize(
    "method,data,errors",
    [
        (
            "co2_evolution",
            {"co2_c_mg": 10, "dry_mass_g": 0, "organic_matter_pct": 120, "days": 1},
            {"dry_mass_g": ["must be > 0"], "organic_matter_pct": ["must be ≤ 100"]},
        ),
        (
            "solvita",
            {"co2_colour": 9, "nh3_colour": 2.5},
            {"co2_colour": ["must be ≤ 8"], "nh3_colour": ["must be an integer"]},
        ),
        ("solvita", {}, {"co2_colour": ["is required"], "nh3_colour": ["is required"]}),
        (
            "mineral_nitrogen",
            {"nh4_n_mg_kg": "abc", "no3_n_mg_kg": -1},
            {"nh4_n_mg_kg": ["must be a number (got 'abc')"], "no3_n_mg_kg": ["must be ≥ 0"]},
        ),
        (
            "dewar",
            {"ambient_temperature_c": 25, "max_temperature_c": 20},
            {"max_temperature_c": ["must be ≥ ambient_temperature_c (25)"]},
        ),
    ],
)
def test_bad_stability_input_is_400_per_field_and_nothing_saved(client_for, sample, method, data, errors):
    c = client_for("technician")
    r = enter(c, sample, method, data)
    body = r.json()
    assert r.status_code == 400 and {k: v for k, v in body.items() if k not in ("code", "detail", "codes")} == errors
    assert set(body["codes"]) == set(errors) and body["code"] and body["detail"]
    assert sample.assays.count() == 0


def test_unknown_rule_set_is_400(client_for, sample):
    r = maturity(client_for("technician"), sample, "ccqc_1999")
    assert r.status_code == 400 and "rule_set" in r.json()


def upload(content):
    f = io.BytesIO(content)
    f.name = "respirometer.csv"
    return f


def test_import_stability_columns(client_for, sample):
    csv = (
        f"sample_code,parameter,value,unit\n{sample.code},nh4_n_mg_kg,600,mg/kg\n"
        f"{sample.code},solvita_co2,8,\n{sample.code},solvita_nh3,6,\n"
    ).encode()
    c = client_for("technician")
    r = c.post("/api/v1/imports/", {"file": upload(csv)}, format="multipart")
    assert r.status_code == 400
    assert r.json()["errors"] == [{"row": 4, "column": "value", "reason": "must be ≤ 5"}]
    csv = csv.replace(b"solvita_nh3,6", b"solvita_nh3,3")
    r = c.post("/api/v1/imports/", {"file": upload(csv)}, format="multipart")
    assert r.status_code == 201, r.content
    cn_assays(c, sample)
    body = maturity(c, sample).json()
    assert by_indicator(body)["nh4_n"]["status"] == "immature"
    assert body["groups"] == {"A": "very_mature", "B": "immature"} and body["verdict"] == "immature"


@pytest.mark.django_db(transaction=True)
def test_certificate_under_ccqc_2001(client_for, product_a, make_sample, users):
    from certificates.models import Document
    from maturity.assays import assay_enter

    s = make_sample(product_a, "received", "LOT-CCQC")
    enter_example_results(s, users["technician"])
    assay_enter(actor=users["technician"], sample=s, method="solvita", data={"co2_colour": 7, "nh3_colour": 5})
    s = verify_sample(s, users["technician"], users["reviewer"])
    r = client_for("reviewer").post("/api/v1/certificates/", {"sample": s.pk, "rule_set": "ccqc_2001"}, format="json")
    assert r.status_code == 202, r.content
    doc = Document.objects.get(pk=r.json()["id"])
    m = doc.context["maturity"]
    assert m["rule_set"] == "ccqc_2001" and m["verdict"] == "very_mature"
    assert {i["indicator"]: i["status"] for i in m["indicators"]}["solvita_co2"] == "very_mature"
    assert doc.status == "ready"
    text = "\n".join(p.extract_text() for p in PdfReader(doc.pdf.path).pages)
    for needle in (
        "CCQC 2001",
        "[ccqc_2001]",
        "腐熟度判定 Maturity verdict 完全腐熟 Very mature",
        "very mature ≥ 7, mature ≥ 5, else immature",
    ):
        assert needle in text, needle
    r = client_for("reviewer").post("/api/v1/certificates/", {"sample": s.pk, "rule_set": "nope"}, format="json")
    assert r.status_code == 400 and "rule_set" in r.json()


def test_imported_nitrogen_gives_the_ratio_on_the_dry_basis(client_for, sample):
    c = client_for("technician")
    csv = (
        f"sample_code,parameter,value,unit,basis\n{sample.code},nh4_n_mg_kg,60,mg/kg,as_received\n"
        f"{sample.code},no3_n_mg_kg,100,mg/kg,dry\n"
    ).encode()
    assert c.post("/api/v1/imports/", {"file": upload(csv)}, format="multipart").status_code == 201
    cn_assays(c, sample)
    ind = by_indicator(maturity(c, sample).json())
    assert ind["nh4_n"]["status"] == "missing"  # as received, and no moisture result: not used
    enter(c, sample, "moisture", {"wet_mass_g": 50.0, "dry_mass_g": 20.0})  # 60 % moisture
    ind = by_indicator(maturity(c, sample).json())
    assert ind["nh4_n"]["value"] == pytest.approx(150.0)  # 60 / (1 − 0.6)
    assert ind["nh4_n"]["status"] == "mature"
    res = {row["parameter"]: row for row in c.get(f"/api/v1/samples/{sample.pk}/results/").json()["results"]}
    ratio = res["nh4_no3_ratio"]
    assert ratio["method"] == "derived" and ratio["value"] == pytest.approx(1.5)  # 150 / 100


@pytest.mark.django_db(transaction=True)
def test_reissue_keeps_the_rule_set_and_colour_numbers_are_whole(client_for, product_a, make_sample, users):
    """After the merge with main: a revoked ccqc_2001 certificate is re-issued under ccqc_2001, and the
    reporting rule prints the Solvita colour numbers as whole numbers, with the method named."""
    from maturity.assays import assay_enter

    s = make_sample(product_a, "received", "LOT-CCQC-RE")
    enter_example_results(s, users["technician"])
    assay_enter(actor=users["technician"], sample=s, method="solvita", data={"co2_colour": 7, "nh3_colour": 5})
    s = verify_sample(s, users["technician"], users["reviewer"])
    rev = client_for("reviewer")
    first = rev.post("/api/v1/certificates/", {"sample": s.pk, "rule_set": "ccqc_2001"}, format="json").json()
    assert (
        rev.post(f"/api/v1/certificates/{first['id']}/revoke/", {"reason": "wrong address"}, format="json").status_code
        == 200
    )
    r = rev.post(f"/api/v1/certificates/{first['id']}/reissue/", {"reason": "address corrected"}, format="json")
    assert r.status_code == 202, r.content
    from certificates.models import Document

    ctx = Document.objects.get(pk=r.json()["id"]).context
    assert ctx["maturity"]["rule_set"] == "ccqc_2001" and ctx["maturity"]["verdict"] == "very_mature"
    assert {i["indicator"]: i["value"] for i in ctx["maturity"]["indicators"]}["solvita_co2"] == "7"
    row = {x["parameter"]: x for x in ctx["results"]}["solvita_co2"]
    assert row["value"] == "7" and "Solvita" in row["method"]
