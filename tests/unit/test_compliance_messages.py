"""The reasons and error messages of the compliance engine, word for word, on both paths
(DOMAIN.md §6, §6.3; issue #20): the pages, PDFs and API show them as they are."""

import numpy as np
import pandas as pd
import pytest

from maturity.compliance import Missing, ProductFacts, applies, judge, judge_frame, to_basis, verdict
from maturity.errors import InputError
from maturity.measurements import Measurement as M
from maturity.standards_io import Requirement


def one(kind="max", limit=100.0, parameter="cu", unit="mg/kg", basis="dry", condition=""):
    return [Requirement("c", parameter, kind, limit, unit, basis, condition)]


def reason(kind, rule, v, u=None, q="", limit=100.0):
    return judge(one(kind, limit), [], {"cu": M(v, "mg/kg", "dry", q, u)}, ProductFacts(), rule)["checks"][0]


@pytest.mark.parametrize(
    "kind, rule, v, u, q, status, text",
    [
        ("max", "simple", 100, None, "", "pass", "100 ≤ 100"),
        ("max_exclusive", "guarded", 100, None, "", "fail", "100 ≥ 100 (no uncertainty: simple comparison)"),
        ("min", "guarded", 110, 10, "", "pass", "110 − 10 = 100 ≥ 100"),
        ("min", "guarded", 95, 10, "", "conditional", "95 − 10 = 85 < 100, but 95 + 10 = 105 ≥ 100"),
        ("min", "guarded", 80, 10, "", "fail", "80 + 10 = 90 < 100"),
        ("max", "guarded", 90, 10, "", "pass", "90 + 10 = 100 ≤ 100"),
        ("max", "guarded", 95, 10, "", "conditional", "95 + 10 = 105 > 100, but 95 − 10 = 85 ≤ 100"),
        ("max", "guarded", 110, 10, "", "conditional", "110 + 10 = 120 > 100, but 110 − 10 = 100 ≤ 100"),
        ("max", "guarded", 110.5, 10, "", "fail", "110.5 − 10 = 100.5 > 100"),
        ("max_exclusive", "guarded", 89.5, 10, "", "pass", "89.5 + 10 = 99.5 < 100"),
        ("max_exclusive", "guarded", 90, 10, "", "conditional", "90 + 10 = 100 ≥ 100, but 90 − 10 = 80 < 100"),
        ("max_exclusive", "guarded", 110, 10, "", "fail", "110 − 10 = 100 ≥ 100"),
        ("max", "simple", 100, None, "<", "pass", "<100, and 100 ≤ 100"),
        ("max", "guarded", 120, 5, "<", "conditional", "<120, but 120 > 100: below detection, may exceed the limit"),
        ("min", "simple", 100, None, "<", "fail", "<100, and 100 ≤ 100: below the minimum"),
        (
            "min",
            "simple",
            120,
            None,
            "<",
            "conditional",
            "<120, but 120 > 100: below detection, may be under the minimum",
        ),
    ],
)
def test_status_and_reason(kind, rule, v, u, q, status, text):
    c = reason(kind, rule, v, u, q)
    assert (c["status"], c["reason"]) == (status, text)
    frame = pd.DataFrame({"cu": [float(v)], "cu__qualifier": [q], "cu__u": [np.nan if u is None else u]})
    assert judge_frame(one(kind), [], frame, rule).iloc[0, 0] == status


def test_reason_digits_grow_until_the_numbers_differ():
    assert reason("max", "simple", 100.000004)["reason"] == "100.000004 > 100"
    assert reason("min", "simple", 99.99999)["reason"] == "99.99999 < 100"
    assert reason("max", "simple", 12345.678)["reason"] == "12346 > 100"
    assert (
        reason("max", "guarded", 100, 0.0004)["reason"] == "100 + 0.0004 = 100.0004 > 100, but 100 − 0.0004 = "
        "99.9996 ≤ 100"
    )


