"""The messages of the pure modules' errors (``mix.MixError``, ``forecast.ForecastError``,
``thermal.CriterionError``), by their code.

The pure modules keep an English text of their own (their exception's ``str``); what a person reads is the
:class:`lims.messages.Message` made here from the error's code and params: its template, marked for translation,
takes the same named placeholders as the pure module's English text."""

from lims.messages import Message, gettext_noop, term

from . import thermal

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
    # thermal.validate's checks of a criterion's parameters: ``key`` the parameter, ``kinds`` the criterion kinds
    "criterion_number_required": gettext_noop("%(key)s must be a number"),
    "criterion_positive_required": gettext_noop("%(key)s must be above 0"),
    "criterion_kind_unknown": gettext_noop("kind must be one of %(kinds)s"),
    "criterion_params_object": gettext_noop("params must be an object"),
    "criterion_organisms_list": gettext_noop("organisms must be a non-empty list"),
    "criterion_organism_name": gettext_noop("every organism needs a name"),
    "criterion_band_order": gettext_noop("high_c must be above low_c"),
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


def criterion_message(error):
    """The Message of a ``thermal.CriterionError``, from its code; the error keeps only its field and an English
    text, so the params come from the field (``key``: its last part) and the criterion kinds. A code without a
    template here reads as the error's English text."""
    params = {"field": error.field, "key": error.field.rsplit(".", 1)[-1], "kinds": list(thermal.KINDS)}
    return Message(error.code, TEMPLATES.get(error.code, error.message), **params)


def criterion_field_message(error):
    """``field: message``, as the criterion form shows it beside its parameters."""
    return Message(
        "criterion_invalid", gettext_noop("%(field)s: %(error)s"), field=error.field, error=criterion_message(error)
    )
