"""Pure assay calculations (maturity.calculations), DOMAIN.md §4 and EXAMPLES.md."""

import json
import math
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from hypothesis import assume, given
from hypothesis import strategies as st

from lims.messages import Message, Named
from maturity.calculations import (
    FLAG_MESSAGES,
    METHODS,
    OBSERVATIONS,
    AssayOutcome,
    LabPolicy,
    compute,
    derive,
    parameter,
)
from maturity.errors import InputError
from maturity.measurements import Measurement
from maturity.parameters import DERIVED, METALS, PARAMETERS

REL = 1e-6


def approx(x):
    return pytest.approx(float(x), rel=REL)


def errors_of(method, data, **kw):
    with pytest.raises(InputError) as exc:
        compute(method, data, **kw)
    return exc.value.errors


def dishes(*rows):
    return [{"sown": s, "germinated": g, "mean_root_length_mm": l} for s, g, l in rows]


EX_CONTROL = dishes((25, 24, 20.0), (25, 25, 22.0), (25, 23, 21.0))
EX_SAMPLE = dishes((25, 23, 19.0), (25, 22, 18.5), (25, 24, 20.0))


def germination(control=EX_CONTROL, sample=EX_SAMPLE, protocol="tari_cabbage", **kw):
    return compute("germination", {"protocol": protocol, "control": control, "sample": sample}, **kw)


# --------------------------------------------------------------------------- interface


def test_methods_and_flag_messages_are_complete():
    assert METHODS == (
        "moisture",
        "organic_carbon_wet_oxidation",
        "organic_carbon_combustion",
        "total_nitrogen_kjeldahl",
        "germination",
        "reducing_sugar",
        "chromatogram",
        "direct",
        "observation",
        "co2_evolution",
        "solvita",
        "mineral_nitrogen",
        "dewar",
    )
    for code in (
        "no3_n_zero",
        "dichromate_reduced_over_limit",
        "organic_carbon_stands_in_for_total_carbon",
        "control_germination_below_validity",
        "control_germination_zero",
        "control_root_length_zero",
    ):
        assert FLAG_MESSAGES[code].endswith(".")


def test_lab_policy_defaults():
    p = LabPolicy()
    assert (
        p.control_validity_pct,
        p.root_growth_not_inhibited_pct,
        p.relative_germination_mature_pct,
        p.dichromate_reduced_flag_pct,
        p.correction_factor,
        p.organic_matter_factor,
        p.rs_tc_mature_below_pct,
        p.cn_mature_below,
        p.gi_mature_pct,
        p.gi_intermediate_pct,
    ) == (70.0, 90.0, 90.0, 75.0, 1.3, 1.72, 35.0, 20.0, 80.0, 50.0)


def test_unknown_method():
    errs = errors_of("ph_meter", {})
    assert list(errs) == ["method"]
    assert "unknown method 'ph_meter'" in errs["method"][0]


def test_data_must_be_a_mapping():
    assert errors_of("moisture", [1, 2]) == {"non_field_errors": ["must be an object"]}


def test_unknown_field_refused_but_note_allowed():
    errs = errors_of("moisture", {"wet_mass_g": 50, "dry_mass_g": 34, "blank": 3})
    assert errs == {"blank": ["unknown field"]}
    out = compute("moisture", {"wet_mass_g": 50, "dry_mass_g": 34, "note": "oven 2"})
    assert out.results["moisture_pct"].value == approx(32.0)


def test_details_are_json_serialisable():
    outs = [
        compute("moisture", {"wet_mass_g": 50, "dry_mass_g": 34}),
        compute(
            "organic_carbon_wet_oxidation",
            {"sample_mass_g": 0.1, "ferrous_normality": 0.5, "titrant_ml": 30, "blank_ml": 40},
        ),
        germination(),
        compute(
            "chromatogram",
            {"protocol": "tari_agno3", "center": "red_to_purple", "middle_band": "ring", "edge": "serrated"},
        ),
        compute("observation", {"observations": {"colour": "black_brown", "turnings": 7}}),
        compute("direct", {"values": {"cu": {"value": 0.01, "unit": "%"}}}),
    ]
    for out in outs:
        assert isinstance(out, AssayOutcome)
        json.dumps(out.details)
        json.dumps({k: m.as_dict() for k, m in out.results.items()})


# --------------------------------------------------------------------------- number parsing


@pytest.mark.parametrize(
    "bad, message",
    [
        (True, "must be a number, not a boolean"),
        (float("nan"), "must be a finite number"),
        (float("inf"), "must be a finite number"),
        ("nan", "must be a finite number"),
        ("abc", "must be a number (got 'abc')"),
        ([50], "must be a number (got list)"),
        ({"v": 1}, "must be a number (got dict)"),
    ],
)
def test_bad_numbers_are_refused(bad, message):
    errs = errors_of("moisture", {"wet_mass_g": bad, "dry_mass_g": 34})
    assert errs == {"wet_mass_g": [message]}


def test_numeric_strings_are_accepted():
    out = compute("moisture", {"wet_mass_g": " 50.0 ", "dry_mass_g": "34"})
    assert out.results["moisture_pct"].value == approx(32.0)


def test_all_problems_are_collected():
    errs = errors_of("total_nitrogen_kjeldahl", {"sample_mass_g": -1, "acid_normality": 0, "titrant_ml": "x"})
    assert errs == {
        "sample_mass_g": ["must be > 0"],
        "acid_normality": ["must be > 0"],
        "titrant_ml": ["must be a number (got 'x')"],
        "blank_ml": ["is required"],
    }


# --------------------------------------------------------------------------- moisture §4.1


def test_moisture_example():
    out = compute("moisture", {"wet_mass_g": 50.0, "dry_mass_g": 34.0})
    m = out.results["moisture_pct"]
    assert m.value == approx(32.0)
    assert (m.unit, m.basis) == ("%", "as_received")
    assert out.flags == [] and out.valid


def test_moisture_dry_above_wet():
    assert errors_of("moisture", {"wet_mass_g": 34, "dry_mass_g": 50}) == {"dry_mass_g": ["must be ≤ wet_mass_g (34)"]}


def test_moisture_negative_and_missing_masses():
    assert errors_of("moisture", {"wet_mass_g": -5, "dry_mass_g": 0}) == {
        "wet_mass_g": ["must be > 0"],
        "dry_mass_g": ["must be > 0"],
    }
    assert errors_of("moisture", {}) == {"wet_mass_g": ["is required"], "dry_mass_g": ["is required"]}


@given(wet=st.floats(1e-3, 1e4), frac=st.floats(1e-6, 1.0))
def test_moisture_bounds(wet, frac):
    dry = min(wet * frac, wet)
    assume(dry > 0)
    value = compute("moisture", {"wet_mass_g": wet, "dry_mass_g": dry}).results["moisture_pct"].value
    assert 0.0 <= value < 100.0


