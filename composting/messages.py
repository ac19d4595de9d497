"""User-readable messages of the pure modules' error codes, translatable (the pure modules import no Django).
Each template takes the same named placeholders as the pure module's English message."""

from django.utils.translation import gettext_lazy as _

TEMPLATES = {
    "mix_percent_range": _("%(name)s must be between 0 and 100"),
    "mix_no_carbon_no_nitrogen": _("a material needs carbon or nitrogen"),
    "mix_moisture_range": _("moisture must be at least 0 and below 100 %%"),
    "mix_bounds_order": _("the share bounds must satisfy 0 ≤ min ≤ max ≤ 100"),
    "mix_cost_range": _("the cost must be 0 or more"),
    "mix_target_cn_range": _("the target C/N must be above 0"),
    "mix_target_moisture_range": _("the target moisture must be above 0 and below 100 %%"),
    "mix_cn_outside_range": _("C/N %(target)s is outside the materials' range %(low)s–%(high)s"),
    "mix_two_materials_needed": _("choose at least two materials"),
    "mix_bounds_infeasible": _("the share bounds cannot add up to 100 %%"),
    "mix_lp_infeasible": _("C/N %(target)s cannot be met within the share bounds (materials' C/N %(low)s–%(high)s)"),
    "forecast_out_of_range": _("%(name)s must be %(rule)s"),
    "forecast_start_missing": _("no starting soil concentration for %(metal)s"),
}


def text(error):
    """The translated message of a MixError or ForecastError."""
    template = TEMPLATES.get(error.code)
    return str(template % error.params) if template is not None else str(error)


def field_errors(error):
    from rest_framework.exceptions import ErrorDetail

    return {error.field: [ErrorDetail(text(error), code=error.code)]}
