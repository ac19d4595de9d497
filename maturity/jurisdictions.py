"""Heavy-metal limits of other jurisdictions, 1999 (DOMAIN.md §6.2). Pure, no Django.

The side-by-side "where could this product be sold" view. It is informative,
not a compliance statement: values are compared on the dry basis in mg/kg,
without a decision rule (U is not used).

Statuses per metal and jurisdiction (``v`` the dry value; a limit is
``low–high``, ``low == high`` for a single figure):

- ``meets``: v ≤ low (equality meets), or ``<X`` with X ≤ low.
- ``within_range``: low < v ≤ high for a range limit: meets the lenient end
  of the range only. Also ``<X`` with low < X ≤ high (the true value meets
  the lenient end; whether it meets the strict end cannot be told).
- ``exceeds``: v > high.
- ``uncertain``: ``<X`` with X > high (below detection, but the detection
  limit is above the limit). Also a total content above a limit set for one
  chemical species (note such as ``Cr(VI)``): the total is only an upper
  bound of the species, so it can show that the species meets, never that
  it exceeds.
- ``not_comparable``: the limit is on a water extract (shown in
  parentheses); it is never compared with a total content.
- ``missing``: no result, or the result cannot be put on the dry basis.
"""

from __future__ import annotations

import csv
import io
import re

from lims.messages import Message, gettext_noop

from .compliance import Missing, _moisture, _num, _prepare
from .errors import ErrorCollector, InputError
from .measurements import Measurement
from .parameters import METALS
from .standards_io import _number

COLUMNS = ("jurisdiction", "jurisdiction_zh", "metal", "limit_low", "limit_high", "basis", "note")
LIMIT_BASES = ("total", "water_extract")
STATUSES = ("meets", "within_range", "exceeds", "uncertain", "not_comparable", "missing")
_SPECIES = re.compile(r"^[A-Z][a-z]?\((I|II|III|IV|V|VI|VII)\)$")


def _fmt(x) -> str:
    return _num(x)


