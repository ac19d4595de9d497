from django.apps import AppConfig


class MaturityConfig(AppConfig):
    name = "maturity"
    verbose_name = "Maturity, assays and standards"

    def ready(self):
        from . import assays  # noqa: F401  registers the lifecycle guards and effects
        from . import judgements  # noqa: F401  stores judgements on verify, retest, product and default changes
