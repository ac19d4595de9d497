"""The worksheet grid of a multi-field method, in Chromium at 1024×768: a technician builds a germination
worksheet of 3 samples + water control + duplicate, enters the dishes from the keyboard (Tab across, Enter
down), pastes a block copied from Excel, sees a per-cell error and a failing duplicate RPD, saves the grid and
submits the worksheet; each sample's assay carries the water control's dishes."""

import pytest

from tests.browser.test_workflows import browser, login, open_page, shot  # noqa: F401  fixtures
from tests.test_qc_grid_methods import three  # noqa: F401  fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLET = {"width": 1024, "height": 768}


def type_row(page, cells):
    """Type a row's cells from the focused one, Tab after each (an empty string leaves a cell empty)."""
    for v in cells:
        if v:
            page.keyboard.type(v)
        page.keyboard.press("Tab")


def test_germination_grid_from_the_keyboard_with_a_pasted_block(open_page, three):  # noqa: F811
    from maturity.models import Assay

    page = open_page("en")
    page.set_viewport_size(TABLET)
    login(page, "technician")
    page.goto(page.base + "/qc/worksheets/")
    page.select_option("#ws-method", "germination")
    for s in three:
        page.check(f"input[name=samples][value='{s.pk}']")
    with page.expect_navigation():
        page.click("#create-worksheet")
    rows = page.locator("#grid tbody tr")
    assert rows.count() == 5
    heads = page.locator("#grid th.param").all_inner_texts()
    assert len(heads) == 10 and "dish3.mean_root_length_mm" in heads[-1]
    assert "distilled-water control" in rows.nth(3).inner_text()

    # row 1 from the keyboard: protocol left empty (the water control's), three dishes, Tab across
    assert page.evaluate("document.activeElement.dataset.parameter") == "protocol"
    type_row(page, ["", "25", "23", "30", "25", "22", "31", "25", "24", "29"])
    assert page.evaluate("document.activeElement.closest('tr').dataset.position") == "2"
    # rows 2 and 3 pasted as one block copied from Excel (tab-separated, one line per row)
    block = "\t25\t20\t25\t25\t21\t24\t25\t19\t26\n\t25\t25\t33\t25\t24\t32\t25\t25\t34\n"
    page.evaluate(
        """block => {
        const cell = document.activeElement, dt = new DataTransfer();
        dt.setData('text/plain', block);
        cell.dispatchEvent(new ClipboardEvent('paste', {clipboardData: dt, bubbles: true, cancelable: true}));
    }""",
        block,
    )
    assert page.input_value("#grid tr[data-position='3'] input[data-parameter='dish3.mean_root_length_mm']") == "34"
    page.click("#grid tr[data-position='1'] input[data-parameter='dish1.sown']")
    page.keyboard.press("Enter")  # Enter moves down the column
    assert page.evaluate("document.activeElement.closest('tr').dataset.position") == "2"
    assert page.evaluate("document.activeElement.dataset.parameter") == "dish1.sown"
    # row 4, the water control, then row 5, the duplicate of row 1 with far fewer seeds germinated
    page.click("#grid tr[data-position='4'] input[data-parameter='protocol']")
    type_row(page, ["tari_cabbage", "25", "24", "32", "25", "25", "33", "25", "24", "31"])
    type_row(page, ["", "25", "12", "30", "25", "11", "31", "25", "30", "29"])
    # a per-cell error (30 germinated of 25 sown), then corrected; Enter moves down the column
    bad = page.locator("#grid tr[data-position='5'] input[data-parameter='dish3.germinated']")
    bad.locator("xpath=..").locator(".cell-msg", has_text="must be ≤ sown (25)").wait_for()
    assert bad.get_attribute("aria-invalid") == "true"
    bad.click()
    bad.fill("")
    page.keyboard.type("12")
    page.keyboard.press("Enter")
    row5 = page.locator("#grid tr[data-position='5'] td.qc")
    row5.locator(".qc-judgement.fail", has_text="relative_germination_pct").wait_for()
    assert "rpd_above_limit" in row5.inner_text()
    assert "RPD" in row5.inner_text()
    row4 = page.locator("#grid tr[data-position='4'] td.qc")
    assert "control_germination: pass" in row4.inner_text()
    page.locator("#grid tr[data-position='1'] td.computed", has_text="germination_index_pct").wait_for()
    protocol1 = page.locator("#grid tr[data-position='1'] input[data-parameter='protocol']")
    assert protocol1.locator("xpath=..").locator(".cell-msg").inner_text() == "← #4"
    assert bad.get_attribute("aria-invalid") == "false"
    shot(page, "qc-grid-germination-1024")
    with page.expect_navigation():
        page.click("#save-grid")
    assert page.locator("#ws-status").inner_text() == "entered"
    assert "rpd_above_limit" in page.locator("#grid tr[data-position='5'] td.qc").inner_text()
    with page.expect_navigation():
        page.click("#submit-worksheet")
    assert "Worksheet submitted" in page.content()
    assay = Assay.objects.get(sample=three[0])
    assert assay.data["protocol"] == "tari_cabbage" and len(assay.data["control"]) == 3
    for s in three:
        s.refresh_from_db()
        assert s.status == "to_be_verified"
