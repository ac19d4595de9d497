"""Issue 11 through the API: a worksheet of 10 samples + blank + duplicate + reference, the whole grid
entered at once, a failing duplicate and a 2_2s reject, submit blocked, release by a reviewer with a
reason, QC-derived U on the samples' results; role rules."""

import datetime

import pytest

pytestmark = pytest.mark.django_db

TN = "total_nitrogen_pct"


def direct(value, **extra):
    return {"values": {TN: {"value": value, "unit": "%", "basis": "dry", **extra}}}


@pytest.fixture
def rm(client_for):
    r = client_for("lab_admin").post(
        "/api/v1/qc/reference-materials/",
        {
            "code": "CRM-N-1",
            "name": "Compost CRM",
            "kind": "certified",
            "parameter": TN,
            "assigned_value": 2.0,
            "expanded_uncertainty": 0.06,
            "unit": "%",
            "lot": "L-2026-01",
            "expires_on": (datetime.date.today() + datetime.timedelta(days=365)).isoformat(),
        },
        format="json",
    )
    assert r.status_code == 201, r.content
    assert r.json()["u_cref_pct"] == pytest.approx(1.5)
    from qc.models import ReferenceMaterial

    return ReferenceMaterial.objects.get(pk=r.json()["id"])


@pytest.fixture
def chart(rm, users):
    """Chart set by the lab (centre 2.0, s 0.05) with three earlier points, the last at +2.5 s."""
    from django.utils import timezone

    from qc import services
    from qc.models import ChartPoint, ControlChart

    chart = ControlChart.objects.create(method="direct", parameter=TN, reference_material=rm)
    services.chart_set(actor=users["lab_admin"], chart=chart, centre=2.0, s=0.05, reason="from the CRM certificate")
    t0 = timezone.now() - datetime.timedelta(days=3)
    for i, v in enumerate((1.98, 2.02, 2.125)):
        ChartPoint.objects.create(chart=chart, value=v, at=t0 + datetime.timedelta(hours=i))
    services._reevaluate(chart)
    return chart


@pytest.fixture
def samples(product_a, make_sample):
    return [make_sample(product_a, "received", lot=f"L-{i}") for i in range(10)]


def create_worksheet(c, samples, rm):
    return c.post(
        "/api/v1/worksheets/",
        {
            "method": "direct",
            "samples": [s.pk for s in samples],
            "qc_items": [
                {"kind": "blank"},
                {"kind": "duplicate", "of": samples[0].pk},
                {"kind": "reference", "reference_material": rm.pk},
            ],
        },
        format="json",
    )


def grid(samples):
    entries = {str(i + 1): direct(1.50 + i * 0.01) for i in range(len(samples))}
    entries["11"] = direct(0.001)  # blank
    entries["12"] = direct(1.80)  # duplicate of position 1 (1.50): RPD 18.2 % > 10 %
    entries["13"] = direct(2.13)  # reference: z = +2.6 after +2.5: 2_2s
    return entries


