"""Heavy-metal limits of other jurisdictions (maturity.jurisdictions), DOMAIN.md §6.2."""

from pathlib import Path

import pytest

from maturity.errors import InputError
from maturity.jurisdictions import COLUMNS, STATUSES, by_jurisdiction, compare, limit_display, load_limits_csv
from maturity.measurements import Measurement as M

STANDARDS = Path(__file__).resolve().parents[2] / "maturity" / "standards"
LIMITS = load_limits_csv((STANDARDS / "heavy_metal_limits_1999.csv").read_text(encoding="utf-8"))
HEADER = ",".join(COLUMNS)


def entry(result, metal, jurisdiction, note=None):
    item = next(i for i in result if i["metal"] == metal)
    return next(
        j for j in item["jurisdictions"] if j["jurisdiction"] == jurisdiction and (note is None or j["note"] == note)
    )


def row(j, metal, lo, hi, basis="total", note=""):
    return {
        "jurisdiction": j,
        "jurisdiction_zh": j,
        "metal": metal,
        "limit_low": lo,
        "limit_high": hi,
        "basis": basis,
        "note": note,
    }


# --------------------------------------------------------------------------- loading


def test_real_table_loads():
    assert len(LIMITS) == 90
    us_cu = next(r for r in LIMITS if r["jurisdiction"] == "US" and r["metal"] == "cu")
    assert us_cu == {
        "jurisdiction": "US",
        "jurisdiction_zh": "美國",
        "metal": "cu",
        "limit_low": 450.0,
        "limit_high": 1000.0,
        "basis": "total",
        "note": "",
    }
    water = [(r["jurisdiction"], r["metal"]) for r in LIMITS if r["basis"] == "water_extract"]
    assert water == [("JP", "cr"), ("JP", "pb")]
    assert [r["note"] for r in LIMITS if r["jurisdiction"] == "IT" and r["metal"] == "cr"] == ["Cr(III)", "Cr(VI)"]
    nl_cr = next(r for r in LIMITS if r["jurisdiction"] == "NL" and r["metal"] == "cr")
    assert (nl_cr["limit_low"], nl_cr["limit_high"]) == (50, 200)


def loader_errors(*rows, header=HEADER):
    with pytest.raises(InputError) as e:
        load_limits_csv("\n".join([header, *rows]) + "\n")
    return e.value.errors


def test_loader_rejects_bad_rows_and_returns_nothing():
    assert "columns" in loader_errors(
        "US,美國,cd,2,25", header="jurisdiction,jurisdiction_zh,metal,limit_low,limit_high"
    )
    errors = loader_errors(
        "US,美國,cd,2,25,total,",
        "US,美國,cd,abc,25,total,",
        "US,美國,zz,1,2,total,",
        "US,美國,cu,30,20,total,",
        "US,美國,zn,1,2,leachate,",
        "US,美國,cd,2,25,total,",
    )
    assert set(errors) == {"row 3.limit_low", "row 4.metal", "row 5.limit_low", "row 6.basis", "row 7"}
    assert errors["row 3.limit_low"] == ["'abc' is not a number"]
    assert "row 2.limit_high" in loader_errors("US,美國,cd,2,-1,total,")
    assert "rows" in loader_errors()


def test_limit_display():
    assert limit_display(row("US", "cu", 450.0, 1000.0)) == "450–1000"
    assert limit_display(row("AT", "cu", 400.0, 400.0)) == "400"
    assert limit_display(row("JP", "cr", 1.5, 1.5, "water_extract")) == "(1.5)"
    assert limit_display(row("NL", "hg", 0.2, 2.0)) == "0.2–2"


# --------------------------------------------------------------------------- statuses


def test_example_copper_on_the_dry_basis():
    out = compare(LIMITS, {"cu": M(60, "mg/kg", "as_received", uncertainty=10)}, moisture_pct=32.0)
    cu = next(i for i in out if i["metal"] == "cu")
    assert cu["value"] == pytest.approx(88.235294, rel=1e-6) and cu["qualifier"] == ""
    assert entry(out, "cu", "US")["status"] == "meets"  # 88.2 ≤ 450
    assert entry(out, "cu", "CO")["status"] == "meets"  # ≤ 100
    assert entry(out, "cu", "BE")["status"] == "meets"  # ≤ 100 of 100–500
    ca = entry(out, "cu", "CA-ON")  # 60 < 88.2 ≤ 100
    assert (ca["status"], ca["limit_display"]) == ("within_range", "60–100")
    assert "lenient" in ca["reason"]
    assert [j["jurisdiction"] for j in cu["jurisdictions"]] == [r["jurisdiction"] for r in LIMITS if r["metal"] == "cu"]


