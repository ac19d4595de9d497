"""Every method that weighs, at sample masses other than 0.100 g, and every validation
bound of every method's raw fields at its edge: the zero, the equal and the just-past
cases (DOMAIN.md §4; issue #20). Expected figures are computed by hand from the spec."""

import pytest

from maturity.calculations import LabPolicy, compute, derive
from maturity.errors import InputError


def approx(x):
    return pytest.approx(x, rel=1e-9)


def errors_of(method, data, **kw):
    with pytest.raises(InputError) as e:
        compute(method, data, **kw)
    return e.value.errors


def accepted(method, data, **kw):
    return compute(method, data, **kw)


# --------------------------------------------------------------------------- §4.2 wet oxidation, sample masses


@pytest.mark.parametrize(
    "mass, oc",
    [
        # meq 5.0 (blank 40, sample 30, N_Fe 0.5) × 3 mg C × f 1.3 = 19.5 mg C in mass × 1000 mg
        (0.100, 19.5),
        (0.050, 39.0),
        (0.200, 9.75),
        (0.500, 3.9),
        (1.0, 1.95),
        (0.25, 7.8),
    ],
)
def test_wet_oxidation_scales_with_sample_mass(mass, oc):
    out = compute(
        "organic_carbon_wet_oxidation",
        {"sample_mass_g": mass, "ferrous_normality": 0.5, "titrant_ml": 30, "blank_ml": 40},
    )
    assert out.results["organic_carbon_pct"].value == approx(oc)
    assert out.results["organic_matter_pct"].value == approx(oc * 1.72)
    assert out.details["meq_reduced"] == approx(5.0)
    # the fraction reduced does not depend on the mass: 5 of 20 meq
    assert out.details["dichromate_reduced_pct"] == approx(25.0)


def test_wet_oxidation_half_gram_is_3_9_not_97_5():
    out = compute("organic_carbon_wet_oxidation", {"sample_mass_g": 0.5, "ferrous_normality": 0.5, "titrant_ml": 30})
    assert out.results["organic_carbon_pct"].value == approx(3.9)


@pytest.mark.parametrize(
    "n_cr, v_cr, n_fe, v, meq, added",
    [
        (1.0, 20.0, 0.5, 30.0, 5.0, 20.0),
        (0.5, 40.0, 0.5, 30.0, 5.0, 20.0),
        (1.0, 10.0, 0.25, 20.0, 5.0, 10.0),
        (2.0, 10.0, 1.0, 12.0, 8.0, 20.0),
        (1.0, 25.0, 0.5, 0.0, 25.0, 25.0),
    ],
)
def test_wet_oxidation_without_blank_uses_the_dichromate_added(n_cr, v_cr, n_fe, v, meq, added):
    out = compute(
        "organic_carbon_wet_oxidation",
        {
            "sample_mass_g": 0.4,
            "ferrous_normality": n_fe,
            "titrant_ml": v,
            "dichromate_normality": n_cr,
            "dichromate_ml": v_cr,
            "correction_factor": 1.0,
        },
    )
    assert out.details["meq_reduced"] == approx(meq)
    assert out.details["dichromate_added_meq"] == approx(added)
    assert out.details["dichromate_reduced_pct"] == approx(meq / added * 100)
    assert out.results["organic_carbon_pct"].value == approx(meq * 3 * 1.0 / (0.4 * 10))
    assert out.details["blank_used"] is False


def test_wet_oxidation_with_blank_ignores_the_nominal_dichromate():
    out = compute(
        "organic_carbon_wet_oxidation",
        {
            "sample_mass_g": 0.2,
            "ferrous_normality": 0.4,
            "titrant_ml": 10,
            "blank_ml": 35,
            "dichromate_normality": 3.0,
            "dichromate_ml": 7.0,
        },
    )
    assert out.details["meq_reduced"] == approx(0.4 * 25)
    assert out.details["dichromate_added_meq"] == approx(0.4 * 35)
    assert out.details["blank_used"] is True
    assert out.results["organic_carbon_pct"].value == approx(10 * 3 * 1.3 / 2)


@pytest.mark.parametrize("f", [0.5, 1.0, 1.17, 2.0])
def test_wet_oxidation_correction_factor_below_and_above_one(f):
    out = compute(
        "organic_carbon_wet_oxidation",
        {"sample_mass_g": 0.1, "ferrous_normality": 0.5, "titrant_ml": 30, "correction_factor": f},
    )
    assert out.results["organic_carbon_pct"].value == approx(5.0 * 3 * f)
    assert out.details["correction_factor"] == f


