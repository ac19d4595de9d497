from django.conf import settings
from django.db import models


def document_path(instance, filename):
    return f"documents/{instance.number[3:7]}/{filename}"


class IssueBatch(models.Model):
    """A batch of certificates requested together; its progress is polled.

    The request only checks and reserves the samples (``BatchItem``) and answers;
    a worker issues the certificates (numbers, frozen content) — an outbox:
    ``dispatched_at`` empty until the issue task reached the broker."""

    STATES = [("pending", "pending"), ("issued", "issued"), ("failed", "failed")]

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    total = models.PositiveIntegerField()
    decision_rule = models.CharField(max_length=20, blank=True)
    standard = models.CharField(max_length=50, blank=True)
    status = models.CharField(max_length=20, choices=STATES, default="pending", db_index=True)
    error = models.TextField(blank=True)
    dispatched_at = models.DateTimeField(null=True, blank=True,
                                         help_text="When the issue task reached the broker (outbox).")
    issued_at = models.DateTimeField(null=True, blank=True)


class BatchItem(models.Model):
    """One sample of a batch, in the order requested; reserved (``open``) until the batch is issued, so no
    other request certifies it meanwhile."""

    batch = models.ForeignKey(IssueBatch, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField()
    sample = models.ForeignKey("lims.Sample", on_delete=models.PROTECT, related_name="+")
    open = models.BooleanField(default=True)
    document = models.OneToOneField("Document", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["batch", "position"]
        constraints = [models.UniqueConstraint(fields=["sample"], condition=models.Q(open=True),
                                               name="one_open_batch_item_per_sample")]


class Document(models.Model):
    """A compliance certificate (CQ-) or a registration dossier (RG-).

    The content is frozen as a JSON snapshot when the document is requested
    (inside the transaction that assigns its gap-free number); the Celery task
    renders the PDF from that snapshot only, so rendering twice gives the same
    bytes, the same SHA-256 and one file."""

    KIND_CERTIFICATE, KIND_REGISTRATION = "certificate", "registration"
    KINDS = [(KIND_CERTIFICATE, "compliance certificate"), (KIND_REGISTRATION, "registration dossier")]
    PREFIX = {KIND_CERTIFICATE: "CQ", KIND_REGISTRATION: "RG"}
    RENDER_STATES = [("queued", "queued"), ("rendering", "rendering"), ("ready", "ready"), ("failed", "failed")]
    VALIDITY = [("valid", "valid"), ("superseded", "superseded"), ("revoked", "revoked")]

    kind = models.CharField(max_length=20, choices=KINDS)
    number = models.CharField(max_length=20, unique=True)
    version = models.PositiveIntegerField(default=1)
    sample = models.ForeignKey("lims.Sample", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="certificates")
    product = models.ForeignKey("lims.Product", on_delete=models.PROTECT, related_name="documents")
    samples = models.ManyToManyField("lims.Sample", blank=True, related_name="dossiers")
    declared = models.JSONField(default=dict, blank=True)
    supersedes = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="superseded_by")
    batch = models.ForeignKey(IssueBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="documents")

    context = models.JSONField(default=dict)          # the frozen content the PDF is rendered from
    status = models.CharField(max_length=20, choices=RENDER_STATES, default="queued", db_index=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    dispatched_at = models.DateTimeField(null=True, blank=True,
                                         help_text="When the render task reached the broker (outbox).")
    lease_until = models.DateTimeField(null=True, blank=True,
                                       help_text="A render in progress; past this, a relay may hand it out again.")
    pdf = models.FileField(upload_to=document_path, null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    rendered_at = models.DateTimeField(null=True, blank=True)

    validity = models.CharField(max_length=20, choices=VALIDITY, default="valid", db_index=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(auto_now_add=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)
    revocation_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]

    def __str__(self):
        return self.number

    @property
    def manufacturer_id(self):
        return self.product.manufacturer_id
