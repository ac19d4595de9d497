"""The batch (frame) path equals the single-sample path on inputs drawn to sit on the
spec's limits (Hypothesis ``sampled_from`` the limits, their neighbouring floats and
limit ± U), for the compliance engine and the maturity rule sets (issue #20).

Also the batch-only inputs the single path never sees: blank product-fact cells,
declarations the engine has no fact for, requirements with no basis."""

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from maturity.calculations import LabPolicy
from maturity.compliance import DECISION_RULES, NOT_APPLICABLE, ProductFacts, judge, judge_frame
from maturity.measurements import Measurement as M
from maturity.rules import INPUT_FIELDS, RULE_SETS, MaturityInput, judge_maturity, judge_maturity_frame
from maturity.standards_io import Declaration, Requirement, load_edition_file

EDITION = load_edition_file(Path(__file__).resolve().parents[2] / "maturity" / "standards" / "tw-1997.yaml")
CATEGORIES = sorted(EDITION.categories)
# every (parameter, limit) of the edition, in the requirement's unit
LIMITS = {}
for _r in EDITION.requirements:
    LIMITS.setdefault(_r.parameter, set()).add(float(_r.limit))
LIMITS = {p: sorted(v) for p, v in LIMITS.items()}
UNCERTAINTIES = [0.0, 0.05, 0.5, 1.0, 10.0]
# a unit the value may be reported in, with how many of it make one canonical unit
UNITS = {
    "cu": [("mg/kg", 1.0), ("ppm", 1.0), ("%", 1e-4), ("g/kg", 1e-3)],
    "zn": [("mg/kg", 1.0), ("mg/g", 1e-3)],
    "moisture_pct": [("%", 1.0), ("g/kg", 10.0)],
    "cec_meq_100g": [("meq/100 g", 1.0), ("cmolc/kg", 1.0)],
}


def _on_limit(draw, limits):
    limit = draw(st.sampled_from(limits))
    where = draw(st.sampled_from(["at", "just_below", "just_above", "+u", "-u", "zero"]))
    if where == "at":
        return limit
    if where == "just_below":
        return math.nextafter(limit, -math.inf)
    if where == "just_above":
        return math.nextafter(limit, math.inf)
    if where == "zero":
        return 0.0
    u = draw(st.sampled_from(UNCERTAINTIES))
    return limit + u if where == "+u" else max(limit - u, 0.0)


@st.composite
def compliance_sample(draw):
    meas = {}
    for p in (
        "moisture_pct",
        "organic_matter_pct",
        "total_nitrogen_pct",
        "p2o5_pct",
        "k2o_pct",
        "cu",
        "zn",
        "hg",
        "cd",
        "ni",
        "as",
        "pb",
        "cr",
        "total_carbon_pct",
        "cn_ratio",
        "cec_meq_100g",
    ):
        if draw(st.integers(0, 7)) == 0:
            continue
        limits = LIMITS.get(p) or [0.0]
        if p in ("total_nitrogen_pct", "p2o5_pct", "k2o_pct"):
            limits = sorted(set(limits) | {5.0, 4.9, 5.1})  # parts of N + P2O5 + K2O near 15
        if p == "moisture_pct":
            limits = [0.0, 32.0, 35.0, 40.0, 99.0]
        value = _on_limit(draw, limits)
        unit, per = draw(st.sampled_from(UNITS.get(p, [("", 1.0)])))
        u = draw(st.one_of(st.none(), st.sampled_from(UNCERTAINTIES)))
        if p == "moisture_pct":
            basis = draw(st.sampled_from(["as_received", ""]))
        elif p == "cn_ratio":
            basis = ""
        else:
            basis = draw(st.sampled_from(["dry", "as_received", ""]))
        qualifier = draw(st.sampled_from(["", "", "", "<"]))
        meas[p] = M(value * per, unit, basis, qualifier, None if u is None else u * per)
    product = ProductFacts(bagasse_based=draw(st.booleans()), chemical_fertilizer_added=draw(st.booleans()))
    return meas, product


