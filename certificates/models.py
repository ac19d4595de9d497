import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# Crockford's base32 without look-alikes (no I, L, O, U): 12 characters = 60 random bits, printed as XXXX-XXXX-XXXX
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 12


def new_verification_code():
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def normalise_code(text):
    """What a person typed, as stored: upper case, look-alikes mapped (O→0, I/L→1), dashes re-placed."""
    raw = "".join(ch for ch in str(text or "").upper() if ch.isalnum())
    raw = raw.replace("O", "0").replace("I", "1").replace("L", "1")
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


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
    rule_set = models.CharField(max_length=20, blank=True, help_text="Maturity rule set the certificates judge by.")
    issue_anyway_reason = models.TextField(
        blank=True,
        help_text="Given at request time when required results are missing; printed in the certificates' remarks.",
    )
    status = models.CharField(max_length=20, choices=STATES, default="pending", db_index=True)
    error = models.TextField(blank=True)
    dispatched_at = models.DateTimeField(
        null=True, blank=True, help_text="When the issue task reached the broker (outbox)."
    )
    issued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("batch of certificates")
        verbose_name_plural = _("batches of certificates")


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
        constraints = [
            models.UniqueConstraint(
                fields=["sample"], condition=models.Q(open=True), name="one_open_batch_item_per_sample"
            )
        ]


class Document(models.Model):
    """A compliance certificate (CQ-) or a registration dossier (RG-).

    The content is frozen as a JSON snapshot when the document is requested
    (inside the transaction that assigns its gap-free number); the Celery task
    renders the PDF from that snapshot only, so rendering twice gives the same
    bytes, the same SHA-256 and one file."""

    KIND_CERTIFICATE, KIND_REGISTRATION = "certificate", "registration"
    KINDS = [(KIND_CERTIFICATE, _("compliance certificate")), (KIND_REGISTRATION, _("registration dossier"))]
    PREFIX = {KIND_CERTIFICATE: "CQ", KIND_REGISTRATION: "RG"}
    RENDER_STATES = [
        ("awaiting_signature", _("Awaiting signature")),
        ("queued", _("Queued")),
        ("rendering", _("Rendering")),
        ("ready", _("Ready")),
        ("failed", _("Failed")),
    ]
    VALIDITY = [("valid", _("Valid")), ("superseded", _("Superseded")), ("revoked", _("Revoked"))]

    kind = models.CharField(_("document"), max_length=20, choices=KINDS)
    number = models.CharField(_("number"), max_length=20, unique=True)
    verification_code = models.CharField(
        _("verification code"),
        max_length=20,
        default=new_verification_code,
        help_text="Unguessable; printed beside the number and in the QR link. /verify/ shows nothing without it.",
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    sample = models.ForeignKey(
        "lims.Sample", null=True, blank=True, on_delete=models.PROTECT, related_name="certificates"
    )
    product = models.ForeignKey(
        "lims.Product", on_delete=models.PROTECT, related_name="documents", verbose_name=_("product")
    )
    samples = models.ManyToManyField("lims.Sample", blank=True, related_name="dossiers")
    declared = models.JSONField(default=dict, blank=True)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    batch = models.ForeignKey(IssueBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="documents")

    context = models.JSONField(default=dict)  # the frozen content the PDF is rendered from
    status = models.CharField(_("PDF"), max_length=20, choices=RENDER_STATES, default="queued", db_index=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    dispatched_at = models.DateTimeField(
        null=True, blank=True, help_text="When the render task reached the broker (outbox)."
    )
    lease_until = models.DateTimeField(
        null=True, blank=True, help_text="A render in progress; past this, a relay may hand it out again."
    )
    pdf = models.FileField(upload_to=document_path, null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    rendered_at = models.DateTimeField(null=True, blank=True)

    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The lab's reviewer who signed a dossier.",
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    validity = models.CharField(_("validity"), max_length=20, choices=VALIDITY, default="valid", db_index=True)
    supersession_due = models.BooleanField(
        default=False,
        db_index=True,
        help_text="A judgement input of the sample was corrected after issue: re-verify, then supersede.",
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("issued by")
    )
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
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
