"""Compliance engine (maturity.compliance), DOMAIN.md §6, §6.3 and EXAMPLES.md."""

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from maturity.compliance import (
    DECISION_RULES,
    NOT_APPLICABLE,
    Missing,
    ProductFacts,
    check_key,
    convert_unit,
    judge,
    judge_frame,
    to_basis,
    unit_factor,
)
from maturity.errors import InputError
from maturity.measurements import Measurement as M
from maturity.standards_io import Declaration, Requirement, load_edition_file

STANDARDS = Path(__file__).resolve().parents[2] / "maturity" / "standards"
EDITION = load_edition_file(STANDARDS / "tw-1997.yaml")
REL = 1e-6


def rules_for(category):
    return EDITION.requirements_for(category), EDITION.declarations_for(category)


def check(result, key):
    matches = [c for c in result["checks"] if c["key"] == key]
    assert len(matches) == 1, (key, [c["key"] for c in result["checks"]])
    return matches[0]


def statuses(result):
    return {c["key"]: c["status"] for c in result["checks"]}


# EXAMPLES.md, compliance: general_compost, not bagasse-based, no chemical fertilizer
EXAMPLE = {
    "moisture_pct": M(32.0, "%", "as_received"),
    "organic_matter_pct": M(64.2, "%", "dry"),
    "total_nitrogen_pct": M(1.8, "%", "dry"),
    "p2o5_pct": M(2.1, "%", "dry"),
    "k2o_pct": M(1.2, "%", "dry"),
    "cu": M(60, "mg/kg", "as_received", uncertainty=10),
    "zn": M(5, "mg/kg", "dry", qualifier="<"),
}
CU_DRY = 60 / 0.68
U_DRY = 10 / 0.68


# --------------------------------------------------------------------------- EXAMPLES.md


def test_example_simple_rule_every_check_passes():
    reqs, decls = rules_for("general_compost")
    out = judge(reqs, decls, EXAMPLE, ProductFacts(), "simple")
    assert out["decision_rule"] == "simple"
    assert out["verdict"] == "pass"
    assert set(statuses(out).values()) == {"pass"}
    cu = check(out, "cu:max")
    assert cu["value"] == pytest.approx(88.235294, rel=REL)
    assert cu["value"] == pytest.approx(CU_DRY, rel=1e-12)
    assert cu["uncertainty"] == pytest.approx(14.705882, rel=REL)
    assert (cu["unit"], cu["basis"], cu["limit"]) == ("mg/kg", "dry", 100)
    assert cu["reason"] == "88.235 ≤ 100"
    zn = check(out, "zn:max")
    assert (zn["value"], zn["qualifier"], zn["status"]) == (5, "<", "pass")
    assert check(out, "declaration:no_chemical_fertilizer")["status"] == "pass"
    # the bagasse-only moisture limit does not apply to this product
    keys = [c["key"] for c in out["checks"]]
    assert "moisture_pct:max:not_bagasse" in keys and "moisture_pct:max:bagasse" not in keys


def test_example_guarded_rule_cu_conditional():
    reqs, decls = rules_for("general_compost")
    out = judge(reqs, decls, EXAMPLE, ProductFacts(), "guarded")
    cu = check(out, "cu:max")
    assert cu["status"] == "conditional"
    assert "88.235 + 14.706 = 102.94 > 100" in cu["reason"]
    assert "88.235 − 14.706 = 73.529 ≤ 100" in cu["reason"]
    assert out["verdict"] == "conditional"
    others = {k: s for k, s in statuses(out).items() if k != "cu:max"}
    assert set(others.values()) == {"pass"}


def test_example_without_moisture_is_incomplete():
    reqs, decls = rules_for("general_compost")
    meas = {k: v for k, v in EXAMPLE.items() if k != "moisture_pct"}
    for rule in DECISION_RULES:
        out = judge(reqs, decls, meas, ProductFacts(), rule)
        cu = check(out, "cu:max")
        assert cu["status"] == "missing" and cu["value"] is None
        assert cu["reason"] == "as-received value cannot be put on the dry basis: no moisture result"
        moisture = check(out, "moisture_pct:max:not_bagasse")
        assert (moisture["status"], moisture["reason"]) == ("missing", "no result")
        assert out["verdict"] == "incomplete"
        # dry-basis results are still judged
        assert check(out, "organic_matter_pct:min")["status"] == "pass"