def _frame(samples):
    rows = []
    for meas, product in samples:
        row = {"bagasse_based": product.bagasse_based, "chemical_fertilizer_added": product.chemical_fertilizer_added}
        for p, m in meas.items():
            row.update(
                {
                    p: m.value,
                    f"{p}__unit": m.unit,
                    f"{p}__basis": m.basis,
                    f"{p}__qualifier": m.qualifier,
                    f"{p}__u": np.nan if m.uncertainty is None else m.uncertainty,
                }
            )
        rows.append(row)
    return pd.DataFrame(rows)


def _agree(samples, reqs, decls, rule):
    out = judge_frame(reqs, decls, _frame(samples), rule)
    for (meas, product), (_, row) in zip(samples, out.iterrows()):
        scalar = judge(reqs, decls, meas, product, rule)
        seen = {c["key"]: c["status"] for c in scalar["checks"]}
        for col in out.columns.drop("verdict"):
            assert row[col] == seen.get(col, NOT_APPLICABLE), (col, meas, product)
        assert row["verdict"] == scalar["verdict"], (meas, product)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    samples=st.lists(compliance_sample(), min_size=1, max_size=8),
    category=st.sampled_from(CATEGORIES),
    rule=st.sampled_from(DECISION_RULES),
)
def test_compliance_frame_equals_scalar_on_the_limits(samples, category, rule):
    _agree(samples, EDITION.requirements_for(category), EDITION.declarations_for(category), rule)


@pytest.mark.parametrize("rule", DECISION_RULES)
@pytest.mark.parametrize("r", EDITION.requirements, ids=lambda r: f"{r.category}-{r.parameter}-{r.kind}")
def test_every_requirement_of_the_edition_at_its_limit(r, rule):
    """Equality meets the limit (≥ min, ≤ max); max_exclusive fails at the limit (§6, §6.3)."""
    below, above = math.nextafter(r.limit, -math.inf), math.nextafter(r.limit, math.inf)
    expected = {
        "min": ("fail", "pass", "pass"),
        "max": ("pass", "pass", "fail"),
        "max_exclusive": ("pass", "fail", "fail"),
    }[r.kind]
    product = ProductFacts(bagasse_based=r.condition == "bagasse")
    parts = ("total_nitrogen_pct", "p2o5_pct", "k2o_pct")
    for value, want in zip((below, r.limit, above), expected):
        if r.parameter == "npk_sum_pct":
            meas = {p: M(value / 3, "%", "dry") for p in parts}
            if value != r.limit:  # the sum of thirds need not land on the float exactly; judge what it is
                total = sum(m.value for m in meas.values())
                want = expected[0] if total < r.limit else expected[1] if total == r.limit else expected[2]
        else:
            meas = {r.parameter: M(value, r.unit, r.basis)}
        out = judge([r], [], meas, product, rule)
        assert out["checks"][0]["status"] == want, (value, out["checks"][0])
        _agree([(meas, product)], [r], [], rule)


# --------------------------------------------------------------------------- batch-only inputs

DECL = Declaration("c", "no_chemical_fertilizer", "未添加化學肥料", "no chemical fertilizer added")


def test_blank_product_fact_cells_are_false():
    reqs = [
        Requirement("c", "moisture_pct", "max", 35, "%", "as_received", "not_bagasse"),
        Requirement("c", "moisture_pct", "max", 40, "%", "as_received", "bagasse"),
    ]
    frame = pd.DataFrame(
        {
            "moisture_pct": [38.0, 38.0, 38.0, 38.0],
            "bagasse_based": [None, np.nan, True, False],
            "chemical_fertilizer_added": [np.nan, None, False, True],
        },
        dtype=object,
    )
    out = judge_frame(reqs, [DECL], frame)
    assert out["declaration:no_chemical_fertilizer"].tolist() == ["pass", "pass", "pass", "fail"]
    assert out["moisture_pct:max:not_bagasse"].tolist() == ["fail", "fail", NOT_APPLICABLE, "fail"]
    assert out["moisture_pct:max:bagasse"].tolist() == [NOT_APPLICABLE, NOT_APPLICABLE, "pass", NOT_APPLICABLE]
    assert out["verdict"].tolist() == ["fail", "fail", "pass", "fail"]
    # and the scalar path, with the blank read as "no"
    scalar = judge(reqs, [DECL], {"moisture_pct": M(38.0, "%", "as_received")}, ProductFacts())
    assert [c["status"] for c in scalar["checks"]] == ["fail", "pass"]


