"""Maturity verdicts by rule set (DOMAIN.md §5). Pure, no Django import.

``judge_maturity`` judges one sample; ``judge_maturity_frame`` judges a whole
table at once with vectorised pandas/numpy and must agree with it row by row.

Indicator statuses: ``mature``, ``intermediate``, ``immature``, ``invalid``,
``missing`` and ``skipped`` (C/N for bark compost). Verdict precedence:
a required indicator missing or invalid -> ``incomplete``; else any
``immature`` -> ``immature``; else any ``intermediate`` -> ``intermediate``;
else ``mature``. Optional indicators (reducing sugar, chromatogram) that are
missing do not make the verdict incomplete.

Readings (thresholds from :class:`~maturity.calculations.LabPolicy`):

- germination (§4.5, TARI): relative germination ≥ 90 % and relative root
  growth ≥ 90 % -> mature, else immature; an invalid assay -> invalid.
- C/N (§4.4): < 20 mature, else immature; skipped for bark compost.
- reducing sugar (§4.6): RS/TC < 35 % mature, else immature.
- chromatogram (§4.7): ``tari_agno3`` (also assumed when no protocol is
  given) score 3 mature, 1–2 intermediate, 0 immature; ``livestock_naoh``
  serrated edge mature, smooth immature, no edge -> missing.
- germination index (§5, zucconi_gi): GI ≥ 80 % mature, 50–80 % intermediate,
  < 50 % immature.
- ``ccqc_2001`` (§12): delegated to :mod:`maturity.ccqc` (its table is rule
  data there); statuses ``very_mature``, ``mature``, ``immature``,
  ``missing``, ``invalid``; each indicator also has ``group`` and
  ``threshold``; the answer has ``groups``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from lims.messages import Message, gettext_noop

from . import ccqc
from .calculations import CHROMATOGRAM_PROTOCOLS, LabPolicy
from .errors import InputError

RULE_SETS = ("tari_1999", "zucconi_gi", "ccqc_2001")
STATUSES = ("very_mature", "mature", "intermediate", "immature", "invalid", "missing", "skipped")
VERDICTS = ("very_mature", "mature", "intermediate", "immature", "incomplete")

# indicator keys per rule set, in display order; required ones may not be missing
INDICATORS = {
    "tari_1999": ("germination", "cn_ratio", "reducing_sugar", "chromatogram"),
    "zucconi_gi": ("germination_index",),
    "ccqc_2001": ccqc.INDICATORS,
}
_OPTIONAL = {"reducing_sugar", "chromatogram"}
_EDGES = ("smooth", "serrated")


@dataclass
class MaturityInput:
    """The figures a maturity verdict is based on (dry basis where it applies)."""

    relative_germination_pct: float | None = None
    relative_root_growth_pct: float | None = None
    germination_index_pct: float | None = None
    germination_valid: bool | None = None  # None = no germination assay
    cn_ratio: float | None = None
    rs_tc_ratio_pct: float | None = None
    chromatogram_protocol: str | None = None
    chromatogram_score: int | None = None
    chromatogram_edge: str | None = None  # "smooth" | "serrated"
    bark_compost: bool = False
    # stability and the CCQC maturity index (§12)
    co2_c_mg_per_g_om_day: float | None = None
    solvita_co2: int | None = None
    dewar_rise_c: float | None = None
    nh4_n_mg_kg: float | None = None
    nh4_no3_ratio: float | None = None
    solvita_nh3: int | None = None


INPUT_FIELDS = tuple(f.name for f in fields(MaturityInput))  # frame column names


# --------------------------------------------------------------------------- criteria


def _criteria(policy: LabPolicy) -> dict[str, Message]:
    f = _num
    return {
        "germination": Message(
            "germination",
            gettext_noop("relative germination ≥ %(germination)s %% and relative root growth ≥ %(root)s %%"),
            germination=f(policy.relative_germination_mature_pct),
            root=f(policy.root_growth_not_inhibited_pct),
        ),
        "cn_ratio": Message("cn_ratio", gettext_noop("C/N < %(limit)s"), limit=f(policy.cn_mature_below)),
        "cn_ratio_bark": Message("cn_ratio_bark", gettext_noop("not applied to bark compost")),
        "reducing_sugar": Message(
            "reducing_sugar", gettext_noop("RS/TC < %(limit)s %%"), limit=f(policy.rs_tc_mature_below_pct)
        ),
        "chromatogram_tari_agno3": Message(
            "chromatogram_tari_agno3", gettext_noop("score 3 mature, 1–2 intermediate, 0 immature")
        ),
        "chromatogram_livestock_naoh": Message(
            "chromatogram_livestock_naoh", gettext_noop("serrated edge mature, smooth edge immature")
        ),
        "germination_index": Message(
            "germination_index",
            gettext_noop(
                "GI ≥ %(mature)s %% mature, %(intermediate)s–%(mature)s %% intermediate, < %(intermediate)s %% immature"
            ),
            mature=f(policy.gi_mature_pct),
            intermediate=f(policy.gi_intermediate_pct),
        ),
    }


def _num(x) -> str:
    x = float(x)
    return str(int(x)) if x.is_integer() else repr(x)


# --------------------------------------------------------------------------- scalar


def _value(x):
    """None for absent or NaN, else the value itself."""
    if x is None:
        return None
    if isinstance(x, float) and math.isnan(x):
        return None
    return x


def _check_rule_set(rule_set):
    if rule_set not in RULE_SETS:
        message = gettext_noop("unknown rule set %(value)s; expected one of %(choices)s")
        raise InputError(
            {"rule_set": [Message("invalid_choice", message, value=repr(rule_set), choices=tuple(RULE_SETS))]}
        )


_UNKNOWN_PROTOCOL = gettext_noop("unknown protocol %(value)s; expected one of %(choices)s")
_UNKNOWN_EDGE = gettext_noop("unknown edge code %(value)s; expected one of %(choices)s")
_UNKNOWN_PROTOCOLS = gettext_noop("unknown protocol(s) %(value)s; expected one of %(choices)s")  # a frame's column
_UNKNOWN_EDGES = gettext_noop("unknown edge code(s) %(value)s; expected one of %(choices)s")


def _score_range():
    return Message("chromatogram_score_range", gettext_noop("must be an integer from 0 to 3"))


def _validate_input(inp: MaturityInput) -> None:
    problems = {}
    protocol = _value(inp.chromatogram_protocol)
    if protocol is not None and protocol not in CHROMATOGRAM_PROTOCOLS:
        problems["chromatogram_protocol"] = [
            Message("invalid_choice", _UNKNOWN_PROTOCOL, value=repr(protocol), choices=tuple(CHROMATOGRAM_PROTOCOLS))
        ]
    edge = _value(inp.chromatogram_edge)
    if edge is not None and edge not in _EDGES:
        problems["chromatogram_edge"] = [Message("invalid_choice", _UNKNOWN_EDGE, value=repr(edge), choices=_EDGES)]
    score = _value(inp.chromatogram_score)
    if score is not None and (isinstance(score, bool) or score not in (0, 1, 2, 3)):
        problems["chromatogram_score"] = [_score_range()]
    if problems:
        raise InputError(problems)


def _is_false(x) -> bool:
    x = _value(x)
    return x is not None and not bool(x)


def _germination_status(inp, policy):
    if _is_false(inp.germination_valid):
        return "invalid"
    rg, rrg = _value(inp.relative_germination_pct), _value(inp.relative_root_growth_pct)
    if rg is None or rrg is None:
        return "missing"
    if rg >= policy.relative_germination_mature_pct and rrg >= policy.root_growth_not_inhibited_pct:
        return "mature"
    return "immature"


def _below_status(value, limit):
    value = _value(value)
    if value is None:
        return "missing"
    return "mature" if value < limit else "immature"


def _chromatogram_status(inp):
    protocol = _value(inp.chromatogram_protocol)
    if protocol == "livestock_naoh":
        edge = _value(inp.chromatogram_edge)
        if edge is None:
            return "missing"
        return "mature" if edge == "serrated" else "immature"
    score = _value(inp.chromatogram_score)
    if score is None:
        return "missing"
    if score >= 3:
        return "mature"
    return "intermediate" if score >= 1 else "immature"


def _gi_status(inp, policy):
    if _is_false(inp.germination_valid):
        return "invalid"
    gi = _value(inp.germination_index_pct)
    if gi is None:
        return "missing"
    if gi >= policy.gi_mature_pct:
        return "mature"
    return "intermediate" if gi >= policy.gi_intermediate_pct else "immature"


def _verdict(statuses: dict[str, str]) -> str:
    """§5 precedence: incomplete > immature > intermediate > mature."""
    required = [s for k, s in statuses.items() if k not in _OPTIONAL]
    if any(s in ("missing", "invalid") for s in required):
        return "incomplete"
    if any(s == "immature" for s in statuses.values()):
        return "immature"
    if any(s == "intermediate" for s in statuses.values()):
        return "intermediate"
    return "mature"


def _plain(x):
    """A JSON-friendly scalar (numpy numbers to Python, NaN to None)."""
    x = _value(x)
    if isinstance(x, np.generic):
        x = x.item()
    return x


def judge_maturity(rule_set: str, inp: MaturityInput, policy: LabPolicy = LabPolicy()) -> dict:
    """Judge one sample under ``rule_set`` (DOMAIN §5).

    Returns ``{"rule_set", "verdict", "indicators": [{"indicator", "value",
    "criterion", "status"}]}``.
    """
    _check_rule_set(rule_set)
    _validate_input(inp)
    if rule_set == "ccqc_2001":
        invalid = {"relative_germination_pct"} if _is_false(inp.germination_valid) else set()
        return ccqc.judge_ccqc({k: _plain(getattr(inp, k)) for k in ccqc.PARAMETERS}, invalid)
    crit = _criteria(policy)
    indicators = []
    if rule_set == "zucconi_gi":
        indicators.append(
            {
                "indicator": "germination_index",
                "value": _plain(inp.germination_index_pct),
                "criterion": crit["germination_index"],
                "status": _gi_status(inp, policy),
            }
        )
    else:
        indicators.append(
            {
                "indicator": "germination",
                "value": {
                    "relative_germination_pct": _plain(inp.relative_germination_pct),
                    "relative_root_growth_pct": _plain(inp.relative_root_growth_pct),
                },
                "criterion": crit["germination"],
                "status": _germination_status(inp, policy),
            }
        )
        if _value(inp.bark_compost):
            indicators.append(
                {
                    "indicator": "cn_ratio",
                    "value": _plain(inp.cn_ratio),
                    "criterion": crit["cn_ratio_bark"],
                    "status": "skipped",
                }
            )
        else:
            indicators.append(
                {
                    "indicator": "cn_ratio",
                    "value": _plain(inp.cn_ratio),
                    "criterion": crit["cn_ratio"],
                    "status": _below_status(inp.cn_ratio, policy.cn_mature_below),
                }
            )
        indicators.append(
            {
                "indicator": "reducing_sugar",
                "value": _plain(inp.rs_tc_ratio_pct),
                "criterion": crit["reducing_sugar"],
                "status": _below_status(inp.rs_tc_ratio_pct, policy.rs_tc_mature_below_pct),
            }
        )
        protocol = _value(inp.chromatogram_protocol) or "tari_agno3"
        value = _plain(inp.chromatogram_edge) if protocol == "livestock_naoh" else _plain(inp.chromatogram_score)
        indicators.append(
            {
                "indicator": "chromatogram",
                "value": value,
                "criterion": crit[f"chromatogram_{protocol}"],
                "status": _chromatogram_status(inp),
            }
        )
    statuses = {i["indicator"]: i["status"] for i in indicators}
    return {"rule_set": rule_set, "verdict": _verdict(statuses), "indicators": indicators}


# --------------------------------------------------------------------------- vectorised


def _column(df: pd.DataFrame, name: str) -> pd.Series:
    if name in df.columns:
        return df[name]
    return pd.Series(np.nan, index=df.index, dtype=float)


def _numeric(df, name) -> np.ndarray:
    return pd.to_numeric(_column(df, name), errors="raise").to_numpy(dtype=float, na_value=np.nan)


def _text(df, name) -> pd.Series:
    """A text column with absent values as None (object dtype)."""
    col = _column(df, name).astype(object)
    return col.where(col.notna(), None)


def _is_true(df, name) -> np.ndarray:
    col = _column(df, name).astype(object)
    return (col.notna() & col.astype(object).eq(True)).to_numpy(dtype=bool)


def _is_false_col(df, name) -> np.ndarray:
    col = _column(df, name).astype(object)
    return (col.notna() & col.eq(False)).to_numpy(dtype=bool)


def _validate_frame(protocol: pd.Series, edge: pd.Series, score: np.ndarray) -> None:
    problems = {}
    bad = protocol.notna() & ~protocol.isin(CHROMATOGRAM_PROTOCOLS)
    if bad.any():
        problems["chromatogram_protocol"] = [
            Message(
                "invalid_choice",
                _UNKNOWN_PROTOCOLS,
                value=repr(sorted(set(protocol[bad]))),
                choices=tuple(CHROMATOGRAM_PROTOCOLS),
            )
        ]
    bad = edge.notna() & ~edge.isin(_EDGES)
    if bad.any():
        problems["chromatogram_edge"] = [
            Message("invalid_choice", _UNKNOWN_EDGES, value=repr(sorted(set(edge[bad]))), choices=_EDGES)
        ]
    known = ~np.isnan(score)
    if (known & ~np.isin(score, (0, 1, 2, 3))).any():
        problems["chromatogram_score"] = [_score_range()]
    if problems:
        raise InputError(problems)


def _select(conditions, choices, default):
    return np.select(conditions, choices, default=default).astype(object)


def judge_maturity_frame(rule_set: str, df: pd.DataFrame, policy: LabPolicy = LabPolicy()) -> pd.DataFrame:
    """Vectorised :func:`judge_maturity` for a table of samples (DOMAIN §5).

    ``df`` has columns named like :class:`MaturityInput` fields (absent columns
    count as missing). Returns a DataFrame with the same index, one status
    column per indicator of the rule set and a ``verdict`` column.
    """
    _check_rule_set(rule_set)
    if rule_set == "ccqc_2001":
        return ccqc.judge_ccqc_frame(df, {"relative_germination_pct": _is_false_col(df, "germination_valid")})
    protocol = _text(df, "chromatogram_protocol")
    edge = _text(df, "chromatogram_edge")
    score = _numeric(df, "chromatogram_score")
    _validate_frame(protocol, edge, score)
    invalid = _is_false_col(df, "germination_valid")
    out = pd.DataFrame(index=df.index)

    if rule_set == "zucconi_gi":
        gi = _numeric(df, "germination_index_pct")
        out["germination_index"] = _select(
            [invalid, np.isnan(gi), gi >= policy.gi_mature_pct, gi >= policy.gi_intermediate_pct],
            ["invalid", "missing", "mature", "intermediate"],
            "immature",
        )
    else:
        rg = _numeric(df, "relative_germination_pct")
        rrg = _numeric(df, "relative_root_growth_pct")
        out["germination"] = _select(
            [
                invalid,
                np.isnan(rg) | np.isnan(rrg),
                (rg >= policy.relative_germination_mature_pct) & (rrg >= policy.root_growth_not_inhibited_pct),
            ],
            ["invalid", "missing", "mature"],
            "immature",
        )
        cn = _numeric(df, "cn_ratio")
        out["cn_ratio"] = _select(
            [_is_true(df, "bark_compost"), np.isnan(cn), cn < policy.cn_mature_below],
            ["skipped", "missing", "mature"],
            "immature",
        )
        rs = _numeric(df, "rs_tc_ratio_pct")
        out["reducing_sugar"] = _select(
            [np.isnan(rs), rs < policy.rs_tc_mature_below_pct], ["missing", "mature"], "immature"
        )
        livestock = protocol.eq("livestock_naoh").to_numpy(dtype=bool)
        edge_missing = edge.isna().to_numpy(dtype=bool)
        serrated = edge.eq("serrated").to_numpy(dtype=bool)
        out["chromatogram"] = _select(
            [livestock & edge_missing, livestock & serrated, livestock, np.isnan(score), score >= 3, score >= 1],
            ["missing", "mature", "immature", "missing", "mature", "intermediate"],
            "immature",
        )

    statuses = out.to_numpy(dtype=object)
    required = np.array([c not in _OPTIONAL for c in out.columns])
    incomplete = (np.isin(statuses, ("missing", "invalid")) & required).any(axis=1)
    immature = (statuses == "immature").any(axis=1)
    intermediate = (statuses == "intermediate").any(axis=1)
    out["verdict"] = _select([incomplete, immature, intermediate], ["incomplete", "immature", "intermediate"], "mature")
    return out
