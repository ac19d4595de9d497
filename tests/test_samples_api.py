"""Samples, products, lifecycle, validation and audit through the API."""

import datetime
import threading

import pytest
from django.db import connection

from tests.conftest import PRODUCT_BODY, require_postgres

pytestmark = pytest.mark.django_db


def test_token_login_and_me(users):
    from rest_framework.test import APIClient

    c = APIClient()
    r = c.post("/api/v1/auth/token/", {"username": "reg", "password": "pw-reg"}, format="json")
    assert r.status_code == 200
    token = r.json()["token"]
    c.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert c.get("/api/v1/me/").json()["role"] == "regulator"
    bad = APIClient().post("/api/v1/auth/token/", {"username": "reg", "password": "wrong"}, format="json")
    assert bad.status_code == 400


def test_schema_and_docs_served(client_for):
    c = client_for("regulator")
    r = c.get("/api/v1/schema/")
    assert r.status_code == 200 and b"/api/v1/samples/" in r.content
    assert c.get("/api/v1/docs/").status_code == 200


def test_sample_codes_are_sequential_per_year(client_for, product_a):
    c = client_for("technician")
    codes = [
        c.post(
            "/api/v1/samples/",
            {"product": product_a.pk, "lot_number": f"L{i}", "sampled_on": "2026-11-01"},
            format="json",
        ).json()["code"]
        for i in range(3)
    ]
    year = datetime.date.today().year
    assert codes == [f"S-{year}-000001", f"S-{year}-000002", f"S-{year}-000003"]


def test_failed_create_does_not_consume_a_number(client_for, product_a, monkeypatch):
    from lims import audit, services

    c = client_for("technician")
    boom = {"on": True}
    real = audit.record

    def failing_record(**kw):
        if boom["on"]:
            raise RuntimeError("disk full")
        return real(**kw)

    monkeypatch.setattr(services.audit, "record", failing_record)
    with pytest.raises(RuntimeError):
        c.post(
            "/api/v1/samples/", {"product": product_a.pk, "lot_number": "L", "sampled_on": "2026-11-01"}, format="json"
        )
    boom["on"] = False
    r = c.post(
        "/api/v1/samples/", {"product": product_a.pk, "lot_number": "L", "sampled_on": "2026-11-01"}, format="json"
    )
    assert r.json()["code"].endswith("-000001")
    from lims.models import Sample

    assert Sample.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_sample_creation_is_unique_and_gap_free(users, product_a):
    require_postgres("concurrent numbering under row locks is proven on PostgreSQL")
    from lims import services
    from lims.models import Sample

    errors, n = [], 12
    barrier = threading.Barrier(n)

    def worker(i):
        try:
            barrier.wait()
            services.sample_create(
                actor=users["technician"], product=product_a, lot_number=f"C{i}", sampled_on=datetime.date(2026, 11, 1)
            )
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert not errors, errors
    numbers = sorted(int(c.rsplit("-", 1)[1]) for c in Sample.objects.values_list("code", flat=True))
    assert numbers == list(range(1, n + 1))


@pytest.mark.parametrize(
    "patch,field,fragment",
    [
        ({"category": "rocket_fuel"}, "category", "Unknown category"),
        ({"bagasse_based": "maybe"}, "bagasse_based", "valid boolean"),
        ({"raw_materials": [{"name": "manure", "proportion_pct": 70}]}, "raw_materials", "add up to 100"),
        ({"raw_materials": [{"name": "", "proportion_pct": 100}]}, "raw_materials", "name"),
        ({"raw_materials": "manure"}, "raw_materials", "list"),
        ({"process": {"fermentation_days": -3}}, "process", "between"),
        ({"process": {"turnings": 2.5}}, "process", "whole number"),
        ({"process": {"colour": "brown"}}, "process", "unknown key"),
        ({"name": ""}, "name", "blank"),
    ],
)
def test_product_bad_input_is_400_per_field_and_nothing_saved(client_for, standards, patch, field, fragment):
    from lims.models import AuditEntry, Product

    r = client_for("manufacturer").post("/api/v1/products/", dict(PRODUCT_BODY, **patch), format="json")
    assert r.status_code == 400, r.content
    assert field in r.json(), r.json()
    assert fragment in str(r.json()[field]), r.json()
    assert Product.objects.count() == 0 and AuditEntry.objects.filter(entity="product").count() == 0


def test_duplicate_product_name_is_400(client_for, product_a):
    r = client_for("manufacturer").post("/api/v1/products/", PRODUCT_BODY, format="json")
    assert r.status_code == 400 and "name" in r.json()