def test_unknown_declaration_is_missing_on_both_paths():
    other = Declaration("c", "organic_certified", "有機認證", "certified organic")
    frame = pd.DataFrame({"cu": [50.0, 150.0], "chemical_fertilizer_added": [True, False]})
    reqs = [Requirement("c", "cu", "max", 100, "mg/kg", "dry")]
    out = judge_frame(reqs, [other], frame)
    assert out["declaration:organic_certified"].tolist() == ["missing", "missing"]
    assert out["verdict"].tolist() == ["incomplete", "fail"]
    scalar = judge(reqs, [other], {"cu": M(50.0, "mg/kg", "dry")}, ProductFacts(chemical_fertilizer_added=True))
    row = scalar["checks"][1]
    assert row["status"] == "missing"
    assert row["reason"] == "no product fact to check the declaration 'organic_certified' against"
    assert scalar["verdict"] == "incomplete"


def test_declaration_rows_shape():
    """The declaration rows the pages and PDFs read."""
    base = {
        "key": "declaration:no_chemical_fertilizer",
        "parameter": "declaration:no_chemical_fertilizer",
        "kind": "declaration",
        "limit": None,
        "unit": "",
        "basis": "",
        "value": None,
        "uncertainty": None,
        "qualifier": "",
        "condition": "",
        "condition_text": "",
        "source": "",
        "text_zh": "未添加化學肥料",
        "text_en": "no chemical fertilizer added",
    }
    ok = judge([], [DECL], {}, ProductFacts())["checks"][0]
    assert ok == {**base, "status": "pass", "reason": "declared: no chemical fertilizer added"}
    bad = judge([], [DECL], {}, ProductFacts(chemical_fertilizer_added=True))
    assert bad["checks"][0] == {
        **base,
        "status": "fail",
        "reason": (
            "chemical fertilizer added to the product, contradicting the required declaration "
            "'no chemical fertilizer added'"
        ),
    }
    assert bad["verdict"] == "fail"


def test_requirement_check_rows_shape():
    r = Requirement("c", "cu", "max", 100, "mg/kg", "dry", "", "", "ch. 11 table 3")
    out = judge(
        [r],
        [],
        {"moisture_pct": M(32.0, "%", "as_received"), "cu": M(60, "mg/kg", "as_received", "", 10)},
        ProductFacts(),
        "guarded",
    )
    assert out["checks"] == [
        {
            "key": "cu:max",
            "parameter": "cu",
            "kind": "max",
            "limit": 100,
            "unit": "mg/kg",
            "basis": "dry",
            "condition": "",
            "condition_text": "",
            "source": "ch. 11 table 3",
            "value": pytest.approx(60 / 0.68),
            "uncertainty": pytest.approx(10 / 0.68),
            "qualifier": "",
            "status": "conditional",
            "reason": "88.235 + 14.706 = 102.94 > 100, but 88.235 − 14.706 = 73.529 ≤ 100",
        }
    ]
    missing = judge([r], [], {}, ProductFacts())["checks"][0]
    assert {k: missing[k] for k in ("value", "uncertainty", "qualifier", "status", "reason")} == {
        "value": None,
        "uncertainty": None,
        "qualifier": "",
        "status": "missing",
        "reason": "no result",
    }