def test_example_bagasse_based_moisture_38_passes_40():
    reqs, decls = rules_for("general_compost")
    meas = dict(EXAMPLE, moisture_pct=M(38.0, "%", "as_received"))
    out = judge(reqs, decls, meas, ProductFacts(bagasse_based=True))
    keys = [c["key"] for c in out["checks"]]
    assert "moisture_pct:max:bagasse" in keys and "moisture_pct:max:not_bagasse" not in keys
    moisture = check(out, "moisture_pct:max:bagasse")
    assert (moisture["status"], moisture["limit"], moisture["reason"]) == ("pass", 40, "38 ≤ 40")
    assert moisture["condition_text"] == "bagasse-based (蔗渣)"
    assert out["verdict"] == "pass"
    # the same 38 % for a product not made from bagasse fails the 35 % limit
    out = judge(reqs, decls, meas, ProductFacts(bagasse_based=False))
    assert check(out, "moisture_pct:max:not_bagasse")["status"] == "fail"
    assert out["verdict"] == "fail"


# --------------------------------------------------------------------------- every kind × rule × status


def one(kind, limit=100.0, parameter="cu", unit="mg/kg", basis="dry"):
    return [
        Requirement(category="x", parameter=parameter, kind=kind, limit=limit, unit=unit, basis=basis, source="test")
    ]


CASES = [
    # kind, rule, value, U, qualifier, expected
    ("min", "simple", 120, None, "", "pass"),
    ("min", "simple", 100, None, "", "pass"),  # equality meets
    ("min", "simple", 99.999, None, "", "fail"),
    ("max", "simple", 80, None, "", "pass"),
    ("max", "simple", 100, None, "", "pass"),  # equality meets
    ("max", "simple", 100.001, None, "", "fail"),
    ("max_exclusive", "simple", 99.999, None, "", "pass"),
    ("max_exclusive", "simple", 100, None, "", "fail"),  # equality does not stay below
    ("max_exclusive", "simple", 130, None, "", "fail"),
    # simple ignores U
    ("max", "simple", 95, 10, "", "pass"),
    ("min", "simple", 105, 10, "", "pass"),
    # guarded, maximum
    ("max", "guarded", 80, 10, "", "pass"),
    ("max", "guarded", 90, 10, "", "pass"),  # v + U = L
    ("max", "guarded", 95, 10, "", "conditional"),
    ("max", "guarded", 110, 10, "", "conditional"),  # v − U = L: not above
    ("max", "guarded", 115, 10, "", "fail"),
    # guarded, minimum
    ("min", "guarded", 120, 10, "", "pass"),
    ("min", "guarded", 110, 10, "", "pass"),  # v − U = L
    ("min", "guarded", 105, 10, "", "conditional"),
    ("min", "guarded", 90, 10, "", "conditional"),  # v + U = L: not below
    ("min", "guarded", 85, 10, "", "fail"),
    # guarded, exclusive maximum
    ("max_exclusive", "guarded", 80, 10, "", "pass"),
    ("max_exclusive", "guarded", 90, 10, "", "conditional"),  # v + U = L: not below
    ("max_exclusive", "guarded", 95, 10, "", "conditional"),
    ("max_exclusive", "guarded", 110, 10, "", "fail"),  # v − U = L
    ("max_exclusive", "guarded", 120, 10, "", "fail"),
    # guarded without U: as simple
    ("max", "guarded", 100, None, "", "pass"),
    ("max", "guarded", 101, None, "", "fail"),
    ("min", "guarded", 99, None, "", "fail"),
    ("max_exclusive", "guarded", 100, None, "", "fail"),
    # U = 0 under guarded: as simple
    ("max", "guarded", 100, 0, "", "pass"),
    ("min", "guarded", 100, 0, "", "pass"),
    # below detection, both rules, U ignored
    ("max", "simple", 50, None, "<", "pass"),
    ("max", "simple", 100, None, "<", "pass"),  # X = L: true value below L
    ("max", "guarded", 100, 20, "<", "pass"),
    ("max", "simple", 150, None, "<", "conditional"),
    ("max", "guarded", 150, None, "<", "conditional"),
    ("max_exclusive", "simple", 100, None, "<", "pass"),  # value < X = L
    ("max_exclusive", "guarded", 150, None, "<", "conditional"),
    ("min", "simple", 50, None, "<", "fail"),
    ("min", "simple", 100, None, "<", "fail"),  # X = L: true value below L
    ("min", "guarded", 100, 5, "<", "fail"),
    ("min", "simple", 150, None, "<", "conditional"),
    ("min", "guarded", 150, None, "<", "conditional"),
]


