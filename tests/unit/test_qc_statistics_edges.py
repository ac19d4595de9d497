"""DOMAIN.md §13, written from the spec (issue #20): every QC figure against a hand-computed value, every limit
at, below and above, the zero and equal cases of every input bound, and the judgement's code, status and figures
(never message texts)."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qc import statistics as qs


def test_lab_policy_defaults_are_the_spec():
    assert qs.DEFAULT_RPD_LIMIT_PCT == 10 and (qs.DEFAULT_SPIKE_LOW_PCT, qs.DEFAULT_SPIKE_HIGH_PCT) == (80, 120)
    assert qs.CHART_BASELINE_POINTS == 20 and qs.MIN_BLANK_REPLICATES == 7
    assert (qs.LOD_FACTOR, qs.LOQ_FACTOR, qs.COVERAGE_FACTOR) == (3, 10, 2)
    assert (qs.PASS, qs.WARNING, qs.FAIL) == ("pass", "warning", "fail")


@pytest.mark.parametrize("bad", [None, True, False, "1", math.nan, math.inf, -math.inf, [1]])
def test_every_input_must_be_a_finite_number(bad):
    for call, field in (
        (lambda: qs.rpd(bad, 1), "a"),
        (lambda: qs.rpd(1, bad), "b"),
        (lambda: qs.judge_duplicate(1, 1, bad), "limit_pct"),
        (lambda: qs.recovery_pct(bad, 1), "value"),
        (lambda: qs.recovery_pct(1, bad), "assigned_value"),
        (lambda: qs.z_score(bad, 1, 1), "value"),
        (lambda: qs.z_score(1, bad, 1), "centre"),
        (lambda: qs.z_score(1, 1, bad), "s"),
        (lambda: qs.spike_recovery_pct(bad, 1, 1), "spiked"),
        (lambda: qs.spike_recovery_pct(1, bad, 1), "unspiked"),
        (lambda: qs.spike_recovery_pct(1, 1, bad), "added"),
        (lambda: qs.judge_spike(2, 1, 1, bad, 120), "low_pct"),
        (lambda: qs.judge_spike(2, 1, 1, 80, bad), "high_pct"),
        (lambda: qs.judge_blank(bad, 1), "value"),
        (lambda: qs.judge_blank(1, bad), "loq") if bad is not None else (lambda: qs.judge_blank(bad, 1), "value"),
        (lambda: qs.combine_uncertainty(bad, 1, 1), "u_rw_pct"),
        (lambda: qs.combine_uncertainty(1, bad, 1), "rms_bias_pct"),
        (lambda: qs.combine_uncertainty(1, 1, bad), "u_cref_pct"),
        (lambda: qs.detection_limits([1, 2, 3, 4, 5, 6, bad]), "blanks"),
        (lambda: qs.below_lod(bad, 1), "value"),
        (lambda: qs.below_lod(1, bad), "lod") if bad is not None else (lambda: qs.below_lod(bad, 1), "value"),
        (lambda: qs.absolute_uncertainty(bad, 1), "value"),
        (lambda: qs.absolute_uncertainty(1, bad), "expanded_pct"),
        (lambda: qs.chart_parameters([bad] + list(range(20))), "value"),
        (lambda: qs.nordtest([(1, 1, bad), (1, 1, 1)]), "u_cref_pct"),
    ):
        with pytest.raises(qs.QcError) as e:
            call()
        assert (e.value.code, e.value.field) == ("not_a_number", field)
        assert isinstance(e.value, ValueError) and field in str(e.value)


# --- duplicates: RPD = |a − b| / ((a + b)/2) × 100 ≤ 10 % -------------------------------------------------------


@pytest.mark.parametrize(
    "a,b,expected",
    [
        (10, 11, 100 / 10.5),  # 9.5238...
        (11, 10, 100 / 10.5),
        (9.5, 10.5, 10.0),  # exactly on the limit
        (90, 110, 20.0),
        (-10, -11, 100 / 10.5),  # negative values: the mean's size
        (0, 2, 200.0),
        (5, 5, 0.0),
        (0, 0, 0.0),
    ],
)
def test_rpd_by_hand(a, b, expected):
    assert qs.rpd(a, b) == pytest.approx(expected, rel=1e-9)


def test_rpd_of_a_zero_mean_is_refused():
    with pytest.raises(qs.QcError) as e:
        qs.rpd(1, -1)
    assert (e.value.code, e.value.field) == ("zero_mean", "b")


@pytest.mark.parametrize(
    "a,b,status,code",
    [
        (9.5, 10.5, "pass", "rpd_within_limit"),  # 10 % exactly
        (9.49, 10.5, "fail", "rpd_above_limit"),  # 10.0528 %
        (9.52, 10.5, "pass", "rpd_within_limit"),  # 9.99 %
        (0.95, 1.05, "pass", "rpd_within_limit"),  # 10 % after rounding of binary noise
    ],
)
def test_duplicate_at_below_above_the_default_limit(a, b, status, code):
    j = qs.judge_duplicate(a, b)
    assert (j.status, j.code) == (status, code)
    assert j.params == {"rpd": qs.rpd(a, b), "limit": 10.0}
    assert j.as_dict() == {"status": status, "code": code, "params": j.params}


def test_duplicate_limit_is_the_labs():
    assert qs.judge_duplicate(90, 110, 20).status == "pass"
    assert qs.judge_duplicate(90, 110, 19.99).status == "fail"
    assert qs.judge_duplicate(5, 5, 0).status == "pass"


# --- reference materials: recovery and z ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "x,ref,expected", [(9.5, 10, 95.0), (12, 10, 120.0), (0, 10, 0.0), (-1, 4, -25.0), (0.3, 0.1, 300.0)]
)
def test_recovery_by_hand(x, ref, expected):
    assert qs.recovery_pct(x, ref) == pytest.approx(expected, rel=1e-12)


def test_recovery_needs_a_non_zero_assigned_value():
    with pytest.raises(qs.QcError) as e:
        qs.recovery_pct(1, 0)
    assert (e.value.code, e.value.field) == ("zero_assigned_value", "assigned_value")


@pytest.mark.parametrize(
    "x,c,s,expected", [(12, 10, 1, 2.0), (7, 10, 1.5, -2.0), (10.3, 10, 0.1, 3.0), (10, 10, 5, 0.0)]
)
def test_z_by_hand(x, c, s, expected):
    assert qs.z_score(x, c, s) == expected  # rounded to 9 decimals: exactly on the line


@pytest.mark.parametrize("s", [0, 0.0, -1e-9, -1])
def test_z_needs_a_positive_s(s):
    with pytest.raises(qs.QcError) as e:
        qs.z_score(1, 1, s)
    assert (e.value.code, e.value.field) == ("s_not_positive", "s")


@pytest.mark.parametrize(
    "x,status,code",
    [
        (10.0, "pass", "reference_within_2s"),
        (10.2, "pass", "reference_within_2s"),  # z = 2 exactly
        (9.8, "pass", "reference_within_2s"),  # z = −2
        (10.2001, "warning", "reference_beyond_2s"),
        (9.7999, "warning", "reference_beyond_2s"),
        (10.3, "warning", "reference_beyond_2s"),  # z = 3 exactly
        (9.7, "warning", "reference_beyond_2s"),
        (10.3001, "fail", "reference_beyond_3s"),
        (9.6999, "fail", "reference_beyond_3s"),
    ],
)
def test_reference_at_below_above_2s_and_3s(x, status, code):
    j = qs.judge_reference(x, 10.0, 0.1)
    assert (j.status, j.code) == (status, code)
    assert j.params["z"] == qs.z_score(x, 10.0, 0.1)
    assert j.params["recovery"] == pytest.approx(x * 10, rel=1e-9)


def test_reference_with_a_zero_assigned_value_has_no_recovery():
    j = qs.judge_reference(0.1, 0, 0.1)
    assert j.params == {"z": 1.0, "recovery": None} and j.status == "pass"


# --- spikes: (spiked − unspiked) / added × 100 within 80–120 % ----------------------------------------------------


@pytest.mark.parametrize(
    "sp,un,add,expected", [(1.9, 1.0, 1.0, 90.0), (3.0, 1.0, 2.0, 100.0), (1.0, 1.0, 0.5, 0.0), (0.5, 1.0, 1.0, -50.0)]
)
def test_spike_recovery_by_hand(sp, un, add, expected):
    assert qs.spike_recovery_pct(sp, un, add) == pytest.approx(expected, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("added", [0, 0.0, -1e-9, -2])
def test_spike_needs_a_positive_amount_added(added):
    with pytest.raises(qs.QcError) as e:
        qs.spike_recovery_pct(2, 1, added)
    assert (e.value.code, e.value.field) == ("added_not_positive", "added")


@pytest.mark.parametrize(
    "spiked,status",
    [
        (1.8, "pass"),
        (1.7999, "fail"),
        (1.8001, "pass"),
        (2.2, "pass"),
        (2.2001, "fail"),
        (2.1999, "pass"),
        (2.0, "pass"),
    ],
)
def test_spike_at_below_above_80_and_120(spiked, status):
    j = qs.judge_spike(spiked, 1.0, 1.0)
    assert j.status == status and j.code == ("spike_within_range" if status == "pass" else "spike_outside_range")
    assert j.params == {"recovery": qs.spike_recovery_pct(spiked, 1.0, 1.0), "low": 80.0, "high": 120.0}


def test_spike_range_is_the_labs_and_inclusive():
    assert qs.judge_spike(1.9, 1.0, 1.0, 90, 110).status == "pass"
    assert qs.judge_spike(2.1, 1.0, 1.0, 90, 110).status == "pass"
    assert qs.judge_spike(1.89, 1.0, 1.0, 90, 110).status == "fail"
    assert qs.judge_spike(2.11, 1.0, 1.0, 90, 110).status == "fail"
    assert qs.judge_spike(2.0, 1.0, 1.0, 100, 100).status == "pass"


# --- blanks: value < LOQ -------------------------------------------------------------------------------------------


def test_blank_at_below_above_loq():
    for value, status, code in (
        (0.99, "pass", "blank_below_loq"),
        (1.0, "fail", "blank_at_or_above_loq"),
        (1.01, "fail", "blank_at_or_above_loq"),
        (0, "pass", "blank_below_loq"),
    ):
        j = qs.judge_blank(value, 1.0)
        assert (j.status, j.code, j.params) == (status, code, {"value": float(value), "loq": 1.0})
    j = qs.judge_blank(0, None)
    assert (j.status, j.code, j.params) == ("warning", "loq_not_set", {"value": 0.0})
    assert qs.judge_blank(0, 0).status == "fail"  # 0 is not below an LOQ of 0


# --- control chart: centre and s of the first 20 accepted results --------------------------------------------


def test_chart_parameters_by_hand():
    values = list(range(1, 21))  # mean 10.5, sample variance 35
    centre, s = qs.chart_parameters(values + [1000, -1000])
    assert centre == pytest.approx(10.5, rel=1e-12) and s == pytest.approx(math.sqrt(35), rel=1e-12)
    assert qs.chart_parameters(values[:19]) is None
    assert qs.chart_parameters([1, 2, 3], n=3) == (2.0, 1.0)
    assert qs.chart_parameters([1, 2], n=2) == (1.5, pytest.approx(math.sqrt(0.5)))
    assert qs.chart_parameters([1], n=1) is None
    assert qs.chart_parameters([], n=0) is None
    with pytest.raises(qs.QcError) as e:
        qs.chart_parameters([5.0] * 20)
    assert (e.value.code, e.value.field) == ("s_not_positive", "s")


# --- Westgard rules --------------------------------------------------------------------------------------------


def rules(zs, runs=None):
    """Westgard on z-scores (centre 0, s 1)."""
    runs = runs or [None] * len(zs)
    return qs.westgard(list(zip(zs, runs)), 0.0, 1.0)


@pytest.mark.parametrize(
    "z,hits",
    [
        (2.0, []),
        (2.0001, ["1_2s"]),
        (-2.0001, ["1_2s"]),
        (3.0, ["1_2s"]),
        (3.0001, ["1_2s", "1_3s"]),
        (-3.0001, ["1_2s", "1_3s"]),
        (-3.0, ["1_2s"]),
    ],
)
def test_single_point_lines(z, hits):
    assert rules([z]) == [hits]


def test_2_2s_same_side_strictly_beyond():
    assert rules([2.1, 2.1])[1] == ["1_2s", "2_2s"]
    assert rules([-2.1, -2.1])[1] == ["1_2s", "2_2s"]
    assert rules([2.0, 2.1])[1] == ["1_2s"]
    assert rules([2.1, 2.0])[1] == []
    assert rules([-2.1, 2.1])[1] == ["1_2s"]
    assert rules([2.1, -2.1])[1] == ["1_2s"]
    assert rules([-2.0, -2.1])[1] == ["1_2s"]


def test_r_4s_opposite_sides_in_the_same_run():
    assert rules([2.1, 0, -2.1], ["r1", "r1", "r1"])[2] == ["1_2s", "R_4s"]
    assert rules([-2.1, 2.1], ["r1", "r1"])[1] == ["1_2s", "R_4s"]
    assert rules([2.1, -2.1], ["r1", "r2"])[1] == ["1_2s"]
    assert rules([2.1, -2.1], [None, None])[1] == ["1_2s"]
    assert rules([2.0, -2.1], ["r1", "r1"])[1] == ["1_2s"]
    assert rules([2.1, 2.1], ["r1", "r1"])[1] == ["1_2s", "2_2s"]
    assert rules([-2.1, 0.5], ["r1", "r1"])[1] == []


def test_4_1s():
    assert "4_1s" in rules([1.1, 1.1, 1.1, 1.1])[3]
    assert "4_1s" in rules([-1.1, -1.1, -1.1, -1.1])[3]
    assert rules([1.1, 1.1, 1.1, 1.1])[2] == []
    assert "4_1s" not in rules([1.0, 1.1, 1.1, 1.1])[3]
    assert "4_1s" not in rules([1.1, 1.1, 1.1, -1.1])[3]
    assert "4_1s" in rules([0, 1.1, 1.1, 1.1, 1.1])[4]
    assert "4_1s" not in rules([1.1, 0, 1.1, 1.1, 1.1])[4]


def test_10_x():
    assert rules([0.1] * 10)[9] == ["10_x"]
    assert rules([-0.1] * 10)[9] == ["10_x"]
    assert rules([0.1] * 9)[8] == []
    assert rules([0.0] + [0.1] * 9)[9] == []
    assert rules([-0.1] + [0.1] * 9)[9] == []
    assert rules([-0.1] + [0.1] * 10)[10] == ["10_x"]


def test_reject_is_any_rule_but_1_2s():
    assert qs.RULES == ("1_2s", "1_3s", "2_2s", "R_4s", "4_1s", "10_x")
    assert not qs.is_reject(["1_2s"]) and not qs.is_reject([])
    for r in ("1_3s", "2_2s", "R_4s", "4_1s", "10_x"):
        assert qs.is_reject([r]) and qs.is_reject(["1_2s", r])


def test_westgard_in_units_of_the_chart():
    out = qs.westgard([(10.0, "a"), (10.21, "a"), (9.69, "a")], 10.0, 0.1)
    assert out == [[], ["1_2s"], ["1_2s", "1_3s", "R_4s"]]


# --- uncertainty (Nordtest) -------------------------------------------------------------------------------------


def test_worked_uncertainty():
    u = qs.combine_uncertainty(3.0, 2.0, 1.5, n=12)
    assert u.u_bias_pct == pytest.approx(2.5) and u.u_c_pct == pytest.approx(3.905, abs=5e-4)
    assert u.expanded_pct == pytest.approx(7.81, abs=1e-3) and u.n == 12
    assert u.as_dict() == {
        "u_rw_pct": 3.0,
        "rms_bias_pct": 2.0,
        "u_cref_pct": 1.5,
        "u_bias_pct": pytest.approx(2.5),
        "u_c_pct": pytest.approx(math.sqrt(9 + 6.25)),
        "expanded_pct": pytest.approx(2 * math.sqrt(15.25)),
        "n": 12,
    }


@pytest.mark.parametrize("i,name", [(0, "u_rw_pct"), (1, "rms_bias_pct"), (2, "u_cref_pct")])
def test_uncertainty_parts_zero_allowed_negative_refused(i, name):
    args = [3.0, 4.0, 0.0]
    args[i] = 0
    u = qs.combine_uncertainty(*args)
    assert u.expanded_pct == pytest.approx(2 * math.sqrt(sum(a * a for a in args)))
    args[i] = -1e-9
    with pytest.raises(qs.QcError) as e:
        qs.combine_uncertainty(*args)
    assert (e.value.code, e.value.field) == ("negative", name)


def test_nordtest_by_hand():
    # relative biases +2 %, −2 %, +4 %, 0 % (values 102, 49, 52, 10 on 100, 50, 50, 10)
    u = qs.nordtest([(102, 100, 1.0), (49, 50, 2.0), (52, 50, 2.0), (10, 10, 1.0)])
    rel = [2.0, -2.0, 4.0, 0.0]
    mean = sum(rel) / 4
    assert u.u_rw_pct == pytest.approx(math.sqrt(sum((r - mean) ** 2 for r in rel) / 3), rel=1e-9)
    assert u.rms_bias_pct == pytest.approx(math.sqrt((4 + 4 + 16 + 0) / 4), rel=1e-9)
    assert u.u_cref_pct == pytest.approx(math.sqrt((1 + 4 + 4 + 1) / 4), rel=1e-9)
    assert u.n == 4
    assert u.expanded_pct == pytest.approx(2 * math.sqrt(u.u_rw_pct**2 + u.rms_bias_pct**2 + u.u_cref_pct**2))


def test_nordtest_needs_two_results():
    for results in ([], [(1, 1, 1)]):
        with pytest.raises(qs.QcError) as e:
            qs.nordtest(results)
        assert (e.value.code, e.value.field) == ("too_few_results", "results")
    assert qs.nordtest([(1, 1, 0), (1, 1, 0)]).expanded_pct == 0


# --- LOD / LOQ ---------------------------------------------------------------------------------------------------


def test_detection_limits_by_hand():
    blanks = [1, 2, 3, 4, 5, 6, 7]  # s = √(28/6)
    s = math.sqrt(28 / 6)
    lod, loq = qs.detection_limits(blanks)
    assert lod == pytest.approx(3 * s, rel=1e-12) and loq == pytest.approx(10 * s, rel=1e-12)
    with pytest.raises(qs.QcError) as e:
        qs.detection_limits(blanks[:6])
    assert (e.value.code, e.value.field) == ("too_few_blanks", "blanks")
    assert qs.detection_limits(blanks + [4])[0] == pytest.approx(3 * math.sqrt(28 / 7), rel=1e-12)


def test_below_lod_is_strict_and_needs_an_lod():
    assert qs.below_lod(0.99, 1) is True
    assert qs.below_lod(1, 1) is False
    assert qs.below_lod(1.01, 1) is False
    assert qs.below_lod(0, None) is False


def test_absolute_uncertainty_by_hand():
    assert qs.absolute_uncertainty(50, 7.81) == pytest.approx(3.905)
    assert qs.absolute_uncertainty(-50, 7.81) == pytest.approx(3.905)
    assert qs.absolute_uncertainty(0, 7.81) == 0


@settings(deadline=None)
@given(
    st.sampled_from([9.0, 9.5, 9.52, 10.0, 10.5, 11.0]),
    st.sampled_from([9.0, 9.5, 10.0, 10.5, 11.0]),
    st.sampled_from([5.0, 10.0, 20.0]),
)
def test_duplicate_judgement_agrees_with_its_rpd_on_the_limits(a, b, limit):
    j = qs.judge_duplicate(a, b, limit)
    assert (j.status == "pass") == (qs.rpd(a, b) <= limit)
    assert qs.rpd(a, b) == qs.rpd(b, a)


def test_every_error_code_has_its_translated_message():
    """What a person reads comes from the code (qc.services.QC_ERROR_MESSAGES), not from QcError's English text."""
    import ast
    import re
    from pathlib import Path

    from qc.services import QC_ERROR_MESSAGES

    tree = ast.parse(Path(qs.__file__).read_text(encoding="utf-8"))
    codes = {
        call.args[0].value
        for fn in ast.walk(tree)
        if isinstance(fn, ast.FunctionDef) and not re.search(r"__mutmut_\d+$", fn.name)  # a mutation run's variants
        for call in ast.walk(fn)
        if isinstance(call, ast.Call) and getattr(call.func, "id", None) == "QcError"
        if call.args and isinstance(call.args[0], ast.Constant)
    }
    assert len(codes) == 8 and codes <= set(QC_ERROR_MESSAGES)


