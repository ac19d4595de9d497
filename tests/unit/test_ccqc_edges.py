"""Rule set ccqc_2001, DOMAIN.md §12, written from the spec (issue #20): the frame path equal to the scalar path on
every threshold of the table exactly, just below and just above (next floats), invalid and missing results, the
numbers a table hands over (numpy ints and floats, NaN), and the indicator rows the pages read."""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lims.messages import Message
from maturity import ccqc

TESTS = {t.indicator: t for t in ccqc.CCQC_2001.tests}
# the §12 table, written out again from the spec: (parameter, very mature, mature) as (op, limit)
SPEC = {
    "co2_c_mg_per_g_om_day": (("<", 2), ("<=", 4)),
    "solvita_co2": ((">=", 7), (">=", 5)),
    "dewar_rise_c": (("<", 10), ("<=", 20)),
    "nh4_n_mg_kg": (("<", 75), ("<=", 500)),
    "nh4_no3_ratio": (("<", 0.5), ("<=", 3)),
    "solvita_nh3": ((">=", 5), (">=", 4)),
    "relative_germination_pct": ((">", 90), (">=", 80)),
}


def near(limit):
    return [limit, math.nextafter(limit, -math.inf), math.nextafter(limit, math.inf)]


def spec_class(parameter, value):
    import operator

    ops = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
    (op1, l1), (op2, l2) = SPEC[parameter]
    if ops[op1](value, l1):
        return "very_mature"
    if ops[op2](value, l2):
        return "mature"
    return "immature"


VALUES = {p: sorted({v for lim in (a[1], b[1]) for v in near(float(lim))} | {0.0}) for p, (a, b) in SPEC.items()}


def ind(result, key):
    return next(i for i in result["indicators"] if i["indicator"] == key)


@pytest.mark.parametrize("parameter", list(SPEC))
def test_every_edge_in_next_floats_scalar_and_frame(parameter):
    indicator = next(t.indicator for t in ccqc.CCQC_2001.tests if t.parameter == parameter)
    values = VALUES[parameter]
    frame = ccqc.judge_ccqc_frame(pd.DataFrame({"cn_ratio": [20.0] * len(values), parameter: values}))
    for row, v in zip(frame.itertuples(), values):
        want = spec_class(parameter, v)
        got = ccqc.judge_ccqc({"cn_ratio": 20.0, parameter: v})
        assert ind(got, indicator)["status"] == want, (parameter, v)
        assert getattr(row, indicator) == want, (parameter, v)
        group = TESTS[indicator].group
        assert getattr(row, f"group_{group}") == want == got["groups"][group]
        assert row.verdict == "incomplete" == got["verdict"]


@pytest.mark.parametrize("cn", near(25.0))
def test_cn_gate_in_next_floats(cn):
    values = {"cn_ratio": cn, "co2_c_mg_per_g_om_day": 1.0, "nh4_n_mg_kg": 10.0}
    want = "very_mature" if cn <= 25 else "immature"
    assert ccqc.judge_ccqc(values)["verdict"] == want
    assert ccqc.judge_ccqc_frame(pd.DataFrame([values]))["verdict"].tolist() == [want]
    assert ind(ccqc.judge_ccqc(values), "cn_ratio")["threshold"] == ("≤ 25" if cn <= 25 else None)


def test_indicator_rows_shape():
    r = ccqc.judge_ccqc({"cn_ratio": 30.5, "solvita_co2": 6, "dewar_rise_c": 25.0})
    assert r["rule_set"] == "ccqc_2001" and r["verdict"] == "immature"
    assert r["groups"] == {"A": "immature", "B": None}
    gate = ind(r, "cn_ratio")
    assert {k: gate[k] for k in ("indicator", "group", "parameter", "value", "status", "threshold")} == {
        "indicator": "cn_ratio",
        "group": "gate",
        "parameter": "cn_ratio",
        "value": 30.5,
        "status": "immature",
        "threshold": None,
    }
    assert "25" in gate["criterion"]
    co2 = ind(r, "solvita_co2")
    assert (co2["group"], co2["parameter"], co2["value"], co2["status"], co2["threshold"]) == (
        "A",
        "solvita_co2",
        6,
        "mature",
        "≥ 5",
    )
    assert isinstance(co2["value"], int)
    dewar = ind(r, "dewar_rise")
    assert (dewar["status"], dewar["threshold"], dewar["value"]) == ("immature", None, 25.0)
    missing = ind(r, "nh4_n")
    assert (missing["status"], missing["threshold"], missing["value"]) == ("missing", None, None)
    for i in r["indicators"]:
        assert set(i) == {"indicator", "group", "parameter", "value", "criterion", "status", "threshold"}
        assert isinstance(i["criterion"], (str, Message)) and str(i["criterion"])


