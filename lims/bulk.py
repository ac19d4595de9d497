"""Bulk inserts at volume: COPY on PostgreSQL (ids drawn from the table's sequence first), bulk_create
elsewhere. For derived or imported rows written by services in their own transaction; no signals."""

import csv
import datetime
import io
import json

from django.db import connection, models


def _text_not_null(field):
    return isinstance(field, (models.CharField, models.TextField)) and not field.null


def _cell(value):
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, allow_nan=False)
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    return value


def bulk_insert(model, objs):
    """Insert unsaved ``objs`` of ``model`` (every concrete field already set, auto_now_add included
    by ``pre_save``) and set their primary keys. -> objs."""
    if not objs:
        return objs
    if connection.vendor != "postgresql":
        return model.objects.bulk_create(objs, batch_size=2000)
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, %s)", [len(objs)]
        )
        for obj, (pk,) in zip(objs, cursor.fetchall()):
            obj.pk = pk
    buf = io.StringIO()
    writer = csv.writer(buf)
    for obj in objs:
        row = [obj.pk]
        for f in fields:
            value = f.pre_save(obj, add=True)
            row.append(_cell(value))
        writer.writerow(["" if v is None else v for v in row])
    columns = ", ".join(['"id"'] + [f'"{f.column}"' for f in fields])
    texts = [f'"{f.column}"' for f in fields if _text_not_null(f)]
    force = f", FORCE_NOT_NULL ({', '.join(texts)})" if texts else ""
    with connection.cursor() as cursor:
        with cursor.connection.cursor().copy(f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv{force})") as copy:
            copy.write(buf.getvalue())
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias
    return objs