@pytest.mark.parametrize("kind,rule,value,u,qualifier,expected", CASES)
def test_status_table(kind, rule, value, u, qualifier, expected):
    out = judge(one(kind), [], {"cu": M(value, "mg/kg", "dry", qualifier, u)}, ProductFacts(), rule)
    c = out["checks"][0]
    assert c["status"] == expected, c["reason"]
    assert out["verdict"] == {"pass": "pass", "fail": "fail", "conditional": "conditional"}[expected]
    assert c["reason"]
    # the frame agrees
    frame = pd.DataFrame(
        {"cu": [float(value)], "cu__qualifier": [qualifier], "cu__u": [np.nan if u is None else float(u)]}
    )
    assert judge_frame(one(kind), [], frame, rule).iloc[0][check_key("cu", kind)] == expected


@pytest.mark.parametrize("kind", ["min", "max", "max_exclusive"])
@pytest.mark.parametrize("rule", DECISION_RULES)
def test_missing_for_every_kind_and_rule(kind, rule):
    out = judge(one(kind), [], {"zn": M(5, "mg/kg", "dry")}, ProductFacts(), rule)
    c = out["checks"][0]
    assert (c["status"], c["reason"], c["value"]) == ("missing", "no result", None)
    assert out["verdict"] == "incomplete"
    nan = judge(one(kind), [], {"cu": M(float("nan"), "mg/kg", "dry")}, ProductFacts(), rule)
    assert nan["checks"][0]["status"] == "missing"


def test_reasons_state_the_numbers():
    r = lambda kind, rule, v, u=None, q="": judge(
        one(kind), [], {"cu": M(v, "mg/kg", "dry", q, u)}, ProductFacts(), rule
    )["checks"][0]["reason"]
    assert r("min", "simple", 100) == "100 ≥ 100"
    assert r("min", "simple", 60) == "60 < 100"
    assert r("max", "simple", 120) == "120 > 100"
    assert r("max_exclusive", "simple", 100) == "100 ≥ 100"
    assert r("max_exclusive", "simple", 99.5) == "99.5 < 100"
    assert r("max", "guarded", 115, 10) == "115 − 10 = 105 > 100"
    assert r("min", "guarded", 85, 10) == "85 + 10 = 95 < 100"
    assert r("max", "guarded", 101, None).startswith("101 > 100 (no uncertainty")
    assert r("max", "simple", 150, None, "<").startswith("<150, but 150 > 100")
    assert r("min", "simple", 50, None, "<").startswith("<50, and 50 ≤ 100")


def test_reason_never_reads_equal_when_the_numbers_differ():
    reason = judge(one("max"), [], {"cu": M(100.0000001, "mg/kg", "dry")}, ProductFacts())["checks"][0]["reason"]
    assert reason == "100.0000001 > 100"


def test_no_rounding_before_comparison():
    # 100.00004 would round to 100.00 at two decimals and pass; it is above the limit
    out = judge(one("max"), [], {"cu": M(100.00004, "mg/kg", "dry")}, ProductFacts())
    assert out["checks"][0]["status"] == "fail"


