"""The messages of the pure modules' errors (``mix.MixError``, ``forecast.ForecastError``), by their code.

The pure modules keep an English text of their own (their exception's ``str``); what a person reads is the
:class:`lims.messages.Message` made here from the error's code and params: its template, marked for translation,
takes the same named placeholders as the pure module's English text."""

from lims.messages import Message, gettext_noop, term

TEMPLATES = {
    "mix_percent_range": gettext_noop("%(name)s must be between 0 and 100"),
    "mix_no_carbon_no_nitrogen": gettext_noop("a material needs carbon or nitrogen"),
    "mix_moisture_range": gettext_noop("moisture must be at least 0 and below 100 %%"),
    "mix_bounds_order": gettext_noop("the share bounds must satisfy 0 ≤ min ≤ max ≤ 100"),
    "mix_cost_range": gettext_noop("the cost must be 0 or more"),
    "mix_target_cn_range": gettext_noop("the target C/N must be above 0"),
    "mix_target_moisture_range": gettext_noop("the target moisture must be above 0 and below 100 %%"),
    "mix_cn_outside_range": gettext_noop("C/N %(target)s is outside the materials' range %(low)s–%(high)s"),
    "mix_two_materials_needed": gettext_noop("choose at least two materials"),
    "mix_bounds_infeasible": gettext_noop("the share bounds cannot add up to 100 %%"),
    "mix_lp_infeasible": gettext_noop(
        "C/N %(target)s cannot be met within the share bounds (materials' C/N %(low)s–%(high)s)"
    ),
    "forecast_out_of_range": gettext_noop("%(name)s must be %(rule)s"),
    "forecast_start_missing": gettext_noop("no starting soil concentration for %(metal)s"),
}

# forecast.check_inputs' rules (the ``rule`` param of forecast_out_of_range), read in the message's language
RULES = {
    "0 or more": gettext_noop("0 or more"),
    "at least 0 and below 100": gettext_noop("at least 0 and below 100"),
    "above 0 and at most 1000": gettext_noop("above 0 and at most 1000"),
    "above 0 and at most 200": gettext_noop("above 0 and at most 200"),
    "above 0 and at most 3": gettext_noop("above 0 and at most 3"),
}


def error_message(error):
    """The Message of a MixError or ForecastError: its code, the translatable template of the code, its params."""
    params = dict(error.params)
    if "rule" in params:
        params["rule"] = term(params["rule"], RULES)
    return Message(error.code, TEMPLATES.get(error.code, error.template), **params)


def field_errors(error):
    """{field: [Message]} of a MixError or ForecastError, for an InputError / the API's 400."""
    return {error.field: [error_message(error)]}
