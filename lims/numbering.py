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
    return next_numbers(prefix, 1, year)[0]


def next_numbers(prefix, count, year=None):
    """``count`` consecutive numbers, taken under one lock of the counter."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_number() must run inside transaction.atomic()")
    year = year or timezone.localdate().year
    try:
        with transaction.atomic():
            YearSequence.objects.get_or_create(prefix=prefix, year=year)
    except IntegrityError:
        pass  # another transaction created the row first; it is there now
    seq = YearSequence.objects.select_for_update().get(prefix=prefix, year=year)
    first = seq.last + 1
    seq.last += count
    seq.save(update_fields=["last"])
    return [format_number(prefix, year, n) for n in range(first, first + count)]
