"""Rule set ``ccqc_2001``: the California Compost Quality Council maturity index (DOMAIN.md §12). Pure.

The table of §12 is rule data (:data:`CCQC_2001`), not code: each test names
its group (A stability, B maturity), the parameter it reads, which way is
better, and the two thresholds that separate its three classes
(``very_mature``, ``mature``, ``immature``) with the comparison each uses,
so the edges of the table are explicit (``< 2`` very mature, ``2–4`` mature,
``> 4`` immature reads as ``value < 2`` and ``value ≤ 4``).

Verdict: the C/N gate first (C/N ≤ 25, else ``immature``; no C/N ->
``incomplete``); then per group the most conservative class of its tests;
no A or no B result -> ``incomplete``; both very mature -> ``very_mature``;
both at least mature -> ``mature``; else ``immature``.
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass

from lims.messages import Message, gettext_noop

CLASSES = ("very_mature", "mature", "immature")  # best first
_RANK = {c: i for i, c in enumerate(CLASSES)}  # higher = more conservative
VERDICTS = ("very_mature", "mature", "immature", "incomplete")
GROUPS = ("A", "B")

_OPS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


@dataclass(frozen=True)
class Threshold:
    op: str  # "<", "<=", ">", ">="
    limit: float

    def met(self, value: float) -> bool:
        return _OPS[self.op](value, self.limit)

    def text(self) -> str:
        return f"{_SYMBOL[self.op]} {_num(self.limit)}"


_SYMBOL = {"<": "<", "<=": "≤", ">": ">", ">=": "≥"}


@dataclass(frozen=True)
class CcqcTest:
    """One row of the §12 table."""

    indicator: str  # key in verdicts and on the pages
    group: str  # "A" (stability) | "B" (maturity)
    parameter: str  # the result it reads (a §3 / §12 parameter key)
    unit: str
    very_mature: Threshold  # met -> very_mature
    mature: Threshold  # else met -> mature; else immature

    def classify(self, value: float) -> tuple[str, Threshold | None]:
        """(class, the threshold it met; None for immature)."""
        if self.very_mature.met(value):
            return "very_mature", self.very_mature
        if self.mature.met(value):
            return "mature", self.mature
        return "immature", None

    def criterion(self) -> Message:
        unit = f" {self.unit}" if self.unit else ""
        return Message(
            self.indicator,
            gettext_noop("very mature %(very_mature)s, mature %(mature)s, else immature"),
            very_mature=self.very_mature.text() + unit,
            mature=self.mature.text() + unit,
        )


@dataclass(frozen=True)
class CcqcRules:
    code: str
    cn_gate: Threshold  # C/N must meet it, else immature
    tests: tuple[CcqcTest, ...]


T = Threshold
CCQC_2001 = CcqcRules(
    code="ccqc_2001",
    cn_gate=T("<=", 25.0),
    tests=(
        CcqcTest("co2_evolution", "A", "co2_c_mg_per_g_om_day", "mg CO₂-C/g OM/day", T("<", 2.0), T("<=", 4.0)),
        CcqcTest("solvita_co2", "A", "solvita_co2", "", T(">=", 7.0), T(">=", 5.0)),
        CcqcTest("dewar_rise", "A", "dewar_rise_c", "°C", T("<", 10.0), T("<=", 20.0)),
        CcqcTest("nh4_n", "B", "nh4_n_mg_kg", "mg/kg", T("<", 75.0), T("<=", 500.0)),
        CcqcTest("nh4_no3_ratio", "B", "nh4_no3_ratio", "", T("<", 0.5), T("<=", 3.0)),
        CcqcTest("solvita_nh3", "B", "solvita_nh3", "", T(">=", 5.0), T(">=", 4.0)),
        CcqcTest("germination", "B", "relative_germination_pct", "% of control", T(">", 90.0), T(">=", 80.0)),
    ),
)
INDICATORS = ("cn_ratio",) + tuple(t.indicator for t in CCQC_2001.tests)
PARAMETERS = ("cn_ratio",) + tuple(t.parameter for t in CCQC_2001.tests)


def _num(x) -> str:
    x = float(x)
    return str(int(x)) if x.is_integer() else repr(x)


def _present(x):
    """A number, or None when absent; whole-number counts (Solvita colour numbers) stay int."""
    if x is None or isinstance(x, bool):
        return None
    if isinstance(x, int) or (
        hasattr(x, "is_integer") and getattr(x, "dtype", None) is not None and x.dtype.kind in "iu"
    ):
        return int(x)
    x = float(x)
    return None if math.isnan(x) else x


def group_class(classes: list[str]) -> str | None:
    """The most conservative class of a group's results; None when it has none."""
    return max(classes, key=_RANK.__getitem__) if classes else None


def verdict_of(cn_status: str, group_a: str | None, group_b: str | None) -> str:
    """§12: gate, then incomplete, very_mature, mature, immature."""
    if cn_status == "immature":
        return "immature"
    if cn_status != "mature" or group_a is None or group_b is None:
        return "incomplete"
    if group_a == group_b == "very_mature":
        return "very_mature"
    if _RANK[group_a] <= _RANK["mature"] and _RANK[group_b] <= _RANK["mature"]:
        return "mature"
    return "immature"


