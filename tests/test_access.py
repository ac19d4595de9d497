"""Issue 16 C: access.

8. Logins cannot be brute-forced: proxy headers only from trusted proxies, account lockout on the
   web login and the token endpoint (429 with when to retry), lab admin sees and lifts, audited.
9. No tenant learns about another.
10. Certificates cannot be enumerated (verification codes; see test_verification_codes.py).
"""

import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from rest_framework.test import APIClient

from lims.models import AuditEntry

LIMIT = 5


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def token(client, username, password, **extra):
    return client.post("/api/v1/auth/token/", {"username": username, "password": password}, **extra)


# ---------------------------------------------------------------- trusted proxies


def test_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy():
    from ipaddress import ip_network

    from lims.net import client_address

    nets = (ip_network("10.0.0.0/8"),)
    assert client_address("203.0.113.5", "1.2.3.4", nets) == "203.0.113.5"  # untrusted peer: header ignored
    assert client_address("10.0.0.2", "1.2.3.4", nets) == "1.2.3.4"  # trusted proxy: its client
    assert client_address("10.0.0.2", "1.2.3.4, 10.0.0.7", nets) == "1.2.3.4"  # chain of trusted proxies
    assert client_address("10.0.0.2", "6.6.6.6, 1.2.3.4", nets) == "1.2.3.4"  # spoofed left part ignored
    assert client_address("10.0.0.2", "garbage", nets) == "10.0.0.2"
    assert client_address("10.0.0.2", "", nets) == "10.0.0.2"
    assert client_address("", "1.2.3.4", nets) is None


def test_client_ip_reads_the_setting(rf):
    from lims.net import client_ip

    request = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert client_ip(request) == "127.0.0.1"
    with override_settings(LIMS_TRUSTED_PROXIES="127.0.0.1"):
        assert client_ip(request) == "198.51.100.7"


@pytest.mark.django_db
def test_token_throttle_is_not_reset_by_changing_x_forwarded_for(users, monkeypatch):
    from web.api.views import LoginThrottle

    monkeypatch.setattr(LoginThrottle, "THROTTLE_RATES", {"login": "3/min"})
    c = APIClient()
    codes = [token(c, f"nobody{i}", "x", HTTP_X_FORWARDED_FOR=f"192.0.2.{i}").status_code for i in range(5)]
    assert codes == [400, 400, 400, 429, 429], codes


# ---------------------------------------------------------------- lockout


@pytest.mark.django_db
def test_token_endpoint_locks_the_account_whatever_the_source_address(users):
    for i in range(LIMIT):
        c = APIClient(REMOTE_ADDR=f"192.0.2.{i + 1}", HTTP_USER_AGENT=f"agent-{i}")
        r = token(c, "tech", "wrong")
        assert r.status_code in (400, 429), r.content
    assert r.status_code == 429
    # the right password, from yet another address and agent: still refused, with when to retry
    r = token(APIClient(REMOTE_ADDR="198.51.100.9", HTTP_USER_AGENT="other"), "tech", "pw-tech")
    assert r.status_code == 429, r.content
    body = r.json()
    assert body["code"] == "account_locked" and 0 < body["retry_after"] <= 15 * 60
    assert int(r["Retry-After"]) == body["retry_after"] and body["locked_until"]
    assert "token" not in body
    # another account is unaffected
    assert token(APIClient(), "rev", "pw-rev").status_code == 200


@pytest.mark.django_db
def test_web_and_token_share_the_lock(client, users):
    for _ in range(LIMIT):
        client.post("/accounts/login/", {"username": "rev", "password": "wrong"})
    assert token(APIClient(), "rev", "pw-rev").status_code == 429
    r = Client(REMOTE_ADDR="203.0.113.77").post("/admin/login/", {"username": "rev", "password": "pw-rev"})
    assert r.status_code == 429


