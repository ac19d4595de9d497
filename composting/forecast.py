"""Soil metal-loading forecast (DOMAIN.md §11). Pure: no Django import; numpy for the vectorised path.

Ms = d·10 000·ρ·1000 kg/ha (d in m); ΔS = A·1000·(1 − w)·C / Ms mg/kg per year; years to T = (T − S0)/ΔS
(0 if already reached, None if ΔS = 0); A_max = (T − S0)·Ms / (H·1000·(1 − w)·C).
"""

import math

import numpy as np

DEFAULT_DEPTH_CM, DEFAULT_BULK_DENSITY = 15.0, 1.2


class ForecastError(ValueError):
    def __init__(self, field, code, message, **params):
        super().__init__(message % params)
        self.field, self.code, self.template, self.params = field, code, message, params


def soil_mass(depth_cm=DEFAULT_DEPTH_CM, bulk_density=DEFAULT_BULK_DENSITY):
    """kg of plough layer per hectare (1 800 000 by default)."""
    return depth_cm / 100 * 10_000 * bulk_density * 1000


def yearly_rise(rate_t_ha, moisture_pct, metal_mg_kg, soil_mass_kg_ha):
    """ΔS in mg/kg per year; scalars or numpy arrays alike (the same expression)."""
    return rate_t_ha * 1000 * (1 - moisture_pct / 100) * metal_mg_kg / soil_mass_kg_ha


def years_to(threshold, start, rise):
    if start >= threshold:
        return 0.0
    if rise == 0:
        return None
    return (threshold - start) / rise


def largest_rate(threshold, start, soil_mass_kg_ha, horizon_years, moisture_pct, metal_mg_kg):
    """The largest rate (t/ha/yr as received) keeping the soil below ``threshold`` for ``horizon_years``;
    None when the compost carries none of the metal (no limit), 0 when the soil is already there."""
    if start >= threshold:
        return 0.0
    if metal_mg_kg == 0:
        return None
    return (threshold - start) * soil_mass_kg_ha / (horizon_years * 1000 * (1 - moisture_pct / 100) * metal_mg_kg)


def check_inputs(rate_t_ha, moisture_pct, horizon_years, depth_cm, bulk_density):
    for field, v, ok, rule in (
        ("rate_t_ha", rate_t_ha, lambda x: x >= 0, "0 or more"),
        ("moisture_pct", moisture_pct, lambda x: 0 <= x < 100, "at least 0 and below 100"),
        ("horizon_years", horizon_years, lambda x: 0 < x <= 1000, "above 0 and at most 1000"),
        ("depth_cm", depth_cm, lambda x: 0 < x <= 200, "above 0 and at most 200"),
        ("bulk_density", bulk_density, lambda x: 0 < x <= 3, "above 0 and at most 3"),
    ):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or not ok(v):
            raise ForecastError(field, "forecast_out_of_range", "%(name)s must be %(rule)s", name=field, rule=rule)


def forecast(
    metals,
    moisture_pct,
    rate_t_ha,
    start,
    thresholds,
    horizon_years=100,
    depth_cm=DEFAULT_DEPTH_CM,
    bulk_density=DEFAULT_BULK_DENSITY,
):
    """Per metal: ΔS, years to each threshold level, the largest sustainable rate at each level.

    ``metals`` {metal: mg/kg dry}; ``start`` {metal: S0 mg/kg}; ``thresholds`` {level: {metal: mg/kg}} in the order
    the levels should be reached (monitoring before control). The limiting metal reaches the first level soonest
    (None when no metal ever does); the largest sustainable rate is the smallest A_max at the first level."""
    check_inputs(rate_t_ha, moisture_pct, horizon_years, depth_cm, bulk_density)
    ms = soil_mass(depth_cm, bulk_density)
    levels = list(thresholds)
    rows = []
    for metal, c in metals.items():
        if metal not in start:
            raise ForecastError(
                f"start.{metal}", "forecast_start_missing", "no starting soil concentration for %(metal)s", metal=metal
            )
        s0 = start[metal]
        rise = yearly_rise(rate_t_ha, moisture_pct, c, ms)
        row = {"metal": metal, "compost_mg_kg": c, "start_mg_kg": s0, "yearly_rise_mg_kg": rise, "levels": {}}
        for level in levels:
            t = thresholds[level].get(metal)
            if t is None:
                continue
            row["levels"][level] = {
                "threshold_mg_kg": t,
                "years": years_to(t, s0, rise),
                "largest_rate_t_ha": largest_rate(t, s0, ms, horizon_years, moisture_pct, c),
            }
        rows.append(row)
    first = levels[0] if levels else None
    timed = [
        (r["levels"][first]["years"], r["metal"])
        for r in rows
        if first in r["levels"] and r["levels"][first]["years"] is not None
    ]
    rates = [
        r["levels"][first]["largest_rate_t_ha"]
        for r in rows
        if first in r["levels"] and r["levels"][first]["largest_rate_t_ha"] is not None
    ]
    return {
        "soil_mass_kg_ha": ms,
        "rate_t_ha": rate_t_ha,
        "moisture_pct": moisture_pct,
        "horizon_years": horizon_years,
        "metals": rows,
        "limiting_metal": min(timed)[1] if timed else None,
        "largest_sustainable_rate_t_ha": min(rates) if rates else None,
        "first_level": first,
    }


def series(start, rise, years):
    """Soil concentration at each of ``years`` (numpy array): S0 + ΔS·t."""
    return start + rise * np.asarray(years, dtype=float)
