"""Serializer fields shared by the API."""

from django.conf import settings
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from .parsers import check_json, too_deep_message


class CheckedJSONField(serializers.JSONField):
    """A JSON field that, also when its value arrives as a JSON string (multipart forms), refuses
    nesting past LIMS_MAX_JSON_DEPTH and NUL characters with a 400 naming the field."""

    def to_internal_value(self, data):
        try:
            value = super().to_internal_value(data)
        except RecursionError:
            raise ValidationError(too_deep_message(settings.LIMS_MAX_JSON_DEPTH))
        try:
            return check_json(value)
        except ValidationError as e:
            detail = e.detail if isinstance(e.detail, dict) else {}
            raise ValidationError(
                [f"{k}: {m}" if k != "non_field_errors" else str(m) for k, msgs in detail.items() for m in msgs]
            )
