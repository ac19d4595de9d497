from qc.chart_svg import control_chart_svg


def test_lines_points_and_violations():
    svg = control_chart_svg([10.0, 10.25, 10.4], 10.0, 0.1, [[], ["1_2s"], ["1_2s", "1_3s"]], title="a × b")
    for k in (1, 2, 3):
        assert svg.count(f'class="limit-{k}s"') == 2
    assert svg.count('class="centre"') == 1
    assert svg.count('class="point"') == 1 and 'class="point warning"' in svg and 'class="point reject"' in svg
    assert "<title>1_2s, 1_3s</title>" in svg and "a × b" in svg


def test_not_established_and_escaping():
    svg = control_chart_svg([1.0, 2.0], None, None, title="<x>")
    assert "2 / 20" in svg and "&lt;x&gt;" in svg and "<x>" not in svg
    assert "limit-" not in svg
