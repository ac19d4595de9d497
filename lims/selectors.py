"""Selectors: every read that depends on who is asking goes through here.

Object-level isolation lives in one place: a manufacturer user sees only its
own organisation's rows, by list, by id and by any filter, because every
queryset the API and pages use starts from these functions.
"""

from .models import AuditEntry, Manufacturer, Product, Sample
from .roles import Role


def manufacturers_visible_to(user):
    qs = Manufacturer.objects.all()
    if user.role == Role.MANUFACTURER:
        return qs.filter(pk=user.manufacturer_id)
    return qs


def products_visible_to(user):
    qs = Product.objects.select_related("manufacturer")
    if user.role == Role.MANUFACTURER:
        return qs.filter(manufacturer_id=user.manufacturer_id)
    return qs


def samples_visible_to(user):
    qs = Sample.objects.select_related("product__manufacturer", "created_by")
    if user.role == Role.MANUFACTURER:
        return qs.filter(product__manufacturer_id=user.manufacturer_id)
    return qs


def history_of(entity, entity_id):
    return AuditEntry.objects.filter(entity=entity, entity_id=entity_id).select_related("actor")


def sample_timeline(sample):
    """Everything that happened to a sample and its results, oldest first."""
    return AuditEntry.objects.filter(sample=sample).select_related("actor")
