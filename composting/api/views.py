"""Thin API views for composting batches (DOMAIN.md §9): validate, call a service or selector, answer."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, status, viewsets
from rest_framework import serializers as drf_serializers
from rest_framework.decorators import action, api_view, permission_classes
from rest_framework.exceptions import ErrorDetail, PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from lims import selectors as lims_selectors
from lims.messages import Message, gettext_noop
from lims.roles import READ_ALL, Role
from maturity.errors import InputError
from web.api.permissions import ALL_ROLES, RolePermission, roles
from web.api.views import HistoryMixin, ScopedQuerysetMixin

from .. import forecast, logger, messages, mix, selectors, services
from ..models import Batch, Material
from .serializers import (
    BatchSerializer,
    ForecastRequestSerializer,
    MixRequestSerializer,
    MoistureSerializer,
    ReadingsSerializer,
    SampleBatchSerializer,
    TurningSerializer,
    UploadSerializer,
)

WRITERS = (Role.MANUFACTURER, Role.TECHNICIAN, Role.LAB_ADMIN)


def _rejected(e):
    return Response(
        {
            "code": "logger_file_rejected",
            "detail": gettext("Nothing was stored."),
            "problems": e.total,
            "errors": e.errors,  # each reason a Message, read in the request's language by the renderer
        },
        status=status.HTTP_400_BAD_REQUEST,
    )


def evaluation_payload(batch):
    ev = selectors.evaluation(batch)
    return {
        "batch": batch.pk,
        "governing": [{"hour": h.isoformat(), "temperature_c": t} for h, t in ev["governing"]],
        "turnings": [t.isoformat() for t in ev["turnings"]],
        "criteria": ev["criteria"],
    }


class BatchViewSet(
    ScopedQuerysetMixin,
    HistoryMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Composting batches. Manufacturers see and write only their own; lab staff write any; regulators read."""

    serializer_class = BatchSerializer
    permission_classes = [RolePermission]
    read_roles = ALL_ROLES
    write_roles = WRITERS
    action_roles = {"history": READ_ALL, "evaluation": ALL_ROLES}
    filterset_fields = ["manufacturer", "method"]
    ordering_fields = ["started_on", "name", "created_at"]
    search_fields = ["name"]
    history_entity = "composting_batch"
    model = Batch

    def scoped_queryset(self, user):
        return selectors.batches_visible_to(user)

    def _owner_only(self, manufacturer):
        user = self.request.user
        if user.role == Role.MANUFACTURER and manufacturer.pk != user.manufacturer_id:
            message = gettext_noop("You may record batches only for your own organisation.")
            raise PermissionDenied(Message("own_organisation_only", message))

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("reason", None)
        user = self.request.user
        if "manufacturer" not in data:
            if user.role != Role.MANUFACTURER:
                raise ValidationError({"manufacturer": [Message("required", gettext_noop("This field is required."))]})
            data["manufacturer"] = user.manufacturer
        self._owner_only(data["manufacturer"])
        serializer.instance = services.batch_create(actor=user, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        reason = data.pop("reason", "")
        if "manufacturer" in data:
            self._owner_only(data["manufacturer"])
        serializer.instance = services.batch_update(
            actor=self.request.user, batch=serializer.instance, reason=reason, **data
        )

    @extend_schema(request=UploadSerializer, responses={201: dict, 400: dict})
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def upload(self, request, pk=None):
        """Upload a data-logger CSV (time, probe, temperature_c): every row is stored or none; 400 lists every
        problem by row, column, code and reason."""
        batch = self.get_object()
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError({"file": [ErrorDetail(gettext("No file was submitted."), code="required")]})
        if upload.size > logger.MAX_BYTES:
            return _rejected(
                logger.LoggerFileRejected(
                    [
                        {
                            "row": None,
                            "column": "file",
                            "code": "logger_file_too_large",
                            "reason": Message("logger_file_too_large", gettext_noop("the file is too large")),
                        }
                    ]
                )
            )
        try:
            n = services.readings_upload(actor=request.user, batch=batch, filename=upload.name, content=upload.read())
        except logger.LoggerFileRejected as e:
            return _rejected(e)
        return Response({"stored_readings": n}, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReadingsSerializer, responses={201: dict})
    @action(detail=True, methods=["post"], parser_classes=[JSONParser])
    def readings(self, request, pk=None):
        """Type in temperature readings [{at, probe, temperature_c}] (all or none)."""
        batch = self.get_object()
        body = ReadingsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        rows = [(r["at"], r["probe"], r["temperature_c"]) for r in body.validated_data["readings"]]
        try:
            n = services.readings_add(actor=request.user, batch=batch, rows=rows)
        except logger.LoggerFileRejected as e:
            return _rejected(e)
        return Response({"stored_readings": n}, status=status.HTTP_201_CREATED)

    @extend_schema(request=TurningSerializer, responses={201: TurningSerializer})
    @action(detail=True, methods=["post"])
    def turnings(self, request, pk=None):
        batch = self.get_object()
        body = TurningSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        t = services.turning_add(actor=request.user, batch=batch, **body.validated_data)
        return Response(TurningSerializer(t).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=MoistureSerializer, responses={201: MoistureSerializer})
    @action(detail=True, methods=["post"])
    def moisture(self, request, pk=None):
        batch = self.get_object()
        body = MoistureSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        m = services.moisture_add(actor=request.user, batch=batch, **body.validated_data)
        return Response(MoistureSerializer(m).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: dict})
    @action(detail=True, methods=["get"])
    def evaluation(self, request, pk=None):
        """The governing temperature per hour and every §9 criterion: met / not_shown / not_judged with the run
        (start, end, hours) that proves it."""
        return Response(evaluation_payload(self.get_object()))


