"""Issue 9 item 3 and issue 16 item 5: the import reads and validates a file chunk by chunk into compact
columns, then writes in bulk (COPY on PostgreSQL), all or nothing. These tests set a tiny chunk size
(LIMS_IMPORT_CHUNK_ROWS) so the streaming path is exercised with small files: a problem in the last chunk
saves nothing, repeats across chunks are found, the report is the same whatever the chunk size, and the
array checks agree with direct entry (whose messages the report keeps)."""

import io
import json

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

HEADER = "sample_code,parameter,value,unit,basis,qualifier,uncertainty\n"


def _csv(text, name="icp.csv"):
    f = io.BytesIO(text.encode())
    f.name = name
    return f


@pytest.fixture
def tiny_chunks(settings):
    settings.LIMS_IMPORT_CHUNK_ROWS = 3
    return settings


def _post(client, body, **extra):
    return client.post("/api/v1/imports/", {"file": _csv(body), **extra}, format="multipart")


@pytest.mark.django_db
def test_a_problem_in_the_last_chunk_saves_nothing(client_for, product_a, make_sample, tiny_chunks):
    from lims.models import AuditEntry
    from maturity.models import Assay

    samples = [make_sample(product_a, "received", f"LOT-S{i}") for i in range(4)]
    good = "".join(f"{s.code},{p},{v},mg/kg,dry,,\n" for s in samples for p, v in (("cu", 60), ("zn", 120)))
    audits = AuditEntry.objects.count()
    r = _post(client_for("technician"), HEADER + good + f"{samples[0].code},pb,-1,mg/kg,dry,,\n")  # row 10
    assert r.status_code == 400
    assert r.json()["errors"] == [{"row": 10, "column": "value", "reason": "must be ≥ 0"}]
    assert not Assay.objects.exists() and AuditEntry.objects.count() == audits
    assert {s.status for s in type(samples[0]).objects.filter(pk__in=[s.pk for s in samples])} == {"received"}
    r = _post(client_for("technician"), HEADER + good)
    assert r.status_code == 201, r.content
    assert r.json()["imported_rows"] == 8 and r.json()["samples"] == 4
    assert Assay.objects.count() == 4
    assert [a["sample"] for a in r.json()["assays"]] == [s.pk for s in samples]  # the file's order


@pytest.mark.django_db
def test_a_repeat_in_a_later_chunk_names_the_first_row(client_for, product_a, make_sample, tiny_chunks):
    s = make_sample(product_a, "received")
    body = HEADER + f"{s.code},cu,60,,,,\n{s.code},zn,1,,,,\n{s.code},pb,1,,,,\n{s.code},ni,1,,,,\n{s.code},CU,61,,,,\n"
    r = _post(client_for("technician"), body)
    assert r.status_code == 400
    assert r.json()["errors"] == [
        {"row": 6, "column": "parameter", "reason": f"cu for {s.code} already given on row 2"}
    ]


