from django.core.management.base import BaseCommand, CommandError

from web.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a backup folder written by `manage.py backup` into the configured (empty) database "
        "and media folder, then check every document's SHA-256 and the record counts."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", help="the backup folder (lims-backup-YYYYMMDD-HHMMSS)")
        parser.add_argument(
            "--force", action="store_true", help="overwrite a database and media folder that are not empty"
        )

    def handle(self, folder, force=False, **options):
        try:
            report = restore(folder, force=force)
        except BackupError as e:
            raise CommandError(str(e))
        docs = report["documents"]
        self.stdout.write(
            f"Restored {report['backup']} (taken {report['created_at']}): "
            + ", ".join(f"{k} {v}" for k, v in report["counts"].items())
            + f"; {report['media_files']} media files; {docs['checked']} document files checked."
        )
        if report["problems"]:
            raise CommandError("The restore is incomplete: " + "; ".join(report["problems"]))
        self.stdout.write("Every document's file matches its stored SHA-256; every record is back.")