def test_technician_path_to_release(client_for, samples, rm, chart, users):
    from lims.models import AuditEntry
    from maturity.models import Assay

    tech = client_for("technician")
    r = create_worksheet(tech, samples, rm)
    assert r.status_code == 201, r.content
    ws = r.json()
    assert [p["kind"] for p in ws["positions"]] == ["sample"] * 10 + ["blank", "duplicate", "reference"]
    assert ws["positions"][11]["of_position"] == 1
    url = f"/api/v1/worksheets/{ws['id']}/"

    # live preview: per-cell errors and computed figures, nothing saved
    entries = grid(samples)
    bad = dict(entries, **{"3": {"values": {TN: {"value": "abc", "unit": "%"}}}})
    del bad["5"]
    r = tech.post(url + "preview/", {"entries": bad}, format="json")
    assert r.status_code == 200
    body = r.json()
    assert body["3"]["errors"] and body["5"]["errors"] == {"data": ["Enter this position's results."]}
    assert body["12"]["judgements"][TN]["status"] == "fail"
    assert body["12"]["judgements"][TN]["code"] == "rpd_above_limit"
    assert body["12"]["judgements"][TN]["params"]["rpd"] == pytest.approx(0.30 / 1.65 * 100)
    r = tech.post(url + "enter/", {"entries": bad}, format="json")
    assert r.status_code == 400
    assert set(r.json()) >= {"positions.5.data"} and any(k.startswith("positions.3.") for k in r.json())
    assert Assay.objects.count() == 0  # nothing half-saved

    r = tech.post(url + "enter/", {"entries": entries}, format="json")
    assert r.status_code == 200, r.content
    pos = {p["number"]: p for p in r.json()["positions"]}
    assert r.json()["status"] == "entered"
    assert pos[12]["judgements"][TN]["status"] == "fail"
    ref = pos[13]["judgements"][TN]
    assert ref["status"] == "fail" and ref["code"] == "westgard_reject" and "2_2s" in ref["westgard"]
    assert pos[11]["judgements"][TN]["code"] == "loq_not_set"
    assert Assay.objects.filter(method="direct").count() == 10

    # a reject blocks submitting, for the worksheet and for each of its samples
    r = tech.post(url + "submit/", format="json")
    assert r.status_code == 409 and r.json()["code"] == "worksheet_qc_reject"
    r = tech.post(f"/api/v1/samples/{samples[0].pk}/transitions/", {"action": "submit"}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "worksheet_qc_reject"

    # only a reviewer releases, with a reason, audited
    assert tech.post(url + "release/", {"reason": "x"}, format="json").status_code == 403
    rev = client_for("reviewer")
    r = rev.post(url + "release/", {"reason": ""}, format="json")
    assert r.status_code == 400 and "reason" in r.json()
    r = rev.post(url + "release/", {"reason": "CRM re-run within limits; drift investigated"}, format="json")
    assert r.status_code == 200 and r.json()["released_by"] == "rev"
    entry = AuditEntry.objects.get(entity="worksheet", action="release")
    assert entry.actor == users["reviewer"] and entry.reason.startswith("CRM re-run")

    r = tech.post(url + "submit/", format="json")
    assert r.status_code == 200 and r.json()["status"] == "submitted"
    for s in samples:
        s.refresh_from_db()
        assert s.status == "to_be_verified"

    # U from the accepted reference points (Nordtest) reaches results entered without U
    r = tech.get(f"/api/v1/qc/limits/?method=direct&parameter={TN}")
    lim = r.json()["results"][0]
    rel = [-1.0, 1.0, 6.25]
    assert lim["uncertainty_data"]["n"] == 3
    assert lim["uncertainty_data"]["rms_bias_pct"] == pytest.approx((sum(b * b for b in rel) / 3) ** 0.5)
    from maturity.selectors import sample_figures

    figures = sample_figures(samples[2])
    assert figures.measurements[TN].uncertainty == pytest.approx(1.52 * lim["uncertainty_pct"] / 100)
    assert TN in figures.qc_estimated
    from certificates.context import result_rows

    row = next(r for r in result_rows(figures) if r["parameter"] == TN)
    assert row["uncertainty_from_qc"] is True and row["uncertainty"]
    from qc.selectors import sample_qc_passed

    assert sample_qc_passed(samples[2]) is False  # released, not passed: the certificate does not claim it

    # the chart as SVG marks the reject
    svg = tech.get(f"/api/v1/qc/charts/{chart.pk}/svg/")
    assert svg["Content-Type"] == "image/svg+xml" and b'class="point reject"' in svg.content

    # regulators read the QC record; manufacturers see none of it
    r = client_for("regulator").get(f"/api/v1/samples/{samples[0].pk}/qc/")
    assert r.status_code == 200 and r.json()[0]["qc_status"] == "fail" and r.json()[0]["released_by"] == "rev"
    maker = client_for("manufacturer")
    for path in (
        f"/api/v1/samples/{samples[0].pk}/qc/",
        "/api/v1/worksheets/",
        "/api/v1/qc/charts/",
        "/api/v1/qc/reference-materials/",
        "/api/v1/qc/limits/",
    ):
        assert maker.get(path).status_code == 403, path


def test_result_with_its_own_u_keeps_it_and_below_lod_is_reported(client_for, product_a, make_sample, users):
    from maturity.selectors import sample_figures
    from qc import services

    services.limits_set(
        actor=users["lab_admin"], method="direct", parameter=TN, lod=0.05, loq=0.15, reason="validation report 2026"
    )
    a, b = make_sample(product_a, "received", lot="A"), make_sample(product_a, "received", lot="B")
    tech = client_for("technician")
    tech.post(f"/api/v1/samples/{a.pk}/assays/", {"method": "direct", "data": direct(0.04)}, format="json")
    tech.post(f"/api/v1/samples/{b.pk}/assays/", {"method": "direct", "data": direct(0.05)}, format="json")
    ma, mb = sample_figures(a).measurements[TN], sample_figures(b).measurements[TN]
    assert (ma.qualifier, ma.value) == ("<", 0.05)
    assert (mb.qualifier, mb.value) == ("", 0.05)


def test_worksheet_create_errors(client_for, samples, rm, product_a, make_sample):
    tech = client_for("technician")
    registered = make_sample(product_a, "registered", lot="R")
    r = tech.post(
        "/api/v1/worksheets/",
        {
            "method": "nope",
            "samples": [registered.pk],
            "qc_items": [{"kind": "bogus"}, {"kind": "duplicate", "of": samples[0].pk}, {"kind": "spike", "added": 0}],
        },
        format="json",
    )
    assert r.status_code == 400
    body = r.json()
    assert set(body) >= {
        "method",
        "samples",
        "qc_items.0.kind",
        "qc_items.1.of",
        "qc_items.2.added",
        "qc_items.2.parameter",
    }
    assert tech.post("/api/v1/worksheets/", {"method": "direct", "samples": [999999]}, format="json").status_code == 400
    assert create_worksheet(tech, samples, rm).status_code == 201
    r = create_worksheet(tech, samples[:1], rm)
    assert r.status_code == 400 and "already on an open worksheet" in r.json()["samples"][0]
    assert create_worksheet(client_for("regulator"), samples, rm).status_code == 403


def test_template_and_spike(client_for, samples, users):
    admin = client_for("lab_admin")
    r = admin.post(
        "/api/v1/qc/templates/",
        {
            "name": "N: 10 samples + blank + spike",
            "method": "direct",
            "sample_count": 10,
            "qc_items": [{"kind": "blank"}],
        },
        format="json",
    )
    assert r.status_code == 201
    assert client_for("technician").post("/api/v1/qc/templates/", {}, format="json").status_code == 403
    tech = client_for("technician")
    r = tech.post(
        "/api/v1/worksheets/", {"template": r.json()["id"], "samples": [s.pk for s in samples[:2]]}, format="json"
    )
    assert r.status_code == 201 and r.json()["method"] == "direct"
    assert [p["kind"] for p in r.json()["positions"]] == ["sample", "sample", "blank"]
    r = tech.post(
        "/api/v1/worksheets/",
        {
            "method": "direct",
            "samples": [samples[5].pk],
            "qc_items": [{"kind": "spike", "of": samples[5].pk, "parameter": TN, "added": 0.5}],
        },
        format="json",
    )
    ws = r.json()["id"]
    r = tech.post(
        f"/api/v1/worksheets/{ws}/preview/", {"entries": {"1": direct(1.0), "2": direct(1.39)}}, format="json"
    )
    assert r.json()["2"]["judgements"][TN]["status"] == "fail"  # 78 %
    r = tech.post(
        f"/api/v1/worksheets/{ws}/preview/", {"entries": {"1": direct(1.0), "2": direct(1.40)}}, format="json"
    )
    assert r.json()["2"]["judgements"][TN]["status"] == "pass"  # 80 %: on the limit


def test_limits_and_chart_set_need_lab_admin_and_reason(client_for, chart):
    assert (
        client_for("technician")
        .post("/api/v1/qc/limits/", {"method": "direct", "parameter": TN, "reason": "x"}, format="json")
        .status_code
        == 403
    )
    admin = client_for("lab_admin")
    r = admin.post(
        "/api/v1/qc/limits/", {"method": "direct", "parameter": TN, "rpd_limit_pct": 15, "reason": ""}, format="json"
    )
    assert r.status_code == 400 and "reason" in r.json()
    r = admin.post(
        "/api/v1/qc/limits/",
        {"method": "direct", "parameter": TN, "lod": 0.5, "loq": 0.1, "reason": "validation"},
        format="json",
    )
    assert r.status_code == 400 and "loq" in r.json()
    r = admin.post(f"/api/v1/qc/charts/{chart.pk}/set/", {"centre": 2.0, "s": 0, "reason": "x"}, format="json")
    assert r.status_code == 400 and "s" in r.json()
    assert (
        client_for("reviewer")
        .post(f"/api/v1/qc/charts/{chart.pk}/set/", {"centre": 2, "s": 0.1, "reason": "x"})
        .status_code
        == 403
    )


def test_import_targets_a_worksheet(client_for, samples, rm, chart):
    from django.core.files.uploadedfile import SimpleUploadedFile

    tech = client_for("technician")
    ws = create_worksheet(tech, samples[:2], rm).json()
    url = f"/api/v1/worksheets/{ws['id']}/import/"
    rows = [
        "sample_code,parameter,value,unit,basis",
        f"{samples[0].code},{TN},1.50,%,dry",
        f"{samples[1].code},{TN},1.60,%,dry",
        f"WS-{ws['id']}-3,{TN},0.001,%,dry",
        f"WS-{ws['id']}-4,{TN},1.52,%,dry",
    ]
    bad = "\n".join(rows + [f"WS-{ws['id']}-9,{TN},1,%,dry"])
    r = tech.post(url, {"file": SimpleUploadedFile("run.csv", bad.encode())}, format="multipart")
    assert r.status_code == 400 and r.json()["errors"][0]["row"] == 6
    r = tech.post(url, {"file": SimpleUploadedFile("run.csv", "\n".join(rows[:-1]).encode())}, format="multipart")
    assert r.status_code == 400 and "positions.4.data" in r.json()  # the whole grid, or nothing
    r = tech.post(
        url,
        {"file": SimpleUploadedFile("run.csv", "\n".join(rows + [f"WS-{ws['id']}-5,{TN},2.0,%,dry"]).encode())},
        format="multipart",
    )
    assert r.status_code == 200, r.content
    pos = {p["number"]: p for p in r.json()["positions"]}
    assert pos[4]["judgements"][TN]["status"] == "pass"  # RPD 1.3 %
    assert pos[1]["assay"] is not None


def test_bench_sheet_pdf_has_positions_codes_and_barcodes(client_for, samples, rm):
    import io
    import shutil
    import subprocess
    import tempfile

    from pypdf import PdfReader

    tech = client_for("technician")
    ws = create_worksheet(tech, samples, rm).json()
    r = tech.get(f"/api/v1/worksheets/{ws['id']}/bench-sheet/")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages)
    for s in samples:
        assert s.code in text
    assert f"WS-{ws['id']}-13" in text and "CRM-N-1 lot L-2026-01" in text and f"of #1 {samples[0].code}" in text
    assert client_for("manufacturer").get(f"/api/v1/worksheets/{ws['id']}/bench-sheet/").status_code == 403
    if shutil.which("zbarimg") and shutil.which("pdftoppm"):
        with tempfile.TemporaryDirectory() as d:
            open(f"{d}/ws.pdf", "wb").write(r.content)
            subprocess.run(["pdftoppm", "-r", "200", "-png", "-f", "1", "-l", "1", f"{d}/ws.pdf", f"{d}/p"], check=True)
            png = next(__import__("pathlib").Path(d).glob("p*.png"))
            out = subprocess.run(["zbarimg", "-q", str(png)], capture_output=True, text=True).stdout
            assert f"CODE-128:{samples[0].code}" in out


