"""The audit history: one append-only entry per create, update or transition."""

import contextlib
import contextvars
import datetime
import decimal
from dataclasses import dataclass

from django.db.models.fields.files import FieldFile

from .messages import Message, storable
from .models import AuditEntry


def _plain(value):
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, FieldFile):  # an uploaded file (signature, accreditation mark): its stored name
        return value.name or ""
    return value


def snapshot(obj, fields):
    return {f: _plain(getattr(obj, f)) for f in fields}


def diff(before, after):
    keys = list(dict.fromkeys([*before, *after]))
    return {k: [before.get(k), after.get(k)] for k in keys if before.get(k) != after.get(k)}


def reason_columns(reason):
    """A reason as its two columns: (``reason``: English text, ``reason_message``: the stored message or None).

    The system composes its reasons as a :class:`~lims.messages.Message` (read later in each reader's language);
    a reason a person typed is plain text, kept as typed and never translated."""
    if isinstance(reason, Message):
        return reason.english(), storable(reason)
    return str(reason or ""), None


def reason_fields(reason):
    """:func:`reason_columns` as keyword arguments of a model with both columns."""
    text, message = reason_columns(reason)
    return {"reason": text, "reason_message": message}


def record(*, entity, obj, action, actor, changes, reason="", sample=None, manufacturer=None, manufacturer_id=None):
    return AuditEntry.objects.create(
        entity=entity,
        entity_id=obj.pk,
        entity_repr=str(obj)[:200],
        action=action,
        actor=actor,
        changes=changes,
        **reason_fields(reason),
        sample=sample,
        manufacturer=manufacturer,
        manufacturer_id=manufacturer.pk if manufacturer is not None else manufacturer_id,
    )


def record_bulk(*, entity, label, action, actor, changes, reason=""):
    """One entry for a change of many rows at once (entity_id 0, ``label`` names what changed)."""
    return AuditEntry.objects.create(
        entity=entity,
        entity_id=0,
        entity_repr=label[:200],
        action=action,
        actor=actor,
        changes=changes,
        **reason_fields(reason),
    )


# --------------------------------------------------------------------------- tracked models
# Records that can change a verdict or an access (lab settings, standards, jurisdiction limits,
# manufacturers, users) are edited in /admin/ and through the API, not only through services.
# Their saves and deletes are recorded by signals, whoever makes them: the actor is the user of the
# current request (AuditContextMiddleware) or the one named by ``acting()``; the reason is the admin
# form's "reason for the change" or the one given to ``acting()``.

_request = contextvars.ContextVar("audit_request", default=None)
_actor = contextvars.ContextVar("audit_actor", default=None)
_reason = contextvars.ContextVar("audit_reason", default="")
_suppressed = contextvars.ContextVar("audit_suppressed", default=False)
SECRET = "(changed)"


class AuditContextMiddleware:
    """Makes the request's user the actor of tracked changes made while answering it. DRF sets
    ``request.user`` on the underlying request when it authenticates a token, so API calls count too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)


@contextlib.contextmanager
def acting(actor=None, reason=""):
    """Tracked changes inside this block are recorded with this actor (if given) and reason (text a person
    typed, or a Message the system composed)."""
    tokens = [(_reason, _reason.set(reason or ""))]
    if actor is not None:
        tokens.append((_actor, _actor.set(actor)))
    try:
        yield
    finally:
        for var, tok in reversed(tokens):
            var.reset(tok)


@contextlib.contextmanager
def suppressed():
    """Per-row entries off (a bulk replacement records one entry of its own)."""
    token = _suppressed.set(True)
    try:
        yield
    finally:
        _suppressed.reset(token)


def current_actor():
    actor = _actor.get()
    if actor is not None:
        return actor
    user = getattr(_request.get(), "user", None)
    return user if user is not None and user.is_authenticated else None


def current_reason():
    return _reason.get()


@dataclass(frozen=True)
class Tracked:
    entity: str
    fields: tuple
    secret: tuple = ()  # recorded as changed, never with their values (password hashes)
    manufacturer_attr: str = ""  # attribute holding the manufacturer id the entry concerns ("pk", ...)


TRACKED = {}


def _values(instance, names):
    out = {}
    for name in names:
        field = instance._meta.get_field(name)
        out[name] = _plain(field.value_from_object(instance))
    return out


def _pre_save(sender, instance, raw=False, update_fields=None, **kw):
    spec = TRACKED.get(sender)
    if spec is None or raw or _suppressed.get() or instance.pk is None:
        return
    names = spec.fields + spec.secret
    if update_fields is not None and not set(update_fields) & set(names):
        instance._audit_before = None  # e.g. last_login on log-in: not a tracked change
        return
    old = sender._default_manager.filter(pk=instance.pk).first()
    instance._audit_before = _values(old, names) if old is not None else {}


def _post_save(sender, instance, created, raw=False, **kw):
    spec = TRACKED.get(sender)
    if spec is None or raw or _suppressed.get():
        return
    before = {} if created else getattr(instance, "_audit_before", None)
    instance._audit_before = None
    if before is None:
        return
    after = _values(instance, spec.fields + spec.secret)
    changes = diff(before, after)
    if created:  # a new record: its values, without the empty ones
        changes = {k: v for k, v in changes.items() if v[1] not in (None, "", [], {})}
    for name in spec.secret:
        if name in changes:
            if created:
                del changes[name]
            else:
                changes[name] = [SECRET, SECRET]
    if not changes and not created:
        return
    record(
        entity=spec.entity,
        obj=instance,
        action="create" if created else "update",
        actor=current_actor(),
        changes=changes,
        reason=current_reason(),
        manufacturer_id=getattr(instance, spec.manufacturer_attr) if spec.manufacturer_attr else None,
    )


def _post_delete(sender, instance, **kw):
    spec = TRACKED.get(sender)
    if spec is None or _suppressed.get():
        return
    record(
        entity=spec.entity,
        obj=instance,
        action="delete",
        actor=current_actor(),
        changes=diff(_values(instance, spec.fields), {}),
        reason=current_reason(),
    )


def track(model, entity, fields, secret=(), manufacturer_attr=""):
    """Record every create, update and delete of ``model`` (old and new values of ``fields``)."""
    from django.db.models.signals import post_delete, post_save, pre_save

    TRACKED[model] = Tracked(
        entity=entity, fields=tuple(fields), secret=tuple(secret), manufacturer_attr=manufacturer_attr
    )
    uid = f"audit-{entity}"
    pre_save.connect(_pre_save, sender=model, dispatch_uid=uid)
    post_save.connect(_post_save, sender=model, dispatch_uid=uid)
    post_delete.connect(_post_delete, sender=model, dispatch_uid=uid)