def test_requirement_without_basis_is_never_converted():
    """A requirement with no basis compares the value as reported, on both paths."""
    r = Requirement("c", "cu", "max", 100, "mg/kg", "")
    for basis, value, status in (
        ("as_received", 90.0, "pass"),
        ("dry", 90.0, "pass"),
        ("as_received", 101.0, "fail"),
        ("dry", 101.0, "fail"),
        ("", 101.0, "fail"),
    ):
        meas = {"moisture_pct": M(32.0, "%", "as_received"), "cu": M(value, "mg/kg", basis)}
        check = judge([r], [], meas)["checks"][0]
        assert (check["value"], check["status"]) == (value, status)
        frame = pd.DataFrame({"moisture_pct": [32.0], "cu": [value], "cu__basis": [basis]})
        assert judge_frame([r], [], frame)["cu:max"].tolist() == [status]
    # without any moisture result it is still judged, not missing
    frame = pd.DataFrame({"cu": [90.0, 90.0], "cu__basis": ["as_received", "dry"]})
    assert judge_frame([r], [], frame)["cu:max"].tolist() == ["pass", "pass"]
    assert [judge([r], [], {"cu": M(90.0, "mg/kg", b)})["checks"][0]["status"] for b in ("as_received", "dry")] == [
        "pass",
        "pass",
    ]


def test_as_received_requirement_converts_dry_values_on_both_paths():
    r = Requirement("c", "cu", "max", 70, "mg/kg", "as_received")
    meas = {"moisture_pct": M(30.0, "%", "as_received"), "cu": M(100.0, "mg/kg", "dry", "", 10.0)}
    check = judge([r], [], meas)["checks"][0]
    assert (check["value"], check["uncertainty"], check["status"]) == (pytest.approx(70.0), pytest.approx(7.0), "pass")
    frame = pd.DataFrame({"moisture_pct": [30.0, 30.0, np.nan], "cu": [100.0, 100.1, 100.0], "cu__u": [10.0] * 3})
    assert judge_frame([r], [], frame)["cu:max"].tolist() == ["pass", "fail", "missing"]
    assert judge_frame([r], [], frame, "guarded")["cu:max"].tolist() == ["conditional", "conditional", "missing"]


# --------------------------------------------------------------------------- maturity rule sets

P = LabPolicy()
THRESHOLDS = {
    "relative_germination_pct": [P.relative_germination_mature_pct],
    "relative_root_growth_pct": [P.root_growth_not_inhibited_pct],
    "germination_index_pct": [P.gi_mature_pct, P.gi_intermediate_pct],
    "cn_ratio": [P.cn_mature_below],
    "rs_tc_ratio_pct": [P.rs_tc_mature_below_pct],
}


@st.composite
def maturity_row(draw):
    row = {}
    for key, limits in THRESHOLDS.items():
        if draw(st.integers(0, 5)) == 0:
            row[key] = None
        else:
            row[key] = _on_limit(draw, limits)
    row["germination_valid"] = draw(st.sampled_from([None, True, False]))
    row["chromatogram_protocol"] = draw(st.sampled_from([None, "tari_agno3", "livestock_naoh"]))
    row["chromatogram_score"] = draw(st.sampled_from([None, 0, 1, 2, 3]))
    row["chromatogram_edge"] = draw(st.sampled_from([None, "smooth", "serrated"]))
    row["bark_compost"] = draw(st.sampled_from([False, True, None]))
    return row


# the handbook's rule sets, on their inputs; ccqc_2001 reads other inputs and has its own frame-equals-scalar
# test in test_ccqc.py
HANDBOOK_RULE_SETS = tuple(r for r in RULE_SETS if r != "ccqc_2001")


@settings(deadline=None)
@given(rows=st.lists(maturity_row(), min_size=1, max_size=10), rule_set=st.sampled_from(HANDBOOK_RULE_SETS))
def test_maturity_frame_equals_scalar_on_the_thresholds(rows, rule_set):
    frame = judge_maturity_frame(rule_set, pd.DataFrame(rows, columns=list(INPUT_FIELDS)))
    for row, (_, out) in zip(rows, frame.iterrows()):
        scalar = judge_maturity(rule_set, MaturityInput(**row))
        assert {i["indicator"]: i["status"] for i in scalar["indicators"]} == out.drop("verdict").to_dict()
        assert out["verdict"] == scalar["verdict"]


