"""Selectors of the QC app that read."""
from .models import WorksheetPosition
from .statistics import FAIL, PASS, WARNING


def sample_qc_record(sample):
    """Each worksheet the sample was on, with its QC items and their judgements."""
    out = []
    positions = WorksheetPosition.objects.filter(sample=sample).select_related("worksheet__released_by")
    for pos in positions:
        ws = pos.worksheet
        items = [{"number": p.number, "kind": p.kind, "results": p.results, "judgements": p.judgements}
                 for p in ws.positions.exclude(kind="sample").order_by("number")]
        out.append({"worksheet": ws.pk, "method": ws.method, "status": ws.status, "position": pos.number,
                    "qc_status": worst(items), "released_by": ws.released_by.username if ws.released_by else None,
                    "release_reason": ws.release_reason, "qc_items": items})
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
