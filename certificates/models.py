from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def document_path(instance, filename):
    return f"documents/{instance.number[3:7]}/{filename}"


class IssueBatch(models.Model):
    """A batch of certificates requested together; its progress is polled."""

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    total = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("batch of certificates")
        verbose_name_plural = _("batches of certificates")


class Document(models.Model):
    """A compliance certificate (CQ-) or a registration dossier (RG-).

    The content is frozen as a JSON snapshot when the document is requested
    (inside the transaction that assigns its gap-free number); the Celery task
    renders the PDF from that snapshot only, so rendering twice gives the same
    bytes, the same SHA-256 and one file."""

    KIND_CERTIFICATE, KIND_REGISTRATION = "certificate", "registration"
    KINDS = [(KIND_CERTIFICATE, _("compliance certificate")), (KIND_REGISTRATION, _("registration dossier"))]
    PREFIX = {KIND_CERTIFICATE: "CQ", KIND_REGISTRATION: "RG"}
    RENDER_STATES = [("queued", _("Queued")), ("rendering", _("Rendering")), ("ready", _("Ready")),
                     ("failed", _("Failed"))]
    VALIDITY = [("valid", _("Valid")), ("superseded", _("Superseded")), ("revoked", _("Revoked"))]

    kind = models.CharField(_("document"), max_length=20, choices=KINDS)
    number = models.CharField(_("number"), max_length=20, unique=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    sample = models.ForeignKey("lims.Sample", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="certificates")
    product = models.ForeignKey("lims.Product", on_delete=models.PROTECT, related_name="documents",
                                verbose_name=_("product"))
    samples = models.ManyToManyField("lims.Sample", blank=True, related_name="dossiers")
    declared = models.JSONField(default=dict, blank=True)
    supersedes = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="superseded_by")
    batch = models.ForeignKey(IssueBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="documents")

    context = models.JSONField(default=dict)          # the frozen content the PDF is rendered from
    status = models.CharField(_("PDF"), max_length=20, choices=RENDER_STATES, default="queued", db_index=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    dispatched_at = models.DateTimeField(null=True, blank=True,
                                         help_text="When the render task reached the broker (outbox).")
    lease_until = models.DateTimeField(null=True, blank=True,
                                       help_text="A render in progress; past this, a relay may hand it out again.")
    pdf = models.FileField(upload_to=document_path, null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    rendered_at = models.DateTimeField(null=True, blank=True)

    validity = models.CharField(_("validity"), max_length=20, choices=VALIDITY, default="valid", db_index=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("issued by"))
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)
    revocation_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("certificate or dossier")
        verbose_name_plural = _("certificates and dossiers")

    def __str__(self):
        return self.number

    @property
    def manufacturer_id(self):
        return self.product.manufacturer_id
