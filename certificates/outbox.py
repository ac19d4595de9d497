"""The outbox's sending half: render and batch-issue tasks sent to the broker after the request commits.

Tasks are sent by name through the Celery app's task registry (``certificates.tasks`` registers them; the app
config imports it when Django starts), so the services that send them do not import the tasks module, which
imports the services it runs: imports go tasks → services → outbox, never back. A broker failure leaves the
rest in the outbox (``dispatched_at`` empty) for ``services.relay_outbox``."""

import logging

from celery import current_app
from django.conf import settings
from django.utils import timezone

from .models import Document, IssueBatch

log = logging.getLogger(__name__)
RENDER_TASK = "certificates.render_document"
ISSUE_BATCH_TASK = "certificates.issue_batch"


def _publisher(app):
    """A broker connection that fails fast: one attempt, a short connect timeout (LIMS_BROKER_PUBLISH_TIMEOUT).

    Celery's pooled connection retries for several seconds per message; a
    request must not wait for a broker that is down (the outbox keeps the
    work, the relay sends it later)."""
    timeout = settings.LIMS_BROKER_PUBLISH_TIMEOUT
    return app.connection_for_write(
        connect_timeout=timeout,
        transport_options={"max_retries": 0, "socket_connect_timeout": timeout, "socket_timeout": timeout},
    )


def _send(task_name, ids):
    """Send one task per id over one connection, no retry; the ids sent (all, or those before a failure)."""
    task, sent = current_app.tasks[task_name], []
    try:
        with _publisher(task.app) as conn:
            producer = task.app.amqp.Producer(conn)
            for pk in ids:
                task.apply_async(args=[pk], retry=False, producer=producer)
                sent.append(pk)
    except Exception as e:  # broker unreachable: these stay in the outbox
        log.warning("broker unavailable, %d %s task(s) kept in the outbox: %s", len(ids) - len(sent), task_name, e)
    return sent


def dispatch(doc_ids):
    """Send render tasks; a broker failure leaves them (and the rest) in the outbox for the relay.

    One connection for all of them and no retry, so a request answers at once
    when the broker is down (a batch of 100 does not wait 100 times)."""
    doc_ids = list(doc_ids)
    if not doc_ids:
        return []
    sent = _send(RENDER_TASK, doc_ids)
    if sent:
        Document.objects.filter(pk__in=sent, dispatched_at__isnull=True).update(dispatched_at=timezone.now())
    return sent


def dispatch_batches(batch_ids):
    """Send issue tasks for batches; with the broker down they stay in the outbox for the relay."""
    batch_ids = list(batch_ids)
    if not batch_ids:
        return []
    sent = _send(ISSUE_BATCH_TASK, batch_ids)
    if sent:
        IssueBatch.objects.filter(pk__in=sent, dispatched_at__isnull=True).update(dispatched_at=timezone.now())
    return sent
