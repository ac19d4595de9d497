"""Issue 17 items 2–5 through the services and API: one figure per result, declarations apart,
ISO/IEC 17025 §7.8 fields, amendments, and the dossier as the lab's signed document."""

import datetime
import io

import pytest
from pypdf import PdfReader

from certificates.models import Document
from lims import services
from lims.models import AuditEntry, LabSettings
from maturity.assays import assay_enter
from web.demo_results import enter_example_results, verify_sample

pytestmark = pytest.mark.django_db(transaction=True)


def text_of(client, doc_id, kind="certificates"):
    r = client.get(f"/api/v1/{kind}/{doc_id}/download/")
    assert r.status_code == 200, r.content if hasattr(r, "content") else r
    pdf = b"".join(r.streaming_content)
    return " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())


@pytest.fixture
def verified(product_a, make_sample, users):
    s = make_sample(product_a, "received", "LOT-A")
    enter_example_results(s, users["technician"])
    return verify_sample(s, users["technician"], users["reviewer"])


def issue(client_for, sample, issue_anyway_reason=None):
    body = {"sample": sample.pk}
    if issue_anyway_reason is not None:  # required results missing: the reviewer says why it issues anyway
        body["issue_anyway_reason"] = issue_anyway_reason
    r = client_for("reviewer").post("/api/v1/certificates/", body, format="json")
    assert r.status_code == 202, r.content
    return r.json()


# ---------------------------------------------------------------- item 2 and 3: one figure per result


def test_one_figure_per_result_on_the_judged_basis(client_for, verified):
    doc = issue(client_for, verified)
    ctx = Document.objects.get(pk=doc["id"]).context
    rows = {r["parameter"]: r for r in ctx["results"]}
    checks = {c["parameter"]: c for c in ctx["compliance"]["checks"]}
    # Cu entered as 60 ± 10 mg/kg as received, moisture 32 %: 88.235 ± 14.706 dry, reported 88 ± 15 in both tables
    assert (rows["cu"]["value"], rows["cu"]["uncertainty"], rows["cu"]["basis"]) == ("88", "15", "dry")
    assert (checks["cu"]["value"], checks["cu"]["uncertainty"], checks["cu"]["limit"]) == ("88", "15", "100")
    assert ctx["moisture_used"] == "32.0"
    assert rows["ph"]["value"] == "7.4" and rows["p2o5_pct"]["value"] == "2.10"
    assert rows["p2o5_pct"]["uncertainty"] == "0.10" and rows["cd"]["value"] == "0.4"
    assert checks["total_nitrogen_pct"]["limit"] == "0.6" and checks["organic_matter_pct"]["limit"] == "60"
    text = text_of(client_for("reviewer"), doc["id"])
    assert "88 ± 15" in text and "60.00" not in text and "0.6000" not in text and "7.400" not in text
    assert "moisture 32.0 %" in text


def test_api_and_page_display_fields_use_the_same_rule(client_for, verified, web):
    body = client_for("reviewer").get(f"/api/v1/samples/{verified.pk}/results/").json()
    shown = {r["parameter"]: r["display"] for r in body["results"]}
    assert shown["ph"]["text"] == "7.4" and shown["k2o_pct"]["text"] == "1.200 ± 0.080 %"
    assert shown["cn_ratio"]["value"] == "17.4"
    page = web("reviewer", "en").get(f"/samples/{verified.pk}/").content.decode()
    assert "0.6000" not in page and "7.400" not in page


def test_customer_declaration_in_its_own_section_not_graded_as_a_test(client_for, verified):
    doc = issue(client_for, verified)
    ctx = Document.objects.get(pk=doc["id"]).context
    assert all(c["kind"] != "declaration" for c in ctx["compliance"]["checks"])
    assert [d["status"] for d in ctx["compliance"]["declarations"]] == ["pass"]
    text = text_of(client_for("reviewer"), doc["id"])
    assert "Declared by the customer" in text and "not tested by the laboratory" in text


