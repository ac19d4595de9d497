"""Reads of the maturity app: current results, derived figures, verdicts.

A sample keeps one current value per parameter: the latest assay (not
invalidated) that reports it. Superseded and invalidated assays stay in the
history. Verdicts are always recomputed from the stored raw data and
results, never stored as free-standing numbers.
"""

from dataclasses import dataclass, field

from lims.messages import Message, gettext_noop, restored

from . import calculations as calc
from .compliance import ProductFacts, judge
from .errors import InputError
from .measurements import Measurement
from .models import Assay, Category, Declaration, MethodReference, Requirement, StandardEdition
from .policy import current_policy
from .rules import MaturityInput, judge_maturity
from .services import check_decision_rule, edition_mark_used
from .standards_io import Declaration as DeclarationDC
from .standards_io import Requirement as RequirementDC

# §12 results read by rule set ccqc_2001 (names of MaturityInput fields and parameter keys)
STABILITY_INPUTS = (
    "co2_c_mg_per_g_om_day",
    "solvita_co2",
    "dewar_rise_c",
    "nh4_n_mg_kg",
    "nh4_no3_ratio",
    "solvita_nh3",
)


def category_keys():
    return set(Category.objects.values_list("key", flat=True))


def category_names():
    """key -> (name_zh, name_en), newest edition's names last (wins)."""
    names = {}
    for c in Category.objects.select_related("edition").order_by("edition__in_force"):
        names[c.key] = (c.name_zh, c.name_en)
    return names


def method_references():
    """(method, parameter) -> reference dict (code, titles, LOD, reporting digits, scope, provider)."""
    return {(r.method, r.parameter): r.as_dict() for r in MethodReference.objects.all()}


@dataclass
class SampleFigures:
    measurements: dict = field(default_factory=dict)  # parameter -> Measurement (as reported)
    sources: dict = field(default_factory=dict)  # parameter -> Assay
    derived: dict = field(default_factory=dict)  # parameter -> float
    flags: list = field(default_factory=list)
    germination: Assay = None
    chromatogram: Assay = None
    observation: Assay = None
    qc_estimated: set = field(default_factory=set)  # parameters whose U was estimated from QC (qc app)
    cache: dict = field(default_factory=dict, repr=False, compare=False)  # shared by hooks over many samples

    def value(self, key):
        if key in self.derived:
            return self.derived[key]
        m = self.measurements.get(key)
        return m.value if m else None


def current_assays(sample):
    return sample.assays.exclude(status="invalidated").select_related("entered_by", "verified_by")


def _dry_floats(measurements):
    """Values for derivations (C/N, OM, RS/TC): dry basis; as-received values are
    converted with the moisture result, or left out when there is none."""
    moisture = measurements.get("moisture_pct")
    out = {}
    for key, m in measurements.items():
        if m.basis == "as_received" and key != "moisture_pct":
            if moisture is None or moisture.value >= 100:
                continue
            out[key] = m.value / (1 - moisture.value / 100)
        else:
            out[key] = m.value
    return out


# Hooks other apps register to complete the reported measurements (qc: U estimated from QC, < LOD).
FIGURE_HOOKS = []  # callables(figures) run before the derived figures are computed


def sample_figures(sample, assays=None, policy=None, cache=None):
    """The sample's current figures. ``cache``: a dict shared over many samples judged together, where the
    hooks keep what they read once (the QC limits)."""
    figures = SampleFigures(cache={} if cache is None else cache)
    for assay in assays if assays is not None else current_assays(sample):
        for key, m in assay.results.items():
            figures.measurements[key] = Measurement.from_dict(m)
            figures.sources[key] = assay
        if assay.method == "germination":
            figures.germination = assay
        elif assay.method == "chromatogram":
            figures.chromatogram = assay
        elif assay.method == "observation":
            figures.observation = assay
    for hook in FIGURE_HOOKS:
        hook(figures)
    om_source = figures.sources.get("organic_matter_pct")
    measured_om = om_source is not None and om_source.method == "direct"
    derived, flags = calc.derive(_dry_floats(figures.measurements), policy or current_policy(), measured_om)
    derivable = {"cn_ratio", "rs_tc_ratio_pct", "organic_matter_pct", "nh4_no3_ratio"}
    for key, value in derived.items():
        if key in derivable and not (key in figures.sources and figures.sources[key].method == "direct"):
            figures.derived[key] = value
    figures.flags = flags
    return figures