def test_npk_sum_frame_equals_scalar_for_every_uncertainty_and_qualifier_mix():
    req = [
        Requirement("misc_organic", "npk_sum_pct", "max_exclusive", 15, "%", "dry"),
        Requirement("misc_organic", "npk_sum_pct", "min", 14, "%", "dry"),
    ]  # the sum prepared once, used twice
    samples = []
    for total in (13.5, 13.8, 14.2, 14.6, 15.0):
        for us in ((0.3, 0.4, 1.2), (1.0, 0.2, 0.1), (0.1, 1.5, 0.2), (2.0, 2.0, 2.0), (None, 0.5, 0.5)):
            for qs in (("", "", ""), ("<", "", ""), ("", "<", ""), ("", "", "<"), ("<", "<", "")):
                parts = (total * 0.4, total * 0.35, total * 0.25)
                meas = {
                    k: M(v, "%", "dry", q, u)
                    for k, v, q, u in zip(("total_nitrogen_pct", "p2o5_pct", "k2o_pct"), parts, qs, us)
                }
                samples.append((meas, ProductFacts()))
    for rule in DECISION_RULES:
        _agree(samples, req, [], rule)
    out = judge_frame(req, [], _frame(samples), "guarded")["npk_sum_pct:max_exclusive"]
    assert {"pass", "fail", "conditional"} <= set(out)


def test_one_parameter_in_two_units_and_twice_in_one_unit():
    reqs = [
        Requirement("c", "cu", "max", 100, "mg/kg", "dry"),
        Requirement("c", "cu", "min", 0.006, "%", "dry"),
        Requirement("c", "cu", "max_exclusive", 120, "mg/kg", "dry"),
    ]
    samples = [({"cu": M(v, "mg/kg", "dry")}, ProductFacts()) for v in (50.0, 60.0, 100.0, 110.0, 120.0)]
    _agree(samples, reqs, [], "simple")
    out = judge_frame(reqs, [], _frame(samples))
    assert out["cu:min"].tolist() == ["fail", "pass", "pass", "pass", "pass"]
    assert out["cu:max_exclusive"].tolist() == ["pass", "pass", "pass", "pass", "fail"]


def test_non_contents_are_never_converted_in_a_frame():
    req = [Requirement("c", "ph", "max", 7.5, "", "dry")]
    frame = pd.DataFrame({"ph": [7.0, 7.0], "ph__basis": ["as_received", ""], "moisture_pct": [50.0, 50.0]})
    assert judge_frame(req, [], frame)["ph:max"].tolist() == ["pass", "pass"]
    assert (
        judge(req, [], {"ph": M(7.0, "", "as_received"), "moisture_pct": M(50.0, "%", "as_received")})["checks"][0][
            "status"
        ]
        == "pass"
    )


def test_uncertainty_follows_the_basis_conversion_in_a_frame():
    to_dry = [Requirement("c", "cu", "max", 100, "mg/kg", "dry")]
    # 60 ± 10 as received at 32 % moisture = 88.235 ± 14.706 dry: 102.94 > 100 ≥ 73.53 -> conditional
    samples = [
        ({"cu": M(60.0, "mg/kg", "as_received", "", 10.0), "moisture_pct": M(32.0, "%", "as_received")}, ProductFacts())
    ]
    _agree(samples, to_dry, [], "guarded")
    assert judge_frame(to_dry, [], _frame(samples), "guarded")["cu:max"].tolist() == ["conditional"]
    to_wet = [Requirement("c", "cu", "max", 78, "mg/kg", "as_received")]
    # 100 ± 10 dry at 30 % moisture = 70 ± 7 as received: 77 ≤ 78 -> pass; a value already as received stays
    samples = [
        ({"cu": M(100.0, "mg/kg", "dry", "", 10.0), "moisture_pct": M(30.0, "%", "as_received")}, ProductFacts()),
        ({"cu": M(75.0, "mg/kg", "as_received", "", 2.0), "moisture_pct": M(30.0, "%", "as_received")}, ProductFacts()),
    ]
    _agree(samples, to_wet, [], "guarded")
    assert judge_frame(to_wet, [], _frame(samples), "guarded")["cu:max"].tolist() == ["pass", "pass"]


