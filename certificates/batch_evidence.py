"""Composting-batch evidence on certificates and dossiers (DOMAIN.md §9): a small governing-temperature chart and
the criteria table of every batch the documented samples name.

``context(samples)`` freezes the evidence into the document's JSON context (database reads, at request time);
``flowables(ctx)`` draws it with reportlab only, from that context, like the rest of the PDF.
"""

from __future__ import annotations

import datetime

from reportlab.graphics.shapes import Drawing, Line, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Spacer

from .layout import FRAME_W, P, bi, data_table, heading, tx

STATUS_TEXT = {
    "met": ("達成", "met"),
    "not_shown": ("未證明", "not shown"),
    "not_judged": ("未判定", "not judged"),
    "inactivated": ("已不活化", "inactivated"),
}


def _run_text(run):
    start, end = run["start"][:16].replace("T", " "), run["end"][:16].replace("T", " ")
    return f"{start} → {end} ({run['length_hours']:g} h)"


def context(samples) -> list:
    """[{batch, method, dates, governing [[iso hour, °C]], turnings, thresholds, criteria rows}], one per batch."""
    from composting import charts, selectors

    out, seen = [], set()
    for sample in samples:
        batch = selectors.batch_of_sample(sample)
        if batch is None or batch.pk in seen:
            continue
        seen.add(batch.pk)
        ev = selectors.evaluation(batch)
        rows = []
        for c in ev["criteria"]:
            run = c.get("run")
            organisms = c.get("organisms", [])
            counts = {
                s: sum(1 for o in organisms if o["status"] == s) for s in ("inactivated", "not_shown", "not_judged")
            }
            rows.append(
                {
                    "key": c["key"],
                    "name": c["name"],
                    "status": c["status"],
                    "source": c["source"],
                    "run": _run_text(run) if run else "",
                    "organisms": counts if organisms else None,
                }
            )
        out.append(
            {
                "batch": batch.name,
                "method": batch.method,
                "samples": [s.code for s in samples],
                "started_on": str(batch.started_on),
                "ended_on": str(batch.ended_on or ""),
                "governing": [[h.isoformat(), t] for h, t in ev["governing"]],
                "turnings": [t.isoformat() for t in ev["turnings"]],
                "thresholds": charts.thresholds_of(ev["criteria_params"]),
                "criteria": rows,
            }
        )
    return out


def _chart(block, width, height=42 * mm) -> Drawing | None:
    from composting.charts import geometry

    hours = [(datetime.datetime.fromisoformat(h), t) for h, t in block["governing"]]
    turnings = [datetime.datetime.fromisoformat(t) for t in block["turnings"]]
    g = geometry(hours, turnings, block["thresholds"], width, height, left=28, right=34, top=6, bottom=16)
    if g is None:
        return None
    d = Drawing(width, height)
    left, top, pw, ph = g["box"]
    flip = lambda y: height - y  # noqa: E731  (SVG y grows down, reportlab's up)
    d.add(
        Rect(
            left,
            flip(top + ph),
            pw,
            ph,
            fillColor=colors.HexColor("#fafcfa"),
            strokeColor=colors.HexColor("#c8d2cc"),
            strokeWidth=0.5,
        )
    )
    for c, y in g["y_ticks"]:
        d.add(String(left - 3, flip(y) - 2.5, f"{c}", fontSize=6, textAnchor="end"))
    for label, x in g["x_ticks"]:
        d.add(String(x, flip(top + ph) - 8, label, fontSize=6, textAnchor="middle"))
    for c, y in g["thresholds"]:
        d.add(
            Line(
                left,
                flip(y),
                left + pw,
                flip(y),
                strokeColor=colors.HexColor("#b3261e"),
                strokeWidth=0.5,
                strokeDashArray=[3, 2],
            )
        )
        d.add(String(left + pw + 2, flip(y) - 2, f"{c:g} °C", fontSize=6, fillColor=colors.HexColor("#b3261e")))
    for x in g["turnings"]:
        d.add(Line(x, flip(top), x, flip(top + ph), strokeColor=colors.HexColor("#8a9690"), strokeWidth=0.4))
    for seg in g["segments"]:
        pts = [v for x, y in seg for v in (x, flip(y))]
        if len(seg) == 1:
            pts += [pts[0] + 0.8, pts[1]]
        d.add(PolyLine(pts, strokeColor=colors.HexColor("#2f6b3f"), strokeWidth=0.9))
    return d


def flowables(ctx: dict) -> list:
    """The evidence section(s); nothing when no documented sample names a batch."""
    blocks = ctx.get("batch_evidence") or []
    story: list = []
    for block in blocks:
        story += heading("B", "堆肥批次證據", f"Composting batch evidence: {block['batch']}", 70)
        story.append(
            P(
                tx(
                    f"{block['batch']} · {block['method']} · {block['started_on']} – {block['ended_on'] or '…'}"
                    f" · 樣品 samples {', '.join(block['samples'])}"
                ),
                "body",
            )
        )
        chart = _chart(block, FRAME_W)
        parts = [chart] if chart is not None else [P(bi("無溫度紀錄。", "No temperature readings.", sep=" "), "body")]
        parts.append(
            P(
                bi(
                    "控制溫度（每小時最低探針溫度）；灰線：翻堆；虛線：判定溫度。",
                    "Governing temperature (lowest probe per hour); grey: turnings; dashed: thresholds.",
                    sep=" ",
                ),
                "note",
            )
        )
        story.append(KeepTogether(parts))
        rows = []
        for c in block["criteria"]:
            zh, en = STATUS_TEXT.get(c["status"], (c["status"], c["status"]))
            detail = c["run"]
            if c["organisms"]:
                o = c["organisms"]
                detail = (
                    f"不活化 inactivated {o['inactivated']} · 未證明 not shown {o['not_shown']} · "
                    f"未判定 not judged {o['not_judged']}"
                )
            rows.append([P(tx(c["name"])), P(bi(zh, en, sep=" ")), P(tx(detail)), P(tx(c["source"]))])
        story.append(
            data_table(
                [
                    bi("判定項目", "Criterion"),
                    bi("結果", "Result"),
                    bi("證明期間", "Run / detail"),
                    bi("依據", "Source"),
                ],
                rows,
                [62, 24, 56, FRAME_W / mm - 142],
            )
        )
        story.append(Spacer(1, 3 * mm))
    return story
