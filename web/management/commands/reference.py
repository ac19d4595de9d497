from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from web.reference import import_template, reference_markdown

DOCS = Path(settings.BASE_DIR) / "docs"


class Command(BaseCommand):
    help = (
        "Write docs/REFERENCE.md (transition actions, assay methods and raw fields with units, parameters, "
        "import columns) and docs/import_template.csv from the code; --check only compares."
    )

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="fail if the committed files differ from the code")

    def handle(self, check=False, **options):
        files = {DOCS / "REFERENCE.md": reference_markdown(), DOCS / "import_template.csv": import_template()}
        if check:
            stale = [p.name for p, text in files.items() if not p.exists() or p.read_text(encoding="utf-8") != text]
            if stale:
                raise CommandError(f"{', '.join(stale)} differ from the code: run `python manage.py reference`.")
            self.stdout.write("docs/REFERENCE.md and docs/import_template.csv match the code.")
            return
        DOCS.mkdir(exist_ok=True)
        for path, text in files.items():
            path.write_text(text, encoding="utf-8")
            self.stdout.write(f"wrote {path.relative_to(settings.BASE_DIR)}")