@extend_schema(request=SampleBatchSerializer, responses={200: dict})
@api_view(["POST"])
@permission_classes(roles(write=WRITERS))
def sample_batch(request):
    """A sample names the batch it was taken from (``batch: null`` removes it)."""
    body = SampleBatchSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    sample = get_object_or_404(lims_selectors.samples_visible_to(request.user), pk=body.validated_data["sample"])
    batch = None
    if body.validated_data["batch"] is not None:
        batch = get_object_or_404(selectors.batches_visible_to(request.user), pk=body.validated_data["batch"])
    services.sample_link(actor=request.user, sample=sample, batch=batch, reason=body.validated_data.get("reason", ""))
    return Response({"sample": sample.pk, "batch": batch.pk if batch else None})


NO_VERIFIED_SAMPLE = Message("no_verified_sample", gettext_noop("No verified sample with this id."))


def resolve_materials(user, rows):
    """Library, sample or entered materials -> dicts for the pure designer; problems by field."""
    out, errors = [], {}
    for i, row in enumerate(rows):
        extra = {
            k: row[k] for k in ("min_share_pct", "max_share_pct", "cost_per_tonne", "preferred_share_pct") if k in row
        }
        if "material" in row:
            m = Material.objects.filter(pk=row["material"]).first()
            if m is None:
                errors[f"materials.{i}.material"] = [Message("no_such_material", gettext_noop("No such material."))]
                continue
            out.append(
                {
                    "name": m.name,
                    "carbon_pct": m.carbon_pct,
                    "nitrogen_pct": m.nitrogen_pct,
                    "moisture_pct": m.moisture_pct,
                    **extra,
                }
            )
        elif "sample" in row:
            s = selectors.verified_samples_visible_to(user).filter(pk=row["sample"]).first()
            if s is None:
                errors[f"materials.{i}.sample"] = [NO_VERIFIED_SAMPLE]
                continue
            values, missing = selectors.material_from_sample(s)
            if missing:
                message = gettext_noop("The sample has no result for %(names)s.")
                errors[f"materials.{i}.sample"] = [Message("sample_results_missing", message, names=missing)]
                continue
            out.append({**values, **extra})
        else:
            out.append(
                {
                    "name": row.get("name") or f"#{i + 1}",
                    "carbon_pct": row["carbon_pct"],
                    "nitrogen_pct": row["nitrogen_pct"],
                    "moisture_pct": row["moisture_pct"],
                    **extra,
                }
            )
    return out, errors