# --------------------------------------------------------------------------- organic carbon §4.2

WET_OX = {"sample_mass_g": 0.100, "ferrous_normality": 0.5, "titrant_ml": 30.0}


def test_wet_oxidation_with_blank_example():
    out = compute("organic_carbon_wet_oxidation", {**WET_OX, "blank_ml": 40.0, "correction_factor": 1.3})
    assert out.results["organic_carbon_pct"].value == approx(19.5)
    assert out.results["organic_matter_pct"].value == approx(33.54)
    assert out.results["organic_carbon_pct"].basis == "dry"
    assert out.results["organic_carbon_pct"].unit == "%"
    assert out.details["meq_reduced"] == approx(5.0)
    assert out.details["dichromate_added_meq"] == approx(20.0)  # N_Fe × V_blank
    assert out.details["dichromate_reduced_pct"] == approx(25.0)
    assert out.details["blank_used"] is True
    assert out.flags == []


def test_wet_oxidation_blank_measures_the_dichromate_added():
    # a blank of 38 mL shows 0.5 × 38 = 19 meq added, not the nominal 20
    out = compute("organic_carbon_wet_oxidation", {**WET_OX, "blank_ml": 38.0, "dichromate_ml": 20})
    assert out.details["meq_reduced"] == approx(4.0)
    assert out.details["dichromate_added_meq"] == approx(19.0)
    assert out.details["dichromate_reduced_pct"] == approx(400 / 19)
    assert out.results["organic_carbon_pct"].value == approx(4.0 * 3 * 1.3 / (0.1 * 10))


def test_wet_oxidation_without_blank_example():
    out = compute("organic_carbon_wet_oxidation", dict(WET_OX))
    assert out.details["meq_reduced"] == approx(5.0)  # 20 − 0.5 × 30
    assert out.results["organic_carbon_pct"].value == approx(19.5)
    assert out.results["organic_matter_pct"].value == approx(33.54)
    assert out.details["blank_used"] is False
    assert out.details["correction_factor"] == 1.3


def test_wet_oxidation_policy_factors_are_settings():
    policy = LabPolicy(correction_factor=1.0, organic_matter_factor=2.0)
    out = compute("organic_carbon_wet_oxidation", dict(WET_OX), policy=policy)
    assert out.results["organic_carbon_pct"].value == approx(15.0)
    assert out.results["organic_matter_pct"].value == approx(30.0)


def test_wet_oxidation_blank_below_sample():
    errs = errors_of("organic_carbon_wet_oxidation", {**WET_OX, "blank_ml": 25.0})
    assert list(errs) == ["blank_ml"]
    assert errs["blank_ml"][0].startswith("blank volume below sample volume")
    assert "titrant_ml (30)" in errs["blank_ml"][0]
    # equal volumes: nothing reduced, same rule
    assert list(errors_of("organic_carbon_wet_oxidation", {**WET_OX, "blank_ml": 30.0})) == ["blank_ml"]


def test_wet_oxidation_nothing_reduced_without_blank():
    errs = errors_of("organic_carbon_wet_oxidation", {**WET_OX, "titrant_ml": 40.0})
    assert list(errs) == ["titrant_ml"]
    assert errs["titrant_ml"][0].startswith("no dichromate reduced")


def test_wet_oxidation_bad_fields():
    errs = errors_of(
        "organic_carbon_wet_oxidation",
        {"sample_mass_g": 0, "ferrous_normality": -0.5, "titrant_ml": -1, "dichromate_ml": 0, "correction_factor": "f"},
    )
    assert errs == {
        "sample_mass_g": ["must be > 0"],
        "ferrous_normality": ["must be > 0"],
        "titrant_ml": ["must be ≥ 0"],
        "dichromate_ml": ["must be > 0"],
        "correction_factor": ["must be a number (got 'f')"],
    }


def test_wet_oxidation_flags_over_reduction():
    out = compute("organic_carbon_wet_oxidation", {**WET_OX, "titrant_ml": 8.0})  # 16 of 20 meq
    assert out.details["dichromate_reduced_pct"] == approx(80.0)
    assert out.flags == ["dichromate_reduced_over_limit"]
    assert out.valid and "organic_carbon_pct" in out.results  # still reported


def test_wet_oxidation_flag_threshold_is_exclusive_and_a_setting():
    at_limit = compute("organic_carbon_wet_oxidation", {**WET_OX, "titrant_ml": 10.0})  # 75 %
    assert at_limit.details["dichromate_reduced_pct"] == approx(75.0)
    assert at_limit.flags == []
    stricter = compute("organic_carbon_wet_oxidation", dict(WET_OX), policy=LabPolicy(dichromate_reduced_flag_pct=20.0))
    assert stricter.flags == ["dichromate_reduced_over_limit"]


@given(
    n_fe=st.floats(0.05, 2.0),
    mass=st.floats(0.01, 1.0),
    t1=st.floats(0.0, 100.0),
    dt=st.floats(0.01, 50.0),
    extra=st.floats(0.01, 50.0),
    use_blank=st.booleans(),
)
def test_more_titrant_means_less_organic_carbon(n_fe, mass, t1, dt, extra, use_blank):
    t2 = t1 + dt
    # only physically possible data: organic carbon above 100 % is refused at entry (issue 17)
    assume(n_fe * (t2 + extra - t1) * 3 * 1.3 / (mass * 10) <= 100)
    data = {"sample_mass_g": mass, "ferrous_normality": n_fe}
    if use_blank:
        data["blank_ml"] = t2 + extra
    else:
        data["dichromate_ml"] = n_fe * (t2 + extra)  # keeps meq > 0 for both titrations
    oc1 = compute("organic_carbon_wet_oxidation", {**data, "titrant_ml": t1}).results["organic_carbon_pct"].value
    oc2 = compute("organic_carbon_wet_oxidation", {**data, "titrant_ml": t2}).results["organic_carbon_pct"].value
    assert oc2 < oc1


def test_combustion():
    out = compute("organic_carbon_combustion", {"organic_carbon_pct": 30.0, "total_carbon_pct": "31.5"})
    assert out.results["organic_carbon_pct"].value == 30.0
    assert out.results["total_carbon_pct"].value == 31.5
    assert out.results["organic_matter_pct"].value == approx(51.6)
    only_oc = compute("organic_carbon_combustion", {"organic_carbon_pct": 30.0})
    assert set(only_oc.results) == {"organic_carbon_pct", "organic_matter_pct"}


def test_combustion_bad_input():
    assert errors_of("organic_carbon_combustion", {"organic_carbon_pct": 30, "total_carbon_pct": 25}) == {
        "total_carbon_pct": ["must be ≥ organic_carbon_pct (30)"]
    }
    assert errors_of("organic_carbon_combustion", {"organic_carbon_pct": 101, "total_carbon_pct": -1}) == {
        "organic_carbon_pct": ["must be ≤ 100"],
        "total_carbon_pct": ["must be ≥ 0"],
    }