def test_wet_oxidation_policy_organic_matter_factor():
    out = compute(
        "organic_carbon_wet_oxidation",
        {"sample_mass_g": 0.1, "ferrous_normality": 0.5, "titrant_ml": 30},
        policy=LabPolicy(organic_matter_factor=2.0, correction_factor=1.0),
    )
    assert out.results["organic_carbon_pct"].value == approx(15.0)
    assert out.results["organic_matter_pct"].value == approx(30.0)
    assert out.details["organic_matter_factor"] == 2.0


@pytest.mark.parametrize("titrant, flagged", [(5.0, False), (4.999, True), (5.001, False)])
def test_wet_oxidation_flag_exactly_at_75_percent_reduced(titrant, flagged):
    # 20 meq added; titrant 5 mL of 1 N -> 15 meq reduced = 75 %: not *more than* 75 %
    out = compute(
        "organic_carbon_wet_oxidation", {"sample_mass_g": 0.3, "ferrous_normality": 1.0, "titrant_ml": titrant}
    )
    assert ("dichromate_reduced_over_limit" in out.flags) is flagged
    assert out.details["dichromate_reduced_limit_pct"] == 75.0


# --------------------------------------------------------------------------- §4.3 Kjeldahl, sample masses


@pytest.mark.parametrize("mass", [0.1, 0.25, 0.5, 1.0, 2.0])
def test_kjeldahl_scales_with_sample_mass(mass):
    # 12.4 mL × 0.1 N × 14.007 mg/meq = 17.36868 mg N in mass × 1000 mg
    out = compute(
        "total_nitrogen_kjeldahl", {"sample_mass_g": mass, "acid_normality": 0.1, "titrant_ml": 12.6, "blank_ml": 0.2}
    )
    assert out.results["total_nitrogen_pct"].value == approx(17.36868 / (mass * 1000) * 100)
    assert out.details["n_mg"] == approx(17.36868)
    assert out.details["net_titrant_ml"] == approx(12.4)


def test_kjeldahl_one_gram_normal_acid():
    out = compute(
        "total_nitrogen_kjeldahl", {"sample_mass_g": 1.0, "acid_normality": 1.0, "titrant_ml": 1.0, "blank_ml": 0}
    )
    assert out.results["total_nitrogen_pct"].value == approx(1.4007)


# --------------------------------------------------------------------------- §4.1 moisture


@pytest.mark.parametrize("wet, dry, pct", [(50, 34, 32.0), (10, 10, 0.0), (200, 50, 75.0), (0.5, 0.4, 20.0)])
def test_moisture_masses(wet, dry, pct):
    out = compute("moisture", {"wet_mass_g": wet, "dry_mass_g": dry})
    assert out.results["moisture_pct"].value == approx(pct)
    assert out.results["moisture_pct"].basis == "as_received"
    assert out.details == {"wet_mass_g": wet, "dry_mass_g": dry, "water_g": wet - dry}


@pytest.mark.parametrize("field, value", [("wet_mass_g", 0), ("dry_mass_g", 0), ("wet_mass_g", -1)])
def test_moisture_zero_masses_refused(field, value):
    data = {"wet_mass_g": 10, "dry_mass_g": 5, field: value}
    assert field in errors_of("moisture", data)


def test_moisture_dry_just_above_wet_refused():
    errs = errors_of("moisture", {"wet_mass_g": 10, "dry_mass_g": 10.0001})
    assert errs == {"dry_mass_g": ["must be ≤ wet_mass_g (10)"]}


# --------------------------------------------------------------------------- §4.2 bounds

WET = {"sample_mass_g": 0.1, "ferrous_normality": 0.5, "titrant_ml": 30}


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("sample_mass_g", 0, "must be > 0"),
        ("ferrous_normality", 0, "must be > 0"),
        ("titrant_ml", -0.01, "must be ≥ 0"),
        ("dichromate_normality", 0, "must be > 0"),
        ("dichromate_ml", 0, "must be > 0"),
        ("correction_factor", 0, "must be > 0"),
        ("correction_factor", -1, "must be > 0"),
    ],
)
def test_wet_oxidation_bounds_refused(field, value, message):
    errs = errors_of("organic_carbon_wet_oxidation", {**WET, field: value})
    assert message in errs[field]


