"""Reporting precision (ISO/IEC 17025 §7.8.2, GUM / ISO 80000-1 rounding). Pure, no Django.

Stored values are never rounded; only what a person reads is, by one rule used
by the certificates, the dossiers, the pages and the API's display fields:

- a value with an expanded uncertainty U: U rounded to two significant figures,
  the value rounded to the last digit of that U;
- otherwise the reporting digits of its parameter and method (``Precision``: decimal
  places or significant figures, data in ``MethodReference``);
- a below-detection value (``<`` qualifier) shows its limit with the same digits;
- a limit is printed as the regulation writes it (shortest decimal form: 0.6, 100).
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class Precision:
    decimals: int | None = None
    significant_figures: int | None = None

    def __post_init__(self):
        if (self.decimals is None) == (self.significant_figures is None):
            raise ValueError("give either decimals or significant_figures")
        if self.decimals is not None and not 0 <= self.decimals <= 6:
            raise ValueError("decimals must be 0–6")
        if self.significant_figures is not None and not 1 <= self.significant_figures <= 8:
            raise ValueError("significant_figures must be 1–8")


DEFAULT = Precision(significant_figures=3)


def _dec(x) -> Decimal:
    return Decimal(repr(float(x))) if not isinstance(x, int) else Decimal(x)


def _exponent(d: Decimal) -> int:
    """Power of ten of the leading digit of d (d != 0)."""
    return d.adjusted()


def round_decimals(x, decimals: int) -> str:
    d = _dec(x).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    s = f"{d:f}"
    return "0" if d == 0 and decimals == 0 else s.replace("-0", "0") if d == 0 else s


def round_significant(x, sig: int) -> tuple[str, int]:
    """(text, decimals shown) of x to ``sig`` significant figures, never in exponent form."""
    d = _dec(x)
    if d == 0:
        return "0", 0
    decimals = sig - 1 - _exponent(d)
    q = d.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if q.adjusted() != d.adjusted():  # 9.96 -> 10.0: one digit fewer after the point
        decimals -= 1
        q = d.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if decimals < 0:
        return f"{q.quantize(Decimal(1)):f}", 0
    return f"{q:f}", decimals


def value_text(x, precision: Precision = DEFAULT) -> str:
    if x is None:
        return ""
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return str(x)
    if precision.decimals is not None:
        return round_decimals(x, precision.decimals)
    return round_significant(x, precision.significant_figures)[0]


def report(value, uncertainty=None, precision: Precision = DEFAULT) -> tuple[str, str]:
    """(value text, U text) by the rule above; U text is '' without an uncertainty."""
    if value is None:
        return "", ""
    if uncertainty is None or uncertainty <= 0:
        return value_text(value, precision), ""
    u_text, decimals = round_significant(uncertainty, 2)
    return round_decimals(value, decimals), u_text


def limit_text(limit) -> str:
    """A limit as the regulation writes it: 0.6, 100, 0.01 (shortest decimal form)."""
    if limit is None:
        return ""
    if isinstance(limit, bool) or not isinstance(limit, (int, float)):
        return str(limit)
    d = _dec(limit).normalize()
    s = f"{d:f}"
    return s


def rule_for(rules: dict, method: str, parameter: str):
    """The reference row for ``parameter`` measured by ``method``: (method, parameter), then
    (method, ''), then ('*', parameter); ``rules`` maps (method, parameter) -> dict."""
    for key in ((method, parameter), (method, ""), ("*", parameter)):
        if key in rules:
            return rules[key]
    return None


def precision_for(rules: dict, method: str, parameter: str) -> Precision:
    """Reporting digits for ``parameter`` by ``method``: the most specific row that sets digits."""
    for key in ((method, parameter), (method, ""), ("*", parameter)):
        row = rules.get(key)
        if row and (row.get("decimals") is not None or row.get("significant_figures") is not None):
            return Precision(
                row.get("decimals"), row.get("significant_figures") if row.get("decimals") is None else None
            )
    return DEFAULT
