"""Entry-form fields of the stability assays (DOMAIN.md §12), as data for the sample page's forms.

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
        ("co2_colour", _("Solvita CO₂ colour number"), "1–8", False, _("Enter one or both colour numbers."),
         "integer"),
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


def stability_fields(method):
    return STABILITY_FIELDS.get(method, ())