def test_load_demo_adds_a_chart_of_25_points_with_one_violation_and_an_open_worksheet():
    from django.core.management import call_command

    from qc.models import ChartPoint, ControlChart, QcLimits, Worksheet

    call_command("load_demo", password="demo-pw-qc")
    call_command("load_demo", password="demo-pw-qc")  # idempotent
    chart = ControlChart.objects.get()
    points = list(chart.points.order_by("at"))
    assert len(points) == 25 and chart.s is not None and not chart.set_by_lab
    flagged = [p for p in points if p.violations]
    assert len(flagged) == 1 and "1_3s" in flagged[0].violations and not flagged[0].accepted
    assert ChartPoint.objects.count() == 25
    ws = Worksheet.objects.get(status="open")
    assert [p.kind for p in ws.positions.order_by("number")][-3:] == ["blank", "duplicate", "reference"]
    assert QcLimits.objects.get(method="direct", parameter=TN).uncertainty_pct > 0


def test_guarded_decision_rule_uses_the_qc_uncertainty(client_for, product_a, make_sample):
    from qc.models import QcLimits

    s = make_sample(product_a, "received", lot="CU")
    client_for("technician").post(
        f"/api/v1/samples/{s.pk}/assays/",
        {"method": "direct", "data": {"values": {"cu": {"value": 90, "unit": "mg/kg", "basis": "dry"}}}},
        format="json",
    )
    url = f"/api/v1/samples/{s.pk}/compliance/?decision_rule=guarded"

    def cu():
        return next(c for c in client_for("reviewer").get(url).json()["checks"] if c["parameter"] == "cu")

    before = cu()
    assert before["uncertainty"] is None and before["status"] == "pass"
    QcLimits.objects.create(method="direct", parameter="cu", uncertainty_pct=20.0)
    after = cu()
    assert after["uncertainty"] == pytest.approx(18.0) and after["status"] == "conditional"


