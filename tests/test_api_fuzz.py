"""Schemathesis over our OpenAPI schema, with each role's token (issue 16 item 6).

No generated request may get a server error, and every response must have a
status code the schema documents, the documented content type and a body valid
against the schema. Runs on both CI passes (SQLite and PostgreSQL); examples per
operation are bounded (LIMS_FUZZ_EXAMPLES, default 5) so each pass stays short."""

import os

import hypothesis
import pytest
from hypothesis import HealthCheck, Phase

from web.demo_results import enter_example_results, verify_sample

EXAMPLES = int(os.environ.get("LIMS_FUZZ_EXAMPLES", "5"))
ROLES = ["technician", "reviewer", "manufacturer", "regulator", "lab_admin"]


@pytest.fixture
def fuzz_data(users, product_a, product_b, make_sample):
    """Records the fuzzer can hit by id: samples in several states, a certificate, a dossier."""
    from certificates.services import certificate_request, dossier_request

    verified = make_sample(product_a, "received", "FZ-1")
    enter_example_results(verified, users["technician"])
    verified = verify_sample(verified, users["technician"], users["reviewer"])
    certified = make_sample(product_a, "received", "FZ-2")
    enter_example_results(certified, users["technician"])
    certified = verify_sample(certified, users["technician"], users["reviewer"])
    cert = certificate_request(actor=users["reviewer"], sample=certified)
    dossier = dossier_request(actor=users["manufacturer"], product=product_a, samples=[certified], declared={})
    testing = make_sample(product_a, "in_testing", "FZ-3")
    make_sample(product_b, "received", "FZ-4")
    # path parameter values that hit real records, by the collection the path names
    return {
        "samples": verified.pk,
        "sample_id": verified.pk,
        "assay_id": verified.assays.first().pk,
        "certificates": cert.pk,
        "registrations": dossier.pk,
        "products": product_a.pk,
        "manufacturers": product_a.manufacturer_id,
        "batch_id": 1,
        "audit": 1,
        "testing": testing.pk,
    }


@pytest.fixture
def keep_db_connection():
    """Run requests through Django's WSGI handler like the test client does: without closing the test
    transaction's connection at the end of each request."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _schema():
    import schemathesis
    from django.core.handlers.wsgi import WSGIHandler

    return schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", WSGIHandler())


def _known_path_parameters(op, data):
    names = [p.name for p in op.path_parameters]
    collection = op.path.split("/")[3]  # /api/v1/<collection>/...
    known = {n: data[n] for n in names if n in data}
    if "id" in names and collection in data:
        known["id"] = data[collection]
    return known


def _checks():
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    return [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_no_server_error_and_every_response_as_documented(
    role, users, fuzz_data, standards, keep_db_connection, caplog
):
    import logging

    caplog.set_level(logging.CRITICAL, logger="django.request")  # hundreds of expected 4xx lines
    from rest_framework.authtoken.models import Token

    token = Token.objects.get_or_create(user=users[role])[0].key
    headers = {"Authorization": f"Token {token}", "Accept-Language": "en"}
    schema, checks = _schema(), _checks()
    failures, calls = {}, 0
    for result in schema.get_all_operations():
        op = result.ok()
        known = _known_path_parameters(op, fuzz_data)
        strategies = [op.as_strategy()] + ([op.as_strategy(path_parameters=known)] if known else [])
        for strategy in strategies:

            @hypothesis.settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                derandomize=True,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @hypothesis.given(case=strategy)
            def run(case):
                nonlocal calls
                calls += 1
                response = case.call(headers=headers)
                try:
                    case.validate_response(response, checks=checks, headers=headers)
                except (Exception, BaseExceptionGroup) as e:  # collected, reported together below
                    key = f"{op.method.upper()} {op.path} -> {response.status_code}"
                    lines = [line for line in str(e).splitlines() if line.strip()]
                    failures.setdefault(key, lines[:10] + [line for line in lines if "curl " in line])

            run()
    print(f"{role}: {calls} requests")
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(
        f"{k}\n    " + "\n    ".join(v) for k, v in sorted(failures.items())
    )
