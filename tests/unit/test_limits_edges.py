"""Every limit and threshold of the spec exactly at, just below and just above its
value, on the single-sample and the batch (frame) path alike (DOMAIN.md §4.5–§4.8,
§5, §6; issue #20). Expected statuses come from the spec's wording: "≥" and "at or
above" include the limit, "<" and "below" exclude it."""

import math

import pandas as pd
import pytest

from maturity.calculations import (
    CHROMATOGRAM_ZONES,
    COMPREHENSIVE_ITEMS,
    OBSERVATIONS,
    LabPolicy,
    chromatogram_reading,
    compute,
)
from maturity.errors import InputError
from maturity.rules import MaturityInput, judge_maturity, judge_maturity_frame

EPS = 1e-9


def below(x):
    return x - max(abs(x), 1.0) * EPS


def above(x):
    return x + max(abs(x), 1.0) * EPS


def observe(**obs):
    return compute("observation", {"observations": obs}).details["observations"]


# --------------------------------------------------------------------------- §4.8 numeric observations


@pytest.mark.parametrize(
    "key, value, passed",
    [
        # particle size < 25 mm
        ("max_particle_mm", 0, True),
        ("max_particle_mm", below(25.0), True),
        ("max_particle_mm", 25.0, False),
        ("max_particle_mm", above(25.0), False),
        # inert impurities < 4.0 %
        ("impurities_pct", 0, True),
        ("impurities_pct", below(4.0), True),
        ("impurities_pct", 4.0, False),
        ("impurities_pct", above(4.0), False),
        ("impurities_pct", 4.5, False),
        ("impurities_pct", 100, False),
        # peak temperature ≥ 70 °C
        ("peak_temperature_c", below(70.0), False),
        ("peak_temperature_c", 70.0, True),
        ("peak_temperature_c", above(70.0), True),
        ("peak_temperature_c", 69.5, False),
        # fermentation ≥ 60 days
        ("fermentation_days", below(60.0), False),
        ("fermentation_days", 60, True),
        ("fermentation_days", 61, True),
        ("fermentation_days", 59, False),
        ("fermentation_days", 0, False),
        # ≥ 6 turnings (integers)
        ("turnings", 5, False),
        ("turnings", 6, True),
        ("turnings", 7, True),
        ("turnings", 0, False),
    ],
)
def test_numeric_observation_at_its_limit(key, value, passed):
    row = observe(**{key: value})[key]
    assert row["passed"] is passed
    assert row["value"] == value
    assert row["criterion"] == OBSERVATIONS[key].criterion


@pytest.mark.parametrize(
    "key, value, message",
    [
        ("max_particle_mm", -0.001, "must be ≥ 0"),
        ("impurities_pct", -0.001, "must be ≥ 0"),
        ("impurities_pct", 100.001, "must be ≤ 100"),
        ("fermentation_days", -1, "must be ≥ 0"),
        ("turnings", -1, "must be ≥ 0"),
        ("turnings", 6.5, "must be an integer"),
        ("peak_temperature_c", 100.5, "must be ≤ 100"),
        ("peak_temperature_c", -50.5, "must be ≥ -50"),
    ],
)
def test_numeric_observation_bounds(key, value, message):
    with pytest.raises(InputError) as e:
        compute("observation", {"observations": {key: value}})
    assert e.value.errors == {f"observations.{key}": [message]}


def test_numeric_observation_bounds_inclusive():
    obs = observe(impurities_pct=100, max_particle_mm=0, peak_temperature_c=100, fermentation_days=0, turnings=0)
    assert obs["impurities_pct"]["value"] == 100
    assert observe(peak_temperature_c=-50)["peak_temperature_c"]["passed"] is False


def test_turnings_integral_float_is_a_count():
    row = observe(turnings=6.0)["turnings"]
    assert row["value"] == 6 and isinstance(row["value"], int) and row["passed"] is True


def test_particle_size_and_impurities_are_results_too():
    out = compute(
        "observation",
        {"observations": {"max_particle_mm": 12.5, "impurities_pct": 3.2, "turnings": 7, "colour": "black_brown"}},
    )
    assert set(out.results) == {"max_particle_mm", "impurities_pct"}
    assert out.results["max_particle_mm"].value == 12.5
    assert out.results["max_particle_mm"].unit == "mm"
    assert out.results["impurities_pct"].value == 3.2
    assert out.results["impurities_pct"].unit == "%"


