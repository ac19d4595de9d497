from django.apps import AppConfig


class LimsConfig(AppConfig):
    name = "lims"
    verbose_name = "LIMS"

    def ready(self):
        from . import checks  # noqa: F401  registers the deployment checks
