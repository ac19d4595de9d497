"""Start a real Celery worker process against the configured broker and the
test database (used by the worker tests; the broker is the filesystem one on
SQLite runs and Redis on the PostgreSQL run)."""

import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def worker_env():
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "lims.settings_test",
            "LIMS_CELERY_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
            "LIMS_TEST_DATABASE_NAME": str(connection.settings_dict["NAME"]),
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "LIMS_VAR_DIR": str(settings.VAR_DIR),
            "PYTHONPATH": str(ROOT),
        }
    )
    return env


@contextmanager
def celery_worker(name="w1", concurrency=1, extra_env=None, beat=False):
    env = worker_env()
    env.update(extra_env or {})
    log = open(Path(settings.VAR_DIR) / f"worker-{name}.log", "w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "lims",
            "worker",
            "--loglevel=INFO",
            "--pool=prefork",
            f"--concurrency={concurrency}",
            "-n",
            f"{name}@%h",
            "-Q",
            settings.CELERY_TASK_DEFAULT_QUEUE,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
        + (["-B", "-s", str(Path(settings.VAR_DIR) / f"beat-{name}-{os.getpid()}")] if beat else []),
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.terminate()  # warm shutdown: finish or requeue
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        log.close()


def kill_hard(proc):
    """SIGKILL the worker and its pool children at once, as a power cut would."""
    import signal

    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def wait_for(predicate, timeout=60.0, interval=0.25):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False


def worker_log(name="w1"):
    p = Path(settings.VAR_DIR) / f"worker-{name}.log"
    return p.read_text() if p.exists() else ""