@pytest.mark.django_db
def test_the_report_does_not_depend_on_the_chunk_size(client_for, product_a, make_sample, settings):
    s1, s2 = make_sample(product_a, "received", "A"), make_sample(product_a, "received", "B")
    body = HEADER + (
        f"{s1.code},cu,60,mg/kg,as_received,,10\n"
        f"{s1.code},zn,<5,mg/kg,dry,,\n"
        f"{s2.code},ph,7.2,,,,\n"
        f"{s2.code},cu,abc,mg/kg,dry,,\n"
        "S-1999-000001,zn,5,mg/kg,dry,,\n"
        f"{s2.code},pb,5,ppb,dry,,\n"
        f",pb,5,,,,\n"
        f"{s2.code},,,,,,\n"
        f"{s1.code},zz,1,,,,\n"
        f"{s1.code},ph,15,,wet,>,-1\n"
        f"{s2.code},hg,700,%,,,\n"
        f"{s2.code},chromatogram_score,2.5,,,,\n"
        f"{s1.code},zn,6,mg/kg,dry,,\n"
    )
    reports = []
    for chunk in (1, 2, 5, 10_000):
        settings.LIMS_IMPORT_CHUNK_ROWS = chunk
        r = _post(client_for("technician"), body)
        assert r.status_code == 400
        reports.append(r.json())
    assert all(rep == reports[0] for rep in reports)
    errors = {(e["row"], e["column"]): e["reason"] for e in reports[0]["errors"]}
    assert errors == {
        (5, "value"): "must be a number (got 'abc')",
        (6, "sample_code"): "no sample S-1999-000001",
        (7, "unit"): "unit 'ppb' not accepted for pb; expected 'mg/kg', '%'",
        (8, "sample_code"): "is required",
        (9, "parameter"): "is required",
        (9, "value"): "is required",
        (10, "parameter"): "unknown parameter 'zz'",
        (11, "basis"): "basis 'wet' not accepted for ph; expected ''",
        (11, "qualifier"): "qualifier '>' not accepted; expected '' or '<'",
        (11, "uncertainty"): "must be ≥ 0",
        (11, "value"): "must be ≤ 14",
        (12, "value"): "must be ≤ 100",
        (13, "value"): "must be an integer",
        (14, "parameter"): f"zn for {s1.code} already given on row 3",
    }
    assert reports[0]["error_count"] == len(errors)


@pytest.mark.django_db
def test_report_is_capped_while_streaming_and_counts_every_problem(client_for, product_a, make_sample, settings):
    settings.LIMS_IMPORT_CHUNK_ROWS = 7
    s = make_sample(product_a, "received")
    body = HEADER + "".join(f"{s.code},zz{i},1,,,,\n" for i in range(300)) + "S-1999-000001,cu,1,,,,\n"
    r = _post(client_for("technician"), body)
    out = r.json()
    assert r.status_code == 400 and out["error_count"] == 301 and out["errors_shown"] == 200
    assert [e["row"] for e in out["errors"]] == list(range(2, 202))
    assert out["errors"][0]["reason"] == "unknown parameter 'zz0'"


@pytest.mark.django_db
def test_the_web_page_counts_every_problem(web, product_a, make_sample, settings):
    settings.LIMS_IMPORT_CHUNK_ROWS = 4
    s = make_sample(product_a, "received")
    body = HEADER + "".join(f"{s.code},zz{i},1,,,,\n" for i in range(250))
    r = web("technician", "en").post("/lab/import/", {"file": _csv(body)})
    page = r.content.decode()
    assert r.status_code == 200 and "250" in page and "zz0" in page and "zz249" not in page


@pytest.mark.django_db
def test_one_audit_entry_per_sample_names_every_value(client_for, product_a, make_sample, tiny_chunks):
    from lims.models import AuditEntry, SampleTransition
    from maturity.models import Assay

    s1, s2 = make_sample(product_a, "received", "A"), make_sample(product_a, "in_testing", "B")
    body = HEADER + f"{s1.code},cu,0.006,%,dry,,0.001\n{s2.code},ph,7.2,,,,\n{s1.code},zn,<5,,,,\n"
    assert _post(client_for("technician"), body).status_code == 201
    a1 = Assay.objects.get(sample=s1)
    assert a1.source == "import:icp.csv rows 2–4" and a1.photo.name in ("", None)
    assert a1.data == {
        "values": {
            "cu": {"value": "0.006", "unit": "%", "basis": "dry", "uncertainty": "0.001"},
            "zn": {"value": "5", "qualifier": "<"},
        }
    }
    assert a1.results["cu"] == {"value": 60.0, "unit": "mg/kg", "basis": "dry", "qualifier": "", "uncertainty": 10.0}
    assert a1.details == {"conversions": {"cu": {"from_unit": "%", "factor": 10000.0}}}
    entry = AuditEntry.objects.get(entity="assay", entity_id=a1.pk)
    assert entry.sample_id == s1.pk and entry.action == "create" and entry.entity_repr == str(a1)
    assert entry.changes["data"] == [None, a1.data] and entry.changes["results"] == [None, a1.results]
    assert entry.changes["status"] == [None, "entered"] and entry.changes["valid"] == [None, True]
    s1.refresh_from_db(), s2.refresh_from_db()
    assert s1.status == s2.status == "in_testing"
    assert SampleTransition.objects.filter(sample=s1, action="start_testing").count() == 1
    assert (
        not SampleTransition.objects.filter(sample=s2, action="start_testing")
        .exclude(reason="")
        .filter(reason="first assay entered (direct)")
    )
    assert AuditEntry.objects.filter(sample=s1, action="transition:start_testing").count() == 1


