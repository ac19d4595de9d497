"""Inline SVG charts for the regulator dashboard: no JavaScript library, no
network, printable. Values are those of maturity.market (requirement unit
and dry basis), never recomputed verdicts."""

import numpy as np
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from maturity.formatting import fmt

from . import explain, labels

COLORS = {
    "pass": "#1e7b3a",
    "fail": "#b3261e",
    "conditional": "#c98a00",
    "incomplete": "#8a9690",
    "bar": "#2f6b3f",
    "beyond": "#b3261e",
    "limit": "#b3261e",
}


def _svg(width, height, body, title):
    return mark_safe(
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>{body}</svg>'
    )


def condition_text(lim):
    return {"bagasse": " (" + _("made from bagasse") + ")", "not_bagasse": " (" + _("not made from bagasse") + ")"}.get(
        lim.get("condition") or "", ""
    )


def verdict_bar(counts):
    """Horizontal bars: samples per compliance verdict."""
    total = sum(counts.values()) or 1
    rows = [(k, counts.get(k, 0)) for k in ("pass", "fail", "conditional", "incomplete")]
    width, bar_h, gap, left = 520, 26, 10, 120
    height = len(rows) * (bar_h + gap) + 10
    parts = []
    for i, (k, n) in enumerate(rows):
        y = 5 + i * (bar_h + gap)
        w = (width - left - 90) * n / total
        parts.append(
            f'<text x="{left - 8}" y="{y + 18}" text-anchor="end">{escape(labels.verdict_label(k))}</text>'
            f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar_h}" rx="4" fill="{COLORS[k]}"/>'
            f'<text x="{left + w + 6:.1f}" y="{y + 18}">{n} ({fmt(100 * n / total, 3)} %)</text>'
        )
    return _svg(width, height, "".join(parts), _("Samples per verdict"))


def histogram_range(vmin, vmax, limits):
    """The value axis of a histogram: the values' range and the limits, 5 % margin, never below 0 for
    non-negative data."""
    lims = [lim["limit"] for lim in limits]
    values = [v for v in (vmin, vmax) if v is not None]
    lo = min([*values, *lims]) if values else min(lims or [0])
    hi = max([*values, *lims]) if values else max(lims or [1])
    if hi == lo:
        hi = lo + 1
    span = hi - lo
    floor = 0 if lo >= 0 else None
    lo, hi = lo - span * 0.05, hi + span * 0.05
    if floor is not None:
        lo = max(lo, floor)
    return lo, hi