def test_moisture_limit_on_the_dry_basis_takes_the_moisture_as_it_is():
    req = [Requirement("c", "moisture_pct", "max", 35, "%", "dry")]
    samples = [({"moisture_pct": M(30.0, "%", "as_received")}, ProductFacts())]
    _agree(samples, req, [], "simple")
    assert judge_frame(req, [], _frame(samples))["moisture_pct:max"].tolist() == ["pass"]


def test_reason_when_only_the_17th_digit_differs():
    import math

    req = [Requirement("c", "cu", "max", 100.1, "mg/kg", "dry")]
    c = judge(req, [], {"cu": M(math.nextafter(100.1, math.inf), "mg/kg", "dry")})["checks"][0]
    assert (c["status"], c["reason"]) == ("fail", "100.10000000000001 > 100.1")


# --------------------------------------------------------------------------- judge_frame_checks, margin, beyond


@pytest.mark.parametrize(
    "kind,value,limit,margin",
    [
        ("min", 5.0, 3.0, 2.0),
        ("min", 2.5, 3.0, -0.5),
        ("max", 5.0, 3.0, -2.0),
        ("max", 2.0, 3.0, 1.0),
        ("max_exclusive", 3.0, 3.0, 0.0),
        ("max_exclusive", 1.0, 3.0, 2.0),
        ("max", None, 3.0, None),
    ],
)
def test_margin_is_the_distance_on_the_passing_side(kind, value, limit, margin):
    from maturity.compliance import margin as margin_of

    assert margin_of(kind, value, limit) == margin


@pytest.mark.parametrize(
    "kind,qualifier,beyond_below,beyond_at,beyond_above",
    [
        ("min", "", True, False, False),
        ("min", "<", True, False, False),  # "<X" under a minimum: X itself is compared
        ("max", "", False, False, True),
        ("max", "<", False, False, False),  # below detection never exceeds a maximum
        ("max_exclusive", "", False, True, True),
        ("max_exclusive", "<", False, False, False),
    ],
)
def test_beyond_at_below_above_the_limit(kind, qualifier, beyond_below, beyond_at, beyond_above):
    from maturity.compliance import beyond

    limit = 100.0
    got = [beyond(kind, v, qualifier, limit) for v in (math.nextafter(limit, 0), limit, math.nextafter(limit, 200))]
    assert got == [beyond_below, beyond_at, beyond_above]
    assert beyond(kind, None, qualifier, limit) is False


