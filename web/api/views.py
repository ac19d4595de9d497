"""Thin API views: validate with a serializer, call a service, answer."""

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.db import connection
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.decorators import action, api_view, permission_classes
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle

from lims import lockout, selectors, services
from lims.health import worker_state
from lims.lifecycle import TransitionError
from lims.messages import Message, gettext_noop
from lims.models import Manufacturer, Product, Sample, WorkerHeartbeat
from lims.net import client_ip
from lims.roles import LAB_STAFF, READ_ALL, Role

from .filters import AuditFilter, ProductFilter, SampleFilter
from .parsers import DEFAULT_PARSERS
from .permissions import ALL_ROLES, RolePermission, roles
from .serializers import (
    AuditEntrySerializer,
    HealthSerializer,
    LockoutLiftSerializer,
    LockoutSerializer,
    ManufacturerSerializer,
    ProductSerializer,
    SampleDetailSerializer,
    SampleSerializer,
    TransitionRequestSerializer,
)


class ScopedQuerysetMixin:
    """Querysets come from the selectors for the requesting user; the schema
    generator (no user) gets an empty queryset of the right model."""

    model = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.model.objects.none()
        return self.scoped_queryset(self.request.user)


class LoginThrottle(AnonRateThrottle):
    """Token-login attempts per client address; proxy headers count only from LIMS_TRUSTED_PROXIES."""

    scope = "login"

    def get_ident(self, request):
        return client_ip(request) or "unknown"


class TokenView(ObtainAuthToken):
    """POST username and password, get {"token": ...}.

    Throttled per client address, and the account is locked after repeated failures
    (django-axes, the same lock as the web login): 429 with Retry-After."""

    throttle_classes = [LoginThrottle]
    parser_classes = DEFAULT_PARSERS  # DRF's view names its own; ours refuse nesting and NUL with a 400

    @extend_schema(responses={200: dict, 400: dict, 429: dict})
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        try:
            serializer.is_valid(raise_exception=True)
        except ValidationError:
            # axes marks the request it was given (this DRF request) when the account is or becomes locked
            if getattr(request, "axes_locked_out", False):
                data = request.data if isinstance(request.data, dict) else {}
                credentials = getattr(request, "axes_credentials", None) or {"username": data.get("username")}
                return lockout.lockout_response(request._request, credentials=credentials)
            raise
        user = serializer.validated_data["user"]
        # a log-in like the web's: last_login, axes' access log, and the failure count starts again
        user_logged_in.send(sender=user.__class__, request=request._request, user=user)
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