# --------------------------------------------------------------------------- Kjeldahl §4.3


def test_kjeldahl_example():
    """EXAMPLES.md inputs through the DOMAIN §4.3 formula.

    EXAMPLES.md prints 0.3473736, but §4.3 (and the chemistry: 12.4 mL × 0.1 meq/mL
    × 14.007 mg/meq = 17.37 mg N in 500 mg of sample) gives 3.473736 %: the
    example is ten times too small, so this test follows the formula.
    """
    out = compute(
        "total_nitrogen_kjeldahl", {"sample_mass_g": 0.500, "acid_normality": 0.1, "titrant_ml": 12.6, "blank_ml": 0.2}
    )
    m = out.results["total_nitrogen_pct"]
    n_mg = (Fraction("12.6") - Fraction("0.2")) * Fraction("0.1") * Fraction("14.007")
    assert m.value == approx(n_mg / 500 * 100)
    assert m.value == approx(3.473736)
    assert out.details["n_mg"] == approx(n_mg)
    assert (m.unit, m.basis) == ("%", "dry")


def test_kjeldahl_titrant_not_above_blank():
    errs = errors_of(
        "total_nitrogen_kjeldahl", {"sample_mass_g": 0.5, "acid_normality": 0.1, "titrant_ml": 0.2, "blank_ml": 0.2}
    )
    assert errs == {"titrant_ml": ["must be > blank_ml (0.2)"]}


# --------------------------------------------------------------------------- germination §4.5


def test_germination_example_exact():
    out = germination()
    g_c, g_s = Fraction(72, 75), Fraction(69, 75)
    l_c = (Fraction(480) + 550 + 483) / 72
    l_s = (Fraction(437) + 407 + 480) / 69
    rg, rrg = g_s / g_c * 100, l_s / l_c * 100
    gi = rg * rrg / 100
    assert out.results["relative_germination_pct"].value == approx(rg)
    assert out.results["relative_root_growth_pct"].value == approx(rrg)
    assert out.results["germination_index_pct"].value == approx(gi)
    assert (float(rg), float(rrg), float(gi)) == (approx(95.833333), approx(91.312969), approx(87.508262))
    assert out.details["g_control"] == approx(0.96)
    assert out.details["g_sample"] == approx(0.92)
    assert out.details["l_control_mm"] == approx(l_c)
    assert out.details["l_sample_mm"] == approx(l_s)
    assert out.details["protocol"] == "tari_cabbage"
    assert out.valid and out.flags == []
    assert all(m.basis == "" and m.unit == "%" for m in out.results.values())


def test_germination_invalid_control_example():
    control = dishes((25, 17, 20.0), (25, 17, 22.0), (25, 16, 21.0))  # 50 of 75 = 66.7 %
    out = germination(control=control)
    assert out.valid is False
    assert out.flags == ["control_germination_below_validity"]
    assert out.details["g_control"] == approx(Fraction(50, 75))
    assert out.results["relative_germination_pct"].value == approx(Fraction(69, 50) * 100)  # still computed


def test_germination_validity_limit_is_inclusive_and_a_setting():
    control = dishes((100, 70, 20.0))  # exactly 70 %
    assert germination(control=control).valid is True
    assert germination(control=control, policy=LabPolicy(control_validity_pct=71)).valid is False


def test_germination_zero_control_does_not_divide_by_zero():
    out = germination(control=dishes((25, 0, 0.0), (25, 0, 5.0)))
    assert out.valid is False
    assert out.flags == ["control_germination_below_validity", "control_germination_zero", "control_root_length_zero"]
    assert out.results == {}
    assert out.details["l_control_mm"] == 0.0


def test_germination_zero_control_root_length():
    out = germination(control=dishes((25, 25, 0.0)))
    assert out.valid is False
    assert out.flags == ["control_root_length_zero"]
    assert set(out.results) == {"relative_germination_pct"}


def test_germination_sample_none_germinated():
    out = germination(sample=dishes((25, 0, 0.0)))
    assert out.valid
    assert out.details["l_sample_mm"] == 0.0
    assert out.results["germination_index_pct"].value == 0.0


def test_germinated_above_sown():
    errs = errors_of(
        "germination",
        {"protocol": "tari_cabbage", "control": EX_CONTROL, "sample": dishes((25, 23, 19.0), (25, 26, 18.5))},
    )
    assert errs == {"sample.1.germinated": ["must be ≤ sown (25)"]}


def test_germination_dish_rules():
    errs = errors_of(
        "germination",
        {
            "protocol": "tari_cabbage",
            "control": [
                {"sown": 0, "germinated": -1, "mean_root_length_mm": -2},
                {"sown": 2.5, "germinated": True},
                "dish",
            ],
            "sample": [],
        },
    )
    assert errs == {
        "control.0.sown": ["must be ≥ 1"],
        "control.0.germinated": ["must be ≥ 0"],
        "control.0.mean_root_length_mm": ["must be ≥ 0"],
        "control.1.sown": ["must be an integer"],
        "control.1.germinated": ["must be a number, not a boolean"],
        "control.1.mean_root_length_mm": ["is required"],
        "control.2": ["must be an object"],
        "sample": ["at least one dish is required"],
    }


def test_germination_integral_floats_are_counts():
    out = germination(control=dishes((25.0, "24", 20.0)), sample=dishes(("25", 23.0, 19.0)))
    assert out.details["control_sown"] == 25 and isinstance(out.details["control_sown"], int)


def test_germination_unknown_protocol_and_missing_groups():
    errs = errors_of("germination", {"protocol": "tomato"})
    assert errs == {
        "protocol": ["unknown protocol 'tomato'; expected one of tari_cabbage, livestock_radish"],
        "control": ["is required"],
        "sample": ["is required"],
    }
    assert errors_of("germination", {"protocol": "livestock_radish", "control": {}, "sample": EX_SAMPLE}) == {
        "control": ["must be a list of dishes"]
    }


def test_germination_livestock_protocol():
    out = germination(protocol="livestock_radish", control=dishes((50, 48, 30.0)), sample=dishes((50, 45, 27.0)))
    assert out.results["relative_germination_pct"].value == approx(Fraction(45, 48) * 100)
    assert out.results["relative_root_growth_pct"].value == approx(90.0)


dish_st = st.tuples(st.integers(1, 60), st.floats(0, 1), st.floats(0.0, 80.0)).map(
    lambda t: {"sown": t[0], "germinated": int(t[0] * t[1]), "mean_root_length_mm": t[2]}
)


