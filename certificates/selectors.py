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
    return {
        "id": batch.pk,
        "status": batch.status,
        "total": batch.total,
        **counts,
        "progress_pct": round(100.0 * done / batch.total, 1) if batch.total else 100.0,
        "finished": done == batch.total,
        "errors": errors,
    }


def batches_visible_to(user):
    return IssueBatch.objects.all() if user.role != Role.MANUFACTURER else IssueBatch.objects.none()


def missing_required(checks):
    """The required results a compliance judgement found missing: [{"parameter", "name_zh", "name_en", "reason"}]."""
    out, seen = [], set()
    for c in checks:
        if c.get("status") == "missing" and c.get("kind") != "declaration" and c["parameter"] not in seen:
            seen.add(c["parameter"])
            out.append(
                {
                    "parameter": c["parameter"],
                    "name_zh": c.get("name_zh", ""),
                    "name_en": c.get("name_en", c["parameter"]),
                    "reason": c.get("reason", ""),
                }
            )
    return out


def missing_required_results(sample, standard=None, decision_rule=None):
    """What a certificate of ``sample`` would lack: the required results of its category's edition
    that are missing (with names), [] when complete. Raises InputError like the compliance judgement."""
    from certificates.context import _names
    from maturity.selectors import sample_compliance

    checks = []
    for c in sample_compliance(sample, standard=standard, decision_rule=decision_rule)["checks"]:
        zh, en = _names(c["parameter"]) if c.get("kind") != "declaration" else ("", c["parameter"])
        checks.append({**c, "name_zh": zh, "name_en": en})
    return missing_required(checks)
