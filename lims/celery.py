import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lims.settings")

app = Celery("lims")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.conf.beat_schedule = {
    # outbox relay: sends documents requested while the broker was down and
    # hands out again renders whose worker died
    "relay-certificate-outbox": {"task": "certificates.relay_outbox", "schedule": 30.0},
}
