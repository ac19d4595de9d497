"""Feedstock mix designer (DOMAIN.md §10). Pure: no Django import.

Materials: C % and N % on the dry basis, moisture % as received. Targets: C/N ``R`` and moisture ``m`` (%).
Two materials: the closed form; more: a linear programme (scipy) that meets C/N = R exactly and minimises cost
per tonne as received, or the deviation from preferred shares of the dry mass.
"""

import math
from dataclasses import dataclass

DEFAULT_CN, DEFAULT_MOISTURE_PCT, DRY_TOTAL_KG = 30.0, 65.0, 100.0
GOOD_MOISTURE_PCT = (55.0, 65.0)


class MixError(ValueError):
    """Input or target that cannot be met; ``field`` and ``code`` name the input and the rule, ``params`` the
    numbers for the message."""

    def __init__(self, field, code, message, **params):
        super().__init__(message % params)
        self.field, self.code, self.template, self.params = field, code, message, params


@dataclass(frozen=True)
class Material:
    name: str
    carbon_pct: float
    nitrogen_pct: float
    moisture_pct: float
    min_share_pct: float = 0.0  # bounds on the share of the dry mass (LP only)
    max_share_pct: float = 100.0
    cost_per_tonne: float | None = None
    preferred_share_pct: float | None = None

    @property
    def cn(self):
        return math.inf if self.nitrogen_pct == 0 else self.carbon_pct / self.nitrogen_pct


def check_material(m, i):
    p = f"materials.{i}."
    for key, lo, hi in (("carbon_pct", 0, 100), ("nitrogen_pct", 0, 100)):
        v = getattr(m, key)
        if not (isinstance(v, (int, float)) and math.isfinite(v) and lo <= v <= hi):
            raise MixError(p + key, "mix_percent_range", "%(name)s must be between 0 and 100", name=key)
    if m.carbon_pct == 0 and m.nitrogen_pct == 0:
        raise MixError(p + "nitrogen_pct", "mix_no_carbon_no_nitrogen", "a material needs carbon or nitrogen")
    if not (isinstance(m.moisture_pct, (int, float)) and 0 <= m.moisture_pct < 100):
        raise MixError(p + "moisture_pct", "mix_moisture_range", "moisture must be at least 0 and below 100 %%")
    if not (0 <= m.min_share_pct <= m.max_share_pct <= 100):
        raise MixError(p + "max_share_pct", "mix_bounds_order", "the share bounds must satisfy 0 ≤ min ≤ max ≤ 100")
    if m.cost_per_tonne is not None and not (math.isfinite(m.cost_per_tonne) and m.cost_per_tonne >= 0):
        raise MixError(p + "cost_per_tonne", "mix_cost_range", "the cost must be 0 or more")


def check_targets(cn, moisture_pct):
    if not (isinstance(cn, (int, float)) and math.isfinite(cn) and cn > 0):
        raise MixError("target_cn", "mix_target_cn_range", "the target C/N must be above 0")
    if not (isinstance(moisture_pct, (int, float)) and 0 < moisture_pct < 100):
        raise MixError(
            "target_moisture_pct", "mix_target_moisture_range", "the target moisture must be above 0 and below 100 %%"
        )


def water(dry_kg, materials, target_moisture_pct):
    """Wet masses, the mix's water W and wet mass M, and water to add Y = (m·M − W)/(1 − m) (negative: too wet)."""
    wet = [d / (1 - m.moisture_pct / 100) for d, m in zip(dry_kg, materials)]
    mass = sum(wet)
    w = mass - sum(dry_kg)
    m = target_moisture_pct / 100
    y = (m * mass - w) / (1 - m)
    return {
        "wet_kg": wet,
        "mix_wet_kg": mass,
        "mix_water_kg": w,
        "mix_moisture_pct": 100 * w / mass if mass else 0,
        "water_to_add_kg": max(y, 0.0),
        "excess_water_kg": max(-y, 0.0),
        "too_wet": y < 0,
        "water_balance_kg": y,
    }


def _result(materials, dry, cn_target, moisture_pct, method):
    out = water(dry, materials, moisture_pct)
    n = sum(d * m.nitrogen_pct for d, m in zip(dry, materials))
    c = sum(d * m.carbon_pct for d, m in zip(dry, materials))
    return {
        "method": method,
        "target_cn": cn_target,
        "target_moisture_pct": moisture_pct,
        "cn": c / n if n else math.inf,
        "materials": [
            {"name": m.name, "dry_kg": d, "wet_kg": w, "share_pct": 100 * d / sum(dry)}
            for m, d, w in zip(materials, dry, out.pop("wet_kg"))
        ],
        **out,
    }