@pytest.mark.parametrize(
    "value,qualifier,expected",
    [
        (450, "", "meets"),  # equality with the strict end meets
        (449.9, "", "meets"),
        (450.1, "", "within_range"),
        (1000, "", "within_range"),  # equality with the lenient end
        (1000.1, "", "exceeds"),
        (450, "<", "meets"),
        (800, "<", "within_range"),
        (1200, "<", "uncertain"),
    ],
)
def test_range_limit_statuses(value, qualifier, expected):
    out = compare([row("US", "cu", 450.0, 1000.0)], {"cu": M(value, "mg/kg", "dry", qualifier)})
    assert out[0]["jurisdictions"][0]["status"] == expected


@pytest.mark.parametrize(
    "value,qualifier,expected",
    [
        (100, "", "meets"),
        (100.5, "", "exceeds"),
        (50, "<", "meets"),
        (100, "<", "meets"),
        (120, "<", "uncertain"),
    ],
)
def test_single_limit_statuses(value, qualifier, expected):
    out = compare([row("CO", "cu", 100.0, 100.0)], {"cu": M(value, "mg/kg", "dry", qualifier)})
    j = out[0]["jurisdictions"][0]
    assert j["status"] == expected and j["reason"]


def test_water_extract_is_never_compared():
    out = compare(LIMITS, {"cr": M(0.1, "mg/kg", "dry"), "pb": M(9999, "mg/kg", "dry")})
    for metal in ("cr", "pb"):
        jp = entry(out, metal, "JP")
        assert jp["status"] == "not_comparable" and jp["limit_display"].startswith("(")
    assert entry(compare(LIMITS, {}), "cr", "JP")["status"] == "not_comparable"


def test_species_limit_total_is_only_an_upper_bound():
    out = compare(LIMITS, {"cr": M(40, "mg/kg", "dry")})
    assert entry(out, "cr", "IT", "Cr(III)")["status"] == "meets"
    vi = entry(out, "cr", "IT", "Cr(VI)")
    assert vi["status"] == "uncertain" and "Cr(VI)" in vi["reason"]
    assert entry(compare(LIMITS, {"cr": M(8, "mg/kg", "dry")}), "cr", "IT", "Cr(VI)")["status"] == "meets"


def test_missing_values():
    out = compare(LIMITS, {"cu": M(60, "mg/kg", "as_received")}, moisture_pct=None)
    ca = entry(out, "cu", "CA-ON")
    assert ca["status"] == "missing" and "no moisture result" in ca["reason"]
    assert next(i for i in out if i["metal"] == "cu")["value"] is None
    hg = entry(out, "hg", "CH")
    assert (hg["status"], hg["reason"]) == ("missing", "no result")
    # a moisture measurement in the dict is used when no moisture figure is passed
    out = compare(LIMITS, {"cu": M(60, "mg/kg", "as_received"), "moisture_pct": M(32, "%", "as_received")})
    assert entry(out, "cu", "CA-ON")["status"] == "within_range"


def test_units_are_converted_to_mg_per_kg():
    out = compare(LIMITS, {"zn": M(0.09, "%", "dry")})  # 900 mg/kg
    assert entry(out, "zn", "US")["status"] == "meets"
    assert entry(out, "zn", "NL")["status"] == "within_range"
    assert entry(out, "zn", "CH")["status"] == "exceeds"


def test_every_status_occurs_and_summary():
    meas = {
        "cu": M(88, "mg/kg", "dry"),
        "zn": M(900, "mg/kg", "dry"),
        "cr": M(40, "mg/kg", "dry"),
        "cd": M(1, "mg/kg", "dry", "<"),
        "pb": M(200, "mg/kg", "dry", "<"),
    }
    out = compare(LIMITS, meas)
    seen = {j["status"] for i in out for j in i["jurisdictions"]}
    assert seen == set(STATUSES)
    assert [i["metal"] for i in out] == ["cd", "cr", "cu", "hg", "ni", "pb", "zn", "as", "co", "mo"]
    summary = {s["jurisdiction"]: s for s in by_jurisdiction(out)}
    assert summary["CH"]["status"] == "exceeds" and "zn" in summary["CH"]["metals"]
    assert summary["JP"]["not_comparable"] == ["cr", "pb"]
    only = compare([row("AT", "cu", 400.0, 400.0)], {"cu": M(88, "mg/kg", "dry")})
    assert by_jurisdiction(only) == [
        {"jurisdiction": "AT", "jurisdiction_zh": "AT", "status": "meets", "metals": ["cu"], "not_comparable": []}
    ]
