"""A real Celery worker against the real broker sees a task complete."""

import uuid

import pytest

from lims import celery_app
from tests.workers import celery_worker, wait_for, worker_log


@pytest.fixture
def not_eager():
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.task_always_eager = True


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_real_worker_consumes_task_from_broker(not_eager, settings):
    from lims.models import WorkerHeartbeat
    from lims.tasks import heartbeat

    token = uuid.uuid4().hex
    with celery_worker("hb"):
        heartbeat.delay(token)
        ok = wait_for(lambda: WorkerHeartbeat.objects.filter(token=token).exists(), timeout=90)
    assert ok, "worker did not complete the task. Log:\n" + worker_log("hb")
    broker = settings.CELERY_BROKER_URL.split(":")[0]
    print(f"task completed by a real worker via the {broker} broker")
