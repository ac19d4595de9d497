from django.core.management.base import BaseCommand

from maturity.services import load_bundled_standards
from web.demo import DEMO_USERS, load_demo


class Command(BaseCommand):
    help = "Load the standards and the demo data (one user per role). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            help="reset every demo user's password to this one (default: new demo "
            "users get a generated password, printed; existing ones keep theirs)",
        )

    def handle(self, password=None, **options):
        codes, n = load_bundled_standards()
        self.stdout.write(f"Standards: {', '.join(codes)}; {n} jurisdiction limits (1999 table).")
        creds = load_demo(password)
        self.stdout.write("Demo users (username / password / role):")
        for username, role, *_ in DEMO_USERS:
            shown = creds[username] or "(unchanged)"
            self.stdout.write(f"  {username:<13} {shown:<20} {role.value} ({role.label})")
        if not all(creds.values()):
            self.stdout.write(
                "  (unchanged) = the password set before; `make run DEMO_PASSWORD=...` or "
                "`load_demo --password ...` resets every demo user's password."
            )
