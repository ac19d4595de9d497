"""DOMAIN.md §10 (mix designer) and §11 (soil metal-loading forecast): worked numbers, edges, properties."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from composting import forecast as fc
from composting import mix, seed

CHICKEN = mix.Material("chicken", 34, 4.2, 56)
STRAW = mix.Material("straw", 53, 0.7, 14)
REL = 1e-6


def test_handbook_ch6_example_with_its_slip_corrected():
    r = mix.two_materials(CHICKEN, STRAW, 30, 65)
    a, b = r["materials"]
    assert a["dry_kg"] == pytest.approx(3200 / 124, rel=REL) == pytest.approx(25.806, abs=5e-4)
    assert b["dry_kg"] == pytest.approx(74.194, abs=5e-4)
    assert a["wet_kg"] == pytest.approx(58.651, abs=5e-4)
    assert b["wet_kg"] == pytest.approx(86.272, abs=5e-4)
    assert r["water_to_add_kg"] == pytest.approx(140.79, abs=5e-3)
    assert r["cn"] == pytest.approx(30, rel=REL) and not r["too_wet"] and r["excess_water_kg"] == 0
    assert b["wet_kg"] != pytest.approx(84.19, abs=0.1) and r["water_to_add_kg"] != pytest.approx(137.74, abs=0.1)
    assert mix.design([CHICKEN, STRAW])["method"] == "closed_form"


def test_too_wet_says_by_how_much():
    pig, cattle = mix.Material("pig", 43, 3.0, 72), mix.Material("cattle", 51, 2.7, 84)
    r = mix.two_materials(pig, cattle, 17, 65)
    assert r["too_wet"] and r["water_to_add_kg"] == 0
    wet = r["mix_wet_kg"]
    assert r["excess_water_kg"] == pytest.approx(-(0.65 * wet - r["mix_water_kg"]) / 0.35, rel=REL)
    assert r["mix_moisture_pct"] > 65


def test_target_at_edges_of_the_range_and_outside():
    lo, hi = CHICKEN.cn, STRAW.cn
    assert mix.two_materials(CHICKEN, STRAW, lo)["materials"][0]["dry_kg"] == pytest.approx(100)
    assert mix.two_materials(CHICKEN, STRAW, hi)["materials"][1]["dry_kg"] == pytest.approx(100)
    for bad in (lo * 0.999, hi * 1.001, 5, 100):
        with pytest.raises(mix.MixError) as e:
            mix.two_materials(CHICKEN, STRAW, bad)
        assert e.value.code == "mix_cn_outside_range" and e.value.field == "target_cn"
        assert "outside the materials' range 8.095–75.71" in str(e.value)


def test_same_cn_materials_and_zero_nitrogen():
    a, b = mix.Material("a", 30, 1, 50), mix.Material("b", 60, 2, 50)
    r = mix.two_materials(a, b, 30)
    assert r["materials"][0]["dry_kg"] == 50
    sawdust = mix.Material("sawdust", 50, 0, 10)
    r = mix.two_materials(CHICKEN, sawdust, 30)
    assert r["cn"] == pytest.approx(30, rel=REL)


@pytest.mark.parametrize(
    "field,kw",
    [
        ("carbon_pct", {"carbon_pct": 101}),
        ("nitrogen_pct", {"nitrogen_pct": -1}),
        ("moisture_pct", {"moisture_pct": 100}),
        ("carbon_pct", {"carbon_pct": math.nan}),
    ],
)
def test_bad_material_names_the_field(field, kw):
    m = mix.Material(**{"name": "x", "carbon_pct": 40, "nitrogen_pct": 1, "moisture_pct": 50, **kw})
    with pytest.raises(mix.MixError) as e:
        mix.two_materials(m, STRAW)
    assert e.value.field == f"materials.0.{field}"


@pytest.mark.parametrize(
    "cn,moist,field",
    [
        (0, 65, "target_cn"),
        (30, 100, "target_moisture_pct"),
        (30, 0, "target_moisture_pct"),
        (math.inf, 65, "target_cn"),
    ],
)
def test_bad_targets(cn, moist, field):
    with pytest.raises(mix.MixError) as e:
        mix.two_materials(CHICKEN, STRAW, cn, moist)
    assert e.value.field == field


def test_lp_two_materials_agrees_with_closed_form():
    pref = [mix.Material("chicken", 34, 4.2, 56, preferred_share_pct=50), STRAW]
    r = mix.linear_programme(pref, 30, 65)
    assert r["materials"][0]["dry_kg"] == pytest.approx(25.806, abs=1e-3)
    assert r["water_to_add_kg"] == pytest.approx(140.79, abs=1e-2)


def test_lp_three_materials_by_cost_and_bounds():
    ms = [
        mix.Material("chicken", 34, 4.2, 56, cost_per_tonne=500),
        mix.Material("straw", 53, 0.7, 14, cost_per_tonne=2000),
        mix.Material("leaves", 55, 1.2, 15, cost_per_tonne=1000),
    ]
    r = mix.linear_programme(ms, 30, 60)
    assert r["cn"] == pytest.approx(30, rel=1e-6) and r["objective"] == "cost"
    assert sum(x["dry_kg"] for x in r["materials"]) == pytest.approx(100)
    assert r["materials"][1]["dry_kg"] == pytest.approx(0, abs=1e-6)  # leaves are cheaper than straw here
    bounded = [ms[0], mix.Material("straw", 53, 0.7, 14, min_share_pct=20, cost_per_tonne=2000), ms[2]]
    r2 = mix.linear_programme(bounded, 30, 60)
    assert r2["materials"][1]["dry_kg"] == pytest.approx(20) and r2["cost"] > r["cost"]
    with pytest.raises(mix.MixError) as e:
        mix.linear_programme([ms[0], mix.Material("straw", 53, 0.7, 14, max_share_pct=10), ms[2]], 60)
    assert e.value.code == "mix_lp_infeasible"
    with pytest.raises(mix.MixError) as e:
        mix.linear_programme(
            [mix.Material("a", 34, 4.2, 56, min_share_pct=60), mix.Material("b", 53, 0.7, 14, min_share_pct=60)], 30
        )
    assert e.value.code == "mix_bounds_infeasible"
    with pytest.raises(mix.MixError):
        mix.linear_programme([CHICKEN], 30)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(seed.MATERIALS), st.sampled_from(seed.MATERIALS), st.floats(10, 60), st.floats(40, 70))
def test_mix_property(m1, m2, cn, moist):
    a, b = mix.Material(*m1), mix.Material(*m2)
    lo, hi = sorted((a.cn, b.cn))
    if not lo <= cn <= hi:
        with pytest.raises(mix.MixError):
            mix.two_materials(a, b, cn, moist)
        return
    r = mix.two_materials(a, b, cn, moist)
    if lo < hi:
        assert r["cn"] == pytest.approx(cn, rel=1e-6)
    water_after = r["mix_water_kg"] + r["water_balance_kg"]
    assert water_after / (r["mix_wet_kg"] + r["water_balance_kg"]) == pytest.approx(moist / 100, rel=1e-9)


# --- §11 ----------------------------------------------------------------------------------------------------------


def test_soil_mass_default_is_ch15_table1():
    assert fc.soil_mass() == pytest.approx(1_800_000)
    assert fc.soil_mass(20, 1.3) == pytest.approx(2_600_000)


def test_worked_copper():
    rise = fc.yearly_rise(10, 30, 100, fc.soil_mass())
    assert rise == pytest.approx(0.388888889, rel=REL)
    assert fc.years_to(120, 40, rise) == pytest.approx(205.714286, rel=REL)
    amax = fc.largest_rate(120, 40, fc.soil_mass(), 205.714286, 30, 100)
    assert amax == pytest.approx(10, rel=1e-6)


def test_years_edges():
    assert fc.years_to(120, 120, 0.5) == 0 and fc.years_to(120, 130, 0.5) == 0
    assert fc.years_to(120, 40, 0) is None
    assert fc.years_to(120, 119.5, 0.5) == pytest.approx(1)
    assert fc.largest_rate(120, 120, 1.8e6, 10, 30, 100) == 0
    assert fc.largest_rate(120, 40, 1.8e6, 10, 30, 0) is None


def test_forecast_limiting_metal_and_rate():
    bg = dict(zip(seed.METALS, seed.SOIL_BACKGROUNDS["slate_alluvial"][1]))
    farmland = {
        lvl: {m: (f if f is not None else g) for m, (g, f) in v.items()} for lvl, v in seed.SOIL_THRESHOLDS.items()
    }
    r = fc.forecast({"Cu": 100, "Zn": 400, "Pb": 0}, 30, 10, bg, farmland, horizon_years=50)
    rows = {x["metal"]: x for x in r["metals"]}
    assert rows["Cu"]["levels"]["monitoring"]["years"] == pytest.approx(205.714286, rel=REL)
    assert rows["Cu"]["levels"]["control"]["years"] == pytest.approx((200 - 40) / 0.388888889, rel=REL)
    zn_rise = 10 * 1000 * 0.7 * 400 / 1.8e6
    assert rows["Zn"]["levels"]["monitoring"]["years"] == pytest.approx((260 - 140) / zn_rise, rel=REL)
    assert rows["Pb"]["levels"]["monitoring"]["years"] is None and rows["Pb"]["yearly_rise_mg_kg"] == 0
    assert r["limiting_metal"] == "Zn"
    zn_max = (260 - 140) * 1.8e6 / (50 * 1000 * 0.7 * 400)
    assert r["largest_sustainable_rate_t_ha"] == pytest.approx(zn_max, rel=REL)
    general = {lvl: {m: g for m, (g, f) in v.items()} for lvl, v in seed.SOIL_THRESHOLDS.items()}
    r = fc.forecast({"Cu": 100}, 30, 10, bg, general)
    assert r["metals"][0]["levels"]["monitoring"]["years"] == pytest.approx((220 - 40) / 0.388888889, rel=REL)


def test_forecast_bad_input_names_field():
    for kw, field in (
        ({"rate_t_ha": -1}, "rate_t_ha"),
        ({"moisture_pct": 100}, "moisture_pct"),
        ({"horizon_years": 0}, "horizon_years"),
        ({"depth_cm": 0}, "depth_cm"),
        ({"bulk_density": math.nan}, "bulk_density"),
    ):
        args = {
            "metals": {"Cu": 1},
            "moisture_pct": 30,
            "rate_t_ha": 10,
            "start": {"Cu": 1},
            "thresholds": {"monitoring": {"Cu": 120}},
            **kw,
        }
        with pytest.raises(fc.ForecastError) as e:
            fc.forecast(**args)
        assert e.value.field == field
    with pytest.raises(fc.ForecastError) as e:
        fc.forecast({"Cu": 1}, 30, 10, {}, {"monitoring": {"Cu": 120}})
    assert e.value.field == "start.Cu"


@settings(max_examples=100, deadline=None)
@given(
    st.floats(0, 100),
    st.floats(0, 99),
    st.floats(0, 2000, allow_subnormal=False),
    st.sampled_from([120, 220, 400, 2.5, 10]),
)
def test_vector_path_equals_scalar(rate, moisture, metal, threshold):
    ms = fc.soil_mass()
    scalar = fc.yearly_rise(rate, moisture, metal, ms)
    vec = fc.yearly_rise(np.array([rate, rate]), np.array([moisture, moisture]), np.array([metal, 0.0]), ms)
    assert vec[0] == pytest.approx(scalar, rel=1e-12, abs=1e-15) and vec[1] == 0
    years = fc.years_to(threshold, 1.0, scalar)
    if years is not None and 0 < years < 1e12:
        assert fc.series(1.0, scalar, [years])[0] == pytest.approx(threshold, rel=1e-9)
