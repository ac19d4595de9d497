"""Compliance with a standards edition (DOMAIN.md §6, §6.3). Pure, no Django import.

``judge`` judges one sample; ``judge_frame`` judges a table of samples with
vectorised numpy/pandas (no per-sample Python loop) and agrees with ``judge``
row by row, because both use the same arithmetic in the same order.

Per check
    The measurement is converted into the requirement's unit (1 % = 10 000
    mg/kg, dS/m = mS/cm, meq/100 g = cmol/kg) and then onto its basis
    (dry = as-received / (1 − moisture/100); as-received = dry × (1 −
    moisture/100)); the expanded uncertainty U is scaled the same way. No
    rounding. A value that cannot be converted (no moisture result, a
    moisture result below detection or outside 0 ≤ moisture < 100, a unit of
    another kind) is ``missing`` with the reason, never silently used.

    Defaults: a measurement without a unit is in the parameter's canonical
    unit; without a basis, on the parameter's canonical basis (dry for
    contents, as received for moisture). Parameters that are not contents
    (pH, EC, ratios, indices) are never converted between bases, whatever
    basis the requirement names. Moisture is judged as received only.

Decision rules (§6.3), ``v`` value, ``U`` expanded uncertainty, ``L`` limit:

============== ============ ================= ================= ====================
kind           rule         pass              fail              otherwise
============== ============ ================= ================= ====================
min            simple       v ≥ L             v < L             –
max            simple       v ≤ L             v > L             –
max_exclusive  simple       v < L             v ≥ L             –
min            guarded      v − U ≥ L         v + U < L         conditional
max            guarded      v + U ≤ L         v − U > L         conditional
max_exclusive  guarded      v + U < L         v − U ≥ L         conditional
============== ============ ================= ================= ====================

Under ``guarded`` a value without U is compared as under ``simple``.
Below-detection values ``<X`` (the true value is below X) are judged the
same under both rules, U ignored: max and max_exclusive: X ≤ L pass (the
true value is < X ≤ L), else conditional; min: X ≤ L fail, else conditional.

``npk_sum_pct`` = total_nitrogen_pct + p2o5_pct + k2o_pct, each part first
converted to the requirement's unit and basis. Missing when any part is
missing. If any part is ``<X`` the sum (using X for that part) is an upper
bound, so the sum carries ``<``. U is the root sum of squares of the parts'
U when all three have one, else none.

Declarations: ``no_chemical_fertilizer`` fails when the product has
chemical fertilizer added (check parameter ``declaration:no_chemical_fertilizer``,
kind ``declaration``).

Requirements whose condition does not apply to the product (``bagasse`` vs
``not_bagasse``) are left out of ``judge``; in ``judge_frame`` their column
reads ``not_applicable`` for those rows.

Overall: any fail -> ``fail``; else any missing -> ``incomplete``; else any
conditional -> ``conditional``; else ``pass``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lims.messages import Message, Named, gettext_noop

from .errors import InputError
from .measurements import BASES, QUALIFIERS, Measurement
from .parameters import DERIVED, PARAMETERS
from .requirements import Declaration, Requirement

DECISION_RULES = ("simple", "guarded")
STATUSES = ("pass", "fail", "conditional", "missing")
VERDICTS = ("pass", "fail", "conditional", "incomplete")
NOT_APPLICABLE = "not_applicable"
NPK_PARTS = ("total_nitrogen_pct", "p2o5_pct", "k2o_pct")


@dataclass(frozen=True)
class ProductFacts:
    bagasse_based: bool = False
    chemical_fertilizer_added: bool = False


# --------------------------------------------------------------------------- units

# unit family -> {normalised unit: how many of it make one canonical unit of the family}
_UNIT_FAMILIES = {
    "mass_fraction": {"%": 1.0, "g/kg": 10.0, "mg/g": 10.0, "mg/kg": 10_000.0, "ppm": 10_000.0},
    "ec": {"ds/m": 1.0, "ms/cm": 1.0, "mmho/cm": 1.0, "µs/cm": 1000.0, "µmho/cm": 1000.0},
    "cec": {"meq/100g": 1.0, "cmol/kg": 1.0, "cmol(+)/kg": 1.0, "cmolc/kg": 1.0},
    "length": {"mm": 1.0, "cm": 0.1},
    "dimensionless": {"": 1.0},
}
_UNITS = {u: (family, per) for family, units in _UNIT_FAMILIES.items() for u, per in units.items()}


def normalise_unit(unit) -> str:
    """'meq/100 g' -> 'meq/100g', 'dS/m' -> 'ds/m', 'uS/cm' -> 'µs/cm', '-' -> ''."""
    u = "" if unit is None else str(unit)
    u = u.replace(" ", "").replace("\u03bc", "µ").lower()
    if u.startswith("us/") or u.startswith("umho/"):
        u = "µ" + u[1:]
    return "" if u in ("-", "–", "—") else u


def unit_factor(from_unit, to_unit) -> float:
    """The factor taking a value in ``from_unit`` to ``to_unit`` (1.0 for the same unit).

    Raises InputError for units of different kinds or unknown units."""
    a, b = normalise_unit(from_unit), normalise_unit(to_unit)
    if a == b:
        return 1.0
    fa, fb = _UNITS.get(a), _UNITS.get(b)
    if fa is None or fb is None or fa[0] != fb[0]:
        message = gettext_noop("cannot convert '%(unit)s' to '%(target)s'")
        raise InputError({"unit": [Message("unit_not_convertible", message, unit=from_unit, target=to_unit)]})
    return fb[1] / fa[1]


def convert_unit(value, from_unit, to_unit) -> float:
    """``value`` in ``from_unit`` expressed in ``to_unit`` (1 % = 10 000 mg/kg)."""
    f = unit_factor(from_unit, to_unit)
    return value if f == 1.0 else value * f


# --------------------------------------------------------------------------- scalar preparation


class Missing(Exception):
    """A value that cannot be judged; ``reason`` says why."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def _info(parameter):
    p = PARAMETERS.get(parameter) or DERIVED.get(parameter)
    if p is None:
        message = gettext_noop("unknown parameter %(parameter)s")
        raise InputError({"parameter": [Message("unknown_parameter", message, parameter=repr(parameter))]})
    return p