def test_criterion_names_both_limits_and_the_unit():
    for t in ccqc.CCQC_2001.tests:
        text = t.criterion()
        assert ccqc._num(t.very_mature.limit) in text and ccqc._num(t.mature.limit) in text
        if t.unit:
            assert text.count(t.unit) == 2
    assert ccqc.Threshold("<=", 0.5).text() == "≤ 0.5"
    assert ccqc.Threshold(">", 90.0).text() == "> 90"
    assert ccqc.Threshold(">=", 7).text() == "≥ 7"
    assert ccqc.Threshold("<", 2.0).text() == "< 2"


def test_numbers_from_a_table():
    assert ccqc._present(np.int64(6)) == 6 and isinstance(ccqc._present(np.int64(6)), int)
    assert isinstance(ccqc._present(np.uint8(4)), int)
    assert ccqc._present(np.float64(6.0)) == 6.0 and isinstance(ccqc._present(np.float64(6.0)), float)
    assert ccqc._present(7) == 7 and isinstance(ccqc._present(7), int)
    assert ccqc._present(6.5) == 6.5
    assert ccqc._present(np.nan) is None and ccqc._present(float("nan")) is None
    assert ccqc._present(None) is None and ccqc._present(True) is None and ccqc._present(False) is None
    assert ccqc._present("4.5") == 4.5
    r = ccqc.judge_ccqc({"cn_ratio": np.float64(20), "solvita_co2": np.int64(7), "solvita_nh3": np.int64(5)})
    assert r["verdict"] == "very_mature" and ind(r, "solvita_co2")["value"] == 7


def test_invalid_is_not_a_result_on_both_paths():
    values = {"cn_ratio": 20.0, "co2_c_mg_per_g_om_day": 1.0, "relative_germination_pct": 95.0}
    r = ccqc.judge_ccqc(values, invalid={"relative_germination_pct"})
    g = ind(r, "germination")
    assert (g["status"], g["threshold"], g["value"]) == ("invalid", None, 95.0)
    assert r["groups"] == {"A": "very_mature", "B": None} and r["verdict"] == "incomplete"
    df = pd.DataFrame([values, values])
    out = ccqc.judge_ccqc_frame(df, {"relative_germination_pct": [True, False]})
    assert out["germination"].tolist() == ["invalid", "very_mature"]
    assert out["group_B"].tolist() == [None, "very_mature"]
    assert out["verdict"].tolist() == ["incomplete", "very_mature"]
    # invalid wins over missing too
    out = ccqc.judge_ccqc_frame(pd.DataFrame({"cn_ratio": [20.0]}), {"relative_germination_pct": [True]})
    assert out["germination"].tolist() == ["invalid"]
    assert ccqc.judge_ccqc({"cn_ratio": 20.0}, invalid={"relative_germination_pct"})["indicators"][-1]["status"] == (
        "invalid"
    )


def test_frame_group_without_result_is_none_not_nan():
    out = ccqc.judge_ccqc_frame(pd.DataFrame({"cn_ratio": [20.0], "solvita_nh3": [3]}))
    assert out["group_A"].tolist() == [None] and out["group_B"].tolist() == ["immature"]
    assert out["group_A"].dtype == object
    assert out["verdict"].tolist() == ["incomplete"]
    assert out.index.tolist() == [0]


def test_frame_keeps_the_index_and_reads_numeric_text():
    df = pd.DataFrame({"cn_ratio": ["20", "26"], "solvita_co2": [7, 7], "solvita_nh3": ["5", "5"]}, index=["s1", "s2"])
    out = ccqc.judge_ccqc_frame(df)
    assert out.index.tolist() == ["s1", "s2"]
    assert out["verdict"].tolist() == ["very_mature", "immature"]
    with pytest.raises((ValueError, TypeError)):
        ccqc.judge_ccqc_frame(pd.DataFrame({"cn_ratio": ["twenty"]}))


