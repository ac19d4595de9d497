"""Selectors of the QC app that read."""

from .models import WorksheetPosition
from .statistics import FAIL, PASS, WARNING


def sample_qc_record(sample):
    """Each worksheet the sample was on, with its QC items and their judgements."""
    out = []
    positions = WorksheetPosition.objects.filter(sample=sample).select_related("worksheet__released_by")
    for pos in positions:
        ws = pos.worksheet
        items = [
            {"number": p.number, "kind": p.kind, "results": p.results, "judgements": p.judgements}
            for p in ws.positions.exclude(kind="sample").order_by("number")
        ]
        out.append(
            {
                "worksheet": ws.pk,
                "method": ws.method,
                "status": ws.status,
                "position": pos.number,
                "qc_status": worst(items),
                "released_by": ws.released_by.username if ws.released_by else None,
                "release_reason": ws.release_reason,
                "qc_items": items,
            }
        )
    return out


def worst(items):
    statuses = [j.get("status") for item in items for j in item["judgements"].values()]
    for s in (FAIL, WARNING, PASS):
        if s in statuses:
            return s
    return None


def sample_qc_passed(sample):
    """True when no QC item of any worksheet of the sample failed; None without worksheets. A run a
    reviewer released despite a failure is not "passed" (the certificate then says nothing about QC)."""
    record = sample_qc_record(sample)
    if not record:
        return None
    return all(r["qc_status"] != FAIL for r in record)


def bench_sheet_context(ws):
    """The plain dict the bench-sheet PDF is drawn from."""
    from django.utils import timezone

    from .services import position_label

    rows = []
    for p in ws.positions.select_related("sample", "of_position__sample", "reference_material").order_by("number"):
        detail = ""
        if p.kind in ("duplicate", "spike") and p.of_position:
            detail = f"of #{p.of_position.number} {p.of_position.sample.code}"
            if p.kind == "spike":
                detail += f" + {p.spike_added:g} ({p.spike_parameter})"
        elif p.kind == "reference" and p.reference_material:
            rm = p.reference_material
            detail = f"{rm.code} lot {rm.lot}"
        rows.append({"number": p.number, "kind": p.kind, "label": position_label(ws, p), "detail": detail})
    return {
        "title": f"WS-{ws.pk}",
        "method": ws.method,
        "created_by": ws.created_by.username,
        "created_at": timezone.localtime(ws.created_at).strftime("%Y-%m-%d %H:%M"),
        "positions": rows,
    }