def _nan(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def _check_measurement(key, m: Measurement):
    problems = {}
    if m.qualifier not in QUALIFIERS:
        problems[f"measurements.{key}.qualifier"] = [_unknown_qualifier([m.qualifier])]
    if m.basis not in BASES:
        problems[f"measurements.{key}.basis"] = [_unknown_basis([m.basis])]
    if not _nan(m.uncertainty) and m.uncertainty < 0:
        problems[f"measurements.{key}.uncertainty"] = [Message("negative", gettext_noop("must not be negative"))]
    if problems:
        raise InputError(problems)


def _quoted(values):
    """'a', 'b' (each value as the user wrote it, in quotes) for a message."""
    return ", ".join(f"'{v}'" for v in values)


def _unknown_qualifier(values):
    message = gettext_noop("unknown qualifier %(qualifier)s; use '' or '<'")
    return Message("unknown_qualifier", message, qualifier=_quoted(values))


def _unknown_basis(values):
    return Message("unknown_basis", gettext_noop("unknown basis %(basis)s"), basis=_quoted(values))


def _moisture(measurements) -> tuple[float | None, str]:
    """Moisture in % as received, usable for basis conversion, or (None, why not)."""
    m = measurements.get("moisture_pct")
    if m is None or _nan(m.value):
        return None, NO_MOISTURE
    if (m.basis or "as_received") != "as_received":
        return None, Message("moisture_basis", gettext_noop("the moisture result is not on the as-received basis"))
    try:
        v = convert_unit(m.value, m.unit or "%", "%")
    except InputError:
        message = gettext_noop("the moisture unit '%(unit)s' is not a mass fraction")
        return None, Message("moisture_unit", message, unit=m.unit)
    if m.qualifier == "<":
        message = gettext_noop("the moisture result is below detection (%(value)s)")
        return None, Message("moisture_below_detection", message, value=f"<{_num(v)} %")
    if not 0 <= v < 100:
        message = gettext_noop("the moisture result %(value)s %% is outside 0 ≤ moisture < 100")
        return None, Message("moisture_out_of_range", message, value=_num(v))
    return v, ""


def _named(key):
    p = PARAMETERS.get(key) or DERIVED.get(key)
    return Named(key, p.name_zh) if p is not None else key


NO_MOISTURE = Message("no_moisture", gettext_noop("no moisture result"))


def to_basis(m: Measurement, target_basis, moisture_pct, parameter=None):
    """(value, uncertainty) of ``m`` on ``target_basis``; raises :class:`Missing` when
    that is impossible (no usable moisture). ``m`` must already be in the wanted unit.

    dry = as-received / (1 − moisture/100); as-received = dry × (1 − moisture/100);
    U scaled the same. ``moisture_pct`` is None when there is no usable moisture."""
    return _to_basis(m, target_basis, moisture_pct, NO_MOISTURE, parameter)


def _to_basis(m, target_basis, moisture_pct, why_no_moisture, parameter):
    p = _info(parameter) if parameter else None
    source = m.basis or (p.basis if p else "")
    u = None if _nan(m.uncertainty) else m.uncertainty
    if parameter == "moisture_pct":
        if target_basis == "as_received" and source != "as_received":
            raise Missing(
                Message("moisture_as_received_only", gettext_noop("moisture is judged on the as-received basis only"))
            )
        return m.value, u
    if (p is not None and p.basis == "") or not source or not target_basis or source == target_basis:
        return m.value, u
    if moisture_pct is None:
        if source == "as_received":
            message = gettext_noop("as-received value cannot be put on the dry basis: %(why)s")
        else:
            message = gettext_noop("dry value cannot be put on the as-received basis: %(why)s")
        raise Missing(Message("basis_not_convertible", message, why=why_no_moisture))
    d = 1 - moisture_pct / 100
    if target_basis == "dry":
        return m.value / d, (None if u is None else u / d)
    return m.value * d, (None if u is None else u * d)


def _prepare(measurements, moisture, parameter, unit, basis):
    """-> (value, U or None, qualifier) of ``parameter`` in ``unit`` on ``basis``; raises Missing.

    ``moisture`` is ``_moisture(measurements)``: (usable moisture % or None, why not)."""
    if parameter == "npk_sum_pct":
        parts = []
        for key in NPK_PARTS:
            try:
                parts.append(_prepare(measurements, moisture, key, unit, basis))
            except Missing as e:
                message = gettext_noop("N + P₂O₅ + K₂O: %(parameter)s: %(why)s")
                raise Missing(
                    Message(getattr(e.reason, "code", "missing"), message, parameter=_named(key), why=e.reason)
                )
        (vn, un, qn), (vp, up, qp), (vk, uk, qk) = parts
        value = vn + vp + vk
        qualifier = "<" if "<" in (qn, qp, qk) else ""
        u = None if None in (un, up, uk) else math.sqrt(un * un + up * up + uk * uk)
        return value, u, qualifier
    p = _info(parameter)
    m = measurements.get(parameter)
    if m is None or _nan(m.value):
        raise Missing(Message("no_result", gettext_noop("no result")))
    _check_measurement(parameter, m)
    try:
        f = unit_factor(m.unit or p.unit, unit)
    except InputError:
        message = gettext_noop("the unit '%(unit)s' cannot be converted to '%(target)s'")
        raise Missing(Message("unit_not_convertible", message, unit=m.unit, target=unit))
    value = m.value * f
    u = None if _nan(m.uncertainty) else m.uncertainty * f
    converted = Measurement(value=value, unit=unit, basis=m.basis or p.basis, qualifier=m.qualifier, uncertainty=u)
    value, u = _to_basis(converted, basis, moisture[0], moisture[1], parameter)
    return value, u, m.qualifier


# --------------------------------------------------------------------------- scalar judgement


def _num(x, sig=5) -> str:
    """A number for a reason: 5 significant digits, never in exponent form."""
    x = float(x)
    if x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    return np.format_float_positional(x, precision=sig, unique=True, fractional=False, trim="-")


def _nums(compared, *others):
    """Format numbers so that the two compared ones read differently when they differ."""
    a, b = compared
    sig = 5
    while sig < 17 and a != b and _num(a, sig) == _num(b, sig):
        sig += 1
    return [_num(x, sig) for x in (a, b, *others)]


_SIMPLE = {  # kind -> (passes(v, L), pass sign, fail sign)
    "min": (lambda v, L: v >= L, "≥", "<"),
    "max": (lambda v, L: v <= L, "≤", ">"),
    "max_exclusive": (lambda v, L: v < L, "<", "≥"),
}


_BELOW_DETECTION = {  # (kind is min, v ≤ L) -> (status, code, English template)
    (True, True): (
        "fail",
        "below_detection_under_minimum",
        gettext_noop("<%(value)s, and %(value)s ≤ %(limit)s: below the minimum"),
    ),
    (False, True): ("pass", "below_detection_within_limit", gettext_noop("<%(value)s, and %(value)s ≤ %(limit)s")),
    (True, False): (
        "conditional",
        "below_detection_may_be_under_minimum",
        gettext_noop("<%(value)s, but %(value)s > %(limit)s: below detection, may be under the minimum"),
    ),
    (False, False): (
        "conditional",
        "below_detection_may_exceed",
        gettext_noop("<%(value)s, but %(value)s > %(limit)s: below detection, may exceed the limit"),
    ),
}
_SIMPLE_REASON = gettext_noop("%(value)s %(sign)s %(limit)s")
_SIMPLE_NO_U_REASON = gettext_noop("%(value)s %(sign)s %(limit)s (no uncertainty: simple comparison)")
# guarded, value with U: the bound compared (v − U or v + U), per kind of limit
_GUARDED_MIN = {
    "pass": ("guarded_pass_minimum", gettext_noop("%(value)s − %(u)s = %(lower)s ≥ %(limit)s")),
    "fail": ("guarded_fail_minimum", gettext_noop("%(value)s + %(u)s = %(upper)s < %(limit)s")),
    "conditional": (
        "guarded_conditional_minimum",
        gettext_noop("%(value)s − %(u)s = %(lower)s < %(limit)s, but %(value)s + %(u)s = %(upper)s ≥ %(limit)s"),
    ),
}
_GUARDED_MAX = {
    "pass": ("guarded_pass_maximum", gettext_noop("%(value)s + %(u)s = %(upper)s %(sign)s %(limit)s")),
    "fail": ("guarded_fail_maximum", gettext_noop("%(value)s − %(u)s = %(lower)s %(sign)s %(limit)s")),
    "conditional": (
        "guarded_conditional_maximum",
        gettext_noop(
            "%(value)s + %(u)s = %(upper)s %(sign)s %(limit)s, but %(value)s − %(u)s = %(lower)s %(sign_lower)s "
            "%(limit)s"
        ),
    ),
}


def _status(kind, rule, v, u, qualifier, L) -> tuple[str, Message]:
    """(status, reason) of one value against one limit. Must match ``_status_vec``.

    The reason is a Message (code per case, the compared numbers as params, formatted by ``_nums``)."""
    if qualifier == "<":
        x, lim = _nums((v, L))
        status, code, template = _BELOW_DETECTION[kind == "min", v <= L]
        return status, Message(code, template, value=x, limit=lim)
    ok, yes, no = _SIMPLE[kind]
    if rule == "simple" or u is None:
        a, lim = _nums((v, L))
        status, sign = ("pass", yes) if ok(v, L) else ("fail", no)
        if rule == "guarded":
            return status, Message(
                f"simple_{status}_no_uncertainty", _SIMPLE_NO_U_REASON, value=a, sign=sign, limit=lim
            )
        return status, Message(f"simple_{status}", _SIMPLE_REASON, value=a, sign=sign, limit=lim)
    hi, lo = v + u, v - u
    vs, us = _num(v), _num(u)
    if kind == "min":
        if lo >= L:
            s, lim = _nums((lo, L))
            status, params = "pass", {"lower": s}
        elif hi < L:
            s, lim = _nums((hi, L))
            status, params = "fail", {"upper": s}
        else:
            s1, lim, s2 = _nums((lo, L), hi)
            status, params = "conditional", {"lower": s1, "upper": s2}
        code, template = _GUARDED_MIN[status]
        return status, Message(code, template, value=vs, u=us, limit=lim, **params)
    strict = kind == "max_exclusive"
    if (hi < L) if strict else (hi <= L):
        s, lim = _nums((hi, L))
        status, params = "pass", {"upper": s, "sign": "<" if strict else "≤"}
    elif (lo >= L) if strict else (lo > L):
        s, lim = _nums((lo, L))
        status, params = "fail", {"lower": s, "sign": "≥" if strict else ">"}
    else:
        s1, lim, s2 = _nums((hi, L), lo)
        status = "conditional"
        params = {"upper": s1, "sign": "≥" if strict else ">", "lower": s2, "sign_lower": "<" if strict else "≤"}
    code, template = _GUARDED_MAX[status]
    return status, Message(code, template, value=vs, u=us, limit=lim, **params)


def applies(condition: str, bagasse_based: bool) -> bool:
    if condition == "":
        return True
    if condition == "bagasse":
        return bool(bagasse_based)
    if condition == "not_bagasse":
        return not bagasse_based
    raise InputError({"condition": [_unknown_condition(condition)]})


def _unknown_condition(condition):
    return Message("unknown_condition", gettext_noop("unknown condition '%(condition)s'"), condition=condition)


def check_key(parameter, kind, condition="") -> str:
    """The column name of a check in :func:`judge_frame` (also ``check["key"]``)."""
    if kind == "declaration":
        return parameter
    return f"{parameter}:{kind}" + (f":{condition}" if condition else "")


def _check_rule(decision_rule):
    if decision_rule not in DECISION_RULES:
        message = gettext_noop("unknown decision rule '%(value)s'; use one of %(choices)s")
        raise InputError(
            {"decision_rule": [Message("unknown_decision_rule", message, value=decision_rule, choices=DECISION_RULES)]}
        )


def _check_kind(r: Requirement):
    if r.kind not in _SIMPLE:
        raise InputError({"kind": [Message("unknown_kind", gettext_noop("unknown kind '%(kind)s'"), kind=r.kind)]})


def _declaration_check(d: Declaration, product: ProductFacts) -> dict:
    base = {
        "parameter": f"declaration:{d.key}",
        "kind": "declaration",
        "limit": None,
        "unit": "",
        "basis": "",
        "value": None,
        "uncertainty": None,
        "qualifier": "",
        "condition": "",
        "condition_text": "",
        "source": "",
        "text_zh": d.text_zh,
        "text_en": d.text_en,
        "key": f"declaration:{d.key}",
    }
    if d.key == "no_chemical_fertilizer":
        text = Named(d.text_en, d.text_zh) if d.text_zh else d.text_en  # the declaration as the edition words it
        if product.chemical_fertilizer_added:
            message = gettext_noop(
                "chemical fertilizer added to the product, contradicting the required declaration '%(declaration)s'"
            )
            return {**base, "status": "fail", "reason": Message("declaration_contradicted", message, declaration=text)}
        message = gettext_noop("declared: %(declaration)s")
        return {**base, "status": "pass", "reason": Message("declared", message, declaration=text)}
    message = gettext_noop("no product fact to check the declaration '%(declaration)s' against")
    return {**base, "status": "missing", "reason": Message("no_product_fact", message, declaration=d.key)}


def verdict(statuses) -> str:
    statuses = [s for s in statuses if s != NOT_APPLICABLE]
    if "fail" in statuses:
        return "fail"
    if "missing" in statuses:
        return "incomplete"
    if "conditional" in statuses:
        return "conditional"
    return "pass"


def judge(
    requirements, declarations, measurements, product: ProductFacts = ProductFacts(), decision_rule="simple"
) -> dict:
    """Judge one sample.

    ``measurements`` maps parameter keys to :class:`Measurement` as reported.
    Returns ``{"decision_rule", "verdict", "checks": [{"key", "parameter", "kind",
    "limit", "unit", "basis", "value", "uncertainty", "qualifier", "status",
    "reason", "condition", "condition_text", "source"}]}``; value and
    uncertainty are in the requirement's unit and basis (None when missing).
    """
    _check_rule(decision_rule)
    moisture = _moisture(measurements)
    checks = []
    for r in requirements:
        _check_kind(r)
        if not applies(r.condition, product.bagasse_based):
            continue
        check = {
            "key": check_key(r.parameter, r.kind, r.condition),
            "parameter": r.parameter,
            "kind": r.kind,
            "limit": r.limit,
            "unit": r.unit,
            "basis": r.basis,
            "condition": r.condition,
            "condition_text": r.condition_text,
            "source": r.source,
        }
        try:
            v, u, q = _prepare(measurements, moisture, r.parameter, r.unit, r.basis)
        except Missing as e:
            check.update(value=None, uncertainty=None, qualifier="", status="missing", reason=e.reason)
        else:
            status, reason = _status(r.kind, decision_rule, v, u, q, r.limit)
            check.update(value=v, uncertainty=u, qualifier=q, status=status, reason=reason)
        checks.append(check)
    for d in declarations:
        checks.append(_declaration_check(d, product))
    return {"decision_rule": decision_rule, "verdict": verdict(c["status"] for c in checks), "checks": checks}


# --------------------------------------------------------------------------- vectorised

_CODES = ("pass", "fail", "conditional", "missing", NOT_APPLICABLE)
PASS, FAIL, CONDITIONAL, MISSING, NA = range(5)
_NAMES = np.array(_CODES, dtype=object)


def _status_vec(kind, rule, v, u, lt, L, missing) -> np.ndarray:
    """Vectorised ``_status``: status codes (index into ``_CODES``). Same comparisons
    in the same order as the scalar engine."""
    ok_simple = {"min": v >= L, "max": v <= L, "max_exclusive": v < L}[kind]
    out = np.where(ok_simple, PASS, FAIL).astype(np.int8)
    if rule == "guarded":
        hi, lo = v + u, v - u
        if kind == "min":
            passed, failed = lo >= L, hi < L
        elif kind == "max":
            passed, failed = hi <= L, lo > L
        else:
            passed, failed = hi < L, lo >= L
        guarded = np.select([passed, failed], [PASS, FAIL], CONDITIONAL).astype(np.int8)
        has_u = ~np.isnan(u)
        out[has_u] = guarded[has_u]
    below = np.where(v <= L, FAIL if kind == "min" else PASS, CONDITIONAL).astype(np.int8)
    out[lt] = below[lt]
    out[missing] = MISSING
    return out


class _FrameInput:
    """Column access for ``judge_frame``, each parameter prepared once per (unit, basis)."""

    def __init__(self, frame: pd.DataFrame):
        self.frame = frame
        self.n = len(frame)
        self._raw = {}
        self._prepared = {}
        self.moisture, self.moisture_ok = self._moisture()

    def _text(self, col, default):
        """A text column as an object array of stripped strings (NaN -> ``default``);
        the strings are cleaned once per distinct value, not once per row."""
        if col not in self.frame:
            return None
        codes, uniques = pd.factorize(self.frame[col], use_na_sentinel=True)
        cleaned = np.array([str(x).strip() for x in uniques] + [default], dtype=object)
        return cleaned[codes]  # code -1 (NaN) picks the trailing default

    def raw(self, p):
        """-> (value, unit column or None, effective basis, below-detection, U) as arrays."""
        if p in self._raw:
            return self._raw[p]
        info = _info(p)
        f = self.frame
        n = self.n
        value = pd.to_numeric(f[p], errors="coerce").to_numpy(float) if p in f else np.full(n, np.nan)
        units = self._text(f"{p}__unit", "")
        basis = self._text(f"{p}__basis", "")
        if basis is None:
            basis = np.full(n, info.basis, dtype=object)
        else:
            bad = sorted(set(pd.unique(basis)) - set(BASES))
            if bad:
                raise InputError({f"{p}__basis": [_unknown_basis(bad)]})
            basis = np.where(basis == "", info.basis, basis)
        qual = self._text(f"{p}__qualifier", "")
        if qual is None:
            lt = np.zeros(n, bool)
        else:
            bad = sorted(set(pd.unique(qual)) - set(QUALIFIERS))
            if bad:
                raise InputError({f"{p}__qualifier": [_unknown_qualifier(bad)]})
            lt = qual == "<"
        col = f"{p}__u"
        u = pd.to_numeric(f[col], errors="coerce").to_numpy(float) if col in f else np.full(n, np.nan)
        if np.any(u < 0):
            raise InputError({col: [Message("negative", gettext_noop("uncertainty must not be negative"))]})
        self._raw[p] = value, units, basis, lt, u
        return self._raw[p]

    def _factors(self, p, units, to_unit):
        """Unit factors per row (NaN where the unit cannot be converted)."""
        canonical = _info(p).unit

        def factor(unit):
            try:
                return unit_factor(unit or canonical, to_unit)
            except InputError:
                return np.nan

        if units is None:
            return np.full(self.n, factor(canonical))
        uniq, inverse = np.unique(units.astype(str), return_inverse=True)
        return np.array([factor(x) for x in uniq], float)[inverse]

    def _moisture(self):
        if "moisture_pct" not in self.frame:
            return np.full(self.n, np.nan), np.zeros(self.n, bool)
        value, units, basis, lt, _ = self.raw("moisture_pct")
        f = self._factors("moisture_pct", units, "%")
        m = np.where(f == 1.0, value, value * f)
        with np.errstate(invalid="ignore"):
            ok = ~np.isnan(m) & ~lt & (basis == "as_received") & (m >= 0) & (m < 100)
        return m, ok

    def prepared(self, p, unit, basis):
        """-> (value, U, below-detection, missing) of ``p`` in ``unit`` on ``basis``."""
        key = (p, normalise_unit(unit), basis)
        if key in self._prepared:
            return self._prepared[key]
        if p == "npk_sum_pct":
            parts = [self.prepared(k, unit, basis) for k in NPK_PARTS]
            (vn, un, ln, mn), (vp, up, lp, mp), (vk, uk, lk, mk) = parts
            out = (vn + vp + vk, np.sqrt(un * un + up * up + uk * uk), ln | lp | lk, mn | mp | mk)
            self._prepared[key] = out
            return out
        info = _info(p)
        value, units, src, lt, u = self.raw(p)
        f = self._factors(p, units, unit)
        v = value * f
        u = u * f
        missing = np.isnan(v)
        if p == "moisture_pct":
            if basis == "as_received":
                missing |= src != "as_received"
        elif info.basis != "" and basis:
            d = 1 - self.moisture / 100
            if basis == "dry":
                need = src == "as_received"
                v = np.where(need, v / d, v)
                u = np.where(need, u / d, u)
            else:
                need = src == "dry"
                v = np.where(need, v * d, v)
                u = np.where(need, u * d, u)
            missing |= need & ~self.moisture_ok
        out = (v, u, lt, missing)
        self._prepared[key] = out
        return out


def _flag(frame, col):
    if col not in frame:
        return np.zeros(len(frame), bool)
    s = frame[col]
    return s.where(s.notna(), False).astype(bool).to_numpy()


def judge_frame(requirements, declarations, frame: pd.DataFrame, decision_rule="simple") -> pd.DataFrame:
    """Judge every row of ``frame`` (one sample per row) at once.

    Input columns per parameter ``p``: ``p`` (value, NaN when absent) and,
    optionally, ``p__unit`` (default the canonical unit), ``p__basis``
    (default the canonical basis: dry for contents, as received for
    moisture), ``p__qualifier`` ('' or '<') and ``p__u`` (expanded
    uncertainty, NaN when none); optional boolean columns ``bagasse_based``
    and ``chemical_fertilizer_added`` (default False).

    Output (same index): a status column per check named by :func:`check_key`
    (``pass``/``fail``/``conditional``/``missing``, or ``not_applicable``
    where the requirement's condition does not apply to the row's product)
    and ``verdict``. Loops run over requirements, never over samples.
    """
    _check_rule(decision_rule)
    with np.errstate(divide="ignore", invalid="ignore"):  # NaN/inf rows end up missing
        return _judge_frame(requirements, declarations, frame, decision_rule)


def _judge_frame(requirements, declarations, frame, decision_rule):
    data = _FrameInput(frame)
    bagasse = _flag(frame, "bagasse_based")
    chemical = _flag(frame, "chemical_fertilizer_added")
    columns = {}
    for r in requirements:
        _check_kind(r)
        key = check_key(r.parameter, r.kind, r.condition)
        if key in columns:
            message = gettext_noop("two requirements share the check '%(check)s'")
            raise InputError({"requirements": [Message("duplicate_check", message, check=key)]})
        v, u, lt, missing = data.prepared(r.parameter, r.unit, r.basis)
        status = _status_vec(r.kind, decision_rule, v, u, lt, r.limit, missing)
        if r.condition:
            applicable = {"bagasse": bagasse, "not_bagasse": ~bagasse}.get(r.condition)
            if applicable is None:
                raise InputError({"condition": [_unknown_condition(r.condition)]})
            status[~applicable] = NA
        columns[key] = status
    for d in declarations:
        key = check_key(f"declaration:{d.key}", "declaration")
        if d.key == "no_chemical_fertilizer":
            columns[key] = np.where(chemical, FAIL, PASS).astype(np.int8)
        else:
            columns[key] = np.full(len(frame), MISSING, dtype=np.int8)
    n = len(frame)
    any_of = {s: np.zeros(n, bool) for s in (FAIL, MISSING, CONDITIONAL)}
    for status in columns.values():
        for s, acc in any_of.items():
            acc |= status == s
    verdicts = np.select([any_of[FAIL], any_of[MISSING], any_of[CONDITIONAL]], [1, 2, 3], 0)
    columns = {k: _NAMES[v] for k, v in columns.items()}
    columns["verdict"] = np.array(["pass", "fail", "incomplete", "conditional"], dtype=object)[verdicts]
    return pd.DataFrame(columns, index=frame.index)


# --------------------------------------------------------------------------- stored judgements


def margin(kind, value, limit):
    """Distance from the limit on the side that passes, in the requirement's unit: ``value − limit``
    for a minimum, ``limit − value`` for a maximum; negative means beyond the limit. None when missing."""
    if value is None:
        return None
    return value - limit if kind == "min" else limit - value


def beyond(kind, value, qualifier, limit):
    """Whether ``value`` lies beyond ``limit`` as the market statistics count it: a plain comparison,
    no uncertainty; a below-detection value ``<X`` is never known to exceed a maximum."""
    if value is None:
        return False
    if kind == "min":
        return value < limit
    if qualifier == "<":
        return False
    return value > limit if kind == "max" else value >= limit


def judge_frame_checks(requirements, declarations, frame: pd.DataFrame, decision_rule="simple"):
    """``judge_frame`` with every check's figures: -> (verdicts, checks).

    ``verdicts`` is the ``verdict`` column of :func:`judge_frame` (same index).
    ``checks`` lists, per requirement or declaration, a dict of the requirement
    (``key``, ``parameter``, ``kind``, ``limit``, ``unit``, ``basis``,
    ``condition``) and arrays over the rows: ``status`` (names, including
    ``not_applicable``), ``value`` and ``uncertainty`` (in the requirement's unit
    and basis, NaN when missing), ``below`` (qualifier ``<``), ``margin`` and
    ``beyond`` (as :func:`margin` and :func:`beyond`). Rows agree
    with :func:`judge` (same arithmetic); loops run over requirements only."""
    _check_rule(decision_rule)
    with np.errstate(divide="ignore", invalid="ignore"):
        judged = _judge_frame(requirements, declarations, frame, decision_rule)
        data = _FrameInput(frame)
        n = len(frame)
        checks = []
        for r in requirements:
            key = check_key(r.parameter, r.kind, r.condition)
            v, u, lt, missing = data.prepared(r.parameter, r.unit, r.basis)
            value = np.where(missing, np.nan, v)
            below = lt & ~missing
            if r.kind == "min":
                over = value < r.limit
            else:
                over = ((value > r.limit) if r.kind == "max" else (value >= r.limit)) & ~below
            checks.append(
                {
                    "key": key,
                    "parameter": r.parameter,
                    "kind": r.kind,
                    "limit": r.limit,
                    "unit": r.unit,
                    "basis": r.basis,
                    "condition": r.condition,
                    "status": judged[key].to_numpy(),
                    "value": value,
                    "uncertainty": np.where(missing, np.nan, u),
                    "below": below,
                    "margin": value - r.limit if r.kind == "min" else r.limit - value,
                    "beyond": over,
                }
            )
        for d in declarations:
            key = check_key(f"declaration:{d.key}", "declaration")
            checks.append(
                {
                    "key": key,
                    "parameter": key,
                    "kind": "declaration",
                    "limit": None,
                    "unit": "",
                    "basis": "",
                    "condition": "",
                    "status": judged[key].to_numpy(),
                    "value": np.full(n, np.nan),
                    "uncertainty": np.full(n, np.nan),
                    "below": np.zeros(n, bool),
                    "margin": np.full(n, np.nan),
                    "beyond": np.zeros(n, bool),
                }
            )
    return judged["verdict"], checks
