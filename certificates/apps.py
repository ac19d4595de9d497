from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured


class CertificatesConfig(AppConfig):
    name = "certificates"
    verbose_name = "Certificates and registration dossiers"

    def ready(self):
        # the Celery tasks (services send them by name) and, through the services, the lifecycle effects
        from . import tasks  # noqa: F401
        from .fonts import FontError, check_configured_fonts

        # A LIMS_CJK_FONT that cannot print the certificates stops the web app
        # and the workers at start-up instead of falling back silently.
        try:
            check_configured_fonts()
        except FontError as exc:
            raise ImproperlyConfigured(str(exc)) from exc
