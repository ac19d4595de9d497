"""Production path: system checks of `check --deploy`, debug pages only on
loopback, plain bilingual error pages, gunicorn.conf.py."""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.test import RequestFactory

from lims.hosts import is_loopback, public_url_problem

ROOT = Path(__file__).resolve().parent.parent
SECRET = "x" * 20 + "-Zq9!kL2@pR7#vN4$wT6^yB8&" * 2


def check_deploy(tmp_path, **extra):
    env = dict(
        os.environ,
        LIMS_MODE="production",
        DJANGO_SECRET_KEY=SECRET,
        DJANGO_ALLOWED_HOSTS="lims.example.org",
        DJANGO_SETTINGS_MODULE="lims.settings",
        LIMS_VAR_DIR=str(tmp_path),
    )
    env.pop("LIMS_PUBLIC_URL", None)
    env.update(extra)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"], cwd=ROOT, env=env, capture_output=True, text=True
    )


@pytest.mark.parametrize(
    "extra",
    [
        {},
        {"LIMS_PUBLIC_URL": "http://127.0.0.1:8000"},
        {"LIMS_PUBLIC_URL": "https://localhost"},
        {"LIMS_PUBLIC_URL": "http://[::1]:8000"},
        {"LIMS_PUBLIC_URL": "lims.example.org"},
    ],
)
def test_check_deploy_fails_without_a_public_url_others_can_reach(tmp_path, extra):
    r = check_deploy(tmp_path, **extra)
    assert r.returncode != 0
    assert "lims.E001" in r.stderr and "LIMS_PUBLIC_URL" in r.stderr


def test_check_deploy_warns_while_static_files_are_not_collected(tmp_path):
    r = check_deploy(tmp_path, LIMS_PUBLIC_URL="https://lims.example.org")
    assert r.returncode == 0, r.stderr
    assert "lims.W002" in r.stderr and "collectstatic" in r.stderr
    assert "lims.E001" not in r.stderr


@pytest.mark.parametrize(
    "host,loopback",
    [
        ("127.0.0.1", True),
        ("127.0.0.1:8000", True),
        ("127.8.9.1", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]:8000", True),
        ("0.0.0.0", False),
        ("0.0.0.0:8000", False),
        ("192.168.1.20", False),
        ("::", False),
        ("lims.example.org", False),
        ("", False),
    ],
)
def test_is_loopback(host, loopback):
    assert is_loopback(host) is loopback


def test_public_url_problem():
    assert public_url_problem("https://lims.example.org") == ""
    assert public_url_problem("http://192.168.1.20:8000") == ""
    assert "not set" in public_url_problem("")
    assert "points at this machine" in public_url_problem("http://127.0.0.1:8000")
    assert "points at this machine" in public_url_problem("http://0.0.0.0:8000")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "addr,debug", [("0.0.0.0:18999", False), ("192.168.1.20:18999", False), ("127.0.0.1:18999", True)]
)
def test_runserver_shows_debug_pages_only_on_loopback(settings, monkeypatch, addr, debug):
    from django.core.management import call_command
    from django.core.management.commands import runserver as django_runserver

    started = []
    monkeypatch.setattr(django_runserver, "run", lambda *a, **kw: started.append(a[:2]))
    settings.DEBUG = True
    call_command("runserver", addr, use_reloader=False, skip_checks=True)
    assert started, "the server was not started"
    assert settings.DEBUG is debug


def test_server_error_page_is_plain_and_bilingual():
    from django.views.defaults import server_error

    response = server_error(RequestFactory().get("/"))
    body = response.content.decode()
    assert response.status_code == 500
    assert "伺服器錯誤" in body and "Server error" in body
    assert "Traceback" not in body and "SECRET" not in body


def test_unhandled_error_off_loopback_shows_the_plain_page(settings, monkeypatch):
    """DEBUG off (as runserver sets it on 0.0.0.0): an exception gives templates/500.html, no settings."""
    from django.test import Client

    settings.DEBUG = False
    monkeypatch.setattr("web.views.common.LoginView.get", lambda self, request, *a, **kw: 1 / 0)
    response = Client(raise_request_exception=False).get("/accounts/login/")
    body = response.content.decode()
    assert response.status_code == 500
    assert "伺服器錯誤" in body and "Server error" in body
    assert "DJANGO_SETTINGS_MODULE" not in body and "Traceback" not in body


def _gunicorn_conf():
    spec = importlib.util.spec_from_file_location("lims_gunicorn_conf", ROOT / "gunicorn.conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    "bind,debug_forced_off",
    [
        (["0.0.0.0:8000"], True),
        (["127.0.0.1:8000"], False),
        (["unix:/run/lims.sock"], False),
        (["127.0.0.1:8000", "192.168.1.5:8000"], True),
    ],
)
def test_gunicorn_turns_debug_off_on_a_network_bind(monkeypatch, bind, debug_forced_off):
    conf = _gunicorn_conf()
    monkeypatch.delenv("LIMS_MODE", raising=False)
    monkeypatch.setenv("DJANGO_DEBUG", "1")
    server = SimpleNamespace(cfg=SimpleNamespace(bind=bind), log=SimpleNamespace(info=lambda *a: None))
    conf.on_starting(server)
    assert (os.environ["DJANGO_DEBUG"] == "0") is debug_forced_off


def test_gunicorn_conf_defaults_to_loopback():
    conf = _gunicorn_conf()
    assert conf.wsgi_app == "lims.wsgi:application"
    if "GUNICORN_BIND" not in os.environ:
        assert conf.bind == ["127.0.0.1:8000"]