def test_wet_oxidation_zero_titrant_accepted():
    out = compute("organic_carbon_wet_oxidation", {**WET, "titrant_ml": 0, "blank_ml": 10})
    assert out.details["meq_reduced"] == approx(5.0)


def test_wet_oxidation_blank_zero_is_a_volume_but_below_the_sample():
    errs = errors_of("organic_carbon_wet_oxidation", {**WET, "blank_ml": 0})
    assert list(errs) == ["blank_ml"]
    assert "must be > titrant_ml (30)" in errs["blank_ml"][0]


def test_wet_oxidation_negative_blank_refused():
    errs = errors_of("organic_carbon_wet_oxidation", {**WET, "titrant_ml": 0, "blank_ml": -1})
    assert "must be ≥ 0" in errs["blank_ml"]


def test_wet_oxidation_blank_equal_to_sample_refused():
    errs = errors_of("organic_carbon_wet_oxidation", {**WET, "blank_ml": 30})
    assert list(errs) == ["blank_ml"]


def test_wet_oxidation_blank_just_above_sample_accepted():
    out = compute("organic_carbon_wet_oxidation", {**WET, "blank_ml": 30.5})
    assert out.details["meq_reduced"] == approx(0.25)


def test_wet_oxidation_titrant_equal_to_dichromate_refused_without_blank():
    # 0.5 N × 40 mL = 20 meq = 1 N × 20 mL: nothing reduced
    errs = errors_of("organic_carbon_wet_oxidation", {**WET, "titrant_ml": 40})
    assert list(errs) == ["titrant_ml"]
    assert errs["titrant_ml"][0].startswith("no dichromate reduced: ferrous_normality × titrant_ml (20 meq)")
    assert "must be < dichromate added (20 meq)" in errs["titrant_ml"][0]


def test_wet_oxidation_titrant_just_below_dichromate_accepted():
    out = compute("organic_carbon_wet_oxidation", {**WET, "titrant_ml": 39.9})
    assert out.details["meq_reduced"] == approx(0.05)


# --------------------------------------------------------------------------- §4.2 combustion bounds


@pytest.mark.parametrize("oc, tc", [(0, None), (100, None), (0, 0), (40, 40), (100, 100), (39.99, 40)])
def test_combustion_bounds_accepted(oc, tc):
    data = {"organic_carbon_pct": oc} if tc is None else {"organic_carbon_pct": oc, "total_carbon_pct": tc}
    out = compute("organic_carbon_combustion", data)
    assert out.results["organic_carbon_pct"].value == oc
    assert out.results["organic_matter_pct"].value == approx(oc * 1.72)
    assert ("total_carbon_pct" in out.results) is (tc is not None)


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"organic_carbon_pct": -0.01}, "organic_carbon_pct", "must be ≥ 0"),
        ({"organic_carbon_pct": 100.01}, "organic_carbon_pct", "must be ≤ 100"),
        ({"organic_carbon_pct": 10, "total_carbon_pct": 100.01}, "total_carbon_pct", "must be ≤ 100"),
        ({"organic_carbon_pct": 0, "total_carbon_pct": -0.01}, "total_carbon_pct", "must be ≥ 0"),
        (
            {"organic_carbon_pct": 40, "total_carbon_pct": 39.99},
            "total_carbon_pct",
            "must be ≥ organic_carbon_pct (40)",
        ),
    ],
)
def test_combustion_bounds_refused(data, field, message):
    assert errors_of("organic_carbon_combustion", data) == {field: [message]}


# --------------------------------------------------------------------------- §4.3 Kjeldahl bounds

KJ = {"sample_mass_g": 0.5, "acid_normality": 0.1, "titrant_ml": 12.6, "blank_ml": 0.2}


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("sample_mass_g", 0, "must be > 0"),
        ("acid_normality", 0, "must be > 0"),
        ("titrant_ml", -0.1, "must be ≥ 0"),
        ("blank_ml", -0.1, "must be ≥ 0"),
    ],
)
def test_kjeldahl_bounds_refused(field, value, message):
    assert message in errors_of("total_nitrogen_kjeldahl", {**KJ, field: value})[field]


