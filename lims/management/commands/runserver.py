"""`manage.py runserver` that shows Django's debug pages only on loopback.

Debug pages list settings and code: on a server other machines can reach
(`make run HOST=0.0.0.0` for tablets) DEBUG is switched off before the
server starts, so an error shows the plain bilingual error page
(templates/500.html) instead. WhiteNoise keeps serving static files from the
source folders (settings.WHITENOISE_USE_FINDERS)."""

from django.conf import settings
from django.contrib.staticfiles.management.commands.runserver import Command as StaticfilesRunserver

from lims.hosts import is_loopback


class Command(StaticfilesRunserver):
    def inner_run(self, *args, **options):
        if settings.DEBUG and not is_loopback(self.addr):
            settings.DEBUG = False
            self.stdout.write(
                f"Listening on {self.addr}, not loopback: debug pages are off (errors show the plain error page)."
            )
        super().inner_run(*args, **options)
