"""Account lockout after repeated failed logins (django-axes), the same on the web
login, the admin login and the token endpoint.

After ``LIMS_LOGIN_FAILURE_LIMIT`` failures for one username (whatever the
source address: axes locks on the username only), that account's logins are
refused with 429 and a Retry-After for ``LIMS_LOGIN_LOCKOUT_MINUTES`` from the
last failure. Lab admins see lockouts and lift them in /admin/ (Access
attempts) or with ``lift()``. Each lockout and each lift is audited."""

import math

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.db import transaction
from django.http import JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit
from .messages import Message, gettext_noop

# The login page's form, shown again with the lock message. The pages app registers its own (WebConfig.ready):
# the core does not import the pages.
LOGIN_FORM = AuthenticationForm


class LockoutBackend(AxesStandaloneBackend):
    """axes' backend (refuses a locked account before any password check), except that a call
    without a request (shell, management command) is left to the next backend: every network
    path passes its request."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def failure_limit():
    return settings.AXES_FAILURE_LIMIT


def cool_off():
    return settings.AXES_COOLOFF_TIME


def lockout_minutes():
    return max(1, round(cool_off().total_seconds() / 60))


def _attempts(username):
    from axes.models import AccessAttempt

    return AccessAttempt.objects.filter(username=username)


def failures(username):
    """Failures of this username within the window (all source addresses)."""
    since = timezone.now() - cool_off()
    return sum(a.failures_since_start for a in _attempts(username).filter(attempt_time__gte=since))


def locked_until(username):
    """When the account's lock ends, or None if it is not locked."""
    if not username:
        return None
    since = timezone.now() - cool_off()
    recent = list(_attempts(username).filter(attempt_time__gte=since))
    if sum(a.failures_since_start for a in recent) < failure_limit():
        return None
    return max(a.attempt_time for a in recent) + cool_off()


def retry_after_seconds(until):
    return max(1, math.ceil((until - timezone.now()).total_seconds()))


def lockouts():
    """Current lockouts: [{username, failures, last_failure, locked_until, addresses}], newest first."""
    since = timezone.now() - cool_off()
    by_user = {}
    from axes.models import AccessAttempt

    for a in AccessAttempt.objects.filter(attempt_time__gte=since).exclude(username=None).order_by("attempt_time"):
        row = by_user.setdefault(a.username, {"username": a.username, "failures": 0, "addresses": []})
        row["failures"] += a.failures_since_start
        row["last_failure"] = a.attempt_time
        if a.ip_address and a.ip_address not in row["addresses"]:
            row["addresses"].append(a.ip_address)
    out = [
        dict(r, locked_until=r["last_failure"] + cool_off())
        for r in by_user.values()
        if r["failures"] >= failure_limit()
    ]
    return sorted(out, key=lambda r: r["last_failure"], reverse=True)


@transaction.atomic
def lift(*, actor, username, reason=""):
    """Lift a lockout (deletes the account's failed attempts); audited. Returns whether one was lifted."""
    was_locked = locked_until(username) is not None
    with audit.acting(actor, reason):
        _attempts(username).delete()
    return was_locked


def _record(username, action, actor, changes, reason=""):
    from .models import User

    user = User.objects.filter(username=username).first()
    audit.AuditEntry.objects.create(
        entity="login_lockout",
        entity_id=user.pk if user else 0,
        entity_repr=(username or "")[:200],
        action=action,
        actor=actor,
        changes=changes,
        **audit.reason_fields(reason),
        manufacturer_id=user.manufacturer_id if user else None,
    )


def on_locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    """axes' user_locked_out: sent when the limit is reached and again for each refused try;
    one audit entry per lockout (the first)."""
    if not username:
        return
    last = audit.AuditEntry.objects.filter(entity="login_lockout", entity_repr=username[:200]).order_by("-id").first()
    if last is not None and last.action == "lock" and last.at >= timezone.now() - cool_off():
        return  # this lockout is recorded already
    until = locked_until(username) or timezone.now() + cool_off()
    _record(
        username,
        "lock",
        None,
        {
            "failures": [None, failures(username)],
            "address": [None, ip_address],
            "locked_until": [None, until.isoformat()],
        },
        reason=Message("reason_failed_logins", gettext_noop("%(n)s failed log-ins"), n=failure_limit()),
    )


def on_attempt_deleted(sender, instance, **kwargs):
    """A deleted attempt (``lift``, the admin's delete, axes_reset) that ends a current lockout is
    audited as its lift, with the actor and reason of the request or of ``lift``. Attempts that
    simply expire end no current lockout and are not."""
    username = instance.username
    if not username or locked_until(username) is not None:
        return
    last = audit.AuditEntry.objects.filter(entity="login_lockout", entity_repr=username[:200]).order_by("-id").first()
    if last is not None and last.action == "lock" and last.at >= timezone.now() - cool_off():
        _record(
            username,
            "unlock",
            audit.current_actor(),
            {"failures": [instance.failures_since_start, 0]},
            audit.current_reason(),
        )


def lockout_response(request, original_response=None, credentials=None):
    """axes' AXES_LOCKOUT_CALLABLE, and the token endpoint's answer: 429 with when to retry.
    JSON for the API, the login page with the message for the web."""
    from axes.helpers import get_client_username

    username = get_client_username(request, credentials) or ""
    until = locked_until(username) or timezone.now() + cool_off()
    seconds = retry_after_seconds(until)
    minutes = max(1, math.ceil(seconds / 60))
    local = timezone.localtime(until)
    message = _(
        "Too many failed log-in attempts: this account is locked until %(time)s (about %(minutes)s "
        "minutes). Try again then, or ask a lab admin to lift the lock."
    ) % {"time": local.strftime("%H:%M"), "minutes": minutes}
    path = getattr(request, "path", "") or ""
    if path.startswith("/api/"):
        response = JsonResponse(
            {"detail": message, "code": "account_locked", "retry_after": seconds, "locked_until": until.isoformat()},
            status=429,
        )
    else:
        from django.template.response import TemplateResponse

        form = LOGIN_FORM(request, initial={"username": username})
        response = TemplateResponse(
            request, "registration/login.html", {"form": form, "lock_message": message, "next": ""}, status=429
        )
        response.render()
    response["Retry-After"] = str(seconds)
    return response