def test_kjeldahl_zero_blank_accepted_and_equal_refused():
    out = compute("total_nitrogen_kjeldahl", {**KJ, "blank_ml": 0})
    assert out.details["net_titrant_ml"] == approx(12.6)
    assert errors_of("total_nitrogen_kjeldahl", {**KJ, "blank_ml": 12.6}) == {
        "titrant_ml": ["must be > blank_ml (12.6)"]
    }


def test_kjeldahl_blank_is_required():
    assert errors_of("total_nitrogen_kjeldahl", {k: v for k, v in KJ.items() if k != "blank_ml"}) == {
        "blank_ml": ["is required"]
    }


# --------------------------------------------------------------------------- §4.5 germination bounds


def dish(sown=25, germinated=20, length=10.0):
    return {"sown": sown, "germinated": germinated, "mean_root_length_mm": length}


def germ(control=None, sample=None):
    return {"protocol": "tari_cabbage", "control": control or [dish(25, 25, 20.0)], "sample": sample or [dish()]}


@pytest.mark.parametrize("d", [dish(1, 0, 0.0), dish(1, 1, 0.0), dish(25, 25, 0.0), dish(25, 0, 5.0)])
def test_germination_dish_bounds_accepted(d):
    out = compute("germination", germ(sample=[d]))
    assert out.details["sample_sown"] == d["sown"]
    assert out.details["sample_germinated"] == d["germinated"]


@pytest.mark.parametrize(
    "d, field, message",
    [
        (dish(0, 0, 1.0), "sample.0.sown", "must be ≥ 1"),
        (dish(25, -1, 1.0), "sample.0.germinated", "must be ≥ 0"),
        (dish(25, 26, 1.0), "sample.0.germinated", "must be ≤ sown (25)"),
        (dish(25, 12.5, 1.0), "sample.0.germinated", "must be an integer"),
        (dish(24.5, 12, 1.0), "sample.0.sown", "must be an integer"),
        (dish(25, 12, -0.1), "sample.0.mean_root_length_mm", "must be ≥ 0"),
    ],
)
def test_germination_dish_bounds_refused(d, field, message):
    assert errors_of("germination", germ(sample=[d])) == {field: [message]}


@pytest.mark.parametrize("germinated, valid", [(70, True), (69, False), (71, True)])
def test_control_validity_exactly_70_percent(germinated, valid):
    out = compute("germination", germ(control=[dish(100, germinated, 20.0)]))
    assert out.valid is valid
    assert ("control_germination_below_validity" in out.flags) is (not valid)
    assert out.details["control_validity_pct"] == 70.0


def test_germination_figures_with_unequal_dishes():
    # G = Σgerminated/Σsown; L weighted by germinated seeds
    out = compute(
        "germination",
        germ(
            control=[dish(50, 40, 30.0), dish(50, 50, 12.0)],
            sample=[dish(25, 10, 20.0), dish(25, 0, 99.0), dish(50, 20, 5.0)],
        ),
    )
    g_c, l_c = 90 / 100, (40 * 30 + 50 * 12) / 90
    g_s, l_s = 30 / 100, (10 * 20 + 20 * 5) / 30
    assert out.details["l_control_mm"] == approx(l_c)
    assert out.details["l_sample_mm"] == approx(l_s)
    assert out.results["relative_germination_pct"].value == approx(g_s / g_c * 100)
    assert out.results["relative_root_growth_pct"].value == approx(l_s / l_c * 100)
    assert out.results["germination_index_pct"].value == approx(g_s / g_c * l_s / l_c * 100)


# --------------------------------------------------------------------------- §4.6 reducing sugar bounds


@pytest.mark.parametrize("rs, tc, ratio", [(0, 31.5, 0.0), (100, 100, 100.0), (6.3, 31.5, 20.0), (10.5, 30, 35.0)])
def test_reducing_sugar_bounds_accepted(rs, tc, ratio):
    out = compute("reducing_sugar", {"reducing_sugar_pct": rs, "total_carbon_pct": tc})
    assert out.results["rs_tc_ratio_pct"].value == approx(ratio)
    assert out.results["total_carbon_pct"].value == tc
    assert out.details == {"carbon_pct": tc, "carbon_source": "total_carbon_pct (entered)"}


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"reducing_sugar_pct": -0.1, "total_carbon_pct": 30}, "reducing_sugar_pct", "must be ≥ 0"),
        ({"reducing_sugar_pct": 100.1, "total_carbon_pct": 30}, "reducing_sugar_pct", "must be ≤ 100"),
        ({"reducing_sugar_pct": 5, "total_carbon_pct": 0}, "total_carbon_pct", "must be > 0"),
        ({"reducing_sugar_pct": 5, "total_carbon_pct": 100.1}, "total_carbon_pct", "must be ≤ 100"),
    ],
)
def test_reducing_sugar_bounds_refused(data, field, message):
    assert errors_of("reducing_sugar", data) == {field: [message]}


