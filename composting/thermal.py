"""Governing temperature, time at temperature and the §9 criteria (DOMAIN.md §9). Pure: no Django import.

Readings are ``(time, probe, temperature_c)``; the governing temperature of an hour is the lowest probe read in it.
A run is a maximal sequence of hours with readings, each at or above a threshold, bridging gaps of up to
``max_gap_hours`` missing hours; its length runs from the start of its first hour to the end of its last hour.
Criteria are data (``kind`` + ``params``); :func:`judge` dispatches on the kind.
"""

import datetime
from dataclasses import dataclass, field

HOUR = datetime.timedelta(hours=1)
MAX_GAP_HOURS = 6  # [lab policy] a gap of more missing hours breaks every run
REHEAT_RISE_C = 5.0  # [lab policy] a turning re-heats the pile when it rises this much ...
REHEAT_WINDOW_HOURS = 72  # ... within this many hours after it

MET, NOT_SHOWN, NOT_JUDGED = "met", "not_shown", "not_judged"
INACTIVATED = "inactivated"
KINDS = ("organisms", "time_at_temperature", "pfrp", "comprehensive", "msw_window", "reheat")
METHODS = ("windrow", "aerated_static_pile", "in_vessel")


class CriterionError(ValueError):
    """Criterion parameters that cannot be judged; ``field`` names the parameter, ``code`` the rule."""

    def __init__(self, field, code, message):
        super().__init__(message)
        self.field, self.code, self.message = field, code, message


def hour_of(t):
    return t.replace(minute=0, second=0, microsecond=0)


def governing_hours(readings):
    """[(hour start, lowest temperature in it)], oldest first. ``readings``: iterable of (time, probe, °C)."""
    lowest = {}
    for t, _probe, temp in readings:
        h = hour_of(t)
        temp = float(temp)
        if h not in lowest or temp < lowest[h]:
            lowest[h] = temp
    return sorted(lowest.items())


@dataclass(frozen=True)
class Run:
    start: datetime.datetime
    end: datetime.datetime
    hours: int  # hours with readings inside the run
    minimum_c: float

    @property
    def length_hours(self):
        return (self.end - self.start).total_seconds() / 3600

    def as_dict(self):
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "length_hours": round(self.length_hours, 3),
            "hours_with_readings": self.hours,
            "minimum_c": self.minimum_c,
        }


def find_runs(hours, threshold, max_gap_hours=MAX_GAP_HOURS):
    """Every maximal run at or above ``threshold`` in governing ``hours`` (sorted [(hour, °C)])."""
    runs, current = [], None
    limit = datetime.timedelta(hours=max_gap_hours + 1)
    for h, temp in hours:
        if temp >= threshold:
            if current is not None and h - current[1] <= limit:
                current = [current[0], h, current[2] + 1, min(current[3], temp)]
            else:
                if current is not None:
                    runs.append(current)
                current = [h, h, 1, temp]
        elif current is not None:
            runs.append(current)
            current = None
    if current is not None:
        runs.append(current)
    return [Run(s, last + HOUR, n, m) for s, last, n, m in runs]


def time_at_temperature(hours, threshold, duration_hours, max_gap_hours=MAX_GAP_HOURS):
    """(met, run): the first run at least ``duration_hours`` long, else (False, the longest run or None)."""
    runs = find_runs(hours, threshold, max_gap_hours)
    for run in runs:
        if run.length_hours >= duration_hours:
            return True, run
    return False, max(runs, key=lambda r: r.length_hours, default=None)


# --- criteria -----------------------------------------------------------------------------------------


@dataclass
class Batch:
    """What the criteria need to know about a batch."""

    method: str
    readings: list  # [(time, probe, °C)]
    turnings: list = field(default_factory=list)  # [time]
    start: datetime.date | None = None
    end: datetime.date | None = None


def _number(params, key, field_prefix, *, required=True, positive=False):
    value = params.get(key)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise CriterionError(f"{field_prefix}{key}", "criterion_number_required", f"{key} must be a number")
    if positive and value <= 0:
        raise CriterionError(f"{field_prefix}{key}", "criterion_positive_required", f"{key} must be above 0")
    return float(value)


