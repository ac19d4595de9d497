"""Pure assay calculations (DOMAIN.md §3, §4). No Django import.

``compute(method, data)`` validates the raw data of one assay, collecting every
problem into one :class:`~maturity.errors.InputError` (field path -> messages),
and returns an :class:`AssayOutcome` with the reported results (parameter key
-> :class:`~maturity.measurements.Measurement`), machine-readable flags, a
validity mark and intermediate figures for display.

``derive(current)`` computes the sample-level figures (C/N, organic matter,
RS/TC) from the sample's current results.

Raw data per method (numbers may be given as numeric strings; booleans, NaN,
infinity and other types are refused; fields not listed are refused too,
except a free-text ``note``):

``moisture`` (§4.1)
    ``wet_mass_g`` > 0, ``dry_mass_g`` > 0 and ≤ wet -> ``moisture_pct``.
``organic_carbon_wet_oxidation`` (§4.2)
    ``sample_mass_g`` > 0, ``ferrous_normality`` > 0, ``titrant_ml`` ≥ 0,
    optional ``blank_ml`` (> ``titrant_ml``), ``dichromate_normality``
    (default 1.0), ``dichromate_ml`` (default 20), ``correction_factor``
    (default ``LabPolicy.correction_factor``) -> ``organic_carbon_pct``,
    ``organic_matter_pct``.
``organic_carbon_combustion`` (§4.2)
    ``organic_carbon_pct``, optional ``total_carbon_pct`` (≥ OC), both 0–100
    -> those results and ``organic_matter_pct``.
``total_nitrogen_kjeldahl`` (§4.3)
    ``sample_mass_g`` > 0, ``acid_normality`` > 0, ``titrant_ml``,
    ``blank_ml`` ≥ 0 with titrant > blank -> ``total_nitrogen_pct``.
``germination`` (§4.5)
    ``protocol`` (``tari_cabbage`` | ``livestock_radish``), ``control`` and
    ``sample``: non-empty lists of dishes ``{"sown", "germinated",
    "mean_root_length_mm"}`` -> ``relative_germination_pct``,
    ``relative_root_growth_pct``, ``germination_index_pct``.
``reducing_sugar`` (§4.6)
    ``reducing_sugar_pct``, optional ``total_carbon_pct`` (else the sample's
    total carbon, else its organic carbon with a flag) -> ``reducing_sugar_pct``,
    ``rs_tc_ratio_pct`` (and ``total_carbon_pct`` when entered here).
``chromatogram`` (§4.7)
    ``protocol`` (``tari_agno3`` | ``livestock_naoh``), zones ``center``,
    ``middle_band``, ``edge`` (all three for ``tari_agno3``, ``edge`` for
    ``livestock_naoh``) -> ``chromatogram_score``.
``co2_evolution`` (§12, respirometry)
    ``co2_c_mg`` ≥ 0 (CO₂-C evolved), ``dry_mass_g`` > 0, ``organic_matter_pct``
    (0 < OM ≤ 100), ``days`` > 0 -> ``co2_c_mg_per_g_om_day`` =
    co2_c_mg / (dry_mass_g · OM/100) / days.
``solvita`` (§12)
    ``co2_colour`` (integer 1–8) and/or ``nh3_colour`` (integer 1–5), at least
    one -> ``solvita_co2``, ``solvita_nh3``.
``mineral_nitrogen`` (§12)
    ``nh4_n_mg_kg`` ≥ 0 and ``no3_n_mg_kg`` ≥ 0 (mg/kg dry) -> both and
    ``nh4_no3_ratio`` = NH₄-N / NO₃-N (not computed, flagged, when NO₃-N is 0).
``dewar`` (§12)
    ``ambient_temperature_c`` and ``max_temperature_c`` (−20–100 °C, max ≥
    ambient) -> ``dewar_rise_c`` = max − ambient.
``direct``
    ``values``: ``{parameter: {"value", "unit", "basis", "qualifier",
    "uncertainty"}}`` for analyser or external figures. Unit defaults to the
    parameter's canonical unit, basis to ``dry`` for contents
    (``as_received`` for moisture, ``''`` for non-contents), qualifier to ``''``.
    Accepted units: metals ``mg/kg`` or ``%`` (× 10 000); other %-parameters
    ``%``; EC ``dS/m``, ``mS/cm`` or ``mmho/cm`` (equal); CEC ``meq/100 g``
    or ``cmol/kg`` (equal); pH and ratios ``''``; particle size ``mm``.
``observation`` (§4.8)
    ``observations``: ``{key: value}``, at least one key, from:

    ======================== ============================================ =====================================
    key                      value                                        passes when
    ======================== ============================================ =====================================
    colour                   dark_brown | black_brown | yellow |          dark_brown or black_brown
                             yellow_brown
    odour                    earthy | aromatic | sour | putrid | ammonia  earthy or aromatic
    plastic_bag_test         inflates_immediately | inflates_slowly |     not inflates_immediately
                             does_not_inflate
    earthworm_test           burrows_in | escapes | dies                  burrows_in
    diphenylamine_test       blue | no_blue                               blue
    pollen_tube_test         comparable_to_control | inhibited            comparable_to_control
    seedling_pot_test        comparable_to_control | inhibited            comparable_to_control
    max_particle_mm          number ≥ 0 (also a result)                   < 25
    impurities_pct           number 0–100 (also a result)                 < 4.0
    peak_temperature_c       number                                       ≥ 70
    reheats_after_turning    bool                                         false (turning no longer re-heats)
    organic_matter_residual_ bool                                         true
    stable
    fermentation_days        number ≥ 0                                   ≥ 60 (handbook: 60–90 days)
    turnings                 integer ≥ 0                                  ≥ 6 (handbook: 6–7 or more)
    structure_fine_uniform   bool                                         true
    manure_odour             bool                                         false
    clumps_when_squeezed     bool                                         false
    note                     free text                                    (not judged)
    ======================== ============================================ =====================================

    ``details["observations"][key] = {"value", "criterion", "passed"}``
    (``passed`` is None for ``note``). ``details["comprehensive"]`` is the
    ch. 11 §4(5) judgement over fermentation_days, colour,
    structure_fine_uniform, manure_odour, clumps_when_squeezed,
    peak_temperature_c and turnings: ``"not_fully_mature"`` when any given
    item fails, else ``None`` when any is absent, else ``"fully_mature"``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal
from numbers import Real

from lims.messages import Message, Named, field_name, gettext_noop

from .errors import ErrorCollector, InputError
from .measurements import Measurement
from .parameters import DERIVED, METALS, PARAMETERS, UNITS_PER_PCT

__all__ = [
    "LabPolicy",
    "AssayOutcome",
    "METHODS",
    "FLAG_MESSAGES",
    "compute",
    "derive",
    "GERMINATION_PROTOCOLS",
    "CHROMATOGRAM_PROTOCOLS",
    "CHROMATOGRAM_ZONES",
    "OBSERVATIONS",
    "STABILITY_METHODS",
]


@dataclass(frozen=True)
class LabPolicy:
    """The **[lab policy]** figures of DOMAIN.md, settings with these defaults."""

    control_validity_pct: float = 70.0  # §4.5: assay invalid when G_control < this
    root_growth_not_inhibited_pct: float = 90.0  # §4.5: reading of "root growth not inhibited"
    relative_germination_mature_pct: float = 90.0
    dichromate_reduced_flag_pct: float = 75.0  # §4.2: incomplete oxidation above this
    correction_factor: float = 1.3  # §4.2: default recovery factor f
    organic_matter_factor: float = 1.72  # §4.2: OM = OC × 1.72
    rs_tc_mature_below_pct: float = 35.0  # §4.6
    cn_mature_below: float = 20.0  # §4.4
    gi_mature_pct: float = 80.0  # §5 zucconi_gi
    gi_intermediate_pct: float = 50.0


@dataclass
class AssayOutcome:
    """What one assay produces: results, flags, validity and display details."""

    results: dict[str, Measurement]
    flags: list[str]
    valid: bool = True
    details: dict = field(default_factory=dict)


METHODS = (
    "moisture",
    "organic_carbon_wet_oxidation",
    "organic_carbon_combustion",
    "total_nitrogen_kjeldahl",
    "germination",
    "reducing_sugar",
    "chromatogram",
    "direct",
    "observation",
    "co2_evolution",
    "solvita",
    "mineral_nitrogen",
    "dewar",
)
STABILITY_METHODS = ("co2_evolution", "solvita", "mineral_nitrogen", "dewar")  # §12

FLAG_MESSAGES = {
    "dichromate_reduced_over_limit": gettext_noop(
        "More than the lab's limit of the dichromate added was reduced, so oxidation "
        "may be incomplete: repeat with less sample."
    ),
    "organic_carbon_stands_in_for_total_carbon": gettext_noop(
        "Total carbon was not measured, so organic carbon stands in for it in the RS/TC ratio."
    ),
    "control_germination_below_validity": gettext_noop(
        "Control germination is below the lab's validity limit, so the germination assay is invalid."
    ),
    "control_germination_zero": gettext_noop(
        "No control seed germinated, so relative germination and the germination index are undefined."
    ),
    "control_root_length_zero": gettext_noop(
        "Control root length is zero, so relative root growth and the germination index are undefined."
    ),
    "no3_n_zero": gettext_noop("NO₃-N is zero, so the NH₄-N : NO₃-N ratio is undefined."),
}

GERMINATION_PROTOCOLS = ("tari_cabbage", "livestock_radish")
CHROMATOGRAM_PROTOCOLS = ("tari_agno3", "livestock_naoh")
# zone -> (fresh code, mature code), DOMAIN §4.7 / ch. 8 table 1
CHROMATOGRAM_ZONES = {
    "center": ("white_to_pink", "red_to_purple"),
    "middle_band": ("ring", "irregular"),
    "edge": ("smooth", "serrated"),
}

C_MG_PER_MEQ = 3.0  # §4.2: 3 mg C per meq dichromate reduced
N_ATOMIC_MASS = 14.007  # §4.3


# --------------------------------------------------------------------------- helpers


# Raw-data fields named inside messages: their labels (msgids shared with the pages).
FIELD_NAMES = {
    "wet_mass_g": gettext_noop("wet mass"),
    "dry_mass_g": gettext_noop("dry mass"),
    "sample_mass_g": gettext_noop("sample mass"),
    "ferrous_normality": gettext_noop("FeSO₄ normality"),
    "titrant_ml": gettext_noop("titrant volume"),
    "blank_ml": gettext_noop("blank volume"),
    "dichromate_normality": gettext_noop("K₂Cr₂O₇ normality"),
    "dichromate_ml": gettext_noop("K₂Cr₂O₇ volume"),
    "correction_factor": gettext_noop("correction factor f"),
    "acid_normality": gettext_noop("acid normality"),
    "organic_carbon_pct": gettext_noop("organic carbon"),
    "total_carbon_pct": gettext_noop("total carbon"),
    "reducing_sugar_pct": gettext_noop("reducing sugar"),
    "sown": gettext_noop("sown"),
    "germinated": gettext_noop("germinated"),
    "mean_root_length_mm": gettext_noop("mean root length"),
    "protocol": gettext_noop("protocol"),
    "center": gettext_noop("Centre"),
    "middle_band": gettext_noop("Middle band"),
    "edge": gettext_noop("Edge"),
    "ambient_temperature_c": gettext_noop("ambient temperature"),
}
REQUIRED = gettext_noop("is required")


def field(name):
    """A raw-data field inside a message: its API name in English, its label in Chinese."""
    return field_name(name, FIELD_NAMES)


def parameter(key):
    """A parameter inside a message: its code in English, its Chinese name in Chinese."""
    p = PARAMETERS.get(key) or DERIVED.get(key)
    return Named(key, p.name_zh) if p is not None else key


def required():
    return Message("required", REQUIRED)


def _fmt(x) -> str:
    """A number as it should read in a message: 25.0 -> '25', 0.1 -> '0.1'."""
    x = float(x)
    if x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    return repr(x)


def _measurement(
    key: str, value: float, uncertainty=None, qualifier: str = "", basis: str | None = None
) -> Measurement:
    """A result in the canonical unit and basis of parameter ``key`` (§3)."""
    p = PARAMETERS[key]
    count = isinstance(value, int) and not isinstance(value, bool)  # a score stays a whole number
    return Measurement(
        value=value if count else float(value),
        unit=p.unit,
        basis=p.basis if basis is None else basis,
        qualifier=qualifier,
        uncertainty=uncertainty,
    )


def _above_field(name, limit):
    """'must be ≤ wet_mass_g (10)': a value above another field's."""
    return Message("max_value", gettext_noop("must be ≤ %(field)s (%(limit)s)"), field=field(name), limit=limit)


