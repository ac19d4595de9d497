"""Shared fixtures: one user per role, two manufacturers, API clients.

Tests that need a server (PostgreSQL, Redis, Chromium) call
``require_service(reason)``: it skips with that reason on a laptop, and fails
when LIMS_REQUIRE_SERVICES=1 (CI), so CI can never pass by skipping.
"""

import datetime
import os

import pytest

REQUIRE_SERVICES = os.environ.get("LIMS_REQUIRE_SERVICES") == "1"


def require_service(available, reason):
    if available:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"required service missing in CI: {reason}")
    pytest.skip(reason)


def is_postgres():
    from django.db import connection

    return connection.vendor == "postgresql"


def require_postgres(reason):
    """PostgreSQL-only behaviour: skipped in the SQLite pass, required in the
    PostgreSQL pass of CI (LIMS_REQUIRE_POSTGRES=1)."""
    if is_postgres():
        return
    if os.environ.get("LIMS_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"this pass must run on PostgreSQL: {reason}")
    pytest.skip(f"{reason}; runs in the PostgreSQL pass (DATABASE_URL=postgres://...)")


LAB_IDENTITY = {
    "address": "臺中市霧峰區萬豐里中正路 189 號 189 Zhongzheng Rd, Wufeng, Taichung",
    "telephone": "+886 4 2330 2301",
}


@pytest.fixture
def standards(db):
    """The bundled standards and method references, and the lab identity a report needs to issue."""
    from lims.models import LabSettings
    from maturity.services import load_bundled_standards

    load_bundled_standards()
    LabSettings.objects.update_or_create(pk=1, defaults=LAB_IDENTITY)


@pytest.fixture
def org_a(db):
    from lims.models import Manufacturer

    return Manufacturer.objects.create(name="甲廠 Alpha Compost Co.")


@pytest.fixture
def org_b(db):
    from lims.models import Manufacturer

    return Manufacturer.objects.create(name="乙廠 Beta Organics Ltd.")


def _user(username, role, manufacturer=None):
    from lims.models import User

    return User.objects.create_user(username=username, password="pw-" + username, role=role, manufacturer=manufacturer)


@pytest.fixture
def users(db, org_a, org_b):
    return {
        "technician": _user("tech", "technician"),
        "technician2": _user("tech2", "technician"),
        "reviewer": _user("rev", "reviewer"),
        "reviewer2": _user("rev2", "reviewer"),
        "manufacturer": _user("maker_a", "manufacturer", org_a),
        "manufacturer_b": _user("maker_b", "manufacturer", org_b),
        "regulator": _user("reg", "regulator"),
        "lab_admin": _user("admin", "lab_admin"),
    }


@pytest.fixture
def client_for(users):
    from rest_framework.test import APIClient

    def make(role):
        c = APIClient()
        c.credentials(HTTP_ACCEPT_LANGUAGE="en")  # API messages in English; the pages default to 繁體中文
        c.force_authenticate(users[role])
        return c

    return make


@pytest.fixture
def web(users):
    """A page client logged in as ``role``, in Traditional Chinese unless ``lang`` says otherwise."""
    from django.test import Client

    def make(role, lang="zh-hant"):
        c = Client(HTTP_ACCEPT_LANGUAGE=lang)
        c.force_login(users[role])
        return c

    return make


PRODUCT_BODY = {
    "name": "有機堆肥一號 Compost No. 1",
    "category": "general_compost",
    "bagasse_based": False,
    "chemical_fertilizer_added": False,
    "raw_materials": [{"name": "cattle manure", "proportion_pct": 70}, {"name": "rice husk", "proportion_pct": 30}],
    "process": {"fermentation_days": 75, "peak_temperature_c": 72, "turnings": 7},
}


@pytest.fixture
def product_a(standards, users, org_a):
    from lims import services

    body = {k: v for k, v in PRODUCT_BODY.items()}
    return services.product_create(actor=users["manufacturer"], manufacturer=org_a, **body)


@pytest.fixture
def product_b(standards, users, org_b):
    from lims import services

    body = dict(PRODUCT_BODY, name="Beta compost")
    return services.product_create(actor=users["manufacturer_b"], manufacturer=org_b, **body)


@pytest.fixture
def make_sample(users):
    from lims import services

    def make(product, status="registered", lot="L-1"):
        s = services.sample_create(
            actor=users["technician"], product=product, lot_number=lot, sampled_on=datetime.date(2026, 11, 1)
        )
        path = {
            "registered": [],
            "received": ["receive"],
            "in_testing": ["receive", "start_testing"],
            "to_be_verified": ["receive", "start_testing", "submit"],
            "rejected": ["reject"],
        }[status]
        for action in path:
            s = services.sample_transition(
                actor=users["technician"], sample=s, action=action, reason="bad packaging" if action == "reject" else ""
            )
        return s

    return make
