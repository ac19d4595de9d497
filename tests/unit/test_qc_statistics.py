"""DOMAIN.md §13: every worked number, every threshold at, below and above its value."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qc import statistics as qs

# ---------------------------------------------------------------- duplicates (RPD)


def test_rpd_formula():
    assert qs.rpd(10, 12) == pytest.approx(2 / 11 * 100)
    assert qs.rpd(12, 10) == pytest.approx(18.1818, abs=1e-4)
    assert qs.rpd(5, 5) == 0.0


def test_rpd_zero_mean():
    assert qs.rpd(0, 0) == 0.0
    with pytest.raises(qs.QcError) as e:
        qs.rpd(-1, 1)
    assert e.value.code == "zero_mean"


@pytest.mark.parametrize("bad", [None, float("nan"), float("inf"), "1", True])
def test_rpd_rejects_non_numbers(bad):
    with pytest.raises(qs.QcError) as e:
        qs.rpd(bad, 1)
    assert e.value.code == "not_a_number" and e.value.field == "a"


@pytest.mark.parametrize(
    "a,b,status",
    [
        (95.0, 105.0, "pass"),  # RPD exactly 10 %: at the limit passes
        (95.5, 104.5, "pass"),  # 9 %
        (94.0, 106.0, "fail"),  # 12 %
        (94.9, 105.1, "fail"),  # 10.2 %
    ],
)
def test_duplicate_default_limit_10pct(a, b, status):
    j = qs.judge_duplicate(a, b)
    assert j.status == status
    assert j.params["limit"] == 10.0
    assert j.code == ("rpd_within_limit" if status == "pass" else "rpd_above_limit")


def test_duplicate_limit_is_data():
    assert qs.judge_duplicate(94, 106, limit_pct=12).status == "pass"
    assert qs.judge_duplicate(94, 106, limit_pct=11.99).status == "fail"


# ---------------------------------------------------------------- reference materials


def test_recovery_and_z():
    assert qs.recovery_pct(9.5, 10) == pytest.approx(95.0)
    assert qs.z_score(10.6, 10, 0.2) == pytest.approx(3.0)
    with pytest.raises(qs.QcError) as e:
        qs.recovery_pct(1, 0)
    assert e.value.code == "zero_assigned_value"
    for s in (0, -1):
        with pytest.raises(qs.QcError) as e:
            qs.z_score(1, 1, s)
        assert e.value.code == "s_not_positive"


@pytest.mark.parametrize(
    "x,status,code",
    [
        (10.0, "pass", "reference_within_2s"),
        (10.2, "pass", "reference_within_2s"),  # z = 2: on the warning line
        (9.8, "pass", "reference_within_2s"),
        (10.21, "warning", "reference_beyond_2s"),
        (9.79, "warning", "reference_beyond_2s"),
        (10.3, "warning", "reference_beyond_2s"),  # z = 3: on the action line
        (10.31, "fail", "reference_beyond_3s"),
        (9.69, "fail", "reference_beyond_3s"),
    ],
)
def test_reference_judgement(x, status, code):
    j = qs.judge_reference(x, 10.0, 0.1)
    assert (j.status, j.code) == (status, code)
    assert j.params["recovery"] == pytest.approx(x * 10)


# ---------------------------------------------------------------- spikes


def test_spike_recovery_formula():
    assert qs.spike_recovery_pct(15, 10, 5) == pytest.approx(100.0)
    assert qs.spike_recovery_pct(14, 10, 5) == pytest.approx(80.0)
    for added in (0, -1):
        with pytest.raises(qs.QcError) as e:
            qs.spike_recovery_pct(15, 10, added)
        assert e.value.code == "added_not_positive" and e.value.field == "added"


@pytest.mark.parametrize(
    "spiked,status",
    [
        (14.0, "pass"),
        (16.0, "pass"),  # 80 % and 120 %: on the limits
        (13.99, "fail"),
        (16.01, "fail"),
        (15.0, "pass"),
        (14.01, "pass"),
        (15.99, "pass"),
    ],
)
def test_spike_default_range(spiked, status):
    j = qs.judge_spike(spiked, 10, 5)
    assert j.status == status
    assert (j.params["low"], j.params["high"]) == (80.0, 120.0)


def test_spike_range_is_data():
    assert qs.judge_spike(13.5, 10, 5, low_pct=70).status == "pass"
    assert qs.judge_spike(15.5, 10, 5, high_pct=105).status == "fail"


# ---------------------------------------------------------------- blanks


@pytest.mark.parametrize("value,status", [(0.49, "pass"), (0.5, "fail"), (0.51, "fail"), (-0.1, "pass")])
def test_blank_below_loq(value, status):
    assert qs.judge_blank(value, 0.5).status == status


def test_blank_without_loq_is_a_warning_not_a_pass():
    j = qs.judge_blank(0.1, None)
    assert (j.status, j.code) == ("warning", "loq_not_set")


# ---------------------------------------------------------------- control chart parameters


def test_chart_parameters_first_20_only():
    values = [10 + (i % 5 - 2) * 0.1 for i in range(20)] + [100.0] * 5
    centre, s = qs.chart_parameters(values)
    assert centre == pytest.approx(10.0)
    assert s == pytest.approx(math.sqrt(sum(((i % 5 - 2) * 0.1) ** 2 for i in range(20)) / 19))


def test_chart_parameters_need_20_points():
    assert qs.chart_parameters([10.0] * 19 + []) is None
    assert qs.chart_parameters([10.0]) is None  # one point
    assert qs.chart_parameters([]) is None
    with pytest.raises(qs.QcError) as e:
        qs.chart_parameters([10.0] * 20)
    assert e.value.code == "s_not_positive"


# ---------------------------------------------------------------- Westgard


def _series(zs, runs=None):
    return [(10 + z, (runs[i] if runs else i)) for i, z in enumerate(zs)]


def rules_at_last(zs, runs=None):
    return qs.westgard(_series(zs, runs), 10, 1)[-1]


def test_one_point():
    assert rules_at_last([0.5]) == []
    assert rules_at_last([2.5]) == ["1_2s"]
    assert rules_at_last([-3.5]) == ["1_2s", "1_3s"]


@pytest.mark.parametrize(
    "z,expected",
    [
        (2.0, []),
        (2.01, ["1_2s"]),
        (-2.01, ["1_2s"]),
        (3.0, ["1_2s"]),
        (3.01, ["1_2s", "1_3s"]),
        (-3.01, ["1_2s", "1_3s"]),
    ],
)
def test_1_2s_and_1_3s_thresholds(z, expected):
    assert rules_at_last([z]) == expected


def test_1_2s_is_a_warning_others_reject():
    assert not qs.is_reject(["1_2s"])
    for rule in ("1_3s", "2_2s", "R_4s", "4_1s", "10_x"):
        assert qs.is_reject([rule])
    assert not qs.is_reject([])


@pytest.mark.parametrize(
    "zs,hit",
    [
        ([2.1, 2.1], True),
        ([-2.1, -2.1], True),
        ([2.0, 2.1], False),
        ([2.1, -2.1], False),
        ([1.9, 2.5], False),
    ],
)
def test_2_2s(zs, hit):
    assert ("2_2s" in rules_at_last(zs)) is hit


def test_r_4s_same_run_only():
    assert "R_4s" in rules_at_last([2.1, -2.1], runs=["w1", "w1"])
    assert "R_4s" not in rules_at_last([2.1, -2.1], runs=["w1", "w2"])
    assert "R_4s" not in rules_at_last([2.0, -2.1], runs=["w1", "w1"])
    assert "R_4s" not in rules_at_last([2.1, -2.0], runs=["w1", "w1"])
    assert "R_4s" in rules_at_last([-2.5, 0.0, 2.5], runs=["w1", "w1", "w1"])
    assert "R_4s" not in rules_at_last([2.1, -2.1], runs=[None, None])


def test_run_spanning_two_charts_is_judged_per_chart():
    # worksheet w1 has +2.5 s on chart A and −2.5 s on chart B: neither chart has R_4s
    chart_a = qs.westgard([(12.5, "w1")], 10, 1)
    chart_b = qs.westgard([(7.5, "w1")], 10, 1)
    assert chart_a == [["1_2s"]] and chart_b == [["1_2s"]]


@pytest.mark.parametrize(
    "zs,hit",
    [
        ([1.1, 1.1, 1.1, 1.1], True),
        ([-1.1, -1.2, -1.5, -1.1], True),
        ([1.0, 1.1, 1.1, 1.1], False),
        ([1.1, 1.1, 1.1, 1.0], False),
        ([1.1, 1.1, -1.1, 1.1], False),
        ([1.1, 1.1, 1.1], False),
    ],
)
def test_4_1s(zs, hit):
    assert ("4_1s" in rules_at_last(zs)) is hit


@pytest.mark.parametrize(
    "zs,hit",
    [
        ([0.1] * 10, True),
        ([-0.1] * 10, True),
        ([0.1] * 9, False),
        ([0.0] + [0.1] * 9, False),
        ([0.1] * 9 + [0.0], False),
        ([0.1] * 9 + [-0.1], False),
        ([-0.1] + [0.1] * 10, True),
    ],
)
def test_10_x(zs, hit):
    assert ("10_x" in rules_at_last(zs)) is hit


def test_each_point_judged_on_the_series_up_to_it():
    out = qs.westgard(_series([2.5, 2.5, 0.0]), 10, 1)
    assert out == [["1_2s"], ["1_2s", "2_2s"], []]


@given(st.lists(st.floats(-5, 5), min_size=1, max_size=30))
def test_westgard_prefix_property(zs):
    """Adding points never changes the rules of earlier points (evaluated as when entered)."""
    full = qs.westgard(_series(zs), 10, 1)
    assert qs.westgard(_series(zs[:-1]), 10, 1) == full[:-1]
    for z, rules in zip(zs, full):
        assert ("1_3s" in rules) == (abs(z) > 3)


# ---------------------------------------------------------------- uncertainty


def test_nordtest_worked_example():
    u = qs.combine_uncertainty(3.0, 2.0, 1.5)
    assert u.u_bias_pct == pytest.approx(2.5)
    assert u.u_c_pct == pytest.approx(3.905, abs=5e-4)
    assert u.expanded_pct == pytest.approx(7.81, abs=5e-3)


def test_combine_rejects_negative():
    with pytest.raises(qs.QcError) as e:
        qs.combine_uncertainty(-1, 2, 1.5)
    assert e.value.field == "u_rw_pct"


def test_nordtest_from_results():
    results = [(102.0, 100.0, 1.5), (98.0, 100.0, 1.5), (104.0, 100.0, 1.5), (100.0, 100.0, 1.5)]
    u = qs.nordtest(results)
    rel = [2.0, -2.0, 4.0, 0.0]
    mean = sum(rel) / 4
    assert u.u_rw_pct == pytest.approx(math.sqrt(sum((r - mean) ** 2 for r in rel) / 3))
    assert u.rms_bias_pct == pytest.approx(math.sqrt(sum(r * r for r in rel) / 4))
    assert u.u_cref_pct == pytest.approx(1.5)
    assert u.n == 4
    assert u.expanded_pct == pytest.approx(2 * math.sqrt(u.u_rw_pct**2 + u.rms_bias_pct**2 + 1.5**2))


def test_nordtest_needs_two_results():
    with pytest.raises(qs.QcError) as e:
        qs.nordtest([(1.0, 1.0, 1.0)])
    assert e.value.code == "too_few_results"


@given(st.sampled_from([0.0, 1.5, 3.0]), st.sampled_from([0.0, 2.0, 5.0]), st.sampled_from([0.0, 1.5, 2.5]))
def test_expanded_is_twice_combined_and_dominates_parts(u_rw, bias, u_cref):
    u = qs.combine_uncertainty(u_rw, bias, u_cref)
    assert u.expanded_pct == pytest.approx(2 * u.u_c_pct)
    assert u.u_c_pct >= max(u_rw, bias, u_cref) - 1e-12


def test_absolute_uncertainty():
    assert qs.absolute_uncertainty(20.0, 7.81) == pytest.approx(1.562)


# ---------------------------------------------------------------- LOD / LOQ


def test_detection_limits_seven_blanks():
    blanks = [0.01, 0.02, 0.03, 0.02, 0.01, 0.03, 0.02]
    mean = sum(blanks) / 7
    s = math.sqrt(sum((b - mean) ** 2 for b in blanks) / 6)
    lod, loq = qs.detection_limits(blanks)
    assert lod == pytest.approx(3 * s) and loq == pytest.approx(10 * s)


def test_detection_limits_need_seven():
    with pytest.raises(qs.QcError) as e:
        qs.detection_limits([0.1] * 6)
    assert e.value.code == "too_few_blanks"


@pytest.mark.parametrize("value,below", [(0.09, True), (0.1, False), (0.11, False)])
def test_below_lod(value, below):
    assert qs.below_lod(value, 0.1) is below
    assert qs.below_lod(value, None) is False


@pytest.mark.parametrize("spiked,unspiked,added", [(1.40, 1.0, 0.5), (1.6, 1.0, 0.5), (0.7, 0.3, 0.5)])
def test_decimal_inputs_on_the_limit_are_on_it(spiked, unspiked, added):
    assert qs.judge_spike(spiked, unspiked, added).status == "pass"
    assert qs.judge_duplicate(0.95, 1.05).status == "pass"  # RPD 10 % from decimal inputs