def histogram(counts, lo, hi, limits, unit, title):
    """Counts of samples per value bin on [lo, hi], with each limit as a dashed red line."""
    width, height, left, bottom, top = 400, 200, 30, 36, 18
    bins = len(counts)
    counts, edges = np.asarray(counts), np.linspace(lo, hi, bins + 1)
    peak = max(1, int(counts.max()) if len(counts) else 1)
    plot_w, plot_h = width - left - 50, height - bottom - top
    x = lambda val: left + (val - lo) / (hi - lo) * plot_w  # noqa: E731
    parts = [f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#9aa7a0"/>']
    bw = plot_w / bins
    for i, c in enumerate(counts):
        h = plot_h * c / peak
        beyond = any(
            (lim["kind"] == "min" and edges[i + 1] <= lim["limit"])
            or (lim["kind"] != "min" and edges[i] >= lim["limit"])
            for lim in limits
        )
        fill = COLORS["beyond"] if beyond else COLORS["bar"]
        parts.append(
            f'<rect x="{left + i * bw + 1:.1f}" y="{top + plot_h - h:.1f}" width="{bw - 2:.1f}" '
            f'height="{h:.1f}" fill="{fill}" opacity=".85"><title>{fmt(edges[i])}–{fmt(edges[i + 1])} '
            f"{escape(unit)}: {int(c)}</title></rect>"
        )
        if c:
            parts.append(
                f'<text x="{left + i * bw + bw / 2:.1f}" y="{top + plot_h - h - 3:.1f}" '
                f'text-anchor="middle">{int(c)}</text>'
            )
    for t in np.linspace(lo, hi, 5):
        parts.append(f'<text x="{x(t):.1f}" y="{top + plot_h + 16}" text-anchor="middle">{fmt(t, 3)}</text>')
    parts.append(f'<text x="{left + plot_w}" y="{height - 4}" text-anchor="end">{escape(unit)}</text>')
    parts.append(f'<text x="4" y="{top + 8}">{escape(_("n"))}</text>')
    for lim in limits:
        lx = x(lim["limit"])
        sign = labels.KINDS.get(lim["kind"], "")
        parts.append(
            f'<line x1="{lx:.1f}" y1="{top - 4}" x2="{lx:.1f}" y2="{top + plot_h}" stroke="{COLORS["limit"]}" '
            f'stroke-width="2" stroke-dasharray="5 3"/>'
            f'<text x="{lx + 3:.1f}" y="{top - 6 + 12 * limits.index(lim)}" fill="{COLORS["limit"]}">'
            f"{sign} {fmt(lim['limit'])}</text>"
        )
    return _svg(width, height, "".join(parts), title)


def exceedance_bars(stats, names):
    """Share of samples beyond each limit, highest first."""
    rows = []
    for s in stats:
        for lim in s["limits"]:
            if lim["share_pct"] is None:
                continue
            rows.append(
                (
                    f"{explain.display_name(s['parameter'])} {labels.KINDS.get(lim['kind'], '')} "
                    f"{fmt(lim['limit'])} {s['unit']}{condition_text(lim)} · "
                    f"{labels.category_name(s['category'], names)}",
                    lim["share_pct"],
                    lim["beyond"],
                    s["count"],
                    lim["samples_url"],
                )
            )
    rows.sort(key=lambda r: -r[1])
    rows = rows[:15]
    if not rows:
        return None
    width, bar_h, gap, left = 560, 22, 8, 280
    height = len(rows) * (bar_h + gap) + 10
    parts = []
    for i, (label, share, n, count, url) in enumerate(rows):
        y = 5 + i * (bar_h + gap)
        w = (width - left - 110) * share / 100
        parts.append(
            f'<a href="{escape(url)}"><text x="{left - 8}" y="{y + 15}" text-anchor="end">{escape(label)}</text>'
            f'<rect x="{left}" y="{y}" width="{max(w, 1):.1f}" height="{bar_h}" rx="3" '
            f'fill="{COLORS["beyond"] if share else "#c9d3cd"}"/>'
            f'<text x="{left + max(w, 1) + 6:.1f}" y="{y + 15}">{fmt(share, 3)} % ({n}/{count})</text></a>'
        )
    return _svg(width, height, "".join(parts), _("Share of samples beyond each limit"))


def stat_panels(stats, bin_counts, names):
    """One panel per category and parameter: histogram and a sentence of figures.
    ``bin_counts(category, parameter, lo, hi)`` counts the samples per bin (in SQL)."""
    panels = []
    for s in stats:
        title = f"{explain.display_name(s['parameter'])} · {labels.category_name(s['category'], names)}"
        beyond = [(lim, lim["beyond"], lim["share_pct"]) for lim in s["limits"]]
        summary = []
        for lim, n, share in beyond:
            summary.append(
                _("%(n)s of %(count)s (%(share)s %%) beyond %(sign)s %(limit)s %(unit)s")
                % {
                    "n": n,
                    "count": s["count"],
                    "share": fmt(share, 3) if share is not None else "—",
                    "sign": labels.KINDS.get(lim["kind"], ""),
                    "limit": fmt(lim["limit"]),
                    "unit": s["unit"],
                }
                + condition_text(lim)
            )
        panels.append(
            {
                "title": title,
                "parameter": s["parameter"],
                "category": s["category"],
                "count": s["count"],
                "mean": fmt(s["mean"]) if s["mean"] is not None else "—",
                "min": fmt(s["min"]) if s["min"] is not None else "—",
                "max": fmt(s["max"]) if s["max"] is not None else "—",
                "unit": s["unit"],
                "summary": summary,
                "samples_url": s["samples_url"],
                "failing_url": s["limits"][0]["samples_url"] if s["limits"] else s["samples_url"],
                "svg": _panel_histogram(s, bin_counts, title) if s["count"] else None,
                "any_beyond": any(n for _l, n, _s in beyond),
            }
        )
    panels.sort(key=lambda p: (not p["any_beyond"], p["category"], p["parameter"]))
    return {"panels": panels, "exceedance": exceedance_bars(stats, names)}


def _panel_histogram(s, bin_counts, title):
    lo, hi = histogram_range(s["min"], s["max"], s["limits"])
    return histogram(bin_counts(s["category"], s["parameter"], lo, hi), lo, hi, s["limits"], s["unit"], title)
