"""The date rules of a sample, one set for the API and the pages. Pure: no Django import.

Sampling cannot be in the future; receipt cannot be in the future nor before sampling."""

from lims.messages import Message, gettext_noop

FUTURE = gettext_noop("cannot be in the future (today is %(today)s).")


def sample_date_errors(sampled_on, received_on, today):
    """-> {field: [message]} (empty when the dates are fine). Dates may be None (not given)."""
    errors = {}
    if sampled_on and sampled_on > today:
        errors["sampled_on"] = [Message("date_in_future", FUTURE, today=str(today))]
    if received_on and received_on > today:
        errors["received_on"] = [Message("date_in_future", FUTURE, today=str(today))]
    if sampled_on and received_on and received_on < sampled_on:
        message = gettext_noop("cannot be before the sampling date (%(sampled_on)s).")
        errors.setdefault("received_on", []).append(
            Message("received_before_sampled", message, sampled_on=str(sampled_on))
        )
    return errors
