from django.core.management.base import BaseCommand, CommandError

from lims.messages import english
from maturity.errors import InputError
from maturity.services import edition_load, load_bundled_standards


class Command(BaseCommand):
    help = "Load a standards edition from its YAML manifest (or, with no path, the bundled editions)."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="edition manifest (.yaml) with its requirements CSV")
        parser.add_argument(
            "--replace", action="store_true", help="replace an edition of the same code that no judgement has used yet"
        )

    def handle(self, path=None, replace=False, **options):
        try:
            if path is None:
                codes, n = load_bundled_standards()
                self.stdout.write(f"Standards loaded: {', '.join(codes)}; {n} jurisdiction limits.")
                return
            obj, created = edition_load(path, replace=replace)
        except InputError as e:
            # the command speaks English (its other lines are English), whatever language a caller left active
            problems = "; ".join(f"{k}: {' '.join(map(str, english(v)))}" for k, v in e.errors.items())
            raise CommandError("Nothing loaded. " + problems)
        self.stdout.write(
            f"Edition {obj.code} {'loaded' if created else 'already loaded (same file)'}: "
            f"{obj.requirements.count()} requirements, {obj.categories.count()} categories."
        )
