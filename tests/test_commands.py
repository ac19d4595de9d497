import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_load_demo_is_idempotent_and_sets_passwords(capsys):
    from django.contrib.auth import authenticate

    from lims.models import Manufacturer, Product, Sample, User

    call_command("load_demo", password="s3cret-demo-pw")
    counts = (User.objects.count(), Manufacturer.objects.count(), Product.objects.count(), Sample.objects.count())
    call_command("load_demo", password="s3cret-demo-pw")
    assert counts == (
        User.objects.count(),
        Manufacturer.objects.count(),
        Product.objects.count(),
        Sample.objects.count(),
    )
    assert counts[0] == 5 and counts[1] == 1 and counts[2] == 2 and counts[3] >= 4
    for name in ["labadmin", "technician", "reviewer", "manufacturer", "regulator"]:
        assert authenticate(username=name, password="s3cret-demo-pw") is not None, name
    statuses = set(Sample.objects.values_list("status", flat=True))
    assert len(statuses) >= 3, statuses
    assert User.objects.get(username="manufacturer").manufacturer is not None
    assert User.objects.get(username="labadmin").is_staff


@pytest.mark.django_db
def test_load_demo_generates_and_prints_a_password(capsys):
    call_command("load_demo")
    out = capsys.readouterr().out
    line = next(l for l in out.splitlines() if l.strip().startswith("regulator"))
    password = line.split()[1]
    from django.contrib.auth import authenticate

    assert authenticate(username="regulator", password=password)


def test_production_settings_pass_check_deploy(tmp_path):
    env = dict(
        os.environ,
        LIMS_MODE="production",
        DJANGO_SECRET_KEY="x" * 20 + "-Zq9!kL2@pR7#vN4$wT6^yB8&" * 2,
        DJANGO_ALLOWED_HOSTS="lims.example.org",
        DJANGO_SETTINGS_MODULE="lims.settings",
        LIMS_VAR_DIR=str(tmp_path),
        LIMS_PUBLIC_URL="https://lims.example.org",
    )
    # as gunicorn.conf.py does on start; without it check --deploy warns (lims.W002)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    r = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stdout + r.stderr


def test_production_refuses_to_start_without_secret_key(tmp_path):
    env = dict(
        os.environ,
        LIMS_MODE="production",
        DJANGO_ALLOWED_HOSTS="x",
        DJANGO_SETTINGS_MODULE="lims.settings",
        LIMS_VAR_DIR=str(tmp_path),
    )
    env.pop("DJANGO_SECRET_KEY", None)
    r = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert r.returncode != 0 and "DJANGO_SECRET_KEY" in r.stderr


@pytest.mark.django_db
def test_load_demo_again_keeps_passwords_unless_one_is_given(capsys):
    from django.contrib.auth import authenticate

    from lims.models import User

    call_command("load_demo")
    first = capsys.readouterr().out
    admin_pw = next(line.split()[1] for line in first.splitlines() if line.strip().startswith("labadmin"))
    admin = User.objects.get(username="labadmin")
    admin.set_password("changed-by-the-lab-admin")
    admin.save()
    call_command("load_demo")  # `make run` again
    out = capsys.readouterr().out
    assert "(unchanged)" in out and admin_pw not in out
    assert authenticate(username="labadmin", password="changed-by-the-lab-admin")
    call_command("load_demo", password="reset-all-demo-pw")  # `make run DEMO_PASSWORD=...`
    for name in ["labadmin", "technician", "reviewer", "manufacturer", "regulator"]:
        assert authenticate(username=name, password="reset-all-demo-pw"), name
