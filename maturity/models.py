from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class StandardEdition(models.Model):
    """An edition of a standard (e.g. tw-1997). Never edited in place once used
    in a judgement: a change is a new edition."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    title = models.CharField(_("title"), max_length=300)
    issuing_body = models.CharField(_("issuing body"), max_length=200)
    in_force = models.DateField(_("in force from"))
    source = models.TextField(blank=True)
    loaded_at = models.DateTimeField(_("loaded at"), auto_now_add=True)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    file_sha256 = models.CharField(max_length=64, blank=True)
    used_in_judgement = models.BooleanField(
        _("used in a judgement"),
        default=False,
        help_text=_(
            "Set by the first judgement that cites it (compliance answer, pre-check, regulator view, "
            "certificate, dossier); it is then frozen: a correction is a new edition."
        ),
    )
    used_since = models.DateTimeField(null=True, blank=True, help_text="When the first judgement cited it.")
    first_use = models.CharField(max_length=200, blank=True, help_text="The first judgement that cited it.")

    class Meta:
        ordering = ["-in_force", "code"]
        verbose_name = _("standards edition")
        verbose_name_plural = _("standards editions")

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
        verbose_name = _("fertilizer category")
        verbose_name_plural = _("fertilizer categories")

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
        verbose_name = _("requirement")
        verbose_name_plural = _("requirements")

    def __str__(self):
        return (
            f"{self.edition_id and self.edition.code} · {self.category} · {self.parameter} {self.kind} {self.limit:g}"
        )


class Declaration(models.Model):
    edition = models.ForeignKey(StandardEdition, on_delete=models.CASCADE, related_name="declarations")
    category = models.CharField(max_length=50)
    key = models.CharField(max_length=50)
    text_zh = models.CharField(max_length=200)
    text_en = models.CharField(max_length=200)

    class Meta:
        verbose_name = _("declaration")
        verbose_name_plural = _("declarations")

    def __str__(self):
        return f"{self.category} · {self.text_zh} {self.text_en}"


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
        verbose_name = _("heavy-metal limit of another jurisdiction")
        verbose_name_plural = _("heavy-metal limits of other jurisdictions")

    def __str__(self):
        return f"{self.jurisdiction_zh} {self.jurisdiction} · {self.metal}"


def chromatogram_photo_path(instance, filename):
    return f"chromatograms/{instance.sample_id}/{filename}"


class Assay(models.Model):
    """One assay run on a sample: the raw data as entered, the figures
    computed from it, and the lab-policy figures used, so the results can be
    recomputed from what is stored. Read-only once verified."""

    STATUS = [("entered", _("Entered")), ("verified", _("Verified")), ("invalidated", _("Invalidated"))]
    sample = models.ForeignKey("lims.Sample", on_delete=models.PROTECT, related_name="assays", verbose_name=_("sample"))
    method = models.CharField(_("method"), max_length=40)
    data = models.JSONField(_("raw data"))
    results = models.JSONField(default=dict)  # {parameter: Measurement.as_dict()}
    flags = models.JSONField(default=list)
    details = models.JSONField(default=dict)
    valid = models.BooleanField(_("valid"), default=True)
    policy = models.JSONField(default=dict)  # LabPolicy figures used
    status = models.CharField(_("status"), max_length=20, choices=STATUS, default="entered", db_index=True)
    photo = models.ImageField(upload_to=chromatogram_photo_path, null=True, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("entered by")
    )
    entered_at = models.DateTimeField(_("entered at"), auto_now_add=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("verified by"),
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    invalidated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    invalidated_at = models.DateTimeField(null=True, blank=True)
    invalidation_reason = models.TextField(blank=True)
    source = models.CharField(max_length=200, blank=True, help_text="e.g. import:filename.xlsx row 2–9")
    qc_override = models.JSONField(
        default=dict,
        blank=True,
        help_text="A reviewer's override of QC flags / implausible results at verification: "
        "{codes, issues, reason, by, by_id, at}.",
    )

    class Meta:
        ordering = ["entered_at", "id"]
        verbose_name = _("assay")
        verbose_name_plural = _("assays")

    def __str__(self):
        return f"{self.method} #{self.pk} on sample {self.sample_id}"


class MethodReference(models.Model):
    """Per method (and optionally per parameter) the reference printed on reports and the reporting
    digits (ISO/IEC 17025 §7.2, §7.8.2.1): lab data, edited by the lab admin.

    ``method`` is an assay method key, ``derived`` for calculated figures, or ``*`` for a parameter's
    default reporting digits; ``parameter`` '' applies to every parameter of the method."""

    method = models.CharField(max_length=40)
    parameter = models.CharField(max_length=50, blank=True)
    code = models.CharField(max_length=80, blank=True, help_text="Official or lab method code, e.g. NIEA R317.11C.")
    title_zh = models.CharField(max_length=200, blank=True)
    title_en = models.CharField(max_length=200, blank=True)
    lod = models.FloatField(null=True, blank=True, help_text="Limit of detection, in the parameter's unit.")
    decimals = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Reporting digits: decimal places.")
    significant_figures = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Reporting digits: significant figures (when decimal places are empty)."
    )
    accredited = models.BooleanField(default=True, help_text="Within the lab's accreditation scope.")
    external_provider = models.CharField(
        max_length=200, blank=True, help_text="Name of the external provider that performs it, if any."
    )
    conditions = models.CharField(max_length=300, blank=True, help_text="Test conditions printed on the report.")

    class Meta:
        ordering = ["method", "parameter"]
        constraints = [models.UniqueConstraint(fields=["method", "parameter"], name="unique_method_reference")]

    def __str__(self):
        return f"{self.method}/{self.parameter or '*'} {self.code}"

    def clean(self):
        from django.core.exceptions import ValidationError

        from lims.messages import Message, gettext_noop

        if self.decimals is not None and self.significant_figures is not None:
            message = gettext_noop("Give decimal places or significant figures, not both.")
            raise ValidationError({"significant_figures": Message("precision_both_given", message)})
        if self.decimals is not None and self.decimals > 6:
            message = gettext_noop("At most 6 decimal places.")
            raise ValidationError({"decimals": Message("decimals_range", message)})
        if self.significant_figures is not None and not 1 <= self.significant_figures <= 8:
            message = gettext_noop("Between 1 and 8 significant figures.")
            raise ValidationError({"significant_figures": Message("significant_figures_range", message)})

    def as_dict(self):
        return {
            "method": self.method,
            "parameter": self.parameter,
            "code": self.code,
            "title_zh": self.title_zh,
            "title_en": self.title_en,
            "lod": self.lod,
            "decimals": self.decimals,
            "significant_figures": self.significant_figures,
            "accredited": self.accredited,
            "external_provider": self.external_provider,
            "conditions": self.conditions,
        }


class ImportRun(models.Model):
    """One stored import of an instrument file: its content hash, so the same file is not imported twice
    without the user confirming a re-import."""

    sha256 = models.CharField(max_length=64, db_index=True)
    filename = models.CharField(max_length=255)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField(auto_now_add=True)
    rows = models.PositiveIntegerField(default=0)
    assay_ids = models.JSONField(default=list)
    reimport = models.BooleanField(default=False, help_text="Stored although the same content was imported before.")

    class Meta:
        ordering = ["-imported_at", "-id"]
        verbose_name = _("import of results")
        verbose_name_plural = _("imports of results")

    def __str__(self):
        return f"{self.filename} ({self.imported_at:%Y-%m-%d %H:%M})"


class JudgementRun(models.Model):
    """A re-judgement of the archive (every released sample) under one edition and decision rule
    (``kind`` compliance) or of its maturity verdicts under every rule set (``kind`` maturity), run by a
    Celery task in chunks; ``done`` of ``total`` is its progress."""

    STATUS = [("queued", "queued"), ("running", "running"), ("done", "done"), ("failed", "failed")]
    edition = models.ForeignKey(StandardEdition, null=True, blank=True, on_delete=models.PROTECT, related_name="runs")
    decision_rule = models.CharField(max_length=10, blank=True)
    KINDS = [("compliance", "compliance"), ("maturity", "maturity")]
    kind = models.CharField(
        max_length=10,
        choices=KINDS,
        default="compliance",
        help_text="compliance: under one edition and decision rule; maturity: every rule set (no edition).",
    )
    status = models.CharField(max_length=10, choices=STATUS, default="queued", db_index=True)
    reason = models.CharField(max_length=300, blank=True)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    last_sample_id = models.BigIntegerField(default=0, help_text="Cursor: samples up to this id are judged.")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
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

    # no single-column indexes: the unique constraint leads with sample, the list indexes with edition, and
    # every index is written 100 000 times by an archive run
    sample = models.ForeignKey("lims.Sample", on_delete=models.CASCADE, related_name="judgements", db_index=False)
    edition = models.ForeignKey(StandardEdition, on_delete=models.PROTECT, related_name="judgements", db_index=False)
    decision_rule = models.CharField(max_length=10)
    category = models.CharField(max_length=50)
    manufacturer = models.ForeignKey(
        "lims.Manufacturer", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )  # copies: the sample's constraint holds
    product = models.ForeignKey("lims.Product", on_delete=models.CASCADE, related_name="+", db_constraint=False)
    received_on = models.DateField(null=True, blank=True)
    verdict = models.CharField(max_length=20)
    judged_at = models.DateTimeField()
    run = models.ForeignKey(
        JudgementRun,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["sample", "edition", "decision_rule"], name="one_judgement_per_sample_edition_rule"
            )
        ]
        # each list filter walks one of these backwards (newest sample first) and stops after a page; with
        # receipt date included (PostgreSQL) a date filter and the counts are index-only
        indexes = [
            models.Index(fields=["edition", "decision_rule", "sample"], name="judgement_list", include=["received_on"]),
            models.Index(fields=["edition", "decision_rule", "verdict", "sample"], name="judgement_verdict"),
            models.Index(fields=["edition", "decision_rule", "manufacturer", "sample"], name="judgement_maker"),
            models.Index(
                fields=["edition", "decision_rule", "category", "sample"],
                name="judgement_category",
                include=["received_on"],
            ),
        ]


class JudgementCheck(models.Model):
    """One check of a stored judgement: a requirement (or declaration) of the edition, the value
    used (in the requirement's unit and basis), its status and margin (distance from the limit on
    the passing side; negative = beyond). ``beyond`` is the plain comparison the statistics count;
    ``first`` marks the first applicable check of its parameter in the judgement (one value per
    sample and parameter for counts and means)."""

    # no database constraint: rows are only written by maturity.judgements, with their judgement, in one
    # transaction; the constraint's deferred check was a lookup per check row at each commit (840 000 per run)
    judgement = models.ForeignKey(Judgement, on_delete=models.CASCADE, related_name="checks", db_constraint=False)
    # copied from the judgement, so statistics aggregate this table alone
    sample = models.ForeignKey(
        "lims.Sample", on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    edition = models.ForeignKey(
        StandardEdition, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
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
        indexes = [
            models.Index(
                fields=["edition", "decision_rule", "parameter", "judgement"],
                condition=models.Q(status="fail"),
                name="check_failing",
            ),
            models.Index(fields=["edition", "decision_rule", "category", "parameter"], name="check_statistics"),
            models.Index(
                fields=["edition", "decision_rule", "category", "parameter", "kind", "condition", "sample"],
                condition=models.Q(beyond=True),
                name="check_beyond",
            ),
        ]


class MarketStatistics(models.Model):
    """The statistics' per-limit aggregates of one edition × decision rule over the whole market view (one
    SQL aggregate over every stored check: about a second at 100 000 samples), kept until a judgement of that
    pair is written or dropped: every such write adds one to ``generation``; the aggregates are reused while
    ``computed_generation`` equals it. ``counts`` (samples per category and verdict) likewise give the list's
    exact count without counting 100 000 rows per request."""

    edition = models.ForeignKey(StandardEdition, on_delete=models.CASCADE, related_name="+")
    decision_rule = models.CharField(max_length=10)
    generation = models.BigIntegerField(default=0)
    computed_generation = models.BigIntegerField(null=True)
    aggregates = models.JSONField(default=list)
    counts_generation = models.BigIntegerField(null=True)
    counts = models.JSONField(default=list)  # [[category, verdict, samples], ...] at counts_generation

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["edition", "decision_rule"], name="one_market_statistics_per_pair")
        ]


class MaturityJudgement(models.Model):
    """The stored maturity verdict of one verified sample under one rule set (DOMAIN.md §5): what the pure
    engine (``rules.judge_maturity``) says for the sample's current results under the lab policy in force.
    Written when the results are verified, dropped on retest, rewritten on a category change (bark compost
    skips C/N), on a change of the lab-policy figures and by a maturity archive run (a new rule set).
    ``result`` is the engine's answer as shown on the pages (indicators, values, criteria); ``verdict``
    is the column the market view filters and counts on."""

    sample = models.ForeignKey("lims.Sample", on_delete=models.CASCADE, related_name="maturity_judgements")
    rule_set = models.CharField(max_length=20)
    verdict = models.CharField(max_length=20)
    result = models.JSONField()
    judged_at = models.DateTimeField()
    run = models.ForeignKey(JudgementRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sample", "rule_set"], name="one_maturity_judgement_per_sample_rule_set")
        ]
        indexes = [models.Index(fields=["rule_set", "verdict", "sample"], name="maturity_verdict")]


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
    proposal = models.JSONField()  # Reading.as_dict(): zones, confidence, measures
    decision = models.CharField(max_length=20, choices=DECISIONS, default="proposed", db_index=True)
    decided_zones = models.JSONField(default=dict)
    center_corrected = models.BooleanField(default=False)
    middle_band_corrected = models.BooleanField(default=False)
    edge_corrected = models.BooleanField(default=False)
    assay = models.OneToOneField(
        Assay, null=True, blank=True, on_delete=models.PROTECT, related_name="chromatogram_reading"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("chromatogram reading")
        verbose_name_plural = _("chromatogram readings")

    def __str__(self):
        return f"chromatogram reading #{self.pk} of sample {self.sample_id}"
