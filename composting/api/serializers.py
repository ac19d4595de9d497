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


class BatchSerializer(serializers.ModelSerializer):
    manufacturer = serializers.PrimaryKeyRelatedField(queryset=Manufacturer.objects.all(), required=False)
    manufacturer_name = serializers.CharField(source="manufacturer.name", read_only=True)
    reason = serializers.CharField(write_only=True, required=False, allow_blank=True)

    class Meta:
        model = Batch
        fields = ["id", "manufacturer", "manufacturer_name", "name", "method", "started_on", "ended_on", "recipe",
                  "created_at", "reason"]
        read_only_fields = ["created_at"]

    def validate(self, attrs):
        start = attrs.get("started_on", getattr(self.instance, "started_on", None))
        end = attrs.get("ended_on", getattr(self.instance, "ended_on", None))
        if start and end and end < start:
            raise serializers.ValidationError({"ended_on": [_("The end date is before the start date.")]},
                                              code="batch_end_before_start")
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
    sample = serializers.IntegerField()
    batch = serializers.IntegerField(allow_null=True)
    reason = serializers.CharField(required=False, allow_blank=True)