def test_reducing_sugar_context_carbon_zero_is_a_field_error():
    for key in ("total_carbon_pct", "organic_carbon_pct"):
        errs = errors_of("reducing_sugar", {"reducing_sugar_pct": 5}, context={key: 0})
        assert errs == {"total_carbon_pct": [f"the sample's {key} result (0) must be > 0"]}


def test_reducing_sugar_context_prefers_total_carbon():
    out = compute(
        "reducing_sugar", {"reducing_sugar_pct": 6}, context={"total_carbon_pct": 30, "organic_carbon_pct": 20}
    )
    assert out.results["rs_tc_ratio_pct"].value == approx(20.0)
    assert out.flags == []
    assert out.details == {"carbon_pct": 30, "carbon_source": "total_carbon_pct (sample result)"}
    assert "total_carbon_pct" not in out.results
    out = compute("reducing_sugar", {"reducing_sugar_pct": 6}, context={"organic_carbon_pct": "24"})
    assert out.results["rs_tc_ratio_pct"].value == approx(25.0)
    assert out.flags == ["organic_carbon_stands_in_for_total_carbon"]
    assert out.details["carbon_source"] == "organic_carbon_pct (sample result)"


def test_reducing_sugar_unreadable_context_counts_as_absent():
    out = compute(
        "reducing_sugar", {"reducing_sugar_pct": 6}, context={"total_carbon_pct": "n/a", "organic_carbon_pct": 12}
    )
    assert out.details["carbon_source"] == "organic_carbon_pct (sample result)"


# --------------------------------------------------------------------------- derive: zero carbon and nitrogen


def test_derive_organic_carbon_zero_standing_in_is_a_field_error():
    with pytest.raises(InputError) as e:
        derive({"reducing_sugar_pct": 5.0, "organic_carbon_pct": 0.0})
    assert e.value.errors == {"organic_carbon_pct": ["must be > 0 to stand in for total carbon in RS/TC"]}


@pytest.mark.parametrize(
    "current, field",
    [
        ({"organic_carbon_pct": 20.0, "total_nitrogen_pct": 0.0}, "total_nitrogen_pct"),
        ({"reducing_sugar_pct": 5.0, "total_carbon_pct": 0.0}, "total_carbon_pct"),
        ({"reducing_sugar_pct": 5.0, "total_carbon_pct": -1.0, "organic_carbon_pct": 20.0}, "total_carbon_pct"),
    ],
)
def test_derive_zero_denominators_are_field_errors(current, field):
    with pytest.raises(InputError) as e:
        derive(current)
    assert list(e.value.errors) == [field]


def test_derive_small_positive_denominators_divide():
    derived, flags = derive({"organic_carbon_pct": 0.5, "total_nitrogen_pct": 0.01, "reducing_sugar_pct": 0.1})
    assert derived["cn_ratio"] == approx(50.0)
    assert derived["rs_tc_ratio_pct"] == approx(20.0)
    assert derived["organic_matter_pct"] == approx(0.86)
    assert flags == ["organic_carbon_stands_in_for_total_carbon"]


def test_derive_total_carbon_wins_and_nan_is_absent():
    derived, flags = derive(
        {
            "organic_carbon_pct": 20.0,
            "total_carbon_pct": 25.0,
            "reducing_sugar_pct": 5.0,
            "total_nitrogen_pct": float("nan"),
        },
        measured_om=True,
    )
    assert derived == {"rs_tc_ratio_pct": approx(20.0)}
    assert flags == []


# --------------------------------------------------------------------------- direct entry bounds


def direct(key, **entry):
    return compute("direct", {"values": {key: entry}}).results[key]


def direct_errors(key, **entry):
    return errors_of("direct", {"values": {key: entry}})