@pytest.mark.parametrize(
    "moisture, why",
    [
        (M(5, "%", "as_received", qualifier="<"), "the moisture result is below detection (<5 %)"),
        (M(100, "%", "as_received"), "the moisture result 100 % is outside 0 ≤ moisture < 100"),
        (M(-0.5, "%", "as_received"), "the moisture result -0.5 % is outside 0 ≤ moisture < 100"),
        (M(30, "%", "dry"), "the moisture result is not on the as-received basis"),
        (M(30, "dS/m", "as_received"), "the moisture unit 'dS/m' is not a mass fraction"),
        (M(float("nan"), "%", "as_received"), "no moisture result"),
    ],
)
def test_unusable_moisture_reasons(moisture, why):
    c = judge(one(), [], {"cu": M(60, "mg/kg", "as_received"), "moisture_pct": moisture})["checks"][0]
    assert c["status"] == "missing"
    assert c["reason"] == f"as-received value cannot be put on the dry basis: {why}"
    frame = pd.DataFrame(
        {
            "cu": [60.0],
            "cu__basis": ["as_received"],
            "moisture_pct": [float(moisture.value)],
            "moisture_pct__unit": [moisture.unit],
            "moisture_pct__basis": [moisture.basis],
            "moisture_pct__qualifier": [moisture.qualifier],
        }
    )
    assert judge_frame(one(), [], frame)["cu:max"].tolist() == ["missing"]


def test_moisture_zero_and_just_below_100_are_usable():
    for w, cu in ((0.0, 60.0), (99.0, 6000.0)):
        c = judge(
            one(), [], {"cu": M(cu * (1 - w / 100), "mg/kg", "as_received"), "moisture_pct": M(w, "%", "as_received")}
        )["checks"][0]
        assert c["value"] == pytest.approx(cu)
        frame = pd.DataFrame({"cu": [cu * (1 - w / 100)], "cu__basis": ["as_received"], "moisture_pct": [w]})
        assert judge_frame(one(), [], frame)["cu:max"].tolist() == [c["status"]]


def test_dry_value_against_as_received_limit_without_moisture():
    c = judge(one(basis="as_received"), [], {"cu": M(60, "mg/kg", "dry")})["checks"][0]
    assert c["reason"] == "dry value cannot be put on the as-received basis: no moisture result"
    with pytest.raises(Missing) as e:
        to_basis(M(60, "mg/kg", "dry"), "as_received", None, "cu")
    assert e.value.reason == "dry value cannot be put on the as-received basis: no moisture result"


def test_moisture_is_judged_as_received_only():
    req = one("max", 35, "moisture_pct", "%", "as_received")
    c = judge(req, [], {"moisture_pct": M(30, "%", "dry")})["checks"][0]
    assert (c["status"], c["reason"]) == ("missing", "moisture is judged on the as-received basis only")
    frame = pd.DataFrame({"moisture_pct": [30.0, 30.0], "moisture_pct__basis": ["dry", "as_received"]})
    assert judge_frame(req, [], frame)["moisture_pct:max"].tolist() == ["missing", "pass"]
    # a moisture limit on no basis takes the value as it is
    c = judge(one("max", 35, "moisture_pct", "%", ""), [], {"moisture_pct": M(30, "%", "as_received")})["checks"][0]
    assert (c["status"], c["value"]) == ("pass", 30)


def test_npk_missing_part_reason():
    req = one("max_exclusive", 15, "npk_sum_pct", "%", "dry")
    c = judge(req, [], {"total_nitrogen_pct": M(2, "%", "dry"), "k2o_pct": M(1, "%", "dry")})["checks"][0]
    assert c["reason"] == "N + P₂O₅ + K₂O: p2o5_pct: no result"
    c = judge(
        req,
        [],
        {"total_nitrogen_pct": M(2, "%", "dry"), "p2o5_pct": M(3, "%", "dry"), "k2o_pct": M(1, "%", "as_received")},
    )["checks"][0]
    assert c["reason"] == (
        "N + P₂O₅ + K₂O: k2o_pct: as-received value cannot be put on the dry basis: no moisture result"
    )