def test_overall_precedence():
    reqs = one("max") + one("min", parameter="zn", limit=10)
    meas = lambda cu, zn: {k: v for k, v in {"cu": cu, "zn": zn}.items() if v is not None}
    f = lambda cu, zn, rule="guarded": judge(reqs, [], meas(cu, zn), ProductFacts(), rule)["verdict"]
    assert f(M(200, "mg/kg", "dry"), None) == "fail"  # fail beats missing
    assert f(M(95, "mg/kg", "dry", uncertainty=10), None) == "incomplete"  # missing beats conditional
    assert f(M(95, "mg/kg", "dry", uncertainty=10), M(20, "mg/kg", "dry")) == "conditional"
    assert f(M(50, "mg/kg", "dry"), M(20, "mg/kg", "dry")) == "pass"


def test_unknown_decision_rule_is_an_input_error():
    with pytest.raises(InputError) as e:
        judge(one("max"), [], {}, ProductFacts(), "lenient")
    assert "decision_rule" in e.value.errors
    with pytest.raises(InputError):
        judge_frame(one("max"), [], pd.DataFrame({"cu": [1.0]}), "lenient")


def test_bad_measurement_fields_are_input_errors():
    with pytest.raises(InputError) as e:
        judge(one("max"), [], {"cu": M(5, "mg/kg", "dry", qualifier=">")}, ProductFacts())
    assert "measurements.cu.qualifier" in e.value.errors
    with pytest.raises(InputError):
        judge(one("max"), [], {"cu": M(5, "mg/kg", "wet")}, ProductFacts())
    with pytest.raises(InputError):
        judge(one("max"), [], {"cu": M(5, "mg/kg", "dry", uncertainty=-1)}, ProductFacts())
    with pytest.raises(InputError):
        judge_frame(one("max"), [], pd.DataFrame({"cu": [5.0], "cu__qualifier": [">"]}))


# --------------------------------------------------------------------------- NPK sum, misc_organic

MISC_BASE = {"organic_matter_pct": M(50, "%", "dry"), "cu": M(20, "mg/kg", "dry"), "zn": M(100, "mg/kg", "dry")}


def npk(n, p, k, **kw):
    return dict(
        MISC_BASE,
        total_nitrogen_pct=M(n, "%", "dry", **kw),
        p2o5_pct=M(p, "%", "dry", **kw),
        k2o_pct=M(k, "%", "dry", **kw),
    )


def test_npk_sum_15_is_not_below_15():
    reqs, decls = rules_for("misc_organic")
    out = judge(reqs, decls, npk(5, 5, 5), ProductFacts())
    c = check(out, "npk_sum_pct:max_exclusive")
    assert (c["value"], c["status"], c["reason"]) == (15, "fail", "15 ≥ 15")
    assert c["condition"] == "" and "compound-fertilizer" in c["condition_text"]
    assert out["verdict"] == "fail"


def test_npk_sum_14_99_passes():
    reqs, decls = rules_for("misc_organic")
    out = judge(reqs, decls, npk(5, 5, 4.99), ProductFacts())
    c = check(out, "npk_sum_pct:max_exclusive")
    assert c["value"] == pytest.approx(14.99) and c["status"] == "pass"
    assert out["verdict"] == "pass"


def test_npk_sum_uncertainty_is_root_sum_of_squares():
    reqs, _ = rules_for("misc_organic")
    out = judge(reqs, [], npk(4, 4, 4, uncertainty=2), ProductFacts(), "guarded")
    c = check(out, "npk_sum_pct:max_exclusive")
    assert c["uncertainty"] == pytest.approx(math.sqrt(12))
    assert c["status"] == "conditional"  # 12 + 3.46 ≥ 15 > 12 − 3.46
    meas = npk(4, 4, 4, uncertainty=2)
    meas["k2o_pct"] = M(4, "%", "dry")  # one part without U: no U for the sum
    c = check(judge(reqs, [], meas, ProductFacts(), "guarded"), "npk_sum_pct:max_exclusive")
    assert c["uncertainty"] is None and c["status"] == "pass"


def test_npk_sum_below_detection_part_makes_an_upper_bound():
    reqs, _ = rules_for("misc_organic")
    meas = npk(5, 5, 4)
    meas["k2o_pct"] = M(4, "%", "dry", qualifier="<")
    c = check(judge(reqs, [], meas, ProductFacts()), "npk_sum_pct:max_exclusive")
    assert (c["value"], c["qualifier"], c["status"]) == (14, "<", "pass")
    meas["k2o_pct"] = M(6, "%", "dry", qualifier="<")
    c = check(judge(reqs, [], meas, ProductFacts()), "npk_sum_pct:max_exclusive")
    assert (c["value"], c["qualifier"], c["status"]) == (16, "<", "conditional")


