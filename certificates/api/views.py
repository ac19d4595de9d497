from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from certificates import selectors, services
from certificates.models import Document
from certificates.services import RENDER_NAMES
from lims.roles import Role
from web.api.permissions import ALL_ROLES, RolePermission

from .serializers import (
    BatchRequestSerializer,
    CertificateRequestSerializer,
    DocumentSerializer,
    ReasonSerializer,
    RegistrationRequestSerializer,
    ReissueSerializer,
)


class DocumentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = DocumentSerializer
    permission_classes = [RolePermission]
    read_roles = ALL_ROLES
    kind = None
    filterset_fields = ["status", "validity", "sample", "product", "batch", "supersession_due"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Document.objects.none()
        return selectors.documents_visible_to(self.request.user).filter(kind=self.kind)

    def _answer(self, doc, code=status.HTTP_202_ACCEPTED):
        doc = self.get_queryset().get(pk=doc.pk)
        return Response(DocumentSerializer(doc, context={"request": self.request}).data, status=code)

    @extend_schema(responses={(200, "application/pdf"): bytes})
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        """The PDF: for the owning manufacturer, lab staff and regulators."""
        doc = self.get_object()
        if doc.status != "ready":
            return Response(
                {
                    "code": "document_not_ready",
                    "detail": gettext("%(number)s is %(status)s; try again when it is ready.")
                    % {"number": doc.number, "status": gettext(RENDER_NAMES.get(doc.status, doc.status))},
                },
                status=status.HTTP_409_CONFLICT,
            )
        return FileResponse(
            doc.pdf.open("rb"), as_attachment=True, filename=f"{doc.number}.pdf", content_type="application/pdf"
        )

    @extend_schema(request=ReasonSerializer, responses=DocumentSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        doc = services.document_revoke(actor=request.user, document=self.get_object(), **body.validated_data)
        return self._answer(doc, status.HTTP_200_OK)


class CertificateViewSet(DocumentViewSet):
    """Compliance certificates: request (202, rendered by a worker), status, download, supersede, revoke."""

    kind = Document.KIND_CERTIFICATE
    write_roles = (Role.REVIEWER,)

    @extend_schema(request=CertificateRequestSerializer, responses={202: DocumentSerializer})
    def create(self, request):
        body = CertificateRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        from lims.selectors import samples_visible_to

        sample = get_object_or_404(samples_visible_to(request.user), pk=body.validated_data["sample"].pk)
        doc = services.certificate_request(
            actor=request.user,
            sample=sample,
            decision_rule=body.validated_data.get("decision_rule"),
            standard=body.validated_data.get("standard"),
            issue_anyway_reason=body.validated_data["issue_anyway_reason"],
            rule_set=body.validated_data.get("rule_set"),
        )
        return self._answer(doc)

    @extend_schema(request=ReissueSerializer, responses={202: DocumentSerializer})
    @action(detail=True, methods=["post"])
    def supersede(self, request, pk=None):
        """Issue a new version for the (re-verified) sample; this one becomes superseded."""
        body = ReissueSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        doc = services.certificate_supersede(actor=request.user, document=self.get_object(), **body.validated_data)
        return self._answer(doc)

    @extend_schema(request=ReissueSerializer, responses={202: DocumentSerializer})
    @action(detail=True, methods=["post"])
    def reissue(self, request, pk=None):
        """Re-issue a revoked certificate as a new version from the sample's verified results (no retest)."""
        body = ReissueSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        doc = services.certificate_reissue(actor=request.user, document=self.get_object(), **body.validated_data)
        return self._answer(doc)

    @extend_schema(request=BatchRequestSerializer, responses={202: dict})
    @action(detail=False, methods=["post"])
    def batch(self, request):
        """Issue certificates for many verified samples; poll GET /certificates/batches/{id}/."""
        body = BatchRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        batch = services.certificates_batch_request(
            actor=request.user,
            samples=body.validated_data["samples"],
            decision_rule=body.validated_data.get("decision_rule"),
            standard=body.validated_data.get("standard"),
            issue_anyway_reason=body.validated_data["issue_anyway_reason"],
            rule_set=body.validated_data.get("rule_set"),
        )
        return Response(selectors.batch_progress(batch), status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses=dict)
    @action(detail=False, methods=["get"], url_path=r"batches/(?P<batch_id>\d+)")
    def batch_status(self, request, batch_id=None):
        batch = get_object_or_404(selectors.batches_visible_to(request.user), pk=batch_id)
        return Response(selectors.batch_progress(batch))


class RegistrationViewSet(DocumentViewSet):
    """Registration dossiers (肥料登記檢驗資料) for a product, from its verified samples."""

    kind = Document.KIND_REGISTRATION
    write_roles = (Role.MANUFACTURER, Role.REVIEWER, Role.LAB_ADMIN)
    action_roles = {"revoke": (Role.REVIEWER,), "sign": (Role.REVIEWER,)}

    @extend_schema(request=RegistrationRequestSerializer, responses={202: DocumentSerializer})
    def create(self, request):
        """Request a dossier: checked against the registration rules, stored `awaiting_signature`."""
        body = RegistrationRequestSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        doc = services.dossier_request(actor=request.user, **body.validated_data)
        return self._answer(doc)

    @extend_schema(request=None, responses={202: DocumentSerializer})
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        """A reviewer signs the dossier (name, title, signature, date); it is then rendered and downloadable."""
        doc = services.dossier_sign(actor=request.user, document=self.get_object())
        return self._answer(doc)