def load_limits_csv(text: str) -> list[dict]:
    """Rows of the limits table, validated; raises InputError listing every problem
    (row numbers as a spreadsheet shows them, header = row 1)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    errors = ErrorCollector()
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        message = gettext_noop("required column(s) missing: %(missing)s; expected %(columns)s")
        raise InputError({"columns": [Message("required_column", message, missing=tuple(missing), columns=COLUMNS)]})
    reader.fieldnames = header
    rows, seen = [], {}
    for i, raw in enumerate(reader):
        n = i + 2
        row = {k: (v or "").strip() for k, v in raw.items() if k is not None}
        if not any(row.values()):
            continue
        here = f"row {n}"
        bad = False
        for col in ("jurisdiction", "jurisdiction_zh"):
            if not row[col]:
                errors.add(f"{here}.{col}", Message("required", gettext_noop("is required")))
                bad = True
        metal = row["metal"].lower()
        if metal not in METALS:
            message = gettext_noop("unknown metal '%(metal)s'; expected one of %(choices)s")
            errors.add(f"{here}.metal", Message("unknown_metal", message, metal=row["metal"], choices=tuple(METALS)))
            bad = True
        limits = {}
        for col in ("limit_low", "limit_high"):
            x = _number(row[col])
            if x is None:
                errors.add(
                    f"{here}.{col}",
                    Message("not_a_number", gettext_noop("'%(value)s' is not a number"), value=row[col]),
                )
                bad = True
            elif x < 0:
                errors.add(f"{here}.{col}", Message("negative", gettext_noop("%(value)s is negative"), value=row[col]))
                bad = True
            limits[col] = x
        if not bad and limits["limit_low"] > limits["limit_high"]:
            message = gettext_noop("%(low)s is above limit_high %(high)s")
            low, high = _fmt(limits["limit_low"]), _fmt(limits["limit_high"])
            errors.add(f"{here}.limit_low", Message("low_above_high", message, low=low, high=high))
            bad = True
        if row["basis"] not in LIMIT_BASES:
            message = gettext_noop("unknown basis '%(basis)s'; expected total or water_extract")
            errors.add(f"{here}.basis", Message("unknown_basis", message, basis=row["basis"]))
            bad = True
        key = (row["jurisdiction"], metal, row["note"])
        if not bad and key in seen:
            message = gettext_noop("duplicate of row %(row)s (%(jurisdiction)s %(metal)s)")
            params = {"row": seen[key], "jurisdiction": row["jurisdiction"], "metal": metal}
            errors.add(here, Message("duplicate_limit", message, **params))
            bad = True
        if bad:
            continue
        seen[key] = n
        rows.append(
            {
                "jurisdiction": row["jurisdiction"],
                "jurisdiction_zh": row["jurisdiction_zh"],
                "metal": metal,
                "limit_low": limits["limit_low"],
                "limit_high": limits["limit_high"],
                "basis": row["basis"],
                "note": row["note"],
            }
        )
    if not rows and not errors:
        errors.add("rows", Message("no_limits", gettext_noop("the file has no limits")))
    errors.raise_if_any()
    return rows


def limit_display(limit: dict) -> str:
    """'450–1000' for a range, '100' for one figure, '(1.5)' for a water extract."""
    lo, hi = limit["limit_low"], limit["limit_high"]
    text = _fmt(lo) if lo == hi else f"{_fmt(lo)}–{_fmt(hi)}"
    return f"({text})" if limit["basis"] == "water_extract" else text


def _status(limit, value, qualifier):
    lo, hi = float(limit["limit_low"]), float(limit["limit_high"])
    if limit["basis"] == "water_extract":
        message = gettext_noop("water-extract limit: not comparable with a total content")
        return "not_comparable", Message("water_extract_not_comparable", message)
    if value is None:
        return "missing", None
    v, shown = value, _fmt(value)
    species = _SPECIES.match(limit.get("note") or "")
    if qualifier == "<":
        if v <= lo:
            message = gettext_noop("<%(value)s, and %(value)s ≤ %(limit)s")
            return "meets", Message("below_detection_within_limit", message, value=shown, limit=_fmt(lo))
        if v <= hi:
            message = gettext_noop(
                "<%(value)s: %(value)s ≤ %(high)s meets the lenient end; the strict end %(low)s cannot be told"
            )
            return "within_range", Message(
                "below_detection_lenient_end", message, value=shown, high=_fmt(hi), low=_fmt(lo)
            )
        message = gettext_noop("<%(value)s, but %(value)s > %(limit)s: below detection, may exceed the limit")
        return "uncertain", Message("below_detection_may_exceed", message, value=shown, limit=_fmt(hi))
    if v <= lo:
        return "meets", Message(
            "meets", gettext_noop("%(value)s %(sign)s %(limit)s"), value=shown, sign="≤", limit=_fmt(lo)
        )
    if species:
        message = gettext_noop(
            "total %(value)s > %(limit)s, but the limit is for %(species)s only, which was not measured"
        )
        return "uncertain", Message(
            "species_not_measured", message, value=shown, limit=_fmt(lo), species=species.group(0)
        )
    if v <= hi:
        message = gettext_noop("%(low)s < %(value)s ≤ %(high)s: meets the lenient end of the range only")
        return "within_range", Message("lenient_end_only", message, low=_fmt(lo), value=shown, high=_fmt(hi))
    return "exceeds", Message(
        "exceeds", gettext_noop("%(value)s %(sign)s %(limit)s"), value=shown, sign=">", limit=_fmt(hi)
    )


def compare(limits, measurements: dict[str, Measurement], moisture_pct: float | None = None) -> list[dict]:
    """Metal by metal (in the order of :data:`~maturity.parameters.METALS`, only
    metals that some jurisdiction limits), each jurisdiction's status.

    ``moisture_pct`` (as received) is used to put as-received results on the dry
    basis; when None, a ``moisture_pct`` measurement in ``measurements`` is used."""
    measurements = dict(measurements)
    if moisture_pct is not None:
        measurements["moisture_pct"] = Measurement(value=float(moisture_pct), unit="%", basis="as_received")
    moisture = _moisture(measurements)
    limited = {row["metal"] for row in limits}
    out = []
    for metal in METALS:
        if metal not in limited:
            continue
        try:
            value, _u, qualifier = _prepare(measurements, moisture, metal, "mg/kg", "dry")
            why = None
        except Missing as e:
            value, qualifier, why = None, "", e.reason
        entries = []
        for limit in limits:
            if limit["metal"] != metal:
                continue
            status, reason = _status(limit, value, qualifier)
            entries.append(
                {
                    "jurisdiction": limit["jurisdiction"],
                    "jurisdiction_zh": limit["jurisdiction_zh"],
                    "limit_low": limit["limit_low"],
                    "limit_high": limit["limit_high"],
                    "basis": limit["basis"],
                    "limit_display": limit_display(limit),
                    "note": limit.get("note") or "",
                    "status": status,
                    "reason": reason if reason is not None else why,
                }
            )
        out.append({"metal": metal, "value": value, "qualifier": qualifier, "jurisdictions": entries})
    return out


_WORST = ("exceeds", "uncertain", "missing", "within_range", "meets")


def by_jurisdiction(comparison: list[dict]) -> list[dict]:
    """Per jurisdiction, the worst status over its comparable metals
    (exceeds > uncertain > missing > within_range > meets), with the metals
    behind it and those not comparable. Jurisdictions in first-seen order."""
    summary = {}
    for item in comparison:
        for j in item["jurisdictions"]:
            s = summary.setdefault(
                j["jurisdiction"],
                {
                    "jurisdiction": j["jurisdiction"],
                    "jurisdiction_zh": j["jurisdiction_zh"],
                    "statuses": {},
                    "not_comparable": [],
                },
            )
            if j["status"] == "not_comparable":
                s["not_comparable"].append(item["metal"])
            else:
                s["statuses"].setdefault(j["status"], []).append(item["metal"])
    out = []
    for s in summary.values():
        worst = next((w for w in _WORST if w in s["statuses"]), "not_comparable")
        out.append(
            {
                "jurisdiction": s["jurisdiction"],
                "jurisdiction_zh": s["jurisdiction_zh"],
                "status": worst,
                "metals": s["statuses"].get(worst, []),
                "not_comparable": s["not_comparable"],
            }
        )
    return out