def test_bad_ids_are_400_not_500(client_for, samples):
    tech = client_for("technician")
    r = tech.post(
        "/api/v1/worksheets/",
        {
            "method": "direct",
            "samples": [samples[0].pk],
            "qc_items": [{"kind": "reference", "reference_material": "abc"}, {"kind": "duplicate", "of": "x"}],
        },
        format="json",
    )
    assert r.status_code == 400
    assert set(r.json()) == {"qc_items.0.reference_material", "qc_items.1.of", "code", "detail", "codes"}
    ws = create_worksheet(tech, samples[1:3], type("RM", (), {"pk": 999})()).json()
    assert "qc_items.2.reference_material" in ws
    r = client_for("lab_admin").post(
        "/api/v1/qc/limits/", {"method": "direct", "parameter": "nope", "reason": "x"}, format="json"
    )
    assert r.status_code == 400 and "parameter" in r.json()
    ws = tech.post("/api/v1/worksheets/", {"method": "direct", "samples": [samples[3].pk]}, format="json").json()
    for entries in ({"1": "text"}, {"1": [1, 2]}, {"1": {"values": {TN: {"value": None}}}}, {"x": {}}):
        r = tech.post(f"/api/v1/worksheets/{ws['id']}/preview/", {"entries": entries}, format="json")
        assert r.status_code == 200 and r.json()["1"]["errors"], entries
        assert (
            tech.post(f"/api/v1/worksheets/{ws['id']}/enter/", {"entries": entries}, format="json").status_code == 400
        )