def maturity_input(sample, figures):
    g = figures.germination
    c = figures.chromatogram
    return MaturityInput(
        relative_germination_pct=figures.value("relative_germination_pct") if g else None,
        relative_root_growth_pct=figures.value("relative_root_growth_pct") if g else None,
        germination_index_pct=figures.value("germination_index_pct") if g else None,
        germination_valid=g.valid if g else None,
        cn_ratio=figures.value("cn_ratio"),
        rs_tc_ratio_pct=figures.value("rs_tc_ratio_pct"),
        chromatogram_protocol=c.data.get("protocol") if c else None,
        chromatogram_score=int(figures.value("chromatogram_score")) if c else None,
        chromatogram_edge=c.data.get("edge") if c else None,
        bark_compost=sample.product.category == "bark_compost",
        **_stability_inputs(figures),
    )


def _stability_inputs(figures):
    """The §12 results on the dry basis (NH₄-N reported as received is converted with the moisture result,
    or counts as missing without one), derived figures (NH₄-N : NO₃-N) included."""
    dry = _dry_floats(figures.measurements)
    return {key: figures.derived[key] if key in figures.derived else dry.get(key) for key in STABILITY_INPUTS}


def sample_maturity(sample, rule_set="tari_1999", figures=None, policy=None):
    policy = policy or current_policy()
    figures = figures or sample_figures(sample, policy=policy)
    return judge_maturity(rule_set, maturity_input(sample, figures), policy)


def sample_maturity_verdict(sample, rule_set="tari_1999", figures=None, policy=None):
    """What the pages and the API show: a verified sample's stored maturity verdict under ``rule_set``
    (``maturity.judgements``, the engine's answer stored at verification); computed as
    :func:`sample_maturity` for a sample whose results are not verified (or not judged yet)."""
    from lims.lifecycle import RESULTS_RELEASED

    from .models import MaturityJudgement

    if sample.status in RESULTS_RELEASED:
        stored = (
            MaturityJudgement.objects.filter(sample_id=sample.pk, rule_set=rule_set)
            .values_list("result", flat=True)
            .first()
        )
        if stored is not None:
            return restored(stored)
    return sample_maturity(sample, rule_set, figures, policy)


def edition_or_error(code):
    edition = StandardEdition.objects.filter(code=code).first()
    if edition is None:
        known = tuple(StandardEdition.objects.values_list("code", flat=True))
        message = gettext_noop("Unknown standard edition '%(code)s'. Known: %(known)s.")
        known = known or Message("none_loaded", gettext_noop("none loaded"))
        raise InputError({"standard": [Message("unknown_standard", message, code=code, known=known)]})
    return edition


def edition_rules(edition, category):
    if not edition.categories.filter(key=category).exists():
        known = tuple(edition.categories.values_list("key", flat=True))
        message = gettext_noop("Unknown category '%(category)s' in %(edition)s. Known: %(known)s.")
        error = Message("unknown_category", message, category=category, edition=edition.code, known=known)
        raise InputError({"category": [error]})
    reqs = [
        RequirementDC(
            category=r.category,
            parameter=r.parameter,
            kind=r.kind,
            limit=r.limit,
            unit=r.unit,
            basis=r.basis,
            condition=r.condition,
            condition_text=r.condition_text,
            source=r.source,
        )
        for r in Requirement.objects.filter(edition=edition, category=category).order_by("id")
    ]
    decls = [
        DeclarationDC(category=d.category, key=d.key, text_zh=d.text_zh, text_en=d.text_en)
        for d in Declaration.objects.filter(edition=edition, category=category).order_by("id")
    ]
    return reqs, decls


def judgement_measurements(figures):
    """Reported measurements plus derived figures, for the compliance engine."""
    out = dict(figures.measurements)
    for key, value in figures.derived.items():
        unit = "%" if key.endswith("_pct") else ""
        out[key] = Measurement(value=value, unit=unit, basis="dry" if key == "organic_matter_pct" else "")
    return out


def sample_compliance(sample, standard=None, category=None, decision_rule=None, figures=None):
    from lims.models import LabSettings

    lab = LabSettings.current()
    standard = standard or lab.default_standard
    decision_rule = decision_rule or lab.default_decision_rule
    check_decision_rule(decision_rule)
    edition = edition_or_error(standard)
    category = category or sample.product.category
    return compliance_of(
        sample, edition, category, edition_rules(edition, category), decision_rule, figures or sample_figures(sample)
    )


