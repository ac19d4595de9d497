"""DOMAIN.md §9, written from the spec (issue #20): the run finder's gap and edges, every criterion's limits at,
below and above, the evidence each criterion reports (the shape the batch pages and certificates read), and the
validation of criterion parameters at zero and equal values. Codes, fields and values only, never message texts."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from composting import thermal as th

T0 = dt.datetime(2026, 3, 1, 0, 0)
H = dt.timedelta(hours=1)


def hourly(temps, start=T0, probe="p1"):
    """One reading per hour from ``start``; None leaves the hour without a reading."""
    return [(start + i * H, probe, t) for i, t in enumerate(temps) if t is not None]


def hours_of(temps, start=T0):
    return th.governing_hours(hourly(temps, start))


def test_lab_policy_constants_are_the_spec():
    assert th.MAX_GAP_HOURS == 6 and th.REHEAT_RISE_C == 5 and th.REHEAT_WINDOW_HOURS == 72


# --- governing temperature and runs ---------------------------------------------------------------------------


def test_governing_hour_is_the_hour_start_and_its_coldest_probe_in_any_order():
    readings = [
        (T0 + dt.timedelta(minutes=59, seconds=59, microseconds=5), "b", "58.5"),
        (T0 + dt.timedelta(minutes=1), "a", 60),
        (T0 + dt.timedelta(minutes=30), "c", 59.0),
        (T0 - dt.timedelta(minutes=1), "a", 20),
    ]
    assert th.governing_hours(readings) == [(T0 - H, 20.0), (T0, 58.5)]
    assert th.hour_of(T0 + dt.timedelta(minutes=59, seconds=3, microseconds=7)) == T0
    assert th.governing_hours([]) == []


def test_run_evidence_shape():
    hours = hours_of([56, 58, 55.5, 57])
    (run,) = th.find_runs(hours, 55)
    assert run.as_dict() == {
        "start": T0.isoformat(),
        "end": (T0 + 4 * H).isoformat(),
        "length_hours": 4,
        "hours_with_readings": 4,
        "minimum_c": 55.5,
    }
    assert run.minimum_c == 55.5 and run.hours == 4 and run.length_hours == 4.0


def test_run_length_is_rounded_to_three_decimals():
    run = th.Run(T0, T0 + dt.timedelta(seconds=3601), 1, 60.0)
    assert run.as_dict()["length_hours"] == 1.0
    run = th.Run(T0, T0 + dt.timedelta(seconds=3605), 1, 60.0)
    assert run.as_dict()["length_hours"] == 1.001


@pytest.mark.parametrize(
    "missing,runs",
    [
        (0, [20]),
        (1, [21]),
        (5, [25]),
        (6, [26]),  # a gap of 6 missing hours is bridged
        (7, [10, 10]),  # 7 breaks the run
        (30, [10, 10]),
    ],
)
def test_gap_bridging(missing, runs):
    temps = [60] * 10 + [None] * missing + [60] * 10
    assert [r.length_hours for r in th.find_runs(hours_of(temps), 55)] == runs


def test_max_gap_is_a_parameter():
    temps = [60] * 10 + [None] * 2 + [60] * 10
    assert [r.length_hours for r in th.find_runs(hours_of(temps), 55, max_gap_hours=1)] == [10, 10]
    assert [r.length_hours for r in th.find_runs(hours_of(temps), 55, max_gap_hours=2)] == [22]
    assert th.time_at_temperature(hours_of(temps), 55, 22, max_gap_hours=2)[0]
    assert not th.time_at_temperature(hours_of(temps), 55, 22, max_gap_hours=1)[0]


def test_a_cold_hour_breaks_a_run_even_inside_the_gap_allowance():
    runs = th.find_runs(hours_of([60] * 5 + [54.9] + [60] * 5), 55)
    assert [(r.start, r.length_hours, r.hours) for r in runs] == [(T0, 5, 5), (T0 + 6 * H, 5, 5)]


def test_run_minimum_is_the_coldest_hour_of_the_run():
    runs = th.find_runs(hours_of([70, 56, 65, 40, 58, 59]), 55)
    assert [r.minimum_c for r in runs] == [56, 58]


@pytest.mark.parametrize("duration,met", [(71.99, True), (72, True), (72.01, False), (0.01, True), (1, True)])
def test_duration_at_and_around_the_run_length(duration, met):
    got, run = th.time_at_temperature(hours_of([55] * 72), 55, duration)
    assert got is met and run.length_hours == 72


def test_longest_run_reported_when_none_is_long_enough_first_when_several_are():
    hours = hours_of([60] * 3 + [20] + [60] * 5 + [20] + [60] * 4 + [20] + [60] * 5)
    met, run = th.time_at_temperature(hours, 55, 10)
    assert not met and run.start == T0 + 4 * H and run.length_hours == 5  # the first of the two longest
    met, run = th.time_at_temperature(hours, 55, 4)
    assert met and run.start == T0 + 4 * H


# --- criteria parameters --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind,params,field,code",
    [
        ("nope", {}, "kind", "criterion_kind_unknown"),
        ("pfrp", [], "params", "criterion_params_object"),
        ("organisms", {}, "params.organisms", "criterion_organisms_list"),
        ("organisms", {"organisms": []}, "params.organisms", "criterion_organisms_list"),
        ("organisms", {"organisms": {"name": "x"}}, "params.organisms", "criterion_organisms_list"),
        ("organisms", {"organisms": ["x"]}, "params.organisms.0.name", "criterion_organism_name"),
        (
            "organisms",
            {"organisms": [{"name": "  ", "temperature_c": 55}]},
            "params.organisms.0.name",
            "criterion_organism_name",
        ),
        ("organisms", {"organisms": [{"temperature_c": 55}]}, "params.organisms.0.name", "criterion_organism_name"),
        ("organisms", {"organisms": [{"name": "x"}]}, "params.organisms.0.temperature_c", "criterion_number_required"),
        (
            "organisms",
            {"organisms": [{"name": "a", "temperature_c": 55}, {"name": "b", "temperature_c": True}]},
            "params.organisms.1.temperature_c",
            "criterion_number_required",
        ),
        (
            "organisms",
            {"organisms": [{"name": "x", "temperature_c": 55, "minutes": 0}]},
            "params.organisms.0.minutes",
            "criterion_positive_required",
        ),
        (
            "organisms",
            {"organisms": [{"name": "x", "temperature_c": 55, "minutes": -1}]},
            "params.organisms.0.minutes",
            "criterion_positive_required",
        ),
        (
            "organisms",
            {"organisms": [{"name": "x", "temperature_c": 55, "minutes": "5"}]},
            "params.organisms.0.minutes",
            "criterion_number_required",
        ),
        ("time_at_temperature", {"hours": 3}, "params.temperature_c", "criterion_number_required"),
        ("time_at_temperature", {"temperature_c": 55, "hours": 0}, "params.hours", "criterion_positive_required"),
        ("time_at_temperature", {"temperature_c": 55}, "params.hours", "criterion_number_required"),
        (
            "pfrp",
            {"temperature_c": 55, "days": 3, "windrow_days": 15},
            "params.windrow_turnings",
            "criterion_number_required",
        ),
        (
            "pfrp",
            {"temperature_c": 55, "windrow_days": 15, "windrow_turnings": 5},
            "params.days",
            "criterion_number_required",
        ),
        (
            "pfrp",
            {"temperature_c": 55, "days": 3, "windrow_turnings": 5},
            "params.windrow_days",
            "criterion_number_required",
        ),
        ("comprehensive", {"peak_c": 70, "turnings": 6}, "params.fermentation_days", "criterion_number_required"),
        ("comprehensive", {"fermentation_days": 60, "turnings": 6}, "params.peak_c", "criterion_number_required"),
        ("comprehensive", {"fermentation_days": 60, "peak_c": 70}, "params.turnings", "criterion_number_required"),
        ("msw_window", {"high_c": 70, "run_c": 50, "days": 7}, "params.low_c", "criterion_number_required"),
        ("msw_window", {"low_c": 45, "run_c": 50, "days": 7}, "params.high_c", "criterion_number_required"),
        ("msw_window", {"low_c": 45, "high_c": 70, "days": 7}, "params.run_c", "criterion_number_required"),
        (
            "msw_window",
            {"low_c": 45, "high_c": 70, "run_c": 50, "days": 0},
            "params.days",
            "criterion_positive_required",
        ),
        ("msw_window", {"low_c": 45, "high_c": 45, "run_c": 50, "days": 7}, "params.high_c", "criterion_band_order"),
        ("msw_window", {"low_c": 45.1, "high_c": 45, "run_c": 50, "days": 7}, "params.high_c", "criterion_band_order"),
        ("reheat", {"rise_c": 0, "window_hours": 72}, "params.rise_c", "criterion_positive_required"),
        ("reheat", {"rise_c": 5, "window_hours": 0}, "params.window_hours", "criterion_positive_required"),
        ("reheat", {"rise_c": 5}, "params.window_hours", "criterion_number_required"),
    ],
)
def test_validate_refuses(kind, params, field, code):
    with pytest.raises(th.CriterionError) as e:
        th.validate(kind, params)
    assert (e.value.field, e.value.code) == (field, code)
    assert isinstance(e.value, ValueError) and e.value.message == str(e.value)
    with pytest.raises(th.CriterionError):
        th.judge(kind, params, th.Batch("windrow", hourly([60] * 3)))


@pytest.mark.parametrize(
    "kind,params",
    [
        ("organisms", {"organisms": [{"name": "x", "temperature_c": 0}]}),  # no time: shown, not judged
        ("organisms", {"organisms": [{"name": "x", "temperature_c": 55, "minutes": 0.01}]}),
        ("time_at_temperature", {"temperature_c": 0, "hours": 0.01}),
        ("pfrp", {"temperature_c": 55, "days": 0, "windrow_days": 0, "windrow_turnings": 0}),
        ("comprehensive", {"fermentation_days": 0, "peak_c": 0, "turnings": 0}),
        ("msw_window", {"low_c": 45, "high_c": 45.01, "run_c": 50, "days": 0.01}),
        ("reheat", {"rise_c": 0.01, "window_hours": 0.01}),
    ],
)
def test_validate_accepts_zero_where_allowed_and_just_above_zero_where_not(kind, params):
    assert th.validate(kind, params) is None


def test_number_reader():
    assert th._number({"a": 3}, "a", "p.") == 3.0 and isinstance(th._number({"a": 3}, "a", "p."), float)
    assert th._number({}, "a", "p.", required=False) is None
    assert th._number({"a": None}, "a", "p.", required=False) is None
    assert th._number({"a": 0}, "a", "p.", required=False) == 0.0
    for bad in (None, False, True, "3", [3]):
        with pytest.raises(th.CriterionError) as e:
            th._number({"a": bad}, "a", "p.")
        assert e.value.field == "p.a" and e.value.code == "criterion_number_required"
    with pytest.raises(th.CriterionError) as e:
        th._number({"a": -0.0}, "a", "p.", positive=True)
    assert e.value.code == "criterion_positive_required"
    assert th._number({"a": -5}, "a", "p.") == -5.0


# --- organisms --------------------------------------------------------------------------------------------------


def organisms(rows, temps):
    return th.judge("organisms", {"organisms": rows}, th.Batch("windrow", hourly(temps)))


def test_organism_minutes_become_hours_and_a_short_time_needs_one_hour():
    row = {"name": "S", "group": "bacteria", "temperature_c": 55, "minutes": 90}
    res = organisms([row], [56, 56])  # 2 h ≥ 90 min
    (out,) = res["organisms"]
    assert out["status"] == "inactivated" and out["reason"] == ""
    assert (out["name"], out["group"], out["temperature_c"], out["minutes"]) == ("S", "bacteria", 55, 90)
    assert out["run"]["length_hours"] == 2 and res["status"] == "met"
    (out,) = organisms([row], [56, 54])["organisms"]  # 1 h < 90 min
    assert out["status"] == "not_shown" and out["reason"] == "no_run_long_enough" and out["run"]["length_hours"] == 1
    (out,) = organisms([{**row, "minutes": 60}], [56])["organisms"]
    assert out["status"] == "inactivated"
    (out,) = organisms([{**row, "minutes": 61}], [56])["organisms"]
    assert out["status"] == "not_shown"
    (out,) = organisms([{**row, "minutes": 10}], [55])["organisms"]
    assert out["status"] == "inactivated"
    (out,) = organisms([{**row, "minutes": 10}], [54.99])["organisms"]
    assert out["status"] == "not_shown" and out["run"] is None


def test_organism_rows_without_time_unreliable_or_without_readings():
    rows = [
        {"name": "no time", "temperature_c": 55},
        {"name": "unreliable", "temperature_c": 55, "minutes": 10, "reliable": False},
        {"name": "plain", "temperature_c": 55, "minutes": 10, "reliable": True},
    ]
    res = organisms(rows, [60] * 3)
    by = {r["name"]: r for r in res["organisms"]}
    assert by["no time"]["status"] == "not_judged" and by["no time"]["reason"] == "no_time_in_source"
    assert by["no time"]["group"] == "" and by["no time"]["minutes"] is None and by["no time"]["run"] is None
    assert by["unreliable"]["status"] == "not_shown" and by["unreliable"]["reason"] == "not_reliably_inactivated"
    assert by["unreliable"]["run"] is None
    assert by["plain"]["status"] == "inactivated"
    assert res["status"] == "not_shown"  # an unreliable row never passes
    res = organisms([rows[0], rows[2]], [60] * 3)
    assert res["status"] == "met"  # the row without a time is not judged and does not count
    res = organisms([rows[0]], [60] * 3)
    assert res["status"] == "not_judged"
    res = organisms([rows[2]], [])
    assert res["organisms"][0]["status"] == "not_judged" and res["organisms"][0]["reason"] == "no_readings"
    assert res["status"] == "not_judged"


# --- PFRP ------------------------------------------------------------------------------------------------------

PFRP = {"temperature_c": 55, "days": 3, "windrow_days": 15, "windrow_turnings": 5}


def test_pfrp_vessel_run_evidence_and_rule():
    res = th.judge("pfrp", PFRP, th.Batch("in_vessel", hourly([54] + [55] * 72)))
    assert res["status"] == "met" and res["rule"] == "days_at_temperature"
    assert res["run"]["start"] == (T0 + H).isoformat() and res["run"]["length_hours"] == 72
    res = th.judge("pfrp", {**PFRP, "temperature_c": 56}, th.Batch("aerated_static_pile", hourly([55.5] * 80)))
    assert res["status"] == "not_shown" and res["run"] is None
    res = th.judge("pfrp", {**PFRP, "days": 2}, th.Batch("in_vessel", hourly([55] * 48)))
    assert res["status"] == "met"


def test_pfrp_unknown_method_is_not_judged():
    res = th.judge("pfrp", PFRP, th.Batch("heap", hourly([60] * 400)))
    assert res == {"status": "not_judged", "run": None, "reason": "method_unknown"}


def test_pfrp_windrow_turnings_inside_the_run_edges():
    readings = hourly([20] + [58] * 360 + [20])  # run from T0+1h to T0+361h
    start, end = T0 + H, T0 + 361 * H
    four = [start + dt.timedelta(days=d) for d in (2, 5, 8, 11)]
    res = th.judge("pfrp", PFRP, th.Batch("windrow", readings, four + [start]))  # at the run's start: inside
    assert res["status"] == "met" and res["turnings_in_run"] == 5 and res["rule"] == "windrow"
    assert res["run"]["length_hours"] == 360
    res = th.judge("pfrp", PFRP, th.Batch("windrow", readings, four + [end]))  # at its end: outside
    assert res["status"] == "not_shown" and res["turnings_in_run"] == 4
    res = th.judge("pfrp", PFRP, th.Batch("windrow", readings, four + [start - dt.timedelta(seconds=1)]))
    assert res["status"] == "not_shown" and res["turnings_in_run"] == 4
    res = th.judge("pfrp", {**PFRP, "windrow_turnings": 4}, th.Batch("windrow", readings, four))
    assert res["status"] == "met"
    res = th.judge("pfrp", {**PFRP, "windrow_days": 15.01}, th.Batch("windrow", readings, four + [start]))
    assert res["status"] == "not_shown" and res["run"]["length_hours"] == 360


def test_pfrp_windrow_reports_the_best_run():
    # run 1: 100 h with 3 turnings; run 2: 100 h with 4 turnings; run 3: 50 h with 5 turnings
    temps = [60] * 100 + [20] + [60] * 100 + [20] + [60] * 50
    t1 = [T0 + i * H for i in (1, 2, 3)]
    t2 = [T0 + (101 + i) * H for i in (1, 2, 3, 4)]
    t3 = [T0 + (202 + i) * H for i in (1, 2, 3, 4, 5)]
    res = th.judge("pfrp", PFRP, th.Batch("windrow", hourly(temps), t1 + t2 + t3))
    assert res["status"] == "not_shown" and res["turnings_in_run"] == 4
    assert res["run"]["start"] == (T0 + 101 * H).isoformat()
    res = th.judge("pfrp", PFRP, th.Batch("windrow", hourly(temps), t1 + t3))
    assert res["turnings_in_run"] == 3 and res["run"]["start"] == T0.isoformat()  # first of the longest
    res = th.judge("pfrp", PFRP, th.Batch("windrow", hourly([50] * 10), t1))
    assert res == {"status": "not_shown", "run": None, "turnings_in_run": 0, "rule": "windrow"}
    res = th.judge("pfrp", PFRP, th.Batch("windrow", hourly([60] * 10)))
    assert res["turnings_in_run"] == 0 and res["run"]["length_hours"] == 10


# --- comprehensive: ≥ 60 days, peak ≥ 70 °C, ≥ 6 turnings -----------------------------------------------------

COMP = {"fermentation_days": 60, "peak_c": 70, "turnings": 6}
D0 = T0.date()


def comp(days=60, peak=70.0, turnings=6, temps=None, start=D0, end="default"):
    end = D0 + dt.timedelta(days=days) if end == "default" else end
    batch = th.Batch("windrow", hourly(temps if temps is not None else [40, peak, 50]), [T0] * turnings, start, end)
    return th.judge("comprehensive", COMP, batch)


@pytest.mark.parametrize(
    "kw,status",
    [
        ({}, "met"),
        ({"days": 61, "peak": 70.1, "turnings": 7}, "met"),
        ({"days": 59}, "not_shown"),
        ({"peak": 69.99}, "not_shown"),
        ({"turnings": 5}, "not_shown"),
    ],
)
def test_comprehensive_at_below_above(kw, status):
    assert comp(**kw)["status"] == status


def test_comprehensive_checks_report_value_limit_and_ok():
    res = comp(days=59, peak=71, turnings=6)
    assert res["checks"] == {
        "fermentation_days": {"value": 59, "limit": 60, "ok": False},
        "peak_c": {"value": 71.0, "limit": 70, "ok": True},
        "turnings": {"value": 6, "limit": 6, "ok": True},
    }
    assert res["run"] is None


def test_comprehensive_without_an_end_date_uses_the_last_reading_day():
    temps = [70] + [None] * (60 * 24 - 1) + [50]  # last reading on day 61 (60 days after the start)
    assert comp(temps=temps, end=None)["status"] == "met"
    assert comp(temps=temps, end=None)["checks"]["fermentation_days"]["value"] == 60
    temps = [70] + [None] * (60 * 24 - 2) + [50]  # last reading at 23:00 of day 60
    assert comp(temps=temps, end=None)["checks"]["fermentation_days"]["value"] == 59
    assert comp(temps=temps, end=None)["status"] == "not_shown"


def test_comprehensive_not_judged_without_start_or_readings():
    res = comp(start=None)
    assert res["status"] == "not_judged" and res["checks"]["fermentation_days"]["value"] is None
    assert res["checks"]["fermentation_days"]["ok"] is False
    res = comp(temps=[])
    assert res["status"] == "not_judged" and res["checks"]["peak_c"] == {"value": None, "limit": 70, "ok": False}
    res = comp(temps=[], end=None)
    assert res["status"] == "not_judged" and res["checks"]["fermentation_days"]["value"] is None


# --- municipal waste compost: 45–70 °C, ≥ 50 °C for 7 days -----------------------------------------------------

MSW = {"low_c": 45, "high_c": 70, "run_c": 50, "days": 7}


def msw(temps):
    return th.judge("msw_window", MSW, th.Batch("windrow", hourly(temps)))


def test_msw_run_at_below_above():
    assert msw([50] * 168)["status"] == "met"
    assert msw([50] * 167)["status"] == "not_shown"
    assert msw([49.99] * 200)["status"] == "not_shown"
    res = msw([49.99] * 200)
    assert res["run"] is None and res["outside"] is None


def test_msw_band_edges_inside_the_window():
    assert msw([45, 70] + [55] * 168)["status"] == "met"
    res = msw([45, 70.01] + [55] * 168)
    assert res["status"] == "not_shown"
    assert res["outside"] == {"hour": (T0 + H).isoformat(), "temperature_c": 70.01}
    assert res["run"]["start"] == (T0 + H).isoformat()  # 70.01 is ≥ 50: it opens the run
    res = msw([45, 44.99] + [55] * 168)
    assert res["status"] == "not_shown" and res["outside"]["temperature_c"] == 44.99


def test_msw_window_is_from_the_first_hour_at_45_to_the_end_of_the_run():
    # before the first hour ≥ 45 and after the run's end nothing counts
    res = msw([20, 44.99, 45] + [55] * 168 + [40, 80])
    assert res["status"] == "met" and res["outside"] is None
    assert res["run"]["start"] == (T0 + 3 * H).isoformat() and res["run"]["length_hours"] == 168
    # the last hour of the run is inside the window
    res = msw([46] + [55] * 167 + [71])
    assert res["status"] == "not_shown" and res["outside"] == {"hour": (T0 + 168 * H).isoformat(), "temperature_c": 71}
    # an hour below 45 between the first hour at 45 and the run is inside the window too
    res = msw([45, 44.99, 45] + [55] * 168)
    assert res["status"] == "not_shown" and res["outside"]["hour"] == (T0 + H).isoformat()


# --- re-heating after a turning ---------------------------------------------------------------------------------

REHEAT = {"rise_c": 5, "window_hours": 72}


def reheat(temps, turnings, params=REHEAT):
    return th.judge("reheat", params, th.Batch("windrow", hourly(temps), turnings))


def test_reheat_rise_at_below_above():
    for after, status in ((55.0, "reheated"), (54.99, "not_reheated"), (55.01, "reheated"), (50, "not_reheated")):
        res = reheat([50] * 5 + [after] * 5, [T0 + 4 * H + dt.timedelta(minutes=10)])
        (t,) = res["turnings"]
        assert t["status"] == status and t["before_c"] == 50 and t["peak_after_c"] == after
        assert t["time"] == (T0 + 4 * H + dt.timedelta(minutes=10)).isoformat()
        assert res["status"] == ("met" if status == "not_reheated" else "not_shown") and res["run"] is None


def test_reheat_uses_the_reading_of_the_turnings_hour_as_before_and_the_peak_after():
    temps = [40, 50, 52, 58, 53]
    res = reheat(temps, [T0 + H])  # the hour read at the turning counts as before it
    assert res["turnings"][0]["before_c"] == 50 and res["turnings"][0]["peak_after_c"] == 58


@pytest.mark.parametrize("hours_after,status", [(72, "reheated"), (73, "not_reheated")])
def test_reheat_window_edge(hours_after, status):
    temps = [50] + [50] * (hours_after - 1) + [60]
    res = reheat(temps, [T0])
    assert res["turnings"][0]["status"] == status


def test_reheat_window_is_a_parameter():
    temps = [50] * 10 + [60]
    assert reheat(temps, [T0], {"rise_c": 5, "window_hours": 10})["turnings"][0]["status"] == "reheated"
    assert reheat(temps, [T0], {"rise_c": 5, "window_hours": 9})["turnings"][0]["status"] == "not_reheated"
    assert reheat(temps, [T0], {"rise_c": 10, "window_hours": 10})["turnings"][0]["status"] == "reheated"
    assert reheat(temps, [T0], {"rise_c": 10.01, "window_hours": 10})["turnings"][0]["status"] == "not_reheated"


@pytest.mark.parametrize("hours_before,judged", [(0, True), (6, True), (6.99, True), (7, False), (8, False)])
def test_reheat_needs_a_reading_within_the_gap_before(hours_before, judged):
    turning = T0 + dt.timedelta(hours=hours_before)
    readings = [(T0, "p", 50.0), (turning + 2 * H, "p", 60.0)]
    res = th.judge("reheat", REHEAT, th.Batch("windrow", readings, [turning]))
    (t,) = res["turnings"]
    assert (t["status"] != "not_judged") is judged
    if not judged:
        assert t == {"time": turning.isoformat(), "status": "not_judged", "before_c": None, "peak_after_c": None}
        assert res["status"] == "not_judged"


def test_reheat_the_last_turning_decides_in_time_order():
    temps = [50] * 10 + [60] * 10 + [60] * 100
    first, last = T0 + 5 * H, T0 + 50 * H  # first re-heats, the last does not
    for order in ([first, last], [last, first]):
        res = reheat(temps, order)
        assert [t["status"] for t in res["turnings"]] == ["reheated", "not_reheated"]
        assert res["status"] == "met"
    temps = [60] * 20 + [50] * 10 + [60] * 10
    res = reheat(temps, [T0 + 5 * H, T0 + 25 * H])
    assert [t["status"] for t in res["turnings"]] == ["not_reheated", "reheated"] and res["status"] == "not_shown"


def test_reheat_last_turning_without_readings_after_is_not_judged():
    res = reheat([50] * 10, [T0 + 2 * H, T0 + 9 * H])
    assert [t["status"] for t in res["turnings"]] == ["not_reheated", "not_judged"]
    assert res["status"] == "not_judged"
    assert reheat([50] * 10, [])["status"] == "not_judged"


# --- judge ----------------------------------------------------------------------------------------------------


def test_judge_without_readings():
    for kind, params in (
        ("time_at_temperature", {"temperature_c": 55, "hours": 1}),
        ("pfrp", PFRP),
        ("msw_window", MSW),
    ):
        assert th.judge(kind, params, th.Batch("in_vessel", [])) == {
            "status": "not_judged",
            "run": None,
            "reason": "no_readings",
        }


def test_judge_time_at_temperature():
    res = th.judge("time_at_temperature", {"temperature_c": 60, "hours": 48}, th.Batch("windrow", hourly([60] * 48)))
    assert res == {"status": "met", "run": th.find_runs(hours_of([60] * 48), 60)[0].as_dict()}
    res = th.judge("time_at_temperature", {"temperature_c": 60, "hours": 48}, th.Batch("windrow", hourly([60] * 47)))
    assert res["status"] == "not_shown" and res["run"]["length_hours"] == 47


SPEC_T = [45, 50, 55, 60, 70]


@settings(deadline=None)
@given(
    st.lists(st.sampled_from([None, 44.99, 45, 49.99, 50, 54.99, 55, 59.99, 60, 69.99, 70, 70.01]), max_size=40),
    st.sampled_from(SPEC_T),
)
def test_runs_from_readings_equal_runs_from_governing_hours(temps, threshold):
    """Two probes, one always colder: the runs of the readings are the runs of the colder probe alone."""
    readings = hourly(temps, probe="cold") + hourly([None if t is None else t + 3 for t in temps], probe="warm")
    both = th.find_runs(th.governing_hours(readings), threshold)
    cold = th.find_runs(th.governing_hours(hourly(temps, probe="cold")), threshold)
    assert both == cold
    for r in both:
        assert r.minimum_c >= threshold


# --- evidence at the edges the earlier tests left open ------------------------------------------------------------


def test_comprehensive_without_an_end_date_reads_the_last_of_many_readings():
    temps = [70, 60] + [None] * (60 * 24 - 2) + [50]  # readings at hours 0, 1 and 1440 (day 60)
    res = comp(temps=temps, end=None)
    assert res["checks"]["fermentation_days"]["value"] == 60 and res["status"] == "met"


def test_comprehensive_not_judged_keeps_the_evidence_shape():
    res = comp(start=None)
    assert set(res) == {"status", "checks", "run"} and res["run"] is None


def test_msw_first_hour_above_the_band_is_outside_the_window():
    res = msw([72] + [55] * 168)
    assert res["status"] == "not_shown" and res["outside"] == {"hour": T0.isoformat(), "temperature_c": 72}


def test_msw_not_met_reports_the_longest_run():
    res = msw([55] * 100 + [40] + [55] * 20)
    assert res["status"] == "not_shown" and res["outside"] is None
    assert res["run"]["start"] == T0.isoformat() and res["run"]["length_hours"] == 100


def test_pfrp_windrow_reports_the_first_of_equal_best_runs():
    temps = [60] * 100 + [20] + [60] * 100
    turnings = [T0 + 1 * H, T0 + 2 * H, T0 + 102 * H, T0 + 103 * H]
    res = th.judge("pfrp", PFRP, th.Batch("windrow", hourly(temps), turnings))
    assert res["status"] == "not_shown" and res["turnings_in_run"] == 2
    assert res["run"]["start"] == T0.isoformat()


def test_reheat_a_turning_not_judged_does_not_stop_the_later_ones():
    temps = [None] * 20 + [50] * 10 + [60] * 10  # nothing before the first turning
    res = reheat(temps, [T0 + 5 * H, T0 + 25 * H])
    assert [t["status"] for t in res["turnings"]] == ["not_judged", "reheated"]
    assert res["status"] == "not_shown"