@pytest.mark.django_db
def test_derived_figures_are_checked_where_a_zero_can_fail_them(client_for, product_a, make_sample, tiny_chunks):
    from maturity.models import Assay

    s1, s2 = make_sample(product_a, "received", "A"), make_sample(product_a, "received", "B")
    body = HEADER + (
        f"{s2.code},cu,1,,,,\n{s1.code},organic_carbon_pct,30,,,,\n{s1.code},total_nitrogen_pct,0,,,,\n"
        f"{s1.code},zn,2,,,,\n"
    )
    r = _post(client_for("technician"), body)
    assert r.status_code == 400
    assert r.json()["errors"] == [
        {"row": 3, "column": "total_nitrogen_pct", "reason": f"{s1.code}: must be > 0 to compute C/N"}
    ]
    # organic carbon already stored, the imported nitrogen is 0
    assert _post(client_for("technician"), HEADER + f"{s1.code},organic_carbon_pct,30,,,,\n").status_code == 201
    r = _post(client_for("technician"), HEADER + f"{s1.code},total_nitrogen_pct,0,,,,\n", reimport="true")
    assert r.status_code == 400 and r.json()["errors"][0]["reason"] == f"{s1.code}: must be > 0 to compute C/N"
    assert Assay.objects.count() == 1


def test_chunks_are_read_one_at_a_time():
    """The reader hands over tables of at most the chunk size, lazily: a file is never read whole."""
    from maturity.importing import read_chunks

    body = (HEADER + "".join(f"S-1,cu,{i},,,,\n" for i in range(10))).encode()
    chunks = read_chunks("a.csv", io.BytesIO(body), chunk_rows=4)
    first_row, first = next(chunks)
    assert first_row == 2 and len(first) == 4
    assert [(n, len(c)) for n, c in chunks] == [(6, 4), (10, 2)]


def test_row_limit_is_counted_across_chunks():
    from maturity.importing import ImportRejected, stage

    body = (HEADER + "".join(f"S-1,cu,{i},,,,\n" for i in range(11))).encode()
    with pytest.raises(ImportRejected) as e:
        stage("a.csv", body, max_rows=10, chunk_rows=3)
    reason = e.value.errors[0]["reason"]  # a Message: its code and params, whatever language is active
    assert (reason.code, reason.params) == ("too_many_rows", {"rows": 10})
    assert "more than 10 data rows" in reason.english()


# --------------------------------------------------------------------------- the array checks = direct entry

PARAMS = ["cu", "zn", "ph", "moisture_pct", "chromatogram_score", "solvita_co2", "solvita_nh3", "ec_ds_m"]
PARAMS += ["cec_meq_100g", "total_nitrogen_pct", "organic_matter_pct", "co2_c_mg_per_g_om_day", "zz"]
UNITS = ["", "mg/kg", "%", "ppb", "dS/m", "mS/cm", "meq/100g", "mg/g OM/day"]
VALUES = ["1", "0", "-1", "12.5", "3.0", "2.5", "14.1", "101", "abc", "nan", "inf", "1e3", "1_0", ".5", "<4"]
VALUES += ["1e400", "0.0061", "5"]
UNCERTAINTIES = ["", "0.1", "-1", "x", "inf", "0"]