def test_npk_sum_missing_part():
    reqs, _ = rules_for("misc_organic")
    meas = npk(5, 5, 4)
    del meas["p2o5_pct"]
    c = check(judge(reqs, [], meas, ProductFacts()), "npk_sum_pct:max_exclusive")
    assert c["status"] == "missing" and "p2o5_pct" in c["reason"]


def test_npk_parts_are_put_on_the_dry_basis_first():
    reqs, _ = rules_for("misc_organic")
    meas = npk(5, 5, 4)
    meas["k2o_pct"] = M(3, "%", "as_received")  # 3 / 0.6 = 5 dry
    meas["moisture_pct"] = M(40, "%", "as_received")
    c = check(judge(reqs, [], meas, ProductFacts()), "npk_sum_pct:max_exclusive")
    assert c["value"] == pytest.approx(15) and c["status"] == "fail"
    del meas["moisture_pct"]
    c = check(judge(reqs, [], meas, ProductFacts()), "npk_sum_pct:max_exclusive")
    assert c["status"] == "missing" and "no moisture result" in c["reason"]


# --------------------------------------------------------------------------- declarations


def test_declaration_contradicted_fails():
    reqs, decls = rules_for("general_compost")
    out = judge(reqs, decls, EXAMPLE, ProductFacts(chemical_fertilizer_added=True))
    c = check(out, "declaration:no_chemical_fertilizer")
    assert (c["parameter"], c["kind"], c["status"]) == ("declaration:no_chemical_fertilizer", "declaration", "fail")
    assert "No chemical fertilizer added" in c["reason"] and "chemical fertilizer added" in c["reason"]
    assert out["verdict"] == "fail"
    # misc_organic requires no such declaration
    reqs, decls = rules_for("misc_organic")
    assert decls == []
    out = judge(reqs, decls, npk(1, 1, 1), ProductFacts(chemical_fertilizer_added=True))
    assert out["verdict"] == "pass"


def test_unknown_declaration_is_missing():
    decl = Declaration(category="x", key="organic_certified", text_zh="有機", text_en="Organic")
    out = judge([], [decl], {}, ProductFacts())
    assert out["checks"][0]["status"] == "missing" and out["verdict"] == "incomplete"


# --------------------------------------------------------------------------- units and bases


def test_unit_conversion_percent_to_mg_per_kg():
    assert convert_unit(1, "%", "mg/kg") == 10_000
    assert convert_unit(0.01, "%", "mg/kg") == pytest.approx(100)
    assert convert_unit(800, "mg/kg", "%") == pytest.approx(0.08)
    assert convert_unit(4.0, "dS/m", "mS/cm") == 4.0
    assert convert_unit(4.0, "dS/m", "mmho/cm") == 4.0
    assert convert_unit(60, "meq/100 g", "cmol/kg") == 60
    assert convert_unit(7.1, "", "") == 7.1
    assert convert_unit(5, "mg/kg", "mg/kg") == 5
    for bad in [("%", "dS/m"), ("mg/kg", ""), ("furlong", "%"), ("%", "meq/100 g")]:
        with pytest.raises(InputError):
            convert_unit(1, *bad)


def test_cu_reported_in_percent_is_judged_in_mg_per_kg():
    reqs, decls = rules_for("general_compost")
    meas = dict(EXAMPLE, cu=M(0.0088, "%", "dry"))
    c = check(judge(reqs, decls, meas, ProductFacts()), "cu:max")
    assert c["value"] == pytest.approx(88) and c["unit"] == "mg/kg" and c["status"] == "pass"
    meas = dict(EXAMPLE, cu=M(0.012, "%", "dry"))
    assert check(judge(reqs, decls, meas, ProductFacts()), "cu:max")["status"] == "fail"


