"""Every unit factor against a hand-computed value, in both directions (DOMAIN.md §3:
1 % = 10 000 mg/kg; EC dS/m = mmho/cm; CEC meq/100 g = cmol/kg), for the compliance
engine's conversions and the direct entry of analyser values (issue #20).

A round trip cannot see a factor that is wrong in both directions, so each pair is
checked against its own figure."""

import pandas as pd
import pytest

from maturity.calculations import compute
from maturity.compliance import ProductFacts, convert_unit, judge, judge_frame, normalise_unit, unit_factor
from maturity.errors import InputError
from maturity.measurements import Measurement as M
from maturity.standards_io import Requirement

# (from, to, how many "to" make one "from"), each written out by hand
FACTORS = [
    # mass fraction: 1 % = 10 g/kg = 10 mg/g = 10 000 mg/kg = 10 000 ppm
    ("%", "g/kg", 10.0),
    ("%", "mg/g", 10.0),
    ("%", "mg/kg", 10_000.0),
    ("%", "ppm", 10_000.0),
    ("g/kg", "%", 0.1),
    ("mg/g", "%", 0.1),
    ("mg/kg", "%", 0.0001),
    ("ppm", "%", 0.0001),
    ("g/kg", "mg/kg", 1000.0),
    ("mg/kg", "g/kg", 0.001),
    ("mg/g", "g/kg", 1.0),
    ("g/kg", "mg/g", 1.0),
    ("ppm", "mg/kg", 1.0),
    ("mg/kg", "ppm", 1.0),
    ("mg/g", "ppm", 1000.0),
    ("ppm", "mg/g", 0.001),
    # EC: 1 dS/m = 1 mS/cm = 1 mmho/cm = 1000 µS/cm = 1000 µmho/cm
    ("dS/m", "mS/cm", 1.0),
    ("mS/cm", "dS/m", 1.0),
    ("mmho/cm", "dS/m", 1.0),
    ("dS/m", "mmho/cm", 1.0),
    ("dS/m", "µS/cm", 1000.0),
    ("µS/cm", "dS/m", 0.001),
    ("µmho/cm", "dS/m", 0.001),
    ("dS/m", "µmho/cm", 1000.0),
    ("mmho/cm", "µS/cm", 1000.0),
    ("µS/cm", "mmho/cm", 0.001),
    ("µS/cm", "µmho/cm", 1.0),
    ("mS/cm", "µS/cm", 1000.0),
    # CEC: 1 meq/100 g = 1 cmol/kg = 1 cmol(+)/kg = 1 cmolc/kg
    ("meq/100 g", "cmol/kg", 1.0),
    ("cmol/kg", "meq/100 g", 1.0),
    ("cmolc/kg", "meq/100 g", 1.0),
    ("meq/100 g", "cmolc/kg", 1.0),
    ("cmol(+)/kg", "cmolc/kg", 1.0),
    # length: 1 cm = 10 mm
    ("cm", "mm", 10.0),
    ("mm", "cm", 0.1),
]


@pytest.mark.parametrize("a, b, factor", FACTORS)
def test_unit_factor_by_hand(a, b, factor):
    assert unit_factor(a, b) == pytest.approx(factor, rel=1e-12)
    assert convert_unit(3.0, a, b) == pytest.approx(3.0 * factor, rel=1e-12)


@pytest.mark.parametrize(
    "a, b", [("%", "dS/m"), ("mg/kg", "mm"), ("cm", "meq/100 g"), ("furlong", "mm"), ("mm", "furlong"), ("%", "")]
)
def test_units_of_different_kinds_do_not_convert(a, b):
    with pytest.raises(InputError) as e:
        unit_factor(a, b)
    assert e.value.errors == {"unit": [f"cannot convert '{a}' to '{b}'"]}


@pytest.mark.parametrize(
    "raw, norm",
    [
        ("meq/100 g", "meq/100g"),
        ("dS/m", "ds/m"),
        ("uS/cm", "µs/cm"),
        ("umho/cm", "µmho/cm"),
        ("\u03bcS/cm", "µs/cm"),
        ("µS/cm", "µs/cm"),
        ("-", ""),
        ("–", ""),
        ("—", ""),
        (None, ""),
        ("", ""),
        (" MG/KG ", "mg/kg"),
        ("%", "%"),
        ("cmol(+)/kg", "cmol(+)/kg"),
    ],
)
def test_normalise_unit(raw, norm):
    assert normalise_unit(raw) == norm


