from django.apps import AppConfig


class MaturityConfig(AppConfig):
    name = "maturity"
    verbose_name = "Maturity, assays and standards"

    def ready(self):
        from lims import audit

        from . import assays  # noqa: F401  registers the lifecycle guards and effects
        from .models import Category, Declaration, JurisdictionLimit, StandardEdition

        # standards data decide verdicts: every change, in /admin/ or by loading a file, is audited
        audit.track(
            StandardEdition,
            "standard_edition",
            ["code", "title", "issuing_body", "in_force", "source", "file_sha256", "used_in_judgement"],
        )
        audit.track(Category, "standard_category", ["edition", "key", "name_zh", "name_en"])
        audit.track(Declaration, "standard_declaration", ["edition", "category", "key", "text_zh", "text_en"])
        audit.track(
            JurisdictionLimit,
            "jurisdiction_limit",
            ["table", "jurisdiction", "jurisdiction_zh", "metal", "limit_low", "limit_high", "basis", "note"],
        )
        from . import judgements  # noqa: F401  stores judgements on verify, retest, product and default changes
