"""Entry-form fields and indicator names of the stability assays (DOMAIN.md §12), for the pages.

Each field: (raw-data name, label, unit, required, help, kind); the names are
the raw-data fields of :mod:`maturity.calculations`, so the generic form code
turns a submitted form into raw data and puts each error beside its input.
"""

from django.utils.translation import gettext_lazy as _

STABILITY_FIELDS = {
    "co2_evolution": (
        ("co2_c_mg", _("CO₂-C evolved"), "mg", True, "", "number"),
        ("dry_mass_g", _("Sample dry mass"), "g", True, "", "number"),
        ("organic_matter_pct", _("Organic matter of the sample"), "%", True, "", "number"),
        ("days", _("Incubation"), _("days"), True, "", "number"),
    ),
    "solvita": (
        ("co2_colour", _("Solvita CO₂ colour number"), "1–8", False, _("Enter one or both colour numbers."), "integer"),
        ("nh3_colour", _("Solvita NH₃ colour number"), "1–5", False, "", "integer"),
    ),
    "mineral_nitrogen": (
        ("nh4_n_mg_kg", _("NH₄-N"), "mg/kg", True, _("Dry basis."), "number"),
        ("no3_n_mg_kg", _("NO₃-N"), "mg/kg", True, _("Dry basis."), "number"),
    ),
    "dewar": (
        ("ambient_temperature_c", _("Ambient temperature"), "°C", True, "", "number"),
        ("max_temperature_c", _("Maximum temperature in the Dewar flask"), "°C", True, "", "number"),
    ),
}

# indicator names of rule set ccqc_2001 (maturity.ccqc) on the pages
CCQC_INDICATORS = {
    "co2_evolution": _("CO₂ evolution (respirometry)"),
    "solvita_co2": _("Solvita CO₂"),
    "dewar_rise": _("Dewar self-heating rise"),
    "nh4_n": _("NH₄-N"),
    "nh4_no3_ratio": _("NH₄-N : NO₃-N"),
    "solvita_nh3": _("Solvita NH₃"),
}

# the maturity rule sets (maturity.rules.RULE_SETS) as a person reads them, for choices on the pages
RULE_SET_LABELS = {
    "tari_1999": _("TARI 1999 (germination, C/N, reducing sugar, chromatogram)"),
    "zucconi_gi": _("Zucconi germination index"),
    "ccqc_2001": _("CCQC 2001 maturity index"),
}


def stability_fields(method):
    return STABILITY_FIELDS.get(method, ())