def test_frame_worst_of_a_group_and_every_verdict():
    rows = [
        {"cn_ratio": 20.0, "co2_c_mg_per_g_om_day": 1.0, "dewar_rise_c": 15.0, "nh4_n_mg_kg": 10.0},  # A mature
        {"cn_ratio": 20.0, "co2_c_mg_per_g_om_day": 1.0, "dewar_rise_c": 5.0, "nh4_n_mg_kg": 10.0},  # very mature
        {"cn_ratio": 20.0, "co2_c_mg_per_g_om_day": 5.0, "dewar_rise_c": 5.0, "nh4_n_mg_kg": 10.0},  # A immature
        {"cn_ratio": 20.0, "co2_c_mg_per_g_om_day": 1.0, "dewar_rise_c": 5.0, "nh4_n_mg_kg": 100.0},  # B mature
        {"cn_ratio": 20.0, "co2_c_mg_per_g_om_day": 3.0, "dewar_rise_c": 5.0, "nh4_n_mg_kg": 600.0},  # B immature
        {"cn_ratio": np.nan, "co2_c_mg_per_g_om_day": 1.0, "dewar_rise_c": 5.0, "nh4_n_mg_kg": 10.0},
        {"cn_ratio": 25.5, "co2_c_mg_per_g_om_day": np.nan, "dewar_rise_c": np.nan, "nh4_n_mg_kg": np.nan},
    ]
    out = ccqc.judge_ccqc_frame(pd.DataFrame(rows))
    assert out["group_A"].tolist() == [
        "mature",
        "very_mature",
        "immature",
        "very_mature",
        "mature",
        "very_mature",
        None,
    ]
    assert out["verdict"].tolist() == [
        "mature",
        "very_mature",
        "immature",
        "mature",
        "immature",
        "incomplete",
        "immature",
    ]
    groups = list(zip(out["group_A"].tolist(), out["group_B"].tolist()))
    for (_, got), row, g in zip(out.iterrows(), rows, groups):
        want = ccqc.judge_ccqc({k: (None if pd.isna(v) else v) for k, v in row.items()})
        assert got["verdict"] == want["verdict"]
        assert g == (want["groups"]["A"], want["groups"]["B"])


def opt(values):
    return st.one_of(st.none(), st.sampled_from(values))


@settings(deadline=None)
@given(
    st.lists(
        st.fixed_dictionaries({"cn_ratio": opt(near(25.0) + [10.0]), **{p: opt(VALUES[p]) for p in SPEC}}),
        min_size=1,
        max_size=8,
    ),
    st.lists(st.booleans(), min_size=8, max_size=8),
)
def test_frame_equals_scalar_on_the_limits(rows, invalid):
    df = pd.DataFrame(rows, dtype=float)
    mask = np.array(invalid[: len(rows)])
    out = ccqc.judge_ccqc_frame(df, {"relative_germination_pct": mask})
    groups = list(zip(out["group_A"].tolist(), out["group_B"].tolist()))
    for (_, got), row, bad, g in zip(out.iterrows(), rows, mask, groups):
        want = ccqc.judge_ccqc(row, invalid={"relative_germination_pct"} if bad else set())
        assert got["verdict"] == want["verdict"]
        assert {i["indicator"]: i["status"] for i in want["indicators"]} == {k: got[k] for k in ccqc.INDICATORS}
        assert g == (want["groups"]["A"], want["groups"]["B"])


def test_frame_groups_keep_the_index_and_invalid_masks_may_be_object_columns():
    df = pd.DataFrame(
        {"cn_ratio": [20.0, 20.0], "co2_c_mg_per_g_om_day": [1.0, 3.0], "relative_germination_pct": [95.0, 85.0]},
        index=["s1", "s2"],
    )
    out = ccqc.judge_ccqc_frame(df, {"relative_germination_pct": pd.Series([True, False], dtype=object)})
    assert out["group_A"].tolist() == ["very_mature", "mature"]
    assert out["group_B"].tolist() == [None, "mature"]
    assert out["germination"].tolist() == ["invalid", "mature"]
    assert out["verdict"].tolist() == ["incomplete", "mature"]


def test_criteria_are_messages_coded_by_indicator_with_their_limits():
    """Each criterion the pages show is a message coded by its indicator, with the §12 limits (and the unit, only
    where the table has one) as its parameters; the C/N gate reads in Chinese from its own template."""
    from django.utils import translation

    r = ccqc.judge_ccqc({"cn_ratio": 20.0})
    gate = ind(r, "cn_ratio")["criterion"]
    assert (gate.code, dict(gate.params)) == ("cn_ratio", {"threshold": "≤ 25"})
    with translation.override("zh-hant"):
        assert str(gate) == "碳氮比 ≤ 25，否則未腐熟"
    expected = {
        "co2_evolution": ("< 2 mg CO₂-C/g OM/day", "≤ 4 mg CO₂-C/g OM/day"),
        "solvita_co2": ("≥ 7", "≥ 5"),
        "dewar_rise": ("< 10 °C", "≤ 20 °C"),
        "nh4_n": ("< 75 mg/kg", "≤ 500 mg/kg"),
        "nh4_no3_ratio": ("< 0.5", "≤ 3"),
        "solvita_nh3": ("≥ 5", "≥ 4"),
        "germination": ("> 90 % of control", "≥ 80 % of control"),
    }
    for t in ccqc.CCQC_2001.tests:
        c = t.criterion()
        very, mature = expected[t.indicator]
        assert (c.code, dict(c.params)) == (t.indicator, {"very_mature": very, "mature": mature})
        assert ind(r, t.indicator)["criterion"].code == t.indicator