@pytest.mark.parametrize(
    "body,field",
    [
        ({"lot_number": "L", "sampled_on": "2026-11-10", "received_on": "2026-11-01"}, "received_on"),
        ({"lot_number": "L", "sampled_on": "2999-01-01"}, "sampled_on"),
        ({"lot_number": "L", "sampled_on": "yesterday"}, "sampled_on"),
        ({"sampled_on": "2026-11-01"}, "lot_number"),
        ({"lot_number": "L"}, "sampled_on"),
    ],
)
def test_sample_bad_input(client_for, product_a, body, field):
    from lims.models import Sample

    r = client_for("technician").post("/api/v1/samples/", dict(body, product=product_a.pk), format="json")
    assert r.status_code == 400 and field in r.json(), r.content
    assert Sample.objects.count() == 0


def test_lifecycle_with_reasons_history_and_conflicts(client_for, product_a, make_sample, users):
    s = make_sample(product_a)
    tech = client_for("technician")
    url = f"/api/v1/samples/{s.pk}/transitions/"
    assert tech.post(url, {"action": "start_testing"}, format="json").status_code == 409
    r = tech.post(url, {"action": "receive"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "received"
    assert r.json()["received_on"] == str(datetime.date.today()) or r.json()["received_on"]
    r = tech.post(url, {"action": "reject"}, format="json")
    assert r.status_code == 400 and "reason" in r.json()
    r = tech.post(url, {"action": "reject", "reason": "bag torn, sample wet"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    r = tech.post(url, {"action": "receive"}, format="json")
    assert r.status_code == 409 and "Rejected" in r.json()["detail"]
    assert r.json()["code"] == "transition_not_allowed"
    r = tech.post(url, {"action": "fly"}, format="json")
    assert r.status_code == 400 and "action" in r.json()
    detail = tech.get(f"/api/v1/samples/{s.pk}/").json()
    assert [t["action"] for t in detail["transitions"]] == ["receive", "reject"]
    assert detail["transitions"][1]["reason"] == "bag torn, sample wet"
    assert detail["transitions"][1]["actor"] == "tech"
    hist = client_for("regulator").get(f"/api/v1/samples/{s.pk}/history/").json()["results"]
    assert [h["action"] for h in hist] == ["create", "transition:receive", "transition:reject"]
    assert hist[2]["changes"]["status"] == ["received", "rejected"]
    assert hist[2]["reason"] == "bag torn, sample wet" and hist[2]["actor"] == "tech"


def test_certify_is_not_a_direct_transition(client_for, product_a, make_sample):
    s = make_sample(product_a, "received")
    r = client_for("lab_admin").post(f"/api/v1/samples/{s.pk}/transitions/", {"action": "certify"}, format="json")
    assert r.status_code in (403, 409)


def test_product_update_is_audited_with_old_and_new_values(client_for, product_a):
    r = client_for("manufacturer").patch(
        f"/api/v1/products/{product_a.pk}/", {"bagasse_based": True, "reason": "raw material changed"}, format="json"
    )
    assert r.status_code == 200
    hist = client_for("regulator").get(f"/api/v1/products/{product_a.pk}/history/").json()["results"]
    assert hist[-1]["action"] == "update" and hist[-1]["changes"] == {"bagasse_based": [False, True]}
    assert hist[-1]["reason"] == "raw material changed" and hist[-1]["actor"] == "maker_a"


def test_sample_edit_locked_once_testing(client_for, product_a, make_sample):
    s = make_sample(product_a, "in_testing")
    r = client_for("technician").patch(f"/api/v1/samples/{s.pk}/", {"lot_number": "new"}, format="json")
    assert r.status_code == 409


def test_list_filters(client_for, product_a, make_sample):
    make_sample(product_a, "received")
    make_sample(product_a, "registered")
    c = client_for("regulator")
    assert c.get("/api/v1/samples/?status=received").json()["count"] == 1
    assert c.get("/api/v1/samples/?status=received&status=registered").json()["count"] == 2
    assert c.get("/api/v1/samples/?category=bark_compost").json()["count"] == 0
    assert c.get(f"/api/v1/samples/?manufacturer={product_a.manufacturer_id}").json()["count"] == 2
    assert c.get("/api/v1/samples/?sampled_after=2026-11-02").json()["count"] == 0
    assert c.get("/api/v1/products/?category=general_compost").json()["count"] == 1
