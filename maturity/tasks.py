"""Celery tasks of the maturity app, for Celery's discovery. Each is declared beside the service it
runs, so a service can send its task without importing this module (no import circle)."""

from .judgements import rejudge_archive

__all__ = ["rejudge_archive"]