def test_unconvertible_unit_is_missing_with_reason():
    c = judge(one("max"), [], {"cu": M(5, "dS/m", "dry")}, ProductFacts())["checks"][0]
    assert c["status"] == "missing" and "dS/m" in c["reason"]


def test_measurement_without_unit_or_basis_uses_the_canonical_ones():
    c = judge(one("max"), [], {"cu": M(50)}, ProductFacts())["checks"][0]
    assert (c["value"], c["status"]) == (50, "pass")


def test_to_basis():
    dry, u = to_basis(M(60, "mg/kg", "as_received", uncertainty=10), "dry", 32.0)
    assert dry == pytest.approx(CU_DRY, rel=1e-12) and u == pytest.approx(U_DRY, rel=1e-12)
    wet, u = to_basis(M(dry, "mg/kg", "dry", uncertainty=u), "as_received", 32.0)
    assert wet == pytest.approx(60) and u == pytest.approx(10)
    assert to_basis(M(5, "mg/kg", "dry"), "dry", None) == (5, None)
    with pytest.raises(Missing) as e:
        to_basis(M(60, "mg/kg", "as_received"), "dry", None)
    assert e.value.reason == "as-received value cannot be put on the dry basis: no moisture result"
    with pytest.raises(Missing):
        to_basis(M(60, "mg/kg", "dry"), "as_received", None)


def test_dry_value_judged_against_an_as_received_limit():
    req = one("max", parameter="zn", limit=100, basis="as_received")
    meas = {"zn": M(125, "mg/kg", "dry"), "moisture_pct": M(20, "%", "as_received")}
    c = judge(req, [], meas, ProductFacts())["checks"][0]
    assert c["value"] == pytest.approx(100) and c["basis"] == "as_received"


@pytest.mark.parametrize(
    "moisture,why",
    [
        (M(5, "%", "as_received", qualifier="<"), "below detection"),
        (M(100, "%", "as_received"), "outside"),
        (M(-1, "%", "as_received"), "outside"),
        (M(30, "%", "dry"), "not on the as-received basis"),
        (M(30, "dS/m", "as_received"), "not a mass fraction"),
    ],
)
def test_unusable_moisture_makes_as_received_contents_missing(moisture, why):
    c = judge(one("max"), [], {"cu": M(60, "mg/kg", "as_received"), "moisture_pct": moisture}, ProductFacts())[
        "checks"
    ][0]
    assert c["status"] == "missing" and why in c["reason"]


def test_ratios_are_not_converted_between_bases():
    reqs, _ = rules_for("bark_compost")
    meas = {
        "cn_ratio": M(30),
        "moisture_pct": M(50, "%", "as_received"),
        "total_carbon_pct": M(45, "%", "dry"),
        "cec_meq_100g": M(65, "cmol/kg", "dry"),
        "ec_ds_m": M(3.0, "mS/cm"),
    }
    out = judge(reqs, [], meas, ProductFacts())
    assert check(out, "cn_ratio:min")["value"] == 30 and check(out, "cn_ratio:max")["status"] == "pass"
    assert check(out, "cec_meq_100g:min")["status"] == "pass"
    assert check(out, "ec_ds_m:max")["status"] == "pass"
    assert check(out, "moisture_pct:max")["status"] == "fail"  # 50 > 40
    assert out["verdict"] == "fail"


# --------------------------------------------------------------------------- hypothesis

UNIT_PAIRS = [
    ("%", "mg/kg"),
    ("%", "g/kg"),
    ("mg/kg", "ppm"),
    ("dS/m", "µS/cm"),
    ("meq/100 g", "cmol/kg"),
    ("mm", "cm"),
]


@given(
    x=st.floats(min_value=-1e9, max_value=1e9, allow_nan=False), pair=st.sampled_from(UNIT_PAIRS), reverse=st.booleans()
)
def test_unit_round_trip(x, pair, reverse):
    a, b = pair[::-1] if reverse else pair
    back = convert_unit(convert_unit(x, a, b), b, a)
    assert back == pytest.approx(x, rel=1e-12, abs=1e-300)
    assert unit_factor(a, b) * unit_factor(b, a) == pytest.approx(1, rel=1e-15)