@pytest.mark.parametrize(
    "key, value",
    [
        ("ph", 0),
        ("ph", 14),
        ("ph", 7.2),
        ("chromatogram_score", 0),
        ("chromatogram_score", 3),
        ("organic_matter_pct", 0),
        ("organic_matter_pct", 100),
        ("moisture_pct", 100),
        ("impurities_pct", 100),
        ("ec_ds_m", 0),
        ("cn_ratio", 250),
        ("cu", 250_000),
        ("relative_germination_pct", 180),
        ("cec_meq_100g", 0),
        ("max_particle_mm", 0),
    ],
)
def test_direct_bounds_accepted(key, value):
    m = direct(key, value=value)
    assert m.value == value


@pytest.mark.parametrize(
    "key, entry, field, message",
    [
        ("ph", {"value": -0.01}, "value", "must be ≥ 0"),
        ("ph", {"value": 14.01}, "value", "must be ≤ 14"),
        ("chromatogram_score", {"value": 4}, "value", "must be ≤ 3"),
        ("chromatogram_score", {"value": -1}, "value", "must be ≥ 0"),
        ("chromatogram_score", {"value": 2.5}, "value", "must be an integer"),
        ("organic_matter_pct", {"value": 100.01}, "value", "must be ≤ 100"),
        ("total_nitrogen_pct", {"value": -0.01}, "value", "must be ≥ 0"),
        ("moisture_pct", {"value": 100.5}, "value", "must be ≤ 100"),
        ("cu", {"value": 100.01, "unit": "%"}, "value", "must be ≤ 100"),
        ("cu", {"value": -1}, "value", "must be ≥ 0"),
        ("ec_ds_m", {"value": -0.1}, "value", "must be ≥ 0"),
        ("cu", {"value": 5, "uncertainty": -0.1}, "uncertainty", "must be ≥ 0"),
        ("cu", {"value": 5, "qualifier": ">"}, "qualifier", "qualifier '>' not accepted; expected '' or '<'"),
        (
            "moisture_pct",
            {"value": 30, "basis": "dry"},
            "basis",
            "basis 'dry' not accepted for moisture_pct; expected 'as_received'",
        ),
        ("ph", {"value": 7, "basis": "dry"}, "basis", "basis 'dry' not accepted for ph; expected ''"),
        (
            "cu",
            {"value": 5, "basis": "wet"},
            "basis",
            "basis 'wet' not accepted for cu; expected 'dry' or 'as_received'",
        ),
        ("cu", {"value": 5, "colour": "red"}, "colour", "unknown field"),
        ("cu", {}, "value", "is required"),
    ],
)
def test_direct_bounds_refused(key, entry, field, message):
    assert direct_errors(key, **entry) == {f"values.{key}.{field}": [message]}


def test_direct_defaults_and_qualifier():
    m = direct("cu", value=3, qualifier="<", uncertainty=0)
    assert (m.value, m.unit, m.basis, m.qualifier, m.uncertainty) == (3.0, "mg/kg", "dry", "<", 0.0)
    m = direct("moisture_pct", value=30)
    assert (m.unit, m.basis, m.qualifier, m.uncertainty) == ("%", "as_received", "", None)
    m = direct("ph", value=6.5, unit=None, basis="", qualifier=None)
    assert (m.unit, m.basis, m.qualifier) == ("", "", "")
    m = direct("cu", value=30, basis="as_received")
    assert m.basis == "as_received"
    assert direct("chromatogram_score", value=2.0).value == 2


def test_direct_several_problems_at_once_save_nothing():
    errs = errors_of(
        "direct", {"values": {"ph": {"value": 15}, "cu": {"value": 5, "unit": "ppb"}, "zz": {"value": 1}, "zn": 5}}
    )
    assert errs == {
        "values.ph.value": ["must be ≤ 14"],
        "values.cu.unit": ["unit 'ppb' not accepted for cu; expected 'mg/kg', '%'"],
        "values.zz": ["unknown parameter 'zz'"],
        "values.zn": ["must be an object with value, unit, basis, qualifier, uncertainty"],
    }


# --------------------------------------------------------------------------- outcome shapes and odd inputs


def test_combustion_and_kjeldahl_outcomes():
    out = compute("organic_carbon_combustion", {"organic_carbon_pct": 30})
    assert out.flags == [] and out.valid is True
    assert out.details == {"organic_matter_factor": 1.72}
    out = compute("total_nitrogen_kjeldahl", KJ)
    assert out.flags == [] and out.valid is True
    assert set(out.details) == {"net_titrant_ml", "n_mg"}


