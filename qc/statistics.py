"""Quality-control statistics of DOMAIN.md §13. Pure, no Django import.

Every limit is an argument (lab policy is data, kept in ``qc.models.QcLimits``); the defaults
below are the lab-policy defaults of §13 and are used only when the lab has set nothing.

Judgements are :class:`Judgement` values: a status (``pass`` / ``warning`` / ``fail``), a stable
snake_case ``code`` and the figures behind it (``params``); the message shown to a person is made
from the code in ``qc.messages`` (translated there).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from statistics import fmean, stdev

PASS, WARNING, FAIL = "pass", "warning", "fail"
DEFAULT_RPD_LIMIT_PCT = 10.0  # duplicate RPD limit [lab policy]
DEFAULT_SPIKE_LOW_PCT = 80.0  # spike recovery range [lab policy]
DEFAULT_SPIKE_HIGH_PCT = 120.0
CHART_BASELINE_POINTS = 20  # centre and s from the first 20 accepted results
MIN_BLANK_REPLICATES = 7  # LOD/LOQ from at least 7 blank replicates
LOD_FACTOR, LOQ_FACTOR = 3.0, 10.0
COVERAGE_FACTOR = 2.0  # U = k·u_c, k = 2


class QcError(ValueError):
    """A figure cannot be computed from these inputs (``code`` names the rule, ``field`` the input)."""

    def __init__(self, code, field, message):
        self.code, self.field = code, field
        super().__init__(message)


@dataclass(frozen=True)
class Judgement:
    status: str  # pass | warning | fail
    code: str  # stable snake_case reason
    params: dict = field(default_factory=dict)

    def as_dict(self):
        return {"status": self.status, "code": self.code, "params": dict(self.params)}


def _finite(value, name):
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise QcError("not_a_number", name, f"{name} must be a finite number")
    return float(value)


def _r(x):
    """Figures compared with a limit are rounded to 9 decimals, so a value on a line (RPD exactly 10 %,
    recovery exactly 80 %, z exactly 3) is on it, not beyond it by a binary rounding error of 1e-15."""
    return round(x, 9)


# --------------------------------------------------------------------------- QC items


def rpd(a, b):
    """Relative percent difference |a − b| / ((a + b)/2) × 100. Two zeros agree (0 %); a zero mean
    of different values has no RPD."""
    a, b = _finite(a, "a"), _finite(b, "b")
    if a == b:
        return 0.0
    mean = (a + b) / 2
    if mean == 0:
        raise QcError("zero_mean", "b", "RPD is undefined when the mean of the duplicates is zero")
    return _r(abs(a - b) / abs(mean) * 100)


def judge_duplicate(a, b, limit_pct=DEFAULT_RPD_LIMIT_PCT):
    value = rpd(a, b)
    limit = _finite(limit_pct, "limit_pct")
    if value <= limit:
        return Judgement(PASS, "rpd_within_limit", {"rpd": value, "limit": limit})
    return Judgement(FAIL, "rpd_above_limit", {"rpd": value, "limit": limit})


def recovery_pct(x, x_ref):
    """Recovery of a reference material: x / x_ref × 100."""
    x, x_ref = _finite(x, "value"), _finite(x_ref, "assigned_value")
    if x_ref == 0:
        raise QcError("zero_assigned_value", "assigned_value", "recovery needs a non-zero assigned value")
    return _r(x / x_ref * 100)


def z_score(x, centre, s):
    x, centre, s = _finite(x, "value"), _finite(centre, "centre"), _finite(s, "s")
    if s <= 0:
        raise QcError("s_not_positive", "s", "s must be > 0")
    return _r((x - centre) / s)


def judge_reference(x, x_ref, s):
    """A reference result against its assigned value and the chart's s: |z| ≤ 2 pass,
    2 < |z| ≤ 3 warning, |z| > 3 fail."""
    z = z_score(x, x_ref, s)
    params = {"z": z, "recovery": recovery_pct(x, x_ref) if x_ref else None}
    if abs(z) > 3:
        return Judgement(FAIL, "reference_beyond_3s", params)
    if abs(z) > 2:
        return Judgement(WARNING, "reference_beyond_2s", params)
    return Judgement(PASS, "reference_within_2s", params)


def spike_recovery_pct(spiked, unspiked, added):
    """(spiked − unspiked) / added × 100."""
    spiked, unspiked, added = _finite(spiked, "spiked"), _finite(unspiked, "unspiked"), _finite(added, "added")
    if added <= 0:
        raise QcError("added_not_positive", "added", "the amount added must be > 0")
    return _r((spiked - unspiked) / added * 100)


def judge_spike(spiked, unspiked, added, low_pct=DEFAULT_SPIKE_LOW_PCT, high_pct=DEFAULT_SPIKE_HIGH_PCT):
    value = spike_recovery_pct(spiked, unspiked, added)
    low, high = _finite(low_pct, "low_pct"), _finite(high_pct, "high_pct")
    params = {"recovery": value, "low": low, "high": high}
    if low <= value <= high:
        return Judgement(PASS, "spike_within_range", params)
    return Judgement(FAIL, "spike_outside_range", params)


def judge_blank(value, loq):
    """A blank passes when its value is below the LOQ of the method and parameter."""
    value = _finite(value, "value")
    if loq is None:
        return Judgement(WARNING, "loq_not_set", {"value": value})
    loq = _finite(loq, "loq")
    if value < loq:
        return Judgement(PASS, "blank_below_loq", {"value": value, "loq": loq})
    return Judgement(FAIL, "blank_at_or_above_loq", {"value": value, "loq": loq})


# --------------------------------------------------------------------------- control charts


def chart_parameters(accepted_values, n=CHART_BASELINE_POINTS):
    """Centre (mean) and s (sample standard deviation) of the first ``n`` accepted results, or None
    while fewer than ``n`` exist (the lab may set centre and s itself meanwhile)."""
    values = [_finite(v, "value") for v in accepted_values[:n]]
    if len(values) < n or n < 2:
        return None
    s = stdev(values)
    if s == 0:
        raise QcError("s_not_positive", "s", "the first results are all equal: s is 0, set centre and s by hand")
    return fmean(values), s


RULES = ("1_2s", "1_3s", "2_2s", "R_4s", "4_1s", "10_x")
REJECT_RULES = frozenset({"1_3s", "2_2s", "R_4s", "4_1s", "10_x"})


def westgard(series, centre, s):
    """Westgard rules on a chronological series of ``(value, run)`` of one chart.

    Returns one list of violated rule names per point, each evaluated on the series up to and
    including that point (as when the point was entered). ``1_2s`` is a warning; the others reject.
    "Beyond" is strict: a point exactly on a line is not beyond it. R_4s looks only at points of
    the same run on this chart; a run spanning two charts is judged on each chart separately.
    """
    zs = [z_score(v, centre, s) for v, _ in series]
    runs = [r for _, r in series]
    out = []
    for i, z in enumerate(zs):
        hit = []
        if abs(z) > 2:
            hit.append("1_2s")
        if abs(z) > 3:
            hit.append("1_3s")
        if i >= 1 and ((z > 2 and zs[i - 1] > 2) or (z < -2 and zs[i - 1] < -2)):
            hit.append("2_2s")
        if abs(z) > 2:
            same_run = [zs[j] for j in range(i) if runs[j] == runs[i] and runs[i] is not None]
            if any(o * z < 0 and abs(o) > 2 for o in same_run):
                hit.append("R_4s")
        if i >= 3:
            last = zs[i - 3 : i + 1]
            if all(v > 1 for v in last) or all(v < -1 for v in last):
                hit.append("4_1s")
        if i >= 9:
            last = zs[i - 9 : i + 1]
            if all(v > 0 for v in last) or all(v < 0 for v in last):
                hit.append("10_x")
        out.append(hit)
    return out


def is_reject(violations):
    return any(rule in REJECT_RULES for rule in violations)


# --------------------------------------------------------------------------- uncertainty (Nordtest TR 537)


@dataclass(frozen=True)
class Uncertainty:
    u_rw_pct: float  # within-lab reproducibility, relative s of the reference results
    rms_bias_pct: float  # root mean square of the relative biases
    u_cref_pct: float  # relative standard uncertainty of the reference value(s)
    u_bias_pct: float
    u_c_pct: float
    expanded_pct: float  # U, k = 2
    n: int = 0

    def as_dict(self):
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def combine_uncertainty(u_rw_pct, rms_bias_pct, u_cref_pct, n=0):
    """u(bias) = √(RMS_bias² + u(Cref)²); u_c = √(u(Rw)² + u(bias)²); U = 2·u_c (all relative, %)."""
    u_rw, rms, u_cref = (
        _finite(x, name)
        for x, name in ((u_rw_pct, "u_rw_pct"), (rms_bias_pct, "rms_bias_pct"), (u_cref_pct, "u_cref_pct"))
    )
    for x, name in ((u_rw, "u_rw_pct"), (rms, "rms_bias_pct"), (u_cref, "u_cref_pct")):
        if x < 0:
            raise QcError("negative", name, f"{name} must be ≥ 0")
    u_bias = math.hypot(rms, u_cref)
    u_c = math.hypot(u_rw, u_bias)
    return Uncertainty(u_rw, rms, u_cref, u_bias, u_c, COVERAGE_FACTOR * u_c, n)


def nordtest(results):
    """U from reference results on charts: ``results`` is a list of ``(value, assigned_value,
    u_cref_pct)``. u(Rw) is the relative s of the results (each relative to its assigned value, so
    several reference materials pool); RMS_bias the RMS of the relative biases; u(Cref) the RMS of
    the references' relative standard uncertainties. Needs at least two results."""
    if len(results) < 2:
        raise QcError("too_few_results", "results", "the uncertainty needs at least two reference results")
    rel, u_crefs = [], []
    for value, assigned, u_cref in results:
        rel.append(recovery_pct(value, assigned) - 100.0)
        u_crefs.append(_finite(u_cref, "u_cref_pct"))
    u_rw = stdev(rel)
    rms_bias = math.sqrt(fmean([b * b for b in rel]))
    u_cref = math.sqrt(fmean([u * u for u in u_crefs]))
    return combine_uncertainty(u_rw, rms_bias, u_cref, n=len(results))


def detection_limits(blanks):
    """LOD = 3 s and LOQ = 10 s of at least 7 blank replicates."""
    values = [_finite(v, "blanks") for v in blanks]
    if len(values) < MIN_BLANK_REPLICATES:
        raise QcError(
            "too_few_blanks",
            "blanks",
            f"LOD/LOQ need at least {MIN_BLANK_REPLICATES} blank replicates, got {len(values)}",
        )
    s = stdev(values)
    return LOD_FACTOR * s, LOQ_FACTOR * s


def below_lod(value, lod):
    """True when a value is reported as ``< LOD`` (strictly below the LOD)."""
    return lod is not None and _finite(value, "value") < _finite(lod, "lod")


def absolute_uncertainty(value, expanded_pct):
    """U in the unit of the value from a relative U (%)."""
    return abs(_finite(value, "value")) * _finite(expanded_pct, "expanded_pct") / 100
