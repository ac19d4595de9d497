from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from web.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Back up the database and the media folder together into one folder with a manifest of "
        "SHA-256 checksums (restore it with `manage.py restore FOLDER`)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            default=None,
            help="folder that receives the backup (default: $LIMS_VAR_DIR/backups); "
            "copy it to another machine afterwards",
        )

    def handle(self, output=None, **options):
        try:
            folder, manifest = backup(Path(output) if output else settings.VAR_DIR / "backups")
        except BackupError as e:
            raise CommandError(str(e))
        docs = manifest["documents"]
        self.stdout.write(f"Backup written: {folder}")
        self.stdout.write(
            f"  database ({manifest['engine']}) {manifest['files'][manifest['database']]['bytes']} "
            f"bytes, media {manifest['media_files']} files; "
            + ", ".join(f"{k} {v}" for k, v in manifest["counts"].items())
        )
        if docs["missing"] or docs["mismatched"]:
            self.stderr.write(
                self.style.WARNING(
                    f"  The live media folder is damaged: missing {docs['missing']}, SHA-256 differs "
                    f"{docs['mismatched']}. The backup holds them as they are now."
                )
            )