def validate(kind, params):
    """Raise :class:`CriterionError` unless ``params`` can be judged as ``kind``."""
    if kind not in KINDS:
        raise CriterionError("kind", "criterion_kind_unknown", f"kind must be one of {', '.join(KINDS)}")
    if not isinstance(params, dict):
        raise CriterionError("params", "criterion_params_object", "params must be an object")
    if kind == "organisms":
        rows = params.get("organisms")
        if not isinstance(rows, list) or not rows:
            raise CriterionError("params.organisms", "criterion_organisms_list", "organisms must be a non-empty list")
        for i, row in enumerate(rows):
            p = f"params.organisms.{i}."
            if not isinstance(row, dict) or not str(row.get("name", "")).strip():
                raise CriterionError(f"{p}name", "criterion_organism_name", "every organism needs a name")
            _number(row, "temperature_c", p)
            _number(row, "minutes", p, required=False, positive=True)
    elif kind == "time_at_temperature":
        _number(params, "temperature_c", "params.")
        _number(params, "hours", "params.", positive=True)
    elif kind == "pfrp":
        for key in ("temperature_c", "days", "windrow_days", "windrow_turnings"):
            _number(params, key, "params.")
    elif kind == "comprehensive":
        for key in ("fermentation_days", "peak_c", "turnings"):
            _number(params, key, "params.")
    elif kind == "msw_window":
        low, high = _number(params, "low_c", "params."), _number(params, "high_c", "params.")
        _number(params, "run_c", "params.")
        _number(params, "days", "params.", positive=True)
        if low >= high:
            raise CriterionError("params.high_c", "criterion_band_order", "high_c must be above low_c")
    elif kind == "reheat":
        _number(params, "rise_c", "params.", positive=True)
        _number(params, "window_hours", "params.", positive=True)


def _status_of_run(met, run):
    return {"status": MET if met else NOT_SHOWN, "run": run.as_dict() if run else None}


def judge_organisms(hours, params):
    rows = []
    for row in params["organisms"]:
        out = {
            "name": row["name"],
            "group": row.get("group", ""),
            "temperature_c": row["temperature_c"],
            "minutes": row.get("minutes"),
            "run": None,
        }
        if row.get("minutes") is None:
            out.update(status=NOT_JUDGED, reason="no_time_in_source")
        elif row.get("reliable", True) is False:
            out.update(status=NOT_SHOWN, reason="not_reliably_inactivated")
        elif not hours:
            out.update(status=NOT_JUDGED, reason="no_readings")
        else:
            met, run = time_at_temperature(hours, float(row["temperature_c"]), float(row["minutes"]) / 60)
            out.update(
                status=INACTIVATED if met else NOT_SHOWN,
                reason="" if met else "no_run_long_enough",
                run=run.as_dict() if run else None,
            )
        rows.append(out)
    judged = [r for r in rows if r["status"] != NOT_JUDGED]
    if not judged:
        status = NOT_JUDGED
    else:
        status = MET if all(r["status"] == INACTIVATED for r in judged) else NOT_SHOWN
    return {"status": status, "organisms": rows}


def judge_pfrp(hours, batch, params):
    t = float(params["temperature_c"])
    if batch.method in ("in_vessel", "aerated_static_pile"):
        met, run = time_at_temperature(hours, t, float(params["days"]) * 24)
        return {**_status_of_run(met, run), "rule": "days_at_temperature"}
    if batch.method != "windrow":
        return {"status": NOT_JUDGED, "run": None, "reason": "method_unknown"}
    need_h, need_turnings = float(params["windrow_days"]) * 24, int(params["windrow_turnings"])
    runs = find_runs(hours, t)
    best, best_turnings = None, -1
    for run in runs:
        inside = sum(1 for x in batch.turnings if run.start <= x < run.end)
        if run.length_hours >= need_h and inside >= need_turnings:
            return {"status": MET, "run": run.as_dict(), "turnings_in_run": inside, "rule": "windrow"}
        if best is None or (run.length_hours, inside) > (best.length_hours, best_turnings):
            best, best_turnings = run, inside
    return {
        "status": NOT_SHOWN,
        "run": best.as_dict() if best else None,
        "turnings_in_run": max(best_turnings, 0),
        "rule": "windrow",
    }


