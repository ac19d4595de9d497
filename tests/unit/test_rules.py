"""Maturity verdicts (maturity.rules), DOMAIN.md §5 and EXAMPLES.md."""

import math
from dataclasses import asdict, replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maturity.calculations import LabPolicy, compute
from maturity.errors import InputError
from maturity.rules import (
    INDICATORS,
    INPUT_FIELDS,
    MaturityInput,
    judge_maturity,
    judge_maturity_frame,
)

MATURE = MaturityInput(
    relative_germination_pct=95.833,
    relative_root_growth_pct=91.313,
    germination_index_pct=87.508,
    germination_valid=True,
    cn_ratio=15.0,
)


def statuses(result):
    return {i["indicator"]: i["status"] for i in result["indicators"]}


def indicator(result, key):
    return next(i for i in result["indicators"] if i["indicator"] == key)


# --------------------------------------------------------------------------- examples


def test_germination_example_end_to_end():
    dishes = lambda *rows: [{"sown": s, "germinated": g, "mean_root_length_mm": l} for s, g, l in rows]
    out = compute(
        "germination",
        {
            "protocol": "tari_cabbage",
            "control": dishes((25, 24, 20.0), (25, 25, 22.0), (25, 23, 21.0)),
            "sample": dishes((25, 23, 19.0), (25, 22, 18.5), (25, 24, 20.0)),
        },
    )
    inp = MaturityInput(germination_valid=out.valid, cn_ratio=18.0, **{k: m.value for k, m in out.results.items()})
    tari = judge_maturity("tari_1999", inp)
    assert indicator(tari, "germination")["status"] == "mature"
    assert tari["verdict"] == "mature"
    zucconi = judge_maturity("zucconi_gi", inp)
    assert zucconi == {
        "rule_set": "zucconi_gi",
        "verdict": "mature",
        "indicators": [
            {
                "indicator": "germination_index",
                "value": pytest.approx(87.508262, rel=1e-6),
                "criterion": "GI ≥ 80 % mature, 50–80 % intermediate, < 50 % immature",
                "status": "mature",
            }
        ],
    }


def test_invalid_control_example():
    inp = replace(MATURE, germination_valid=False)
    tari = judge_maturity("tari_1999", inp)
    assert indicator(tari, "germination")["status"] == "invalid"
    assert tari["verdict"] == "incomplete"
    zucconi = judge_maturity("zucconi_gi", inp)
    assert zucconi["indicators"][0]["status"] == "invalid"
    assert zucconi["verdict"] == "incomplete"


def test_reducing_sugar_example_mature():
    r = judge_maturity("tari_1999", replace(MATURE, rs_tc_ratio_pct=20.0))
    assert indicator(r, "reducing_sugar") == {
        "indicator": "reducing_sugar",
        "value": 20.0,
        "criterion": "RS/TC < 35 %",
        "status": "mature",
    }
    assert r["verdict"] == "mature"


def test_chromatogram_examples():
    r = judge_maturity(
        "tari_1999",
        replace(MATURE, chromatogram_protocol="tari_agno3", chromatogram_score=2, chromatogram_edge="serrated"),
    )
    assert indicator(r, "chromatogram") == {
        "indicator": "chromatogram",
        "value": 2,
        "criterion": "score 3 mature, 1–2 intermediate, 0 immature",
        "status": "intermediate",
    }
    assert r["verdict"] == "intermediate"
    r = judge_maturity(
        "tari_1999",
        replace(MATURE, chromatogram_protocol="livestock_naoh", chromatogram_score=0, chromatogram_edge="smooth"),
    )
    assert indicator(r, "chromatogram")["status"] == "immature"
    assert indicator(r, "chromatogram")["value"] == "smooth"
    assert r["verdict"] == "immature"


# --------------------------------------------------------------------------- shape and criteria


