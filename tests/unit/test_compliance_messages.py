"""The reasons and error messages of the compliance engine, word for word, on both paths
(DOMAIN.md §6, §6.3; issue #20): the pages, PDFs and API show them as they are."""

import numpy as np
import pandas as pd
import pytest

from lims.messages import Message, code_of
from maturity.compliance import Missing, ProductFacts, applies, judge, judge_frame, to_basis, unit_factor, verdict
from maturity.errors import InputError
from maturity.measurements import Measurement as M
from maturity.standards_io import Declaration, Requirement


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


# --------------------------------------------------------------------------- the reasons as messages (issue #14)


@pytest.mark.parametrize(
    "kind, rule, v, u, q, code, params",
    [
        ("min", "simple", 100, None, "<", "below_detection_under_minimum", {"value": "100", "limit": "100"}),
        ("max", "simple", 100, None, "<", "below_detection_within_limit", {"value": "100", "limit": "100"}),
        ("min", "guarded", 120, 5, "<", "below_detection_may_be_under_minimum", {"value": "120", "limit": "100"}),
        ("max_exclusive", "simple", 120, None, "<", "below_detection_may_exceed", {"value": "120", "limit": "100"}),
        ("max", "simple", 100, 5, "", "simple_pass", {"value": "100", "sign": "≤", "limit": "100"}),
        ("max_exclusive", "simple", 100, None, "", "simple_fail", {"value": "100", "sign": "≥", "limit": "100"}),
        ("min", "guarded", 99, None, "", "simple_fail_no_uncertainty", {"value": "99", "sign": "<", "limit": "100"}),
        ("min", "guarded", 101, None, "", "simple_pass_no_uncertainty", {"value": "101", "sign": "≥", "limit": "100"}),
        ("min", "guarded", 110, 10, "", "guarded_pass_minimum", {"value": "110", "u": "10", "lower": "100"}),
        ("min", "guarded", 80, 10, "", "guarded_fail_minimum", {"value": "80", "u": "10", "upper": "90"}),
        (
            "min",
            "guarded",
            95,
            10,
            "",
            "guarded_conditional_minimum",
            {"value": "95", "u": "10", "lower": "85", "upper": "105"},
        ),
        ("max", "guarded", 90, 10, "", "guarded_pass_maximum", {"upper": "100", "sign": "≤"}),
        ("max_exclusive", "guarded", 89.5, 10, "", "guarded_pass_maximum", {"upper": "99.5", "sign": "<"}),
        ("max", "guarded", 110.5, 10, "", "guarded_fail_maximum", {"lower": "100.5", "sign": ">"}),
        ("max_exclusive", "guarded", 110, 10, "", "guarded_fail_maximum", {"lower": "100", "sign": "≥"}),
        (
            "max",
            "guarded",
            95,
            10,
            "",
            "guarded_conditional_maximum",
            {"upper": "105", "sign": ">", "lower": "85", "sign_lower": "≤"},
        ),
        (
            "max_exclusive",
            "guarded",
            90,
            10,
            "",
            "guarded_conditional_maximum",
            {"upper": "100", "sign": "≥", "lower": "80", "sign_lower": "<"},
        ),
    ],
)
def test_reason_is_a_message_with_a_code_per_case(kind, rule, v, u, q, code, params):
    r = reason(kind, rule, v, u, q)["reason"]
    assert isinstance(r, Message) and r.code == code
    assert {k: r.params[k] for k in params} == params
    assert r.params["limit"] == "100"


def test_declaration_reasons_are_messages_in_the_readers_language():
    from django.utils import translation

    d = Declaration("c", "no_chemical_fertilizer", "不得添加化學肥料", "No chemical fertilizer added")
    fail = judge([], [d], {}, ProductFacts(chemical_fertilizer_added=True))["checks"][0]["reason"]
    ok = judge([], [d], {}, ProductFacts())["checks"][0]["reason"]
    assert (fail.code, ok.code) == ("declaration_contradicted", "declared")
    assert fail.english() == (
        "chemical fertilizer added to the product, contradicting the required declaration "
        "'No chemical fertilizer added'"
    )
    assert ok.english() == "declared: No chemical fertilizer added"
    with translation.override("zh-hant"):
        assert str(ok) == "已聲明：不得添加化學肥料"
        assert str(fail) == "產品添加化學肥料，與規定的標示要求「不得添加化學肥料」不符"


