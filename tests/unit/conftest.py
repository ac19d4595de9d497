"""Hypothesis profiles. For mutation runs (``make mutation`` sets LIMS_MUTATION=1): fewer
examples, drawn deterministically, and no shrinking (a mutant is killed by the first failing example; shrinking
it only turned kills into time-outs), so each mutant is judged quickly and the same way every run. Tests that
fix their own ``max_examples`` keep it."""

import os

import pytest
from hypothesis import HealthCheck, Phase, settings

settings.register_profile(
    "mutation",
    max_examples=30,
    derandomize=True,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow],
)
# Outside mutation runs: Hypothesis' defaults, but no per-example deadline. The examples' speed is not what
# these tests judge, and on a shared, loaded machine a 200 ms deadline failed a correct batch-agreement test.
settings.register_profile("lims", deadline=None)
settings.load_profile("mutation" if os.environ.get("LIMS_MUTATION") == "1" else "lims")


@pytest.fixture(autouse=True)
def _english():
    """The pure modules' messages read in English here, as without Django (the pages and the API test Chinese)."""
    from django.utils import translation

    with translation.override("en"):
        yield