def test_tari_result_shape():
    r = judge_maturity("tari_1999", MATURE)
    assert r["rule_set"] == "tari_1999"
    assert [i["indicator"] for i in r["indicators"]] == ["germination", "cn_ratio", "reducing_sugar", "chromatogram"]
    g = indicator(r, "germination")
    assert g["value"] == {"relative_germination_pct": 95.833, "relative_root_growth_pct": 91.313}
    assert g["criterion"] == "relative germination ≥ 90 % and relative root growth ≥ 90 %"
    assert indicator(r, "cn_ratio")["criterion"] == "C/N < 20"
    assert statuses(r) == {
        "germination": "mature",
        "cn_ratio": "mature",
        "reducing_sugar": "missing",
        "chromatogram": "missing",
    }
    assert r["verdict"] == "mature"  # optional indicators missing do not make it incomplete


def test_criteria_follow_policy():
    policy = LabPolicy(
        relative_germination_mature_pct=85,
        root_growth_not_inhibited_pct=80,
        cn_mature_below=25,
        rs_tc_mature_below_pct=30,
    )
    r = judge_maturity("tari_1999", replace(MATURE, cn_ratio=22.0, rs_tc_ratio_pct=32.0), policy)
    assert indicator(r, "germination")["criterion"] == "relative germination ≥ 85 % and relative root growth ≥ 80 %"
    assert statuses(r) == {
        "germination": "mature",
        "cn_ratio": "mature",
        "reducing_sugar": "immature",
        "chromatogram": "missing",
    }
    assert indicator(r, "reducing_sugar")["criterion"] == "RS/TC < 30 %"


def test_unknown_rule_set():
    with pytest.raises(InputError) as exc:
        judge_maturity("astm", MATURE)
    assert list(exc.value.errors) == ["rule_set"]
    assert "unknown rule set 'astm'" in exc.value.errors["rule_set"][0]
    with pytest.raises(InputError):
        judge_maturity_frame("astm", pd.DataFrame([asdict(MATURE)]))


@pytest.mark.parametrize(
    "field, value",
    [
        ("chromatogram_protocol", "ink"),
        ("chromatogram_edge", "jagged"),
        ("chromatogram_score", 4),
        ("chromatogram_score", 1.5),
    ],
)
def test_bad_chromatogram_input(field, value):
    inp = replace(MATURE, **{field: value})
    code = "chromatogram_score_range" if field == "chromatogram_score" else "invalid_choice"
    with pytest.raises(InputError) as exc:
        judge_maturity("tari_1999", inp)
    assert list(exc.value.errors) == [field]
    assert [m.code for m in exc.value.errors[field]] == [code]  # the API's code, the message translated
    with pytest.raises(InputError) as exc:
        judge_maturity_frame("tari_1999", pd.DataFrame([asdict(inp)]))
    assert [m.code for m in exc.value.errors[field]] == [code]
    assert list(exc.value.errors) == [field]


# --------------------------------------------------------------------------- boundaries


@pytest.mark.parametrize(
    "rg, rrg, status",
    [
        (90.0, 90.0, "mature"),
        (89.999, 95.0, "immature"),
        (95.0, 89.999, "immature"),
        (100.0, 120.0, "mature"),
        (None, 95.0, "missing"),
        (95.0, None, "missing"),
        (float("nan"), 95.0, "missing"),
    ],
)
def test_germination_status(rg, rrg, status):
    r = judge_maturity("tari_1999", replace(MATURE, relative_germination_pct=rg, relative_root_growth_pct=rrg))
    assert indicator(r, "germination")["status"] == status


def test_germination_without_assay_validity_is_judged_on_values():
    r = judge_maturity("tari_1999", replace(MATURE, germination_valid=None))
    assert indicator(r, "germination")["status"] == "mature"
    r = judge_maturity("tari_1999", MaturityInput(cn_ratio=15.0))
    assert indicator(r, "germination")["status"] == "missing"
    assert r["verdict"] == "incomplete"


