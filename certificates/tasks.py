"""Celery tasks: render a document's PDF from its frozen content.

Reliability: enqueued only after the requesting transaction commits; acks
late (a worker dying mid-render leaves the message to be delivered again);
retries with backoff on transient errors; idempotent: a document already
rendered is left alone, and a re-render writes the same bytes to the same
file name, so running the task twice gives one certificate, one number, one
file."""

import hashlib
import logging
import os
import threading
import time
from contextlib import contextmanager
from datetime import timedelta

from celery import shared_task
from celery.signals import worker_process_init
from django.core.files.base import ContentFile
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from . import services
from .certificate_pdf import render_certificate
from .dossier_pdf import render_dossier
from .fonts import register_fonts
from .models import Document

log = logging.getLogger(__name__)

# A render takes well under a second (a few seconds on a busy machine); the lease is sized to that with a wide
# margin and renewed every third of it while the render runs, so only a dead worker lets it expire. With the
# relay every 30 s, a killed worker's certificate is handed out again within LEASE + 30 s (< 2 minutes).
LEASE_SECONDS = float(os.environ.get("LIMS_RENDER_LEASE_SECONDS", "60"))


class TransientRenderError(Exception):
    pass


@worker_process_init.connect
def _load_fonts(**kwargs):
    """Each worker process reads the fonts when it starts, not inside its first render."""
    register_fonts()


def _render_bytes(doc):
    delay = float(os.environ.get("LIMS_TEST_RENDER_DELAY", "0") or 0)  # lets a test kill a worker mid-render
    if delay:
        time.sleep(delay)
    return render_certificate(doc.context) if doc.kind == Document.KIND_CERTIFICATE else render_dossier(doc.context)


@contextmanager
def _lease_renewed(doc_id, attempt):
    """Keep extending the lease of this attempt while the body runs (a thread; stops with it)."""
    stop = threading.Event()

    def renew():
        try:
            while not stop.wait(LEASE_SECONDS / 3):
                Document.objects.filter(pk=doc_id, status="rendering", attempts=attempt).update(
                    lease_until=timezone.now() + timedelta(seconds=LEASE_SECONDS)
                )
        except Exception as e:  # the render goes on; at worst the lease expires and the relay hands it out again
            log.warning("lease renewal of document %s stopped: %s", doc_id, e)
        finally:
            connection.close()

    t = threading.Thread(target=renew, name=f"lease-{doc_id}", daemon=True)
    t.start()
    try:
        yield
    finally:
        stop.set()
        t.join(timeout=5)


@shared_task(
    bind=True,
    name="certificates.render_document",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, TransientRenderError, OSError),
    retry_backoff=2,
    retry_backoff_max=60,
    retry_jitter=True,
    max_retries=6,
)
def render_document(self, document_id):
    with transaction.atomic():
        doc = Document.objects.select_for_update().filter(pk=document_id).first()
        if doc is None or doc.status == "ready":
            return "done"
        if doc.status == "awaiting_signature":  # a dossier renders only once a reviewer signed it
            return "awaiting signature"
        now = timezone.now()
        if doc.status == "rendering" and doc.lease_until and doc.lease_until > now:
            return "busy"  # another worker holds a live lease: it renders this one (exactly once)
        doc.status, doc.attempts = "rendering", doc.attempts + 1
        doc.lease_until = now + timedelta(seconds=LEASE_SECONDS)
        doc.save(update_fields=["status", "attempts", "lease_until"])
    try:
        with _lease_renewed(doc.pk, doc.attempts):
            pdf = _render_bytes(doc)
    except (OperationalError, OSError, TransientRenderError):
        # give the lease up: the retry (or, if the worker dies before it, the relay) renders it again
        Document.objects.filter(pk=doc.pk, attempts=doc.attempts).update(lease_until=timezone.now())
        raise
    except Exception as e:  # a bug or bad content: not worth retrying, show it
        Document.objects.filter(pk=doc.pk).update(status="failed", error=f"{type(e).__name__}: {e}", lease_until=None)
        raise
    digest = hashlib.sha256(pdf).hexdigest()
    with transaction.atomic():
        doc = Document.objects.select_for_update().defer("context").get(pk=document_id)  # rendered: not read again
        if doc.status == "ready":
            return "done"
        name = f"{doc.number}.pdf"
        if doc.pdf:
            doc.pdf.storage.delete(doc.pdf.name)
        doc.pdf.storage.delete(doc.pdf.field.generate_filename(doc, name))
        doc.pdf.save(name, ContentFile(pdf), save=False)
        doc.sha256, doc.status, doc.error = digest, "ready", ""
        doc.rendered_at, doc.lease_until = timezone.now(), None
        doc.save(update_fields=["pdf", "sha256", "status", "error", "rendered_at", "lease_until"])
    return "rendered"


@shared_task(name="certificates.relay_outbox")
def relay_outbox():
    return len(services.relay_outbox())


@shared_task(name="certificates.issue_batch", acks_late=True, reject_on_worker_lost=True)
def issue_batch(batch_id):
    """Issue the certificates of a batch request (numbers, frozen content), then send their renders."""
    batch = services.batch_issue(batch_id)
    return batch.status if batch else "gone"
