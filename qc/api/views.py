"""Thin API views of the QC app. Technicians run worksheets, reviewers release them, lab admins keep
the registry, limits and templates, regulators read every QC record; manufacturers see none of it."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action, api_view, permission_classes
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from lims import audit
from lims import selectors as lims_selectors
from lims.roles import READ_ALL, Role
from qc import selectors, services
from qc.chart_svg import control_chart_svg
from qc.models import ControlChart, QcLimits, ReferenceMaterial, Worksheet, WorksheetTemplate
from web.api.permissions import RolePermission, roles

from . import serializers as s

RUN = (Role.TECHNICIAN, Role.LAB_ADMIN)
ADMIN = (Role.LAB_ADMIN,)


class ReferenceMaterialViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The registry of certified and in-house reference materials (lab admins keep it)."""

    permission_classes = [RolePermission]
    read_roles, write_roles = READ_ALL, ADMIN
    serializer_class = s.ReferenceMaterialSerializer
    queryset = ReferenceMaterial.objects.all()
    filterset_fields = ["parameter", "kind"]
    ordering_fields = ["code", "expires_on"]

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("reason", None)
        serializer.instance = services.reference_material_save(actor=self.request.user, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        reason = data.pop("reason", "")
        serializer.instance = services.reference_material_save(
            actor=self.request.user, instance=serializer.instance, reason=reason, **data
        )


class WorksheetTemplateViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Worksheet templates kept by the lab admin (e.g. germination: 10 samples + blank + duplicate)."""

    permission_classes = [RolePermission]
    read_roles, write_roles = (Role.TECHNICIAN, Role.REVIEWER, Role.LAB_ADMIN), ADMIN
    serializer_class = s.WorksheetTemplateSerializer
    queryset = WorksheetTemplate.objects.all()

    def perform_create(self, serializer):
        obj = serializer.save()
        audit.record(
            entity="worksheet_template",
            obj=obj,
            action="create",
            actor=self.request.user,
            changes=audit.diff({}, serializer.data),
        )


class QcLimitsViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """QC policy and QC-derived figures per method × parameter: RPD limit, spike range, LOD/LOQ, and U
    (Nordtest) with the figures behind it. POST sets the lab's policy (lab admin, reason required)."""

    permission_classes = [RolePermission]
    read_roles, write_roles = READ_ALL, ADMIN
    serializer_class = s.QcLimitsSerializer
    queryset = QcLimits.objects.all()
    filterset_fields = ["method", "parameter"]

    @extend_schema(request=s.QcLimitsSetSerializer, responses=s.QcLimitsSerializer)
    def create(self, request):
        body = s.QcLimitsSetSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        obj = services.limits_set(actor=request.user, **body.validated_data)
        return Response(s.QcLimitsSerializer(obj).data, status=status.HTTP_201_CREATED)


class ControlChartViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Control charts per method × parameter × reference material, with their points and Westgard rules."""

    permission_classes = [RolePermission]
    read_roles, write_roles = READ_ALL, ADMIN
    action_roles = {"set_limits": ADMIN}
    queryset = ControlChart.objects.select_related("reference_material")
    filterset_fields = ["method", "parameter", "reference_material"]

    def get_serializer_class(self):
        return s.ControlChartDetailSerializer if self.action == "retrieve" else s.ControlChartSerializer

    @extend_schema(responses={(200, "image/svg+xml"): OpenApiResponse(description="the chart as SVG")})
    @action(detail=True, methods=["get"])
    def svg(self, request, pk=None):
        chart = self.get_object()
        points = list(chart.points.order_by("at", "id"))
        body = control_chart_svg(
            [p.value for p in points], chart.centre, chart.s, [p.violations for p in points], title=str(chart)
        )
        return HttpResponse(body, content_type="image/svg+xml")

    @extend_schema(request=s.ChartSetSerializer, responses=s.ControlChartSerializer)
    @action(detail=True, methods=["post"], url_path="set")
    def set_limits(self, request, pk=None):
        body = s.ChartSetSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        chart = services.chart_set(actor=request.user, chart=self.get_object(), **body.validated_data)
        return Response(s.ControlChartSerializer(chart).data)


ENTRY_EXAMPLES = [
    OpenApiExample(
        "germination: 2 samples + water control (blank) + duplicate of position 1",
        value={
            "entries": {
                "1": {"sample": [{"sown": 25, "germinated": 23, "mean_root_length_mm": 31.5}] * 3},
                "2": {"sample": [{"sown": 25, "germinated": 21, "mean_root_length_mm": 27.0}] * 3},
                "3": {
                    "protocol": "tari_cabbage",
                    "control": [{"sown": 25, "germinated": 24, "mean_root_length_mm": 33.0}] * 3,
                },
                "4": {"sample": [{"sown": 25, "germinated": 22, "mean_root_length_mm": 30.5}] * 3},
            }
        },
        request_only=True,
    ),
    OpenApiExample(
        "organic_carbon_wet_oxidation: a 0.250 g sample, the reagent blank at position 2",
        value={
            "entries": {
                "1": {"sample_mass_g": 0.25, "ferrous_normality": 0.5, "titrant_ml": 18.4},
                "2": {"titrant_ml": 39.6},
            }
        },
        request_only=True,
    ),
    OpenApiExample(
        "total_nitrogen_kjeldahl, each position with its own blank volume",
        value={
            "entries": {
                "1": {"sample_mass_g": 0.5, "acid_normality": 0.1, "titrant_ml": 7.35, "blank_ml": 0.15},
                "2": {"sample_mass_g": 0.5, "acid_normality": 0.1, "titrant_ml": 0.16, "blank_ml": 0.15},
            }
        },
        request_only=True,
    ),
    OpenApiExample(
        "direct: analyser values",
        value={
            "entries": {
                "1": {"values": {"total_nitrogen_pct": {"value": 1.5, "unit": "%", "basis": "dry"}}},
                "2": {"values": {"total_nitrogen_pct": {"value": 0.02, "qualifier": "<"}}},
            }
        },
        request_only=True,
    ),
    OpenApiExample(
        "the grid's cells (any method): column -> text",
        value={
            "entries": {
                "1": {"cells": {"dish1.sown": "25", "dish1.germinated": "23", "dish1.mean_root_length_mm": "31.5"}},
                "2": {"cells": {"protocol": "tari_cabbage", "dish1.sown": "25", "dish1.germinated": "24"}},
            }
        },
        request_only=True,
    ),
]


class WorksheetViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Worksheets: create (samples + QC items, or a template), preview and enter the whole grid at once,
    submit (blocked by a control-chart reject), release (reviewer, reason required)."""

    permission_classes = [RolePermission]
    read_roles, write_roles = READ_ALL, RUN
    action_roles = {"release": (Role.REVIEWER, Role.LAB_ADMIN)}
    queryset = Worksheet.objects.select_related("created_by", "released_by")
    filterset_fields = ["status", "method"]
    ordering_fields = ["created_at", "status"]

    def get_queryset(self):
        qs = super().get_queryset()
        if self.action != "list":
            qs = qs.prefetch_related("positions__sample", "positions__of_position", "positions__reference_material")
        return qs

    def get_serializer_class(self):
        return s.WorksheetSerializer if self.action == "list" else s.WorksheetDetailSerializer

    def _detail(self, ws, code=status.HTTP_200_OK):
        return Response(s.WorksheetDetailSerializer(self.get_queryset().get(pk=ws.pk)).data, status=code)

    @extend_schema(request=s.WorksheetCreateSerializer, responses={201: s.WorksheetDetailSerializer})
    def create(self, request):
        body = s.WorksheetCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        ids = body.validated_data["samples"]
        found = {x.pk: x for x in lims_selectors.samples_visible_to(request.user).filter(pk__in=ids)}
        missing = [i for i in ids if i not in found]
        if missing:
            message = gettext("Unknown sample id(s): %(ids)s.") % {"ids": ", ".join(map(str, missing))}
            raise ValidationError({"samples": [ErrorDetail(message, code="unknown_sample")]})
        ws = services.worksheet_create(
            actor=request.user,
            method=body.validated_data.get("method") or "",
            samples=[found[i] for i in ids],
            template=body.validated_data.get("template"),
            qc_items=body.validated_data.get("qc_items", []),
        )
        return self._detail(ws, status.HTTP_201_CREATED)

    @extend_schema(
        request=s.EntriesSerializer,
        examples=ENTRY_EXAMPLES,
        responses={
            200: OpenApiResponse(
                description="{position: {kind, results, errors, judgements, from_blank}}; nothing is saved. "
                "errors are keyed by raw-data path (e.g. sample.0.germinated, titrant_ml); from_blank names the "
                "fields a position took from the worksheet's blank"
            )
        },
    )
    @action(detail=True, methods=["post"])
    def preview(self, request, pk=None):
        body = s.EntriesSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return Response(services.worksheet_evaluate(self.get_object(), body.validated_data["entries"]))

    @extend_schema(
        request=s.EntriesSerializer,
        examples=ENTRY_EXAMPLES,
        responses={
            200: s.WorksheetDetailSerializer,
            400: OpenApiResponse(
                description="nothing saved: {positions.<number>.<raw-data path>: [messages]} for every problem"
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def enter(self, request, pk=None):
        body = s.EntriesSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        ws = services.worksheet_enter(
            actor=request.user, worksheet=self.get_object(), entries=body.validated_data["entries"]
        )
        return self._detail(ws)

    @extend_schema(
        request={
            "multipart/form-data": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}
        },
        responses=s.WorksheetDetailSerializer,
    )
    @action(detail=True, methods=["post"], url_path="import", parser_classes=[MultiPartParser, FormParser])
    def import_file(self, request, pk=None):
        """An instrument file (CSV/XLSX) whose sample_code names each position by its bench-sheet label
        (sample code, or WS-<id>-<position> for QC items): all positions or nothing. Method direct: the
        columns of /imports/ (one row per value). Every other method: one row per position, the other
        columns named as the method's raw fields (the grid's columns, e.g. sample_mass_g, titrant_ml;
        germination protocol, dish1.sown … dish3.mean_root_length_mm). 400: {detail, errors: [{row,
        column, reason}]}."""
        from maturity.importing import ImportRejected

        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError({"file": [ErrorDetail(gettext("No file was submitted."), code="required")]})
        try:
            ws = services.worksheet_import(
                actor=request.user, worksheet=self.get_object(), filename=upload.name, content=upload.read()
            )
        except ImportRejected as e:
            return Response(
                {"code": "import_rejected", "detail": gettext("Nothing was imported."), "errors": e.errors},
                status=status.HTTP_400_BAD_REQUEST,
            )
        return self._detail(ws)

    @extend_schema(responses={(200, "application/pdf"): OpenApiResponse(description="the bench sheet")})
    @action(detail=True, methods=["get"], url_path="bench-sheet")
    def bench_sheet(self, request, pk=None):
        """The bench sheet (PDF): positions, codes with barcodes, blank cells for the results."""
        from certificates.bench_sheet import render_bench_sheet

        ws = self.get_object()
        response = HttpResponse(render_bench_sheet(selectors.bench_sheet_context(ws)), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="WS-{ws.pk}.pdf"'
        return response

    @extend_schema(request=None, responses=s.WorksheetDetailSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._detail(services.worksheet_submit(actor=request.user, worksheet=self.get_object()))

    @extend_schema(request=s.WorksheetReleaseSerializer, responses=s.WorksheetDetailSerializer)
    @action(detail=True, methods=["post"])
    def release(self, request, pk=None):
        body = s.WorksheetReleaseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._detail(
            services.worksheet_release(
                actor=request.user, worksheet=self.get_object(), reason=body.validated_data["reason"]
            )
        )


@extend_schema(responses={200: OpenApiResponse(description="the sample's worksheets with their QC judgements")})
@api_view(["GET"])
@permission_classes(roles(read=READ_ALL))
def sample_qc(request, sample_id):
    """The QC record of a sample: each worksheet it was on, its QC items and their judgements."""
    sample = get_object_or_404(lims_selectors.samples_visible_to(request.user), pk=sample_id)
    return Response(selectors.sample_qc_record(sample))
