"""Thin API views of chromatogram photo readings: read a photo, decide (accept or correct), overlay, statistics."""

from django.http import FileResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view, parser_classes, permission_classes
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from lims.roles import Role
from maturity import chromatogram_services as services
from maturity import selectors
from maturity.calculations import CHROMATOGRAM_PROTOCOLS, CHROMATOGRAM_ZONES
from maturity.models import ChromatogramReading
from web.api.permissions import roles

from .views import ENTRY, _sample

LAB = (Role.TECHNICIAN, Role.REVIEWER, Role.LAB_ADMIN, Role.REGULATOR)


class ReadingSerializer(serializers.ModelSerializer):
    zones_proposed = serializers.JSONField(source="proposal.zones", read_only=True)
    confidence = serializers.JSONField(source="proposal.confidence", read_only=True)
    overall_confidence = serializers.FloatField(source="proposal.overall_confidence", read_only=True)
    measures = serializers.SerializerMethodField()
    overlay_url = serializers.SerializerMethodField()
    created_by = serializers.CharField(source="created_by.username", read_only=True)
    decided_by = serializers.CharField(source="decided_by.username", read_only=True, default=None)

    class Meta:
        model = ChromatogramReading
        fields = [
            "id",
            "sample",
            "protocol",
            "photo",
            "zones_proposed",
            "confidence",
            "overall_confidence",
            "measures",
            "overlay_url",
            "decision",
            "decided_zones",
            "center_corrected",
            "middle_band_corrected",
            "edge_corrected",
            "assay",
            "created_by",
            "created_at",
            "decided_by",
            "decided_at",
        ]

    def get_measures(self, obj) -> dict:
        return {k: v for k, v in obj.proposal.get("measures", {}).items() if not k.startswith("_")}

    def get_overlay_url(self, obj) -> str:
        return f"/api/v1/samples/{obj.sample_id}/chromatogram-readings/{obj.pk}/overlay/"


class ReadSerializer(serializers.Serializer):
    photo = serializers.ImageField(help_text="Photo of the filter-paper chromatogram (multipart upload).")
    protocol = serializers.ChoiceField(choices=CHROMATOGRAM_PROTOCOLS, default="tari_agno3")


class DecisionSerializer(serializers.Serializer):
    center = serializers.ChoiceField(choices=CHROMATOGRAM_ZONES["center"], required=False)
    middle_band = serializers.ChoiceField(choices=CHROMATOGRAM_ZONES["middle_band"], required=False)
    edge = serializers.ChoiceField(choices=CHROMATOGRAM_ZONES["edge"], required=False)
    reason = serializers.CharField(required=False, allow_blank=True, help_text="required when correcting")


@extend_schema(
    methods=["GET"], operation_id="samples_chromatogram_readings_list", responses=ReadingSerializer(many=True)
)
@extend_schema(methods=["POST"], request={"multipart/form-data": ReadSerializer}, responses={201: ReadingSerializer})
@api_view(["GET", "POST"])
@permission_classes(roles(LAB, ENTRY))
@parser_classes([MultiPartParser, FormParser])
def sample_readings(request, sample_id):
    """Read a chromatogram photo: the proposal of zone descriptors with a confidence, or 400
    ``{"photo": ["Could not find a chromatogram in this picture: …"]}`` (nothing stored)."""
    sample = _sample(request, sample_id, results=True)
    if request.method == "GET":
        return Response(ReadingSerializer(selectors.chromatogram_readings(sample), many=True).data)
    body = ReadSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    reading = services.chromatogram_read(actor=request.user, sample=sample, **body.validated_data)
    return Response(ReadingSerializer(reading).data, status=status.HTTP_201_CREATED)


@extend_schema(request=DecisionSerializer, responses={201: ReadingSerializer})
@api_view(["POST"])
@permission_classes(roles(LAB, ENTRY))
@parser_classes([JSONParser, FormParser])
def reading_decision(request, sample_id, reading_id):
    """Accept the proposal (no zones, or the proposed ones) or correct zones (reason required); enters the
    chromatogram assay with the photo."""
    sample = _sample(request, sample_id, results=True)
    reading = get_object_or_404(ChromatogramReading, pk=reading_id, sample=sample)
    body = DecisionSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    data = dict(body.validated_data)
    reason = data.pop("reason", "")
    reading = services.chromatogram_decide(actor=request.user, reading=reading, zones=data, reason=reason)
    return Response(ReadingSerializer(reading).data, status=status.HTTP_201_CREATED)


@extend_schema(responses={(200, "image/png"): bytes})
@api_view(["GET"])
@permission_classes(roles(LAB, ()))
def reading_overlay(request, sample_id, reading_id):
    """The photo with the zones found drawn on it (PNG)."""
    sample = _sample(request, sample_id, results=True)
    reading = get_object_or_404(ChromatogramReading, pk=reading_id, sample=sample)
    return FileResponse(reading.overlay.open("rb"), content_type="image/png")


@extend_schema(responses={200: dict})
@api_view(["GET"])
@permission_classes(roles(LAB, ()))
def reading_statistics(request):
    """How often the photo analysis was right: readings, decided, accepted, corrected (per zone)."""
    return Response(selectors.chromatogram_reading_statistics())