def test_same_unit_in_another_spelling_is_factor_one():
    assert unit_factor("uS/cm", "µS/cm") == 1.0
    assert unit_factor("meq/100g", "meq/100 g") == 1.0
    assert unit_factor("-", "") == 1.0
    assert convert_unit(7.25, "%", "%") == 7.25


# --------------------------------------------------------------------------- judged in the requirement's unit


def one(parameter, kind, limit, unit, basis=""):
    return [Requirement("c", parameter, kind, limit, unit, basis)]


@pytest.mark.parametrize(
    "parameter, value, unit, limit_unit, limit, judged, status",
    [
        ("cu", 50, "ppm", "mg/kg", 100, 50.0, "pass"),  # 50 ppm Cu is 50 mg/kg, not 500
        ("cu", 101, "ppm", "mg/kg", 100, 101.0, "fail"),
        ("cu", 0.01, "%", "mg/kg", 100, 100.0, "pass"),
        ("cu", 0.1, "g/kg", "mg/kg", 100, 100.0, "pass"),
        ("cu", 0.11, "mg/g", "mg/kg", 100, 110.0, "fail"),
        ("zn", 800, "mg/kg", "%", 0.08, 0.08, "pass"),
        ("zn", 900, "ppm", "%", 0.08, 0.09, "fail"),
        ("total_nitrogen_pct", 6, "g/kg", "%", 0.6, 0.6, "pass"),
        ("total_nitrogen_pct", 5.9, "mg/g", "%", 0.6, 0.59, "fail"),
        ("ec_ds_m", 4000, "µS/cm", "dS/m", 4.0, 4.0, "pass"),
        ("ec_ds_m", 4001, "uS/cm", "dS/m", 4.0, 4.001, "fail"),
        ("ec_ds_m", 3.5, "mmho/cm", "dS/m", 4.0, 3.5, "pass"),
        ("ec_ds_m", 4500, "µmho/cm", "dS/m", 4.0, 4.5, "fail"),
        ("ec_ds_m", 3.0, "dS/m", "µS/cm", 4000, 3000.0, "pass"),
        ("cec_meq_100g", 60, "cmolc/kg", "meq/100 g", 60, 60.0, "pass"),
        ("cec_meq_100g", 59, "cmol/kg", "meq/100 g", 60, 59.0, "fail"),
        ("max_particle_mm", 2.4, "cm", "mm", 25, 24.0, "pass"),
        ("max_particle_mm", 26, "mm", "cm", 2.5, 2.6, "fail"),
    ],
)
def test_judged_after_unit_conversion_scalar_and_frame(parameter, value, unit, limit_unit, limit, judged, status):
    kind = "min" if parameter == "cec_meq_100g" or (parameter == "total_nitrogen_pct") else "max"
    reqs = one(parameter, kind, limit, limit_unit, "dry" if parameter not in ("ec_ds_m", "max_particle_mm") else "")
    out = judge(reqs, [], {parameter: M(value, unit, "")})
    check = out["checks"][0]
    assert check["value"] == pytest.approx(judged, rel=1e-12)
    assert check["status"] == status
    frame = pd.DataFrame({parameter: [value], f"{parameter}__unit": [unit]})
    assert judge_frame(reqs, [], frame)[check["key"]].tolist() == [status]


def test_uncertainty_is_converted_with_the_value():
    reqs = one("cu", "max", 100, "mg/kg", "dry")
    out = judge(reqs, [], {"cu": M(0.009, "%", "dry", uncertainty=0.0002)}, ProductFacts(), "guarded")
    c = out["checks"][0]
    assert (c["value"], c["uncertainty"]) == (pytest.approx(90.0), pytest.approx(2.0))
    assert c["status"] == "pass"
    out = judge(reqs, [], {"cu": M(0.009, "%", "dry", uncertainty=0.002)}, ProductFacts(), "guarded")
    assert out["checks"][0]["status"] == "conditional"  # 90 + 20 > 100 ≥ 90 − 20
    frame = pd.DataFrame({"cu": [0.009, 0.009], "cu__unit": ["%", "%"], "cu__u": [0.0002, 0.002]})
    assert judge_frame(reqs, [], frame, "guarded")["cu:max"].tolist() == ["pass", "conditional"]


