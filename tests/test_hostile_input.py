"""Hostile input gets a 400 that names the field and the rule, never a server error (issue 16 item 6)."""

import json

import pytest
from rest_framework.test import APIClient

DEEP = 5000  # levels: far past Python's recursion limit


def _nested(depth):
    return "[" * depth + "]" * depth


@pytest.fixture
def anon():
    c = APIClient(raise_request_exception=False)
    c.credentials(HTTP_ACCEPT_LANGUAGE="en")
    return c


@pytest.mark.django_db
def test_deeply_nested_json_on_token_endpoint_is_400_unauthenticated(anon):
    r = anon.post("/api/v1/auth/token/", data='{"username": ' + _nested(DEEP) + "}", content_type="application/json")
    assert r.status_code == 400, r.content[:300]
    assert "nested" in json.dumps(r.json())


@pytest.mark.django_db
def test_deeply_nested_json_in_an_authenticated_body_is_400(client_for, product_a):
    c = client_for("manufacturer")
    c.raise_request_exception = False
    body = '{"name": "x", "process": ' + '{"a": ' * DEEP + "1" + "}" * DEEP + "}"
    r = c.patch(f"/api/v1/products/{product_a.pk}/", data=body, content_type="application/json")
    assert r.status_code == 400, r.content[:300]


@pytest.mark.django_db
def test_moderately_nested_json_past_the_limit_is_400_naming_the_rule(client_for, product_a):
    """Deep enough to be absurd for this API, shallow enough for the json module: still refused."""
    c = client_for("manufacturer")
    r = c.patch(f"/api/v1/products/{product_a.pk}/", data={"process": json.loads(_nested(200))}, format="json")
    assert r.status_code == 400
    assert "nested" in json.dumps(r.json())


@pytest.mark.django_db
def test_nul_in_a_transition_reason_is_400(client_for, product_a, make_sample):
    s = make_sample(product_a, "registered")
    r = client_for("technician").post(
        f"/api/v1/samples/{s.pk}/transitions/", {"action": "reject", "reason": "bad\x00packaging"}, format="json"
    )
    assert r.status_code == 400, r.content[:300]
    assert "reason" in r.json()


@pytest.mark.django_db
def test_nul_in_an_assay_note_is_400_and_nothing_is_stored(client_for, users, product_a, make_sample):
    from maturity.models import Assay

    s = make_sample(product_a, "in_testing")
    body = {"method": "moisture", "data": {"wet_mass_g": 10, "dry_mass_g": 6, "note": "ok\x00"}}
    c = client_for("technician")
    c.raise_request_exception = False
    r = c.post(f"/api/v1/samples/{s.pk}/assays/", body, format="json")
    assert r.status_code == 400, r.content[:300]
    assert "data.note" in r.json(), r.json()
    assert not Assay.objects.filter(sample=s).exists()


@pytest.mark.django_db
def test_nul_in_a_json_key_and_in_product_json_fields_is_400(client_for, product_a):
    c = client_for("manufacturer")
    c.raise_request_exception = False
    r = c.patch(
        f"/api/v1/products/{product_a.pk}/", {"process": {"fermentation\x00days": 7}, "reason": "fix"}, format="json"
    )
    assert r.status_code == 400, r.content[:300]
    r = c.patch(
        f"/api/v1/products/{product_a.pk}/",
        {"raw_materials": [{"name": "manure\x00", "proportion_pct": 100}]},
        format="json",
    )
    assert r.status_code == 400, r.content[:300]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/samples/?lot_number=a%00b",
        "/api/v1/audit/?entity=%00",
        "/api/v1/samples/?ordering=%00",
        "/api/v1/products/?search=%00",
    ],
)
def test_nul_in_a_query_parameter_is_400(client_for, users, url):
    c = client_for("lab_admin")
    c.raise_request_exception = False
    r = c.get(url)
    assert r.status_code == 400, (url, r.status_code, r.content[:300])


@pytest.mark.django_db
def test_nul_in_a_page_path_is_400_not_500(users):
    from django.test import Client

    c = Client(raise_request_exception=False)
    r = c.get("/verify/CQ-2026-%00/")
    assert r.status_code == 400, r.status_code


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/api/v1/regulator/samples/", "/api/v1/regulator/samples/export/", "/api/v1/regulator/statistics/"]
)
def test_regulator_filter_that_matches_nothing_is_an_empty_answer_not_500(client_for, standards, path):
    """`?manufacturer=999&failing=cu` was a pandas KeyError (an empty frame filtered by a failing parameter)."""
    c = client_for("regulator")
    c.raise_request_exception = False
    r = c.get(path + "?manufacturer=999&failing=cu")
    assert r.status_code == 200, r.content[:300]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    ["before=0265-03-10T10:00:40%2B20:01", "after=0001-01-01T00:00:00%2B06:00", "after=9999-12-31T23:59:59-10:00"],
)
def test_audit_time_filters_out_of_the_database_range_are_400_or_empty(client_for, users, query):
    """PostgreSQL refused these (time zone displacement out of range: DataError, a 500)."""
    c = client_for("regulator")
    c.raise_request_exception = False
    r = c.get("/api/v1/audit/?" + query)
    assert r.status_code in (200, 400), (r.status_code, r.content[:300])
    assert c.get("/api/v1/audit/").status_code == 200  # and the connection is still usable
