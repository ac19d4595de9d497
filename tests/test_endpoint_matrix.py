"""Every role against every API endpoint: one table of expected status codes.

A = allowed (2xx), D = denied (403), N = not found for this user (404),
C = conflict by state (409). The objects belong to manufacturer A (the
"manufacturer" user); "manufacturer_b" is the other organisation.
"""

import pytest

from web.demo_results import enter_example_results, verify_sample

ROLES = ["technician", "reviewer", "manufacturer", "manufacturer_b", "regulator", "lab_admin"]
pytestmark = pytest.mark.django_db


@pytest.fixture
def world(product_a, make_sample, users):
    s = make_sample(product_a, "received")
    enter_example_results(s, users["technician"])
    verify_sample(s, users["technician"], users["reviewer"])
    from certificates.services import certificate_request
    from certificates.tasks import render_document

    doc = certificate_request(actor=users["reviewer"], sample=s)
    render_document.apply(args=[doc.pk])  # on_commit does not fire inside the test transaction
    return {
        "sample": s.pk,
        "product": product_a.pk,
        "maker": product_a.manufacturer_id,
        "doc": doc.pk,
        "assay": s.assays.first().pk,
    }


# (method, url template, body, {role: expected})
def R(tech, rev, maker, maker_b, reg, admin):
    return dict(zip(ROLES, [tech, rev, maker, maker_b, reg, admin]))


MATRIX = [
    ("get", "/api/v1/manufacturers/", None, R(200, 200, 200, 200, 200, 200)),
    ("get", "/api/v1/manufacturers/{maker}/", None, R(200, 200, 200, 404, 200, 200)),
    ("get", "/api/v1/products/{product}/", None, R(200, 200, 200, 404, 200, 200)),
    ("get", "/api/v1/products/{product}/history/", None, R(200, 200, 403, 403, 200, 200)),
    ("patch", "/api/v1/products/{product}/", {"name": "x2"}, R(403, 403, 200, 404, 403, 200)),
    ("get", "/api/v1/samples/{sample}/", None, R(200, 200, 200, 404, 200, 200)),
    ("get", "/api/v1/samples/{sample}/history/", None, R(200, 200, 403, 403, 200, 200)),
    ("patch", "/api/v1/samples/{sample}/", {"lot_number": "x"}, R(409, 403, 409, 404, 403, 409)),
    ("post", "/api/v1/samples/{sample}/transitions/", {"action": "submit"}, R(409, 403, 403, 403, 403, 409)),
    ("get", "/api/v1/samples/{sample}/assays/", None, R(200, 200, 200, 404, 200, 200)),
    (
        "post",
        "/api/v1/samples/{sample}/assays/",
        {"method": "moisture", "data": {"wet_mass_g": 2, "dry_mass_g": 1}},
        R(409, 403, 403, 403, 403, 409),
    ),
    ("get", "/api/v1/samples/{sample}/assays/{assay}/", None, R(200, 200, 200, 404, 200, 200)),
    ("put", "/api/v1/samples/{sample}/assays/{assay}/", {"data": {}, "reason": "x"}, R(409, 403, 403, 403, 403, 409)),
    ("post", "/api/v1/samples/{sample}/verify/", {}, R(403, 409, 403, 403, 403, 403)),
    ("get", "/api/v1/samples/{sample}/results/", None, R(200, 200, 200, 404, 200, 200)),
    ("get", "/api/v1/samples/{sample}/maturity/", None, R(200, 200, 200, 404, 200, 200)),
    ("get", "/api/v1/samples/{sample}/compliance/", None, R(200, 200, 200, 404, 200, 200)),
    ("get", "/api/v1/samples/{sample}/jurisdictions/", None, R(200, 200, 200, 404, 200, 200)),
    ("get", "/api/v1/audit/", None, R(200, 200, 403, 403, 200, 200)),
    ("get", "/api/v1/regulator/samples/", None, R(200, 200, 403, 403, 200, 200)),
    ("get", "/api/v1/regulator/statistics/", None, R(200, 200, 403, 403, 200, 200)),
    ("get", "/api/v1/regulator/samples/export/?format=xlsx", None, R(200, 200, 403, 403, 200, 200)),
    ("get", "/api/v1/certificates/{doc}/", None, R(200, 200, 200, 404, 200, 200)),
    ("get", "/api/v1/certificates/{doc}/download/", None, R(200, 200, 200, 404, 200, 200)),
    ("post", "/api/v1/certificates/", {"sample": "{sample}"}, R(403, 409, 403, 403, 403, 403)),
    ("post", "/api/v1/certificates/{doc}/revoke/", {}, R(403, 400, 403, 403, 403, 403)),
    ("post", "/api/v1/certificates/{doc}/supersede/", {"reason": "x"}, R(403, 409, 403, 403, 403, 403)),
    (
        "post",
        "/api/v1/registrations/",
        {"product": "{product}", "samples": ["{sample}"]},
        R(403, 202, 202, 400, 403, 202),
    ),
    (
        "post",
        "/api/v1/assess/",
        {"category": "general_compost", "results": {"ph": {"value": 7}}},
        R(200, 200, 200, 200, 200, 200),
    ),
    ("post", "/api/v1/manufacturers/", {"name": "New"}, R(403, 403, 403, 403, 403, 201)),
    ("post", "/api/v1/imports/", {}, R(400, 403, 403, 403, 403, 400)),
]


@pytest.mark.parametrize("method,url,body,expected", MATRIX, ids=[f"{m} {u}" for m, u, _, _ in MATRIX])
@pytest.mark.parametrize("role", ROLES)
def test_endpoint_matrix(client_for, world, method, url, body, expected, role):
    import json

    url = url.format(**world)
    if body is not None:
        body = json.loads(
            json.dumps(body).replace('"{sample}"', str(world["sample"])).replace('"{product}"', str(world["product"]))
        )
    client = client_for(role)
    fmt = "multipart" if "imports" in url else "json"
    r = getattr(client, method)(url, body, format=fmt) if body is not None else getattr(client, method)(url)
    assert r.status_code == expected[role], (role, method, url, r.status_code, getattr(r, "content", b"")[:300])