@pytest.mark.django_db
def test_lockout_and_lift_are_audited_and_visible_to_the_lab_admin(users, web):
    for _ in range(LIMIT + 2):
        token(APIClient(), "tech", "wrong")
    locks = AuditEntry.objects.filter(entity="login_lockout", action="lock")
    assert locks.count() == 1
    entry = locks.get()
    assert entry.entity_id == users["technician"].pk and entry.changes["failures"][1] == LIMIT
    from lims import lockout

    assert [r["username"] for r in lockout.lockouts()] == ["tech"]
    # the lab admin sees it in /admin/ and lifts it there
    c = web("lab_admin", lang="en")
    page = c.get("/admin/axes/accessattempt/?locked_out=yes")
    assert page.status_code == 200 and "tech" in page.content.decode()
    from axes.models import AccessAttempt

    ids = [str(pk) for pk in AccessAttempt.objects.filter(username="tech").values_list("pk", flat=True)]
    r = c.post("/admin/axes/accessattempt/", {"action": "delete_selected", "_selected_action": ids, "post": "yes"})
    assert r.status_code == 302
    unlock = AuditEntry.objects.get(entity="login_lockout", action="unlock")
    assert unlock.actor == users["lab_admin"] and unlock.entity_id == users["technician"].pk
    assert token(APIClient(), "tech", "pw-tech").status_code == 200
    # regulators may read the audit, not lift locks
    assert web("regulator").get("/admin/axes/accessattempt/").status_code == 302


@pytest.mark.django_db
def test_lockouts_api_for_the_lab_admin(users, client_for):
    for _ in range(LIMIT):
        token(APIClient(), "tech", "wrong")
    assert client_for("regulator").get("/api/v1/lockouts/").status_code == 403
    r = client_for("lab_admin").get("/api/v1/lockouts/")
    assert r.status_code == 200 and [x["username"] for x in r.json()] == ["tech"]
    assert r.json()[0]["failures"] == LIMIT and r.json()[0]["locked_until"]
    r = client_for("lab_admin").post("/api/v1/lockouts/lift/", {"username": "tech"}, format="json")
    assert r.status_code == 400 and "reason" in r.json()
    r = client_for("lab_admin").post(
        "/api/v1/lockouts/lift/", {"username": "tech", "reason": "verified by phone"}, format="json"
    )
    assert r.status_code == 200 and r.json() == {"username": "tech", "lifted": True}
    entry = AuditEntry.objects.get(entity="login_lockout", action="unlock")
    assert entry.reason == "verified by phone" and entry.actor == users["lab_admin"]
    assert token(APIClient(), "tech", "pw-tech").status_code == 200


@pytest.mark.django_db
def test_successful_login_before_the_limit_is_not_a_lockout(users):
    for _ in range(LIMIT - 1):
        token(APIClient(), "tech", "wrong")
    assert token(APIClient(), "tech", "pw-tech").status_code == 200
    assert token(APIClient(), "tech", "wrong").status_code == 400  # the count started again
    assert not AuditEntry.objects.filter(entity="login_lockout").exists()


# ---------------------------------------------------------------- 9. tenants


@pytest.mark.django_db
def test_product_name_check_never_names_another_manufacturers_product(client_for, product_a, product_b):
    c = client_for("manufacturer")
    # posting for the other manufacturer with its product's name: no name, no id, no existence
    r = c.post(
        "/api/v1/products/",
        {"manufacturer": product_b.manufacturer_id, "name": product_b.name, "category": "general_compost"},
        format="json",
    )
    assert r.status_code in (400, 403), r.content
    body = r.content.decode()
    assert product_b.name not in body and product_b.manufacturer.name not in body
    assert str(product_b.pk) not in body.replace(str(product_b.manufacturer_id), "")
    # an id that exists and one that does not answer the same
    r2 = c.post(
        "/api/v1/products/",
        {"manufacturer": 999999, "name": product_b.name, "category": "general_compost"},
        format="json",
    )
    assert r.status_code == r2.status_code
    assert r.json() == {
        k: [m.replace("999999", str(product_b.manufacturer_id)) for m in v] if isinstance(v, list) else v
        for k, v in r2.json().items()
        if k != "detail"
    } | {"detail": r2.json()["detail"].replace("999999", str(product_b.manufacturer_id))}


@pytest.mark.django_db
def test_same_name_for_two_manufacturers_is_allowed_and_own_clash_is_named(client_for, product_a, product_b):
    c = client_for("manufacturer")
    r = c.post("/api/v1/products/", {"name": product_b.name, "category": "general_compost"}, format="json")
    assert r.status_code == 201, r.content
    r = c.post("/api/v1/products/", {"name": product_b.name, "category": "general_compost"}, format="json")
    assert r.status_code == 400 and "already have a product named" in str(r.json()["name"])
    assert product_b.manufacturer.name not in r.content.decode()


@pytest.mark.django_db
def test_sample_for_another_manufacturers_product_is_not_found(client_for, product_b):
    r = client_for("manufacturer").post(
        "/api/v1/samples/", {"product": product_b.pk, "lot_number": "L", "sampled_on": "2026-11-01"}, format="json"
    )
    assert r.status_code == 400
    assert product_b.name not in r.content.decode()