@given(control=st.lists(dish_st, min_size=1, max_size=4), sample=st.lists(dish_st, min_size=1, max_size=4))
def test_germination_index_is_product(control, sample):
    out = germination(control=control, sample=sample)
    r = out.results
    if "germination_index_pct" in r:
        assert r["germination_index_pct"].value == approx(
            r["relative_germination_pct"].value * r["relative_root_growth_pct"].value / 100
        )
    else:
        assert out.valid is False
    g_c = sum(d["germinated"] for d in control) / sum(d["sown"] for d in control)
    assert out.valid == (g_c >= 0.70 and out.details["l_control_mm"] > 0)


@given(control=st.lists(dish_st, min_size=1, max_size=3), sown=st.integers(2, 60), data=st.data())
def test_more_germinated_in_sample_means_higher_relative_germination(control, sown, data):
    assume(sum(d["germinated"] for d in control) > 0)
    g1 = data.draw(st.integers(0, sown - 1))
    g2 = data.draw(st.integers(g1 + 1, sown))
    rg1, rg2 = (
        germination(control=control, sample=dishes((sown, g, 10.0))).results["relative_germination_pct"].value
        for g in (g1, g2)
    )
    assert rg2 > rg1


# --------------------------------------------------------------------------- reducing sugar §4.6


def test_reducing_sugar_example():
    out = compute("reducing_sugar", {"reducing_sugar_pct": 6.3, "total_carbon_pct": 31.5})
    assert out.results["rs_tc_ratio_pct"].value == approx(20.0)
    assert out.results["reducing_sugar_pct"].basis == "dry"
    assert out.results["rs_tc_ratio_pct"].basis == ""
    assert out.flags == []
    assert out.details["carbon_source"] == "total_carbon_pct (entered)"
    assert out.results["total_carbon_pct"].value == 31.5  # kept, so derive() gives the same ratio
    assert derive({k: m.value for k, m in out.results.items()})[0]["rs_tc_ratio_pct"] == approx(20.0)


def test_reducing_sugar_uses_sample_total_carbon():
    out = compute(
        "reducing_sugar", {"reducing_sugar_pct": 6.3}, context={"total_carbon_pct": 31.5, "organic_carbon_pct": 20.0}
    )
    assert out.results["rs_tc_ratio_pct"].value == approx(20.0)
    assert out.flags == []
    assert set(out.results) == {"reducing_sugar_pct", "rs_tc_ratio_pct"}


def test_reducing_sugar_organic_carbon_stands_in():
    out = compute("reducing_sugar", {"reducing_sugar_pct": 6.3}, context={"organic_carbon_pct": 21.0})
    assert out.results["rs_tc_ratio_pct"].value == approx(30.0)
    assert out.flags == ["organic_carbon_stands_in_for_total_carbon"]
    assert out.details["carbon_source"] == "organic_carbon_pct (sample result)"


def test_reducing_sugar_without_any_carbon():
    for context in (None, {}, {"moisture_pct": 30.0}):
        assert errors_of("reducing_sugar", {"reducing_sugar_pct": 6.3}, context=context) == {
            "total_carbon_pct": ["required: the sample has no total or organic carbon result"]
        }


def test_reducing_sugar_zero_carbon():
    assert list(errors_of("reducing_sugar", {"reducing_sugar_pct": 6.3, "total_carbon_pct": 0})) == ["total_carbon_pct"]
    assert list(errors_of("reducing_sugar", {"reducing_sugar_pct": 6.3}, context={"organic_carbon_pct": 0.0})) == [
        "total_carbon_pct"
    ]


# --------------------------------------------------------------------------- chromatogram §4.7


def test_chromatogram_tari_example():
    out = compute(
        "chromatogram", {"protocol": "tari_agno3", "center": "red_to_purple", "middle_band": "ring", "edge": "serrated"}
    )
    m = out.results["chromatogram_score"]
    assert (m.value, m.unit, m.basis) == (2, "", "")
    assert out.details["reading"] == "intermediate"
    assert out.details["zones"] == {
        "center": {"value": "red_to_purple", "mature": True},
        "middle_band": {"value": "ring", "mature": False},
        "edge": {"value": "serrated", "mature": True},
    }


def test_chromatogram_livestock_example():
    out = compute("chromatogram", {"protocol": "livestock_naoh", "edge": "smooth"})
    assert out.results["chromatogram_score"].value == 0
    assert out.details["reading"] == "immature"
    assert compute("chromatogram", {"protocol": "livestock_naoh", "edge": "serrated"}).details["reading"] == "mature"


def test_chromatogram_readings_tari():
    codes = {"center": "red_to_purple", "middle_band": "irregular", "edge": "serrated"}
    assert compute("chromatogram", {"protocol": "tari_agno3", **codes}).details["reading"] == "mature"
    fresh = {"center": "white_to_pink", "middle_band": "ring", "edge": "smooth"}
    assert compute("chromatogram", {"protocol": "tari_agno3", **fresh}).details["reading"] == "immature"


def test_chromatogram_bad_codes():
    errs = errors_of("chromatogram", {"protocol": "tari_agno3", "center": "blue", "edge": "jagged"})
    assert errs == {
        "center": ["unknown center code 'blue'; expected one of white_to_pink, red_to_purple"],
        "middle_band": ["is required"],
        "edge": ["unknown edge code 'jagged'; expected one of smooth, serrated"],
    }
    assert errors_of("chromatogram", {"protocol": "ink", "edge": "smooth"}) == {
        "protocol": ["unknown protocol 'ink'; expected one of tari_agno3, livestock_naoh"]
    }
    assert errors_of("chromatogram", {"protocol": "livestock_naoh"}) == {"edge": ["is required"]}


zone_st = st.fixed_dictionaries(
    {},
    optional={
        "center": st.sampled_from(["white_to_pink", "red_to_purple"]),
        "middle_band": st.sampled_from(["ring", "irregular"]),
    },
)


@given(
    zones=zone_st,
    edge=st.sampled_from(["smooth", "serrated"]),
    protocol=st.sampled_from(["tari_agno3", "livestock_naoh"]),
)
def test_chromatogram_score_bounds(zones, edge, protocol):
    if protocol == "tari_agno3":
        zones = {"center": "white_to_pink", "middle_band": "ring", **zones}
    out = compute("chromatogram", {"protocol": protocol, **zones, "edge": edge})
    score = out.results["chromatogram_score"].value
    assert 0 <= score <= 3
    assert score == sum(z["mature"] for z in out.details["zones"].values())


# --------------------------------------------------------------------------- direct entry


