"""Issue 14: a criterion's parameter errors (``thermal.CriterionError``) reach the lab admin as Messages made from
their code (``composting.messages``), not as the pure module's English text; every code has its template."""

import ast
from pathlib import Path

import pytest

from composting import messages
from composting import thermal as th

RAISING = {  # code -> a criterion that raises it
    "criterion_kind_unknown": ("nope", {}),
    "criterion_params_object": ("pfrp", []),
    "criterion_organisms_list": ("organisms", {"organisms": []}),
    "criterion_organism_name": ("organisms", {"organisms": ["x"]}),
    "criterion_number_required": ("organisms", {"organisms": [{"name": "E. coli", "temperature_c": "55"}]}),
    "criterion_positive_required": ("reheat", {"rise_c": 0, "window_hours": 72}),
    "criterion_band_order": ("msw_window", {"low_c": 60, "high_c": 60, "run_c": 55, "days": 3}),
}


def raised_codes():
    """The codes thermal.py raises, read from its source: the second argument of every ``CriterionError(...)``."""
    tree = ast.parse(Path(th.__file__).read_text(encoding="utf-8"))
    codes = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "CriterionError":
            code = node.args[1]
            assert isinstance(code, ast.Constant), f"thermal.py:{node.lineno}: the code is not a literal"
            codes.add(code.value)
    return codes


def test_every_code_thermal_raises_has_a_template():
    codes = raised_codes()
    assert len(codes) == 7 and codes <= set(messages.TEMPLATES)
    assert codes == set(RAISING)  # each is exercised below


@pytest.mark.parametrize("code", sorted(RAISING))
def test_the_message_reads_as_the_modules_english_text(code):
    kind, params = RAISING[code]
    with pytest.raises(th.CriterionError) as e:
        th.validate(kind, params)
    assert e.value.code == code
    message = messages.criterion_message(e.value)
    assert message.code == code and message.english() == e.value.message
    shown = messages.criterion_field_message(e.value)
    assert shown.code == "criterion_invalid" and shown.english() == f"{e.value.field}: {e.value.message}"