def test_a_1_2s_warning_does_not_block_and_qc_passes(client_for, samples, rm, users):
    from qc import services
    from qc.models import ControlChart
    from qc.selectors import sample_qc_passed

    chart = ControlChart.objects.create(method="direct", parameter=TN, reference_material=rm)
    services.chart_set(actor=users["lab_admin"], chart=chart, centre=2.0, s=0.05, reason="CRM certificate")
    services.limits_set(
        actor=users["lab_admin"], method="direct", parameter=TN, lod=0.01, loq=0.03, reason="validation"
    )
    tech = client_for("technician")
    ws = create_worksheet(tech, samples[:1], rm).json()
    entries = {"1": direct(1.50), "2": direct(0.02), "3": direct(1.52), "4": direct(2.125)}
    r = tech.post(f"/api/v1/worksheets/{ws['id']}/enter/", {"entries": entries}, format="json")
    pos = {p["number"]: p for p in r.json()["positions"]}
    assert pos[2]["judgements"][TN]["status"] == "pass"  # 0.02 < LOQ 0.03
    assert pos[3]["judgements"][TN]["status"] == "pass"
    ref = pos[4]["judgements"][TN]
    assert ref["status"] == "warning" and ref["westgard"] == ["1_2s"] and ref["params"]["z"] == pytest.approx(2.5)
    assert tech.post(f"/api/v1/worksheets/{ws['id']}/submit/", format="json").status_code == 200
    assert sample_qc_passed(samples[0]) is True
    assert sample_qc_passed(samples[5]) is None  # never on a worksheet