def test_direct_metal_percent_to_mg_kg():
    out = compute(
        "direct",
        {
            "values": {
                "cu": {"value": "0.006", "unit": "%", "uncertainty": 0.001, "basis": "as_received"},
                "zn": {"value": 5, "unit": "mg/kg", "qualifier": "<"},
            }
        },
    )
    cu, zn = out.results["cu"], out.results["zn"]
    assert (cu.value, cu.unit, cu.basis, cu.uncertainty) == (approx(60.0), "mg/kg", "as_received", approx(10.0))
    assert (zn.value, zn.unit, zn.basis, zn.qualifier, zn.uncertainty) == (5.0, "mg/kg", "dry", "<", None)
    assert out.details["conversions"] == {"cu": {"from_unit": "%", "factor": 10000.0}}


@given(metal=st.sampled_from(METALS), pct=st.floats(0, 100), u=st.floats(0, 10))
def test_direct_unit_round_trip(metal, pct, u):
    via_pct = compute("direct", {"values": {metal: {"value": pct, "unit": "%", "uncertainty": u}}}).results[metal]
    assert via_pct.value == pytest.approx(pct * 10_000, rel=REL, abs=1e-9)
    assert via_pct.value / 10_000 == pytest.approx(pct, rel=REL, abs=1e-12)
    assert via_pct.uncertainty == pytest.approx(u * 10_000, rel=REL, abs=1e-9)
    via_mg = compute("direct", {"values": {metal: {"value": via_pct.value, "unit": "mg/kg"}}}).results[metal]
    assert via_mg.value == via_pct.value


def test_direct_equivalent_units():
    out = compute(
        "direct",
        {
            "values": {
                "ec_ds_m": {"value": 3.2, "unit": "mS/cm"},
                "cec_meq_100g": {"value": 70, "unit": "cmol/kg"},
                "ph": {"value": 7.1},
                "moisture_pct": {"value": 32.0, "unit": "%"},
                "total_nitrogen_pct": {"value": 1.8, "unit": "%", "basis": ""},
            }
        },
    )
    r = out.results
    assert (r["ec_ds_m"].value, r["ec_ds_m"].unit, r["ec_ds_m"].basis) == (3.2, "dS/m", "")
    assert (r["cec_meq_100g"].value, r["cec_meq_100g"].unit, r["cec_meq_100g"].basis) == (70.0, "meq/100 g", "dry")
    assert (r["ph"].unit, r["ph"].basis) == ("", "")
    assert r["moisture_pct"].basis == "as_received"
    assert r["total_nitrogen_pct"].basis == "dry"


def test_direct_metal_in_unknown_unit():
    errs = errors_of("direct", {"values": {"pb": {"value": 1, "unit": "ppb"}}})
    assert errs == {"values.pb.unit": ["unit 'ppb' not accepted for pb; expected 'mg/kg', '%'"]}


def test_direct_bad_entries():
    errs = errors_of(
        "direct",
        {
            "values": {
                "gold": {"value": 1},
                "organic_matter_pct": {"value": 64.2, "unit": "g/kg", "basis": "wet"},
                "ph": {"value": 15, "basis": "dry"},
                "cd": {"value": -1, "qualifier": ">", "uncertainty": -0.1},
                "ec_ds_m": 3.2,
                "chromatogram_score": {"value": 2.5},
                "moisture_pct": {"value": 30, "basis": "dry"},
            }
        },
    )
    assert errs == {
        "values.gold": ["unknown parameter 'gold'"],
        "values.organic_matter_pct.unit": ["unit 'g/kg' not accepted for organic_matter_pct; expected '%'"],
        "values.organic_matter_pct.basis": [
            "basis 'wet' not accepted for organic_matter_pct; expected 'dry' or 'as_received'"
        ],
        "values.ph.basis": ["basis 'dry' not accepted for ph; expected ''"],
        "values.ph.value": ["must be ≤ 14"],
        "values.cd.qualifier": ["qualifier '>' not accepted; expected '' or '<'"],
        "values.cd.value": ["must be ≥ 0"],
        "values.cd.uncertainty": ["must be ≥ 0"],
        "values.ec_ds_m": ["must be an object with value, unit, basis, qualifier, uncertainty"],
        "values.chromatogram_score.value": ["must be an integer"],
        "values.moisture_pct.basis": ["basis 'dry' not accepted for moisture_pct; expected 'as_received'"],
    }


def test_direct_needs_values():
    assert errors_of("direct", {}) == {"values": ["is required"]}
    assert errors_of("direct", {"values": {}}) == {"values": ["at least one value is required"]}
    assert errors_of("direct", {"values": [1]}) == {"values": ["must be an object of parameter -> value"]}


@pytest.mark.parametrize("key", sorted(PARAMETERS))
def test_direct_accepts_every_parameter_in_its_canonical_unit(key):
    out = compute("direct", {"values": {key: {"value": 1, "unit": PARAMETERS[key].unit}}})
    m = out.results[key]
    assert m.value == 1.0 and m.unit == PARAMETERS[key].unit
    assert m.basis == PARAMETERS[key].basis


# --------------------------------------------------------------------------- observations §4.8

FULL = {
    "fermentation_days": 75,
    "colour": "black_brown",
    "structure_fine_uniform": True,
    "manure_odour": False,
    "clumps_when_squeezed": False,
    "peak_temperature_c": 72.5,
    "turnings": 7,
}


def test_observation_comprehensive_fully_mature():
    out = compute("observation", {"observations": FULL})
    assert out.details["comprehensive"] == "fully_mature"
    assert all(o["passed"] for o in out.details["observations"].values())
    assert out.results == {}


@pytest.mark.parametrize(
    "key, value",
    [
        ("fermentation_days", 45),
        ("colour", "yellow_brown"),
        ("structure_fine_uniform", False),
        ("manure_odour", True),
        ("clumps_when_squeezed", True),
        ("peak_temperature_c", 69.9),
        ("turnings", 5),
    ],
)
def test_observation_comprehensive_any_failure(key, value):
    out = compute("observation", {"observations": {**FULL, key: value}})
    assert out.details["observations"][key]["passed"] is False
    assert out.details["comprehensive"] == "not_fully_mature"


def test_observation_comprehensive_incomplete_and_failure_wins():
    partial = {k: v for k, v in FULL.items() if k != "turnings"}
    assert compute("observation", {"observations": partial}).details["comprehensive"] is None
    assert compute("observation", {"observations": {"colour": "yellow"}}).details["comprehensive"] == "not_fully_mature"


