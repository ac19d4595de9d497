"""Certificates through a real Celery worker on the real broker, including a
worker killed in the middle of a render."""

import os

import pytest
from django.db import transaction

from lims import celery_app
from tests.workers import celery_worker, kill_hard, wait_for, worker_log
from web.demo_results import enter_example_results, verify_sample


@pytest.fixture
def not_eager():
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.task_always_eager = True


@pytest.fixture
def verified_sample(users, product_a, make_sample):
    s = make_sample(product_a, "received")
    enter_example_results(s, users["technician"])
    return verify_sample(s, users["technician"], users["reviewer"])


def _doc(pk):
    from certificates.models import Document

    return Document.objects.get(pk=pk)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_certificate_rendered_by_real_worker(not_eager, users, verified_sample):
    from certificates.services import certificate_request

    with transaction.atomic():
        doc = certificate_request(actor=users["reviewer"], sample=verified_sample)
    assert _doc(doc.pk).status == "queued" and _doc(doc.pk).dispatched_at is not None
    with celery_worker("cert"):
        ok = wait_for(lambda: _doc(doc.pk).status == "ready", timeout=120)
    assert ok, f"status {_doc(doc.pk).status}\n" + worker_log("cert")
    assert _doc(doc.pk).pdf.read(4) == b"%PDF"


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_render_certificate_produced_exactly_once(not_eager, users, verified_sample):
    from certificates.models import Document
    from certificates.services import certificate_request, relay_outbox

    with transaction.atomic():
        doc = certificate_request(actor=users["reviewer"], sample=verified_sample)
    slow = {"LIMS_TEST_RENDER_DELAY": "30", "LIMS_RENDER_LEASE_SECONDS": "2"}
    with celery_worker("doomed", extra_env=slow) as proc:
        started = wait_for(lambda: _doc(doc.pk).status == "rendering", timeout=90)
        assert started, worker_log("doomed")
        kill_hard(proc)
    assert _doc(doc.pk).status == "rendering" and not _doc(doc.pk).pdf
    with celery_worker("rescuer"):
        wait_for(lambda: False, timeout=2.5)  # let the dead worker's lease expire
        relay_outbox()
        ok = wait_for(lambda: _doc(doc.pk).status == "ready", timeout=120)
        assert ok, worker_log("rescuer")
        wait_for(lambda: False, timeout=2)  # any late duplicate delivery would run now
    d = _doc(doc.pk)
    assert Document.objects.count() == 1 and d.number.endswith("-000001")
    assert d.attempts >= 2
    folder = os.path.dirname(d.pdf.path)
    assert [f for f in os.listdir(folder) if f.startswith(d.number)] == [f"{d.number}.pdf"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_certificate_requests_get_unique_gap_free_numbers(users, product_a, make_sample):
    """Reviewers issuing at the same moment: numbers unique and gap-free (row lock on PostgreSQL)."""
    import threading

    from django.db import connection

    from certificates.models import Document
    from certificates.services import certificate_request
    from tests.conftest import require_postgres

    require_postgres("concurrent certificate numbering under row locks is proven on PostgreSQL")
    samples = []
    for i in range(6):
        s = make_sample(product_a, "received", f"C{i}")
        enter_example_results(s, users["technician"])
        samples.append(verify_sample(s, users["technician"], users["reviewer"]))
    barrier, errors = threading.Barrier(len(samples)), []

    def issue(sample):
        try:
            barrier.wait()
            certificate_request(actor=users["reviewer"], sample=sample)
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue, args=(s,)) for s in samples]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert not errors, errors
    numbers = sorted(int(n[-6:]) for n in Document.objects.values_list("number", flat=True))
    assert numbers == list(range(1, len(samples) + 1))