# requirements covering every kind, both conditions, the NPK sum, a ratio and an as-received limit
SYNTHETIC = [
    Requirement("x", "cu", "max_exclusive", 100, "mg/kg", "dry"),
    Requirement("x", "zn", "min", 0.01, "%", "dry"),
    Requirement("x", "zn", "max", 800, "mg/kg", "as_received"),
    Requirement("x", "cn_ratio", "max", 20, "", "dry"),
    Requirement("x", "npk_sum_pct", "min", 3, "%", "dry"),
]
SETS = [rules_for(c) for c in EDITION.categories] + [(SYNTHETIC, [])]
NEAR = {
    "moisture_pct": [32, 35, 40, 38, 100, 0],
    "organic_matter_pct": [40, 60, 64.2],
    "total_nitrogen_pct": [0.6, 2, 5, 1.8],
    "p2o5_pct": [0.3, 2, 5, 2.1],
    "k2o_pct": [0.3, 1, 5, 4.99],
    "cu": [60, 88.235, 100, 150, 0.01],
    "zn": [5, 100, 500, 800, 0.08],
    "total_carbon_pct": [40, 50, 45],
    "cn_ratio": [20, 40, 15],
    "cec_meq_100g": [60, 59.9],
    "ec_ds_m": [4, 4.0001],
}
UNITS = {
    "cu": ["mg/kg", "%", ""],
    "zn": ["mg/kg", "%", "ppm"],
    "moisture_pct": ["%", "g/kg"],
    "ec_ds_m": ["dS/m", "mS/cm", "µS/cm"],
    "cec_meq_100g": ["meq/100 g", "cmol/kg"],
}
PARAMS = list(NEAR)


@st.composite
def sample(draw):
    meas = {}
    for p in PARAMS:
        if draw(st.integers(0, 5)) == 0:
            continue  # absent
        u = draw(
            st.one_of(
                st.none(),
                st.sampled_from([0.0, 0.5, 2.0, 10.0]),
                st.floats(min_value=0, max_value=max(NEAR[p]), allow_nan=False),
            )
        )
        mode = draw(st.sampled_from(["grid", "grid+u", "grid-u", "random"]))
        if mode == "random":
            value = draw(st.floats(min_value=0, max_value=2 * max(NEAR[p]), allow_nan=False))
        else:
            value = draw(st.sampled_from(NEAR[p]))  # limits themselves, and v ± U landing on them
            if u is not None and mode != "grid":
                value = value + u if mode == "grid+u" else value - u
        unit = draw(st.sampled_from(UNITS.get(p, ["%"] if p.endswith("_pct") else [""])))
        if unit in ("%",) and p in ("cu", "zn"):
            value = value / 10_000
            u = None if u is None else u / 10_000
        elif unit == "g/kg":
            value, u = value * 10, None if u is None else u * 10
        elif unit == "µS/cm":
            value, u = value * 1000, None if u is None else u * 1000
        basis = (
            draw(st.sampled_from(["dry", "as_received", ""]))
            if p not in ("moisture_pct", "cn_ratio", "ec_ds_m")
            else ""
        )
        if p == "moisture_pct":
            basis = draw(st.sampled_from(["as_received", "as_received", "", "dry"]))
        qualifier = "<" if draw(st.integers(0, 6)) == 0 else ""
        if draw(st.integers(0, 9)) == 0:
            value = float("nan")
        meas[p] = M(value, unit, basis, qualifier, u)
    product = ProductFacts(bagasse_based=draw(st.booleans()), chemical_fertilizer_added=draw(st.integers(0, 5)) == 0)
    return meas, product


def to_frame(samples):
    rows = []
    for meas, product in samples:
        row = {"bagasse_based": product.bagasse_based, "chemical_fertilizer_added": product.chemical_fertilizer_added}
        for p, m in meas.items():
            row.update(
                {
                    p: float(m.value),
                    f"{p}__unit": m.unit,
                    f"{p}__basis": m.basis,
                    f"{p}__qualifier": m.qualifier,
                    f"{p}__u": np.nan if m.uncertainty is None else m.uncertainty,
                }
            )
        rows.append(row)
    return pd.DataFrame(rows, index=[f"S{i}" for i in range(len(rows))])