def test_observation_tests_and_numeric_results():
    obs = {
        "odour": "ammonia",
        "plastic_bag_test": "does_not_inflate",
        "earthworm_test": "escapes",
        "diphenylamine_test": "blue",
        "pollen_tube_test": "inhibited",
        "seedling_pot_test": "comparable_to_control",
        "max_particle_mm": 25,
        "impurities_pct": "3.9",
        "reheats_after_turning": False,
        "organic_matter_residual_stable": True,
        "note": "sample from pile 3",
    }
    out = compute("observation", {"observations": obs})
    passed = {k: v["passed"] for k, v in out.details["observations"].items()}
    assert passed == {
        "odour": False,
        "plastic_bag_test": True,
        "earthworm_test": False,
        "diphenylamine_test": True,
        "pollen_tube_test": False,
        "seedling_pot_test": True,
        "max_particle_mm": False,
        "impurities_pct": True,
        "reheats_after_turning": True,
        "organic_matter_residual_stable": True,
        "note": None,
    }
    assert out.details["observations"]["max_particle_mm"]["criterion"] == "particle size < 25 mm"
    assert (out.results["max_particle_mm"].value, out.results["max_particle_mm"].unit) == (25.0, "mm")
    assert (out.results["impurities_pct"].value, out.results["impurities_pct"].unit) == (3.9, "%")


def test_observation_bad_input():
    errs = errors_of(
        "observation",
        {
            "observations": {
                "colour": "green",
                "smell": "ok",
                "manure_odour": "no",
                "turnings": 6.5,
                "impurities_pct": 120,
                "note": 5,
            }
        },
    )
    assert errs["observations.colour"] == [
        "unknown code 'green'; expected one of dark_brown, black_brown, yellow, yellow_brown"
    ]
    assert errs["observations.smell"][0].startswith("unknown observation")
    assert errs["observations.manure_odour"] == ["must be true or false"]
    assert errs["observations.turnings"] == ["must be an integer"]
    assert errs["observations.impurities_pct"] == ["must be ≤ 100"]
    assert errs["observations.note"] == ["must be text"]
    assert errors_of("observation", {"observations": {}}) == {"observations": ["at least one observation is required"]}


def test_observation_schema_covers_every_key_with_a_criterion():
    for key, spec in OBSERVATIONS.items():
        assert (spec.criterion is None) == (key == "note")


# --------------------------------------------------------------------------- derive §4.4, §4.2, §4.6


def test_derive_all():
    derived, flags = derive(
        {"organic_carbon_pct": 36.0, "total_nitrogen_pct": 1.8, "reducing_sugar_pct": 6.3, "total_carbon_pct": 31.5}
    )
    assert derived == {"cn_ratio": approx(20.0), "organic_matter_pct": approx(61.92), "rs_tc_ratio_pct": approx(20.0)}
    assert flags == []


def test_derive_organic_carbon_stands_in_and_measured_om():
    derived, flags = derive({"organic_carbon_pct": 21.0, "reducing_sugar_pct": 6.3}, measured_om=True)
    assert derived == {"rs_tc_ratio_pct": approx(30.0)}
    assert flags == ["organic_carbon_stands_in_for_total_carbon"]


def test_derive_nothing_to_do():
    assert derive({}) == ({}, [])
    assert derive({"total_nitrogen_pct": 1.0, "reducing_sugar_pct": 2.0, "organic_carbon_pct": None}) == ({}, [])


def test_derive_zero_nitrogen():
    with pytest.raises(InputError) as exc:
        derive({"organic_carbon_pct": 30.0, "total_nitrogen_pct": 0.0})
    assert exc.value.errors == {"total_nitrogen_pct": ["must be > 0 to compute C/N"]}


def test_derive_zero_total_carbon():
    with pytest.raises(InputError) as exc:
        derive({"reducing_sugar_pct": 6.3, "total_carbon_pct": 0.0})
    assert exc.value.errors == {"total_carbon_pct": ["must be > 0 to compute RS/TC"]}


@given(oc=st.floats(0.01, 60), tn=st.floats(0.01, 10))
def test_derive_cn_matches_definition(oc, tn):
    derived, _ = derive({"organic_carbon_pct": oc, "total_nitrogen_pct": tn}, policy=LabPolicy())
    assert derived["cn_ratio"] * tn == pytest.approx(oc, rel=REL)
    assert derived["organic_matter_pct"] == pytest.approx(oc * 1.72, rel=REL)


def test_results_are_measurements():
    out = compute(
        "total_nitrogen_kjeldahl", {"sample_mass_g": 0.5, "acid_normality": 0.1, "titrant_ml": 12.6, "blank_ml": 0.2}
    )
    assert isinstance(out.results["total_nitrogen_pct"], Measurement)
    assert math.isfinite(out.results["total_nitrogen_pct"].value)


# --------------------------------------------------------------------------- codes, params and catalogue (issue #20)

ZH_PO = Path(__file__).resolve().parents[2] / "locale" / "zh_Hant" / "LC_MESSAGES" / "django.po"


def codes(errors):
    """field path -> the codes of its messages (what the API's "code" carries)."""
    return {path: [m.code for m in messages] for path, messages in errors.items()}


def translated(message):
    """The message's template is a msgid of the zh-Hant catalogue with a translation: a reader sees it in Chinese."""
    with ZH_PO.open("rb") as f:
        catalogue = read_po(f)
    entry = catalogue.get(message.template)
    return entry is not None and bool(entry.string)


def test_kjeldahl_total_nitrogen_of_exactly_100_pct_is_accepted():
    # §4.3: (10 − 0) mL × 1 N × 14.007 / (0.14007 g × 1000) × 100 = 100 %, the largest possible content
    out = compute(
        "total_nitrogen_kjeldahl", {"sample_mass_g": 0.14007, "acid_normality": 1, "titrant_ml": 10, "blank_ml": 0}
    )
    assert out.results["total_nitrogen_pct"].value == pytest.approx(100.0, rel=1e-12)
    assert out.flags == []


def test_kjeldahl_total_nitrogen_above_100_pct_is_refused_on_the_titrant():
    data = {"sample_mass_g": 0.14007, "acid_normality": 1, "titrant_ml": 10.05, "blank_ml": 0}  # 100.5 %
    errors = errors_of("total_nitrogen_kjeldahl", data)
    assert codes(errors) == {"titrant_ml": ["content_over_100"]}
    (message,) = errors["titrant_ml"]
    assert message.params == {"value": "100.5"}
    assert translated(message)
    assert "100.5" in message.english()


def test_kjeldahl_titrant_not_above_blank_is_a_min_value_against_the_blank():
    errors = errors_of(
        "total_nitrogen_kjeldahl", {"sample_mass_g": 1, "acid_normality": 0.1, "titrant_ml": 0.5, "blank_ml": 0.5}
    )
    assert codes(errors) == {"titrant_ml": ["min_value"]}
    (message,) = errors["titrant_ml"]
    assert message.params["limit"] == "0.5" and message.params["field"].code == "blank_ml"


def test_a_mass_above_another_is_a_max_value_naming_that_field():
    errors = errors_of("moisture", {"wet_mass_g": 10, "dry_mass_g": 10.5})
    assert codes(errors) == {"dry_mass_g": ["max_value"]}
    (message,) = errors["dry_mass_g"]
    assert message.params["limit"] == "10" and message.params["field"].code == "wet_mass_g"
    assert translated(message)