def test_moisture_in_g_per_kg_puts_contents_on_the_dry_basis():
    # 320 g/kg = 32 %; 60 mg/kg as received -> 60 / 0.68 dry
    reqs = one("cu", "max", 100, "mg/kg", "dry")
    out = judge(reqs, [], {"moisture_pct": M(320, "g/kg", "as_received"), "cu": M(60, "mg/kg", "as_received")})
    assert out["checks"][0]["value"] == pytest.approx(60 / 0.68, rel=1e-12)
    frame = pd.DataFrame(
        {"moisture_pct": [320.0], "moisture_pct__unit": ["g/kg"], "cu": [60.0], "cu__basis": ["as_received"]}
    )
    assert judge_frame(reqs, [], frame)["cu:max"].tolist() == ["pass"]
    frame["cu"] = [70.0]  # 70 / 0.68 = 102.9 > 100
    assert judge_frame(reqs, [], frame)["cu:max"].tolist() == ["fail"]


def test_moisture_in_a_unit_of_another_kind_is_unusable():
    reqs = one("cu", "max", 100, "mg/kg", "dry")
    out = judge(reqs, [], {"moisture_pct": M(32, "mm", "as_received"), "cu": M(60, "mg/kg", "as_received")})
    assert out["checks"][0]["status"] == "missing"
    assert "the moisture unit 'mm' is not a mass fraction" in out["checks"][0]["reason"]


# --------------------------------------------------------------------------- direct entry (calculations)


@pytest.mark.parametrize(
    "key, unit, value, canonical",
    [
        ("cu", "%", 0.0123, 123.0),
        ("cu", "mg/kg", 123, 123.0),
        ("zn", "%", 1, 10_000.0),
        ("ec_ds_m", "mS/cm", 2.5, 2.5),
        ("ec_ds_m", "mmho/cm", 2.5, 2.5),
        ("ec_ds_m", "dS/m", 2.5, 2.5),
        ("cec_meq_100g", "cmol/kg", 61, 61.0),
        ("cec_meq_100g", "cmol(+)/kg", 61, 61.0),
        ("cec_meq_100g", "meq/100g", 61, 61.0),
        ("cec_meq_100g", "meq/100 g", 61, 61.0),
    ],
)
def test_direct_entry_converts_to_the_canonical_unit(key, unit, value, canonical):
    out = compute("direct", {"values": {key: {"value": value, "unit": unit, "uncertainty": value / 10}}})
    m = out.results[key]
    assert m.value == pytest.approx(canonical, rel=1e-12)
    assert m.uncertainty == pytest.approx(canonical / 10, rel=1e-12)
    from maturity.parameters import PARAMETERS

    assert m.unit == PARAMETERS[key].unit
    conversions = out.details["conversions"]
    if unit == PARAMETERS[key].unit:
        assert conversions == {}
    else:
        factor = 10_000.0 if unit == "%" else 1.0
        assert conversions == {key: {"from_unit": unit, "factor": factor}}


@pytest.mark.parametrize(
    "key, unit",
    [
        ("cu", "ppm"),
        ("ec_ds_m", "µS/cm"),
        ("cec_meq_100g", "cmolc/kg"),
        ("total_nitrogen_pct", "g/kg"),
        ("max_particle_mm", "cm"),
        ("ph", "%"),
    ],
)
def test_direct_entry_refuses_units_it_does_not_list(key, unit):
    with pytest.raises(InputError) as e:
        compute("direct", {"values": {key: {"value": 1, "unit": unit}}})
    assert list(e.value.errors) == [f"values.{key}.unit"]
    assert e.value.errors[f"values.{key}.unit"][0].startswith(f"unit {unit!r} not accepted for {key}; expected ")