def assert_agree(samples, reqs, decls, rule):
    frame = to_frame(samples)
    out = judge_frame(reqs, decls, frame, rule)
    assert list(out.index) == list(frame.index)
    for (meas, product), (_, row) in zip(samples, out.iterrows()):
        scalar = judge(reqs, decls, meas, product, rule)
        seen = statuses(scalar)
        for col in out.columns:
            if col == "verdict":
                continue
            assert row[col] == seen.get(col, NOT_APPLICABLE), (col, meas, product, row[col], seen.get(col))
        assert row["verdict"] == scalar["verdict"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    samples=st.lists(sample(), min_size=1, max_size=12),
    which=st.integers(0, len(SETS) - 1),
    rule=st.sampled_from(DECISION_RULES),
)
def test_frame_agrees_with_scalar(samples, which, rule):
    reqs, decls = SETS[which]
    assert_agree(samples, reqs, decls, rule)


def test_frame_agrees_with_scalar_across_every_status():
    """A large random batch: every status appears, and the frame agrees with the scalar engine."""
    rng = np.random.default_rng(1997)
    samples = []
    for i in range(1500):
        meas = {}
        for p in PARAMS:
            if rng.random() < 0.12:
                continue
            base = NEAR[p]
            u = None if rng.random() < 0.3 else float(rng.choice([0.5, 2.0, 10.0]))
            value = float(rng.choice(base)) if rng.random() < 0.5 else float(rng.uniform(0, 2 * max(base)))
            if u is not None and rng.random() < 0.4:
                value += u * float(rng.choice([-1, 1]))  # v ± U exactly on a limit
            basis = {"moisture_pct": "as_received", "cn_ratio": "", "ec_ds_m": ""}.get(
                p, str(rng.choice(["dry", "as_received"]))
            )
            q = "<" if rng.random() < 0.1 else ""
            meas[p] = M(value, "", basis, q, u)
        samples.append(
            (
                meas,
                ProductFacts(
                    bagasse_based=bool(rng.random() < 0.3), chemical_fertilizer_added=bool(rng.random() < 0.05)
                ),
            )
        )
    seen = set()
    for reqs, decls in SETS:
        for rule in DECISION_RULES:
            assert_agree(samples, reqs, decls, rule)
            out = judge_frame(reqs, decls, to_frame(samples), rule)
            seen |= set(np.unique(out.drop(columns="verdict").to_numpy().ravel()))
            seen |= {f"verdict:{v}" for v in out["verdict"].unique()}
    assert {"pass", "fail", "conditional", "missing", NOT_APPLICABLE} <= seen
    assert {"verdict:pass", "verdict:fail", "verdict:conditional", "verdict:incomplete"} <= seen


def test_frame_defaults_and_columns():
    reqs, decls = rules_for("general_compost")
    frame = pd.DataFrame(
        {
            "moisture_pct": [32.0, 38.0],
            "organic_matter_pct": [64.2, 64.2],
            "total_nitrogen_pct": [1.8, 1.8],
            "p2o5_pct": [2.1, 2.1],
            "k2o_pct": [1.2, 1.2],
            "cu": [88.0, 88.0],
            "zn": [5.0, 5.0],
            "bagasse_based": [False, True],
        },
        index=["A", "B"],
    )
    out = judge_frame(reqs, decls, frame)
    assert list(out.columns) == [check_key(r.parameter, r.kind, r.condition) for r in reqs] + [
        "declaration:no_chemical_fertilizer",
        "verdict",
    ]
    assert out.loc["A", "moisture_pct:max:not_bagasse"] == "pass"
    assert out.loc["A", "moisture_pct:max:bagasse"] == NOT_APPLICABLE
    assert out.loc["B", "moisture_pct:max:not_bagasse"] == NOT_APPLICABLE
    assert out.loc["B", "moisture_pct:max:bagasse"] == "pass"
    assert list(out["verdict"]) == ["pass", "pass"]
    # a parameter column that is absent altogether is missing for every row
    out = judge_frame(reqs, decls, frame.drop(columns="cu"))
    assert set(out["cu:max"]) == {"missing"} and set(out["verdict"]) == {"incomplete"}
