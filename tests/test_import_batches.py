"""Issue 16 item 5 (bounded memory): after validation the import writes a batch of samples at a time
(setting LIMS_IMPORT_BATCH_SAMPLES): the samples are looked up, started and their assays and audit entries
written in pieces of at most that many samples, and none of those pieces is kept. These tests set a batch
of 2 samples: every write stays within a batch, a failure while writing the last batch leaves nothing
stored (one transaction), and a file imported in several batches is stored exactly as in one."""

import io

import pytest

HEADER = "sample_code,parameter,value,unit,basis,qualifier,uncertainty\n"
VALUES = (("cu", "0.006", "%", "dry", "0.001"), ("zn", "<5", "", "", ""), ("ph", "7.2", "", "", ""))


def _body(samples):
    """1, 2 or 3 values for each sample in turn, the values of each sample on consecutive rows."""
    return HEADER + "".join(
        f"{s.code},{p},{v},{unit},{basis},,{unc}\n"
        for i, s in enumerate(samples)
        for p, v, unit, basis, unc in VALUES[: 1 + i % 3]
    )


def _import(actor, body):
    from maturity.assays import results_import

    return results_import(actor=actor, filename="icp.csv", content=io.BytesIO(body.encode()))


def _stored(samples):
    """What an import stored for ``samples``, with their ids and codes taken out (comparable across sets)."""
    from django.db.models import Q

    from lims.models import AuditEntry, Sample, SampleTransition
    from maturity.models import Assay

    out = []
    for s in samples:
        a = Assay.objects.get(sample=s)
        audits = AuditEntry.objects.filter(
            Q(entity="assay", action="create") | Q(action="transition:start_testing"), sample=s
        )
        out.append(
            (
                Sample.objects.get(pk=s.pk).status,
                a.method,
                a.data,
                a.results,
                a.details,
                a.flags,
                a.valid,
                a.status,
                a.source,
                a.entered_by_id,
                [(t.action, t.from_status, t.to_status, t.reason) for t in SampleTransition.objects.filter(sample=s)],
                sorted(
                    (e.entity, e.action, e.changes, e.reason, e.actor_id, e.manufacturer_id)
                    for e in audits.order_by("id")
                ),
            )
        )
    return out


@pytest.fixture
def batch_of_two(settings):
    settings.LIMS_IMPORT_BATCH_SAMPLES = 2
    settings.LIMS_IMPORT_CHUNK_ROWS = 3
    return settings


@pytest.mark.django_db
def test_every_write_stays_within_a_batch_of_samples(users, product_a, make_sample, batch_of_two, monkeypatch):
    from django.db import connection

    import lims.bulk
    from lims.models import AuditEntry, SampleTransition
    from maturity.models import Assay

    samples = [make_sample(product_a, "received" if i % 2 else "in_testing", f"LOT-{i}") for i in range(5)]
    written = []
    insert_rows = lims.bulk.insert_rows

    def counting(model, names, rows, ids=None):
        rows = list(rows)
        written.append((model.__name__, len(rows)))
        return insert_rows(model, names, rows, ids=ids)

    monkeypatch.setattr(lims.bulk, "insert_rows", counting)
    result = _import(users["technician"], _body(samples))
    assert result.samples == [s.code for s in samples] and len(result.assay_ids) == 5
    assert written and all(n <= 2 for _model, n in written), written
    by_model = {}
    for model, n in written:
        by_model[model] = by_model.get(model, 0) + n
    # the transitions' audit entries, plus the assays' ones except on PostgreSQL (built there by one INSERT ... SELECT)
    assay_audits = 0 if connection.vendor == "postgresql" else 5
    assert by_model == {"SampleTransition": 2, "AuditEntry": 2 + assay_audits, "Assay": 5}
    assert Assay.objects.count() == 5 and SampleTransition.objects.filter(action="start_testing").count() == 5
    assert AuditEntry.objects.filter(entity="assay", action="create").count() == 5


@pytest.mark.django_db
def test_a_failure_writing_the_last_batch_stores_nothing(users, product_a, make_sample, batch_of_two, monkeypatch):
    import maturity.assays as assays
    from lims.models import AuditEntry, Sample, SampleTransition
    from maturity.models import Assay, ImportRun

    samples = [make_sample(product_a, "received", f"LOT-{i}") for i in range(5)]
    before = (AuditEntry.objects.count(), SampleTransition.objects.count())
    rows = assays._import_assay_rows

    def failing_in_the_last_batch(actor, filename, staged, sample_ids, begin, end, *args):
        if end == len(staged):
            raise RuntimeError("the database went away")
        yield from rows(actor, filename, staged, sample_ids, begin, end, *args)

    monkeypatch.setattr(assays, "_import_assay_rows", failing_in_the_last_batch)
    with pytest.raises(RuntimeError):
        _import(users["technician"], _body(samples))
    assert not Assay.objects.exists() and not ImportRun.objects.exists()
    assert (AuditEntry.objects.count(), SampleTransition.objects.count()) == before
    assert set(Sample.objects.filter(pk__in=[s.pk for s in samples]).values_list("status", flat=True)) == {"received"}
    monkeypatch.setattr(assays, "_import_assay_rows", rows)
    _import(users["technician"], _body(samples))  # the same file, once the failure is gone: all of it
    assert Assay.objects.count() == 5 and ImportRun.objects.count() == 1


@pytest.mark.django_db
def test_several_batches_store_what_one_batch_stores(users, product_a, make_sample, settings):
    def imported(batch, prefix):
        settings.LIMS_IMPORT_BATCH_SAMPLES = batch
        samples = [make_sample(product_a, "received" if i % 3 else "in_testing", f"{prefix}-{i}") for i in range(7)]
        result = _import(users["technician"], _body(samples))
        assert result.samples == [s.code for s in samples] and result.rows == sum(1 + i % 3 for i in range(7))
        assert sorted(result.assay_ids) == result.assay_ids  # stored in the file's order
        return _stored(samples)

    one, several = imported(10_000, "ONE"), imported(2, "TWO")
    assert several == one
    assert [s[0] for s in several] == ["in_testing"] * 7
    assert [[t[0] for t in s[10]] for s in several] == [["receive", "start_testing"]] * 7
    assert [len(s[11]) for s in several] == [2] * 7  # its audit entry, and the assay's


@pytest.mark.django_db
def test_the_report_on_samples_does_not_depend_on_the_batch(users, product_a, make_sample, settings):
    from maturity.importing import ImportRejected

    open_, closed, other = (make_sample(product_a, st, f"LOT-{st}") for st in ("received", "registered", "in_testing"))
    body = HEADER + (
        f"{open_.code},cu,1,,,,\nS-1999-000001,cu,1,,,,\n{closed.code},cu,1,,,,\n{other.code},cu,1,,,,\n"
        f"{closed.code},zn,2,,,,\nS-1999-000002,zn,1,,,,\n"
    )
    reports = []
    for batch in (1, 2, 10_000):
        settings.LIMS_IMPORT_BATCH_SAMPLES = batch
        with pytest.raises(ImportRejected) as e:
            _import(users["technician"], body)
        reports.append(
            [(x["row"], x["column"], x["reason"].code, x["reason"].params) for x in e.value.report["errors"]]
        )
    assert reports[0] == reports[1] == reports[2]
    assert [(row, code) for row, _column, code, _params in reports[0]] == [
        (3, "unknown_sample"),
        (4, "sample_not_open_for_entry"),
        (6, "sample_not_open_for_entry"),
        (7, "unknown_sample"),
    ]