def test_npk_uncertainty_only_when_every_part_has_one():
    req = one("max_exclusive", 15, "npk_sum_pct", "%", "dry")
    meas = {
        "total_nitrogen_pct": M(2, "%", "dry", uncertainty=0.3),
        "p2o5_pct": M(3, "%", "dry", uncertainty=0.4),
        "k2o_pct": M(4, "%", "dry", uncertainty=1.2),
    }
    c = judge(req, [], meas, ProductFacts(), "guarded")["checks"][0]
    assert (c["value"], c["uncertainty"]) == (9, pytest.approx(1.3))
    meas["k2o_pct"] = M(4, "%", "dry")
    assert judge(req, [], meas, ProductFacts(), "guarded")["checks"][0]["uncertainty"] is None


def test_unconvertible_unit_reason():
    c = judge(one(), [], {"cu": M(5, "dS/m", "dry")})["checks"][0]
    assert c["reason"] == "the unit 'dS/m' cannot be converted to 'mg/kg'"
    assert judge_frame(one(), [], pd.DataFrame({"cu": [5.0], "cu__unit": ["dS/m"]}))["cu:max"].tolist() == ["missing"]


# --------------------------------------------------------------------------- input errors, word for word


def errors(call):
    with pytest.raises(InputError) as e:
        call()
    return e.value.errors


def test_bad_measurement_messages():
    assert errors(lambda: judge(one(), [], {"cu": M(5, "mg/kg", "dry", ">")})) == {
        "measurements.cu.qualifier": ["unknown qualifier '>'; use '' or '<'"]
    }
    assert errors(lambda: judge(one(), [], {"cu": M(5, "mg/kg", "wet")})) == {
        "measurements.cu.basis": ["unknown basis 'wet'"]
    }
    assert errors(lambda: judge(one(), [], {"cu": M(5, "mg/kg", "dry", "", -0.1)})) == {
        "measurements.cu.uncertainty": ["must not be negative"]
    }
    assert judge(one(), [], {"cu": M(5, "mg/kg", "dry", "", 0.0)})["checks"][0]["status"] == "pass"


def test_bad_frame_column_messages():
    assert errors(lambda: judge_frame(one(), [], pd.DataFrame({"cu": [5.0, 6.0], "cu__basis": ["wet", "damp"]}))) == {
        "cu__basis": ["unknown basis 'damp', 'wet'"]
    }
    assert errors(lambda: judge_frame(one(), [], pd.DataFrame({"cu": [5.0], "cu__qualifier": [">"]}))) == {
        "cu__qualifier": ["unknown qualifier '>'; use '' or '<'"]
    }
    assert errors(lambda: judge_frame(one(), [], pd.DataFrame({"cu": [5.0], "cu__u": [-0.1]}))) == {
        "cu__u": ["uncertainty must not be negative"]
    }
    ok = judge_frame(
        one(),
        [],
        pd.DataFrame({"cu": [5.0], "cu__u": [0.0], "cu__basis": [" dry "], "cu__qualifier": [None]}),
        "guarded",
    )
    assert ok["cu:max"].tolist() == ["pass"]


def test_bad_requirement_messages():
    bad_kind = [Requirement("c", "cu", "between", 1, "mg/kg", "dry")]
    assert errors(lambda: judge(bad_kind, [], {})) == {"kind": ["unknown kind 'between'"]}
    assert errors(lambda: judge_frame(bad_kind, [], pd.DataFrame({"cu": [1.0]}))) == {
        "kind": ["unknown kind 'between'"]
    }
    bad_cond = one(condition="organic")
    assert errors(lambda: judge(bad_cond, [], {})) == {"condition": ["unknown condition 'organic'"]}
    assert errors(lambda: judge_frame(bad_cond, [], pd.DataFrame({"cu": [1.0]}))) == {
        "condition": ["unknown condition 'organic'"]
    }
    twice = one() + one(limit=50)
    assert errors(lambda: judge_frame(twice, [], pd.DataFrame({"cu": [1.0]}))) == {
        "requirements": ["two requirements share the check 'cu:max'"]
    }
    assert errors(lambda: judge(one(parameter="xx"), [], {"xx": M(1)})) == {"parameter": ["unknown parameter 'xx'"]}
    assert errors(lambda: judge(one(), [], {}, ProductFacts(), "lenient")) == {
        "decision_rule": ["unknown decision rule 'lenient'; use one of simple, guarded"]
    }