@hsettings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(PARAMS),
            st.sampled_from(VALUES),
            st.sampled_from(UNITS),
            st.sampled_from(["", "dry", "as_received", "wet"]),
            st.sampled_from(["", "", "<", ">"]),
            st.sampled_from(UNCERTAINTIES),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_array_checks_agree_with_direct_entry(rows):
    """Every row alone through the direct-entry computation gives the same problems and the same results as
    the array checks of a chunk; the JSON the bulk write builds is json.dumps of those results."""
    import pandas as pd

    from maturity import calculations as calc
    from maturity.errors import InputError
    from maturity.importing import Staged

    codes = [f"S{i}" for i in range(len(rows))]  # one row per sample: no repeats
    df = pd.DataFrame(
        [(c, *r) for c, r in zip(codes, rows)],
        columns=["sample_code", "parameter", "value", "unit", "basis", "qualifier", "uncertainty"],
    )
    staged = Staged(keep_errors=1000)
    staged.add_chunk(2, df)
    staged.finish()
    got = {}
    for k in range(len(staged)):
        code, values, results, conversions, _rows = staged.sample(k)
        got[code] = (values, results, conversions)
        c2, data_json, results_json, details_json, _a, _b = staged.sample_json(k)
        assert data_json == json.dumps({"values": values}, ensure_ascii=False)
        assert results_json == json.dumps(results, ensure_ascii=False)
        assert details_json == json.dumps({"conversions": conversions}, ensure_ascii=False)
    errors = {}
    for e in staged.errors.errors():
        errors.setdefault(e["row"], set()).add((e["column"], e["reason"]))
    for i, (code, (param, value, unit, basis, qualifier, unc)) in enumerate(zip(codes, rows)):
        if value.startswith("<"):
            value, qualifier = value[1:], qualifier or "<"
        entry = {"value": value}
        for k, v in (("unit", unit), ("basis", basis), ("qualifier", qualifier), ("uncertainty", unc)):
            if v:
                entry[k] = v
        try:
            outcome = calc.compute("direct", {"values": {param: entry}})
        except InputError as e:
            assert code not in got
            expected = set()
            for path, messages in e.errors.items():
                column = path.rsplit(".", 1)[-1]
                expected |= {("parameter" if column == param else column, m) for m in messages}
            assert errors[i + 2] == expected
        else:
            assert i + 2 not in errors
            values, results, conversions = got[code]
            assert values == {param: entry}
            assert results == {k: m.as_dict() for k, m in outcome.results.items()}
            assert {"conversions": conversions} == outcome.details


@pytest.mark.django_db
def test_rows_repeating_stored_values_are_listed_up_to_the_cap_and_counted(
    client_for, product_a, make_sample, tiny_chunks, monkeypatch
):
    import maturity.importing

    monkeypatch.setattr(maturity.importing, "MAX_REPORTED", 2)
    s1, s2 = make_sample(product_a, "received", "A"), make_sample(product_a, "received", "B")
    body = HEADER + f"{s1.code},cu,60,,,,\n{s2.code},cu,61,,,,\n{s1.code},zn,5,,,,\n{s2.code},zn,6,,,,\n"
    c = client_for("technician")
    assert _post(c, body).status_code == 201
    r = _post(c, body + f"{s1.code},pb,1,,,,\n")  # another file: four rows repeat stored values
    assert r.status_code == 409
    out = r.json()
    assert out["duplicate_count"] == 4 and [d["row"] for d in out["duplicates"]] == [2, 3]
    assert "4 row(s) repeat values already stored" in out["detail"]
    r = _post(c, body + f"{s1.code},pb,1,,,,\n", check_only="true")
    assert r.status_code == 200 and r.json()["duplicate_count"] == 4 and len(r.json()["duplicates"]) == 2
