from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .lifecycle import STATES
from .messages import Message, restored
from .roles import Role


class ReasonShown:
    """``reason`` is the English text (exports, older readers); ``reason_message`` the message the system wrote it
    from (code and params, :func:`lims.messages.storable`), absent for a reason a person typed."""

    @property
    def reason_shown(self):
        """The reason in the active language: the system's message translated, a person's text as typed."""
        message = restored(self.reason_message) if self.reason_message else None
        return str(message) if isinstance(message, Message) else self.reason

    @property
    def reason_code(self):
        """The stable code of a reason the system wrote, else None."""
        message = restored(self.reason_message) if self.reason_message else None
        return message.code if isinstance(message, Message) else None


class Manufacturer(models.Model):
    """A fertilizer manufacturer (肥料廠商): the organisation a manufacturer user belongs to."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    registration_no = models.CharField(_("business registration no."), max_length=50, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("manufacturer")
        verbose_name_plural = _("manufacturers")

    def __str__(self):
        return self.name


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.TECHNICIAN)
    manufacturer = models.ForeignKey(
        Manufacturer,
        verbose_name=_("manufacturer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        help_text=_("Required for manufacturer users, empty for everyone else."),
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="manufacturer_user_has_organisation",
                condition=(
                    models.Q(role="manufacturer", manufacturer__isnull=False)
                    | (~models.Q(role="manufacturer") & models.Q(manufacturer__isnull=True))
                ),
            )
        ]

    title = models.CharField(
        _("title"),
        max_length=100,
        blank=True,
        help_text=_("Printed under the name of an authorised signatory, e.g. 報告簽署人 Technical manager."),
    )
    signature = models.ImageField(
        _("signature image"),
        upload_to="signatures/",
        null=True,
        blank=True,
        help_text=_(
            "PNG or JPEG of the handwritten signature, printed on the documents "
            "this reviewer signs. Uploaded by the lab admin."
        ),
    )

    def __str__(self):
        full = self.get_full_name()
        return f"{full} ({self.username})" if full else self.username

    def save(self, *args, **kwargs):
        if self.role == "lab_admin":
            # lab admins manage users, organisations, settings and standards in the admin
            self.is_staff = self.is_superuser = True
        super().save(*args, **kwargs)

    @property
    def display_name(self):
        return self.get_full_name() or self.username


class Product(models.Model):
    manufacturer = models.ForeignKey(
        Manufacturer, on_delete=models.PROTECT, related_name="products", verbose_name=_("manufacturer")
    )
    name = models.CharField(_("product name"), max_length=200)
    category = models.CharField(
        _("fertilizer category"),
        max_length=50,
        help_text=_("Category key of the standards edition, e.g. general_compost."),
    )
    bagasse_based = models.BooleanField(_("bagasse-based"), default=False)
    chemical_fertilizer_added = models.BooleanField(_("chemical fertilizer added"), default=False)
    raw_materials = models.JSONField(
        _("raw materials"), default=list, blank=True, help_text=_('List of {"name", "proportion_pct"}.')
    )
    process = models.JSONField(
        _("process"), default=dict, blank=True, help_text=_('{"fermentation_days", "peak_temperature_c", "turnings"}')
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["manufacturer__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["manufacturer", "name"], name="unique_product_name_per_manufacturer")
        ]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self):
        return self.name


STATUS_LABELS = {
    "registered": _("Registered"),
    "received": _("Received"),
    "rejected": _("Rejected"),
    "in_testing": _("In testing"),
    "to_be_verified": _("To be verified"),
    "verified": _("Verified"),
    "certified": _("Certified"),
}


class Sample(models.Model):
    Status = models.TextChoices("Status", [(s, (s, STATUS_LABELS.get(s, s))) for s in STATES])

    code = models.CharField(_("sample code"), max_length=20, unique=True, editable=False)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="samples", verbose_name=_("product"))
    lot_number = models.CharField(_("lot number"), max_length=100)
    sampled_on = models.DateField(_("sampled on"))
    received_on = models.DateField(_("received on"), null=True, blank=True)
    condition_on_receipt = models.CharField(
        _("condition on receipt"),
        max_length=300,
        blank=True,
        help_text=_("Recorded at receipt (ISO/IEC 17025 §7.4.2), e.g. sealed bag, intact, 2 kg, cool."),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default="registered", db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["-created_at", "-id"], name="sample_list_order")]  # the list's order
        verbose_name = _("sample")
        verbose_name_plural = _("samples")

    def __str__(self):
        return self.code

    @property
    def manufacturer_id(self):
        return self.product.manufacturer_id


class SampleTransition(ReasonShown, models.Model):
    """One lifecycle step: who moved the sample from which state to which, when and why."""

    sample = models.ForeignKey(Sample, on_delete=models.CASCADE, related_name="transitions", verbose_name=_("sample"))
    action = models.CharField(_("action"), max_length=20)
    from_status = models.CharField(_("from status"), max_length=20)
    to_status = models.CharField(_("to status"), max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    reason = models.TextField(_("reason"), blank=True)
    reason_message = models.JSONField(_("reason as a message"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("lifecycle step")
        verbose_name_plural = _("lifecycle steps")


class AuditEntry(ReasonShown, models.Model):
    """Append-only history: who changed what, when, old and new values, why."""

    entity = models.CharField(_("record type"), max_length=50, db_index=True)  # 'product', 'sample', 'assay', ...
    entity_id = models.BigIntegerField(_("record id"), db_index=True)
    entity_repr = models.CharField(_("record"), max_length=200)
    sample = models.ForeignKey(
        Sample,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_entries",
        help_text="The sample this change concerns, if any (for per-sample timelines).",
    )
    manufacturer = models.ForeignKey(Manufacturer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(_("action"), max_length=30)  # 'create', 'update', 'transition:receive', ...
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    reason = models.TextField(_("reason"), blank=True)
    reason_message = models.JSONField(_("reason as a message"), null=True, blank=True, editable=False)
    changes = models.JSONField(_("changes"), default=dict)  # {field: [old, new]}

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["entity", "entity_id"])]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")


class YearSequence(models.Model):
    """Gap-free counters per prefix and year (S-2026-000123, CQ-2026-000001).

    Incremented under a row lock inside the transaction that uses the number,
    so a rolled-back write gives its number back."""

    prefix = models.CharField(max_length=10)
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="unique_sequence_per_year")]


class LabSettings(models.Model):
    """The lab's own settings, editable by lab admins in the admin. One row.

    The [lab policy] figures of DOMAIN.md are here with the spec's defaults."""

    name_zh = models.CharField(_("laboratory name (Chinese)"), max_length=200, default="堆肥品質檢驗實驗室")
    name_en = models.CharField(
        _("laboratory name (English)"), max_length=200, default="Compost Quality Testing Laboratory"
    )
    address = models.CharField(
        _("address"),
        max_length=300,
        blank=True,
        default="",
        help_text="Required before the first certificate issues (ISO/IEC 17025 §7.8.2.1 b).",
    )
    telephone = models.CharField(
        max_length=50, blank=True, default="", help_text="Required before the first certificate issues."
    )
    location_of_activities = models.CharField(
        max_length=300,
        blank=True,
        default="",
        help_text="Where the tests are performed, when not at the address above (§7.8.2.1 b).",
    )
    accreditation = models.CharField(
        _("accreditation"),
        max_length=200,
        blank=True,
        default="",
        help_text="Free text printed in the header band, e.g. 'TAF accredited'.",
    )
    accreditation_body = models.CharField(
        max_length=200, blank=True, default="", help_text="e.g. 財團法人全國認證基金會 TAF"
    )
    accreditation_number = models.CharField(
        max_length=50,
        blank=True,
        default="",
        help_text="Accreditation number; with it, methods outside the scope are marked on reports.",
    )
    accreditation_mark = models.ImageField(
        upload_to="lab/", null=True, blank=True, help_text="Image of the accreditation mark printed on reports."
    )
    control_validity_pct = models.FloatField(
        _("control germination needed (%)"),
        default=70.0,
        validators=[MinValueValidator(0)],
        help_text=_("Germination assay invalid when control germination is below this (OECD 208)."),
    )
    root_growth_not_inhibited_pct = models.FloatField(
        _("root growth 'not inhibited' from (%)"),
        default=90.0,
        help_text=_("Relative root growth at or above this reads as 'not inhibited'."),
    )
    dichromate_reduced_flag_pct = models.FloatField(
        _("dichromate reduced flag (%)"),
        default=75.0,
        help_text=_("Flag wet oxidation when more than this share of the dichromate was reduced."),
    )
    correction_factor = models.FloatField(
        _("correction factor f"), default=1.3, help_text=_("Wet-oxidation recovery factor f.")
    )
    default_standard = models.CharField(_("default standard edition"), max_length=30, default="tw-1997")
    default_decision_rule = models.CharField(
        _("default decision rule"),
        max_length=10,
        default="simple",
        choices=[
            ("simple", _("Simple acceptance (shared risk)")),
            ("guarded", _("Guarded acceptance (uncertainty considered)")),
        ],
    )
    export_language = models.CharField(
        _("language of exports"),
        max_length=10,
        default="page",
        choices=[("page", _("as the page")), ("zh-hant", _("Chinese")), ("en", _("English"))],
        help_text=_("Headers and values of the regulator's CSV/XLSX export."),
    )

    class Meta:
        verbose_name = verbose_name_plural = _("lab settings")

    def __str__(self):
        return str(_("Lab settings"))

    @classmethod
    def current(cls):
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj

    REQUIRED_FOR_ISSUE = ("name_zh", "name_en", "address", "telephone")

    def missing_for_issue(self):
        """Lab settings a report cannot issue without (ISO/IEC 17025 §7.8.2.1 b)."""
        return [f for f in self.REQUIRED_FOR_ISSUE if not (getattr(self, f) or "").strip()]


class WorkerHeartbeat(models.Model):
    """Written by the `lims.tasks.heartbeat` task: shows that a worker is consuming."""

    hostname = models.CharField(max_length=200)
    token = models.CharField(max_length=64, db_index=True)
    at = models.DateTimeField(auto_now_add=True)
