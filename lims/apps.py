from django.apps import AppConfig


class LimsConfig(AppConfig):
    name = "lims"
    verbose_name = "LIMS"

    def ready(self):
        from django.utils.translation import get_language, gettext

        from . import messages

        messages.set_translator(gettext, get_language)  # a Message reads in the active language from now on

        from . import (
            audit,
            checks,  # noqa: F401  registers the deployment checks
        )
        from .models import LabSettings, Manufacturer, User

        # what can change a verdict or an access is audited however it is changed (API, /admin/, shell)
        audit.track(LabSettings, "lab_settings", [f.name for f in LabSettings._meta.fields if f.name != "id"])
        audit.track(
            Manufacturer,
            "manufacturer",
            ["name", "registration_no", "address", "contact_email"],
            manufacturer_attr="pk",
        )
        audit.track(
            User,
            "user",
            [
                "username",
                "first_name",
                "last_name",
                "email",
                "role",
                "manufacturer",
                "is_active",
                "is_staff",
                "is_superuser",
            ],
            secret=["password"],
            manufacturer_attr="manufacturer_id",
        )

        # login lockouts (django-axes): each lockout and each lift
        from axes.models import AccessAttempt
        from axes.signals import user_locked_out
        from django.db.models.signals import post_delete

        from . import lockout

        user_locked_out.connect(lockout.on_locked_out, dispatch_uid="audit-lockout")
        post_delete.connect(lockout.on_attempt_deleted, sender=AccessAttempt, dispatch_uid="audit-lockout-lift")
