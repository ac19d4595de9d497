"""Backups restore with every certificate intact (issue 19 item 2): back up a
database with certificates, restore it into an empty database and media
folder, and prove every document's file has its stored SHA-256, the audit
history is complete and the verification pages answer as before. Runs on
SQLite, and on PostgreSQL when the suite runs there (pg_dump, pg_restore)."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tests.conftest import is_postgres, require_service
from web.backup import BackupError, restore
from web.demo_results import enter_example_results, verify_sample

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parent.parent


def database_url(name):
    db = connection.settings_dict
    if not is_postgres():
        return f"sqlite:///{name}"
    auth = quote(db["USER"] or "postgres") + (f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def run_app(args, database, media, tmp_path):
    """manage.py / python in a separate process on ``database`` and ``media`` (as an operator would)."""
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="lims.settings",
        DATABASE_URL=database_url(database),
        LIMS_MEDIA_ROOT=str(media),
        LIMS_VAR_DIR=str(tmp_path / "var"),
        PYTHONPATH=str(ROOT),
    )
    for k in ("LIMS_TEST_DATABASE_NAME", "LIMS_MODE", "DJANGO_ALLOWED_HOSTS"):
        env.pop(k, None)
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def snapshot(database, media, tmp_path):
    r = run_app(["tests/backup_snapshot.py"], database, media, tmp_path)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


@pytest.fixture
def certified(settings, tmp_path, client_for, product_a, make_sample, users):
    """Three certificates (one superseded, one revoked) and their PDFs in a media folder of this test."""
    settings.MEDIA_ROOT = tmp_path / "media"
    reviewer = client_for("reviewer")
    docs = []
    for lot in ("LOT-B1", "LOT-B2"):
        s = make_sample(product_a, "received", lot)
        enter_example_results(s, users["technician"])
        verify_sample(s, users["technician"], users["reviewer"])
        r = reviewer.post("/api/v1/certificates/", {"sample": s.pk}, format="json")
        assert r.status_code == 202, r.content
        docs.append((s, r.json()))
    s, first = docs[0]
    assert (
        reviewer.post(
            f"/api/v1/samples/{s.pk}/transitions/", {"action": "retest", "reason": "Cu re-digested"}, format="json"
        ).status_code
        == 200
    )
    enter_example_results(s, users["technician"])
    verify_sample(s, users["technician"], users["reviewer2"])
    assert (
        reviewer.post(
            f"/api/v1/certificates/{first['id']}/supersede/", {"reason": "retest of Cu"}, format="json"
        ).status_code
        == 202
    )
    assert (
        reviewer.post(
            f"/api/v1/certificates/{docs[1][1]['id']}/revoke/", {"reason": "wrong lot"}, format="json"
        ).status_code
        == 200
    )
    return settings.MEDIA_ROOT


@pytest.fixture
def empty_database(tmp_path):
    if is_postgres():
        require_service(shutil.which("pg_dump") and shutil.which("pg_restore"), "pg_dump/pg_restore not installed")
        name = f"{connection.settings_dict['NAME']}_restored_{os.getpid()}"
        with connection.cursor() as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            c.execute(f'CREATE DATABASE "{name}"')
        yield name
        with connection.cursor() as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        yield str(tmp_path / "restored.sqlite3")


def test_backup_restores_into_an_empty_database_and_media_folder(certified, empty_database, tmp_path):
    before = snapshot(connection.settings_dict["NAME"], certified, tmp_path)
    assert len(before["documents"]) == 3 and before["audit"]
    assert {d["validity"] for d in before["documents"].values()} == {"valid", "superseded", "revoked"}
    for number, d in before["documents"].items():
        assert d["file_sha256"] == d["stored_sha256"] and d["upload_identical"], number

    call_command("backup", output=str(tmp_path / "backups"))
    (folder,) = (tmp_path / "backups").iterdir()
    manifest = json.loads((folder / "manifest.json").read_text())
    assert set(manifest["files"]) == {manifest["database"], "media.tar.gz"}
    assert manifest["counts"]["documents"] == 3 and manifest["documents"]["checked"] == 3

    media = tmp_path / "restored-media"
    r = run_app(["manage.py", "restore", str(folder)], empty_database, media, tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Every document's file matches its stored SHA-256" in r.stdout

    after = snapshot(empty_database, media, tmp_path)
    assert after == before  # same documents, hashes, files, verification pages, the whole audit history

    # restoring again over it is refused without --force, and nothing changes
    r = run_app(["manage.py", "restore", str(folder)], empty_database, media, tmp_path)
    assert r.returncode != 0 and "not empty" in r.stderr
    assert snapshot(empty_database, media, tmp_path) == before


def test_restore_refuses_a_damaged_backup_and_a_non_empty_database(certified, tmp_path):
    call_command("backup", output=str(tmp_path / "backups"))
    (folder,) = (tmp_path / "backups").iterdir()
    with pytest.raises(BackupError, match="database is not empty"):
        restore(folder)
    archive = folder / "media.tar.gz"
    archive.write_bytes(archive.read_bytes()[:-10] + b"0123456789")
    with pytest.raises(CommandError, match="damaged, nothing restored: media.tar.gz: SHA-256 differs"):
        call_command("restore", str(folder), force=True)


def test_backup_reports_a_damaged_live_media_folder(certified, tmp_path, capsys):
    from certificates.models import Document

    doc = Document.objects.exclude(pdf="").first()
    (certified / doc.pdf.name).write_bytes(b"%PDF-1.4 tampered")
    call_command("backup", output=str(tmp_path / "backups"))
    assert doc.number in capsys.readouterr().err