@pytest.mark.parametrize("cn, status", [(19.999, "mature"), (20.0, "immature"), (35.0, "immature"), (None, "missing")])
def test_cn_status(cn, status):
    assert indicator(judge_maturity("tari_1999", replace(MATURE, cn_ratio=cn)), "cn_ratio")["status"] == status


@pytest.mark.parametrize("rs, status", [(34.999, "mature"), (35.0, "immature"), (None, "missing")])
def test_reducing_sugar_status(rs, status):
    r = judge_maturity("tari_1999", replace(MATURE, rs_tc_ratio_pct=rs))
    assert indicator(r, "reducing_sugar")["status"] == status


@pytest.mark.parametrize(
    "protocol, score, edge, status",
    [
        ("tari_agno3", 3, None, "mature"),
        ("tari_agno3", 2, None, "intermediate"),
        ("tari_agno3", 1, None, "intermediate"),
        ("tari_agno3", 0, "serrated", "immature"),
        ("tari_agno3", None, "serrated", "missing"),
        (None, 3, None, "mature"),
        ("livestock_naoh", 0, "serrated", "mature"),
        ("livestock_naoh", 3, "smooth", "immature"),
        ("livestock_naoh", 1, None, "missing"),
    ],
)
def test_chromatogram_status(protocol, score, edge, status):
    r = judge_maturity(
        "tari_1999", replace(MATURE, chromatogram_protocol=protocol, chromatogram_score=score, chromatogram_edge=edge)
    )
    assert indicator(r, "chromatogram")["status"] == status


@pytest.mark.parametrize(
    "gi, status",
    [
        (80.0, "mature"),
        (79.999, "intermediate"),
        (50.0, "intermediate"),
        (49.999, "immature"),
        (0.0, "immature"),
        (None, "missing"),
    ],
)
def test_germination_index_status(gi, status):
    r = judge_maturity("zucconi_gi", replace(MATURE, germination_index_pct=gi))
    assert r["indicators"][0]["status"] == status
    assert r["verdict"] == {"missing": "incomplete"}.get(status, status)


# --------------------------------------------------------------------------- verdict precedence


def test_precedence_incomplete_beats_immature():
    r = judge_maturity("tari_1999", replace(MATURE, cn_ratio=None, rs_tc_ratio_pct=50.0))
    assert statuses(r)["reducing_sugar"] == "immature"
    assert r["verdict"] == "incomplete"


def test_precedence_immature_beats_intermediate():
    r = judge_maturity("tari_1999", replace(MATURE, cn_ratio=25.0, chromatogram_score=2))
    assert r["verdict"] == "immature"


def test_precedence_intermediate_beats_mature():
    r = judge_maturity("tari_1999", replace(MATURE, rs_tc_ratio_pct=10.0, chromatogram_score=1))
    assert r["verdict"] == "intermediate"


def test_all_mature():
    r = judge_maturity("tari_1999", replace(MATURE, rs_tc_ratio_pct=10.0, chromatogram_score=3))
    assert set(statuses(r).values()) == {"mature"}
    assert r["verdict"] == "mature"


def test_optional_indicator_immature_counts():
    r = judge_maturity("tari_1999", replace(MATURE, rs_tc_ratio_pct=40.0))
    assert r["verdict"] == "immature"


# --------------------------------------------------------------------------- bark compost


def test_bark_compost_skips_cn():
    r = judge_maturity("tari_1999", replace(MATURE, cn_ratio=32.0, bark_compost=True))
    assert indicator(r, "cn_ratio") == {
        "indicator": "cn_ratio",
        "value": 32.0,
        "criterion": "not applied to bark compost",
        "status": "skipped",
    }
    assert r["verdict"] == "mature"


def test_bark_compost_without_cn_is_complete():
    r = judge_maturity("tari_1999", replace(MATURE, cn_ratio=None, bark_compost=True))
    assert r["verdict"] == "mature"


