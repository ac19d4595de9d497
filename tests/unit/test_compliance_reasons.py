"""Why a check could not be judged, as codes (DOMAIN.md §6, §6.2; issue #20): every "missing" reason carries a
stable code and its parameters, so the pages, the PDFs and the API (which read the code, not the English) say
the same thing in every language; the basis conversion reads the parameter's canonical basis; the batch path
keeps the row shapes the stored judgements read and raises no floating-point warning on impossible rows."""

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from lims.messages import Message, Named
from maturity.compliance import ProductFacts, judge, judge_frame, judge_frame_checks, to_basis
from maturity.measurements import Measurement as M
from maturity.standards_io import Declaration, Requirement


def one(kind="max", limit=100.0, parameter="cu", unit="mg/kg", basis="dry"):
    return [Requirement("c", parameter, kind, limit, unit, basis)]


def check(requirements, measurements, product=ProductFacts()):
    return judge(requirements, [], measurements, product)["checks"][0]


@pytest.mark.parametrize(
    "moisture, code, params",
    [
        (M(5, "%", "as_received", qualifier="<"), "moisture_below_detection", {"value": "<5 %"}),
        (M(100, "%", "as_received"), "moisture_out_of_range", {"value": "100"}),
        (M(-0.5, "%", "as_received"), "moisture_out_of_range", {"value": "-0.5"}),
        (M(30, "%", "dry"), "moisture_basis", {}),
        (M(30, "dS/m", "as_received"), "moisture_unit", {"unit": "dS/m"}),
        (M(float("nan"), "%", "as_received"), "no_moisture", {}),
        (None, "no_moisture", {}),
    ],
)
def test_unusable_moisture_is_named_by_code(moisture, code, params):
    measurements = {"cu": M(60, "mg/kg", "as_received")}
    if moisture is not None:
        measurements["moisture_pct"] = moisture
    c = check(one(), measurements)
    assert c["status"] == "missing" and c["value"] is None
    reason = c["reason"]
    assert isinstance(reason, Message) and reason.code == "basis_not_convertible"
    why = reason.params["why"]
    assert (why.code, dict(why.params)) == (code, params)


def test_moisture_without_a_unit_is_read_in_percent():
    """A blank moisture unit is the parameter's own unit (%): 20 % moisture turns 48 mg/kg as received into 60 dry."""
    for unit in ("", None):
        c = check(one(), {"cu": M(48, "mg/kg", "as_received"), "moisture_pct": M(20, unit, "as_received")})
        assert (c["status"], c["value"]) == ("pass", pytest.approx(60.0))


def test_no_result_and_unconvertible_unit_codes():
    c = check(one(), {})
    assert (c["status"], c["reason"].code) == ("missing", "no_result")
    c = check(one(), {"cu": M(5, "dS/m", "dry")})
    assert (c["status"], c["reason"].code) == ("missing", "unit_not_convertible")
    assert dict(c["reason"].params) == {"unit": "dS/m", "target": "mg/kg"}


def test_moisture_as_received_only_code():
    c = check(one("max", 35, "moisture_pct", "%", "as_received"), {"moisture_pct": M(30, "%", "dry")})
    assert (c["status"], c["reason"].code) == ("missing", "moisture_as_received_only")


def test_npk_sum_names_the_missing_part_and_keeps_its_code():
    """The N + P₂O₅ + K₂O check says which part is missing (the part by its name: code in English, Chinese name in
    Chinese) and carries the part's own reason code."""
    from django.utils import translation

    req = one("max_exclusive", 15, "npk_sum_pct", "%", "dry")
    c = check(req, {"total_nitrogen_pct": M(2, "%", "dry"), "k2o_pct": M(1, "%", "dry")})
    reason = c["reason"]
    assert (c["status"], reason.code) == ("missing", "no_result")
    part = reason.params["parameter"]
    assert isinstance(part, Named) and part.code == "p2o5_pct"
    assert reason.params["why"].code == "no_result"
    with translation.override("zh-hant"):
        assert str(part) == "全磷酐"
    c = check(
        req, {"total_nitrogen_pct": M(2, "%", "dry"), "p2o5_pct": M(3, "%", "dry"), "k2o_pct": M(1, "%", "as_received")}
    )
    assert c["reason"].code == "basis_not_convertible"
    assert c["reason"].params["parameter"].code == "k2o_pct"
    c = check(
        req, {"total_nitrogen_pct": M(2, "%", "dry"), "p2o5_pct": M(3, "dS/m", "dry"), "k2o_pct": M(1, "%", "dry")}
    )
    assert c["reason"].code == "unit_not_convertible"


def test_npk_sum_qualifier_is_blank_unless_a_part_is_below_detection():
    req = one("max_exclusive", 15, "npk_sum_pct", "%", "dry")
    parts = {"total_nitrogen_pct": M(2, "%", "dry"), "p2o5_pct": M(3, "%", "dry"), "k2o_pct": M(1, "%", "dry")}
    c = check(req, parts)
    assert (c["status"], c["value"], c["qualifier"]) == ("pass", 6, "")
    parts["k2o_pct"] = M(1, "%", "dry", qualifier="<")
    assert check(req, parts)["qualifier"] == "<"