class ManufacturerViewSet(
    ScopedQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ManufacturerSerializer
    permission_classes = [RolePermission]
    read_roles = ALL_ROLES
    write_roles = (Role.LAB_ADMIN,)
    search_fields = ["name"]
    ordering_fields = ["name", "created_at"]

    model = Manufacturer

    def scoped_queryset(self, user):
        return selectors.manufacturers_visible_to(user)


class HistoryMixin:
    history_entity = None

    @extend_schema(responses=AuditEntrySerializer(many=True))
    @action(detail=True, methods=["get"], url_path="history")
    def history(self, request, pk=None):
        obj = self.get_object()
        entries = selectors.history_of(self.history_entity, obj.pk)
        page = self.paginate_queryset(entries)
        return self.get_paginated_response(AuditEntrySerializer(page, many=True).data)


class ProductViewSet(
    ScopedQuerysetMixin,
    HistoryMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ProductSerializer
    permission_classes = [RolePermission]
    read_roles = ALL_ROLES
    write_roles = (Role.MANUFACTURER, Role.LAB_ADMIN)
    action_roles = {"history": READ_ALL}
    filterset_class = ProductFilter
    ordering_fields = ["name", "created_at"]
    history_entity = "product"

    model = Product

    def scoped_queryset(self, user):
        return selectors.products_visible_to(user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("reason", None)
        if self.request.user.role == Role.MANUFACTURER and data["manufacturer"].pk != self.request.user.manufacturer_id:
            message = gettext_noop("You may register products only for your own organisation.")
            raise PermissionDenied(Message("own_organisation_only", message))
        serializer.instance = services.product_create(actor=self.request.user, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        reason = data.pop("reason", "")
        if (
            self.request.user.role == Role.MANUFACTURER
            and "manufacturer" in data
            and data["manufacturer"].pk != self.request.user.manufacturer_id
        ):
            message = gettext_noop("You may not move a product to another organisation.")
            raise PermissionDenied(Message("own_organisation_only", message))
        serializer.instance = services.product_update(
            actor=self.request.user, product=serializer.instance, reason=reason, **data
        )


class SampleViewSet(
    ScopedQuerysetMixin,
    HistoryMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [RolePermission]
    read_roles = ALL_ROLES
    write_roles = (Role.TECHNICIAN, Role.MANUFACTURER, Role.LAB_ADMIN)
    action_roles = {"history": READ_ALL, "transitions": (Role.TECHNICIAN, Role.REVIEWER, Role.LAB_ADMIN)}
    filterset_class = SampleFilter
    ordering_fields = ["code", "created_at", "received_on", "sampled_on", "status"]
    history_entity = "sample"

    model = Sample

    def scoped_queryset(self, user):
        return selectors.samples_visible_to(user).prefetch_related("transitions__actor")

    def get_serializer_class(self):
        return SampleDetailSerializer if self.action == "retrieve" else SampleSerializer

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("reason", None)
        serializer.instance = services.sample_create(actor=self.request.user, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        reason = data.pop("reason", "")
        serializer.instance = services.sample_update(
            actor=self.request.user, sample=serializer.instance, reason=reason, **data
        )

    @extend_schema(request=TransitionRequestSerializer, responses=SampleDetailSerializer)
    @action(detail=True, methods=["post"])
    def transitions(self, request, pk=None):
        """Move the sample through its lifecycle: receive, reject, start_testing, submit, verify, retest.

        Illegal transitions answer 409 with a message; reject and retest need a reason. ``receive``
        takes ``condition``, the sample's condition on receipt (printed on the certificate). A retest
        takes ``assays`` (ids) and/or ``parameters`` (keys) to retest only those; the other verified
        assays stay verified. Without them every verified assay is retested."""
        sample = self.get_object()
        body = TransitionRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if body.validated_data["action"] == "certify":
            message = gettext_noop("A sample is certified by issuing its certificate (POST /api/v1/certificates/).")
            raise TransitionError(Message("certify_by_certificate", message))
        data = dict(body.validated_data)
        if data["action"] == "retest":
            from maturity.assays import sample_retest

            sample = sample_retest(
                actor=request.user,
                sample=sample,
                reason=data["reason"],
                assays=data.get("assays"),
                parameters=data.get("parameters"),
            )
        else:
            sample = services.sample_transition(
                actor=request.user,
                sample=sample,
                action=data["action"],
                reason=data["reason"],
                condition=data.get("condition", ""),
            )
        sample = self.get_queryset().get(pk=sample.pk)
        return Response(SampleDetailSerializer(sample, context={"request": request}).data)


class AuditViewSet(viewsets.ReadOnlyModelViewSet):
    """The full audit history, filterable by entity, record, sample, manufacturer, actor and time."""

    serializer_class = AuditEntrySerializer
    permission_classes = [RolePermission]
    read_roles = READ_ALL
    filterset_class = AuditFilter

    def get_queryset(self):
        from lims.models import AuditEntry

        return AuditEntry.objects.select_related("actor").all()


@extend_schema(responses={200: HealthSerializer})
@api_view(["GET"])
@permission_classes([AllowAny])
def health(request):
    """Database reachable; whether a worker consumed the scheduled heartbeat lately ("worker": ok, stopped or
    never_seen; "status": ok or degraded). No data of the lab is exposed."""
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
    last = WorkerHeartbeat.objects.order_by("-at").values_list("at", flat=True).first()
    now = timezone.now()
    worker = worker_state(last, now, settings.LIMS_WORKER_STALE_SECONDS)
    return Response(
        {
            "status": "ok" if worker == "ok" else "degraded",
            "database": "ok",
            "worker": worker,
            "time": now,
            "last_worker_heartbeat": last,
        },
        status=status.HTTP_200_OK,
    )


@extend_schema(responses={200: dict})
@api_view(["GET"])
def me(request):
    u = request.user
    return Response(
        {
            "username": u.username,
            "name": u.display_name,
            "role": u.role,
            "manufacturer": u.manufacturer_id,
            "is_lab_staff": u.role in LAB_STAFF,
        }
    )


@extend_schema(responses=LockoutSerializer(many=True))
@api_view(["GET"])
@permission_classes(roles(read=(Role.LAB_ADMIN,)))
def lockouts(request):
    """Accounts locked after repeated failed logins (lab admins): failures, addresses, until when."""
    return Response(LockoutSerializer(lockout.lockouts(), many=True).data)


@extend_schema(request=LockoutLiftSerializer, responses={200: dict})
@api_view(["POST"])
@permission_classes(roles(read=(), write=(Role.LAB_ADMIN,)))
def lockout_lift(request):
    """Lift an account's lockout, with a reason (audited)."""
    body = LockoutLiftSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    lifted = lockout.lift(actor=request.user, **body.validated_data)
    return Response({"username": body.validated_data["username"], "lifted": lifted})