def _below_field(name, limit):
    return Message("min_value", gettext_noop("must be ≥ %(field)s (%(limit)s)"), field=field(name), limit=limit)


class _Reader:
    """Reads typed fields from a dict, recording problems in an ErrorCollector."""

    def __init__(self, data: dict, errors: ErrorCollector, prefix: str = ""):
        self.data = data
        self.errors = errors
        self.prefix = prefix

    def path(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def reject_unknown(self, allowed) -> None:
        for key in self.data:
            if key not in allowed and key != "note":
                self.errors.add(self.path(str(key)), Message("unknown_field", gettext_noop("unknown field")))

    def number(self, name, *, required=True, default=None, gt=None, ge=None, le=None, integer=False):
        """A finite number (int, float, Decimal or numeric string), or None on error/absence."""
        path = self.path(name)
        raw = self.data.get(name)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if required:
                self.errors.add(path, Message("required", REQUIRED))
            return default
        value = _to_number(raw)
        if isinstance(value, Message):  # an error message
            self.errors.add(path, value)
            return None
        if integer and not value.is_integer():
            self.errors.add(path, Message("not_integer", gettext_noop("must be an integer")))
            return None
        ok = True
        if gt is not None and not value > gt:
            self.errors.add(path, Message("min_value", gettext_noop("must be > %(limit)s"), limit=_fmt(gt)))
            ok = False
        if ge is not None and not value >= ge:
            self.errors.add(path, Message("min_value", gettext_noop("must be ≥ %(limit)s"), limit=_fmt(ge)))
            ok = False
        if le is not None and not value <= le:
            self.errors.add(path, Message("max_value", gettext_noop("must be ≤ %(limit)s"), limit=_fmt(le)))
            ok = False
        if not ok:
            return None
        return int(value) if integer else value

    def choice(self, name, choices, *, required=True, what="code"):
        """``what``: 'code' ("unknown code 'x'"), 'field' ("unknown protocol 'x'"), 'field code' ("unknown edge
        code 'x'")."""
        path = self.path(name)
        raw = self.data.get(name)
        if raw is None or raw == "":
            if required:
                self.errors.add(path, Message("required", REQUIRED))
            return None
        if not isinstance(raw, str) or raw not in choices:
            if what == "field":
                message = gettext_noop("unknown %(field)s %(value)s; expected one of %(choices)s")
            elif what == "field code":
                message = gettext_noop("unknown %(field)s code %(value)s; expected one of %(choices)s")
            else:
                message = gettext_noop("unknown code %(value)s; expected one of %(choices)s")
            params = {"field": field(name)} if what != "code" else {}
            self.errors.add(path, Message("invalid_choice", message, value=repr(raw), choices=tuple(choices), **params))
            return None
        return raw


def _to_number(raw):
    """Float value of ``raw``, or an error :class:`Message` when it is not a finite number."""
    if isinstance(raw, bool):
        return Message("not_a_number", gettext_noop("must be a number, not a boolean"))
    if isinstance(raw, str):
        try:
            value = float(raw.strip())
        except ValueError:
            return Message("not_a_number", gettext_noop("must be a number (got %(value)s)"), value=repr(raw))
    elif isinstance(raw, (Real, Decimal)):
        try:
            value = float(raw)
        except (OverflowError, ValueError):
            return Message("not_finite", gettext_noop("must be a finite number"))
    else:
        return Message("not_a_number", gettext_noop("must be a number (got %(value)s)"), value=type(raw).__name__)
    if not math.isfinite(value):
        return Message("not_finite", gettext_noop("must be a finite number"))
    return value


def _require_mapping(data, errors: ErrorCollector, path: str) -> bool:
    if not isinstance(data, dict):
        errors.add(path, Message("not_an_object", gettext_noop("must be an object")))
        return False
    return True


def _required_object(data, key, shape, empty_message, errors: ErrorCollector) -> dict:
    """``data[key]``, the only field allowed, as a non-empty object; raises with every problem otherwise."""
    _Reader(data, errors).reject_unknown({key})
    value = data.get(key)
    if value is None:
        errors.add(key, Message("required", REQUIRED))
    elif not isinstance(value, dict):
        errors.add(key, Message("not_an_object", gettext_noop("must be an object of %(shape)s"), shape=shape))
    elif not value:
        errors.add(key, empty_message)
    errors.raise_if_any()
    return value


# --------------------------------------------------------------------------- methods


def _moisture(data, policy, context, errors) -> AssayOutcome:
    """§4.1 moisture_pct = (wet − dry) / wet × 100, as-received basis."""
    r = _Reader(data, errors)
    r.reject_unknown({"wet_mass_g", "dry_mass_g"})
    wet = r.number("wet_mass_g", gt=0)
    dry = r.number("dry_mass_g", gt=0)
    if wet is not None and dry is not None and dry > wet:
        errors.add("dry_mass_g", _above_field("wet_mass_g", _fmt(wet)))
    errors.raise_if_any()
    moisture = (wet - dry) / wet * 100.0
    return AssayOutcome(
        results={"moisture_pct": _measurement("moisture_pct", moisture)},
        flags=[],
        details={"wet_mass_g": wet, "dry_mass_g": dry, "water_g": wet - dry},
    )


def _organic_carbon_wet_oxidation(data, policy, context, errors) -> AssayOutcome:
    """§4.2 dichromate wet oxidation, titrated with ferrous sulfate."""
    r = _Reader(data, errors)
    r.reject_unknown(
        {
            "sample_mass_g",
            "ferrous_normality",
            "titrant_ml",
            "blank_ml",
            "dichromate_normality",
            "dichromate_ml",
            "correction_factor",
        }
    )
    mass = r.number("sample_mass_g", gt=0)
    n_fe = r.number("ferrous_normality", gt=0)
    v_sample = r.number("titrant_ml", ge=0)
    v_blank = r.number("blank_ml", required=False, ge=0)
    n_cr = r.number("dichromate_normality", required=False, default=1.0, gt=0)
    v_cr = r.number("dichromate_ml", required=False, default=20.0, gt=0)
    f = r.number("correction_factor", required=False, default=policy.correction_factor, gt=0)
    blank_given = data.get("blank_ml") not in (None, "")

    if v_blank is not None and v_sample is not None and not v_blank > v_sample:
        message = gettext_noop("blank volume below sample volume: must be > %(field)s (%(limit)s)")
        errors.add(
            "blank_ml", Message("blank_not_above_titrant", message, field=field("titrant_ml"), limit=_fmt(v_sample))
        )
    if not blank_given and None not in (n_fe, v_sample, n_cr, v_cr) and not n_cr * v_cr - n_fe * v_sample > 0:
        message = gettext_noop(
            "no dichromate reduced: ferrous_normality × titrant_ml (%(used)s meq) must be < dichromate added "
            "(%(added)s meq)"
        )
        errors.add(
            "titrant_ml", Message("no_dichromate_reduced", message, used=_fmt(n_fe * v_sample), added=_fmt(n_cr * v_cr))
        )
    errors.raise_if_any()

    if blank_given:
        added = n_fe * v_blank
        meq = n_fe * (v_blank - v_sample)
    else:
        added = n_cr * v_cr
        meq = added - n_fe * v_sample
    reduced_pct = meq / added * 100.0
    oc = meq * C_MG_PER_MEQ * f / (mass * 10.0)
    if oc > 100:
        message = gettext_noop(
            "gives organic carbon %(value)s %% (meq reduced × 3 × f / (sample_mass_g × 10)): a content cannot exceed "
            "100 %%; check sample_mass_g, titrant_ml and blank_ml"
        )
        errors.add("titrant_ml", Message("content_over_100", message, value=f"{oc:.4g}"))
        errors.raise_if_any()
    flags = []
    if reduced_pct > policy.dichromate_reduced_flag_pct:
        flags.append("dichromate_reduced_over_limit")
    return AssayOutcome(
        results={
            "organic_carbon_pct": _measurement("organic_carbon_pct", oc),
            "organic_matter_pct": _measurement("organic_matter_pct", oc * policy.organic_matter_factor),
        },
        flags=flags,
        details={
            "meq_reduced": meq,
            "dichromate_added_meq": added,
            "dichromate_reduced_pct": reduced_pct,
            "dichromate_reduced_limit_pct": policy.dichromate_reduced_flag_pct,
            "blank_used": blank_given,
            "correction_factor": f,
            "organic_matter_factor": policy.organic_matter_factor,
        },
    )


def _organic_carbon_combustion(data, policy, context, errors) -> AssayOutcome:
    """§4.2 dry combustion: an analyser's organic (and total) carbon entered directly."""
    r = _Reader(data, errors)
    r.reject_unknown({"organic_carbon_pct", "total_carbon_pct"})
    oc = r.number("organic_carbon_pct", ge=0, le=100)
    tc = r.number("total_carbon_pct", required=False, ge=0, le=100)
    if oc is not None and tc is not None and tc < oc:
        errors.add("total_carbon_pct", _below_field("organic_carbon_pct", _fmt(oc)))
    errors.raise_if_any()
    results = {
        "organic_carbon_pct": _measurement("organic_carbon_pct", oc),
        "organic_matter_pct": _measurement("organic_matter_pct", oc * policy.organic_matter_factor),
    }
    if tc is not None:
        results["total_carbon_pct"] = _measurement("total_carbon_pct", tc)
    return AssayOutcome(results=results, flags=[], details={"organic_matter_factor": policy.organic_matter_factor})


def _total_nitrogen_kjeldahl(data, policy, context, errors) -> AssayOutcome:
    """§4.3 TN % = (V_sample − V_blank) × N_acid × 14.007 / (mass_g × 1000) × 100."""
    r = _Reader(data, errors)
    r.reject_unknown({"sample_mass_g", "acid_normality", "titrant_ml", "blank_ml"})
    mass = r.number("sample_mass_g", gt=0)
    n_acid = r.number("acid_normality", gt=0)
    v_sample = r.number("titrant_ml", ge=0)
    v_blank = r.number("blank_ml", ge=0)
    if v_sample is not None and v_blank is not None and not v_sample > v_blank:
        message = gettext_noop("must be > %(field)s (%(limit)s)")
        errors.add("titrant_ml", Message("min_value", message, field=field("blank_ml"), limit=_fmt(v_blank)))
    errors.raise_if_any()
    tn = (v_sample - v_blank) * n_acid * N_ATOMIC_MASS / (mass * 1000.0) * 100.0
    if tn > 100:
        message = gettext_noop(
            "gives total nitrogen %(value)s %% ((titrant − blank) × N × 14.007 / mass): a content cannot exceed "
            "100 %%; check sample_mass_g, titrant_ml and blank_ml"
        )
        errors.add("titrant_ml", Message("content_over_100", message, value=f"{tn:.4g}"))
        errors.raise_if_any()
    return AssayOutcome(
        results={"total_nitrogen_pct": _measurement("total_nitrogen_pct", tn)},
        flags=[],
        details={"net_titrant_ml": v_sample - v_blank, "n_mg": (v_sample - v_blank) * n_acid * N_ATOMIC_MASS},
    )


def _read_dishes(data, name, errors):
    """A group of germination dishes: list of (sown, germinated, mean_root_length_mm)."""
    raw = data.get(name)
    if raw is None:
        errors.add(name, required())
        return None
    if not isinstance(raw, (list, tuple)):
        errors.add(name, Message("not_a_list", gettext_noop("must be a list of dishes")))
        return None
    if not raw:
        errors.add(name, Message("required", gettext_noop("at least one dish is required")))
        return None
    dishes, ok = [], True
    for i, dish in enumerate(raw):
        prefix = f"{name}.{i}"
        if not _require_mapping(dish, errors, prefix):
            ok = False
            continue
        r = _Reader(dish, errors, prefix=prefix + ".")
        r.reject_unknown({"sown", "germinated", "mean_root_length_mm"})
        sown = r.number("sown", integer=True, ge=1)
        germinated = r.number("germinated", integer=True, ge=0)
        length = r.number("mean_root_length_mm", ge=0)
        if sown is not None and germinated is not None and germinated > sown:
            errors.add(f"{prefix}.germinated", _above_field("sown", sown))
            ok = False
        if None in (sown, germinated, length):
            ok = False
        else:
            dishes.append((sown, germinated, length))
    return dishes if ok else None


def _group_figures(dishes):
    """§4.5 G = Σgerminated / Σsown; L = Σ(length × germinated) / Σgerminated (0 if none)."""
    sown = sum(d[0] for d in dishes)
    germinated = sum(d[1] for d in dishes)
    g = germinated / sown
    l = math.fsum(d[2] * d[1] for d in dishes) / germinated if germinated else 0.0
    return sown, germinated, g, l


def _germination(data, policy, context, errors) -> AssayOutcome:
    """§4.5 germination test: relative germination, relative root growth, GI."""
    r = _Reader(data, errors)
    r.reject_unknown({"protocol", "control", "sample"})
    protocol = r.choice("protocol", GERMINATION_PROTOCOLS, what="field")
    control = _read_dishes(data, "control", errors)
    sample = _read_dishes(data, "sample", errors)
    errors.raise_if_any()

    c_sown, c_germ, g_c, l_c = _group_figures(control)
    s_sown, s_germ, g_s, l_s = _group_figures(sample)
    flags, valid, results = [], True, {}
    if g_c * 100.0 < policy.control_validity_pct:
        flags.append("control_germination_below_validity")
        valid = False
    rg = rrg = None
    if g_c == 0:
        flags.append("control_germination_zero")
        valid = False
    else:
        rg = g_s / g_c * 100.0
        results["relative_germination_pct"] = _measurement("relative_germination_pct", rg)
    if l_c == 0:
        flags.append("control_root_length_zero")
        valid = False
    else:
        rrg = l_s / l_c * 100.0
        results["relative_root_growth_pct"] = _measurement("relative_root_growth_pct", rrg)
    if rg is not None and rrg is not None:
        results["germination_index_pct"] = _measurement("germination_index_pct", rg * rrg / 100.0)
    return AssayOutcome(
        results=results,
        flags=flags,
        valid=valid,
        details={
            "protocol": protocol,
            "control_sown": c_sown,
            "control_germinated": c_germ,
            "sample_sown": s_sown,
            "sample_germinated": s_germ,
            "g_control": g_c,
            "g_sample": g_s,
            "l_control_mm": l_c,
            "l_sample_mm": l_s,
            "control_validity_pct": policy.control_validity_pct,
        },
    )


def _reducing_sugar(data, policy, context, errors) -> AssayOutcome:
    """§4.6 RS/TC % = reducing_sugar_pct / total_carbon_pct × 100 (OC stands in, flagged)."""
    r = _Reader(data, errors)
    r.reject_unknown({"reducing_sugar_pct", "total_carbon_pct"})
    rs = r.number("reducing_sugar_pct", ge=0, le=100)
    tc = r.number("total_carbon_pct", required=False, gt=0, le=100)
    context = context or {}
    flags = []
    source = None
    if data.get("total_carbon_pct") in (None, ""):
        carbon, source = _carbon_from_context(context, errors)
        if source == "organic_carbon_pct (sample result)":
            flags.append("organic_carbon_stands_in_for_total_carbon")
    else:
        carbon, source = tc, "total_carbon_pct (entered)"
    errors.raise_if_any()
    ratio = rs / carbon * 100.0
    results = {
        "reducing_sugar_pct": _measurement("reducing_sugar_pct", rs),
        "rs_tc_ratio_pct": _measurement("rs_tc_ratio_pct", ratio),
    }
    if tc is not None:
        # an entered total carbon is a result of its own, so derive() recomputes the same ratio
        results["total_carbon_pct"] = _measurement("total_carbon_pct", tc)
    return AssayOutcome(
        results=results,
        flags=flags,
        details={"carbon_pct": carbon, "carbon_source": source},
    )


def _context_value(context, key):
    value = context.get(key)
    if value is None:
        return None
    value = _to_number(value)
    if isinstance(value, Message):
        return None
    return value


def _carbon_from_context(context, errors):
    """The sample's total carbon, else its organic carbon, for §4.6."""
    for key, source in (
        ("total_carbon_pct", "total_carbon_pct (sample result)"),
        ("organic_carbon_pct", "organic_carbon_pct (sample result)"),
    ):
        value = _context_value(context, key)
        if value is not None:
            if value <= 0:
                message = gettext_noop("the sample's %(parameter)s result (%(value)s) must be > 0")
                errors.add(
                    "total_carbon_pct", Message("min_value", message, parameter=parameter(key), value=_fmt(value))
                )
                return None, None
            return value, source
    message = gettext_noop("required: the sample has no total or organic carbon result")
    errors.add("total_carbon_pct", Message("carbon_result_required", message))
    return None, None


def _chromatogram(data, policy, context, errors) -> AssayOutcome:
    """§4.7 filter-paper chromatogram: score = zones showing the mature feature."""
    r = _Reader(data, errors)
    r.reject_unknown({"protocol", *CHROMATOGRAM_ZONES})
    protocol = r.choice("protocol", CHROMATOGRAM_PROTOCOLS, what="field")
    zones = {}
    for zone, codes in CHROMATOGRAM_ZONES.items():
        required = protocol == "tari_agno3" or zone == "edge"
        code = r.choice(zone, codes, required=required, what="field code")
        if code is not None:
            zones[zone] = code
    errors.raise_if_any()

    zone_details = {z: {"value": code, "mature": code == CHROMATOGRAM_ZONES[z][1]} for z, code in zones.items()}
    score = sum(1 for z in zone_details.values() if z["mature"])
    reading = chromatogram_reading(protocol, score, zones.get("edge"))
    return AssayOutcome(
        results={"chromatogram_score": _measurement("chromatogram_score", score)},
        flags=[],
        details={"protocol": protocol, "zones": zone_details, "reading": reading},
    )


def chromatogram_reading(protocol: str, score: int | None, edge: str | None) -> str | None:
    """§4.7: tari_agno3 3 mature, 1–2 intermediate, 0 immature; livestock_naoh by the edge."""
    if protocol == "livestock_naoh":
        if edge is None:
            return None
        return "mature" if edge == "serrated" else "immature"
    if score is None:
        return None
    if score >= 3:
        return "mature"
    return "intermediate" if score >= 1 else "immature"


# stability (§12) -------------------------------------------------------------

SOLVITA_CO2_RANGE = (1, 8)
SOLVITA_NH3_RANGE = (1, 5)


def _co2_evolution(data, policy, context, errors) -> AssayOutcome:
    """§12 respirometry: co2_c_mg_per_g_om_day = CO2-C mg / (dry g · OM %/100) / days."""
    r = _Reader(data, errors)
    r.reject_unknown({"co2_c_mg", "dry_mass_g", "organic_matter_pct", "days"})
    co2_c = r.number("co2_c_mg", ge=0)
    dry = r.number("dry_mass_g", gt=0)
    om = r.number("organic_matter_pct", gt=0, le=100)
    days = r.number("days", gt=0)
    errors.raise_if_any()
    om_g = dry * om / 100.0
    rate = co2_c / om_g / days
    return AssayOutcome(
        results={"co2_c_mg_per_g_om_day": _measurement("co2_c_mg_per_g_om_day", rate)},
        flags=[],
        details={"organic_matter_g": om_g, "co2_c_mg_per_g_om": co2_c / om_g, "days": days},
    )


def _solvita(data, policy, context, errors) -> AssayOutcome:
    """§12 Solvita colour numbers: CO2 1–8, NH3 1–5 (at least one)."""
    r = _Reader(data, errors)
    r.reject_unknown({"co2_colour", "nh3_colour"})
    given = [k for k in ("co2_colour", "nh3_colour") if data.get(k) not in (None, "")]
    co2 = r.number("co2_colour", required=False, ge=SOLVITA_CO2_RANGE[0], le=SOLVITA_CO2_RANGE[1], integer=True)
    nh3 = r.number("nh3_colour", required=False, ge=SOLVITA_NH3_RANGE[0], le=SOLVITA_NH3_RANGE[1], integer=True)
    if not given:
        errors.add("co2_colour", required())
        errors.add("nh3_colour", required())
    errors.raise_if_any()
    results = {}
    if co2 is not None:
        results["solvita_co2"] = _measurement("solvita_co2", co2)
    if nh3 is not None:
        results["solvita_nh3"] = _measurement("solvita_nh3", nh3)
    return AssayOutcome(results=results, flags=[], details={})


def _mineral_nitrogen(data, policy, context, errors) -> AssayOutcome:
    """§12 NH4-N and NO3-N (mg/kg dry) and their ratio."""
    r = _Reader(data, errors)
    r.reject_unknown({"nh4_n_mg_kg", "no3_n_mg_kg"})
    nh4 = r.number("nh4_n_mg_kg", ge=0)
    no3 = r.number("no3_n_mg_kg", ge=0)
    errors.raise_if_any()
    results = {"nh4_n_mg_kg": _measurement("nh4_n_mg_kg", nh4), "no3_n_mg_kg": _measurement("no3_n_mg_kg", no3)}
    flags = []
    if no3 > 0:
        results["nh4_no3_ratio"] = _measurement("nh4_no3_ratio", nh4 / no3)
    else:
        flags.append("no3_n_zero")
    return AssayOutcome(results=results, flags=flags, details={"mineral_n_mg_kg": nh4 + no3})


def _dewar(data, policy, context, errors) -> AssayOutcome:
    """§12 Dewar self-heating: rise = maximum − ambient temperature."""
    r = _Reader(data, errors)
    r.reject_unknown({"ambient_temperature_c", "max_temperature_c"})
    ambient = r.number("ambient_temperature_c", ge=-20, le=100)
    peak = r.number("max_temperature_c", ge=-20, le=100)
    if ambient is not None and peak is not None and peak < ambient:
        errors.add("max_temperature_c", _below_field("ambient_temperature_c", _fmt(ambient)))
    errors.raise_if_any()
    return AssayOutcome(
        results={"dewar_rise_c": _measurement("dewar_rise_c", peak - ambient)},
        flags=[],
        details={"ambient_temperature_c": ambient, "max_temperature_c": peak},
    )


# direct entry ---------------------------------------------------------------

_EC_UNITS = {"dS/m": 1.0, "mS/cm": 1.0, "mmho/cm": 1.0}
_CEC_UNITS = {"meq/100 g": 1.0, "meq/100g": 1.0, "cmol/kg": 1.0, "cmol(+)/kg": 1.0}


def _accepted_units(key: str) -> dict[str, float]:
    """Accepted unit -> factor to the canonical unit of parameter ``key``."""
    if key in METALS:
        return {"mg/kg": 1.0, "%": UNITS_PER_PCT["mg/kg"] / UNITS_PER_PCT["%"]}
    if key == "ec_ds_m":
        return _EC_UNITS
    if key == "cec_meq_100g":
        return _CEC_UNITS
    return {PARAMETERS[key].unit: 1.0}


def _direct(data, policy, context, errors) -> AssayOutcome:
    """Values entered as reported (analyser, external lab), converted to canonical units."""
    values = _required_object(
        data,
        "values",
        "parameter -> value",
        Message("required", gettext_noop("at least one value is required")),
        errors,
    )

    results, conversions = {}, {}
    for key, entry in values.items():
        path = f"values.{key}"
        if key not in PARAMETERS:
            errors.add(
                path, Message("unknown_parameter", gettext_noop("unknown parameter %(parameter)s"), parameter=repr(key))
            )
            continue
        if isinstance(entry, dict):
            m = _direct_value(key, entry, path, errors)
        else:
            message = gettext_noop("must be an object with value, unit, basis, qualifier, uncertainty")
            errors.add(path, Message("not_an_object", message))
            m = None
        if m is not None:
            results[key], factor, unit = m
            if factor != 1.0 or unit != results[key].unit:
                conversions[key] = {"from_unit": unit, "factor": factor}
    errors.raise_if_any()
    return AssayOutcome(results=results, flags=[], details={"conversions": conversions})


def _direct_value(key, entry, path, errors):
    p = PARAMETERS[key]
    n_before = sum(len(v) for v in errors.errors.values())
    r = _Reader(entry, errors, prefix=path + ".")
    r.reject_unknown({"value", "unit", "basis", "qualifier", "uncertainty"})

    units = _accepted_units(key)
    unit = entry.get("unit", p.unit)
    unit = "" if unit is None else unit
    if unit not in units:
        shown = ", ".join(repr(u) for u in units)
        message = gettext_noop("unit %(unit)s not accepted for %(parameter)s; expected %(expected)s")
        errors.add(
            r.path("unit"),
            Message("unit_not_accepted", message, unit=repr(unit), parameter=parameter(key), expected=shown),
        )
    factor = units.get(unit, 1.0)

    is_content = p.basis in ("dry", "as_received")
    if key == "moisture_pct":
        bases = ("as_received",)
    elif is_content:
        bases = ("dry", "as_received")
    else:
        bases = ("",)
    basis = entry.get("basis")
    if basis is None or basis == "":  # not given: the parameter's default basis
        basis = bases[0]
    if basis not in bases:
        message = gettext_noop("basis %(basis)s not accepted for %(parameter)s; expected %(expected)s")
        shown = " or ".join(repr(b) for b in bases)
        errors.add(
            r.path("basis"),
            Message("basis_not_accepted", message, basis=repr(basis), parameter=parameter(key), expected=shown),
        )

    qualifier = entry.get("qualifier") or ""
    if qualifier not in ("", "<"):
        message = gettext_noop("qualifier %(qualifier)s not accepted; expected '' or '<'")
        errors.add(r.path("qualifier"), Message("qualifier_not_accepted", message, qualifier=repr(qualifier)))

    if key == "ph":
        value = r.number("value", ge=0, le=14)
    elif key == "chromatogram_score":
        value = r.number("value", ge=0, le=3, integer=True)
    elif key == "solvita_co2":
        value = r.number("value", ge=SOLVITA_CO2_RANGE[0], le=SOLVITA_CO2_RANGE[1], integer=True)
    elif key == "solvita_nh3":
        value = r.number("value", ge=SOLVITA_NH3_RANGE[0], le=SOLVITA_NH3_RANGE[1], integer=True)
    elif p.unit == "%" and is_content or (key in METALS and unit == "%"):
        value = r.number("value", ge=0, le=100)
    else:
        value = r.number("value", ge=0)
    uncertainty = r.number("uncertainty", required=False, ge=0)

    if sum(len(v) for v in errors.errors.values()) != n_before:
        return None
    u = None if uncertainty is None else uncertainty * factor
    return _measurement(key, value * factor, uncertainty=u, qualifier=qualifier, basis=basis), factor, unit


# observations ---------------------------------------------------------------


@dataclass(frozen=True)
class _Obs:
    kind: str  # "enum" | "number" | "integer" | "bool" | "text"
    criterion: str | None
    passing: tuple = ()  # enum: passing codes; bool: (passing bool,)
    choices: tuple = ()
    ge: float | None = None
    le: float | None = None
    below: float | None = None  # number passes when value < below
    at_least: float | None = None  # number passes when value ≥ at_least


_VS_CONTROL = ("comparable_to_control", "inhibited")

OBSERVATIONS = {
    "colour": _Obs(
        "enum",
        "dark brown or black-brown (yellow or yellow-brown = poor)",
        passing=("dark_brown", "black_brown"),
        choices=("dark_brown", "black_brown", "yellow", "yellow_brown"),
    ),
    "odour": _Obs(
        "enum",
        "earthy or aromatic; no sour, putrid or strong ammonia odour",
        passing=("earthy", "aromatic"),
        choices=("earthy", "aromatic", "sour", "putrid", "ammonia"),
    ),
    "plastic_bag_test": _Obs(
        "enum",
        "bag does not inflate immediately (cannot confirm full maturity)",
        passing=("inflates_slowly", "does_not_inflate"),
        choices=("inflates_immediately", "inflates_slowly", "does_not_inflate"),
    ),
    "earthworm_test": _Obs(
        "enum",
        "earthworms burrow into the compost (escape or death = immature)",
        passing=("burrows_in",),
        choices=("burrows_in", "escapes", "dies"),
    ),
    "diphenylamine_test": _Obs(
        "enum", "blue colour reaction (cattle-manure compost)", passing=("blue",), choices=("blue", "no_blue")
    ),
    "pollen_tube_test": _Obs(
        "enum",
        "pollen-tube elongation comparable to the water control",
        passing=("comparable_to_control",),
        choices=_VS_CONTROL,
    ),
    "seedling_pot_test": _Obs(
        "enum",
        "pak-choi growth with compost comparable to the soil-only control",
        passing=("comparable_to_control",),
        choices=_VS_CONTROL,
    ),
    "max_particle_mm": _Obs("number", "particle size < 25 mm", ge=0, below=25.0),
    "impurities_pct": _Obs("number", "inert impurities < 4.0 %", ge=0, le=100, below=4.0),
    "peak_temperature_c": _Obs("number", "peak pile temperature ≥ 70 °C", ge=-50, le=100, at_least=70.0),
    "reheats_after_turning": _Obs("bool", "turning no longer re-heats the pile", passing=(False,)),
    "organic_matter_residual_stable": _Obs(
        "bool", "organic-matter residual rate stable (2 weeks chicken, 3–4 weeks pig or cattle manure)", passing=(True,)
    ),
    "fermentation_days": _Obs("number", "fermentation ≥ 60 days (handbook: 60–90 days)", ge=0, at_least=60.0),
    "turnings": _Obs("integer", "≥ 6 turnings (handbook: 6–7 or more)", ge=0, at_least=6),
    "structure_fine_uniform": _Obs("bool", "structure collapsed, fine and uniform", passing=(True,)),
    "manure_odour": _Obs("bool", "no manure odour", passing=(False,)),
    "clumps_when_squeezed": _Obs("bool", "dry, does not clump when squeezed", passing=(False,)),
    "note": _Obs("text", None),
}

# ch. 11 §4(5) comprehensive judgement: all met = fully mature
COMPREHENSIVE_ITEMS = (
    "fermentation_days",
    "colour",
    "structure_fine_uniform",
    "manure_odour",
    "clumps_when_squeezed",
    "peak_temperature_c",
    "turnings",
)


def _observation(data, policy, context, errors) -> AssayOutcome:
    """§4.8 qualitative maturity observations, each passed or failed on its criterion."""
    obs = _required_object(
        data,
        "observations",
        "observation -> value",
        Message("required", gettext_noop("at least one observation is required")),
        errors,
    )

    reader = _Reader(obs, errors, prefix="observations.")
    out, results = {}, {}
    for key, raw in obs.items():
        spec = OBSERVATIONS.get(key)
        path = reader.path(str(key))
        if spec is None:
            message = gettext_noop("unknown observation; expected one of %(choices)s")
            errors.add(path, Message("unknown_observation", message, choices=tuple(OBSERVATIONS)))
            continue
        if raw is None:
            continue
        if spec.kind == "enum":
            value = reader.choice(key, spec.choices)
            passed = None if value is None else value in spec.passing
        elif spec.kind in ("number", "integer"):
            value = reader.number(key, ge=spec.ge, le=spec.le, integer=spec.kind == "integer")
            passed = None
            if value is not None:
                passed = value < spec.below if spec.below is not None else value >= spec.at_least
        elif spec.kind == "bool":
            if not isinstance(raw, bool):
                errors.add(path, Message("not_a_boolean", gettext_noop("must be true or false")))
                continue
            value, passed = raw, raw in spec.passing
        else:  # text
            if not isinstance(raw, str):
                errors.add(path, Message("not_text", gettext_noop("must be text")))
                continue
            value, passed = raw, None
        if value is None:
            continue
        out[key] = {"value": value, "criterion": spec.criterion, "passed": passed}
        if key in ("max_particle_mm", "impurities_pct"):
            results[key] = _measurement(key, value)
    errors.raise_if_any()

    comprehensive = comprehensive_judgement(out)
    return AssayOutcome(
        results=results,
        flags=[],
        details={"observations": out, "comprehensive": comprehensive, "comprehensive_items": list(COMPREHENSIVE_ITEMS)},
    )


def comprehensive_judgement(observations: dict) -> str | None:
    """ch. 11 §4(5): any item failed -> not_fully_mature; any absent -> None; else fully_mature."""
    passed = [observations[k]["passed"] if k in observations else None for k in COMPREHENSIVE_ITEMS]
    if any(p is False for p in passed):
        return "not_fully_mature"
    if any(p is None for p in passed):
        return None
    return "fully_mature"


# --------------------------------------------------------------------------- entry points

_HANDLERS = {
    "moisture": _moisture,
    "organic_carbon_wet_oxidation": _organic_carbon_wet_oxidation,
    "organic_carbon_combustion": _organic_carbon_combustion,
    "total_nitrogen_kjeldahl": _total_nitrogen_kjeldahl,
    "germination": _germination,
    "reducing_sugar": _reducing_sugar,
    "chromatogram": _chromatogram,
    "direct": _direct,
    "observation": _observation,
    "co2_evolution": _co2_evolution,
    "solvita": _solvita,
    "mineral_nitrogen": _mineral_nitrogen,
    "dewar": _dewar,
}
assert tuple(_HANDLERS) == METHODS


def compute(
    method: str, data: dict, policy: LabPolicy = LabPolicy(), context: dict[str, float] | None = None
) -> AssayOutcome:
    """Validate the raw ``data`` of one assay and compute its results (DOMAIN §4).

    Raises InputError with every problem found, keyed by field path.
    ``context`` holds the sample's current results (dry basis), used by
    ``reducing_sugar`` when total carbon is not entered.
    """
    handler = _HANDLERS.get(method) if isinstance(method, str) else None
    if handler is None:
        message = gettext_noop("unknown method %(method)s; expected one of %(choices)s")
        raise InputError({"method": [Message("unknown_method", message, method=repr(method), choices=tuple(METHODS))]})
    errors = ErrorCollector()
    if not _require_mapping(data, errors, "non_field_errors"):
        errors.raise_if_any()
    return handler(data, policy, context, errors)


def _present(current, key):
    value = current.get(key)
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value


def derive(
    current: dict[str, float], policy: LabPolicy = LabPolicy(), measured_om: bool = False
) -> tuple[dict[str, float], list[str]]:
    """Sample-level derived figures from current dry-basis results.

    - cn_ratio = organic_carbon_pct / total_nitrogen_pct (§4.4)
    - organic_matter_pct = organic_carbon_pct × 1.72 unless measured directly (§4.2)
    - rs_tc_ratio_pct = reducing_sugar_pct / total_carbon_pct × 100, organic carbon
      standing in (flagged) when total carbon is absent (§4.6)
    - nh4_no3_ratio = nh4_n_mg_kg / no3_n_mg_kg when NO₃-N > 0 (§12), so imported or directly entered
      NH₄-N and NO₃-N give the ratio too
    """
    oc = _present(current, "organic_carbon_pct")
    tn = _present(current, "total_nitrogen_pct")
    tc = _present(current, "total_carbon_pct")
    rs = _present(current, "reducing_sugar_pct")
    errors = ErrorCollector()
    derived, flags = {}, []
    if oc is not None and tn is not None:
        if tn <= 0:
            errors.add("total_nitrogen_pct", Message("not_positive", gettext_noop("must be > 0 to compute C/N")))
        else:
            derived["cn_ratio"] = oc / tn
    if oc is not None and not measured_om:
        derived["organic_matter_pct"] = oc * policy.organic_matter_factor
    if rs is not None:
        if tc is not None:
            if tc <= 0:
                errors.add("total_carbon_pct", Message("not_positive", gettext_noop("must be > 0 to compute RS/TC")))
            else:
                derived["rs_tc_ratio_pct"] = rs / tc * 100.0
        elif oc is not None:
            if oc <= 0:
                message = gettext_noop("must be > 0 to stand in for total carbon in RS/TC")
                errors.add("organic_carbon_pct", Message("not_positive", message))
            else:
                derived["rs_tc_ratio_pct"] = rs / oc * 100.0
                flags.append("organic_carbon_stands_in_for_total_carbon")
    nh4, no3 = _present(current, "nh4_n_mg_kg"), _present(current, "no3_n_mg_kg")
    if nh4 is not None and no3 is not None and no3 > 0:
        derived["nh4_no3_ratio"] = nh4 / no3
    errors.raise_if_any()
    return derived, flags
