"""Issue 12 in a real browser: a manufacturer uploads a logger file, sees the curve and the verdicts, designs a mix
and reads the soil forecast for a verified sample."""

import datetime as dt

import pytest

from tests.browser.test_workflows import browser, login, open_page, shot  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def composting_data(db):
    """Transactional tests flush the database, migration data included: load the bundled criteria again."""
    from composting.services import load_bundled_data

    load_bundled_data()


@pytest.fixture
def verified(product_a, make_sample, users):
    from web.demo_results import enter_example_results, verify_sample

    s = make_sample(product_a, "received")
    enter_example_results(s, users["technician"])
    return verify_sample(s, users["technician"], users["reviewer"])


def test_manufacturer_batch_mix_and_forecast(open_page, tmp_path, verified):  # noqa: F811 (fixture)
    t0 = dt.datetime(2026, 3, 1)
    lines = ["time,probe,temperature_c"]
    for i in range(24 * 18):
        for probe, offset in (("core", 0), ("edge", -2)):
            lines.append(f"{t0 + dt.timedelta(hours=i):%Y-%m-%d %H:%M},{probe},{64 + (i % 48) / 8 + offset}")
    (tmp_path / "logger.csv").write_text("\n".join(lines) + "\n")
    page = open_page("en")
    login(page, "manufacturer")
    page.click("nav >> text=Composting")
    page.fill("#id_name", "Windrow 3")
    page.select_option("#id_method", "windrow")
    page.fill("#id_started_on", "2026-03-01")
    with page.expect_navigation():
        page.click("#batch-form button[type=submit]")
    page.set_input_files("#id_file", str(tmp_path / "logger.csv"))
    with page.expect_navigation():
        page.click("#upload")
    for d in (1, 4, 7, 10, 13):
        page.fill("#turning-form input[name=at]", f"2026-03-{1 + d:02d}T09:00")
        with page.expect_navigation():
            page.click("#turning-form button[type=submit]")
    assert page.locator("#governing-chart polyline.governing").count() >= 1
    assert page.locator("#governing-chart line.turning").count() == 5
    assert page.locator("tr[data-key=us_epa_pfrp] .badge").inner_text() == "met"
    assert page.locator("tr[data-key=tari_comprehensive] .badge").inner_text() == "not shown"
    shot(page, "composting_batch_en")
    page.goto(page.base + "/composting/mix/")
    page.select_option("#id_m0-material", label="雞糞 Chicken manure")
    page.select_option("#id_m1-material", label="稻草 Rice straw")
    with page.expect_navigation():
        page.click("#design")
    assert "140.79" in page.locator("#water").inner_text()
    shot(page, "composting_mix_en")
    page.goto(page.base + "/composting/forecast/")
    page.select_option("#id_sample", str(verified.pk))
    page.select_option("#id_soil_group", "total")
    with page.expect_navigation():
        page.click("#forecast")
    assert page.locator("#limiting").inner_text() == "Cu"
    assert page.locator("#forecast-chart line.metal").count() >= 3
    shot(page, "composting_forecast_en")
