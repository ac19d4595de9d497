from django.conf import settings
from django.db import models


class StandardEdition(models.Model):
    """An edition of a standard (e.g. tw-1997). Never edited in place once used
    in a judgement: a change is a new edition."""

    code = models.CharField(max_length=30, unique=True)
    title = models.CharField(max_length=300)
    issuing_body = models.CharField(max_length=200)
    in_force = models.DateField()
    source = models.TextField(blank=True)
    loaded_at = models.DateTimeField(auto_now_add=True)
    loaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    file_sha256 = models.CharField(max_length=64, blank=True)
    used_in_judgement = models.BooleanField(
        default=False, help_text="Set by the first judgement that cites it (compliance answer, pre-check, regulator "
                                 "view, certificate, dossier); it is then frozen: a correction is a new edition.")
    used_since = models.DateTimeField(null=True, blank=True, help_text="When the first judgement cited it.")
    first_use = models.CharField(max_length=200, blank=True, help_text="The first judgement that cited it.")

    class Meta:
        ordering = ["-in_force", "code"]

    def __str__(self):
        return self.code


class Category(models.Model):
    edition = models.ForeignKey(StandardEdition, on_delete=models.CASCADE, related_name="categories")
    key = models.CharField(max_length=50)
    name_zh = models.CharField(max_length=100)
    name_en = models.CharField(max_length=100)

    class Meta:
        ordering = ["edition", "key"]
        constraints = [models.UniqueConstraint(fields=["edition", "key"], name="unique_category_per_edition")]
        verbose_name_plural = "categories"

    def __str__(self):
        return f"{self.key} ({self.name_zh})"


class Requirement(models.Model):
    KINDS = [("min", "min"), ("max", "max"), ("max_exclusive", "max_exclusive")]
    edition = models.ForeignKey(StandardEdition, on_delete=models.CASCADE, related_name="requirements")
    category = models.CharField(max_length=50)
    parameter = models.CharField(max_length=50)
    kind = models.CharField(max_length=20, choices=KINDS)
    limit = models.FloatField()
    unit = models.CharField(max_length=20, blank=True)
    basis = models.CharField(max_length=20, blank=True)
    condition = models.CharField(max_length=30, blank=True)
    condition_text = models.CharField(max_length=300, blank=True)
    source = models.TextField(blank=True)

    class Meta:
        ordering = ["edition", "category", "id"]


class Declaration(models.Model):
    edition = models.ForeignKey(StandardEdition, on_delete=models.CASCADE, related_name="declarations")
    category = models.CharField(max_length=50)
    key = models.CharField(max_length=50)
    text_zh = models.CharField(max_length=200)
    text_en = models.CharField(max_length=200)


class JurisdictionLimit(models.Model):
    """Heavy-metal limits of other jurisdictions (DOMAIN.md §6.2), for the
    'where could this product be sold' view."""

    table = models.CharField(max_length=30, default="1999")
    jurisdiction = models.CharField(max_length=20)
    jurisdiction_zh = models.CharField(max_length=100)
    metal = models.CharField(max_length=5)
    limit_low = models.FloatField()
    limit_high = models.FloatField()
    basis = models.CharField(max_length=20)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["table", "jurisdiction", "metal", "id"]


def chromatogram_photo_path(instance, filename):
    return f"chromatograms/{instance.sample_id}/{filename}"


class Assay(models.Model):
    """One assay run on a sample: the raw data as entered, the figures
    computed from it, and the lab-policy figures used, so the results can be
    recomputed from what is stored. Read-only once verified."""

    STATUS = [("entered", "entered"), ("verified", "verified"), ("invalidated", "invalidated")]
    sample = models.ForeignKey("lims.Sample", on_delete=models.PROTECT, related_name="assays")
    method = models.CharField(max_length=40)
    data = models.JSONField()
    results = models.JSONField(default=dict)      # {parameter: Measurement.as_dict()}
    flags = models.JSONField(default=list)
    details = models.JSONField(default=dict)
    valid = models.BooleanField(default=True)
    policy = models.JSONField(default=dict)       # LabPolicy figures used
    status = models.CharField(max_length=20, choices=STATUS, default="entered", db_index=True)
    photo = models.ImageField(upload_to=chromatogram_photo_path, null=True, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(auto_now_add=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    verified_at = models.DateTimeField(null=True, blank=True)
    invalidated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+")
    invalidated_at = models.DateTimeField(null=True, blank=True)
    invalidation_reason = models.TextField(blank=True)
    source = models.CharField(max_length=200, blank=True, help_text="e.g. import:filename.xlsx row 2–9")

    class Meta:
        ordering = ["entered_at", "id"]

    def __str__(self):
        return f"{self.method} #{self.pk} on sample {self.sample_id}"


def chromatogram_overlay_path(instance, filename):
    return f"chromatograms/{instance.sample_id}/overlays/{filename}"


class ChromatogramReading(models.Model):
    """A chromatogram photo read by the image analysis (maturity.chromatogram_image): the proposal as made,
    and the technician's decision (accepted as proposed, or corrected zone by zone), which becomes the
    chromatogram assay. Both are kept; the corrected_* flags count how often the proposal was wrong."""

    DECISIONS = [("proposed", "proposed"), ("accepted", "accepted"), ("corrected", "corrected")]
    sample = models.ForeignKey("lims.Sample", on_delete=models.PROTECT, related_name="chromatogram_readings")
    protocol = models.CharField(max_length=20)
    photo = models.ImageField(upload_to=chromatogram_photo_path)
    overlay = models.ImageField(upload_to=chromatogram_overlay_path)
    proposal = models.JSONField()                  # Reading.as_dict(): zones, confidence, measures
    decision = models.CharField(max_length=20, choices=DECISIONS, default="proposed", db_index=True)
    decided_zones = models.JSONField(default=dict)
    center_corrected = models.BooleanField(default=False)
    middle_band_corrected = models.BooleanField(default=False)
    edge_corrected = models.BooleanField(default=False)
    assay = models.OneToOneField(Assay, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="chromatogram_reading")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"chromatogram reading #{self.pk} of sample {self.sample_id}"