@pytest.mark.parametrize(
    "assigned, expanded", [(1e-300, 1e300), (-5e-324, 1.0), (2.0, -0.1)], ids=["overflow", "subnormal", "negative"]
)
def test_reference_material_uncertainty_that_cannot_be_stated_is_400_naming_the_field(client_for, assigned, expanded):
    # found by the schema fuzzer: u_cref_pct overflowed to inf and the answer could not be written (a 500)
    r = client_for("lab_admin").post(
        "/api/v1/qc/reference-materials/",
        {
            "code": "CRM-X",
            "name": "x",
            "kind": "certified",
            "parameter": TN,
            "assigned_value": assigned,
            "expanded_uncertainty": expanded,
            "unit": "%",
            "lot": "L",
            "expires_on": "2030-01-01",
        },
        format="json",
    )
    assert r.status_code == 400, r.content
    assert list(r.json()["codes"]) == ["expanded_uncertainty"]
    from qc.models import ReferenceMaterial

    assert not ReferenceMaterial.objects.filter(code="CRM-X").exists()


def test_qc_input_errors_carry_their_specific_codes(client_for, samples, rm, chart, product_a, make_sample, users):
    """Issue 14: each QC error names its rule in "codes" (not the default "invalid")."""
    tech = client_for("technician")
    registered = make_sample(product_a, "registered", lot="R-codes")
    r = tech.post(
        "/api/v1/worksheets/",
        {
            "method": "direct",
            "samples": [registered.pk],
            "qc_items": [{"kind": "bogus"}, {"kind": "duplicate", "of": samples[0].pk}, {"kind": "spike", "added": 0}],
        },
        format="json",
    )
    assert r.status_code == 400
    assert r.json()["codes"] == {
        "samples": ["sample_not_waiting"],
        "qc_items.0.kind": ["qc_kind_unknown"],
        "qc_items.1.of": ["qc_of_not_in_worksheet"],
        "qc_items.2.added": ["added_not_positive"],
        "qc_items.2.parameter": ["spike_parameter_required"],
    }
    admin = client_for("lab_admin")
    r = admin.post(f"/api/v1/qc/charts/{chart.pk}/set/", {"centre": 2.0, "s": 0, "reason": "x"}, format="json")
    assert (r.status_code, r.json()["code"], r.json()["codes"]) == (400, "s_not_positive", {"s": ["s_not_positive"]})
    from lims.messages import code_of
    from maturity.errors import InputError
    from qc import services

    with pytest.raises(InputError) as e:  # the API's serializer answers a blank reason itself ("blank")
        services.chart_set(actor=users["lab_admin"], chart=chart, centre=2.0, s=0.1, reason=" ")
    assert code_of(e.value.errors["reason"][0]) == "reason_required"
    body = {"method": "direct", "parameter": TN, "lod": 0.5, "loq": 0.1, "reason": "validation"}
    assert admin.post("/api/v1/qc/limits/", body, format="json").json()["code"] == "loq_below_lod"
    body = {"method": "direct", "parameter": "nope", "reason": "x"}
    assert admin.post("/api/v1/qc/limits/", body, format="json").json()["code"] == "unknown_parameter"
    r = create_worksheet(tech, samples[:1], type("RM", (), {"pk": 999})())
    assert r.json()["codes"]["qc_items.2.reference_material"] == ["reference_material_unknown"]
    r = tech.post("/api/v1/worksheets/", {"method": "direct", "samples": []}, format="json")
    assert r.status_code == 400 and "samples" in r.json()["codes"]
