from rest_framework import serializers

from lims.messages import Message, gettext_noop
from maturity.calculations import FLAG_MESSAGES, METHODS
from maturity.models import Assay
from web.api.fields import CheckedJSONField


class AssaySerializer(serializers.ModelSerializer):
    results = serializers.SerializerMethodField()
    measurements = serializers.JSONField(source="results", read_only=True)
    flag_messages = serializers.SerializerMethodField()
    entered_by = serializers.CharField(source="entered_by.username", read_only=True)
    verified_by = serializers.CharField(source="verified_by.username", read_only=True, default=None, allow_null=True)
    photo = serializers.ImageField(read_only=True)

    class Meta:
        model = Assay
        fields = [
            "id",
            "sample",
            "method",
            "data",
            "results",
            "measurements",
            "flags",
            "flag_messages",
            "valid",
            "details",
            "status",
            "entered_by",
            "entered_at",
            "verified_by",
            "verified_at",
            "invalidation_reason",
            "source",
            "photo",
            "policy",
        ]

    def get_results(self, obj) -> dict:
        """{parameter: value}: the figures as reported (see `measurements` for unit, basis, qualifier, U)."""
        return {k: v["value"] for k, v in obj.results.items()}

    def get_flag_messages(self, obj) -> list:
        return [FLAG_MESSAGES.get(f, f) for f in obj.flags]


class AssayCreateSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=METHODS)
    data = CheckedJSONField(help_text="Raw data of the method; in a multipart upload, a JSON string.")
    photo = serializers.ImageField(required=False, help_text="Chromatogram photo (multipart upload).")

    def validate_data(self, value):
        if not isinstance(value, dict):
            message = gettext_noop("must be a JSON object with the raw data of the method")
            raise serializers.ValidationError(Message("raw_data_not_object", message))
        return value


class AssayCorrectSerializer(serializers.Serializer):
    data = CheckedJSONField()
    reason = serializers.CharField()


class ImportSerializer(serializers.Serializer):
    file = serializers.FileField()