def two_materials(a, b, cn=DEFAULT_CN, moisture_pct=DEFAULT_MOISTURE_PCT, dry_total=DRY_TOTAL_KG):
    """Closed form: x kg of ``a`` in ``dry_total`` kg solves C1·x + C2·(T−x) = R·(N1·x + N2·(T−x))."""
    check_targets(cn, moisture_pct)
    for i, m in enumerate((a, b)):
        check_material(m, i)
    lo, hi = sorted((a.cn, b.cn))
    if not (lo <= cn <= hi):
        raise MixError(
            "target_cn",
            "mix_cn_outside_range",
            "C/N %(target)s is outside the materials' range %(low)s–%(high)s",
            target=f"{cn:g}",
            low=f"{lo:.4g}",
            high=f"{hi:.4g}",
        )
    ka, kb = a.carbon_pct - cn * a.nitrogen_pct, b.carbon_pct - cn * b.nitrogen_pct
    x = dry_total / 2 if ka == kb else dry_total * (-kb) / (ka - kb)
    return _result((a, b), [x, dry_total - x], cn, moisture_pct, "closed_form")


def linear_programme(materials, cn=DEFAULT_CN, moisture_pct=DEFAULT_MOISTURE_PCT, dry_total=DRY_TOTAL_KG):
    """Shares meeting C/N = R exactly within each material's bounds; minimise cost as received when every material
    has a cost, else the total deviation from the preferred shares (equal shares when none are given)."""
    import numpy as np
    from scipy.optimize import linprog

    check_targets(cn, moisture_pct)
    if len(materials) < 2:
        raise MixError("materials", "mix_two_materials_needed", "choose at least two materials")
    for i, m in enumerate(materials):
        check_material(m, i)
    n = len(materials)
    k = np.array([m.carbon_pct - cn * m.nitrogen_pct for m in materials])
    lo = np.array([m.min_share_pct for m in materials]) * dry_total / 100
    hi = np.array([m.max_share_pct for m in materials]) * dry_total / 100
    if lo.sum() > dry_total + 1e-9 or hi.sum() < dry_total - 1e-9:
        raise MixError("materials", "mix_bounds_infeasible", "the share bounds cannot add up to 100 %%")
    if all(m.cost_per_tonne is not None for m in materials):
        c = np.array([m.cost_per_tonne / 1000 / (1 - m.moisture_pct / 100) for m in materials])
        res = linprog(c, A_eq=np.vstack([k, np.ones(n)]), b_eq=[0, dry_total], bounds=list(zip(lo, hi)), method="highs")
        objective = "cost"
    else:
        pref = (
            np.array([m.preferred_share_pct if m.preferred_share_pct is not None else 100 / n for m in materials])
            * dry_total
            / 100
        )
        # variables: x (n), d (n) with d >= |x - p|
        c = np.concatenate([np.zeros(n), np.ones(n)])
        eye = np.eye(n)
        a_ub = np.vstack([np.hstack([eye, -eye]), np.hstack([-eye, -eye])])
        b_ub = np.concatenate([pref, -pref])
        a_eq = np.vstack([np.concatenate([k, np.zeros(n)]), np.concatenate([np.ones(n), np.zeros(n)])])
        res = linprog(
            c,
            A_ub=a_ub,
            b_ub=b_ub,
            A_eq=a_eq,
            b_eq=[0, dry_total],
            bounds=list(zip(lo, hi)) + [(0, None)] * n,
            method="highs",
        )
        objective = "preference"
    if res.status != 0:
        cns = [m.cn for m in materials]
        raise MixError(
            "target_cn",
            "mix_lp_infeasible",
            "C/N %(target)s cannot be met within the share bounds (materials' C/N %(low)s–%(high)s)",
            target=f"{cn:g}",
            low=f"{min(cns):.4g}",
            high=f"{max(cns):.4g}",
        )
    dry = [float(v) for v in res.x[:n]]
    out = _result(materials, dry, cn, moisture_pct, "linear_programme")
    out["objective"] = objective
    if objective == "cost":
        out["cost"] = float(sum(m.cost_per_tonne * r["wet_kg"] / 1000 for m, r in zip(materials, out["materials"])))
    return out


def design(materials, cn=DEFAULT_CN, moisture_pct=DEFAULT_MOISTURE_PCT, dry_total=DRY_TOTAL_KG):
    """Two materials without bounds or costs: the closed form; otherwise the linear programme."""
    plain = all(
        m.min_share_pct == 0 and m.max_share_pct == 100 and m.cost_per_tonne is None and m.preferred_share_pct is None
        for m in materials
    )
    if len(materials) == 2 and plain:
        return two_materials(materials[0], materials[1], cn, moisture_pct, dry_total)
    return linear_programme(materials, cn, moisture_pct, dry_total)