# --------------------------------------------------------------------------- Westgard lines exactly on a line (§13)


def on_chart(*zs, runs=None):
    """Points given as z (centre 0, s 1), each in its own run unless ``runs`` says otherwise."""
    runs = runs or list(range(len(zs)))
    return qs.westgard(list(zip(zs, runs)), 0.0, 1.0)


def test_westgard_2_2s_needs_both_points_strictly_beyond_minus_2s():
    assert on_chart(-2.5, -2.0) == [["1_2s"], []]
    assert on_chart(-2.5, -2.1)[1] == ["1_2s", "2_2s"]
    assert on_chart(2.5, 2.0) == [["1_2s"], []]


def test_westgard_4_1s_reads_the_last_four_points_only_and_strictly():
    assert on_chart(1.5, 1.5, 1.5, 1.5, 0.0)[3] == ["4_1s"]  # a later point does not undo it
    assert on_chart(-1.5, -1.5, -1.5, -1.0)[3] == []  # exactly −1 s is not beyond
    assert on_chart(-1.5, -1.5, -1.5, -1.1)[3] == ["4_1s"]
    assert on_chart(1.5, 1.5, 1.5, 1.0)[3] == []


def test_westgard_10_x_reads_the_last_ten_points_only_and_strictly():
    assert on_chart(*[0.5] * 10, -0.5)[9] == ["10_x"]
    assert on_chart(*[-0.5] * 9, 0.0)[9] == []  # a point on the centre line breaks the run
    assert on_chart(*[-0.5] * 10)[9] == ["10_x"]
    assert on_chart(*[0.5] * 9, 0.0)[9] == []


def test_figures_compared_with_a_limit_are_rounded_to_nine_decimals():
    assert qs.rpd(1.0, 2.0) == 66.666666667  # |1 − 2| / 1.5 × 100, to 9 decimals


def test_combined_uncertainty_counts_no_references_unless_told():
    assert qs.combine_uncertainty(3.0, 4.0, 0.0).n == 0
    assert qs.combine_uncertainty(3.0, 4.0, 0.0, 5).n == 5
