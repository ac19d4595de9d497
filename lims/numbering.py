"""Gap-free, per-year numbers: PREFIX-YYYY-NNNNNN.

Must be called inside the transaction that stores the numbered record: the
counter row is locked (SELECT ... FOR UPDATE on PostgreSQL; SQLite runs
IMMEDIATE transactions, one writer at a time) until that transaction ends, so
concurrent writers queue and a rollback returns the number.
"""
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import YearSequence


def format_number(prefix, year, n):
    return f"{prefix}-{year}-{n:06d}"


def next_number(prefix, year=None):
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_number() must run inside transaction.atomic()")
    year = year or timezone.localdate().year
    try:
        with transaction.atomic():
            YearSequence.objects.get_or_create(prefix=prefix, year=year)
    except IntegrityError:
        pass  # another transaction created the row first; it is there now
    seq = YearSequence.objects.select_for_update().get(prefix=prefix, year=year)
    seq.last += 1
    seq.save(update_fields=["last"])
    return format_number(prefix, year, seq.last)