def test_ineligible_declaration_still_decides_the_verdict_and_says_so(client_for, product_a, make_sample, users):
    services.product_update(actor=users["manufacturer"], product=product_a, chemical_fertilizer_added=True)
    s = make_sample(product_a, "received", "LOT-CHEM")
    enter_example_results(s, users["technician"])
    verify_sample(s, users["technician"], users["reviewer"])
    doc = issue(client_for, s)
    ctx = Document.objects.get(pk=doc["id"]).context
    assert ctx["compliance"]["verdict"] == "fail"
    (decl,) = ctx["compliance"]["declarations"]
    assert decl["status"] == "fail" and "not eligible" in decl["effect_en"] and "General compost" in decl["effect_en"]
    text = text_of(client_for("reviewer"), doc["id"])
    assert "the overall verdict is Fail because of it" in text


# ---------------------------------------------------------------- item 4: §7.8 fields


def test_no_certificate_before_the_lab_address_and_telephone_are_set(client_for, verified):
    LabSettings.objects.filter(pk=1).update(address="", telephone="")
    r = client_for("reviewer").post("/api/v1/certificates/", {"sample": verified.pk}, format="json")
    assert r.status_code == 400
    assert set(r.json()) - {"code", "detail", "codes"} == {"lab_settings.address", "lab_settings.telephone"}
    assert not Document.objects.exists()
    verified.refresh_from_db()
    assert verified.status == "verified"


def test_condition_on_receipt_recorded_at_receipt_and_printed(client_for, product_a, make_sample, users):
    s = make_sample(product_a, "registered", "LOT-C")
    r = client_for("technician").post(
        f"/api/v1/samples/{s.pk}/transitions/",
        {"action": "receive", "condition": "bag torn at one corner, 1.8 kg"},
        format="json",
    )
    assert r.status_code == 200 and r.json()["condition_on_receipt"] == "bag torn at one corner, 1.8 kg"
    assert AuditEntry.objects.filter(
        sample=s, action="transition:receive", changes__has_key="condition_on_receipt"
    ).exists() or "condition_on_receipt" in str(AuditEntry.objects.get(sample=s, action="transition:receive").changes)
    s.refresh_from_db()
    enter_example_results(s, users["technician"])
    verify_sample(s, users["technician"], users["reviewer"])
    doc = issue(client_for, s)
    text = text_of(client_for("reviewer"), doc["id"])
    assert "bag torn at one corner, 1.8 kg" in text


def test_method_references_are_data_and_right_per_parameter(client_for, verified):
    doc = issue(client_for, verified)
    rows = {r["parameter"]: r for r in Document.objects.get(pk=doc["id"]).context["results"]}
    assert rows["cu"]["method_code"] == "LAB-MT-01" and "ICP-OES" in rows["cu"]["method_title_en"]
    assert rows["cd"]["lod"] == "0.4"
    assert rows["ph"]["method_title_en"].startswith("pH meter")
    assert "Reducing sugar" not in rows["total_carbon_pct"]["method_title_en"]
    assert rows["total_carbon_pct"]["method_title_en"] == "Total carbon, dry combustion"
    assert len({rows[m]["method_title_en"] for m in ("ph", "ec_ds_m", "p2o5_pct", "k2o_pct", "cu")}) == 5
    # a lab admin edits the data; the next certificate prints it
    from maturity.models import MethodReference

    MethodReference.objects.filter(method="direct", parameter="cu").update(code="NIEA R317.11C", lod=0.5)
    ctx = services_supersede_ctx(client_for, doc)
    cu = next(r for r in ctx["results"] if r["parameter"] == "cu")
    assert cu["method_code"] == "NIEA R317.11C" and cu["lod"] == "0.5"


def services_supersede_ctx(client_for, doc):
    from certificates import services as cs
    from lims.models import User

    old = Document.objects.get(pk=doc["id"])
    sample = old.sample
    rev = User.objects.get(username="rev")
    services.sample_transition(actor=rev, sample=sample, action="retest", reason="method data changed")
    tech = User.objects.get(username="tech")
    enter_example_results(sample, tech)
    verify_sample(sample, tech, User.objects.get(username="rev2"))
    return cs.certificate_supersede(actor=rev, document=old, reason="method reference corrected").context


