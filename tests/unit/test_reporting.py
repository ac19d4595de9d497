"""Issue 17 item 2: reporting precision is a rule (GUM / ISO 80000-1), not a format string."""

import pytest

from maturity.reporting import DEFAULT, Precision, limit_text, precision_for, report, value_text


@pytest.mark.parametrize(
    "value,u,expected",
    [
        (88.235294, 14.705882, ("88", "15")),  # Cu of EXAMPLES.md on the dry basis
        (2.1, 0.1, ("2.10", "0.10")),
        (1.2, 0.08, ("1.200", "0.080")),
        (123.456, 9.96, ("123", "10")),  # U rounds up to a new decade: 10, value to units
        (0.0123456, 0.00123, ("0.0123", "0.0012")),
        (1520.0, 240.0, ("1520", "240")),
        (75.465, 0.5, ("75.47", "0.50")),
    ],
)
def test_value_rounded_to_the_last_digit_of_u_and_u_to_two_significant_figures(value, u, expected):
    assert report(value, u) == expected


@pytest.mark.parametrize(
    "value,precision,expected",
    [
        (7.4, Precision(decimals=1), "7.4"),  # pH: not '7.400'
        (3.1, Precision(decimals=2), "3.10"),
        (2.25, Precision(decimals=1), "2.3"),  # half up
        (43.875, Precision(decimals=2), "43.88"),
        (0.4, Precision(significant_figures=3), "0.400"),
        (88.2352941, Precision(significant_figures=3), "88.2"),
        (1234.5, Precision(significant_figures=2), "1200"),
        (3, Precision(decimals=0), "3"),
        (0.0, Precision(decimals=2), "0.00"),
    ],
)
def test_digits_without_u_follow_the_precision_data(value, precision, expected):
    assert value_text(value, precision) == expected
    assert report(value, None, precision) == (expected, "")


@pytest.mark.parametrize(
    "limit,expected", [(0.6, "0.6"), (100.0, "100"), (0.01, "0.01"), (800, "800"), (4.0, "4"), (2.5, "2.5")]
)
def test_limits_as_the_regulation_writes_them(limit, expected):
    assert limit_text(limit) == expected


def test_precision_lookup_method_then_parameter_then_default():
    rules = {
        ("*", "ph"): {"decimals": 1, "significant_figures": None},
        ("direct", "ph"): {"decimals": 2, "significant_figures": None},
        ("germination", ""): {"decimals": None, "significant_figures": None},
    }
    assert precision_for(rules, "direct", "ph") == Precision(decimals=2)
    assert precision_for(rules, "observation", "ph") == Precision(decimals=1)
    assert precision_for(rules, "germination", "ph") == Precision(decimals=1)  # method row without digits
    assert precision_for({}, "direct", "cu") == DEFAULT


def test_precision_needs_one_kind_of_digits():
    with pytest.raises(ValueError):
        Precision(decimals=1, significant_figures=2)
    with pytest.raises(ValueError):
        Precision()