def test_a_total_carbon_below_the_organic_carbon_is_a_min_value_naming_it():
    errors = errors_of("organic_carbon_combustion", {"organic_carbon_pct": 30, "total_carbon_pct": 29})
    assert codes(errors) == {"total_carbon_pct": ["min_value"]}
    (message,) = errors["total_carbon_pct"]
    assert message.params["limit"] == "30" and message.params["field"].code == "organic_carbon_pct"
    assert translated(message)


def test_reducing_sugar_carbon_from_the_sample_codes():
    errors = errors_of("reducing_sugar", {"reducing_sugar_pct": 6.3}, context={})
    assert codes(errors) == {"total_carbon_pct": ["carbon_result_required"]}
    errors = errors_of("reducing_sugar", {"reducing_sugar_pct": 6.3}, context={"total_carbon_pct": -1.0})
    assert codes(errors) == {"total_carbon_pct": ["min_value"]}
    (message,) = errors["total_carbon_pct"]
    assert message.params["value"] == "-1" and message.params["parameter"].code == "total_carbon_pct"
    errors = errors_of("reducing_sugar", {"reducing_sugar_pct": 6.3}, context={"organic_carbon_pct": 0.0})
    assert errors["total_carbon_pct"][0].params["parameter"].code == "organic_carbon_pct"


def test_parameter_names_a_parameter_in_chinese_and_by_its_code():
    for key, table in (("total_carbon_pct", PARAMETERS), ("organic_carbon_pct", PARAMETERS), ("npk_sum_pct", DERIVED)):
        named = parameter(key)
        assert isinstance(named, Named)
        assert named.code == key and named.params == {"name": table[key].name_zh}
    assert parameter("no_such_parameter") == "no_such_parameter"
    assert not isinstance(parameter("no_such_parameter"), Message)


def test_observation_error_codes():
    assert codes(errors_of("observation", {"observations": {}})) == {"observations": ["required"]}
    errors = errors_of("observation", {"observations": {"smell": "earthy"}})
    assert codes(errors) == {"observations.smell": ["unknown_observation"]}
    assert errors["observations.smell"][0].params["choices"] == tuple(OBSERVATIONS)
    errors = errors_of("observation", {"observations": {"manure_odour": "no", "note": 5, "colour": "black_brown"}})
    assert codes(errors) == {"observations.manure_odour": ["not_a_boolean"], "observations.note": ["not_text"]}


def test_derive_error_codes():
    with pytest.raises(InputError) as exc:
        derive({"organic_carbon_pct": 30.0, "total_nitrogen_pct": 0.0})
    assert codes(exc.value.errors) == {"total_nitrogen_pct": ["not_positive"]}
    with pytest.raises(InputError) as exc:
        derive({"reducing_sugar_pct": 6.3, "total_carbon_pct": 0.0})
    assert codes(exc.value.errors) == {"total_carbon_pct": ["not_positive"]}
    with pytest.raises(InputError) as exc:
        derive({"reducing_sugar_pct": 6.3, "organic_carbon_pct": 0.0}, measured_om=True)
    assert codes(exc.value.errors) == {"organic_carbon_pct": ["not_positive"]}


def test_derive_nh4_no3_ratio_below_one_mg_per_kg_of_nitrate():
    # §12: the ratio is defined for any NO₃-N > 0, including a fraction of a mg/kg
    derived, flags = derive({"nh4_n_mg_kg": 0.2, "no3_n_mg_kg": 0.5})
    assert derived == {"nh4_no3_ratio": pytest.approx(0.4)} and flags == []


def test_direct_refusals_carry_their_codes():
    errs = errors_of(
        "direct",
        {
            "values": {
                "pb": {"value": 1, "unit": "ppb"},
                "ph": {"value": 7, "basis": "dry"},
                "cd": {"value": 1, "qualifier": ">"},
            }
        },
    )
    assert codes(errs) == {
        "values.pb.unit": ["unit_not_accepted"],
        "values.ph.basis": ["basis_not_accepted"],
        "values.cd.qualifier": ["qualifier_not_accepted"],
    }
    assert errs["values.pb.unit"][0].params["parameter"].code == "pb"
    assert errs["values.ph.basis"][0].params["parameter"].code == "ph"


def test_direct_solvita_colour_numbers_are_whole_numbers_in_their_ranges():
    # §12: Solvita CO₂ colour 1–8, NH₃ colour 1–5, whole numbers, entered directly as in the assay
    out = compute("direct", {"values": {"solvita_co2": {"value": 1}, "solvita_nh3": {"value": 5}}})
    co2, nh3 = out.results["solvita_co2"].value, out.results["solvita_nh3"].value
    assert (co2, nh3) == (1, 5)
    errs = errors_of("direct", {"values": {"solvita_co2": {"value": 0}, "solvita_nh3": {"value": 6}}})
    assert codes(errs) == {"values.solvita_co2.value": ["min_value"], "values.solvita_nh3.value": ["max_value"]}
    errs = errors_of("direct", {"values": {"solvita_co2": {"value": 6.5}, "solvita_nh3": {"value": 4.5}}})
    assert codes(errs) == {"values.solvita_co2.value": ["not_integer"], "values.solvita_nh3.value": ["not_integer"]}


WET_OX_NO_BLANK = {"sample_mass_g": 0.5, "ferrous_normality": 0.5, "titrant_ml": 10.0}
TWO_DISHES = dishes((25, 24, 20.0), (25, 23, 21.0))