def test_outside_scope_and_external_provider_marked(client_for, verified):
    LabSettings.objects.filter(pk=1).update(accreditation_body="TAF", accreditation_number="L1234")
    from maturity.models import MethodReference

    MethodReference.objects.filter(method="direct", parameter="pb").update(external_provider="Metals Lab Ltd.")
    doc = issue(client_for, verified)
    text = text_of(client_for("reviewer"), doc["id"])
    assert "TAF L1234" in text and "outside the laboratory's accreditation scope" in text
    assert "† " in text or "†" in text  # chromatogram score: outside the scope in the bundled data
    assert "§ Metals Lab Ltd." in text


def test_amendment_prints_its_reason_and_marks_changed_results(client_for, verified, users):
    doc = issue(client_for, verified)
    rev = client_for("reviewer")
    assert (
        rev.post(
            f"/api/v1/samples/{verified.pk}/transitions/", {"action": "retest", "reason": "Cu re-run"}, format="json"
        ).status_code
        == 200
    )
    enter_example_results(verified, users["technician"])
    assay_enter(
        actor=users["technician"],
        sample=verified,
        method="direct",
        data={"values": {"cu": {"value": 50, "basis": "as_received", "uncertainty": 10}}},
    )
    verify_sample(verified, users["technician"], users["reviewer2"])
    r = rev.post(
        f"/api/v1/certificates/{doc['id']}/supersede/",
        {"reason": "copper re-analysed after a QC failure"},
        format="json",
    )
    assert r.status_code == 202, r.content
    ctx = Document.objects.get(pk=r.json()["id"]).context
    assert ctx["amendment"] == {
        "replaces": doc["number"],
        "reason": "copper re-analysed after a QC failure",
        "changed": ["cu"],
    }
    assert [x["parameter"] for x in ctx["results"] if x.get("changed")] == ["cu"]
    text = text_of(rev, r.json()["id"])
    assert "copper re-analysed after a QC failure" in text and f"replaces {doc['number']}" in text
    assert "changed results (*): cu" in text


def test_signatory_name_title_and_signature_image(client_for, verified, users):
    from django.core.files.base import ContentFile

    from web.demo import _signature_png

    rev = users["reviewer"]
    rev.title = "Technical manager 技術主管"
    rev.first_name, rev.last_name = "Chih-Wei", "Chen"
    rev.signature.save("rev.png", ContentFile(_signature_png("x")), save=False)
    rev.save()
    doc = issue(client_for, verified)
    sig = Document.objects.get(pk=doc["id"]).context["signatory"]
    assert (
        sig["name"] == "Chih-Wei Chen" and sig["title"] == "Technical manager 技術主管" and len(sig["signature"]) > 100
    )
    text = text_of(client_for("reviewer"), doc["id"])
    assert "Authorised signatory" in text and "Technical manager" in text and "End of report" in text
    pdf = b"".join(client_for("reviewer").get(f"/api/v1/certificates/{doc['id']}/download/").streaming_content)
    xobjects = [
        x.get_object().get("/Subtype")
        for page in PdfReader(io.BytesIO(pdf)).pages
        for x in ((page["/Resources"].get("/XObject") or {}).values())
    ]
    assert "/Image" in xobjects  # the signature is drawn


def test_lab_admin_uploads_a_reviewers_signature_in_admin(web, users):
    page = web("lab_admin", "en").get(f"/admin/lims/user/{users['reviewer'].pk}/change/").content.decode()
    assert 'name="signature"' in page and 'name="title"' in page


def test_table_rows_are_not_orphaned():
    from reportlab.platypus import Paragraph

    from certificates.layout import ST, data_table

    rows = [[Paragraph(f"row {i}", ST["cell"]), Paragraph("x", ST["cell"])] for i in range(8)]
    t = data_table(["a", "b"], rows, [40, 40])
    w, h = t.wrap(200, 10_000)
    row_h = t._rowHeights[1]
    header = t._rowHeights[0]
    for avail in [header + row_h * k + 0.5 for k in range(1, 9)]:
        parts = t.split(200, avail)
        if not parts:
            continue
        for part in parts:
            assert len(part._cellvalues) - 1 >= 2, (avail, [len(p._cellvalues) for p in parts])


# ---------------------------------------------------------------- item 5: the dossier


