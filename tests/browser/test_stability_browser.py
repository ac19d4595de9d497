"""Issue 13 in a real browser: a technician types a respirometry assay and sees the rate before saving; uploads a
chromatogram photo and sees the proposal with the overlay of the zones found; the CCQC verdict page."""

import pytest

from tests.browser.test_workflows import browser, login, open_page, path_of, shot  # noqa: F401 (fixtures)
from tests.unit.chromatogram_drawing import Drawing, draw

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_technician_sees_the_co2_rate_while_typing(open_page, product_a, make_sample):  # noqa: F811
    sample = make_sample(product_a, "received", lot="CO2-1")
    page = open_page("en")
    login(page, "technician")
    page.goto(page.base + f"/samples/{sample.pk}/assays/new/co2_evolution/")
    page.wait_for_selector("#assay-form")
    for name, value in (("co2_c_mg", "30"), ("dry_mass_g", "10"), ("organic_matter_pct", "50"), ("days", "3")):
        page.fill(f"[name='{name}']", value)
    rate = page.locator("#preview [data-param=co2_c_mg_per_g_om_day] .preview-value")
    rate.wait_for()
    assert rate.inner_text().startswith("2.00 ")  # main's reporting rule: the parameter's digits (2 decimals)
    shot(page, "en-technician-co2-preview")


def test_technician_uploads_a_chromatogram_photo_and_sees_the_overlay(
    open_page,  # noqa: F811
    product_a,
    make_sample,  # noqa: F811
    tmp_path,
):
    from maturity.models import ChromatogramReading

    sample = make_sample(product_a, "received", lot="CH-1")
    photo = tmp_path / "paper.png"
    photo.write_bytes(
        draw(Drawing(center="red_to_purple", middle_band="irregular", edge="serrated", rotation=25, lighting=0.4))
    )
    page = open_page()
    login(page, "technician")
    page.goto(page.base + f"/samples/{sample.pk}/")
    with page.expect_navigation():
        page.click("#chromatogram-photo")
    page.set_input_files("#photo", str(photo))
    with page.expect_navigation():
        page.click("#read-photo")
    reading = ChromatogramReading.objects.get(sample=sample)
    assert path_of(page) == f"/maturity/chromatogram/{reading.pk}/"
    page.wait_for_function(
        "document.querySelector('#overlay').complete && document.querySelector('#overlay').naturalWidth > 0"
    )
    assert page.locator("#overlay").evaluate("img => img.naturalWidth") == 480
    rows = {
        z: page.locator(f"#proposal tr[data-zone={z}]").get_attribute("data-proposed")
        for z in ("center", "middle_band", "edge")
    }
    assert rows == {"center": "red_to_purple", "middle_band": "irregular", "edge": "serrated"}
    assert "紅色至紫色（腐熟）" in page.locator("#proposal").inner_text()
    shot(page, "zh-technician-chromatogram-proposal")
    page.select_option("#edge", "smooth")
    page.fill("#reason", "edge smeared, not teeth")
    with page.expect_navigation():
        page.click("#enter-reading")
    assert page.locator("#chromatogram-proposal").get_attribute("data-decision") == "corrected"
    reading.refresh_from_db()
    assert reading.edge_corrected and reading.assay.results["chromatogram_score"]["value"] == 2