def test_conditions():
    assert applies("", False) and applies("", True)
    assert applies("bagasse", True) and not applies("bagasse", False)
    assert applies("not_bagasse", False) and not applies("not_bagasse", True)
    assert applies("bagasse", 1) is True and applies("bagasse", None) is False


def test_verdict_precedence_ignores_not_applicable():
    assert verdict(["not_applicable", "pass"]) == "pass"
    assert verdict([]) == "pass"
    assert verdict(["conditional", "missing", "pass"]) == "incomplete"
    assert verdict(["conditional", "missing", "fail"]) == "fail"
    assert verdict(["conditional", "pass", "not_applicable"]) == "conditional"


def test_frame_keeps_the_index_and_handles_no_rows():
    frame = pd.DataFrame({"cu": [50.0, 150.0]}, index=["S-2", "S-9"])
    out = judge_frame(one(), [], frame)
    assert list(out.index) == ["S-2", "S-9"] and out["verdict"].tolist() == ["pass", "fail"]
    empty = judge_frame(one(), [], pd.DataFrame({"cu": []}))
    assert list(empty.columns) == ["cu:max", "verdict"] and len(empty) == 0


def test_to_basis_names_the_parameter():
    # moisture: as received only; non-contents (pH, ratios): never converted
    with pytest.raises(Missing) as e:
        to_basis(M(30, "%", "dry"), "as_received", 20.0, "moisture_pct")
    assert str(e.value) == e.value.reason == "moisture is judged on the as-received basis only"
    assert to_basis(M(7.1, "", "dry"), "as_received", 20.0, "ph") == (7.1, None)
    assert to_basis(M(50.0, "mg/kg", "dry", uncertainty=5.0), "as_received", 20.0, "cu") == (
        pytest.approx(40.0),
        pytest.approx(4.0),
    )
    assert to_basis(M(40.0, "mg/kg", "as_received"), "dry", 20.0) == (pytest.approx(50.0), None)


def test_reason_digits_with_a_limit_of_many_digits():
    r = one("max", 0.123456789, "total_nitrogen_pct", "%")
    c = judge(r, [], {"total_nitrogen_pct": M(0.1234568, "%", "dry")})["checks"][0]
    assert c["reason"] == "0.1234568 > 0.12345679"


def test_third_number_shown_with_the_digits_that_told_the_first_two_apart():
    c = reason("max", "guarded", 100, 0.0000041234567)
    assert c["status"] == "conditional"
    assert c["reason"] == "100 + 0.0000041235 = 100.000004 > 100, but 100 − 0.0000041235 = 99.9999959 ≤ 100"


def test_reason_at_the_neighbouring_float_of_a_limit():
    import math

    r = one("min", 0.6, "total_nitrogen_pct", "%")
    c = judge(r, [], {"total_nitrogen_pct": M(math.nextafter(0.6, math.inf), "%", "dry")})["checks"][0]
    assert (c["status"], c["reason"]) == ("pass", "0.6000000000000001 ≥ 0.6")
    c = judge(r, [], {"total_nitrogen_pct": M(math.nextafter(0.6, -math.inf), "%", "dry")})["checks"][0]
    assert (c["status"], c["reason"]) == ("fail", "0.5999999999999999 < 0.6")


def test_frame_blank_unit_cells_and_unreadable_values():
    frame = pd.DataFrame({"cu": [50.0, 150.0, "n/a", None], "cu__unit": [None, np.nan, "mg/kg", "%"]})
    out = judge_frame(one(), [], frame)
    assert out["cu:max"].tolist() == ["pass", "fail", "missing", "missing"]


def test_frame_lists_every_unknown_qualifier_and_reads_unreadable_u_as_none():
    assert errors(lambda: judge_frame(one(), [], pd.DataFrame({"cu": [5.0, 6.0], "cu__qualifier": [">", "~"]}))) == {
        "cu__qualifier": ["unknown qualifier '>', '~'; use '' or '<'"]
    }
    frame = pd.DataFrame({"cu": [95.0, 95.0], "cu__u": ["n/a", 10.0]})
    assert judge_frame(one(), [], frame, "guarded")["cu:max"].tolist() == ["pass", "conditional"]