def compliance_of(sample, edition, category, rules, decision_rule, figures):
    """The compliance answer for a sample from what has been read: ``rules`` = edition_rules(edition, category)."""
    reqs, decls = rules
    product = ProductFacts(
        bagasse_based=sample.product.bagasse_based, chemical_fertilizer_added=sample.product.chemical_fertilizer_added
    )
    result = judge(reqs, decls, judgement_measurements(figures), product, decision_rule)
    edition_mark_used(edition, f"compliance of sample {sample.code}")
    return {"standard": edition.code, "standard_title": edition.title, "category": category, **result}


def sample_jurisdictions(sample, table="1999"):
    from .jurisdictions import by_jurisdiction, compare
    from .models import JurisdictionLimit

    limits = list(
        JurisdictionLimit.objects.filter(table=table).values(
            "jurisdiction", "jurisdiction_zh", "metal", "limit_low", "limit_high", "basis", "note"
        )
    )
    figures = sample_figures(sample)
    metals = compare(limits, figures.measurements)
    return {"table": table, "unit": "mg/kg", "basis": "dry", "metals": metals, "jurisdictions": by_jurisdiction(metals)}


def assess(
    *, category, results, standard=None, decision_rule=None, bagasse_based=False, chemical_fertilizer_added=False
):
    """The manufacturers' pre-check: judge entered results without storing anything.

    The results go through the same validation and unit handling as a
    `direct` assay; derived figures (C/N, OM from OC, RS/TC) are added."""
    from lims.models import LabSettings

    lab = LabSettings.current()
    standard = standard or lab.default_standard
    decision_rule = decision_rule or lab.default_decision_rule
    edition = edition_or_error(standard)
    reqs, decls = edition_rules(edition, category)
    try:
        outcome = calc.compute("direct", {"values": results})
    except InputError as e:
        raise InputError({k.replace("values.", "results.", 1): v for k, v in e.errors.items()})
    figures = SampleFigures(measurements=dict(outcome.results))
    derived, flags = calc.derive(
        _dry_floats(figures.measurements), current_policy(), measured_om="organic_matter_pct" in figures.measurements
    )
    figures.derived = {k: v for k, v in derived.items() if k not in figures.measurements}
    product = ProductFacts(bagasse_based=bagasse_based, chemical_fertilizer_added=chemical_fertilizer_added)
    result = judge(reqs, decls, judgement_measurements(figures), product, decision_rule)
    edition_mark_used(edition, "manufacturer's pre-check")
    return {"standard": edition.code, "standard_title": edition.title, "category": category, **result}


def display(parameter, method, value, uncertainty=None, qualifier="", unit="", rules=None):
    """The one display rule (maturity.reporting) for a figure: -> {"value", "uncertainty", "text"}.

    ``rules`` from :func:`method_references` (read once per response by callers that loop)."""
    from .reporting import precision_for, report

    rules = method_references() if rules is None else rules
    v, u = report(value, uncertainty, precision_for(rules, method or "", parameter or ""))
    text = f"{qualifier or ''}{v}" + (f" ± {u}" if u else "") + (f" {unit}" if unit else "")
    return {"value": v, "uncertainty": u, "text": text.strip()}


def chromatogram_readings(sample):
    from .models import ChromatogramReading

    return ChromatogramReading.objects.filter(sample=sample).select_related("created_by", "decided_by", "assay")


def chromatogram_reading_statistics(readings=None):
    """How often the photo analysis was right: decided readings, accepted, corrected (per zone), in SQL."""
    from django.db.models import Count, Q

    from .models import ChromatogramReading

    qs = ChromatogramReading.objects.all() if readings is None else readings
    c = qs.aggregate(
        read=Count("id"),
        decided=Count("id", filter=~Q(decision="proposed")),
        accepted=Count("id", filter=Q(decision="accepted")),
        corrected=Count("id", filter=Q(decision="corrected")),
        center=Count("id", filter=Q(center_corrected=True)),
        middle_band=Count("id", filter=Q(middle_band_corrected=True)),
        edge=Count("id", filter=Q(edge_corrected=True)),
    )
    decided = c["decided"]
    return {
        "read": c["read"],
        "decided": decided,
        "accepted": c["accepted"],
        "corrected": c["corrected"],
        "correction_rate": c["corrected"] / decided if decided else None,
        "corrected_by_zone": {z: c[z] for z in ("center", "middle_band", "edge")},
    }
