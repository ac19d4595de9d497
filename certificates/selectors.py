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


def missing_required_results_of(samples, standard=None, decision_rule=None):
    """``missing_required_results`` for many samples (a batch request): {sample pk: [missing]}, with the reads
    shared as when their certificates are frozen (``context.certificate_contexts``): the lab's defaults, the
    policy, the edition and its requirements per category once, the samples' assays in one query."""
    from certificates.context import _names
    from lims.models import LabSettings
    from maturity import selectors
    from maturity.models import Assay
    from maturity.policy import current_policy

    lab = LabSettings.current()
    standard = standard or lab.default_standard
    decision_rule = decision_rule or lab.default_decision_rule
    if decision_rule not in ("simple", "guarded") or not samples:  # the judgement's own error (InputError)
        return {s.pk: missing_required_results(s, standard=standard, decision_rule=decision_rule) for s in samples}
    edition, policy = selectors.edition_or_error(standard), current_policy()
    assays, rules, out = {}, {}, {}
    for a in (
        Assay.objects.filter(sample__in=[s.pk for s in samples])
        .exclude(status="invalidated")
        .select_related("entered_by", "verified_by")
        .order_by("entered_at", "id")
    ):
        assays.setdefault(a.sample_id, []).append(a)
    for sample in samples:
        figures = selectors.sample_figures(sample, assays=assays.get(sample.pk, []), policy=policy)
        category = sample.product.category
        if category not in rules:
            rules[category] = selectors.edition_rules(edition, category)
        checks = []
        for c in selectors.compliance_of(sample, edition, category, rules[category], decision_rule, figures)["checks"]:
            zh, en = _names(c["parameter"]) if c.get("kind") != "declaration" else ("", c["parameter"])
            checks.append({**c, "name_zh": zh, "name_en": en})
        out[sample.pk] = missing_required(checks)
    return out