@pytest.fixture
def two_samples(product_a, make_sample, users):
    a = make_sample(product_a, "received", "LOT-A")
    enter_example_results(a, users["technician"])
    assay_enter(
        actor=users["technician"],
        sample=a,
        method="direct",
        data={"values": {"cu": {"value": 117, "basis": "as_received"}}},
    )  # 172 mg/kg dry
    b = make_sample(product_a, "received", "LOT-B")
    enter_example_results(b, users["technician"])
    return verify_sample(a, users["technician"], users["reviewer"]), verify_sample(
        b, users["technician"], users["reviewer"]
    )


def request_dossier(client, product, samples, **extra):
    return client.post(
        "/api/v1/registrations/",
        {"product": product.pk, "samples": [s.pk for s in samples], "declared": {"total_nitrogen_pct": 2.0}, **extra},
        format="json",
    )


def test_dossier_judges_every_sample_whatever_the_order(client_for, two_samples, product_a):
    a, b = two_samples
    issue(client_for, a)
    m = client_for("manufacturer")
    verdicts = []
    for order in ([a, b], [b, a]):
        r = request_dossier(m, product_a, order)
        assert r.status_code == 202, r.content
        ctx = Document.objects.get(pk=r.json()["id"]).context
        verdicts.append(ctx["compliance_verdict"])
        listed = {s["code"]: s for s in ctx["samples"]}
        assert set(listed) == {a.code, b.code}
        assert listed[a.code]["compliance_verdict"] == "fail" and listed[b.code]["compliance_verdict"] == "pass"
        assert listed[a.code]["certificate"].startswith("CQ-") and listed[b.code]["certificate"] == ""
        assert listed[a.code]["results"] and listed[a.code]["maturity_verdict"] == "mature"
        metals = {x["parameter"]: x for x in ctx["metals"]}
        assert metals["cu"]["sample"] == a.code and metals["cu"]["status"] == "fail"
        assert metals["cd"]["status"] == "no_limit" and metals["pb"]["status"] == "no_limit"
        (n,) = ctx["declared"]
        assert n["sample"] and "lowest of the samples" in ctx["declared_rule"]["en"]
    assert verdicts == ["fail", "fail"]


def test_dossier_is_signed_by_a_reviewer_before_it_can_be_downloaded(client_for, two_samples, product_a, users):
    a, _ = two_samples
    m = client_for("manufacturer")
    r = request_dossier(m, product_a, [a])
    doc_id = r.json()["id"]
    assert r.json()["status"] == "awaiting_signature" and r.json()["download_url"] is None
    assert m.get(f"/api/v1/registrations/{doc_id}/download/").status_code == 409
    for role in ("manufacturer", "technician", "lab_admin"):
        assert client_for(role).post(f"/api/v1/registrations/{doc_id}/sign/").status_code == 403, role
    assert client_for("reviewer").post(f"/api/v1/registrations/{doc_id}/sign/").status_code == 202
    assert client_for("reviewer").post(f"/api/v1/registrations/{doc_id}/sign/").status_code == 409
    doc = Document.objects.get(pk=doc_id)
    assert doc.status == "ready" and doc.signed_by == users["reviewer"] and doc.signed_at
    assert doc.context["signature"]["name"] == users["reviewer"].display_name and doc.context["issue_date"]
    assert AuditEntry.objects.filter(entity="registration", entity_id=doc_id, action="sign").exists()
    text = text_of(m, doc_id, "registrations")
    assert "Authorised signatory" in text and "Requested by" in text and users["reviewer"].display_name in text


def test_test_report_older_than_one_year_is_refused(client_for, two_samples, product_a):
    a, _ = two_samples
    later = (datetime.date.today() + datetime.timedelta(days=400)).isoformat()
    r = request_dossier(client_for("manufacturer"), product_a, [a], application_date=later)
    assert r.status_code == 400 and "more than one year old" in " ".join(r.json()["samples"])
    old_description = (datetime.date.today() - datetime.timedelta(days=366)).isoformat()
    r = request_dossier(client_for("manufacturer"), product_a, [a], description={"issued_on": old_description})
    assert r.status_code == 400 and "Art. 16" in " ".join(r.json()["description.issued_on"])
    assert not Document.objects.filter(kind="registration").exists()


