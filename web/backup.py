"""Back up and restore the database and the media folder together.

``manage.py backup`` writes one folder (see :mod:`web.backup_manifest`):
PostgreSQL through ``pg_dump`` (custom format), SQLite through its online
backup API (a consistent copy while the app runs), then the media folder,
then the manifest of checksums. The database is copied first: a certificate
rendered meanwhile only adds a file the copy does not reference.

``manage.py restore`` checks the manifest, refuses a database or media folder
that is not empty (unless ``force``), restores both and then proves the
result: every document's file exists and its SHA-256 equals the one stored,
and the record counts equal those of the backup.
"""

import datetime
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from .backup_manifest import (
    archive_folder,
    extract_archive,
    folder_is_empty,
    read_manifest,
    sha256_file,
    write_manifest,
)

COUNTED = {  # manifest "counts": records a restore must bring back, all of them
    "documents": ("certificates", "Document"),
    "audit_entries": ("lims", "AuditEntry"),
    "samples": ("lims", "Sample"),
    "assays": ("maturity", "Assay"),
    "users": ("lims", "User"),
}


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


def _engine():
    engine = connection.settings_dict["ENGINE"]
    if engine.endswith("sqlite3"):
        return "sqlite"
    if engine.endswith("postgresql"):
        return "postgresql"
    raise BackupError(f"Backups support SQLite and PostgreSQL, not {engine}.")


def _pg(program):
    db = connection.settings_dict
    exe = shutil.which(program)
    if exe is None:
        raise BackupError(f"{program} is not installed (Debian: apt-get install postgresql-client).")
    args = [exe, "--no-owner", "--no-acl"]
    for flag, key in (("-h", "HOST"), ("-p", "PORT"), ("-U", "USER")):
        if db.get(key):
            args += [flag, str(db[key])]
    env = dict(os.environ, PGPASSWORD=str(db.get("PASSWORD") or ""))
    return args, env, db["NAME"]


def counts():
    from django.apps import apps

    return {name: apps.get_model(app, model).objects.count() for name, (app, model) in COUNTED.items()}


def documents_check():
    """Every rendered document's file against its stored SHA-256: -> {"checked", "missing", "mismatched"}."""
    from certificates.models import Document

    media = Path(settings.MEDIA_ROOT)
    missing, mismatched, checked = [], [], 0
    for number, name, digest in (
        Document.objects.exclude(pdf="").exclude(pdf__isnull=True).order_by("id").values_list("number", "pdf", "sha256")
    ):
        path = media / name
        checked += 1
        if not path.is_file():
            missing.append(number)
        elif sha256_file(path) != digest:
            mismatched.append(number)
    return {"checked": checked, "missing": missing, "mismatched": mismatched}


def _applied_migrations():
    latest = {}
    for app, name in MigrationRecorder.Migration.objects.values_list("app", "name").order_by("app", "name"):
        latest[app] = name
    return latest


def backup(output_dir) -> tuple[Path, dict]:
    """Write a backup folder under ``output_dir``; -> (folder, manifest)."""
    engine = _engine()
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%d-%H%M%S")
    folder = output_dir / f"lims-backup-{stamp}"
    partial = output_dir / f".partial-{stamp}-{os.getpid()}"
    partial.mkdir()
    try:
        before = counts()
        if engine == "sqlite":
            db_file = "database.sqlite3"
            source = sqlite3.connect(connection.settings_dict["NAME"])
            target = sqlite3.connect(partial / db_file)
            try:
                with target:
                    source.backup(target)
            finally:
                target.close()
                source.close()
        else:
            db_file = "database.pgdump"
            args, env, name = _pg("pg_dump")
            r = subprocess.run(
                [*args, "--format=custom", "--file", str(partial / db_file), name],
                env=env,
                capture_output=True,
                text=True,
            )
            if r.returncode:
                raise BackupError(f"pg_dump failed: {r.stderr.strip()}")
        media_files = archive_folder(Path(settings.MEDIA_ROOT), partial / "media.tar.gz")
        manifest = write_manifest(
            partial,
            {
                "created_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
                "engine": engine,
                "database": db_file,
                "media": "media.tar.gz",
                "media_files": media_files,
                "migrations": _applied_migrations(),
                "counts": before,
                "documents": documents_check(),
            },
        )
        partial.rename(folder)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return folder, manifest


def _database_is_empty():
    tables = set(connection.introspection.table_names())
    return MigrationRecorder.Migration._meta.db_table not in tables


def restore(folder, *, force=False) -> dict:
    """Restore a backup folder into the configured database and media folder; -> report.

    Raises BackupError before touching anything when the folder is damaged,
    of another engine, or the targets are not empty (without ``force``)."""
    folder = Path(folder)
    manifest, problems = read_manifest(folder)
    if problems:
        raise BackupError("The backup is damaged, nothing restored: " + "; ".join(problems))
    engine = _engine()
    if manifest["engine"] != engine:
        raise BackupError(f"The backup is of a {manifest['engine']} database; the configured database is {engine}.")
    media = Path(settings.MEDIA_ROOT)
    if not force:
        if not _database_is_empty():
            raise BackupError(
                "The database is not empty, nothing restored: restore into a new, empty database "
                "(or give --force to overwrite it)."
            )
        if not folder_is_empty(media):
            raise BackupError(
                f"The media folder {media} is not empty, nothing restored: restore into an empty "
                "folder (or give --force to overwrite it)."
            )

    db_file = folder / manifest["database"]
    connection.close()
    if engine == "sqlite":
        source = sqlite3.connect(db_file)
        target = sqlite3.connect(connection.settings_dict["NAME"])
        try:
            with target:
                source.backup(target)
        finally:
            target.close()
            source.close()
    else:
        args, env, name = _pg("pg_restore")
        cmd = [*args, "--single-transaction", "--exit-on-error", "-d", name]
        if force:
            cmd += ["--clean", "--if-exists"]
        r = subprocess.run([*cmd, str(db_file)], env=env, capture_output=True, text=True)
        if r.returncode:
            raise BackupError(f"pg_restore failed, the database is unchanged: {r.stderr.strip()}")
    if force and media.exists():
        shutil.rmtree(media)
    media_files = extract_archive(folder / manifest["media"], media)

    report = {
        "backup": folder.name,
        "created_at": manifest["created_at"],
        "media_files": media_files,
        "counts": counts(),
        "documents": documents_check(),
    }
    report["problems"] = restored_problems(manifest, report)
    return report


def restored_problems(manifest, report) -> list[str]:
    """What a restore lost: fewer records than backed up, a missing or changed document file."""
    problems = []
    for key, n in manifest.get("counts", {}).items():
        if report["counts"].get(key, 0) < n:
            problems.append(f"{key}: {report['counts'].get(key, 0)} restored, {n} in the backup")
    docs = report["documents"]
    if docs["missing"]:
        problems.append("document files missing: " + ", ".join(docs["missing"]))
    if docs["mismatched"]:
        problems.append("document files whose SHA-256 differs from the stored one: " + ", ".join(docs["mismatched"]))
    return problems