def test_bark_compost_still_needs_germination():
    r = judge_maturity("tari_1999", MaturityInput(cn_ratio=30.0, bark_compost=True))
    assert statuses(r)["germination"] == "missing"
    assert r["verdict"] == "incomplete"


# --------------------------------------------------------------------------- frame vs scalar


def test_frame_shape_and_missing_columns():
    df = pd.DataFrame({"cn_ratio": [15.0, 25.0]}, index=["S1", "S2"])
    out = judge_maturity_frame("tari_1999", df)
    assert list(out.columns) == ["germination", "cn_ratio", "reducing_sugar", "chromatogram", "verdict"]
    assert list(out.index) == ["S1", "S2"]
    assert list(out["cn_ratio"]) == ["mature", "immature"]
    assert list(out["verdict"]) == ["incomplete", "incomplete"]
    gi = judge_maturity_frame("zucconi_gi", pd.DataFrame(index=range(3)))
    assert list(gi.columns) == ["germination_index", "verdict"]
    assert list(gi["verdict"]) == ["incomplete"] * 3
    assert len(judge_maturity_frame("tari_1999", pd.DataFrame())) == 0


def _maybe(strategy):
    return st.one_of(st.none(), st.just(float("nan")), strategy)


# values cluster around the thresholds so every branch is exercised
pct_st = st.one_of(
    st.sampled_from([0.0, 49.999, 50.0, 79.999, 80.0, 89.999, 90.0, 100.0]), st.floats(0, 200, allow_nan=False)
)
input_st = st.builds(
    MaturityInput,
    relative_germination_pct=_maybe(pct_st),
    relative_root_growth_pct=_maybe(pct_st),
    germination_index_pct=_maybe(pct_st),
    germination_valid=st.sampled_from([None, True, False]),
    cn_ratio=_maybe(st.one_of(st.sampled_from([19.999, 20.0]), st.floats(0, 80, allow_nan=False))),
    rs_tc_ratio_pct=_maybe(st.one_of(st.sampled_from([34.999, 35.0]), st.floats(0, 100, allow_nan=False))),
    chromatogram_protocol=st.sampled_from([None, "tari_agno3", "livestock_naoh"]),
    chromatogram_score=st.one_of(st.none(), st.integers(0, 3)),
    chromatogram_edge=st.sampled_from([None, "smooth", "serrated"]),
    bark_compost=st.booleans(),
)


SECTION5_RULE_SETS = ("tari_1999", "zucconi_gi")  # ccqc_2001 (§12) has its own tests in test_ccqc.py


@settings(max_examples=200)
@given(rows=st.lists(input_st, min_size=1, max_size=25), rule_set=st.sampled_from(SECTION5_RULE_SETS))
def test_frame_agrees_with_scalar(rows, rule_set):
    df = pd.DataFrame([asdict(r) for r in rows], index=[f"S{i}" for i in range(len(rows))])
    frame = judge_maturity_frame(rule_set, df)
    assert list(frame.columns) == [*INDICATORS[rule_set], "verdict"]
    for (label, got), inp in zip(frame.iterrows(), rows):
        want = judge_maturity(rule_set, inp)
        assert got["verdict"] == want["verdict"], (label, inp)
        assert {k: got[k] for k in INDICATORS[rule_set]} == statuses(want), (label, inp)


@given(inp=input_st, rule_set=st.sampled_from(SECTION5_RULE_SETS))
def test_verdict_follows_precedence(inp, rule_set):
    r = judge_maturity(rule_set, inp)
    by_key = statuses(r)
    required = [s for k, s in by_key.items() if k not in ("reducing_sugar", "chromatogram")]
    if "missing" in required or "invalid" in required:
        assert r["verdict"] == "incomplete"
    elif "immature" in by_key.values():
        assert r["verdict"] == "immature"
    elif "intermediate" in by_key.values():
        assert r["verdict"] == "intermediate"
    else:
        assert r["verdict"] == "mature"
        assert set(by_key.values()) <= {"mature", "missing", "skipped"}
    assert ("skipped" in by_key.values()) == (rule_set == "tari_1999" and inp.bark_compost)
    for i in r["indicators"]:  # JSON-friendly values: no NaN
        values = i["value"].values() if isinstance(i["value"], dict) else [i["value"]]
        assert not any(isinstance(v, float) and math.isnan(v) for v in values)


