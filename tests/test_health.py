"""Health tells the truth (issue 16 item 14): the heartbeat it reads is scheduled, and a stopped
worker shows within a minute."""

import datetime

import pytest

from lims import celery_app
from lims.health import worker_state
from tests.workers import celery_worker, kill_hard, wait_for, worker_log

NOW = datetime.datetime(2026, 11, 27, 8, 0, tzinfo=datetime.timezone.utc)


def test_worker_state_judgement():
    assert worker_state(None, NOW, 45) == "never_seen"
    assert worker_state(NOW - datetime.timedelta(seconds=45), NOW, 45) == "ok"
    assert worker_state(NOW - datetime.timedelta(seconds=46), NOW, 45) == "stopped"


def test_heartbeat_is_scheduled_so_a_stopped_worker_shows_within_a_minute(settings):
    schedule = {e["task"]: e["schedule"] for e in celery_app.conf.beat_schedule.values()}
    assert "lims.heartbeat" in schedule, "the heartbeat the health check reads is never scheduled"
    # worst case: the worker stops right after a heartbeat; health says so once the last one is stale
    assert settings.LIMS_WORKER_STALE_SECONDS + 1 < 60
    assert schedule["lims.heartbeat"] < settings.LIMS_WORKER_STALE_SECONDS  # a live worker is never reported stopped


@pytest.mark.django_db
def test_health_reports_a_stale_heartbeat_as_a_stopped_worker(client, settings):
    from django.utils import timezone

    from lims.models import WorkerHeartbeat

    assert client.get("/api/v1/health/").json()["worker"] == "never_seen"
    hb = WorkerHeartbeat.objects.create(hostname="w", token="")
    body = client.get("/api/v1/health/").json()
    assert (body["status"], body["worker"]) == ("ok", "ok")
    WorkerHeartbeat.objects.filter(pk=hb.pk).update(
        at=timezone.now() - datetime.timedelta(seconds=settings.LIMS_WORKER_STALE_SECONDS + 1)
    )
    body = client.get("/api/v1/health/").json()
    assert (body["status"], body["worker"]) == ("degraded", "stopped")


@pytest.fixture
def not_eager():
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.task_always_eager = True


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_health_sees_a_real_worker_with_its_beat_and_reports_it_stopped_after_a_kill(not_eager, client, settings):
    """A real worker with its embedded beat (as `make run` starts it), figures scaled down: heartbeat every
    1 s, stale after 4 s (defaults 15 s and 45 s)."""
    import time

    settings.LIMS_WORKER_STALE_SECONDS = 4
    env = {"LIMS_WORKER_HEARTBEAT_SECONDS": "1"}

    def worker():
        return client.get("/api/v1/health/").json()["worker"]

    with celery_worker("beat", extra_env=env, beat=True) as proc:
        alive = wait_for(lambda: worker() == "ok", timeout=90)
        assert alive, "no scheduled heartbeat reached the health check\n" + worker_log("beat")
        kill_hard(proc)
        t0 = time.monotonic()
    assert wait_for(lambda: worker() == "stopped", timeout=30), "health still says the worker runs"
    print(f"health reported the killed worker stopped after {time.monotonic() - t0:.1f} s")
