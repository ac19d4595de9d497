"""Rule set ccqc_2001 (maturity.ccqc, maturity.rules), DOMAIN.md §12: every threshold edge of the table."""

from dataclasses import asdict

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from maturity.ccqc import (
    CCQC_2001,
    INDICATORS,
    group_class,
    judge_ccqc,
    judge_ccqc_frame,
    verdict_of,
)
from maturity.rules import (
    RULE_SETS,
    MaturityInput,
    judge_maturity,
    judge_maturity_frame,
)

# (indicator, value, class) at, below and above every threshold of the §12 table
EDGES = [
    ("co2_evolution", 1.99, "very_mature"),
    ("co2_evolution", 2.0, "mature"),
    ("co2_evolution", 2.01, "mature"),
    ("co2_evolution", 3.99, "mature"),
    ("co2_evolution", 4.0, "mature"),
    ("co2_evolution", 4.01, "immature"),
    ("co2_evolution", 0.0, "very_mature"),
    ("solvita_co2", 8, "very_mature"),
    ("solvita_co2", 7, "very_mature"),
    ("solvita_co2", 6, "mature"),
    ("solvita_co2", 5, "mature"),
    ("solvita_co2", 4, "immature"),
    ("solvita_co2", 1, "immature"),
    ("dewar_rise", 9.99, "very_mature"),
    ("dewar_rise", 10.0, "mature"),
    ("dewar_rise", 10.01, "mature"),
    ("dewar_rise", 19.99, "mature"),
    ("dewar_rise", 20.0, "mature"),
    ("dewar_rise", 20.01, "immature"),
    ("nh4_n", 74.9, "very_mature"),
    ("nh4_n", 75.0, "mature"),
    ("nh4_n", 75.1, "mature"),
    ("nh4_n", 499.9, "mature"),
    ("nh4_n", 500.0, "mature"),
    ("nh4_n", 500.1, "immature"),
    ("nh4_no3_ratio", 0.49, "very_mature"),
    ("nh4_no3_ratio", 0.5, "mature"),
    ("nh4_no3_ratio", 0.51, "mature"),
    ("nh4_no3_ratio", 2.99, "mature"),
    ("nh4_no3_ratio", 3.0, "mature"),
    ("nh4_no3_ratio", 3.01, "immature"),
    ("solvita_nh3", 5, "very_mature"),
    ("solvita_nh3", 4, "mature"),
    ("solvita_nh3", 3, "immature"),
    ("solvita_nh3", 1, "immature"),
    ("germination", 90.01, "very_mature"),
    ("germination", 90.0, "mature"),
    ("germination", 89.99, "mature"),
    ("germination", 80.01, "mature"),
    ("germination", 80.0, "mature"),
    ("germination", 79.99, "immature"),
]
PARAM = {t.indicator: t.parameter for t in CCQC_2001.tests}
GROUP = {t.indicator: t.group for t in CCQC_2001.tests}
THRESHOLD = {"very_mature": "very_mature", "mature": "mature"}


def ind(result, key):
    return next(i for i in result["indicators"] if i["indicator"] == key)


def test_table_is_the_spec():
    rows = [
        (t.indicator, t.group, t.parameter, t.very_mature.op, t.very_mature.limit, t.mature.op, t.mature.limit)
        for t in CCQC_2001.tests
    ]
    assert rows == [
        ("co2_evolution", "A", "co2_c_mg_per_g_om_day", "<", 2, "<=", 4),
        ("solvita_co2", "A", "solvita_co2", ">=", 7, ">=", 5),
        ("dewar_rise", "A", "dewar_rise_c", "<", 10, "<=", 20),
        ("nh4_n", "B", "nh4_n_mg_kg", "<", 75, "<=", 500),
        ("nh4_no3_ratio", "B", "nh4_no3_ratio", "<", 0.5, "<=", 3),
        ("solvita_nh3", "B", "solvita_nh3", ">=", 5, ">=", 4),
        ("germination", "B", "relative_germination_pct", ">", 90, ">=", 80),
    ]
    assert (CCQC_2001.cn_gate.op, CCQC_2001.cn_gate.limit) == ("<=", 25)
    assert "ccqc_2001" in RULE_SETS


