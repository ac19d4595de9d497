"""DOMAIN.md §10 feedstock mix designer, written from the spec (issue #20): the closed form and the water balance
against hand-computed figures, every validation bound at zero, equal and just past, the linear programme against
the closed form on the spec's library. Codes, fields and values only, never message texts."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from composting import mix

REL = 1e-9
# ch. 6 table 1: C % dry, N % dry, moisture % as received
LIBRARY = [
    mix.Material("pig manure", 43, 3.0, 72),
    mix.Material("chicken manure", 34, 4.2, 56),
    mix.Material("cattle manure", 51, 2.7, 84),
    mix.Material("rice straw", 53, 0.7, 14),
    mix.Material("rice hulls", 53, 0.6, 12),
    mix.Material("spent mushroom sawdust", 45, 0.7, 67),
    mix.Material("broadleaf leaves", 55, 1.2, 15),
]
CHICKEN, STRAW = LIBRARY[1], LIBRARY[3]


def mat(**kw):
    return mix.Material(**{"name": "x", "carbon_pct": 40, "nitrogen_pct": 1, "moisture_pct": 50, **kw})


def test_defaults_are_the_spec():
    assert mix.DEFAULT_CN == 30 and mix.DEFAULT_MOISTURE_PCT == 65 and mix.DRY_TOTAL_KG == 100
    assert mix.GOOD_MOISTURE_PCT == (55, 65)
    r = mix.two_materials(CHICKEN, STRAW)
    assert r["target_cn"] == 30 and r["target_moisture_pct"] == 65
    assert sum(m["dry_kg"] for m in r["materials"]) == pytest.approx(100, rel=REL)


def test_cn_of_a_material():
    assert CHICKEN.cn == pytest.approx(34 / 4.2, rel=REL)
    assert mat(carbon_pct=50, nitrogen_pct=2).cn == 25
    assert mat(carbon_pct=50, nitrogen_pct=0).cn == math.inf


# --- water: wet = dry / (1 − moisture); Y = (m·M − W) / (1 − m) --------------------------------------------------


def test_water_balance_by_hand():
    a, b = mat(moisture_pct=50), mat(moisture_pct=0)
    r = mix.water([50, 50], [a, b], 60)
    assert r["wet_kg"] == [pytest.approx(100), pytest.approx(50)]
    assert r["mix_wet_kg"] == pytest.approx(150) and r["mix_water_kg"] == pytest.approx(50)
    assert r["mix_moisture_pct"] == pytest.approx(100 * 50 / 150)
    assert r["water_balance_kg"] == pytest.approx(100.0)  # (0.6 × 150 − 50) / 0.4
    assert r["water_to_add_kg"] == pytest.approx(100.0) and r["excess_water_kg"] == 0 and r["too_wet"] is False


def test_water_already_too_wet_by_hand():
    a, b = mat(moisture_pct=80), mat(moisture_pct=75)
    r = mix.water([20, 25], [a, b], 50)
    # wet 100 + 100 = 200, water 155; Y = (0.5 × 200 − 155) / 0.5 = −110
    assert r["mix_wet_kg"] == pytest.approx(200) and r["mix_water_kg"] == pytest.approx(155)
    assert r["water_balance_kg"] == pytest.approx(-110)
    assert r["too_wet"] is True and r["water_to_add_kg"] == 0 and r["excess_water_kg"] == pytest.approx(110)


def test_water_exactly_at_target_is_not_too_wet():
    a, b = mat(moisture_pct=50), mat(moisture_pct=50)
    r = mix.water([30, 70], [a, b], 50)
    assert r["water_balance_kg"] == 0 and r["too_wet"] is False
    assert r["water_to_add_kg"] == 0 and r["excess_water_kg"] == 0
    assert r["mix_moisture_pct"] == 50


def test_water_of_nothing():
    r = mix.water([0, 0], [mat(), mat()], 60)
    assert r["mix_wet_kg"] == 0 and r["mix_moisture_pct"] == 0


# --- the closed form: C1·x + C2·(100 − x) = R·(N1·x + N2·(100 − x)) -----------------------------------------------


def test_closed_form_by_hand():
    # a: C 20, N 2 (C/N 10); b: C 50, N 1 (C/N 50); R 30: 20x + 50(100 − x) = 30(2x + 100 − x) -> x = 2000/60
    a, b = (
        mat(name="a", carbon_pct=20, nitrogen_pct=2, moisture_pct=50),
        mat(name="b", carbon_pct=50, nitrogen_pct=1, moisture_pct=0),
    )
    r = mix.two_materials(a, b, 30, 60)
    x = 2000 / 60
    assert r["method"] == "closed_form"
    assert [m["name"] for m in r["materials"]] == ["a", "b"]
    assert r["materials"][0]["dry_kg"] == pytest.approx(x, rel=REL)
    assert r["materials"][1]["dry_kg"] == pytest.approx(100 - x, rel=REL)
    assert r["materials"][0]["share_pct"] == pytest.approx(x, rel=REL)
    assert r["materials"][0]["wet_kg"] == pytest.approx(2 * x, rel=REL)
    assert r["materials"][1]["wet_kg"] == pytest.approx(100 - x, rel=REL)
    assert r["cn"] == pytest.approx(30, rel=REL)
    wet, water = 100 + x, x
    assert r["mix_wet_kg"] == pytest.approx(wet, rel=REL) and r["mix_water_kg"] == pytest.approx(water, rel=REL)
    assert r["water_to_add_kg"] == pytest.approx((0.6 * wet - water) / 0.4, rel=REL)
    # the same pair the other way round gives the same masses per material
    r2 = mix.two_materials(b, a, 30, 60)
    assert r2["materials"][1]["dry_kg"] == pytest.approx(x, rel=REL)
    assert r2["materials"][0]["dry_kg"] == pytest.approx(100 - x, rel=REL)


def test_closed_form_scales_with_the_dry_total():
    r = mix.two_materials(CHICKEN, STRAW, 30, 65, dry_total=200)
    assert r["materials"][0]["dry_kg"] == pytest.approx(2 * 3200 / 124, rel=REL)
    assert r["materials"][0]["share_pct"] == pytest.approx(100 * (3200 / 124) / 100, rel=REL)
    assert r["water_to_add_kg"] == pytest.approx(2 * 140.79, abs=0.01)


def test_equal_cn_materials_split_half_and_half():
    a, b = mat(carbon_pct=30, nitrogen_pct=1), mat(carbon_pct=60, nitrogen_pct=2)
    r = mix.two_materials(a, b, 30, 65, dry_total=80)
    assert [m["dry_kg"] for m in r["materials"]] == [40, 40]


def test_target_equal_to_an_end_of_the_range_is_accepted():
    lo, hi = CHICKEN.cn, STRAW.cn
    assert mix.two_materials(CHICKEN, STRAW, lo)["materials"][1]["dry_kg"] == pytest.approx(0, abs=1e-9)
    assert mix.two_materials(STRAW, CHICKEN, hi)["materials"][1]["dry_kg"] == pytest.approx(0, abs=1e-9)
    for bad in (math.nextafter(lo, 0), math.nextafter(hi, math.inf)):
        with pytest.raises(mix.MixError) as e:
            mix.two_materials(CHICKEN, STRAW, bad)
        assert e.value.code == "mix_cn_outside_range" and e.value.field == "target_cn"
        assert e.value.params["low"] == f"{lo:.4g}" and e.value.params["high"] == f"{hi:.4g}"


def test_material_without_nitrogen_has_an_infinite_cn_and_bounds_the_range_above():
    sawdust = mat(carbon_pct=50, nitrogen_pct=0, moisture_pct=10)
    r = mix.two_materials(CHICKEN, sawdust, 200)
    # 34x + 50(100 − x) = 200 × 4.2x -> x = 5000 / 856
    assert r["materials"][0]["dry_kg"] == pytest.approx(5000 / 856, rel=REL)
    assert r["cn"] == pytest.approx(200, rel=REL)


# --- validation bounds ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["carbon_pct", "nitrogen_pct"])
def test_percent_bounds(key):
    for good in (0, 100, 0.0, 100.0, 50):
        other = {"nitrogen_pct": 1} if key == "carbon_pct" else {"carbon_pct": 40}
        mix.check_material(mat(**{key: good, **other}), 0)
    for bad in (-1e-9, 100.000001, math.nan, math.inf, "40", None):
        with pytest.raises(mix.MixError) as e:
            mix.check_material(mat(**{key: bad}), 3)
        assert e.value.field == f"materials.3.{key}" and e.value.code == "mix_percent_range"
        assert e.value.params == {"name": key}


def test_a_material_needs_carbon_or_nitrogen():
    mix.check_material(mat(carbon_pct=0, nitrogen_pct=1), 0)
    mix.check_material(mat(carbon_pct=1, nitrogen_pct=0), 0)
    with pytest.raises(mix.MixError) as e:
        mix.check_material(mat(carbon_pct=0, nitrogen_pct=0), 1)
    assert e.value.field == "materials.1.nitrogen_pct" and e.value.code == "mix_no_carbon_no_nitrogen"


def test_moisture_bounds():
    for good in (0, 0.0, 99.99):
        mix.check_material(mat(moisture_pct=good), 0)
    for bad in (100, 100.0, -1e-9, "50", None):
        with pytest.raises(mix.MixError) as e:
            mix.check_material(mat(moisture_pct=bad), 2)
        assert e.value.field == "materials.2.moisture_pct" and e.value.code == "mix_moisture_range"


def test_share_bounds():
    for lo, hi in ((0, 100), (0, 0), (100, 100), (30, 30), (10, 90)):
        mix.check_material(mat(min_share_pct=lo, max_share_pct=hi), 0)
    for lo, hi in ((-1e-9, 100), (0, 100.001), (50, 49.999), (101, 101)):
        with pytest.raises(mix.MixError) as e:
            mix.check_material(mat(min_share_pct=lo, max_share_pct=hi), 0)
        assert e.value.field == "materials.0.max_share_pct" and e.value.code == "mix_bounds_order"


def test_cost_bounds():
    for good in (None, 0, 0.0, 1500):
        mix.check_material(mat(cost_per_tonne=good), 0)
    for bad in (-1e-9, -5, math.nan, math.inf):
        with pytest.raises(mix.MixError) as e:
            mix.check_material(mat(cost_per_tonne=bad), 0)
        assert e.value.field == "materials.0.cost_per_tonne" and e.value.code == "mix_cost_range"


def test_target_bounds():
    for cn, m in ((1e-9, 1e-9), (30, 99.999), (1000, 65)):
        mix.check_targets(cn, m)
    for cn in (0, -1, math.nan, math.inf, "30", None):
        with pytest.raises(mix.MixError) as e:
            mix.check_targets(cn, 65)
        assert e.value.field == "target_cn" and e.value.code == "mix_target_cn_range"
    for m in (0, 100, -1, 100.5, "65", None):
        with pytest.raises(mix.MixError) as e:
            mix.check_targets(30, m)
        assert e.value.field == "target_moisture_pct" and e.value.code == "mix_target_moisture_range"


def test_two_materials_checks_every_input_and_names_the_material():
    with pytest.raises(mix.MixError) as e:
        mix.two_materials(CHICKEN, mat(carbon_pct=-1))
    assert e.value.field == "materials.1.carbon_pct"
    with pytest.raises(mix.MixError) as e:
        mix.two_materials(CHICKEN, STRAW, 30, 100)
    assert e.value.code == "mix_target_moisture_range"


# --- the linear programme --------------------------------------------------------------------------------------


def test_lp_by_cost_two_materials_is_the_closed_form_and_costs_the_wet_tonnes():
    a = mix.Material("chicken", 34, 4.2, 56, cost_per_tonne=500)
    b = mix.Material("straw", 53, 0.7, 14, cost_per_tonne=2000)
    r = mix.linear_programme([a, b], 30, 65)
    assert r["method"] == "linear_programme" and r["objective"] == "cost"
    dry = 3200 / 124
    assert r["materials"][0]["dry_kg"] == pytest.approx(dry, rel=1e-7)
    wet_a, wet_b = dry / 0.44, (100 - dry) / 0.86
    assert r["cost"] == pytest.approx(500 * wet_a / 1000 + 2000 * wet_b / 1000, rel=1e-7)
    assert mix.design([a, b])["method"] == "linear_programme"


def test_lp_cost_is_per_wet_tonne():
    # both C/N 30: a is cheaper per wet tonne but dearer per dry kg (81 per wet tonne of 20 % dry matter is
    # 405 per dry tonne, against 400): the cheaper mix is all b, costing 100 dry kg × 0.4 = 40
    a = mix.Material("wet", 30, 1, 80, cost_per_tonne=81)
    b = mix.Material("dry", 30, 1, 0, cost_per_tonne=400)
    r = mix.linear_programme([a, b], 30, 65)
    assert r["materials"][0]["dry_kg"] == pytest.approx(0, abs=1e-6)
    assert r["materials"][1]["dry_kg"] == pytest.approx(100, rel=1e-9)
    assert r["cost"] == pytest.approx(40, rel=1e-9)


def test_lp_preferences_and_equal_shares():
    ms = [
        mat(name="n", carbon_pct=10, nitrogen_pct=1),
        mat(name="c", carbon_pct=50, nitrogen_pct=1),
        mat(name="m", carbon_pct=30, nitrogen_pct=1),
    ]
    r = mix.linear_programme(ms, 30, 60)
    assert r["objective"] == "preference" and "cost" not in r
    # equal preferred shares (100/3 each) already meet C/N 30: kept
    assert [m["dry_kg"] for m in r["materials"]] == [pytest.approx(100 / 3, rel=1e-7)] * 3
    pref = [
        mix.Material("n", 10, 1, 50, preferred_share_pct=20),
        mix.Material("c", 50, 1, 50, preferred_share_pct=20),
        mix.Material("m", 30, 1, 50, preferred_share_pct=60),
    ]
    r = mix.linear_programme(pref, 30, 60)
    assert [m["dry_kg"] for m in r["materials"]] == [pytest.approx(v, abs=1e-6) for v in (20, 20, 60)]


def test_lp_bounds_equal_to_the_total_are_feasible():
    a = mix.Material("a", 20, 2, 50, min_share_pct=50, max_share_pct=50)
    b = mix.Material("b", 50, 1, 50, min_share_pct=50, max_share_pct=50)
    r = mix.linear_programme([a, b], 70 / 3, 60)  # 50/50: C 35, N 1.5
    assert [m["dry_kg"] for m in r["materials"]] == [pytest.approx(50), pytest.approx(50)]
    lo_short = [mix.Material("a", 20, 2, 50, max_share_pct=50), mix.Material("b", 50, 1, 50, max_share_pct=49.9)]
    with pytest.raises(mix.MixError) as e:
        mix.linear_programme(lo_short, 30)
    assert e.value.code == "mix_bounds_infeasible" and e.value.field == "materials"
    hi_over = [mix.Material("a", 20, 2, 50, min_share_pct=50), mix.Material("b", 50, 1, 50, min_share_pct=50.1)]
    with pytest.raises(mix.MixError) as e:
        mix.linear_programme(hi_over, 30)
    assert e.value.code == "mix_bounds_infeasible"


def test_lp_needs_two_materials_and_checks_them():
    with pytest.raises(mix.MixError) as e:
        mix.linear_programme([CHICKEN], 30)
    assert e.value.code == "mix_two_materials_needed" and e.value.field == "materials"
    with pytest.raises(mix.MixError) as e:
        mix.linear_programme([CHICKEN, STRAW, mat(moisture_pct=100)], 30)
    assert e.value.field == "materials.2.moisture_pct"
    with pytest.raises(mix.MixError) as e:
        mix.linear_programme([CHICKEN, STRAW], 0)
    assert e.value.code == "mix_target_cn_range"


def test_lp_infeasible_names_the_range():
    with pytest.raises(mix.MixError) as e:
        mix.linear_programme([CHICKEN, STRAW, LIBRARY[4]], 100)
    assert e.value.code == "mix_lp_infeasible" and e.value.field == "target_cn"
    assert e.value.params["low"] == f"{CHICKEN.cn:.4g}" and e.value.params["high"] == f"{LIBRARY[4].cn:.4g}"
    assert e.value.params["target"] == "100"


@pytest.mark.parametrize(
    "kw",
    [{"min_share_pct": 1}, {"max_share_pct": 99}, {"cost_per_tonne": 0}, {"preferred_share_pct": 50}],
)
def test_design_uses_the_lp_when_any_bound_cost_or_preference_is_set(kw):
    a = mix.Material("chicken", 34, 4.2, 56, **kw)
    assert mix.design([a, STRAW])["method"] == "linear_programme"
    assert mix.design([CHICKEN, STRAW])["method"] == "closed_form"
    assert mix.design([CHICKEN, STRAW, LIBRARY[6]])["method"] == "linear_programme"


@settings(deadline=None)
@given(
    st.sampled_from(LIBRARY),
    st.sampled_from(LIBRARY),
    st.sampled_from([20.0, 25.0, 30.0, 35.0]),
    st.sampled_from([55.0, 60.0, 65.0]),
)
def test_lp_equals_closed_form_on_the_library(a, b, cn, moisture):
    """The two paths agree wherever the closed form has an answer (C/N met exactly, same dry masses)."""
    lo, hi = sorted((a.cn, b.cn))
    if a.cn == b.cn or not lo <= cn <= hi:
        return
    closed = mix.two_materials(a, b, cn, moisture)
    lp = mix.linear_programme(
        [a, mix.Material(b.name, b.carbon_pct, b.nitrogen_pct, b.moisture_pct, preferred_share_pct=50)], cn, moisture
    )
    for x, y in zip(closed["materials"], lp["materials"]):
        assert y["dry_kg"] == pytest.approx(x["dry_kg"], rel=1e-6, abs=1e-6)
        assert y["wet_kg"] == pytest.approx(x["wet_kg"], rel=1e-6, abs=1e-6)
    assert lp["water_balance_kg"] == pytest.approx(closed["water_balance_kg"], rel=1e-6, abs=1e-6)
    assert lp["cn"] == pytest.approx(cn, rel=1e-6)


def test_design_passes_the_dry_total_to_either_path():
    r = mix.design([CHICKEN, STRAW], 30, 65, dry_total=200)
    assert r["method"] == "closed_form"
    assert sum(m["dry_kg"] for m in r["materials"]) == pytest.approx(200, rel=REL)
    pricey = mix.Material("straw", 53, 0.7, 14, cost_per_tonne=2000)
    r = mix.design([mix.Material("chicken", 34, 4.2, 56, cost_per_tonne=500), pricey], 30, 65, dry_total=200)
    assert r["method"] == "linear_programme"
    assert r["materials"][0]["dry_kg"] == pytest.approx(2 * 3200 / 124, rel=1e-7)
    assert r["target_cn"] == 30 and r["target_moisture_pct"] == 65


def test_lp_reports_its_targets():
    r = mix.linear_programme([CHICKEN, STRAW, LIBRARY[6]], 28, 60)
    assert r["target_cn"] == 28 and r["target_moisture_pct"] == 60 and r["cn"] == pytest.approx(28, rel=1e-7)


def test_bounds_adding_up_to_100_within_rounding_are_a_mix():
    """Shares that add up to 100 % but for a rounding error (1e-10 %) are not refused as infeasible bounds."""
    over, under = 100 + 1e-10, 100 - 1e-10
    a = mix.Material("a", 20, 2, 50, min_share_pct=over - 50, max_share_pct=100)
    b = mix.Material("b", 50, 1, 50, min_share_pct=50, max_share_pct=100)
    r = mix.linear_programme([a, b], 70 / 3, 60)
    assert [m["dry_kg"] for m in r["materials"]] == [pytest.approx(50), pytest.approx(50)]
    a = mix.Material("a", 20, 2, 50, max_share_pct=under - 50)
    b = mix.Material("b", 50, 1, 50, max_share_pct=50)
    r = mix.linear_programme([a, b], 70 / 3, 60)
    assert [m["dry_kg"] for m in r["materials"]] == [pytest.approx(50), pytest.approx(50)]


def test_outside_range_reports_the_target():
    for bad in (5, 80.5):
        with pytest.raises(mix.MixError) as e:
            mix.two_materials(CHICKEN, STRAW, bad)
        assert e.value.params["target"] == f"{bad:g}"
        assert str(e.value) == e.value.template % e.value.params


def test_every_error_code_has_its_translated_template():
    """The pages and the API show ``composting.messages.error_message(error)``: a Message of the code's translatable
    template (``TEMPLATES[code]``), not this module's English text: every code the module raises must have one,
    taking the params the module gives."""
    import re
    from pathlib import Path

    from composting import messages

    source = Path(mix.__file__).read_text(encoding="utf-8")
    codes = set(re.findall(r'MixError\(\s*[^,]+,\s*"(mix_[a-z_]+)"', source))
    assert len(codes) == 11 and codes <= set(messages.TEMPLATES)
    for make in (
        lambda: mix.two_materials(CHICKEN, STRAW, 5),
        lambda: mix.linear_programme([CHICKEN, STRAW, LIBRARY[4]], 100),
        lambda: mix.check_material(mat(carbon_pct=-1), 0),
    ):
        with pytest.raises(mix.MixError) as e:
            make()
        message = messages.error_message(e.value)  # the Message the pages and the API show
        assert message.code == e.value.code and message.english() == e.value.template % e.value.params