def test_to_basis_reads_the_parameters_canonical_basis_when_the_measurement_has_none():
    """Copper is reported on the dry basis (DOMAIN.md §6.2): a blank basis is dry, so 60 mg/kg dry is 48 mg/kg as
    received at 20 % moisture; with no parameter a blank basis is taken as it stands."""
    assert to_basis(M(60, "mg/kg", ""), "as_received", 20.0, "cu") == (pytest.approx(48.0), None)
    assert to_basis(M(60, "mg/kg", ""), "dry", 20.0, "cu") == (60, None)
    assert to_basis(M(60, "mg/kg", ""), "dry", 20.0) == (60, None)
    assert to_basis(M(60, "mg/kg", ""), "as_received", 20.0) == (60, None)


def test_to_basis_knows_the_derived_npk_sum():
    assert to_basis(M(9, "%", "dry"), "as_received", 20.0, "npk_sum_pct") == (pytest.approx(7.2), None)


def test_to_basis_reads_a_nan_uncertainty_as_none():
    value, u = to_basis(M(60, "mg/kg", "dry", uncertainty=float("nan")), "dry", None, "cu")
    assert (value, u) == (60, None)
    value, u = to_basis(M(48, "mg/kg", "as_received", uncertainty=float("nan")), "dry", 20.0, "cu")
    assert value == pytest.approx(60.0) and u is None


def test_declaration_without_chinese_text_reads_in_english_in_chinese():
    from django.utils import translation

    d = Declaration("c", "no_chemical_fertilizer", "", "No chemical fertilizer added")
    reason = judge([], [d], {}, ProductFacts())["checks"][0]["reason"]
    assert reason.code == "declared"
    with translation.override("zh-hant"):
        assert "No chemical fertilizer added" in str(reason)


def test_declaration_without_a_product_fact_is_missing_by_code():
    d = Declaration("c", "organic_certified", "有機驗證", "Certified organic")
    c = judge([], [d], {}, ProductFacts())["checks"][0]
    assert (c["status"], c["reason"].code, c["reason"].params["declaration"]) == (
        "missing",
        "no_product_fact",
        "organic_certified",
    )
    assert judge_frame([], [d], pd.DataFrame({"cu": [1.0]}))["declaration:organic_certified"].tolist() == ["missing"]


def test_impossible_rows_raise_no_floating_point_warning():
    """Moisture 100 % makes 1 − w/100 zero: 60/0 (divide) and 0/0 (invalid) in the batch path. Those rows are
    missing, quietly: no RuntimeWarning reaches the caller (the import and the market report run with warnings
    logged)."""
    frame = pd.DataFrame(
        {"cu": [60.0, 0.0, 60.0], "cu__basis": ["as_received"] * 3, "moisture_pct": [100.0, 100.0, 20.0]}
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        judged = judge_frame(one(), [], frame)
        verdicts, checks = judge_frame_checks(one(), [], frame)
    assert judged["cu:max"].tolist() == ["missing", "missing", "pass"]
    assert verdicts.tolist() == ["incomplete", "incomplete", "pass"]
    assert checks[0]["value"][2] == pytest.approx(75.0)


def test_frame_checks_rows_have_nan_for_missing_and_boolean_flags():
    """The stored judgements read value/uncertainty as NaN where missing, and ``below``/``beyond`` as booleans,
    for requirement rows and declaration rows alike."""
    d = Declaration("c", "no_chemical_fertilizer", "不得添加化學肥料", "No chemical fertilizer added")
    frame = pd.DataFrame(
        {"cu": [60.0, 60.0], "cu__basis": ["dry", "as_received"], "cu__u": [5.0, 5.0], "cu__qualifier": ["", ""]}
    )
    _, checks = judge_frame_checks(one(), [d], frame, "guarded")
    cu, decl = checks
    assert cu["value"][0] == 60 and math.isnan(cu["value"][1])
    assert cu["uncertainty"][0] == 5 and math.isnan(cu["uncertainty"][1])
    assert cu["uncertainty"].dtype == float
    for row in (cu, decl):
        assert row["below"].dtype == bool and row["beyond"].dtype == bool
        assert row["below"].tolist() == [False, False] and row["beyond"].tolist() == [False, False]
    assert decl["status"].tolist() == ["pass", "pass"]
    assert np.isnan(decl["value"]).all() and np.isnan(decl["uncertainty"]).all() and np.isnan(decl["margin"]).all()


def test_frame_checks_blank_a_missing_value_that_was_read():
    """A moisture reported on the dry basis is read (30 %, U 2 %) but cannot be judged as received: the row's value
    and uncertainty are NaN, not the figures read, so nothing downstream mistakes them for judged figures."""
    req = one("max", 35, "moisture_pct", "%", "as_received")
    frame = pd.DataFrame(
        {"moisture_pct": [30.0, 30.0], "moisture_pct__basis": ["dry", "as_received"], "moisture_pct__u": [2.0, 2.0]}
    )
    verdicts, (row,) = judge_frame_checks(req, [], frame, "guarded")
    assert row["status"].tolist() == ["missing", "pass"]
    assert math.isnan(row["value"][0]) and math.isnan(row["uncertainty"][0])
    assert (row["value"][1], row["uncertainty"][1]) == (30, 2)
