"""Overlapping certificate batches never deadlock on PostgreSQL (issue 16 item 13)."""

import threading

import pytest
from django.db import connection

from maturity.errors import InputError
from tests.conftest import require_postgres
from web.demo_results import enter_example_results, verify_sample

PAIRS = 25


@pytest.mark.django_db(transaction=True)
def test_25_pairs_of_opposite_batches_run_concurrently_without_error(users, product_a, make_sample):
    from certificates.models import Document
    from certificates.services import certificates_batch_request

    require_postgres("row-lock ordering between concurrent transactions is proven on PostgreSQL")
    samples = []
    for i in range(2 * PAIRS):
        s = make_sample(product_a, "received", f"D{i}")
        enter_example_results(s, users["technician"])
        samples.append(verify_sample(s, users["technician"], users["reviewer"]))
    errors, refused = [], []

    def issue(barrier, batch):
        try:
            barrier.wait()
            certificates_batch_request(actor=users["reviewer"], samples=batch)
        except InputError:  # the other batch of the pair was first: "already has a valid certificate"
            refused.append(batch)
        except Exception as e:  # a deadlock (or anything else) is a failure
            errors.append(e)
        finally:
            connection.close()

    for p in range(PAIRS):
        a, b = samples[2 * p], samples[2 * p + 1]
        barrier = threading.Barrier(2)
        threads = [
            threading.Thread(target=issue, args=(barrier, [a, b])),
            threading.Thread(target=issue, args=(barrier, [b, a])),
        ]
        [t.start() for t in threads]
        [t.join() for t in threads]
    assert not errors, f"{len(errors)} of {PAIRS} pairs failed: {errors[:3]}"
    assert len(refused) == PAIRS  # exactly one batch of each pair issued, the other refused with a 400
    assert Document.objects.count() == 2 * PAIRS


@pytest.mark.django_db
def test_a_sample_named_twice_in_a_batch_is_400(client_for, users, product_a, make_sample):
    s = make_sample(product_a, "received")
    enter_example_results(s, users["technician"])
    s = verify_sample(s, users["technician"], users["reviewer"])
    r = client_for("reviewer").post("/api/v1/certificates/batch/", {"samples": [s.pk, s.pk]}, format="json")
    assert r.status_code == 400 and "samples" in r.json()
