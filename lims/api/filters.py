import django_filters

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


class AuditFilter(django_filters.FilterSet):
    actor = django_filters.CharFilter(field_name="actor__username")
    after = django_filters.IsoDateTimeFilter(field_name="at", lookup_expr="gte")
    before = django_filters.IsoDateTimeFilter(field_name="at", lookup_expr="lte")

    class Meta:
        model = AuditEntry
        fields = ["entity", "entity_id", "sample", "manufacturer", "action"]