def _checks_agree(samples, reqs, decls, rule):
    from maturity.compliance import beyond, judge_frame_checks, margin

    verdicts, checks = judge_frame_checks(reqs, decls, _frame(samples), rule)
    assert verdicts.tolist() == judge_frame(reqs, decls, _frame(samples), rule)["verdict"].tolist()
    assert [c["key"] for c in checks] == [c for c in judge_frame(reqs, decls, _frame(samples), rule).columns][:-1]
    for i, (meas, product) in enumerate(samples):
        scalar = judge(reqs, decls, meas, product, rule)
        assert verdicts.iloc[i] == scalar["verdict"]
        seen = {c["key"]: c for c in scalar["checks"]}
        for c in checks:
            s = seen.get(c["key"])
            assert c["status"][i] == (s["status"] if s else NOT_APPLICABLE)
            if c["kind"] == "declaration":
                assert (c["limit"], c["unit"], c["basis"], c["condition"]) == (None, "", "", "")
                assert c["parameter"] == c["key"]
                assert math.isnan(c["value"][i]) and math.isnan(c["uncertainty"][i]) and math.isnan(c["margin"][i])
                assert not c["below"][i] and not c["beyond"][i]
                continue
            r = next(
                r
                for r in reqs
                if r.parameter == c["parameter"] and r.kind == c["kind"] and r.condition == c["condition"]
            )
            assert (c["limit"], c["unit"], c["basis"]) == (r.limit, r.unit, r.basis)
            if s is None or s["status"] == NOT_APPLICABLE or s["value"] is None:
                continue
            assert c["value"][i] == pytest.approx(s["value"], rel=1e-12, abs=1e-300)
            if s["uncertainty"] is None:
                assert math.isnan(c["uncertainty"][i]) or c["uncertainty"][i] == 0
            else:
                assert c["uncertainty"][i] == pytest.approx(s["uncertainty"], rel=1e-12, abs=1e-300)
            assert bool(c["below"][i]) == (s["qualifier"] == "<")
            assert c["margin"][i] == pytest.approx(margin(c["kind"], s["value"], c["limit"]), rel=1e-12, abs=1e-9)
            assert bool(c["beyond"][i]) == beyond(c["kind"], s["value"], s["qualifier"], c["limit"])


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=30)
@given(
    samples=st.lists(compliance_sample(), min_size=1, max_size=4),
    category=st.sampled_from(CATEGORIES),
    rule=st.sampled_from(DECISION_RULES),
)
def test_frame_checks_equal_scalar_checks_on_the_limits(samples, category, rule):
    _checks_agree(samples, EDITION.requirements_for(category), EDITION.declarations_for(category), rule)


def test_frame_checks_missing_values_and_declarations():
    from maturity.compliance import judge_frame_checks

    reqs = [
        Requirement("c", "cu", "max", 100, "mg/kg", "dry"),
        Requirement("c", "organic_matter_pct", "min", 60, "%", "dry"),
        Requirement("c", "cd", "max_exclusive", 5, "mg/kg", "dry"),
    ]
    frame = pd.DataFrame(
        {
            "moisture_pct": [20.0, 20.0, np.nan],
            "cu": [80.0, 4.0, 50.0],
            "cu__qualifier": ["", "<", ""],
            "cu__u": [8.0, np.nan, 1.0],
            "cu__basis": ["as_received", "dry", "as_received"],
            "organic_matter_pct": [48.0, np.nan, 70.0],
            "organic_matter_pct__basis": ["as_received", "", "dry"],
            "cd": [4.0, 6.25, 5.0],
            "cd__basis": ["as_received", "dry", "dry"],
            "chemical_fertilizer_added": [False, True, False],
        }
    )
    verdicts, checks = judge_frame_checks(reqs, [DECL], frame)
    cu, om, cd, decl = checks
    assert cu["key"] == "cu:max" and om["key"] == "organic_matter_pct:min" and cd["key"] == "cd:max_exclusive"
    assert cu["value"][:2].tolist() == [pytest.approx(100.0), 4.0]  # 80 as received / 0.8 dry
    assert math.isnan(cu["value"][2])  # as received without moisture: missing
    assert cu["uncertainty"][0] == pytest.approx(10.0)
    assert cu["below"].tolist() == [False, True, False]
    assert cu["margin"][0] == pytest.approx(0.0) and cu["margin"][1] == pytest.approx(96.0)
    assert cu["beyond"].tolist() == [False, False, False]
    assert om["value"][0] == pytest.approx(60.0) and math.isnan(om["value"][1]) and om["value"][2] == 70.0
    assert om["margin"][0] == pytest.approx(0.0) and om["margin"][2] == pytest.approx(10.0)
    assert om["beyond"].tolist() == [False, False, False]
    assert cd["value"][0] == pytest.approx(5.0) and cd["beyond"].tolist() == [True, True, True]
    assert cd["status"].tolist() == ["fail", "fail", "fail"]
    assert cd["margin"][1] == pytest.approx(-1.25)
    assert decl["status"].tolist() == ["pass", "fail", "pass"] and decl["kind"] == "declaration"
    assert verdicts.tolist() == ["fail", "fail", "fail"]
    assert verdicts.index.tolist() == [0, 1, 2]
