import socket

from celery import shared_task

from .models import WorkerHeartbeat


@shared_task(name="lims.heartbeat")
def heartbeat(token=""):
    """Record that a worker consumed a task (shown by /api/v1/health/)."""
    WorkerHeartbeat.objects.create(hostname=socket.gethostname(), token=token)
    return token
