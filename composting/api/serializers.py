import math

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from lims.models import Manufacturer

from ..models import Batch, MoistureReading, TemperatureReading, Turning


class FiniteFloatField(serializers.FloatField):
    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not math.isfinite(value):
            raise serializers.ValidationError(_("Enter a finite number."), code="number_not_finite")
        return value


def IdField(**kwargs):  # noqa: N802  (a field factory, used like a field class)
    """A record id: a whole number the database can hold (an out-of-range id is a 400, not a database error)."""
    return serializers.IntegerField(min_value=0, max_value=2**63 - 1, **kwargs)


class BatchSerializer(serializers.ModelSerializer):
    manufacturer = serializers.PrimaryKeyRelatedField(queryset=Manufacturer.objects.all(), required=False)
    manufacturer_name = serializers.CharField(source="manufacturer.name", read_only=True)
    reason = serializers.CharField(write_only=True, required=False, allow_blank=True)

    class Meta:
        model = Batch
        fields = [
            "id",
            "manufacturer",
            "manufacturer_name",
            "name",
            "method",
            "started_on",
            "ended_on",
            "recipe",
            "created_at",
            "reason",
        ]
        read_only_fields = ["created_at"]

    def validate(self, attrs):
        start = attrs.get("started_on", getattr(self.instance, "started_on", None))
        end = attrs.get("ended_on", getattr(self.instance, "ended_on", None))
        if start and end and end < start:
            raise serializers.ValidationError(
                {"ended_on": [_("The end date is before the start date.")]}, code="batch_end_before_start"
            )
        if not isinstance(attrs.get("recipe", {}), dict):
            raise serializers.ValidationError({"recipe": [_("The recipe must be an object.")]})
        return attrs


class ReadingSerializer(serializers.ModelSerializer):
    temperature_c = FiniteFloatField(min_value=-30, max_value=100)

    class Meta:
        model = TemperatureReading
        fields = ["at", "probe", "temperature_c"]


class ReadingsSerializer(serializers.Serializer):
    readings = ReadingSerializer(many=True, allow_empty=False)


class TurningSerializer(serializers.ModelSerializer):
    class Meta:
        model = Turning
        fields = ["id", "at", "note"]


class MoistureSerializer(serializers.ModelSerializer):
    moisture_pct = FiniteFloatField(min_value=0, max_value=100)

    class Meta:
        model = MoistureReading
        fields = ["id", "at", "moisture_pct"]


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV with the columns time, probe, temperature_c")


class SampleBatchSerializer(serializers.Serializer):
    sample = IdField()
    batch = IdField(allow_null=True)
    reason = serializers.CharField(required=False, allow_blank=True)


class MixMaterialSerializer(serializers.Serializer):
    """One material: from the library (``material``), from a verified sample (``sample``) or entered."""

    material = IdField(required=False, help_text="id of a library material")
    sample = IdField(required=False, help_text="id of a verified sample (C, N and moisture)")
    name = serializers.CharField(required=False, max_length=100)
    carbon_pct = FiniteFloatField(required=False, min_value=0, max_value=100)
    nitrogen_pct = FiniteFloatField(required=False, min_value=0, max_value=100)
    moisture_pct = FiniteFloatField(required=False, min_value=0, max_value=99.99)
    min_share_pct = FiniteFloatField(required=False, min_value=0, max_value=100, default=0)
    max_share_pct = FiniteFloatField(required=False, min_value=0, max_value=100, default=100)
    cost_per_tonne = FiniteFloatField(required=False, min_value=0, allow_null=True, default=None)
    preferred_share_pct = FiniteFloatField(required=False, min_value=0, max_value=100, allow_null=True, default=None)

    def validate(self, attrs):
        if "material" not in attrs and "sample" not in attrs:
            missing = {
                k: [_("This field is required.")]
                for k in ("carbon_pct", "nitrogen_pct", "moisture_pct")
                if k not in attrs
            }
            if missing:
                raise serializers.ValidationError(missing)
        return attrs


class MixRequestSerializer(serializers.Serializer):
    materials = MixMaterialSerializer(many=True, allow_empty=False)
    target_cn = FiniteFloatField(default=30, min_value=0.01)
    target_moisture_pct = FiniteFloatField(default=65, min_value=0.01, max_value=99.99)
    dry_total_kg = FiniteFloatField(default=100, min_value=0.001)
    batch = IdField(required=False, help_text="save the design as this batch's recipe")


class ForecastRequestSerializer(serializers.Serializer):
    sample = IdField()
    rate_t_ha = FiniteFloatField(min_value=0, help_text="application rate, t/ha/yr as received")
    horizon_years = FiniteFloatField(default=100, min_value=0.01, max_value=1000)
    land_use = serializers.ChoiceField(choices=["farmland", "general"], default="farmland")
    soil_group = serializers.CharField(required=False, default="total")
    start = serializers.DictField(
        child=FiniteFloatField(min_value=0),
        required=False,
        help_text="measured soil concentrations {metal: mg/kg}; wins over soil_group",
    )
    depth_cm = FiniteFloatField(default=15, min_value=0.01, max_value=200)
    bulk_density = FiniteFloatField(default=1.2, min_value=0.01, max_value=3)
    moisture_pct = FiniteFloatField(
        required=False, min_value=0, max_value=99.99, help_text="overrides the sample's moisture result"
    )
