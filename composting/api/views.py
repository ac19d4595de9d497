"""Thin API views for composting batches (DOMAIN.md §9): validate, call a service or selector, answer."""
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action, api_view, permission_classes
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from lims import selectors as lims_selectors
from lims.api.permissions import ALL_ROLES, RolePermission, roles
from lims.api.views import HistoryMixin, ScopedQuerysetMixin
from lims.roles import READ_ALL, Role

from .. import logger, selectors, services
from ..models import Batch
from .serializers import (BatchSerializer, MoistureSerializer, ReadingsSerializer, SampleBatchSerializer,
                          TurningSerializer, UploadSerializer)

WRITERS = (Role.MANUFACTURER, Role.TECHNICIAN, Role.LAB_ADMIN)


def _rejected(e):
    return Response({"code": "logger_file_rejected", "detail": "Nothing was stored.", "problems": e.total,
                     "errors": e.errors}, status=status.HTTP_400_BAD_REQUEST)


def evaluation_payload(batch):
    ev = selectors.evaluation(batch)
    return {"batch": batch.pk, "governing": [{"hour": h.isoformat(), "temperature_c": t} for h, t in ev["governing"]],
            "turnings": [t.isoformat() for t in ev["turnings"]], "criteria": ev["criteria"]}


class BatchViewSet(ScopedQuerysetMixin, HistoryMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                   mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):
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
            raise PermissionDenied("You may record batches only for your own organisation.")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("reason", None)
        user = self.request.user
        if "manufacturer" not in data:
            if user.role != Role.MANUFACTURER:
                from rest_framework.exceptions import ValidationError
                raise ValidationError({"manufacturer": ["This field is required."]})
            data["manufacturer"] = user.manufacturer
        self._owner_only(data["manufacturer"])
        serializer.instance = services.batch_create(actor=user, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        reason = data.pop("reason", "")
        if "manufacturer" in data:
            self._owner_only(data["manufacturer"])
        serializer.instance = services.batch_update(actor=self.request.user, batch=serializer.instance,
                                                    reason=reason, **data)

    @extend_schema(request=UploadSerializer, responses={201: dict, 400: dict})
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def upload(self, request, pk=None):
        """Upload a data-logger CSV (time, probe, temperature_c): every row is stored or none; 400 lists every
        problem by row, column, code and reason."""
        batch = self.get_object()
        upload = request.FILES.get("file")
        if upload is None:
            return Response({"file": ["No file was submitted."]}, status=status.HTTP_400_BAD_REQUEST)
        if upload.size > logger.MAX_BYTES:
            return _rejected(logger.LoggerFileRejected([{"row": None, "column": "file", "code": "logger_file_too_large",
                                                         "reason": "the file is too large"}]))
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
