import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lims.settings")

# Reliability figures read here from the environment (this module is imported before Django's settings).
RELAY_SECONDS = float(os.environ.get("LIMS_RELAY_SECONDS", "30"))
HEARTBEAT_SECONDS = float(os.environ.get("LIMS_WORKER_HEARTBEAT_SECONDS", "15"))

app = Celery("lims")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.conf.beat_schedule = {
    # outbox relay: sends documents requested while the broker was down and
    # hands out again renders whose worker died (lease expired)
    "relay-certificate-outbox": {"task": "certificates.relay_outbox", "schedule": RELAY_SECONDS},
    # worker heartbeat read by /api/v1/health/: a stopped worker shows within a minute
    "worker-heartbeat": {"task": "lims.heartbeat", "schedule": HEARTBEAT_SECONDS},
}