@extend_schema(request=MixRequestSerializer, responses={200: dict, 400: dict})
@api_view(["POST"])
@permission_classes(roles(write=ALL_ROLES))
def mix_design(request):
    """Mix designer (DOMAIN.md §10): dry and wet masses and the water to add (or the excess water) for a target C/N
    and moisture; two materials by the closed form, more (or with bounds, costs, preferences) by a linear programme.
    With ``batch`` the design is saved as that batch's recipe (audited)."""
    body = MixRequestSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    data = body.validated_data
    materials, errors = resolve_materials(request.user, data["materials"])
    batch = None
    if "batch" in data:
        if request.user.role not in WRITERS:
            message = gettext_noop("Your role may not change batches.")
            raise PermissionDenied(Message("role_may_not_change_batches", message))
        batch = selectors.batches_visible_to(request.user).filter(pk=data["batch"]).first()
        if batch is None:
            errors["batch"] = [Message("no_such_batch", gettext_noop("No such batch."))]
    if errors:
        raise ValidationError(errors)
    try:
        result = selectors.design_mix(materials, data["target_cn"], data["target_moisture_pct"], data["dry_total_kg"])
    except mix.MixError as e:
        raise InputError(messages.field_errors(e))
    if batch is not None:
        services.recipe_save(actor=request.user, batch=batch, design=result)
        result["saved_to_batch"] = batch.pk
    return Response(result)


@extend_schema(
    responses={
        200: inline_serializer(
            "CompostingMaterial",
            many=True,
            fields={
                "id": drf_serializers.IntegerField(),
                "name": drf_serializers.CharField(),
                "carbon_pct": drf_serializers.FloatField(),
                "nitrogen_pct": drf_serializers.FloatField(),
                "moisture_pct": drf_serializers.FloatField(),
                "source": drf_serializers.CharField(),
            },
        )
    }
)
@api_view(["GET"])
@permission_classes(roles())
def materials(request):
    """The mix designer's material library (ch. 6 table 1 and what the lab admin added)."""
    return Response(
        [
            {
                "id": m.pk,
                "name": m.name,
                "carbon_pct": m.carbon_pct,
                "nitrogen_pct": m.nitrogen_pct,
                "moisture_pct": m.moisture_pct,
                "source": m.source,
            }
            for m in Material.objects.all()
        ]
    )


@extend_schema(responses={200: dict})
@api_view(["GET"])
@permission_classes(roles())
def soil_data(request):
    """Soil groups with their upper backgrounds (ch. 15 table 4) and the monitoring / control standards."""
    return Response(
        {
            "soil_groups": list(selectors.soil_groups().values()),
            "thresholds": {
                "farmland": selectors.soil_thresholds("farmland"),
                "general": selectors.soil_thresholds("general"),
            },
        }
    )


@extend_schema(request=ForecastRequestSerializer, responses={200: dict, 400: dict})
@api_view(["POST"])
@permission_classes(roles(write=ALL_ROLES))
def soil_forecast(request):
    """Soil metal-loading forecast (DOMAIN.md §11) for a verified sample: per metal the yearly rise, years to the
    monitoring and control standards, the limiting metal and the largest sustainable rate. Stores nothing."""
    body = ForecastRequestSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    data = dict(body.validated_data)
    sample = selectors.verified_samples_visible_to(request.user).filter(pk=data.pop("sample")).first()
    if sample is None:
        raise ValidationError({"sample": [NO_VERIFIED_SAMPLE]})
    try:
        result, problems = selectors.soil_forecast(sample, **data)
    except forecast.ForecastError as e:
        raise InputError(messages.field_errors(e))
    if problems:
        raise InputError({f: [message] for f, message in problems.items()})
    return Response(result)
