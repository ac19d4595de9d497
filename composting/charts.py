"""The governing temperature curve as inline SVG (pure: no Django import; text escaped here).

Also used for the PDF evidence: :func:`geometry` gives the scaled points the reportlab drawing reuses."""

import datetime
from html import escape

BAND_COLOURS = {45: "#c98a00", 50: "#8a6d00", 55: "#b3261e", 60: "#7a1d8a", 70: "#1d4f8a"}


def thresholds_of(params_by_key):
    """Temperature lines to draw: every threshold of the active criteria except the organisms' (too many)."""
    found = set()
    for key, params in params_by_key.items():
        for name in ("temperature_c", "run_c", "low_c", "high_c", "peak_c"):
            if isinstance(params.get(name), (int, float)):
                found.add(float(params[name]))
    return sorted(found)


def geometry(hours, turnings, thresholds, width, height, left=44, right=10, top=12, bottom=28):
    """Scale governing ``hours`` [(time, °C)] and ``turnings`` [time] to a plot box.

    -> dict with points [(x, y)], segments (lists of points, broken at gaps of more than 6 h), turning x's,
    threshold lines [(°C, y)], y ticks [(°C, y)] and x ticks [(label, x)]."""
    if not hours:
        return None
    t0, t1 = hours[0][0], hours[-1][0]
    span = max((t1 - t0).total_seconds(), 3600.0)
    temps = [t for _, t in hours] + list(thresholds)
    lo = min(0.0, min(temps) - 5)
    hi = max(temps) + 5
    pw, ph = width - left - right, height - top - bottom

    def x(t):
        return left + pw * (t - t0).total_seconds() / span

    def y(c):
        return top + ph * (hi - c) / (hi - lo)

    segments, current, prev = [], [], None
    for t, c in hours:
        if prev is not None and (t - prev).total_seconds() > 7 * 3600:
            segments.append(current)
            current = []
        current.append((round(x(t), 1), round(y(c), 1)))
        prev = t
    segments.append(current)
    step = 10 if hi - lo > 60 else 5
    ticks = [(c, round(y(c), 1)) for c in range(int(lo // step * step), int(hi) + 1, step) if lo <= c <= hi]
    days = max(int(span // 86400), 1)
    every = max(1, days // 8)
    xt = [(f"d{d}", round(x(t0 + datetime.timedelta(days=d)), 1)) for d in range(0, days + 1, every)]
    return {
        "segments": segments,
        "turnings": [round(x(t), 1) for t in turnings if t0 <= t <= t1],
        "thresholds": [(c, round(y(c), 1)) for c in thresholds],
        "y_ticks": ticks,
        "x_ticks": xt,
        "box": (left, top, pw, ph),
    }


def governing_svg(hours, turnings, thresholds, title, *, width=720, height=260, labels=None):
    """SVG markup: the curve, each threshold as a dashed band line, each turning as a vertical line."""
    labels = labels or {}
    g = geometry(hours, turnings, thresholds, width, height)
    if g is None:
        return ""
    left, top, pw, ph = g["box"]
    parts = [f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="#fafcfa" stroke="#c8d2cc"/>']
    for c, yy in g["y_ticks"]:
        parts.append(f'<text x="{left - 6}" y="{yy + 4}" text-anchor="end" font-size="10">{c}</text>')
    for label, xx in g["x_ticks"]:
        parts.append(f'<text x="{xx}" y="{top + ph + 16}" text-anchor="middle" font-size="10">{escape(label)}</text>')
    for c, yy in g["thresholds"]:
        colour = BAND_COLOURS.get(int(c), "#555")
        parts.append(
            f'<line class="band" x1="{left}" x2="{left + pw}" y1="{yy}" y2="{yy}" stroke="{colour}" '
            f'stroke-dasharray="5 4"/><text x="{left + pw - 4}" y="{yy - 3}" text-anchor="end" '
            f'font-size="10" fill="{colour}">{c:g} °C</text>'
        )
    for xx in g["turnings"]:
        parts.append(f'<line class="turning" x1="{xx}" x2="{xx}" y1="{top}" y2="{top + ph}" stroke="#6b7a70"/>')
    for seg in g["segments"]:
        pts = " ".join(f"{a},{b}" for a, b in seg)
        parts.append(f'<polyline class="governing" points="{pts}" fill="none" stroke="#2f6b3f" stroke-width="1.6"/>')
    legend = escape(labels.get("legend", "governing temperature (lowest probe per hour), turnings as grey lines"))
    parts.append(f'<text x="{left}" y="{height - 2}" font-size="10">{legend}</text>')
    return (
        f'<svg class="chart" style="max-width:{width}px" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
        f"{''.join(parts)}</svg>"
    )


def forecast_svg(rows, horizon_years, title, *, width=720, height=280, legend=""):
    """Soil concentration over the years as a share of each metal's first threshold (100 % = that standard).
    ``rows``: [{metal, start_mg_kg, yearly_rise_mg_kg, threshold_mg_kg}]."""
    palette = ["#2f6b3f", "#b3261e", "#1d4f8a", "#c98a00", "#7a1d8a", "#00796b", "#6d4c41", "#455a64"]
    left, right, top, bottom = 48, 90, 12, 30
    pw, ph = width - left - right, height - top - bottom
    series = [
        (
            r["metal"],
            [100 * (r["start_mg_kg"] + r["yearly_rise_mg_kg"] * t) / r["threshold_mg_kg"] for t in (0, horizon_years)],
        )
        for r in rows
        if r.get("threshold_mg_kg")
    ]
    if not series:
        return ""
    hi = max(120.0, max(max(v) for _, v in series) * 1.05)

    def y(v):
        return top + ph * (hi - min(v, hi)) / hi

    parts = [
        f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="#fafcfa" stroke="#c8d2cc"/>',
        f'<line class="band" x1="{left}" x2="{left + pw}" y1="{y(100):.1f}" y2="{y(100):.1f}" stroke="#b3261e" '
        f'stroke-dasharray="5 4"/><text x="{left + pw + 4}" y="{y(100) + 4:.1f}" font-size="10" '
        f'fill="#b3261e">100 %</text>',
    ]
    for v in range(0, int(hi) + 1, 50 if hi > 200 else 25):
        parts.append(f'<text x="{left - 6}" y="{y(v) + 4:.1f}" text-anchor="end" font-size="10">{v}</text>')
    for i in range(0, 5):
        t = horizon_years * i / 4
        parts.append(
            f'<text x="{left + pw * i / 4:.1f}" y="{top + ph + 16}" text-anchor="middle" font-size="10">{t:g}</text>'
        )
    labels = []
    for i, (metal, (a, b)) in enumerate(series):
        colour = palette[i % len(palette)]
        x2, y2 = left + pw, y(b)
        if b > hi:  # clip where the line leaves the plot
            x2 = left + pw * (hi - a) / (b - a)
        parts.append(
            f'<line class="metal" x1="{left}" y1="{y(a):.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
            f'stroke="{colour}" stroke-width="1.8"/>'
        )
        labels.append([min(y2, top + ph) + 4, metal, colour])
    labels.sort()
    for k in range(1, len(labels)):  # keep the line-end labels 10 px apart, in the lines' order
        labels[k][0] = max(labels[k][0], labels[k - 1][0] + 10)
    for yy, metal, colour in labels:
        parts.append(f'<text x="{left + pw + 4}" y="{yy:.1f}" font-size="10" fill="{colour}">{escape(metal)}</text>')
    parts.append(f'<text x="{left}" y="{height - 2}" font-size="10">{escape(legend)}</text>')
    return (
        f'<svg class="chart" style="max-width:{width}px" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
        f"{''.join(parts)}</svg>"
    )