def test_raw_materials_must_be_named(client_for, two_samples, product_a, users):
    a, _ = two_samples
    from lims.models import Product

    Product.objects.filter(pk=product_a.pk).update(raw_materials=[])
    r = request_dossier(client_for("manufacturer"), product_a, [a])
    assert r.status_code == 400 and "Art. 10" in " ".join(r.json()["product"])


def test_industrial_waste_documents_recorded_or_marked_missing(client_for, two_samples, product_a):
    a, _ = two_samples
    today = datetime.date.today().isoformat()
    metals = {"as": 5, "cd": 1, "cr": 20, "cu": 150, "hg": 0.2, "ni": 10, "pb": 30, "zn": 300}
    r = request_dossier(
        client_for("manufacturer"),
        product_a,
        [a],
        industrial_waste=True,
        description={"brand": "綠源 Green Source", "use": "basal fertilizer for vegetables", "issued_on": today},
        waste_documents={
            "reuse_permit": {"reference": "府環字第 1130001 號", "date": today},
            "composition_report": {"reference": "R-88", "date": today, "metals": metals},
        },
    )
    assert r.status_code == 202, r.content
    assert client_for("reviewer").post(f"/api/v1/registrations/{r.json()['id']}/sign/").status_code == 202
    reg = Document.objects.get(pk=r.json()["id"]).context["registration"]
    docs = {d["key"]: d for d in reg["waste_documents"]}
    assert docs["reuse_permit"]["status"] == "recorded"
    assert docs["composition_report"]["status"] == "fail"  # Cu 150 > 100 mg/kg of general compost
    cu = next(x for x in docs["composition_report"]["metals"] if x["parameter"] == "cu")
    assert cu["status"] == "fail" and cu["limit"] == 100
    assert next(x for x in docs["composition_report"]["metals"] if x["parameter"] == "cd")["status"] == "no_limit"
    assert {docs[k]["status"] for k in ("harmful_component_report", "crop_toxicity_report", "waste_list")} == {
        "missing"
    }
    text = text_of(client_for("manufacturer"), r.json()["id"], "registrations")
    assert "Waste-reuse permit" in text and "府環字第 1130001 號" in text and "Missing" in text
    assert "綠源 Green Source" in text and "basal fertilizer for vegetables" in text
    bad = request_dossier(
        client_for("manufacturer"),
        product_a,
        [a],
        industrial_waste=True,
        waste_documents={"composition_report": {"date": today, "metals": {"cu": 1}}},
    )
    assert bad.status_code == 400 and "waste_documents.composition_report.metals" in bad.json()


def test_reviewer_signs_a_dossier_on_its_page(client_for, two_samples, product_a, web):
    a, _ = two_samples
    doc_id = request_dossier(client_for("manufacturer"), product_a, [a]).json()["id"]
    rev = web("reviewer", "en")
    assert "Registration dossiers to sign" in rev.get("/review/").content.decode()
    page = rev.get(f"/documents/{doc_id}/").content.decode()
    assert "Sign and issue" in page
    rev.post(f"/documents/{doc_id}/sign/")
    assert Document.objects.get(pk=doc_id).status == "ready"
    assert "Sign and issue" not in web("manufacturer", "en").get(f"/documents/{doc_id}/").content.decode()


def test_without_moisture_an_as_received_content_is_labelled_and_says_why(client_for, product_a, make_sample, users):
    s = make_sample(product_a, "received", "LOT-NOMOIST")
    assay_enter(
        actor=users["technician"],
        sample=s,
        method="direct",
        data={"values": {"cu": {"value": 60, "basis": "as_received", "uncertainty": 10}}},
    )
    verify_sample(s, users["technician"], users["reviewer"])
    # without moisture the as-received Cu cannot be judged (and the other required results are absent):
    # the certificate issues only with a reason to issue anyway
    doc = issue(client_for, s, issue_anyway_reason="customer asked for Cu as received only")
    ctx = Document.objects.get(pk=doc["id"]).context
    cu = next(r for r in ctx["results"] if r["parameter"] == "cu")
    assert (cu["value"], cu["basis"]) == ("60", "as_received") and "no moisture result" in cu["basis_note"]
    check = next(c for c in ctx["compliance"]["checks"] if c["parameter"] == "cu")
    assert check["status"] == "missing" and check["value"] == ""
    assert "no moisture result" in text_of(client_for("reviewer"), doc["id"])
