"""Celery tasks: render a document's PDF from its frozen content.

Reliability: enqueued only after the requesting transaction commits; acks
late (a worker dying mid-render leaves the message to be delivered again);
retries with backoff on transient errors; idempotent: a document already
rendered is left alone, and a re-render writes the same bytes to the same
file name, so running the task twice gives one certificate, one number, one
file."""
import hashlib
import os
import time
from datetime import timedelta

from celery import shared_task
from celery.signals import worker_process_init
from django.core.files.base import ContentFile
from django.db import OperationalError, transaction
from django.utils import timezone

from .models import Document

LEASE_SECONDS = int(os.environ.get("LIMS_RENDER_LEASE_SECONDS", "120"))


class TransientRenderError(Exception):
    pass


@worker_process_init.connect
def _load_fonts(**kwargs):
    """Each worker process reads the fonts when it starts, not inside its first render."""
    from .fonts import register_fonts
    register_fonts()


def _render_bytes(doc):
    from .rendering import render_certificate, render_dossier
    delay = float(os.environ.get("LIMS_TEST_RENDER_DELAY", "0") or 0)  # lets a test kill a worker mid-render
    if delay:
        time.sleep(delay)
    return render_certificate(doc.context) if doc.kind == Document.KIND_CERTIFICATE else render_dossier(doc.context)


@shared_task(bind=True, name="certificates.render_document", acks_late=True, reject_on_worker_lost=True,
             autoretry_for=(OperationalError, TransientRenderError, OSError), retry_backoff=2, retry_backoff_max=60,
             retry_jitter=True, max_retries=6)
def render_document(self, document_id):
    with transaction.atomic():
        doc = Document.objects.select_for_update().filter(pk=document_id).first()
        if doc is None or doc.status == "ready":
            return "done"
        if doc.status == "awaiting_signature":  # a dossier renders only once a reviewer signed it
            return "awaiting signature"
        doc.status, doc.attempts = "rendering", doc.attempts + 1
        doc.lease_until = timezone.now() + timedelta(seconds=LEASE_SECONDS)
        doc.save(update_fields=["status", "attempts", "lease_until"])
    try:
        pdf = _render_bytes(doc)
    except (OperationalError, OSError, TransientRenderError):
        raise
    except Exception as e:  # a bug or bad content: not worth retrying, show it
        Document.objects.filter(pk=doc.pk).update(status="failed", error=f"{type(e).__name__}: {e}",
                                                  lease_until=None)
        raise
    digest = hashlib.sha256(pdf).hexdigest()
    with transaction.atomic():
        doc = Document.objects.select_for_update().get(pk=document_id)
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
    from .services import relay_outbox as relay
    return len(relay())
