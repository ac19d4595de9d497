"""Hostile input gets a 400 that names the field and the rule, never a server error (issue 16 item 6)."""
import json

import pytest
from rest_framework.test import APIClient

from lims.demo_results import enter_example_results

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
    r = anon.post("/api/v1/auth/token/", data='{"username": ' + _nested(DEEP) + "}",
                  content_type="application/json")
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
    r = client_for("technician").post(f"/api/v1/samples/{s.pk}/transitions/",
                                      {"action": "reject", "reason": "bad\x00packaging"}, format="json")
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
    r = c.patch(f"/api/v1/products/{product_a.pk}/",
                {"process": {"fermentation\x00days": 7}, "reason": "fix"}, format="json")
    assert r.status_code == 400, r.content[:300]
    r = c.patch(f"/api/v1/products/{product_a.pk}/",
                {"raw_materials": [{"name": "manure\x00", "proportion_pct": 100}]}, format="json")
    assert r.status_code == 400, r.content[:300]


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/v1/samples/?lot_number=a%00b", "/api/v1/audit/?entity=%00",
                                 "/api/v1/samples/?ordering=%00", "/api/v1/products/?search=%00"])
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
