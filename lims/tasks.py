import socket
from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from .models import WorkerHeartbeat

KEEP = timedelta(hours=1)


@shared_task(name="lims.heartbeat")
def heartbeat(token=""):
    """Record that a worker consumed a task (shown by /api/v1/health/). Scheduled by beat every
    LIMS_WORKER_HEARTBEAT_SECONDS; rows older than an hour are pruned, so the table stays small."""
    WorkerHeartbeat.objects.create(hostname=socket.gethostname(), token=token)
    WorkerHeartbeat.objects.filter(at__lt=timezone.now() - KEEP).delete()
    return token