@pytest.mark.parametrize(
    "method,data,expected",
    [
        # the reader: unknown field, required, integer, limits
        ("moisture", {"wet_mass_g": 10, "dry_mass_g": 5, "tare_g": 1}, {"tare_g": ["unknown_field"]}),
        ("moisture", {"wet_mass_g": 10}, {"dry_mass_g": ["required"]}),
        ("moisture", {"wet_mass_g": 10, "dry_mass_g": " "}, {"dry_mass_g": ["required"]}),
        ("moisture", {"wet_mass_g": 0, "dry_mass_g": 0}, {"wet_mass_g": ["min_value"], "dry_mass_g": ["min_value"]}),
        ("solvita", {"co2_colour": 2.5}, {"co2_colour": ["not_integer"]}),
        ("solvita", {"co2_colour": 0, "nh3_colour": 6}, {"co2_colour": ["min_value"], "nh3_colour": ["max_value"]}),
        # numbers that are not numbers
        (
            "moisture",
            {"wet_mass_g": True, "dry_mass_g": "five"},
            {"wet_mass_g": ["not_a_number"], "dry_mass_g": ["not_a_number"]},
        ),
        (
            "moisture",
            {"wet_mass_g": [10], "dry_mass_g": "inf"},
            {"wet_mass_g": ["not_a_number"], "dry_mass_g": ["not_finite"]},
        ),
        (
            "moisture",
            {"wet_mass_g": 10**400, "dry_mass_g": float("nan")},
            {"wet_mass_g": ["not_finite"], "dry_mass_g": ["not_finite"]},
        ),
        (
            "moisture",
            {"wet_mass_g": Decimal("Infinity"), "dry_mass_g": Decimal("NaN")},
            {"wet_mass_g": ["not_finite"], "dry_mass_g": ["not_finite"]},
        ),
        # choices
        ("chromatogram", {"protocol": "tari", "edge": "smooth"}, {"protocol": ["invalid_choice"]}),
        ("chromatogram", {"protocol": "livestock_naoh"}, {"edge": ["required"]}),
        # objects
        ("moisture", [10, 5], {"non_field_errors": ["not_an_object"]}),
        ("observation", {}, {"observations": ["required"]}),
        ("observation", {"observations": ["colour"]}, {"observations": ["not_an_object"]}),
        ("direct", {"values": {}}, {"values": ["required"]}),
        (
            "direct",
            {"values": {"gold": {"value": 1}, "ec_ds_m": 3.2}},
            {"values.gold": ["unknown_parameter"], "values.ec_ds_m": ["not_an_object"]},
        ),
        # §4.2 wet oxidation
        (
            "organic_carbon_wet_oxidation",
            {**WET_OX_NO_BLANK, "blank_ml": 10.0},
            {"blank_ml": ["blank_not_above_titrant"]},
        ),
        (
            "organic_carbon_wet_oxidation",
            {**WET_OX_NO_BLANK, "titrant_ml": 40.0},
            {"titrant_ml": ["no_dichromate_reduced"]},
        ),
        (
            "organic_carbon_wet_oxidation",
            {**WET_OX_NO_BLANK, "sample_mass_g": 0.001},
            {"titrant_ml": ["content_over_100"]},
        ),
        # §4.5 dishes
        ("germination", {"protocol": "tari_cabbage", "control": TWO_DISHES}, {"sample": ["required"]}),
        ("germination", {"protocol": "tari_cabbage", "control": TWO_DISHES, "sample": []}, {"sample": ["required"]}),
        (
            "germination",
            {"protocol": "tari_cabbage", "control": TWO_DISHES, "sample": {"sown": 25}},
            {"sample": ["not_a_list"]},
        ),
        (
            "germination",
            {"protocol": "tari_cabbage", "control": TWO_DISHES, "sample": [5]},
            {"sample.0": ["not_an_object"]},
        ),
        (
            "germination",
            {"protocol": "tari_cabbage", "control": TWO_DISHES, "sample": dishes((25, 26, 20.0))},
            {"sample.0.germinated": ["max_value"]},
        ),
    ],
)
def test_every_refusal_carries_its_code(method, data, expected):
    errors = errors_of(method, data)
    assert codes(errors) == expected
    for messages in errors.values():
        for message in messages:
            assert translated(message), message.template


def test_refusal_params():
    errors = errors_of("moisture", {"wet_mass_g": 0, "dry_mass_g": -1, "scale": 2})
    assert errors["wet_mass_g"][0].params == {"limit": "0"} and errors["dry_mass_g"][0].params == {"limit": "0"}
    assert errors_of("solvita", {"co2_colour": 0})["co2_colour"][0].params == {"limit": "1"}
    assert errors_of("solvita", {"co2_colour": 9})["co2_colour"][0].params == {"limit": "8"}
    assert errors_of("moisture", {"wet_mass_g": "ten", "dry_mass_g": 1})["wet_mass_g"][0].params == {"value": "'ten'"}
    assert errors_of("moisture", {"wet_mass_g": [10], "dry_mass_g": 1})["wet_mass_g"][0].params == {"value": "list"}
    (message,) = errors_of("chromatogram", {"protocol": "tari", "edge": "smooth"})["protocol"]
    assert message.params["value"] == "'tari'" and message.params["choices"] == ("tari_agno3", "livestock_naoh")
    assert message.params["field"].code == "protocol"
    (message,) = errors_of("chromatogram", {"protocol": "livestock_naoh", "edge": "wavy"})["edge"]
    assert message.code == "invalid_choice" and message.params["value"] == "'wavy'"
    assert message.params["choices"] == ("smooth", "serrated") and message.params["field"].code == "edge"
    errors = errors_of("organic_carbon_wet_oxidation", {**WET_OX_NO_BLANK, "blank_ml": 10.0})
    assert errors["blank_ml"][0].params["limit"] == "10" and errors["blank_ml"][0].params["field"].code == "titrant_ml"
    errors = errors_of("organic_carbon_wet_oxidation", {**WET_OX_NO_BLANK, "titrant_ml": 40.0})
    assert errors["titrant_ml"][0].params == {"used": "20", "added": "20"}
    errors = errors_of(
        "germination", {"protocol": "tari_cabbage", "control": TWO_DISHES, "sample": dishes((25, 26, 20.0))}
    )
    assert errors["sample.0.germinated"][0].params["limit"] == 25
    assert errors["sample.0.germinated"][0].params["field"].code == "sown"


def test_unknown_method_code():
    with pytest.raises(InputError) as exc:
        compute("compost_tea", {})
    ((message,),) = exc.value.errors.values()
    assert list(exc.value.errors) == ["method"]
    assert message.code == "unknown_method" and message.params == {"method": "'compost_tea'", "choices": METHODS}
    assert translated(message)


def test_wet_oxidation_organic_carbon_of_exactly_100_pct_is_accepted_above_is_refused():
    # §4.2 without blank: meq = 1 N × 20 mL − 0.5 N × 8 mL = 16; OC = 16 × 3 × f(1) / (0.048 g × 10) = 100 %
    data = {"sample_mass_g": 0.048, "ferrous_normality": 0.5, "titrant_ml": 8, "correction_factor": 1}
    out = compute("organic_carbon_wet_oxidation", data)
    assert out.results["organic_carbon_pct"].value == pytest.approx(100.0, rel=1e-12)
    errors = errors_of("organic_carbon_wet_oxidation", {**data, "sample_mass_g": 0.04776})  # 100.5 %
    assert codes(errors) == {"titrant_ml": ["content_over_100"]}
    (message,) = errors["titrant_ml"]
    assert message.params == {"value": "100.5"}
    assert translated(message)


def test_an_unknown_observation_code_names_no_field():
    # the observation is the path itself: its message gives the value and the choices, no field
    errors = errors_of("observation", {"observations": {"colour": "purple"}})
    assert codes(errors) == {"observations.colour": ["invalid_choice"]}
    (message,) = errors["observations.colour"]
    assert message.params == {"value": "'purple'", "choices": OBSERVATIONS["colour"].choices}
    assert translated(message)
