from lims.roles import Role

from .models import Document, IssueBatch


def documents_visible_to(user):
    qs = Document.objects.select_related("product__manufacturer", "sample", "supersedes", "issued_by")
    if user.role == Role.MANUFACTURER:
        return qs.filter(product__manufacturer_id=user.manufacturer_id)
    return qs


def batch_progress(batch):
    """Counts by render state; samples not yet issued count as queued, those skipped at issue as failed."""
    counts = {s: 0 for s in ("queued", "rendering", "ready", "failed")}
    for status in batch.documents.values_list("status", flat=True):
        counts[status] += 1
    errors = dict(batch.items.exclude(error="").values_list("sample__code", "error"))
    counts["failed"] += len(errors)
    counts["queued"] += batch.items.filter(open=True).count()
    done = counts["ready"] + counts["failed"]
    return {"id": batch.pk, "status": batch.status, "total": batch.total, **counts,
            "progress_pct": round(100.0 * done / batch.total, 1) if batch.total else 100.0,
            "finished": done == batch.total, "errors": errors}


def batches_visible_to(user):
    return IssueBatch.objects.all() if user.role != Role.MANUFACTURER else IssueBatch.objects.none()