def test_killed_worker_is_noticed_within_two_minutes():
    """The lease is sized to a render and the relay runs every 30 s: a dead worker's certificate is handed out
    again within lease + relay period, under 2 minutes (it was 3600 s for a stalled queue, 150 s for a lease)."""
    from django.conf import settings

    from certificates.tasks import LEASE_SECONDS
    from lims.celery import RELAY_SECONDS

    assert LEASE_SECONDS + RELAY_SECONDS < 120
    assert settings.LIMS_OUTBOX_STALLED_SECONDS + RELAY_SECONDS <= 120


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_lease_is_renewed_while_a_slow_render_runs_so_it_is_never_handed_out_twice(not_eager, users, verified_sample):
    """A render slower than its lease (6 s against 2 s) with the relay running every half second and a second
    free worker process: the lease is renewed, the relay leaves it alone, one attempt, one file."""
    from certificates.services import certificate_request, relay_outbox

    with transaction.atomic():
        doc = certificate_request(actor=users["reviewer"], sample=verified_sample)
    slow = {"LIMS_TEST_RENDER_DELAY": "6", "LIMS_RENDER_LEASE_SECONDS": "2"}
    with celery_worker("slow", concurrency=2, extra_env=slow):
        assert wait_for(lambda: _doc(doc.pk).status == "rendering", timeout=90), worker_log("slow")
        resent = []
        while _doc(doc.pk).status == "rendering":
            resent += relay_outbox()
            wait_for(lambda: False, timeout=0.5)
        assert wait_for(lambda: _doc(doc.pk).status == "ready", timeout=60), worker_log("slow")
    assert resent == [] and _doc(doc.pk).attempts == 1, (resent, _doc(doc.pk).attempts)


@pytest.mark.django_db
def test_relay_resends_a_queued_document_of_a_stalled_queue_but_not_of_a_moving_one(
    users, verified_sample, monkeypatch
):
    """A message that died with a worker before its render started leaves the document queued: the relay sends
    it again once the queue has not moved for LIMS_OUTBOX_STALLED_SECONDS (not after an hour)."""
    from datetime import timedelta

    from django.utils import timezone

    from certificates import services
    from certificates.models import Document

    sent = []
    monkeypatch.setattr(services, "dispatch", lambda ids: sent.extend(ids) or list(ids))
    with transaction.atomic():
        doc = services.certificate_request(actor=users["reviewer"], sample=verified_sample)
    long_ago = timezone.now() - timedelta(seconds=200)
    Document.objects.filter(pk=doc.pk).update(dispatched_at=long_ago)
    other = Document.objects.create(
        kind="registration",
        number="RG-2026-000099",
        product=doc.product,
        issued_by=users["reviewer"],
        status="ready",
        rendered_at=timezone.now(),
    )
    assert services.relay_outbox(stalled_after_seconds=90) == []  # renders finished lately: the queue moves
    Document.objects.filter(pk=other.pk).update(rendered_at=long_ago)
    assert services.relay_outbox(stalled_after_seconds=90) == [doc.pk]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_batch_is_issued_and_rendered_by_a_real_worker(not_eager, users, product_a, make_sample):
    """The request only reserves the samples; a worker issues the batch (numbers in the order requested) and
    renders each certificate."""
    from certificates.models import Document, IssueBatch
    from certificates.services import certificates_batch_request

    samples = []
    for i in range(2):
        s = make_sample(product_a, "received", f"W{i}")
        enter_example_results(s, users["technician"])
        samples.append(verify_sample(s, users["technician"], users["reviewer"]))
    with transaction.atomic():
        batch = certificates_batch_request(actor=users["reviewer"], samples=list(reversed(samples)))
    assert IssueBatch.objects.get(pk=batch.pk).dispatched_at is not None and not Document.objects.exists()
    with celery_worker("batch"):
        ok = wait_for(lambda: Document.objects.filter(batch=batch, status="ready").count() == 2, timeout=120)
    assert ok, worker_log("batch")
    assert IssueBatch.objects.get(pk=batch.pk).status == "issued"
    assert list(Document.objects.order_by("number").values_list("sample_id", flat=True)) == [
        s.pk for s in reversed(samples)
    ]