def test_reducing_sugar_blank_total_carbon_counts_as_not_entered():
    out = compute("reducing_sugar", {"reducing_sugar_pct": 6, "total_carbon_pct": ""}, context={"total_carbon_pct": 30})
    assert out.details["carbon_source"] == "total_carbon_pct (sample result)"
    assert out.results["rs_tc_ratio_pct"].value == approx(20.0)


def test_reducing_sugar_small_context_carbon_divides():
    out = compute("reducing_sugar", {"reducing_sugar_pct": 0.2}, context={"organic_carbon_pct": 0.5})
    assert out.results["rs_tc_ratio_pct"].value == approx(40.0)


def test_observations_must_be_a_non_empty_object():
    assert errors_of("observation", {"observations": []}) == {
        "observations": ["must be an object of observation -> value"]
    }
    assert errors_of("observation", {"observations": {}}) == {"observations": ["at least one observation is required"]}
    assert errors_of("observation", {}) == {"observations": ["is required"]}
    assert errors_of("direct", {"values": 5}) == {"values": ["must be an object of parameter -> value"]}


def test_null_observation_is_skipped_and_the_rest_read():
    details = compute("observation", {"observations": {"colour": None, "turnings": 7, "odour": "earthy"}}).details
    assert set(details["observations"]) == {"turnings", "odour"}


def test_unknown_observation_names_the_keys():
    errs = errors_of("observation", {"observations": {"smell": "nice"}})
    assert errs == {
        "observations.smell": [
            "unknown observation; expected one of "
            + ", ".join(
                [
                    "colour",
                    "odour",
                    "plastic_bag_test",
                    "earthworm_test",
                    "diphenylamine_test",
                    "pollen_tube_test",
                    "seedling_pot_test",
                    "max_particle_mm",
                    "impurities_pct",
                    "peak_temperature_c",
                    "reheats_after_turning",
                    "organic_matter_residual_stable",
                    "fermentation_days",
                    "turnings",
                    "structure_fine_uniform",
                    "manure_odour",
                    "clumps_when_squeezed",
                    "note",
                ]
            )
        ]
    }


@pytest.mark.parametrize(
    "wet, shown", [(1e15, "1000000000000000.0"), (999999999999999.0, "999999999999999"), (12.5, "12.5"), (40.0, "40")]
)
def test_numbers_in_messages(wet, shown):
    errs = errors_of("moisture", {"wet_mass_g": wet, "dry_mass_g": wet * 2})
    assert errs == {"dry_mass_g": [f"must be ≤ wet_mass_g ({shown})"]}


def test_every_bad_observation_is_reported_at_once():
    errs = errors_of(
        "observation",
        {
            "observations": {
                "manure_odour": "yes",
                "note": 5,
                "clumps_when_squeezed": 1,
                "odour": "smoky",
                "turnings": -2,
            }
        },
    )
    assert set(errs) == {
        "observations.manure_odour",
        "observations.note",
        "observations.clumps_when_squeezed",
        "observations.odour",
        "observations.turnings",
    }


def test_observation_outcome_has_no_flags():
    out = compute("observation", {"observations": {"colour": "yellow"}})
    assert out.flags == [] and out.valid is True and out.results == {}


def test_chromatogram_outcome():
    out = compute(
        "chromatogram", {"protocol": "tari_agno3", "center": "red_to_purple", "middle_band": "ring", "edge": "serrated"}
    )
    assert out.flags == [] and out.valid is True
    assert out.details["protocol"] == "tari_agno3"
    assert set(out.details) == {"protocol", "zones", "reading"}


def test_wet_oxidation_blank_left_empty_uses_the_dichromate_added():
    out = compute("organic_carbon_wet_oxidation", {**WET, "blank_ml": ""})
    assert out.details["blank_used"] is False
    assert out.details["meq_reduced"] == approx(5.0)


def test_derive_small_total_carbon_divides():
    derived, flags = derive({"reducing_sugar_pct": 0.1, "total_carbon_pct": 0.5})
    assert derived == {"rs_tc_ratio_pct": approx(20.0)}
    assert flags == []


