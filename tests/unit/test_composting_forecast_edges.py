"""DOMAIN.md §11 soil metal-loading forecast, written from the spec (issue #20): every formula against a
hand-computed figure, every validation bound at zero, equal and just past, the batch (numpy) path equal to the
scalar one on the spec's thresholds. Codes, fields and values only, never message texts."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from composting import forecast as fc

REL = 1e-12

# §11 thresholds (mg/kg dry), monitoring and control, general and food-crop farmland
MONITORING = {"As": 30, "Cd": 10, "Cr": 175, "Cu": 220, "Hg": 10, "Ni": 130, "Pb": 1000, "Zn": 1000}
CONTROL = {"As": 60, "Cd": 20, "Cr": 250, "Cu": 400, "Hg": 20, "Ni": 200, "Pb": 2000, "Zn": 2000}
FARMLAND = {"Cd": (2.5, 5), "Cu": (120, 200), "Hg": (2, 5), "Pb": (300, 500), "Zn": (260, 600)}
SPEC_LIMITS = sorted({*MONITORING.values(), *CONTROL.values(), *(v for p in FARMLAND.values() for v in p)})


def ok_args(**kw):
    return {
        "metals": {"Cu": 100},
        "moisture_pct": 30,
        "rate_t_ha": 10,
        "start": {"Cu": 40},
        "thresholds": {"monitoring": {"Cu": 120}},
        **kw,
    }


# --- soil mass Ms = d·10 000·ρ·1000 kg/ha, d in metres ---------------------------------------------------------


@pytest.mark.parametrize(
    "depth_cm,rho,expected",
    [
        (15, 1.2, 1_800_000),  # ch. 15 table 1
        (10, 1.5, 0.10 * 10_000 * 1.5 * 1000),  # 1 500 000
        (30, 1.0, 3_000_000),
        (20, 1.3, 2_600_000),
        (1, 1.0, 100_000),
    ],
)
def test_soil_mass_by_hand(depth_cm, rho, expected):
    assert fc.soil_mass(depth_cm, rho) == pytest.approx(expected, rel=REL)


def test_soil_mass_defaults_are_15_cm_and_1_2():
    assert fc.DEFAULT_DEPTH_CM == 15 and fc.DEFAULT_BULK_DENSITY == 1.2
    assert fc.soil_mass() == pytest.approx(1_800_000, rel=REL)
    assert fc.forecast(**ok_args())["soil_mass_kg_ha"] == pytest.approx(1_800_000, rel=REL)


# --- ΔS = A·1000·(1 − w)·C / Ms ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rate,w,c,ms,expected",
    [
        (20, 50, 90, 1_800_000, 0.5),  # 20 000 kg × 0.5 × 90 mg/kg = 900 000 mg over 1.8e6 kg
        (10, 30, 100, 1_800_000, 0.388888888889),  # §11 worked
        (10, 0, 100, 1_000_000, 1.0),  # dry compost: all of it counts
        (1, 90, 500, 500_000, 0.1),  # 1000 kg × 0.1 × 500 / 5e5
        (0, 30, 100, 1_800_000, 0.0),
        (10, 30, 0, 1_800_000, 0.0),
    ],
)
def test_yearly_rise_by_hand(rate, w, c, ms, expected):
    assert fc.yearly_rise(rate, w, c, ms) == pytest.approx(expected, rel=1e-9, abs=1e-15)


def test_yearly_rise_scales_with_rate_and_metal_and_falls_with_soil_and_moisture():
    base = fc.yearly_rise(10, 30, 100, 1.8e6)
    assert fc.yearly_rise(20, 30, 100, 1.8e6) == pytest.approx(2 * base, rel=REL)
    assert fc.yearly_rise(10, 30, 200, 1.8e6) == pytest.approx(2 * base, rel=REL)
    assert fc.yearly_rise(10, 30, 100, 3.6e6) == pytest.approx(base / 2, rel=REL)
    assert fc.yearly_rise(10, 65, 100, 1.8e6) == pytest.approx(base / 2, rel=REL)  # 0.35 dry instead of 0.70


# --- years to a threshold (T − S0)/ΔS, 0 when reached, None when ΔS = 0 ---------------------------------------


@pytest.mark.parametrize(
    "t,s0,rise,expected",
    [
        (120, 40, 0.5, 160.0),
        (120, 40, 2.0, 40.0),
        (120, 119, 0.5, 2.0),  # just below T
        (120, 120, 0.5, 0.0),  # exactly at T: already reached
        (120, 120.5, 0.5, 0.0),  # above T
        (120, 120, 0, 0.0),  # at T with no rise: reached, not "never"
        (120, 119, 0, None),  # below T, no rise: never
        (2.5, 0.5, 0.25, 8.0),  # food-crop Cd
    ],
)
def test_years_to_by_hand(t, s0, rise, expected):
    got = fc.years_to(t, s0, rise)
    if expected is None:
        assert got is None
    else:
        assert got == pytest.approx(expected, rel=REL)


# --- A_max = (T − S0)·Ms / (H·1000·(1 − w)·C) -----------------------------------------------------------------


@pytest.mark.parametrize(
    "t,s0,ms,h,w,c,expected",
    [
        (120, 20, 1.8e6, 100, 50, 90, 40.0),  # 100 × 1.8e6 / (100 × 1000 × 0.5 × 90) = 1.8e8 / 4.5e6
        (120, 40, 1.8e6, 50, 30, 100, 80 * 1.8e6 / (50 * 1000 * 0.7 * 100)),  # 41.142857...
        (10, 0, 1e6, 10, 0, 100, 10.0),  # 10 × 1e6 / (10 × 1000 × 1 × 100)
        (120, 120, 1.8e6, 100, 50, 90, 0.0),  # soil already at T
        (120, 130, 1.8e6, 100, 50, 90, 0.0),  # above T
        (120, 120, 1.8e6, 100, 50, 0, 0.0),  # at T even without the metal: 0, not unlimited
        (120, 119, 1.8e6, 100, 50, 0, None),  # no metal in the compost: no limit
    ],
)
def test_largest_rate_by_hand(t, s0, ms, h, w, c, expected):
    got = fc.largest_rate(t, s0, ms, h, w, c)
    if expected is None:
        assert got is None
    else:
        assert got == pytest.approx(expected, rel=1e-9)


def test_largest_rate_reaches_the_threshold_at_the_horizon():
    """The round trip: applying A_max for H years ends exactly at T."""
    for t, s0, h, w, c in ((120, 40, 100, 30, 100), (2.5, 0.3, 25, 55, 1.7), (1000, 999, 1000, 0, 5000)):
        ms = fc.soil_mass()
        a = fc.largest_rate(t, s0, ms, h, w, c)
        assert s0 + fc.yearly_rise(a, w, c, ms) * h == pytest.approx(t, rel=1e-9)
        assert fc.years_to(t, s0, fc.yearly_rise(a, w, c, ms)) == pytest.approx(h, rel=1e-9)


def test_series_is_start_plus_rise_times_years():
    out = fc.series(40.0, 0.5, [0, 1, 10, 160])
    assert isinstance(out, np.ndarray)
    assert out.tolist() == [40.0, 40.5, 45.0, 120.0]


# --- validation bounds: zero, equal, just past ------------------------------------------------------------------


@pytest.mark.parametrize(
    "field,good,bad",
    [
        ("rate_t_ha", [0, 0.0, 1e-9, 500], [-1e-9, -1]),
        ("moisture_pct", [0, 0.0, 99.999], [100, 100.0, -1e-9, 150]),
        ("horizon_years", [1e-9, 1, 1000, 1000.0], [0, 0.0, -1, 1000.001]),
        ("depth_cm", [1e-9, 15, 200], [0, -1, 200.001]),
        ("bulk_density", [1e-9, 1.2, 3, 3.0], [0, -0.1, 3.001]),
    ],
)
def test_input_bounds(field, good, bad):
    for v in good:
        r = fc.forecast(**ok_args(**{field: v}))
        if field in ("rate_t_ha", "moisture_pct", "horizon_years"):
            assert r[field] == v
    for v in [*bad, math.nan, math.inf, -math.inf, True, False, "10", None]:
        with pytest.raises(fc.ForecastError) as e:
            fc.forecast(**ok_args(**{field: v}))
        assert e.value.field == field and e.value.code == "forecast_out_of_range"
        assert e.value.params["name"] == field
        assert isinstance(e.value, ValueError)


def test_check_inputs_alone_accepts_the_defaults_and_refuses_each_field():
    assert fc.check_inputs(10, 30, 100, 15, 1.2) is None
    for i, field in enumerate(("rate_t_ha", "moisture_pct", "horizon_years", "depth_cm", "bulk_density")):
        args = [10, 30, 100, 15, 1.2]
        args[i] = -1
        with pytest.raises(fc.ForecastError) as e:
            fc.check_inputs(*args)
        assert e.value.field == field


def test_missing_start_names_the_metal():
    with pytest.raises(fc.ForecastError) as e:
        fc.forecast(**ok_args(metals={"Cu": 100, "Zn": 300}, start={"Cu": 40}))
    assert e.value.field == "start.Zn" and e.value.code == "forecast_start_missing"
    assert e.value.params == {"metal": "Zn"}


# --- forecast(): per metal, per level; limiting metal; largest sustainable rate ---------------------------------


def test_forecast_rows_by_hand():
    # A 20 t/ha, w 50 %, Ms 1.8e6 (defaults): ΔS = 20 000 × 0.5 × C / 1.8e6 = C / 180
    r = fc.forecast(
        {"Cu": 90, "Zn": 360, "Cd": 0.9},
        50,
        20,
        {"Cu": 20, "Zn": 100, "Cd": 0.5},
        {"monitoring": {"Cu": 120, "Zn": 260, "Cd": 2.5}, "control": {"Cu": 200, "Zn": 600}},
        horizon_years=100,
    )
    assert r["soil_mass_kg_ha"] == pytest.approx(1.8e6)
    assert r["rate_t_ha"] == 20 and r["moisture_pct"] == 50 and r["horizon_years"] == 100
    assert r["first_level"] == "monitoring"
    rows = {x["metal"]: x for x in r["metals"]}
    assert [x["metal"] for x in r["metals"]] == ["Cu", "Zn", "Cd"]
    cu, zn, cd = rows["Cu"], rows["Zn"], rows["Cd"]
    assert cu["compost_mg_kg"] == 90 and cu["start_mg_kg"] == 20
    assert cu["yearly_rise_mg_kg"] == pytest.approx(0.5)
    assert zn["yearly_rise_mg_kg"] == pytest.approx(2.0)
    assert cd["yearly_rise_mg_kg"] == pytest.approx(0.005)
    assert cu["levels"]["monitoring"] == {
        "threshold_mg_kg": 120,
        "years": pytest.approx(200.0),
        "largest_rate_t_ha": pytest.approx(40.0),  # (120 − 20) × 1.8e6 / (100 × 1000 × 0.5 × 90)
    }
    assert cu["levels"]["control"]["years"] == pytest.approx(360.0)
    assert zn["levels"]["monitoring"]["years"] == pytest.approx(80.0)
    assert zn["levels"]["control"]["years"] == pytest.approx(250.0)
    assert zn["levels"]["monitoring"]["largest_rate_t_ha"] == pytest.approx(16.0)  # 160 × 1.8e6 / (1e5 × 0.5 × 360)
    assert cd["levels"]["monitoring"]["years"] == pytest.approx(400.0)
    assert "control" not in cd["levels"]  # no control value given for Cd: skipped, not judged against None
    assert cd["levels"]["monitoring"]["largest_rate_t_ha"] == pytest.approx(2.0 * 1.8e6 / (1e5 * 0.5 * 0.9))
    assert r["limiting_metal"] == "Zn"  # reaches monitoring in 80 years, before Cu (200) and Cd (400)
    assert r["largest_sustainable_rate_t_ha"] == pytest.approx(16.0)  # the smallest A_max at monitoring


def test_forecast_limiting_metal_ignores_metals_that_never_reach_and_levels_after_the_first():
    r = fc.forecast(
        {"Pb": 0, "Cu": 90, "Zn": 360},
        50,
        20,
        {"Pb": 10, "Cu": 20, "Zn": 100},
        {"monitoring": {"Pb": 300, "Cu": 120}, "control": {"Zn": 110}},
    )
    rows = {x["metal"]: x for x in r["metals"]}
    assert rows["Pb"]["levels"]["monitoring"]["years"] is None
    assert rows["Pb"]["levels"]["monitoring"]["largest_rate_t_ha"] is None
    assert r["limiting_metal"] == "Cu"  # Zn reaches control in 5 years, but only the first level counts
    assert r["largest_sustainable_rate_t_ha"] == pytest.approx(40.0)


def test_forecast_already_at_the_level_is_limiting_with_zero_years_and_rate():
    r = fc.forecast({"Cu": 90, "Zn": 360}, 50, 20, {"Cu": 120, "Zn": 100}, {"monitoring": {"Cu": 120, "Zn": 260}})
    assert r["limiting_metal"] == "Cu"
    assert r["largest_sustainable_rate_t_ha"] == 0


def test_forecast_no_metal_reaches_and_no_levels():
    r = fc.forecast({"Pb": 0}, 50, 20, {"Pb": 10}, {"monitoring": {"Pb": 300}})
    assert r["limiting_metal"] is None and r["largest_sustainable_rate_t_ha"] is None
    r = fc.forecast({"Cu": 90}, 50, 20, {"Cu": 20}, {})
    assert r["first_level"] is None and r["limiting_metal"] is None and r["largest_sustainable_rate_t_ha"] is None
    assert r["metals"][0]["levels"] == {}
    r = fc.forecast({"Cu": 90}, 50, 20, {"Cu": 20}, {"monitoring": {"Zn": 260}})
    assert r["limiting_metal"] is None and r["largest_sustainable_rate_t_ha"] is None


def test_forecast_uses_depth_and_density_and_horizon():
    r = fc.forecast({"Cu": 90}, 50, 20, {"Cu": 20}, {"monitoring": {"Cu": 120}}, 50, 10, 1.5)
    assert r["soil_mass_kg_ha"] == pytest.approx(1.5e6)
    row = r["metals"][0]
    assert row["yearly_rise_mg_kg"] == pytest.approx(0.6)  # 900 000 / 1.5e6
    assert row["levels"]["monitoring"]["largest_rate_t_ha"] == pytest.approx(100 * 1.5e6 / (50 * 1000 * 0.5 * 90))


# --- vector path == scalar path on the spec's limits -----------------------------------------------------------


@settings(deadline=None)
@given(
    st.sampled_from([0, 1, 10, 20, 50]),
    st.sampled_from([0, 30, 50, 65, 99]),
    st.lists(st.sampled_from([0, *SPEC_LIMITS]), min_size=1, max_size=5),
    st.sampled_from([15, 10, 30]),
    st.sampled_from([1.2, 1.0, 1.5]),
)
def test_vector_rise_equals_scalar_on_spec_limits(rate, w, metals, depth, rho):
    ms = fc.soil_mass(depth, rho)
    vec = fc.yearly_rise(
        np.full(len(metals), rate, dtype=float), np.full(len(metals), w, dtype=float), np.array(metals, dtype=float), ms
    )
    for v, c in zip(vec, metals):
        assert v == pytest.approx(fc.yearly_rise(rate, w, c, ms), rel=REL, abs=0)
        assert v == pytest.approx(rate * 1000 * (1 - w / 100) * c / (depth / 100 * 1e4 * rho * 1000), rel=1e-9)


@settings(deadline=None)
@given(st.sampled_from(SPEC_LIMITS), st.sampled_from([0.0, 0.5, 1.0, 5.0]), st.sampled_from([0, 0.5, 1, 2, 40]))
def test_series_meets_threshold_after_years_to(t, s0, rise):
    years = fc.years_to(t, s0, rise)
    if s0 >= t:
        assert years == 0
    elif rise == 0:
        assert years is None
    else:
        assert fc.series(s0, rise, [years])[0] == pytest.approx(t, rel=1e-12)
        assert fc.series(s0, rise, [years * 0.999])[0] < t


def test_a_level_without_a_value_for_the_metal_does_not_hide_later_levels():
    r = fc.forecast({"Cu": 90}, 50, 20, {"Cu": 20}, {"monitoring": {"Zn": 260}, "control": {"Cu": 200}})
    levels = r["metals"][0]["levels"]
    assert list(levels) == ["control"] and levels["control"]["years"] == pytest.approx(360.0)
    assert r["limiting_metal"] is None  # Cu has no monitoring value: it cannot reach the first level


def test_errors_carry_code_field_and_the_figures_of_their_message():
    for field, bound in (
        ("rate_t_ha", "0"),
        ("moisture_pct", "100"),
        ("horizon_years", "1000"),
        ("depth_cm", "200"),
        ("bulk_density", "3"),
    ):
        with pytest.raises(fc.ForecastError) as e:
            fc.forecast(**ok_args(**{field: -5}))
        err = e.value
        assert isinstance(err.params["rule"], str) and bound in err.params["rule"]
        assert str(err) == err.template % err.params and field in str(err)
    with pytest.raises(fc.ForecastError) as e:
        fc.forecast(**ok_args(start={}))
    assert str(e.value) == e.value.template % e.value.params and "Cu" in str(e.value)


def test_every_error_code_has_its_translated_template():
    """The pages and the API show ``composting.messages.error_message(error)``: a Message of the code's translatable
    template (``TEMPLATES[code]``), not this module's English text: every code the module raises must have one,
    taking the params the module gives."""
    import re
    from pathlib import Path

    from composting import messages

    codes = set(re.findall(r'"(forecast_[a-z_]+)"', Path(fc.__file__).read_text(encoding="utf-8")))
    assert codes == {"forecast_out_of_range", "forecast_start_missing"} and codes <= set(messages.TEMPLATES)
    for kw in ({"rate_t_ha": -1}, {"start": {}}):
        with pytest.raises(fc.ForecastError) as e:
            fc.forecast(**ok_args(**kw))
        message = messages.error_message(e.value)  # the Message the pages and the API show
        assert message.code == e.value.code and message.english() == e.value.template % e.value.params


@pytest.mark.parametrize(
    "field, bad",
    [("rate_t_ha", -1), ("moisture_pct", 100), ("horizon_years", 0), ("depth_cm", 201), ("bulk_density", 0)],
)
def test_every_input_rule_reads_in_chinese(field, bad):
    """The rule a refused input breaks (the ``rule`` param) is one of composting.messages.RULES, so the page shows
    it in the reader's language, never the module's English."""
    from django.utils import translation

    from composting import messages

    with pytest.raises(fc.ForecastError) as e:
        fc.forecast(**ok_args(**{field: bad}))
    assert (e.value.field, e.value.code, e.value.params["name"]) == (field, "forecast_out_of_range", field)
    assert e.value.params["rule"] in messages.RULES
    with translation.override("zh-hant"):
        shown = str(messages.error_message(e.value))
    assert not any(word in shown for word in ("above", "below", "least", "most", "more"))
