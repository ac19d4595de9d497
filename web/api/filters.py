import datetime

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from lims.models import AuditEntry, Product, Sample


class ProductFilter(django_filters.FilterSet):
    category = django_filters.CharFilter()
    name = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Product
        fields = ["manufacturer", "category", "bagasse_based", "name"]


class SampleFilter(django_filters.FilterSet):
    manufacturer = django_filters.NumberFilter(field_name="product__manufacturer_id")
    category = django_filters.CharFilter(field_name="product__category")
    status = django_filters.MultipleChoiceFilter(choices=Sample.Status.choices)
    code = django_filters.CharFilter(lookup_expr="icontains")
    sampled_after = django_filters.DateFilter(field_name="sampled_on", lookup_expr="gte")
    sampled_before = django_filters.DateFilter(field_name="sampled_on", lookup_expr="lte")
    received_after = django_filters.DateFilter(field_name="received_on", lookup_expr="gte")
    received_before = django_filters.DateFilter(field_name="received_on", lookup_expr="lte")

    class Meta:
        model = Sample
        fields = ["product", "status", "lot_number"]


class UtcIsoDateTimeField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 date-time, turned to UTC here: PostgreSQL refuses an offset beyond ±15:59 or a time before
    year 1 (a DataError, a 500 before this); such input answers 400."""

    def clean(self, value):
        value = super().clean(value)
        if value is None:
            return None
        try:
            return value.astimezone(datetime.timezone.utc) if value.tzinfo else value
        except OverflowError:
            raise forms.ValidationError(_("Enter a date and time between the years 1 and 9999."))


class UtcIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField


class AuditFilter(django_filters.FilterSet):
    actor = django_filters.CharFilter(field_name="actor__username")
    after = UtcIsoDateTimeFilter(field_name="at", lookup_expr="gte")
    before = UtcIsoDateTimeFilter(field_name="at", lookup_expr="lte")

    class Meta:
        model = AuditEntry
        fields = ["entity", "entity_id", "sample", "manufacturer", "action"]