def test_direct_and_observation_refuse_other_top_level_fields():
    assert errors_of("direct", {"values": {"cu": {"value": 1}}, "instrument": "ICP"}) == {
        "instrument": ["unknown field"]
    }
    assert errors_of("observation", {"observations": {"turnings": 7}, "by": "me"}) == {"by": ["unknown field"]}
    out = compute("direct", {"values": {"cu": {"value": 1}}, "note": "ICP-OES"})
    assert out.flags == [] and out.valid is True and out.details == {"conversions": {}}


def test_germination_details_keys():
    out = compute("germination", germ())
    assert set(out.details) == {
        "protocol",
        "control_sown",
        "control_germinated",
        "sample_sown",
        "sample_germinated",
        "g_control",
        "g_sample",
        "l_control_mm",
        "l_sample_mm",
        "control_validity_pct",
    }
    assert (out.details["control_sown"], out.details["control_germinated"]) == (25, 25)
    assert out.flags == [] and out.valid is True


def test_control_validity_just_below_70_percent():
    # 139 of 200 = 69.5 % < 70 %: invalid
    out = compute("germination", germ(control=[dish(200, 139, 20.0)]))
    assert out.valid is False and out.flags == ["control_germination_below_validity"]


@pytest.mark.parametrize(
    "control, flag", [(dish(25, 0, 0.0), "control_germination_zero"), (dish(25, 25, 0.0), "control_root_length_zero")]
)
def test_undefined_control_makes_the_assay_invalid_whatever_the_validity_setting(control, flag):
    out = compute("germination", germ(control=[control]), policy=LabPolicy(control_validity_pct=0.0))
    assert out.valid is False
    assert flag in out.flags


def test_every_bad_dish_is_reported():
    errs = errors_of("germination", germ(sample=[5, dish(0, 0, 1.0), dish(25, 30, 1.0)]))
    assert errs == {
        "sample.0": ["must be an object"],
        "sample.1.sown": ["must be ≥ 1"],
        "sample.2.germinated": ["must be ≤ sown (25)"],
    }


def test_huge_integer_is_not_a_finite_number():
    assert errors_of("moisture", {"wet_mass_g": 10**400, "dry_mass_g": 1}) == {
        "wet_mass_g": ["must be a finite number"]
    }


@pytest.mark.parametrize(
    "method, data, field",
    [
        ("germination", {**germ(), "protocol": ""}, "protocol"),
        ("chromatogram", {"protocol": "livestock_naoh", "edge": ""}, "edge"),
        ("observation", {"observations": {"colour": ""}}, "observations.colour"),
    ],
)
def test_empty_code_is_required(method, data, field):
    assert errors_of(method, data) == {field: ["is required"]}


def test_computed_results_carry_no_qualifier_and_the_score_stays_whole():
    out = compute(
        "chromatogram",
        {"protocol": "tari_agno3", "center": "red_to_purple", "middle_band": "irregular", "edge": "smooth"},
    )
    score = out.results["chromatogram_score"]
    assert score.value == 2 and type(score.value) is int
    assert (score.unit, score.basis, score.qualifier, score.uncertainty) == ("", "", "", None)
    m = compute("moisture", {"wet_mass_g": 50, "dry_mass_g": 34}).results["moisture_pct"]
    assert type(m.value) is float and m.qualifier == ""


def test_unknown_method_message_and_unhashable_method():
    assert errors_of("ph_meter", {}) == {
        "method": [
            "unknown method 'ph_meter'; expected one of moisture, organic_carbon_wet_oxidation, "
            "organic_carbon_combustion, total_nitrogen_kjeldahl, germination, reducing_sugar, chromatogram, direct, "
            "observation, co2_evolution, solvita, mineral_nitrogen, dewar"
        ]
    }
    assert list(errors_of(["moisture"], {})) == ["method"]


def test_a_refused_number_is_not_compared_further():
    assert errors_of("organic_carbon_combustion", {"organic_carbon_pct": 150, "total_carbon_pct": 120}) == {
        "organic_carbon_pct": ["must be ≤ 100"],
        "total_carbon_pct": ["must be ≤ 100"],
    }
    assert errors_of("moisture", {"wet_mass_g": -5, "dry_mass_g": 10}) == {"wet_mass_g": ["must be > 0"]}
    assert errors_of("total_nitrogen_kjeldahl", {**KJ, "titrant_ml": -1, "blank_ml": 0.2}) == {
        "titrant_ml": ["must be ≥ 0"]
    }