# --------------------------------------------------------------------------- §4.8 coded observations

PASSING = {
    "colour": {"dark_brown": True, "black_brown": True, "yellow": False, "yellow_brown": False},
    "odour": {"earthy": True, "aromatic": True, "sour": False, "putrid": False, "ammonia": False},
    "plastic_bag_test": {"inflates_immediately": False, "inflates_slowly": True, "does_not_inflate": True},
    "earthworm_test": {"burrows_in": True, "escapes": False, "dies": False},
    "diphenylamine_test": {"blue": True, "no_blue": False},
    "pollen_tube_test": {"comparable_to_control": True, "inhibited": False},
    "seedling_pot_test": {"comparable_to_control": True, "inhibited": False},
}
BOOLS = {
    "reheats_after_turning": False,
    "organic_matter_residual_stable": True,
    "structure_fine_uniform": True,
    "manure_odour": False,
    "clumps_when_squeezed": False,
}


@pytest.mark.parametrize("key, code, passed", [(k, c, p) for k, codes in PASSING.items() for c, p in codes.items()])
def test_every_observation_code(key, code, passed):
    row = observe(**{key: code})[key]
    assert row == {"value": code, "criterion": OBSERVATIONS[key].criterion, "passed": passed}


@pytest.mark.parametrize("key, passing", BOOLS.items())
def test_every_yes_no_observation(key, passing):
    assert observe(**{key: passing})[key]["passed"] is True
    assert observe(**{key: not passing})[key]["passed"] is False
    with pytest.raises(InputError) as e:
        compute("observation", {"observations": {key: "yes"}})
    assert e.value.errors == {f"observations.{key}": ["must be true or false"]}


def test_unknown_code_names_the_choices():
    with pytest.raises(InputError) as e:
        compute("observation", {"observations": {"odour": "smoky"}})
    assert e.value.errors == {
        "observations.odour": ["unknown code 'smoky'; expected one of earthy, aromatic, sour, putrid, ammonia"]
    }


def test_note_is_text_and_not_judged():
    assert observe(note="sampled after rain")["note"] == {
        "value": "sampled after rain",
        "criterion": None,
        "passed": None,
    }
    with pytest.raises(InputError) as e:
        compute("observation", {"observations": {"note": 5}})
    assert e.value.errors == {"observations.note": ["must be text"]}


# --------------------------------------------------------------------------- ch. 11 §4(5) comprehensive judgement

ALL_MET = {
    "fermentation_days": 60,
    "colour": "black_brown",
    "structure_fine_uniform": True,
    "manure_odour": False,
    "clumps_when_squeezed": False,
    "peak_temperature_c": 70,
    "turnings": 6,
}


def comprehensive(obs):
    return compute("observation", {"observations": obs}).details


def test_comprehensive_exactly_at_every_limit_is_fully_mature():
    d = comprehensive(ALL_MET)
    assert d["comprehensive"] == "fully_mature"
    assert d["comprehensive_items"] == list(COMPREHENSIVE_ITEMS)
    assert set(COMPREHENSIVE_ITEMS) == set(ALL_MET)


@pytest.mark.parametrize(
    "key, value",
    [
        ("fermentation_days", 59.9),
        ("peak_temperature_c", 69.9),
        ("turnings", 5),
        ("colour", "yellow_brown"),
        ("structure_fine_uniform", False),
        ("manure_odour", True),
        ("clumps_when_squeezed", True),
    ],
)
def test_comprehensive_one_item_just_short_is_not_fully_mature(key, value):
    assert comprehensive({**ALL_MET, key: value})["comprehensive"] == "not_fully_mature"


@pytest.mark.parametrize("key", COMPREHENSIVE_ITEMS)
def test_comprehensive_one_item_absent_is_undecided(key):
    obs = {k: v for k, v in ALL_MET.items() if k != key}
    assert comprehensive(obs)["comprehensive"] is None
    assert comprehensive({**obs, key: None})["comprehensive"] is None  # null counts as absent


def test_comprehensive_ignores_items_outside_the_list():
    d = comprehensive({**ALL_MET, "odour": "putrid", "impurities_pct": 9, "reheats_after_turning": True})
    assert d["comprehensive"] == "fully_mature"


# --------------------------------------------------------------------------- §4.7 chromatogram readings


