from django.core.management.base import BaseCommand

from lims.demo import DEMO_USERS, load_demo
from maturity.services import load_bundled_standards


class Command(BaseCommand):
    help = "Load the standards and the demo data (one user per role). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--password", help="password for every demo user (default: a generated one, printed)")

    def handle(self, password=None, **options):
        codes, n = load_bundled_standards()
        self.stdout.write(f"Standards: {', '.join(codes)}; {n} jurisdiction limits (1999 table).")
        creds = load_demo(password)
        self.stdout.write("Demo users (username / password / role):")
        for username, role, *_ in DEMO_USERS:
            self.stdout.write(f"  {username:<13} {creds[username]:<20} {role.value} ({role.label})")
