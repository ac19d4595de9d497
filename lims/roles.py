"""Roles of DOMAIN.md §1. One role per user; lab admins are also Django staff."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    TECHNICIAN = "technician", _("Technician")
    REVIEWER = "reviewer", _("Reviewer")
    MANUFACTURER = "manufacturer", _("Manufacturer")
    REGULATOR = "regulator", _("Regulator")
    LAB_ADMIN = "lab_admin", _("Lab admin")


LAB_STAFF = (Role.TECHNICIAN, Role.REVIEWER, Role.LAB_ADMIN)
READ_ALL = (Role.TECHNICIAN, Role.REVIEWER, Role.LAB_ADMIN, Role.REGULATOR)