@pytest.mark.parametrize("score, reading", [(0, "immature"), (1, "intermediate"), (2, "intermediate"), (3, "mature")])
def test_tari_chromatogram_reading_at_every_score(score, reading):
    assert chromatogram_reading("tari_agno3", score, None) == reading
    zones = {z: codes[1] if i < score else codes[0] for i, (z, codes) in enumerate(CHROMATOGRAM_ZONES.items())}
    out = compute("chromatogram", {"protocol": "tari_agno3", **zones})
    assert out.results["chromatogram_score"].value == score
    assert out.details["reading"] == reading
    assert out.details["zones"] == {z: {"value": c, "mature": c == CHROMATOGRAM_ZONES[z][1]} for z, c in zones.items()}


def test_livestock_chromatogram_reading_by_the_edge_only():
    assert chromatogram_reading("livestock_naoh", 0, "serrated") == "mature"
    assert chromatogram_reading("livestock_naoh", 3, "smooth") == "immature"
    assert chromatogram_reading("livestock_naoh", 1, None) is None
    assert chromatogram_reading("tari_agno3", None, "serrated") is None
    out = compute("chromatogram", {"protocol": "livestock_naoh", "edge": "serrated", "center": "white_to_pink"})
    assert out.details["reading"] == "mature"
    assert out.results["chromatogram_score"].value == 1


# --------------------------------------------------------------------------- §5 rule sets, both paths


def both(rule_set, policy=LabPolicy(), **fields):
    """(scalar result, frame row) for one sample; asserts the two paths agree."""
    scalar = judge_maturity(rule_set, MaturityInput(**fields), policy)
    frame = judge_maturity_frame(rule_set, pd.DataFrame([fields]), policy).iloc[0].to_dict()
    for i in scalar["indicators"]:
        assert frame[i["indicator"]] == i["status"], (i, frame)
    assert frame["verdict"] == scalar["verdict"]
    return scalar, frame


def status(result, key):
    return next(i["status"] for i in result["indicators"] if i["indicator"] == key)


MATURE_REST = {"cn_ratio": 15.0, "germination_valid": True}


@pytest.mark.parametrize(
    "rg, rrg, expected",
    [
        (90.0, 90.0, "mature"),
        (below(90.0), 90.0, "immature"),
        (90.0, below(90.0), "immature"),
        (above(90.0), above(90.0), "mature"),
        (90.0, 200.0, "mature"),
        (200.0, 90.0, "mature"),
        (89.0, 95.0, "immature"),
        (95.0, 89.0, "immature"),
    ],
)
def test_germination_at_90_percent(rg, rrg, expected):
    scalar, _ = both("tari_1999", relative_germination_pct=rg, relative_root_growth_pct=rrg, **MATURE_REST)
    assert status(scalar, "germination") == expected


def test_germination_thresholds_follow_policy():
    policy = LabPolicy(relative_germination_mature_pct=80.0, root_growth_not_inhibited_pct=85.0)
    scalar, _ = both("tari_1999", policy, relative_germination_pct=80.0, relative_root_growth_pct=85.0, **MATURE_REST)
    assert status(scalar, "germination") == "mature"
    scalar, _ = both("tari_1999", policy, relative_germination_pct=80.0, relative_root_growth_pct=84.9, **MATURE_REST)
    assert status(scalar, "germination") == "immature"
    scalar, _ = both("tari_1999", policy, relative_germination_pct=79.9, relative_root_growth_pct=85.0, **MATURE_REST)
    assert status(scalar, "germination") == "immature"


@pytest.mark.parametrize(
    "cn, expected", [(20.0, "immature"), (below(20.0), "mature"), (above(20.0), "immature"), (0.0, "mature")]
)
def test_cn_at_20(cn, expected):
    scalar, _ = both("tari_1999", relative_germination_pct=95.0, relative_root_growth_pct=95.0, cn_ratio=cn)
    assert status(scalar, "cn_ratio") == expected
    assert scalar["verdict"] == expected


@pytest.mark.parametrize("rs, expected", [(35.0, "immature"), (below(35.0), "mature"), (above(35.0), "immature")])
def test_rs_tc_at_35(rs, expected):
    scalar, _ = both(
        "tari_1999", relative_germination_pct=95.0, relative_root_growth_pct=95.0, cn_ratio=15.0, rs_tc_ratio_pct=rs
    )
    assert status(scalar, "reducing_sugar") == expected
    assert scalar["verdict"] == expected