@pytest.mark.parametrize("indicator,value,cls", EDGES)
def test_every_threshold_edge(indicator, value, cls):
    r = judge_ccqc({"cn_ratio": 20, PARAM[indicator]: value})
    i = ind(r, indicator)
    assert (i["status"], i["group"], i["value"]) == (cls, GROUP[indicator], value)
    test = next(t for t in CCQC_2001.tests if t.indicator == indicator)
    expected = {"very_mature": test.very_mature.text(), "mature": test.mature.text(), "immature": None}[cls]
    assert i["threshold"] == expected
    assert r["groups"][GROUP[indicator]] == cls
    other = "B" if GROUP[indicator] == "A" else "A"
    assert r["groups"][other] is None and r["verdict"] == "incomplete"


def test_threshold_texts_and_criteria():
    r = judge_ccqc({"cn_ratio": 25, "co2_c_mg_per_g_om_day": 1, "solvita_nh3": 4})
    assert ind(r, "cn_ratio")["threshold"] == "≤ 25"
    assert ind(r, "co2_evolution")["threshold"] == "< 2"
    assert ind(r, "solvita_nh3")["threshold"] == "≥ 4"
    assert ind(r, "co2_evolution")["criterion"] == (
        "very mature < 2 mg CO₂-C/g OM/day, mature ≤ 4 mg CO₂-C/g OM/day, else immature"
    )
    assert [i["indicator"] for i in r["indicators"]] == list(INDICATORS)


@pytest.mark.parametrize(
    "cn,status,verdict",
    [
        (24.99, "mature", "very_mature"),
        (25.0, "mature", "very_mature"),
        (25.01, "immature", "immature"),
        (None, "missing", "incomplete"),
    ],
)
def test_cn_gate(cn, status, verdict):
    r = judge_ccqc({"cn_ratio": cn, "co2_c_mg_per_g_om_day": 1, "nh4_n_mg_kg": 10})
    assert ind(r, "cn_ratio")["status"] == status and r["verdict"] == verdict


def test_cn_gate_fails_even_without_groups():
    assert judge_ccqc({"cn_ratio": 30})["verdict"] == "immature"
    assert judge_ccqc({})["verdict"] == "incomplete"


def test_most_conservative_result_of_a_group():
    # two group A tests: very mature CO2 and immature Dewar -> group A immature
    r = judge_ccqc({"cn_ratio": 15, "co2_c_mg_per_g_om_day": 1, "dewar_rise_c": 25, "solvita_nh3": 5})
    assert r["groups"] == {"A": "immature", "B": "very_mature"} and r["verdict"] == "immature"
    r = judge_ccqc(
        {"cn_ratio": 15, "co2_c_mg_per_g_om_day": 1, "solvita_co2": 6, "solvita_nh3": 5, "relative_germination_pct": 95}
    )
    assert r["groups"] == {"A": "mature", "B": "very_mature"} and r["verdict"] == "mature"


@pytest.mark.parametrize(
    "a,b,verdict",
    [
        ("very_mature", "very_mature", "very_mature"),
        ("very_mature", "mature", "mature"),
        ("mature", "very_mature", "mature"),
        ("mature", "mature", "mature"),
        ("immature", "very_mature", "immature"),
        ("very_mature", "immature", "immature"),
        ("immature", "immature", "immature"),
        (None, "very_mature", "incomplete"),
        ("mature", None, "incomplete"),
        (None, None, "incomplete"),
    ],
)
def test_verdict_table(a, b, verdict):
    assert verdict_of("mature", a, b) == verdict
    assert verdict_of("immature", a, b) == "immature"
    assert verdict_of("missing", a, b) == "incomplete"