def judge_comprehensive(hours, batch, params):
    end = batch.end or (hours[-1][0].date() if hours else None)
    days = (end - batch.start).days if (batch.start and end) else None
    peak = max((temp for _, temp in hours), default=None)
    turnings = len(batch.turnings)
    checks = {
        "fermentation_days": {
            "value": days,
            "limit": params["fermentation_days"],
            "ok": days is not None and days >= params["fermentation_days"],
        },
        "peak_c": {"value": peak, "limit": params["peak_c"], "ok": peak is not None and peak >= params["peak_c"]},
        "turnings": {"value": turnings, "limit": params["turnings"], "ok": turnings >= params["turnings"]},
    }
    if days is None or peak is None:
        return {"status": NOT_JUDGED, "checks": checks, "run": None}
    return {"status": MET if all(c["ok"] for c in checks.values()) else NOT_SHOWN, "checks": checks, "run": None}


def judge_msw_window(hours, params):
    low, high = float(params["low_c"]), float(params["high_c"])
    met, run = time_at_temperature(hours, float(params["run_c"]), float(params["days"]) * 24)
    if not met:
        return {**_status_of_run(False, run), "outside": None}
    first = next(h for h, temp in hours if temp >= low)
    for h, temp in hours:
        if first <= h < run.end and not (low <= temp <= high):
            return {
                "status": NOT_SHOWN,
                "run": run.as_dict(),
                "outside": {"hour": h.isoformat(), "temperature_c": temp},
            }
    return {"status": MET, "run": run.as_dict(), "outside": None}


def judge_reheat(hours, batch, params):
    rise, window = float(params["rise_c"]), datetime.timedelta(hours=float(params["window_hours"]))
    gap = datetime.timedelta(hours=MAX_GAP_HOURS + 1)
    out = []
    for t in sorted(batch.turnings):
        before = [(h, temp) for h, temp in hours if h <= t and t - h < gap]
        after = [temp for h, temp in hours if t < h <= t + window]
        if not before or not after:
            out.append({"time": t.isoformat(), "status": NOT_JUDGED, "before_c": None, "peak_after_c": None})
            continue
        base, peak = before[-1][1], max(after)
        out.append(
            {
                "time": t.isoformat(),
                "before_c": base,
                "peak_after_c": peak,
                "status": "reheated" if peak - base >= rise else "not_reheated",
            }
        )
    if not out or out[-1]["status"] == NOT_JUDGED:
        status = NOT_JUDGED
    else:
        status = MET if out[-1]["status"] == "not_reheated" else NOT_SHOWN
    return {"status": status, "turnings": out, "run": None}


def judge(kind, params, batch, hours=None):
    """Judge one criterion on a batch -> dict with ``status`` (met / not_shown / not_judged) and its evidence.
    ``hours``: the batch's governing hours when already computed (they are derived from ``batch.readings``)."""
    validate(kind, params)
    if hours is None:
        hours = governing_hours(batch.readings)
    if kind == "organisms":
        return judge_organisms(hours, params)
    if kind == "reheat":
        return judge_reheat(hours, batch, params)
    if kind == "comprehensive":
        return judge_comprehensive(hours, batch, params)
    if not hours:
        return {"status": NOT_JUDGED, "run": None, "reason": "no_readings"}
    if kind == "time_at_temperature":
        met, run = time_at_temperature(hours, float(params["temperature_c"]), float(params["hours"]))
        return _status_of_run(met, run)
    if kind == "pfrp":
        return judge_pfrp(hours, batch, params)
    return judge_msw_window(hours, params)
