"""DOMAIN.md §9: governing temperature, run finder and every criterion, at, below and above each threshold."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from composting import seed
from composting import thermal as th

T0 = dt.datetime(2026, 1, 1, 0, 0)


def hourly(temps, start=T0, probe="p1"):
    return [(start + dt.timedelta(hours=i), probe, t) for i, t in enumerate(temps)]


def hours_of(temps, start=T0):
    return th.governing_hours(hourly(temps, start))


def test_governing_is_lowest_probe_of_the_hour():
    r = [
        (T0 + dt.timedelta(minutes=5), "a", 62.0),
        (T0 + dt.timedelta(minutes=50), "b", 57.5),
        (T0 + dt.timedelta(minutes=30), "a", 66.0),
        (T0 + dt.timedelta(hours=1, minutes=1), "a", 40),
    ]
    assert th.governing_hours(r) == [(T0, 57.5), (T0 + dt.timedelta(hours=1), 40.0)]


def test_72_hourly_readings_make_a_72_hour_run():
    met, run = th.time_at_temperature(hours_of([56] * 72), 55, 72)
    assert met and run.length_hours == 72 and run.start == T0 and run.end == T0 + dt.timedelta(hours=72)
    assert run.hours == 72
    met, run = th.time_at_temperature(hours_of([56] * 71), 55, 72)
    assert not met and run.length_hours == 71


def test_threshold_at_below_above():
    assert th.time_at_temperature(hours_of([55.0] * 3), 55, 3)[0]
    assert not th.time_at_temperature(hours_of([54.99] * 3), 55, 3)[0]
    assert th.time_at_temperature(hours_of([55.01] * 3), 55, 3)[0]


def test_duration_under_an_hour_needs_one_hour():
    met, run = th.time_at_temperature(hours_of([40, 70, 40]), 70, 0.25)
    assert met and run.length_hours == 1 and run.start == T0 + dt.timedelta(hours=1)
    assert not th.time_at_temperature(hours_of([40, 69.9, 40]), 70, 0.25)[0]


def test_gap_of_six_hours_is_bridged_seven_breaks():
    six = hourly([60] * 10) + hourly([60] * 10, start=T0 + dt.timedelta(hours=16))  # hours 10..15 missing
    runs = th.find_runs(th.governing_hours(six), 55)
    assert len(runs) == 1 and runs[0].length_hours == 26 and runs[0].hours == 20
    seven = hourly([60] * 10) + hourly([60] * 10, start=T0 + dt.timedelta(hours=17))
    runs = th.find_runs(th.governing_hours(seven), 55)
    assert [r.length_hours for r in runs] == [10, 10]


def test_one_probe_colder_than_the_rest_decides():
    warm = hourly([65] * 80, probe="core")
    cold = hourly([65] * 40 + [54] + [65] * 39, probe="edge")
    met, run = th.time_at_temperature(th.governing_hours(warm + cold), 55, 72)
    assert not met and run.length_hours == 40
    assert th.time_at_temperature(th.governing_hours(warm), 55, 72)[0]


def test_reports_first_meeting_run_or_longest():
    h = hours_of([60] * 5 + [40] + [60] * 8 + [40] + [60] * 6)
    met, run = th.time_at_temperature(h, 55, 6)
    assert met and run.start == T0 + dt.timedelta(hours=6) and run.length_hours == 8
    met, run = th.time_at_temperature(h, 55, 9)
    assert not met and run.length_hours == 8
    assert th.time_at_temperature([], 55, 1) == (False, None)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.one_of(st.none(), st.sampled_from([44.9, 45, 50, 54.9, 55, 55.1, 60, 70, 70.1])), max_size=60),
    st.sampled_from([45, 50, 55, 60, 70]),
)
def test_runs_property(temps, threshold):
    readings = [(T0 + dt.timedelta(hours=i), "p", t) for i, t in enumerate(temps) if t is not None]
    hours = th.governing_hours(readings)
    runs = th.find_runs(hours, threshold)
    covered = 0
    for a, b in zip(runs, runs[1:]):
        assert a.end <= b.start
    for run in runs:
        inside = [(h, t) for h, t in hours if run.start <= h < run.end]
        assert all(t >= threshold for _, t in inside) and len(inside) == run.hours
        covered += run.hours
        assert run.length_hours >= run.hours
        idx = [h for h, _ in inside]
        assert all((b - a) <= dt.timedelta(hours=7) for a, b in zip(idx, idx[1:]))
    assert covered == sum(1 for _, t in hours if t >= threshold)
    longest = max((r.length_hours for r in runs), default=0)
    for d in (0.5, 1, 3, 10):
        met, _ = th.time_at_temperature(hours, threshold, d)
        assert met == (longest >= d)


def organisms(temps, start=T0):
    params = next(c for c in seed.CRITERIA if c["key"] == "tari_organisms")["params"]
    res = th.judge("organisms", params, th.Batch("windrow", hourly(temps, start)))
    return res, {r["name"]: r for r in res["organisms"]}


def test_organisms_row_by_row():
    res, rows = organisms([61] * 47)  # 47 h at 61 °C: not the weed seeds' 48 h at 60
    assert rows["Brucella abortus / suis"]["status"] == "inactivated"
    assert rows["Salmonella typhosa"]["status"] == "inactivated"
    assert rows["雜草種子 Weed seeds"]["status"] == "not_shown"
    assert rows["Endamoeba histolytica (cysts)"]["status"] == "not_judged"
    assert rows["Trichinella spiralis"]["status"] == "not_judged"
    assert rows["假性狂犬病 Pseudorabies (Herpesvirus)"]["status"] == "not_shown"  # 70 °C not reached
    assert rows["馬立克病 Marek's disease (Herpesvirus)"]["status"] == "not_shown"  # -(or+) never passes
    assert rows["馬立克病 Marek's disease (Herpesvirus)"]["reason"] == "not_reliably_inactivated"
    assert res["status"] == "not_shown"
    _, rows = organisms([61] * 48)
    assert rows["雜草種子 Weed seeds"]["status"] == "inactivated"
    _, rows = organisms([60.9] * 48)
    assert rows["Brucella abortus / suis"]["status"] == "not_shown"


def test_organisms_range_uses_upper_end():
    _, rows = organisms([59.9] * 5)
    assert rows["Salmonella typhosa"]["status"] == "not_shown"
    _, rows = organisms([60] * 5)
    assert rows["Salmonella typhosa"]["status"] == "inactivated"


def test_organisms_all_reliable_met_at_high_heat():
    res, rows = organisms([71] * 48)
    assert res["status"] == "not_shown"  # the -(or+) rows keep the criterion from being met
    params = {"organisms": [o for o in seed.ORGANISMS if o["reliable"]]}
    assert th.judge("organisms", params, th.Batch("windrow", hourly([71] * 48)))["status"] == "met"
    assert th.judge("organisms", params, th.Batch("windrow", []))["status"] == "not_judged"


PFRP = {"temperature_c": 55, "days": 3, "windrow_days": 15, "windrow_turnings": 5}


@pytest.mark.parametrize("method", ["in_vessel", "aerated_static_pile"])
def test_pfrp_vessel_and_static_pile(method):
    assert th.judge("pfrp", PFRP, th.Batch(method, hourly([55] * 72)))["status"] == "met"
    assert th.judge("pfrp", PFRP, th.Batch(method, hourly([55] * 71)))["status"] == "not_shown"
    assert th.judge("pfrp", PFRP, th.Batch(method, hourly([54.9] * 100)))["status"] == "not_shown"
    assert th.judge("pfrp", PFRP, th.Batch(method, []))["status"] == "not_judged"


def test_pfrp_windrow_needs_15_days_and_5_turnings_inside():
    readings = hourly([58] * 360)
    inside = [T0 + dt.timedelta(days=d, hours=3) for d in (1, 4, 7, 10, 13)]
    assert th.judge("pfrp", PFRP, th.Batch("windrow", readings, inside))["status"] == "met"
    res = th.judge("pfrp", PFRP, th.Batch("windrow", readings, inside[:4]))
    assert res["status"] == "not_shown" and res["turnings_in_run"] == 4
    outside = inside[:4] + [T0 + dt.timedelta(days=16)]
    assert th.judge("pfrp", PFRP, th.Batch("windrow", readings, outside))["status"] == "not_shown"
    assert th.judge("pfrp", PFRP, th.Batch("windrow", hourly([58] * 359), inside))["status"] == "not_shown"


COMP = {"fermentation_days": 60, "peak_c": 70, "turnings": 6}


def test_comprehensive():
    turn = [T0 + dt.timedelta(days=d) for d in range(6)]
    start = T0.date()
    ok = th.Batch("windrow", hourly([70] * 3), turn, start, start + dt.timedelta(days=60))
    assert th.judge("comprehensive", COMP, ok)["status"] == "met"
    assert (
        th.judge(
            "comprehensive", COMP, th.Batch("windrow", hourly([69.9] * 3), turn, start, start + dt.timedelta(days=60))
        )["status"]
        == "not_shown"
    )
    assert (
        th.judge(
            "comprehensive", COMP, th.Batch("windrow", hourly([70] * 3), turn, start, start + dt.timedelta(days=59))
        )["status"]
        == "not_shown"
    )
    res = th.judge(
        "comprehensive", COMP, th.Batch("windrow", hourly([70] * 3), turn[:5], start, start + dt.timedelta(days=60))
    )
    assert res["status"] == "not_shown" and res["checks"]["turnings"]["value"] == 5
    assert th.judge("comprehensive", COMP, th.Batch("windrow", [], turn, start, None))["status"] == "not_judged"


MSW = {"low_c": 45, "high_c": 70, "run_c": 50, "days": 7}


def test_msw_window():
    good = [40, 46] + [55] * 168 + [48]
    assert th.judge("msw_window", MSW, th.Batch("windrow", hourly(good)))["status"] == "met"
    assert th.judge("msw_window", MSW, th.Batch("windrow", hourly([46] + [50] * 168)))["status"] == "met"
    assert th.judge("msw_window", MSW, th.Batch("windrow", hourly([46] + [50] * 167)))["status"] == "not_shown"
    hot = [46] + [55] * 100 + [70.1] + [55] * 67
    res = th.judge("msw_window", MSW, th.Batch("windrow", hourly(hot)))
    assert res["status"] == "not_shown" and res["outside"]["temperature_c"] == 70.1
    assert (
        th.judge("msw_window", MSW, th.Batch("windrow", hourly([46] + [55] * 100 + [70] + [55] * 67)))["status"]
        == "met"
    )
    cold = [46, 44.9] + [55] * 168
    assert th.judge("msw_window", MSW, th.Batch("windrow", hourly(cold)))["status"] == "not_shown"
    assert th.judge("msw_window", MSW, th.Batch("windrow", hourly([46, 45] + [55] * 168)))["status"] == "met"


REHEAT = {"rise_c": 5, "window_hours": 72}


def test_reheat():
    temps = [60] * 10 + [50] * 10 + [55] * 80
    turn1 = T0 + dt.timedelta(hours=12, minutes=30)  # governing 50 before, 55 after: +5 -> re-heated
    res = th.judge("reheat", REHEAT, th.Batch("windrow", hourly(temps), [turn1]))
    assert res["turnings"][0]["status"] == "reheated" and res["status"] == "not_shown"
    temps2 = [60] * 10 + [50] * 10 + [54.9] * 80
    res = th.judge("reheat", REHEAT, th.Batch("windrow", hourly(temps2), [turn1]))
    assert res["turnings"][0]["status"] == "not_reheated" and res["status"] == "met"
    late = [50] * 20 + [40] * 72 + [60]  # the rise comes 73 h after: outside the window
    res = th.judge("reheat", REHEAT, th.Batch("windrow", hourly(late), [T0 + dt.timedelta(hours=19, minutes=59)]))
    assert res["status"] == "met"
    assert th.judge("reheat", REHEAT, th.Batch("windrow", hourly(temps), []))["status"] == "not_judged"


def test_validate_names_field_and_rule():
    with pytest.raises(th.CriterionError) as e:
        th.validate("pfrp", {"temperature_c": "hot", "days": 3, "windrow_days": 15, "windrow_turnings": 5})
    assert e.value.field == "params.temperature_c" and e.value.code == "criterion_number_required"
    with pytest.raises(th.CriterionError) as e:
        th.validate("nope", {})
    assert e.value.field == "kind"
    with pytest.raises(th.CriterionError) as e:
        th.validate("organisms", {"organisms": [{"name": "x", "temperature_c": 55, "minutes": 0}]})
    assert e.value.field == "params.organisms.0.minutes"
    with pytest.raises(th.CriterionError) as e:
        th.validate("msw_window", {"low_c": 70, "high_c": 45, "run_c": 50, "days": 7})
    assert e.value.code == "criterion_band_order"
    for c in seed.CRITERIA:
        th.validate(c["kind"], c["params"])


def test_precomputed_hours_give_the_same_verdict():
    batch = th.Batch("in_vessel", hourly([56] * 40 + [50] + [57] * 80))
    for c in seed.CRITERIA:
        assert th.judge(c["kind"], c["params"], batch) == th.judge(
            c["kind"], c["params"], batch, th.governing_hours(batch.readings)
        )
