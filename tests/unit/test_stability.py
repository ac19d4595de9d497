"""Stability assays (DOMAIN.md §12) in maturity.calculations: every formula, its edges and its errors."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from maturity.calculations import STABILITY_METHODS, compute
from maturity.errors import InputError
from maturity.parameters import PARAMETERS


def errors_of(method, data):
    with pytest.raises(InputError) as exc:
        compute(method, data)
    return exc.value.errors


def value(outcome, key):
    return outcome.results[key].value


def test_stability_methods_report_known_parameters():
    assert STABILITY_METHODS == ("co2_evolution", "solvita", "mineral_nitrogen", "dewar")
    for key in (
        "co2_c_mg_per_g_om_day",
        "solvita_co2",
        "solvita_nh3",
        "nh4_n_mg_kg",
        "no3_n_mg_kg",
        "nh4_no3_ratio",
        "dewar_rise_c",
    ):
        assert key in PARAMETERS
    assert PARAMETERS["nh4_n_mg_kg"].basis == "dry" and PARAMETERS["nh4_n_mg_kg"].unit == "mg/kg"
    assert PARAMETERS["co2_c_mg_per_g_om_day"].basis == ""


# --------------------------------------------------------------------------- co2_evolution


def test_co2_evolution_formula():
    # 30 mg CO2-C from 10 g dry at 50 % OM (5 g OM) over 3 days -> 30 / 5 / 3 = 2
    out = compute("co2_evolution", {"co2_c_mg": 30, "dry_mass_g": 10, "organic_matter_pct": 50, "days": 3})
    assert value(out, "co2_c_mg_per_g_om_day") == pytest.approx(2.0)
    assert out.results["co2_c_mg_per_g_om_day"].unit == "mg/g OM/day"
    assert out.details == {"organic_matter_g": pytest.approx(5.0), "co2_c_mg_per_g_om": pytest.approx(6.0), "days": 3.0}
    out = compute("co2_evolution", {"co2_c_mg": "12.6", "dry_mass_g": "7", "organic_matter_pct": "60", "days": "4"})
    assert value(out, "co2_c_mg_per_g_om_day") == pytest.approx(12.6 / (7 * 0.6) / 4)


@given(co2=st.floats(0, 1e4), dry=st.floats(0.01, 1e3), om=st.floats(0.1, 100), days=st.floats(0.1, 60))
def test_co2_evolution_scales(co2, dry, om, days):
    out = compute("co2_evolution", {"co2_c_mg": co2, "dry_mass_g": dry, "organic_matter_pct": om, "days": days})
    assert value(out, "co2_c_mg_per_g_om_day") == pytest.approx(co2 / (dry * om / 100) / days)


def test_co2_evolution_edges():
    base = {"co2_c_mg": 0, "dry_mass_g": 10, "organic_matter_pct": 100, "days": 1}
    assert value(compute("co2_evolution", base), "co2_c_mg_per_g_om_day") == 0.0
    assert errors_of("co2_evolution", {**base, "co2_c_mg": -0.1}) == {"co2_c_mg": ["must be ≥ 0"]}
    assert errors_of("co2_evolution", {**base, "dry_mass_g": 0}) == {"dry_mass_g": ["must be > 0"]}
    assert errors_of("co2_evolution", {**base, "organic_matter_pct": 0}) == {"organic_matter_pct": ["must be > 0"]}
    assert errors_of("co2_evolution", {**base, "organic_matter_pct": 100.1}) == {
        "organic_matter_pct": ["must be ≤ 100"]
    }
    assert errors_of("co2_evolution", {**base, "days": 0}) == {"days": ["must be > 0"]}
    assert errors_of("co2_evolution", {}) == {
        k: ["is required"] for k in ("co2_c_mg", "dry_mass_g", "organic_matter_pct", "days")
    }
    assert errors_of("co2_evolution", {**base, "hours": 3}) == {"hours": ["unknown field"]}
    assert errors_of("co2_evolution", {**base, "days": True})["days"] == ["must be a number, not a boolean"]


# --------------------------------------------------------------------------- solvita


def test_solvita_colour_numbers():
    out = compute("solvita", {"co2_colour": 6, "nh3_colour": "4"})
    assert (value(out, "solvita_co2"), value(out, "solvita_nh3")) == (6, 4)
    assert isinstance(value(out, "solvita_co2"), int)
    assert set(compute("solvita", {"co2_colour": 1}).results) == {"solvita_co2"}
    assert set(compute("solvita", {"nh3_colour": 5}).results) == {"solvita_nh3"}
    assert value(compute("solvita", {"co2_colour": 8}), "solvita_co2") == 8


@pytest.mark.parametrize(
    "field,bad,message",
    [
        ("co2_colour", 0, "must be ≥ 1"),
        ("co2_colour", 9, "must be ≤ 8"),
        ("co2_colour", 6.5, "must be an integer"),
        ("nh3_colour", 0, "must be ≥ 1"),
        ("nh3_colour", 6, "must be ≤ 5"),
        ("nh3_colour", 4.5, "must be an integer"),
    ],
)
def test_solvita_ranges(field, bad, message):
    assert errors_of("solvita", {field: bad}) == {field: [message]}


def test_solvita_needs_one_colour():
    assert errors_of("solvita", {}) == {"co2_colour": ["is required"], "nh3_colour": ["is required"]}
    assert errors_of("solvita", {"co2_colour": ""}) == {"co2_colour": ["is required"], "nh3_colour": ["is required"]}


# --------------------------------------------------------------------------- mineral_nitrogen


def test_mineral_nitrogen_ratio():
    out = compute("mineral_nitrogen", {"nh4_n_mg_kg": 150, "no3_n_mg_kg": 300})
    assert value(out, "nh4_no3_ratio") == pytest.approx(0.5)
    assert value(out, "nh4_n_mg_kg") == 150.0 and value(out, "no3_n_mg_kg") == 300.0
    assert out.results["nh4_n_mg_kg"].basis == "dry" and out.results["nh4_no3_ratio"].basis == ""
    assert out.flags == [] and out.details == {"mineral_n_mg_kg": 450.0}
    assert value(compute("mineral_nitrogen", {"nh4_n_mg_kg": 0, "no3_n_mg_kg": 0.1}), "nh4_no3_ratio") == 0.0


def test_mineral_nitrogen_without_nitrate_has_no_ratio():
    out = compute("mineral_nitrogen", {"nh4_n_mg_kg": 80, "no3_n_mg_kg": 0})
    assert "nh4_no3_ratio" not in out.results and out.flags == ["no3_n_zero"]


def test_mineral_nitrogen_errors():
    assert errors_of("mineral_nitrogen", {"nh4_n_mg_kg": -1, "no3_n_mg_kg": -0.5}) == {
        "nh4_n_mg_kg": ["must be ≥ 0"],
        "no3_n_mg_kg": ["must be ≥ 0"],
    }
    assert errors_of("mineral_nitrogen", {"nh4_n_mg_kg": 1}) == {"no3_n_mg_kg": ["is required"]}


# --------------------------------------------------------------------------- dewar


def test_dewar_rise():
    out = compute("dewar", {"ambient_temperature_c": 20, "max_temperature_c": 35.5})
    assert value(out, "dewar_rise_c") == pytest.approx(15.5)
    assert out.results["dewar_rise_c"].unit == "°C"
    assert value(compute("dewar", {"ambient_temperature_c": 22, "max_temperature_c": 22}), "dewar_rise_c") == 0.0


def test_dewar_errors():
    assert errors_of("dewar", {"ambient_temperature_c": 25, "max_temperature_c": 24.9}) == {
        "max_temperature_c": ["must be ≥ ambient_temperature_c (25)"]
    }
    assert errors_of("dewar", {"ambient_temperature_c": -20.1, "max_temperature_c": 100.1}) == {
        "ambient_temperature_c": ["must be ≥ -20"],
        "max_temperature_c": ["must be ≤ 100"],
    }


# --------------------------------------------------------------------------- direct entry and import


def test_direct_entry_of_stability_results():
    out = compute(
        "direct",
        {
            "values": {
                "solvita_co2": {"value": 7},
                "nh4_n_mg_kg": {"value": 90},
                "co2_c_mg_per_g_om_day": {"value": 3.1},
                "dewar_rise_c": {"value": 12},
            }
        },
    )
    assert value(out, "solvita_co2") == 7 and value(out, "nh4_n_mg_kg") == 90.0
    errors = errors_of("direct", {"values": {"solvita_co2": {"value": 9}, "solvita_nh3": {"value": 0}}})
    assert errors == {"values.solvita_co2.value": ["must be ≤ 8"], "values.solvita_nh3.value": ["must be ≥ 1"]}


def test_derive_gives_the_nh4_no3_ratio_from_current_results():
    from maturity.calculations import derive

    derived, flags = derive({"nh4_n_mg_kg": 120.0, "no3_n_mg_kg": 40.0})
    assert derived == {"nh4_no3_ratio": pytest.approx(3.0)} and flags == []
    assert "nh4_no3_ratio" not in derive({"nh4_n_mg_kg": 120.0, "no3_n_mg_kg": 0.0})[0]
    assert "nh4_no3_ratio" not in derive({"nh4_n_mg_kg": 120.0})[0]


# --------------------------------------------------------------------------- outcomes in full, codes (issue #20)


def codes(errors):
    return {path: [m.code for m in messages] for path, messages in errors.items()}


def test_stability_outcomes_have_no_flags_and_their_details():
    out = compute("co2_evolution", {"co2_c_mg": 30, "dry_mass_g": 10, "organic_matter_pct": 50, "days": 3})
    assert out.flags == [] and out.valid
    out = compute("solvita", {"co2_colour": 5})
    assert out.flags == [] and out.details == {} and out.valid
    out = compute("dewar", {"ambient_temperature_c": 20, "max_temperature_c": 35.5})
    assert out.flags == [] and out.valid
    assert out.details == {"ambient_temperature_c": 20.0, "max_temperature_c": 35.5}


def test_solvita_without_a_colour_is_required_on_both():
    assert codes(errors_of("solvita", {})) == {"co2_colour": ["required"], "nh3_colour": ["required"]}


def test_dewar_temperature_limits_are_minus_20_to_100_on_both_readings():
    # each reading is accepted from −20 to 100 °C, the limits included
    assert value(compute("dewar", {"ambient_temperature_c": -20, "max_temperature_c": -20}), "dewar_rise_c") == 0.0
    assert value(compute("dewar", {"ambient_temperature_c": 100, "max_temperature_c": 100}), "dewar_rise_c") == 0.0
    # an ambient above 100 °C is refused on the ambient reading itself (not only as a peak below it)
    errors = errors_of("dewar", {"ambient_temperature_c": 100.5, "max_temperature_c": 100})
    assert codes(errors) == {"ambient_temperature_c": ["max_value"]}
    assert errors["ambient_temperature_c"][0].params == {"limit": "100"}
    # a peak below −20 °C is refused against −20, not against the ambient reading
    errors = errors_of("dewar", {"ambient_temperature_c": -20, "max_temperature_c": -20.5})
    assert codes(errors) == {"max_temperature_c": ["min_value"]}
    assert errors["max_temperature_c"][0].params == {"limit": "-20"}


def test_dewar_peak_below_ambient_names_the_ambient_reading():
    errors = errors_of("dewar", {"ambient_temperature_c": 25, "max_temperature_c": 24.9})
    assert codes(errors) == {"max_temperature_c": ["min_value"]}
    (message,) = errors["max_temperature_c"]
    assert message.params["limit"] == "25" and message.params["field"].code == "ambient_temperature_c"
