"""A control chart as an SVG string: points, centre, ±1/2/3 s lines, violations marked. Pure, no Django."""

from html import escape

from .statistics import is_reject

W, H, PAD = 640, 260, 40


def control_chart_svg(values, centre, s, violations=None, title=""):
    violations = violations or [[] for _ in values]
    if centre is None or not s:
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} 60" role="img" aria-label="{escape(title)}">'
            f'<text x="10" y="30">{escape(title)}: {len(values)} / 20</text></svg>'
        )
    lo, hi = centre - 3.5 * s, centre + 3.5 * s
    lo, hi = min([lo, *values]), max([hi, *values])

    def y(v):
        return PAD + (hi - v) / (hi - lo) * (H - 2 * PAD)

    def x(i):
        return PAD + (i + 0.5) * (W - 2 * PAD) / max(len(values), 1)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" role="img" '
        f'aria-label="{escape(title)}" class="control-chart">',
        f"<title>{escape(title)}</title>",
    ]
    for k, colour, dash in ((3, "#c0392b", ""), (2, "#e67e22", "6 3"), (1, "#95a5a6", "2 3")):
        for sign in (1, -1):
            v = centre + sign * k * s
            parts.append(
                f'<line class="limit-{k}s" x1="{PAD}" x2="{W - PAD}" y1="{y(v):.1f}" y2="{y(v):.1f}" '
                f'stroke="{colour}" stroke-dasharray="{dash}"/>'
            )
            parts.append(
                f'<text x="{W - PAD + 2}" y="{y(v) + 4:.1f}" font-size="10">{"+" if sign > 0 else "−"}{k}s</text>'
            )
    parts.append(
        f'<line class="centre" x1="{PAD}" x2="{W - PAD}" y1="{y(centre):.1f}" y2="{y(centre):.1f}" stroke="#2c3e50"/>'
    )
    if values:
        path = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
        parts.append(f'<polyline points="{path}" fill="none" stroke="#34495e" stroke-width="1"/>')
    for i, (v, hit) in enumerate(zip(values, violations)):
        if hit:
            cls, colour = ("reject", "#c0392b") if is_reject(hit) else ("warning", "#e67e22")
            parts.append(
                f'<circle class="point {cls}" cx="{x(i):.1f}" cy="{y(v):.1f}" r="5" fill="{colour}">'
                f"<title>{escape(', '.join(hit))}</title></circle>"
            )
        else:
            parts.append(f'<circle class="point" cx="{x(i):.1f}" cy="{y(v):.1f}" r="3" fill="#34495e"/>')
    parts.append("</svg>")
    return "".join(parts)
