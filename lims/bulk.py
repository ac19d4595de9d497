"""Bulk inserts at volume: COPY on PostgreSQL (ids drawn from the table's sequence first), bulk_create
elsewhere. For derived or imported rows written by services in their own transaction; no signals."""

import csv
import datetime
import io
import itertools
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


def reserve_ids(model, n):
    """``n`` new primary keys of ``model`` (PostgreSQL: from its sequence, in one query), as a list."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, %s)", [n])
        return [pk for (pk,) in cursor.fetchall()]


COPY_FLUSH_CHARS = 1 << 20
_COPY_TEXT = str.maketrans({"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"})


class RawJSON(str):
    """JSON already encoded (a builder that writes JSON text itself, faster than dicts + json.dumps)."""


def _copy_text(value, is_json, dumps):
    """One cell of COPY's text format."""
    if value is None:
        return "\\N"
    if is_json:
        value = value if isinstance(value, RawJSON) else dumps(value)
    elif not isinstance(value, str):
        value = _cell(value)
        if not isinstance(value, str):
            value = str(value)
    return value.translate(_COPY_TEXT)


def insert_rows(model, names, rows, ids=None):
    """Insert rows given as tuples of values for the fields ``names`` (attnames; JSON fields as Python
    objects or RawJSON text; every other field takes its default), streaming: PostgreSQL COPY (text
    format) in pieces of about 1 MB with the primary keys ``ids`` (from :func:`reserve_ids`, one per row,
    in order); elsewhere bulk_create in batches (``ids`` ignored). For imported rows written by services in
    their own transaction; no signals, no ``auto_now_add`` (give those fields). -> the primary keys, in row
    order."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    given = {n: i for i, n in enumerate(names)}
    unknown = set(names) - {f.attname for f in fields}
    if unknown:
        raise ValueError(f"not fields of {model.__name__}: {sorted(unknown)}")
    if connection.vendor != "postgresql":
        return _insert_rows_orm(model, names, rows)
    dumps = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode
    json_fields = {f.attname for f in fields if isinstance(f, models.JSONField)}
    order = [given[f.attname] for f in fields if f.attname in given]
    is_json = [names[i] in json_fields for i in order]
    defaults = [_copy_text(f.get_default(), f.attname in json_fields, dumps) for f in fields if f.attname not in given]
    table = model._meta.db_table
    columns = ", ".join(['"id"'] + [f'"{f.column}"' for f in fields if f.attname in given])
    columns += "".join(f', "{f.column}"' for f in fields if f.attname not in given)
    tail = "".join("\t" + d for d in defaults) + "\n"
    lines, size, n = [], 0, 0
    with connection.cursor() as cursor:
        with cursor.connection.cursor().copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for pk, row in zip(ids, rows):
                line = "\t".join([str(pk)] + [_copy_text(row[i], j, dumps) for i, j in zip(order, is_json)]) + tail
                lines.append(line)
                size += len(line)
                n += 1
                if size > COPY_FLUSH_CHARS:
                    copy.write("".join(lines))
                    lines, size = [], 0
            copy.write("".join(lines))
    if n != len(ids):
        raise ValueError(f"{len(ids)} ids reserved for {n} rows")
    return ids


def _insert_rows_orm(model, names, rows, batch=500):
    json_fields = {f.attname for f in model._meta.concrete_fields if isinstance(f, models.JSONField)}

    def value(name, v):
        return json.loads(v) if name in json_fields and isinstance(v, RawJSON) else v

    pks = []
    rows = iter(rows)
    while True:
        objs = [model(**{n: value(n, v) for n, v in zip(names, row)}) for row in itertools.islice(rows, batch)]
        if not objs:
            return pks
        model.objects.bulk_create(objs)
        pks += [o.pk for o in objs]