def test_group_class():
    assert group_class([]) is None
    assert group_class(["very_mature", "mature"]) == "mature"
    assert group_class(["mature", "immature", "very_mature"]) == "immature"
    assert group_class(["very_mature"]) == "very_mature"


def test_invalid_germination_is_not_a_result():
    inp = MaturityInput(cn_ratio=15, co2_c_mg_per_g_om_day=1, relative_germination_pct=95, germination_valid=False)
    r = judge_maturity("ccqc_2001", inp)
    assert ind(r, "germination")["status"] == "invalid" and r["groups"]["B"] is None
    assert r["verdict"] == "incomplete"


def test_through_judge_maturity_explains_each_indicator():
    inp = MaturityInput(
        cn_ratio=18,
        co2_c_mg_per_g_om_day=3.0,
        dewar_rise_c=8,
        nh4_n_mg_kg=60,
        nh4_no3_ratio=0.2,
        solvita_nh3=5,
        relative_germination_pct=92,
        germination_valid=True,
    )
    r = judge_maturity("ccqc_2001", inp)
    assert r["rule_set"] == "ccqc_2001" and r["verdict"] == "mature"
    assert r["groups"] == {"A": "mature", "B": "very_mature"}
    assert {i["indicator"]: i["status"] for i in r["indicators"]} == {
        "cn_ratio": "mature",
        "co2_evolution": "mature",
        "solvita_co2": "missing",
        "dewar_rise": "very_mature",
        "nh4_n": "very_mature",
        "nh4_no3_ratio": "very_mature",
        "solvita_nh3": "very_mature",
        "germination": "very_mature",
    }


# --------------------------------------------------------------------------- frame vs scalar


def _limit_values(test):
    a, b = test.very_mature.limit, test.mature.limit
    return (
        [a, b, a - 0.01, a + 0.01, b - 0.01, b + 0.01]
        if test.unit or test.indicator == "nh4_no3_ratio"
        else [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]
    )


def opt(values):
    return st.one_of(st.none(), st.sampled_from(values))


_T = {t.parameter: t for t in CCQC_2001.tests}
input_st = st.builds(
    MaturityInput,
    cn_ratio=opt([24.99, 25.0, 25.01, 10.0]),
    co2_c_mg_per_g_om_day=opt(_limit_values(_T["co2_c_mg_per_g_om_day"])),
    solvita_co2=opt([1, 4, 5, 6, 7, 8]),
    dewar_rise_c=opt(_limit_values(_T["dewar_rise_c"])),
    nh4_n_mg_kg=opt(_limit_values(_T["nh4_n_mg_kg"])),
    nh4_no3_ratio=opt(_limit_values(_T["nh4_no3_ratio"])),
    solvita_nh3=opt([1, 3, 4, 5]),
    relative_germination_pct=opt(_limit_values(_T["relative_germination_pct"])),
    germination_valid=st.sampled_from([None, True, False]),
)


@given(rows=st.lists(input_st, min_size=1, max_size=20))
def test_frame_agrees_with_scalar(rows):
    df = pd.DataFrame([asdict(r) for r in rows])
    frame = judge_maturity_frame("ccqc_2001", df)
    for (_, got), inp in zip(frame.iterrows(), rows, strict=True):
        want = judge_maturity("ccqc_2001", inp)
        assert got["verdict"] == want["verdict"], inp
        assert {k: got[k] for k in INDICATORS} == {i["indicator"]: i["status"] for i in want["indicators"]}, inp
        groups = tuple(None if pd.isna(got[f"group_{g}"]) else got[f"group_{g}"] for g in "AB")
        assert groups == (want["groups"]["A"], want["groups"]["B"]), inp


def test_frame_without_columns_is_incomplete():
    out = judge_ccqc_frame(pd.DataFrame(index=range(3)))
    assert list(out["verdict"]) == ["incomplete"] * 3
    assert list(out["cn_ratio"]) == ["missing"] * 3
    out = judge_ccqc_frame(pd.DataFrame({"cn_ratio": [np.nan, 30.0]}))
    assert list(out["verdict"]) == ["incomplete", "immature"]