def test_reasons_read_in_chinese_and_survive_storing():
    """A zh-Hant reader reads the comparison in Chinese; stored (storable -> JSON -> restored) it reads the same in
    both languages, the declaration's own Chinese text included."""
    import json

    from django.utils import translation

    from lims.messages import restored, storable

    d = Declaration("c", "no_chemical_fertilizer", "不得添加化學肥料", "No chemical fertilizer added")
    checks = [
        reason("max", "guarded", 120, 5, "<"),
        reason("min", "guarded", 95, 10),
        reason("max_exclusive", "guarded", 100),
        judge([], [d], {}, ProductFacts())["checks"][0],
    ]
    reasons = [c["reason"] for c in checks]
    again = restored(json.loads(json.dumps(storable(reasons))))
    assert again == reasons
    with translation.override("zh-hant"):
        zh = [str(r) for r in reasons]
        assert [str(r) for r in again] == zh
    assert zh[0] == "<120，但 120 > 100：低於偵測極限，可能超過上限"
    assert zh[1].startswith("95 − 10 = 85 < 100，但 95 + 10 = 105 ≥ 100")
    assert zh[2] == "100 ≥ 100（無不確定度：以簡單比較判定）"
    assert zh[3] == "已聲明：不得添加化學肥料"
    with translation.override("en"):
        assert [str(r) for r in again] == [r.english() for r in reasons]
        assert str(again[3]) == "declared: No chemical fertilizer added"


def codes(call):
    with pytest.raises(InputError) as e:
        call()
    return {k: [(code_of(m), dict(getattr(m, "params", {}))) for m in v] for k, v in e.value.errors.items()}


def test_engine_errors_carry_codes_and_params():
    assert codes(lambda: judge(one(), [], {"cu": M(5, "mg/kg", "dry", ">")})) == {
        "measurements.cu.qualifier": [("unknown_qualifier", {"qualifier": "'>'"})]
    }
    assert codes(lambda: judge(one(), [], {"cu": M(5, "mg/kg", "wet")})) == {
        "measurements.cu.basis": [("unknown_basis", {"basis": "'wet'"})]
    }
    assert codes(lambda: judge(one(), [], {"cu": M(5, "mg/kg", "dry", "", -1)})) == {
        "measurements.cu.uncertainty": [("negative", {})]
    }
    frame = pd.DataFrame({"cu": [5.0, 6.0], "cu__basis": ["wet", "damp"], "cu__qualifier": ["", ""]})
    assert codes(lambda: judge_frame(one(), [], frame)) == {
        "cu__basis": [("unknown_basis", {"basis": "'damp', 'wet'"})]
    }
    frame = pd.DataFrame({"cu": [5.0], "cu__qualifier": [">"]})
    assert codes(lambda: judge_frame(one(), [], frame)) == {
        "cu__qualifier": [("unknown_qualifier", {"qualifier": "'>'"})]
    }
    assert codes(lambda: judge_frame(one(), [], pd.DataFrame({"cu": [5.0], "cu__u": [-1.0]}))) == {
        "cu__u": [("negative", {})]
    }
    bad_kind = [Requirement("c", "cu", "between", 1, "mg/kg", "dry")]
    assert codes(lambda: judge(bad_kind, [], {})) == {"kind": [("unknown_kind", {"kind": "between"})]}
    assert codes(lambda: judge(one(condition="organic"), [], {})) == {
        "condition": [("unknown_condition", {"condition": "organic"})]
    }
    assert codes(lambda: judge_frame(one(condition="organic"), [], pd.DataFrame({"cu": [1.0]}))) == {
        "condition": [("unknown_condition", {"condition": "organic"})]
    }
    assert codes(lambda: judge_frame(one() + one(limit=5), [], pd.DataFrame({"cu": [1.0]}))) == {
        "requirements": [("duplicate_check", {"check": "cu:max"})]
    }
    assert codes(lambda: judge(one(parameter="xx"), [], {"xx": M(1)})) == {
        "parameter": [("unknown_parameter", {"parameter": "'xx'"})]
    }
    assert codes(lambda: judge(one(), [], {}, ProductFacts(), "lenient")) == {
        "decision_rule": [("unknown_decision_rule", {"value": "lenient", "choices": ("simple", "guarded")})]
    }
    assert codes(lambda: unit_factor("dS/m", "mg/kg")) == {
        "unit": [("unit_not_convertible", {"unit": "dS/m", "target": "mg/kg"})]
    }


def test_engine_errors_read_in_chinese():
    from django.utils import translation

    with pytest.raises(InputError) as e:
        judge(one(), [], {"cu": M(5, "mg/kg", "dry", ">", -1)}, ProductFacts(), "guarded")
    with translation.override("zh-hant"):
        assert str(e.value.errors["measurements.cu.qualifier"][0]) == "不明的限定符號 '>'；請留空（''）或使用「<」"
        assert str(e.value.errors["measurements.cu.uncertainty"][0]) == "不得為負值"
    with pytest.raises(InputError) as e:
        judge(one(), [], {}, ProductFacts(), "lenient")
    with translation.override("zh-hant"):
        assert str(e.value.errors["decision_rule"][0]) == "不明的判定規則「lenient」；請使用：simple, guarded"
