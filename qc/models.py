"""Quality control of DOMAIN.md §13: worksheets, QC items, reference materials, control charts,
QC limits, uncertainty and detection limits per method × parameter (all lab-policy figures are data)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import statistics as qs


class QcLimits(models.Model):
    """Lab policy and QC-derived figures of one method × parameter."""

    method = models.CharField(max_length=40)
    parameter = models.CharField(max_length=50)
    rpd_limit_pct = models.FloatField(default=qs.DEFAULT_RPD_LIMIT_PCT)
    spike_low_pct = models.FloatField(default=qs.DEFAULT_SPIKE_LOW_PCT)
    spike_high_pct = models.FloatField(default=qs.DEFAULT_SPIKE_HIGH_PCT)
    lod = models.FloatField(null=True, blank=True)
    loq = models.FloatField(null=True, blank=True)
    detection_source = models.CharField(max_length=10, blank=True, help_text="'lab' (set) or 'blanks' (3 s / 10 s)")
    uncertainty_pct = models.FloatField(null=True, blank=True, help_text="Expanded relative U (k = 2), Nordtest.")
    uncertainty_data = models.JSONField(default=dict, blank=True, help_text="The figures behind U.")
    uncertainty_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["method", "parameter"], name="unique_qc_limits")]
        ordering = ["method", "parameter"]
        verbose_name_plural = "QC limits"

    def __str__(self):
        return f"{self.method} × {self.parameter}"


class ReferenceMaterial(models.Model):
    KINDS = [("certified", _("certified reference material")), ("in_house", _("in-house reference material"))]
    code = models.CharField(max_length=50, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=KINDS)
    parameter = models.CharField(max_length=50)
    assigned_value = models.FloatField()
    expanded_uncertainty = models.FloatField(help_text="Expanded uncertainty of the assigned value (k = 2), same unit.")
    unit = models.CharField(max_length=20, blank=True)
    lot = models.CharField(max_length=100)
    expires_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} ({self.parameter}, lot {self.lot})"

    @property
    def u_cref_pct(self):
        """Relative standard uncertainty of the assigned value, %."""
        return u_cref_pct(self.expanded_uncertainty, self.assigned_value)


def u_cref_pct(expanded_uncertainty, assigned_value):
    """Relative standard uncertainty (k = 2 halved) of an assigned value, %; 0 for a value of 0."""
    return expanded_uncertainty / 2 / abs(assigned_value) * 100 if assigned_value else 0.0


class ControlChart(models.Model):
    method = models.CharField(max_length=40)
    parameter = models.CharField(max_length=50)
    reference_material = models.ForeignKey(ReferenceMaterial, on_delete=models.PROTECT, related_name="charts")
    centre = models.FloatField(null=True, blank=True)
    s = models.FloatField(null=True, blank=True)
    set_by_lab = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["method", "parameter", "reference_material"], name="unique_control_chart")
        ]
        ordering = ["method", "parameter", "reference_material"]

    def __str__(self):
        return f"{self.method} × {self.parameter} × {self.reference_material.code}"


class WorksheetTemplate(models.Model):
    """Kept by the lab admin, e.g. "germination: 10 samples + water control + duplicate"."""

    name = models.CharField(max_length=200, unique=True)
    method = models.CharField(max_length=40)
    sample_count = models.PositiveIntegerField()
    qc_items = models.JSONField(default=list, help_text='e.g. [{"kind": "blank"}, {"kind": "duplicate"}]')

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Worksheet(models.Model):
    STATUS = [("open", _("open")), ("entered", _("entered")), ("submitted", _("submitted"))]
    method = models.CharField(max_length=40)
    template = models.ForeignKey(WorksheetTemplate, null=True, blank=True, on_delete=models.SET_NULL)
    status = models.CharField(max_length=20, choices=STATUS, default="open", db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    entered_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    released_at = models.DateTimeField(null=True, blank=True)
    release_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"WS-{self.pk} {self.method}"


class WorksheetPosition(models.Model):
    KINDS = [
        ("sample", _("sample")),
        ("blank", _("blank")),
        ("duplicate", _("duplicate")),
        ("reference", _("reference material")),
        ("spike", _("spike")),
    ]
    worksheet = models.ForeignKey(Worksheet, on_delete=models.CASCADE, related_name="positions")
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=20, choices=KINDS)
    sample = models.ForeignKey("lims.Sample", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    of_position = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="duplicate / spike: the sample position it repeats",
    )
    reference_material = models.ForeignKey(ReferenceMaterial, null=True, blank=True, on_delete=models.PROTECT)
    spike_parameter = models.CharField(max_length=50, blank=True)
    spike_added = models.FloatField(null=True, blank=True)
    data = models.JSONField(null=True, blank=True)  # raw data as entered (the method's fields)
    results = models.JSONField(default=dict)  # {parameter: value} computed from data
    assay = models.ForeignKey("maturity.Assay", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    judgements = models.JSONField(default=dict)  # {parameter: Judgement.as_dict()}

    class Meta:
        ordering = ["worksheet", "number"]
        constraints = [models.UniqueConstraint(fields=["worksheet", "number"], name="unique_position")]

    def __str__(self):
        return f"{self.worksheet} #{self.number} {self.kind}"


class ChartPoint(models.Model):
    chart = models.ForeignKey(ControlChart, on_delete=models.CASCADE, related_name="points")
    position = models.ForeignKey(
        WorksheetPosition, null=True, blank=True, on_delete=models.SET_NULL, related_name="chart_points"
    )
    worksheet = models.ForeignKey(Worksheet, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    value = models.FloatField()
    at = models.DateTimeField()
    accepted = models.BooleanField(default=True)
    violations = models.JSONField(default=list)

    class Meta:
        ordering = ["chart", "at", "id"]