@pytest.mark.parametrize("score, expected", [(0, "immature"), (1, "intermediate"), (2, "intermediate"), (3, "mature")])
def test_chromatogram_score_every_value(score, expected):
    for protocol in (None, "tari_agno3"):
        scalar, _ = both(
            "tari_1999",
            relative_germination_pct=95.0,
            relative_root_growth_pct=95.0,
            cn_ratio=15.0,
            chromatogram_score=score,
            chromatogram_protocol=protocol,
        )
        assert status(scalar, "chromatogram") == expected
        assert scalar["verdict"] == expected


@pytest.mark.parametrize("edge, expected", [("serrated", "mature"), ("smooth", "immature"), (None, "missing")])
def test_livestock_chromatogram_edge_both_paths(edge, expected):
    scalar, _ = both(
        "tari_1999",
        relative_germination_pct=95.0,
        relative_root_growth_pct=95.0,
        cn_ratio=15.0,
        chromatogram_protocol="livestock_naoh",
        chromatogram_edge=edge,
        chromatogram_score=0,
    )
    assert status(scalar, "chromatogram") == expected
    chrom = next(i for i in scalar["indicators"] if i["indicator"] == "chromatogram")
    assert chrom["value"] == edge
    assert chrom["criterion"] == "serrated edge mature, smooth edge immature"


@pytest.mark.parametrize(
    "gi, expected",
    [
        (80.0, "mature"),
        (below(80.0), "intermediate"),
        (above(80.0), "mature"),
        (50.0, "intermediate"),
        (below(50.0), "immature"),
        (above(50.0), "intermediate"),
        (0.0, "immature"),
    ],
)
def test_germination_index_at_80_and_50(gi, expected):
    scalar, _ = both("zucconi_gi", germination_index_pct=gi)
    assert status(scalar, "germination_index") == expected
    assert scalar["verdict"] == expected


def test_germination_index_thresholds_follow_policy():
    policy = LabPolicy(gi_mature_pct=70.0, gi_intermediate_pct=40.0)
    assert status(both("zucconi_gi", policy, germination_index_pct=70.0)[0], "germination_index") == "mature"
    assert status(both("zucconi_gi", policy, germination_index_pct=40.0)[0], "germination_index") == "intermediate"
    assert status(both("zucconi_gi", policy, germination_index_pct=39.9)[0], "germination_index") == "immature"


def test_cn_and_rs_tc_thresholds_follow_policy():
    policy = LabPolicy(cn_mature_below=25.0, rs_tc_mature_below_pct=30.0)
    scalar, _ = both(
        "tari_1999",
        policy,
        relative_germination_pct=95.0,
        relative_root_growth_pct=95.0,
        cn_ratio=24.9,
        rs_tc_ratio_pct=30.0,
    )
    assert status(scalar, "cn_ratio") == "mature"
    assert status(scalar, "reducing_sugar") == "immature"


@pytest.mark.parametrize("valid, expected", [(False, "invalid"), (True, "mature"), (None, "mature")])
def test_germination_validity_both_rule_sets(valid, expected):
    scalar, _ = both(
        "tari_1999",
        relative_germination_pct=95.0,
        relative_root_growth_pct=95.0,
        cn_ratio=15.0,
        germination_valid=valid,
    )
    assert status(scalar, "germination") == expected
    scalar, _ = both("zucconi_gi", germination_index_pct=95.0, germination_valid=valid)
    assert status(scalar, "germination_index") == expected
    assert scalar["verdict"] == ("incomplete" if expected == "invalid" else "mature")


@pytest.mark.parametrize("bark, expected", [(True, "skipped"), (False, "immature"), (None, "immature")])
def test_bark_compost_flag_both_paths(bark, expected):
    scalar, _ = both(
        "tari_1999", relative_germination_pct=95.0, relative_root_growth_pct=95.0, cn_ratio=30.0, bark_compost=bark
    )
    assert status(scalar, "cn_ratio") == expected
    cn = next(i for i in scalar["indicators"] if i["indicator"] == "cn_ratio")
    assert cn["criterion"] == ("not applied to bark compost" if bark else "C/N < 20")


