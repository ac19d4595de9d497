"""Issue 11 "done when", in Chromium on a tablet-sized viewport: a technician builds a worksheet of 10
samples + blank + duplicate + reference, enters every result from the keyboard (and a pasted block), sees
the duplicate fail its RPD and a 2_2s on the chart, cannot submit; a reviewer releases it with a reason;
the technician submits, the samples' results carry the QC-derived U, and the certificate a reviewer issues
for one of them states it."""

import pytest

from tests.browser.test_workflows import browser, login, open_page, shot  # noqa: F401  fixtures
from tests.test_qc_api import TN, chart, rm, samples  # noqa: F401  fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLET = {"width": 820, "height": 1180}


def test_technician_grid_to_release_on_a_tablet(open_page, samples, rm, chart):  # noqa: F811
    page = open_page("en")
    page.set_viewport_size(TABLET)
    login(page, "technician")
    page.goto(page.base + "/qc/worksheets/")
    for s in samples:
        page.check(f"input[name=samples][value='{s.pk}']")
    page.select_option("#ws-rm", str(rm.pk))
    with page.expect_navigation():
        page.click("#create-worksheet")
    assert page.locator("#grid tbody tr").count() == 13
    # keyboard only: the first cell has the focus; Enter moves down a row
    values = [f"{1.50 + i * 0.01:.2f}" for i in range(10)] + ["0.001", "1.80", "2.13"]
    assert page.evaluate("document.activeElement.dataset.parameter") == TN
    for v in values[:5]:
        page.keyboard.type(v)
        page.keyboard.press("Enter")
    # the rest pasted as a block copied from Excel, into the sixth cell
    page.evaluate(
        """block => {
        const cell = document.activeElement, dt = new DataTransfer();
        dt.setData('text/plain', block);
        cell.dispatchEvent(new ClipboardEvent('paste', {clipboardData: dt, bubbles: true, cancelable: true}));
    }""",
        "\n".join(values[5:]) + "\n",
    )
    row12 = page.locator("#grid tr[data-position='12'] td.qc")
    row12.locator(".qc-judgement.fail").wait_for()
    assert "rpd_above_limit" in row12.inner_text() and "RPD 18.2 %" in row12.inner_text()
    page.locator("#grid tr[data-position='1'] .cell-msg", has_text="= 1.5").wait_for()
    shot(page, "qc-grid-tablet")
    with page.expect_navigation():
        page.click("#save-grid")
    assert "2_2s" in page.locator("#qc-reject").inner_text()
    with page.expect_navigation():
        page.click("#submit-worksheet")
    assert "a reviewer must release it" in page.content()
    ws_url = page.url

    reviewer = open_page("en")
    reviewer.set_viewport_size(TABLET)
    login(reviewer, "reviewer")
    reviewer.goto(ws_url)
    reviewer.fill("#release-reason", "Reference re-measured within limits; balance recalibrated")
    with reviewer.expect_navigation():
        reviewer.click("#release-worksheet")
    assert "Released by rev" in reviewer.locator("#qc-reject").inner_text()

    page.goto(ws_url)
    with page.expect_navigation():
        page.click("#submit-worksheet")
    assert "Worksheet submitted" in page.content()
    from maturity.selectors import sample_figures

    for s in samples:
        s.refresh_from_db()
        assert s.status == "to_be_verified"
    assert TN in sample_figures(samples[0]).qc_estimated

    # the reviewer verifies a sample of the run and issues its certificate: it carries the QC-derived U
    sample = samples[0]
    reviewer.goto(reviewer.base + "/review/")
    reviewer.click(f"#to-verify tr[data-code='{sample.code}'] a.button")
    reviewer.click("#verify")
    reviewer.click("#confirm-ok")
    reviewer.wait_for_selector(".messages .success")
    if reviewer.locator("#issue-anyway-reason").count():  # only nitrogen was measured on this run
        reviewer.fill("#issue-anyway-reason", "Nitrogen only was requested")
    reviewer.click("#issue")
    reviewer.click("#confirm-ok")
    reviewer.wait_for_selector("#doc-number")
    for _ in range(20):  # the PDF is rendered after the request commits
        if reviewer.locator("#download").count():
            break
        reviewer.wait_for_timeout(500)
        reviewer.reload()
    import io

    from pypdf import PdfReader

    from certificates.models import Document

    doc = Document.objects.get(number=reviewer.locator("#doc-number").inner_text())
    with doc.pdf.open("rb") as f:
        text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(f.read())).pages).replace("\n", " ")
    assert "U estimated from the laboratory's quality-control data (Nordtest TR 537)" in text
    assert " *" in text  # the result's U is marked as estimated from QC
