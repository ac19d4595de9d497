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


class JudgementRun(models.Model):
    """A re-judgement of the archive (every released sample) under one edition and decision rule,
    run by a Celery task in chunks; ``done`` of ``total`` is its progress."""

    STATUS = [("queued", "queued"), ("running", "running"), ("done", "done"), ("failed", "failed")]
    edition = models.ForeignKey(StandardEdition, on_delete=models.PROTECT, related_name="runs")
    decision_rule = models.CharField(max_length=10)
    status = models.CharField(max_length=10, choices=STATUS, default="queued", db_index=True)
    reason = models.CharField(max_length=300, blank=True)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    last_sample_id = models.BigIntegerField(default=0, help_text="Cursor: samples up to this id are judged.")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["edition", "decision_rule", "status"])]

    def __str__(self):
        return f"{self.edition_id} {self.decision_rule} {self.status} {self.done}/{self.total}"

    @property
    def progress_pct(self):
        return round(100.0 * self.done / self.total, 1) if self.total else (100.0 if self.status == "done" else 0.0)


class Judgement(models.Model):
    """The stored compliance judgement of one sample under one edition and decision rule: what the
    pure engine (``compliance.judge``) says for the sample's current results and product facts.
    Written when the results are verified, replaced on retest, category change and archive
    re-judgement; never edited by hand. Manufacturer, product and receipt date are copied here so
    the market view filters, sorts and counts on one table."""

    sample = models.ForeignKey("lims.Sample", on_delete=models.CASCADE, related_name="judgements")
    edition = models.ForeignKey(StandardEdition, on_delete=models.PROTECT, related_name="judgements")
    decision_rule = models.CharField(max_length=10)
    category = models.CharField(max_length=50)
    manufacturer = models.ForeignKey("lims.Manufacturer", on_delete=models.CASCADE, related_name="+",
                                     db_constraint=False)   # copies: the sample's constraint holds
    product = models.ForeignKey("lims.Product", on_delete=models.CASCADE, related_name="+", db_constraint=False)
    received_on = models.DateField(null=True, blank=True)
    verdict = models.CharField(max_length=20)
    judged_at = models.DateTimeField()
    run = models.ForeignKey(JudgementRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["sample", "edition", "decision_rule"],
                                               name="one_judgement_per_sample_edition_rule")]
        indexes = [
            models.Index(fields=["edition", "decision_rule", "sample"], name="judgement_list"),
            models.Index(fields=["edition", "decision_rule", "verdict", "sample"], name="judgement_verdict"),
            models.Index(fields=["edition", "decision_rule", "manufacturer", "sample"], name="judgement_maker"),
            models.Index(fields=["edition", "decision_rule", "category", "sample"], name="judgement_category"),
        ]


class JudgementCheck(models.Model):
    """One check of a stored judgement: a requirement (or declaration) of the edition, the value
    used (in the requirement's unit and basis), its status and margin (distance from the limit on
    the passing side; negative = beyond). ``beyond`` is the plain comparison the statistics count;
    ``first`` marks the first applicable check of its parameter in the judgement (one value per
    sample and parameter for counts and means)."""

    judgement = models.ForeignKey(Judgement, on_delete=models.CASCADE, related_name="checks")
    # copied from the judgement, so statistics aggregate this table alone
    sample = models.ForeignKey("lims.Sample", on_delete=models.CASCADE, related_name="+", db_index=False,
                               db_constraint=False)
    edition = models.ForeignKey(StandardEdition, on_delete=models.PROTECT, related_name="+", db_index=False,
                                db_constraint=False)
    decision_rule = models.CharField(max_length=10)
    category = models.CharField(max_length=50)
    key = models.CharField(max_length=100)
    parameter = models.CharField(max_length=80)
    kind = models.CharField(max_length=20)
    condition = models.CharField(max_length=30, blank=True)
    limit = models.FloatField(null=True)
    unit = models.CharField(max_length=20, blank=True)
    basis = models.CharField(max_length=20, blank=True)
    value = models.FloatField(null=True)
    uncertainty = models.FloatField(null=True)
    qualifier = models.CharField(max_length=1, blank=True)
    status = models.CharField(max_length=20)
    margin = models.FloatField(null=True)
    beyond = models.BooleanField(default=False)
    first = models.BooleanField(default=True)

    class Meta:
        indexes = [models.Index(fields=["parameter", "status", "judgement"], name="check_failing"),
                   models.Index(fields=["edition", "decision_rule", "category", "parameter"], name="check_statistics"),
                   models.Index(fields=["edition", "decision_rule", "category", "parameter", "kind", "condition",
                                        "sample"], condition=models.Q(beyond=True), name="check_beyond")]
