"""Checks that keep the same instrument results from being imported twice. Reads only.

Two signs of a double import: the file's content was imported before (same SHA-256), or
its rows repeat values that current assays of the samples already hold (same parameter,
value, unit, basis and qualifier). Called by the import service before it stores anything."""

import hashlib

from lims.messages import Message, gettext_noop

from . import calculations as calc
from .models import Assay, ImportRun


def content_sha256(content):
    """SHA-256 of the upload: bytes, or a binary file object read in chunks and rewound."""
    if isinstance(content, (bytes, bytearray)):
        return hashlib.sha256(content).hexdigest()
    h = hashlib.sha256()
    content.seek(0)
    for chunk in iter(lambda: content.read(1 << 20), b""):
        h.update(chunk)
    content.seek(0)
    return h.hexdigest()


def earlier_import(sha256):
    """The first stored import of the same content, or None."""
    return ImportRun.objects.filter(sha256=sha256).select_related("imported_by").order_by("imported_at", "id").first()


def _key(entry):
    value = str(entry.get("value", "")).strip()
    try:
        value = float(value)
    except ValueError:
        pass
    return (value, entry.get("unit") or "", entry.get("basis") or "", entry.get("qualifier") or "")


def duplicate_rows(staged, sample_ids, batch=5_000):
    """Rows that repeat a value a current (not invalidated) assay of the sample already holds.

    ``staged``: the validated file (``importing.Staged``: per sample, its values by parameter and row
    numbers in the same order); ``sample_ids``: the id of each of its samples, in the same order (a list or
    a numpy array), looked up ``batch`` samples at a time.
    -> ([{"row", "column", "reason", "assay"}] the first ``importing.MAX_REPORTED`` in row order, how many in
    all)."""
    from . import importing

    found = importing.ErrorReport(importing.MAX_REPORTED)
    stored = {}  # (sample index, parameter) -> {key: assay id}
    for i in range(0, len(sample_ids), batch):
        part = sample_ids[i : i + batch]
        part = part.tolist() if hasattr(part, "tolist") else list(part)  # a numpy array, or a list
        index = {pk: i + j for j, pk in enumerate(part)}  # this batch's only: no dictionary of every sample
        for a in (
            Assay.objects.filter(sample_id__in=part, method="direct")
            .exclude(status="invalidated")
            .values("id", "sample_id", "data")
        ):
            for param, entry in ((a["data"] or {}).get("values") or {}).items():
                stored.setdefault((index[a["sample_id"]], param), {})[_key(entry)] = a["id"]
    for k in sorted({k for k, _param in stored}):
        code, values, _results, _conversions, rows = staged.sample(k)
        for (param, entry), row in zip(values.items(), rows):
            assay_id = stored.get((k, param), {}).get(_key(entry))
            if assay_id is not None:
                found.add(
                    {
                        "row": row,
                        "column": "value",
                        "assay": assay_id,
                        "reason": Message(
                            "already_stored",
                            gettext_noop("%(parameter)s %(value)s for %(sample)s is already stored (assay #%(assay)s)"),
                            parameter=calc.parameter(param),
                            value=entry.get("value"),
                            sample=code,
                            assay=assay_id,
                        ),
                    }
                )
    return found.errors(), found.count