def test_indicator_rows_shape():
    scalar, _ = both(
        "tari_1999",
        relative_germination_pct=95.0,
        relative_root_growth_pct=91.5,
        cn_ratio=15.0,
        rs_tc_ratio_pct=20.0,
        chromatogram_score=3,
    )
    assert scalar["rule_set"] == "tari_1999"
    assert [i["indicator"] for i in scalar["indicators"]] == [
        "germination",
        "cn_ratio",
        "reducing_sugar",
        "chromatogram",
    ]
    for i in scalar["indicators"]:
        assert set(i) == {"indicator", "value", "criterion", "status"}
    g, cn, rs, ch = scalar["indicators"]
    assert g["value"] == {"relative_germination_pct": 95.0, "relative_root_growth_pct": 91.5}
    assert g["criterion"] == "relative germination ≥ 90 % and relative root growth ≥ 90 %"
    assert (cn["value"], rs["value"], ch["value"]) == (15.0, 20.0, 3)
    assert rs["criterion"] == "RS/TC < 35 %"
    assert ch["criterion"] == "score 3 mature, 1–2 intermediate, 0 immature"
    gi, _ = both("zucconi_gi", germination_index_pct=float("nan"))
    assert gi["indicators"] == [
        {
            "indicator": "germination_index",
            "value": None,
            "criterion": "GI ≥ 80 % mature, 50–80 % intermediate, < 50 % immature",
            "status": "missing",
        }
    ]
    assert gi["verdict"] == "incomplete"


def test_numpy_values_come_back_as_python_numbers():
    import numpy as np

    out = judge_maturity(
        "tari_1999",
        MaturityInput(
            relative_germination_pct=np.float64(95.5),
            relative_root_growth_pct=np.float64(91.0),
            cn_ratio=np.float64(math.nan),
            chromatogram_score=np.int64(2),
        ),
    )
    g, cn, _, ch = out["indicators"]
    assert type(g["value"]["relative_germination_pct"]) is float
    assert cn["value"] is None and cn["status"] == "missing"
    assert type(ch["value"]) is int and ch["status"] == "intermediate"


# --------------------------------------------------------------------------- §5 bad chromatogram input, both paths


@pytest.mark.parametrize(
    "field, value, scalar_message, frame_message",
    [
        (
            "chromatogram_protocol",
            "ink",
            "unknown protocol 'ink'; expected one of tari_agno3, livestock_naoh",
            "unknown protocol(s) ['ink']; expected one of tari_agno3, livestock_naoh",
        ),
        (
            "chromatogram_edge",
            "jagged",
            "unknown edge code 'jagged'; expected one of smooth, serrated",
            "unknown edge code(s) ['jagged']; expected one of smooth, serrated",
        ),
        ("chromatogram_score", 4, "must be an integer from 0 to 3", "must be an integer from 0 to 3"),
        ("chromatogram_score", -1, "must be an integer from 0 to 3", "must be an integer from 0 to 3"),
        ("chromatogram_score", 2.5, "must be an integer from 0 to 3", "must be an integer from 0 to 3"),
    ],
)
def test_bad_chromatogram_input_messages(field, value, scalar_message, frame_message):
    with pytest.raises(InputError) as e:
        judge_maturity("tari_1999", MaturityInput(**{field: value}))
    assert e.value.errors == {field: [scalar_message]}
    with pytest.raises(InputError) as e:
        judge_maturity_frame("tari_1999", pd.DataFrame({field: [value, None]}))
    assert e.value.errors == {field: [frame_message]}


def test_boolean_score_is_not_a_score():
    with pytest.raises(InputError) as e:
        judge_maturity("tari_1999", MaturityInput(chromatogram_score=True))
    assert list(e.value.errors) == ["chromatogram_score"]


def test_unknown_rule_set_message():
    with pytest.raises(InputError) as e:
        judge_maturity("astm", MaturityInput())
    assert e.value.errors == {"rule_set": ["unknown rule set 'astm'; expected one of tari_1999, zucconi_gi, ccqc_2001"]}


def test_criteria_show_fractional_policy_figures():
    policy = LabPolicy(
        relative_germination_mature_pct=87.5,
        root_growth_not_inhibited_pct=92.25,
        cn_mature_below=18.5,
        gi_mature_pct=82.5,
        gi_intermediate_pct=47.5,
    )
    g = judge_maturity("tari_1999", MaturityInput(), policy)["indicators"]
    assert g[0]["criterion"] == "relative germination ≥ 87.5 % and relative root growth ≥ 92.25 %"
    assert g[1]["criterion"] == "C/N < 18.5"
    gi = judge_maturity("zucconi_gi", MaturityInput(), policy)["indicators"][0]
    assert gi["criterion"] == "GI ≥ 82.5 % mature, 47.5–82.5 % intermediate, < 47.5 % immature"
