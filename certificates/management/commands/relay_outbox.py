from django.core.management.base import BaseCommand

from certificates.services import relay_outbox


class Command(BaseCommand):
    help = "Send render tasks the broker never received, and re-send renders whose worker died."

    def handle(self, **options):
        sent = relay_outbox()
        self.stdout.write(f"{len(sent)} document(s) sent to the broker.")