def test_frame_accepts_numpy_and_object_columns():
    df = pd.DataFrame(
        {
            "relative_germination_pct": np.array([95.0, 95.0, 95.0]),
            "relative_root_growth_pct": [95.0, 95.0, None],
            "germination_valid": pd.Series([np.True_, None, np.False_], dtype=object),
            "cn_ratio": [10.0, 10.0, 10.0],
            "bark_compost": pd.Series([None, True, False], dtype=object),
        }
    )
    out = judge_maturity_frame("tari_1999", df)
    assert list(out["germination"]) == ["mature", "mature", "invalid"]
    assert list(out["cn_ratio"]) == ["mature", "skipped", "mature"]
    assert list(out["verdict"]) == ["mature", "mature", "incomplete"]


def test_input_fields_match_frame_columns():
    assert INPUT_FIELDS == tuple(asdict(MaturityInput()))


# --------------------------------------------------------------------------- codes a program reads
# (the API returns the error code and the choices; a stored verdict keeps each criterion's code)


@pytest.mark.parametrize(
    "judge, data", [(judge_maturity, MATURE), (judge_maturity_frame, pd.DataFrame([asdict(MATURE)]))]
)
def test_unknown_rule_set_is_an_invalid_choice_with_its_choices(judge, data):
    with pytest.raises(InputError) as exc:
        judge("astm", data)
    (message,) = exc.value.errors["rule_set"]
    assert message.code == "invalid_choice"
    assert message.params["value"] == "'astm'"
    assert tuple(message.params["choices"]) == ("tari_1999", "zucconi_gi", "ccqc_2001")


def test_criteria_carry_their_codes():
    r = judge_maturity("tari_1999", replace(MATURE, rs_tc_ratio_pct=20.0, chromatogram_score=3))
    assert {i["indicator"]: i["criterion"].code for i in r["indicators"]} == {
        "germination": "germination",
        "cn_ratio": "cn_ratio",
        "reducing_sugar": "reducing_sugar",
        "chromatogram": "chromatogram_tari_agno3",
    }
    bark = judge_maturity(
        "tari_1999",
        replace(MATURE, bark_compost=True, chromatogram_protocol="livestock_naoh", chromatogram_edge="serrated"),
    )
    assert indicator(bark, "cn_ratio")["criterion"].code == "cn_ratio_bark"
    assert indicator(bark, "chromatogram")["criterion"].code == "chromatogram_livestock_naoh"
    (gi,) = judge_maturity("zucconi_gi", MATURE)["indicators"]
    assert gi["criterion"].code == "germination_index"


# --------------------------------------------------------------------------- ccqc_2001 through this module
# (DOMAIN §12; the CCQC table itself is tested in test_ccqc.py: here, that judge_maturity and
# judge_maturity_frame hand it the sample's stability inputs and an invalid germination assay)

CCQC_SAMPLE = MaturityInput(
    cn_ratio=18.0,  # gate C/N ≤ 25 met
    co2_c_mg_per_g_om_day=1.5,  # A: < 2 very mature
    solvita_co2=7,  # A: 7–8 very mature
    dewar_rise_c=12.0,  # A: 10–20 mature
    nh4_n_mg_kg=60.0,  # B: < 75 very mature
    nh4_no3_ratio=0.3,  # B: < 0.5 very mature
    solvita_nh3=5,  # B: 5 very mature
    relative_germination_pct=95.0,  # B: > 90 very mature
    germination_valid=True,
    # §5 inputs that CCQC does not read
    relative_root_growth_pct=10.0,
    germination_index_pct=10.0,
    rs_tc_ratio_pct=90.0,
    chromatogram_score=0,
)


