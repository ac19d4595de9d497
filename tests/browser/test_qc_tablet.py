"""workflow's tablet rule (768 px, no sideways scroll, 44 px tap targets) on the qc app's technician pages."""

import pytest

from tests.browser.test_workflow18 import OVERFLOW_CHECK, TAP_CHECK, open_page  # noqa: F401
from tests.browser.test_workflows import browser, login  # noqa: F401
from tests.test_qc_api import chart, create_worksheet, rm, samples  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("lang", ["zh-hant", "en"])
def test_qc_pages_fit_a_768_tablet_with_44px_targets(open_page, client_for, samples, rm, chart, lang):  # noqa: F811
    ws = create_worksheet(client_for("technician"), samples, rm).json()
    page = open_page(lang, 768)
    login(page, "technician")
    problems = {}
    for path in ("/qc/worksheets/", f"/qc/worksheets/{ws['id']}/", "/qc/charts/", f"/qc/charts/{chart.pk}/"):
        page.goto(page.base + path)
        page.wait_for_timeout(150)
        overflow = page.evaluate(OVERFLOW_CHECK)
        small = page.evaluate(TAP_CHECK)
        if overflow["scroll"] > overflow["width"] or overflow["tables"] or small:
            problems[path] = {"overflow": overflow, "small targets": small[:8]}
    assert problems == {}