def judge_ccqc(values: dict, invalid: frozenset | set = frozenset(), rules: CcqcRules = CCQC_2001) -> dict:
    """Judge one sample.

    ``values``: parameter key -> number (absent or None = no result).
    ``invalid``: parameter keys whose assay is invalid (counted as no result,
    shown as ``invalid``). Returns ``{"rule_set", "verdict", "groups",
    "indicators"}``; each indicator has ``indicator, group, parameter, value,
    criterion, status`` (its class, or ``missing`` / ``invalid``) and
    ``threshold`` (the one it met, e.g. ``"< 2"``; None when immature or
    without a value).
    """
    cn = _present(values.get("cn_ratio"))
    if cn is None:
        cn_status, cn_threshold = "missing", None
    elif rules.cn_gate.met(cn):
        cn_status, cn_threshold = "mature", rules.cn_gate.text()
    else:
        cn_status, cn_threshold = "immature", None
    indicators = [
        {
            "indicator": "cn_ratio",
            "group": "gate",
            "parameter": "cn_ratio",
            "value": cn,
            "criterion": Message(
                "cn_ratio", gettext_noop("C/N %(threshold)s, else immature"), threshold=rules.cn_gate.text()
            ),
            "status": cn_status,
            "threshold": cn_threshold,
        }
    ]
    per_group = {g: [] for g in GROUPS}
    for test in rules.tests:
        value = _present(values.get(test.parameter))
        if test.parameter in invalid:
            status, met = "invalid", None
        elif value is None:
            status, met = "missing", None
        else:
            status, threshold = test.classify(value)
            met = threshold.text() if threshold else None
            per_group[test.group].append(status)
        indicators.append(
            {
                "indicator": test.indicator,
                "group": test.group,
                "parameter": test.parameter,
                "value": value,
                "criterion": test.criterion(),
                "status": status,
                "threshold": met,
            }
        )
    groups = {g: group_class(c) for g, c in per_group.items()}
    return {
        "rule_set": rules.code,
        "verdict": verdict_of(cn_status, groups["A"], groups["B"]),
        "groups": groups,
        "indicators": indicators,
    }


def judge_ccqc_frame(df, invalid_columns=(), rules: CcqcRules = CCQC_2001):
    """Vectorised :func:`judge_ccqc` for a table (pandas DataFrame, one column per parameter).

    ``invalid_columns``: boolean columns, parameter -> mask of rows whose
    assay for it is invalid (a dict). Returns a DataFrame with one status
    column per indicator, ``group_A``, ``group_B`` and ``verdict``."""
    import numpy as np
    import pandas as pd

    invalid_columns = dict(invalid_columns or {})
    n = len(df.index)

    def col(name):
        if name not in df.columns:
            return np.full(n, np.nan)
        return pd.to_numeric(df[name], errors="raise").to_numpy(dtype=float, na_value=np.nan)

    def met(th, x):
        with np.errstate(invalid="ignore"):
            return _OPS[th.op](x, th.limit)

    out = pd.DataFrame(index=df.index)
    cn = col("cn_ratio")
    out["cn_ratio"] = np.select([np.isnan(cn), met(rules.cn_gate, cn)], ["missing", "mature"], "immature").astype(
        object
    )
    worst = {g: np.full(n, -1) for g in GROUPS}  # -1 = no result in the group
    for test in rules.tests:
        x = col(test.parameter)
        bad = np.asarray(invalid_columns.get(test.parameter, np.zeros(n, dtype=bool)), dtype=bool)
        missing = np.isnan(x)
        vm, m = met(test.very_mature, x), met(test.mature, x)
        out[test.indicator] = np.select(
            [bad, missing, vm, m], ["invalid", "missing", "very_mature", "mature"], "immature"
        ).astype(object)
        rank = np.select([bad | missing, vm, m], [-1, _RANK["very_mature"], _RANK["mature"]], _RANK["immature"])
        worst[test.group] = np.maximum(worst[test.group], rank)
    names = np.array(CLASSES, dtype=object)
    for g in GROUPS:
        out[f"group_{g}"] = pd.Series(
            np.where(worst[g] < 0, None, names[np.clip(worst[g], 0, 2)]), index=df.index, dtype=object
        )  # None stays None, not NaN
    gate = out["cn_ratio"].to_numpy(dtype=object)
    a, b = worst["A"], worst["B"]
    out["verdict"] = np.select(
        [
            gate == "immature",
            (gate != "mature") | (a < 0) | (b < 0),
            (a == _RANK["very_mature"]) & (b == _RANK["very_mature"]),
            (a <= _RANK["mature"]) & (b <= _RANK["mature"]),
        ],
        ["immature", "incomplete", "very_mature", "mature"],
        "immature",
    ).astype(object)
    return out