def test_ccqc_2001_reads_the_stability_inputs():
    r = judge_maturity("ccqc_2001", CCQC_SAMPLE)
    assert r["rule_set"] == "ccqc_2001"
    assert {i["indicator"]: (i["value"], i["status"]) for i in r["indicators"]} == {
        "cn_ratio": (18.0, "mature"),
        "co2_evolution": (1.5, "very_mature"),
        "solvita_co2": (7, "very_mature"),
        "dewar_rise": (12.0, "mature"),
        "nh4_n": (60.0, "very_mature"),
        "nh4_no3_ratio": (0.3, "very_mature"),
        "solvita_nh3": (5, "very_mature"),
        "germination": (95.0, "very_mature"),
    }
    assert [i["indicator"] for i in r["indicators"]] == list(INDICATORS["ccqc_2001"])
    assert r["groups"] == {"A": "mature", "B": "very_mature"}  # the most conservative of each group
    assert r["verdict"] == "mature"


@pytest.mark.parametrize(
    "valid, germination, group_b, verdict",
    [
        (True, "very_mature", "very_mature", "very_mature"),
        (None, "very_mature", "very_mature", "very_mature"),  # no assay validity: judged on the value
        (False, "invalid", None, "incomplete"),  # the only group B result is invalid: no B result
    ],
)
def test_ccqc_2001_invalid_germination_assay(valid, germination, group_b, verdict):
    inp = MaturityInput(
        cn_ratio=18.0, co2_c_mg_per_g_om_day=1.5, relative_germination_pct=95.0, germination_valid=valid
    )
    r = judge_maturity("ccqc_2001", inp)
    assert indicator(r, "germination")["status"] == germination
    assert r["groups"] == {"A": "very_mature", "B": group_b}
    assert r["verdict"] == verdict


def test_ccqc_2001_frame_agrees_with_scalar():
    rows = [
        CCQC_SAMPLE,
        replace(CCQC_SAMPLE, germination_valid=None),
        replace(CCQC_SAMPLE, germination_valid=False),
        MaturityInput(cn_ratio=18.0, co2_c_mg_per_g_om_day=1.5, relative_germination_pct=95.0, germination_valid=False),
        MaturityInput(cn_ratio=18.0, co2_c_mg_per_g_om_day=1.5, relative_germination_pct=95.0),
        MaturityInput(cn_ratio=30.0, co2_c_mg_per_g_om_day=1.5, nh4_n_mg_kg=60.0),
        MaturityInput(),
    ]
    df = pd.DataFrame([asdict(r) for r in rows], index=[f"S{i}" for i in range(len(rows))])
    frame = judge_maturity_frame("ccqc_2001", df)
    assert list(frame.columns) == [*INDICATORS["ccqc_2001"], "group_A", "group_B", "verdict"]
    assert list(frame.index) == list(df.index)
    for label, inp in zip(df.index, rows):
        want = judge_maturity("ccqc_2001", inp)
        got = {k: frame.at[label, k] for k in frame.columns}  # .at keeps a group without result None
        assert {k: got[k] for k in INDICATORS["ccqc_2001"]} == statuses(want), label
        assert (got["group_A"], got["group_B"]) == (want["groups"]["A"], want["groups"]["B"]), label
        assert got["verdict"] == want["verdict"], label
    assert list(frame["germination"]) == [
        "very_mature",
        "very_mature",
        "invalid",
        "invalid",
        "very_mature",
        "missing",
        "missing",
    ]
    assert list(frame["verdict"]) == [
        "mature",
        "mature",
        "mature",
        "incomplete",
        "very_mature",
        "immature",
        "incomplete",
    ]
