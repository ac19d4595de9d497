"""Composting batches and the data of DOMAIN.md §9–§11 (criteria, materials, soil thresholds and backgrounds)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import thermal


class Batch(models.Model):
    class Method(models.TextChoices):
        WINDROW = "windrow", _("windrow")
        AERATED_STATIC_PILE = "aerated_static_pile", _("aerated static pile")
        IN_VESSEL = "in_vessel", _("in-vessel")

    manufacturer = models.ForeignKey(
        "lims.Manufacturer", on_delete=models.PROTECT, related_name="composting_batches", verbose_name=_("manufacturer")
    )
    name = models.CharField(_("batch name"), max_length=100)
    method = models.CharField(_("method"), max_length=30, choices=Method.choices)
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    recipe = models.JSONField(_("recipe"), default=dict, blank=True)  # a saved mix design (§10)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-started_on", "-id"]
        verbose_name = _("composting batch")
        verbose_name_plural = _("composting batches")

    def __str__(self):
        return self.name


class TemperatureReading(models.Model):
    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="readings")
    at = models.DateTimeField()
    probe = models.CharField(max_length=50)
    temperature_c = models.FloatField()

    class Meta:
        ordering = ["at", "probe"]
        indexes = [models.Index(fields=["batch", "at"])]
        constraints = [models.UniqueConstraint(fields=["batch", "at", "probe"], name="one_reading_per_probe_time")]


class Turning(models.Model):
    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="turnings")
    at = models.DateTimeField()
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["at", "id"]


class MoistureReading(models.Model):
    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="moisture_readings")
    at = models.DateTimeField()
    moisture_pct = models.FloatField()

    class Meta:
        ordering = ["at", "id"]


class BatchSample(models.Model):
    """A sample names the batch it was taken from (one batch per sample)."""

    sample = models.OneToOneField("lims.Sample", on_delete=models.CASCADE, related_name="composting_batch")
    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="samples")


class Criterion(models.Model):
    """A §9 criterion: data the lab admin edits (kind + parameters, with its source)."""

    key = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=[(k, k) for k in thermal.KINDS])
    params = models.JSONField(default=dict)
    source = models.CharField(max_length=300)
    active = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "key"]
        verbose_name = _("composting criterion")
        verbose_name_plural = _("composting criteria")

    def __str__(self):
        return self.key

    def clean(self):
        from django.core.exceptions import ValidationError

        from .messages import criterion_field_message

        try:
            thermal.validate(self.kind, self.params)
        except thermal.CriterionError as e:  # read in the admin's language, from the error's code
            field = "params" if e.field.startswith("params") else e.field
            raise ValidationError({field: ValidationError(criterion_field_message(e), code=e.code)})


class Material(models.Model):
    """A feedstock of the mix designer's library (ch. 6 table 1): C %, N % dry basis, moisture % as received."""

    name = models.CharField(max_length=100, unique=True)
    carbon_pct = models.FloatField()
    nitrogen_pct = models.FloatField()
    moisture_pct = models.FloatField()
    source = models.CharField(max_length=200, default="TARI handbook ch. 6 table 1")

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.name


class SoilThreshold(models.Model):
    """Taiwan soil pollution monitoring / control standard, mg/kg dry; ``farmland`` is the food-crop farmland value."""

    level = models.CharField(max_length=20, choices=[("monitoring", "monitoring"), ("control", "control")])
    metal = models.CharField(max_length=5)
    general_mg_kg = models.FloatField()
    farmland_mg_kg = models.FloatField(null=True, blank=True)
    source = models.CharField(max_length=200, default="Soil pollution monitoring / control standards (2011)")

    class Meta:
        ordering = ["level", "metal"]
        constraints = [models.UniqueConstraint(fields=["level", "metal"], name="one_soil_threshold")]


class SoilBackground(models.Model):
    """Upper background of a soil group (ch. 15 table 4), mg/kg."""

    group = models.SlugField(max_length=50)
    name = models.CharField(max_length=100)
    metal = models.CharField(max_length=5)
    mg_kg = models.FloatField()

    class Meta:
        ordering = ["group", "metal"]
        constraints = [models.UniqueConstraint(fields=["group", "metal"], name="one_soil_background")]
