"""The audit history: one append-only entry per create, update or transition."""
import datetime
import decimal

from .models import AuditEntry


def _plain(value):
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if hasattr(value, "pk"):
        return value.pk
    return value


def snapshot(obj, fields):
    return {f: _plain(getattr(obj, f)) for f in fields}


def diff(before, after):
    keys = list(dict.fromkeys([*before, *after]))
    return {k: [before.get(k), after.get(k)] for k in keys if before.get(k) != after.get(k)}


def record(*, entity, obj, action, actor, changes, reason="", sample=None, manufacturer=None):
    return AuditEntry.objects.create(
        entity=entity, entity_id=obj.pk, entity_repr=str(obj)[:200], action=action, actor=actor,
        changes=changes, reason=reason or "", sample=sample, manufacturer=manufacturer,
    )
