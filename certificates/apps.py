from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "certificates"
    verbose_name = "Certificates and registration dossiers"

    def ready(self):
        from . import services  # noqa: F401  registers the lifecycle effects
