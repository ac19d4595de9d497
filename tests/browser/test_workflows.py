"""Each role's main workflow in a real browser: headless Debian Chromium driven
by Playwright's Python package against pytest-django's live server.

Chromium or Playwright missing: skipped on a laptop, a failure in CI
(LIMS_REQUIRE_SERVICES=1). LIMS_SCREENSHOT_DIR=/some/dir keeps a PNG of
every page the tests look at, in both languages.
"""

import csv
import io
import os
import shutil

import pytest

from tests.conftest import require_service

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = os.environ.get("LIMS_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SHOTS = os.environ.get("LIMS_SCREENSHOT_DIR")
PASSWORDS = {
    "technician": ("tech", "pw-tech"),
    "reviewer": ("rev", "pw-rev"),
    "manufacturer": ("maker_a", "pw-maker_a"),
    "regulator": ("reg", "pw-reg"),
    "lab_admin": ("admin", "pw-admin"),
}


@pytest.fixture(scope="module")
def browser():
    """Chromium for this module. Playwright's sync API keeps an event loop in this
    thread while it is started, so Django is told that the tests' own (synchronous)
    database calls are fine, for this module only: the variable is removed again
    (``check --deploy`` rightly refuses it)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require_service(False, "the playwright Python package is not installed (pip install -r requirements.txt)")
    require_service(os.path.exists(CHROMIUM), f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    pw = sync_playwright().start()
    try:
        try:
            b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        except Exception as e:  # noqa: BLE001 - a browser that cannot start is a missing service
            require_service(False, f"Chromium does not start: {e}")
        yield b
        b.close()
    finally:
        pw.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def open_page(browser, live_server):
    contexts = []

    def make(lang="zh-hant"):
        ctx = browser.new_context(
            viewport={"width": 1180, "height": 860}, accept_downloads=True, locale="en-US" if lang == "en" else "zh-TW"
        )
        ctx.add_cookies([{"name": "django_language", "value": lang, "url": live_server.url}])
        ctx.set_default_timeout(20_000)
        contexts.append(ctx)
        page = ctx.new_page()
        page.base = live_server.url
        return page

    yield make
    for ctx in contexts:
        ctx.close()


def shot(page, name):
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def login(page, role):
    username, password = PASSWORDS[role]
    page.goto(page.base + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("main button[type=submit]")


def path_of(page):
    return "/" + page.url.split("/", 3)[3]


@pytest.fixture
def to_verify(product_a, make_sample, users):
    from lims import services
    from web.demo_results import enter_example_results

    s = make_sample(product_a, "in_testing", lot="TV-1")
    enter_example_results(s, users["technician"])
    return services.sample_transition(actor=users["technician"], sample=s, action="submit")


def verified_sample(product, make_sample, users, lot, cu=None):
    from maturity.assays import assay_enter
    from web.demo_results import enter_example_results, verify_sample

    s = make_sample(product, "in_testing", lot=lot)
    enter_example_results(s, users["technician"])
    if cu is not None:
        assay_enter(
            actor=users["technician"],
            sample=s,
            method="direct",
            data={"values": {"cu": {"value": cu, "unit": "mg/kg", "basis": "dry"}}},
        )
    return verify_sample(s, users["technician"], users["reviewer"])


START = {  # role -> (start path, a navigation label in Chinese, the same in English)
    "technician": ("/lab/", "今日工作", "Today's work"),
    "reviewer": ("/review/", "待審核", "Review queue"),
    "manufacturer": ("/portal/", "我的產品與樣品", "My products and samples"),
    "regulator": ("/regulator/", "市場監測儀表板", "Market dashboard"),
    "lab_admin": ("/lab/", "今日工作", "Today's work"),
}


@pytest.mark.parametrize("role", list(START))
def test_each_role_logs_in_in_both_languages_and_logs_out(open_page, users, product_a, role):
    start, zh, en = START[role]
    page = open_page("zh-hant")
    page.goto(page.base + "/accounts/login/")
    assert page.locator("h1").inner_text() == "登入"
    login(page, role)
    assert path_of(page) == start
    assert page.locator("nav.mainnav a.active").inner_text() == zh
    shot(page, f"zh-{role}-start")
    with page.expect_navigation():
        page.select_option("#language", "en")
    assert page.locator("nav.mainnav a.active").inner_text() == en
    assert page.locator("html").get_attribute("lang") == "en"
    shot(page, f"en-{role}-start")
    with page.expect_navigation():
        page.click("#logout")
    assert path_of(page).startswith("/accounts/login/")


def test_wrong_role_sees_the_403_page(open_page, users):
    page = open_page()
    login(page, "manufacturer")
    response = page.goto(page.base + "/lab/")
    assert response.status == 403
    assert "您無權開啟此頁面" in page.locator("#forbidden").inner_text()
    shot(page, "zh-403")


def test_technician_enters_a_germination_assay_and_sees_the_gi_before_saving(open_page, product_a, make_sample):
    from maturity.models import Assay

    sample = make_sample(product_a, "received", lot="GI-1")
    page = open_page()
    login(page, "technician")
    page.click(f"tr[data-code='{sample.code}'] a.button")
    page.click("a[data-method=germination]")
    page.wait_for_selector("#assay-form")
    dishes = {
        "control": [(25, 24, 20), (25, 25, 22), (25, 23, 21)],
        "sample": [(25, 23, 19), (25, 22, 18.5), (25, 24, 20)],
    }
    for group, rows in dishes.items():
        for i, (sown, germinated, length) in enumerate(rows):
            page.fill(f"[name='{group}.{i}.sown']", str(sown))
            page.fill(f"[name='{group}.{i}.germinated']", str(germinated))
            page.fill(f"[name='{group}.{i}.mean_root_length_mm']", str(length))
    gi = page.locator("#preview [data-param=germination_index_pct] .preview-value")
    gi.wait_for()
    assert gi.inner_text() == "87.5 %"
    assert "發芽指數" in page.locator("#preview [data-param=germination_index_pct]").inner_text()
    assert not Assay.objects.filter(sample=sample).exists()  # shown, not stored
    shot(page, "zh-technician-germination-preview")
    # a wrong figure shows its error inline, beside the field, while typing
    page.fill("[name='sample.1.germinated']", "30")
    error = page.locator("[data-error-for='sample.1.germinated']")
    error.wait_for(state="visible")
    assert "必須 ≤ 播種數 (25)" in error.inner_text()
    page.wait_for_function("document.querySelector('#preview-results').children.length === 0")
    page.fill("[name='sample.1.germinated']", "22")
    gi.wait_for()
    assert error.inner_text() == ""
    page.click("#save")
    page.wait_for_selector(".messages .success")
    assert path_of(page) == f"/samples/{sample.pk}/"
    assert "87.5 %" in page.locator("#figures tr[data-param=germination_index_pct]").inner_text()
    assert Assay.objects.get(sample=sample).results["germination_index_pct"]["value"] == pytest.approx(87.51, abs=0.01)
    shot(page, "zh-technician-sample-after-save")


def test_technician_receives_and_prints_a_label(open_page, product_a, make_sample):
    sample = make_sample(product_a, "registered", lot="RC-1")
    page = open_page("en")
    login(page, "technician")
    page.click("nav.mainnav a[href='/lab/receive/']")
    page.fill("#id_code", sample.code)
    page.click("main form button[type=submit]")
    page.wait_for_selector("#label svg")
    assert page.locator("#label-code").inner_text() == sample.code
    shot(page, "en-technician-label")
    sample.refresh_from_db()
    assert sample.status == "received"


def test_reviewer_verifies_and_issues_a_certificate(open_page, to_verify):
    page = open_page()
    login(page, "reviewer")
    page.click(f"#to-verify tr[data-code='{to_verify.code}'] a.button")
    assert "原始數據" in page.content()
    shot(page, "zh-reviewer-side-by-side")
    page.click("#verify")
    page.click("#confirm-ok")  # irreversible actions ask first
    page.wait_for_selector(".messages .success")
    to_verify.refresh_from_db()
    assert to_verify.status == "verified"
    page.click("#issue")
    page.click("#confirm-ok")
    page.wait_for_selector("#doc-number")
    number = page.locator("#doc-number").inner_text()
    assert number.startswith("CQ-")
    for _ in range(20):  # the PDF is rendered after the request commits
        if page.locator("#download").count():
            break
        page.wait_for_timeout(500)
        page.reload()
    assert page.locator("#download").count() == 1
    shot(page, "zh-reviewer-certificate")
    to_verify.refresh_from_db()
    assert to_verify.status == "certified"


def test_reviewer_batch_issue_shows_progress(open_page, product_a, make_sample, users):
    samples = [verified_sample(product_a, make_sample, users, f"BT-{i}") for i in range(3)]
    page = open_page("en")
    login(page, "reviewer")
    for s in samples:
        page.check(f"#to-certify tr[data-code='{s.code}'] input[name=samples]")
    page.click("#batch-issue")
    assert all(s.code in page.locator("#confirm-dialog").inner_text() for s in samples)
    page.click("#confirm-ok")
    page.wait_for_selector("#batch-bar")
    page.wait_for_function("document.body.dataset.batchFinished === '1'")
    assert page.locator("#batch-bar").inner_text() == "100 %"
    shot(page, "en-reviewer-batch")


def test_manufacturer_downloads_the_certificate(open_page, product_a, make_sample, users):
    from django.db import transaction

    from certificates.services import certificate_request

    sample = verified_sample(product_a, make_sample, users, "DL-1", cu=120)
    with transaction.atomic():
        doc = certificate_request(actor=users["reviewer"], sample=sample)
    doc.refresh_from_db()
    assert doc.status == "ready"
    page = open_page()
    login(page, "manufacturer")
    # the verdict in plain words: which check failed and by how much
    assert "銅 Cu 120 mg/kg 超過上限 100 mg/kg" in page.locator("#my-samples").inner_text()
    shot(page, "zh-manufacturer-portal")
    with page.expect_download() as info:
        page.click(f"[data-download='{doc.number}']")
    download = info.value
    assert download.suggested_filename == f"{doc.number}.pdf"
    with open(download.path(), "rb") as f:
        assert f.read(5) == b"%PDF-"


def test_manufacturer_prechecks_results(open_page, product_a):
    page = open_page("en")
    login(page, "manufacturer")
    page.click("nav.mainnav a[href='/portal/precheck/']")
    page.select_option("#id_category", "general_compost")
    page.select_option("[name='rows.0.parameter']", "zn")
    page.fill("[name='rows.0.value']", "900")
    page.click("#run-precheck")
    result = page.locator("#precheck-result")
    result.wait_for()
    assert "Zinc (Zn) 900 mg/kg exceeds the maximum of 800 mg/kg" in result.inner_text()
    shot(page, "en-manufacturer-precheck")


def test_regulator_filters_failures_and_exports(open_page, product_a, make_sample, users):
    bad = verified_sample(product_a, make_sample, users, "RG-BAD", cu=150)
    good = verified_sample(product_a, make_sample, users, "RG-GOOD")
    page = open_page()
    login(page, "regulator")
    assert page.locator(f"#samples-table tr[data-code='{good.code}']").count() == 1
    page.select_option("#id_verdict", "fail")
    with page.expect_navigation():
        page.click("#apply-filters")
    rows = page.locator("#samples-table tbody tr[data-code]")
    assert rows.count() == 1 and rows.first.get_attribute("data-code") == bad.code
    assert "銅 Cu" in rows.first.inner_text()
    assert page.locator(".chartgrid svg").count() > 0
    shot(page, "zh-regulator-dashboard-failures")
    with page.expect_download() as info:
        page.click("#export-csv")
    with open(info.value.path(), encoding="utf-8-sig") as f:
        exported = list(csv.DictReader(io.StringIO(f.read())))
    assert [r["樣品編號"] for r in exported] == [bad.code]  # the page's export speaks the page's language
    assert exported[0]["符合性判定"] == "不合格"
    with page.expect_download() as info:
        page.click("#export-xlsx")
    assert info.value.suggested_filename.endswith(".xlsx")
    # the sample's audit history as a timeline
    page.click(f"#samples-table tr[data-code='{bad.code}'] a[href$='/history/']")
    page.wait_for_selector("#timeline")
    assert page.locator("#timeline li").count() >= 5
    shot(page, "zh-regulator-timeline")


def test_manufacturer_registers_a_product(open_page, standards, users):
    from lims.models import AuditEntry, Product

    page = open_page()
    login(page, "manufacturer")
    page.click("#register-product")
    page.wait_for_selector("#product-form")
    assert path_of(page) == "/products/new/"
    page.fill("#id_name", "甲廠堆肥三號")
    page.select_option("#id_category", "general_compost")
    page.check("#id_bagasse_based")
    page.fill("[name='raw_materials.0.name']", "牛糞")
    page.fill("[name='raw_materials.0.proportion_pct']", "60")
    page.click("#add-material")
    page.fill("[name='raw_materials.1.name']", "蔗渣")
    page.fill("[name='raw_materials.1.proportion_pct']", "30")
    # the live total says what is missing
    assert page.locator("#materials-total").inner_text() == "90"
    assert "還差 10 %" in page.locator("#materials-state").inner_text()
    page.fill("#id_fermentation_days", "80")
    page.fill("#id_peak_temperature_c", "66.5")
    page.fill("#id_turnings", "9")
    # saved at 90 %: the serializer's message beside the total, nothing stored
    page.click("#save-product")
    page.wait_for_selector("#not-saved")
    assert "比例合計必須為 100 %（目前合計 90 %）" in page.locator("#materials-error").inner_text()
    assert not Product.objects.exists()
    shot(page, "zh-manufacturer-product-error")
    page.fill("[name='raw_materials.2.name']", "稻殼")  # the page offers a spare row
    page.fill("[name='raw_materials.2.proportion_pct']", "15")
    assert "超過 100 % 達 5 %" in page.locator("#materials-state").inner_text()
    page.fill("[name='raw_materials.2.proportion_pct']", "10")
    assert page.locator("#materials-total").inner_text() == "100"
    assert page.locator("#materials-error").inner_text() == ""
    # a row added by mistake is removed again, and the total follows
    page.click("#add-material")
    page.fill("[name='raw_materials.3.name']", "多餘")
    page.fill("[name='raw_materials.3.proportion_pct']", "5")
    assert page.locator("#materials-total").inner_text() == "105"
    page.locator("#raw-materials tbody tr").nth(3).locator(".remove-material").click()
    assert page.locator("#raw-materials tbody tr").count() == 3
    assert page.locator("#materials-total").inner_text() == "100"
    assert "比例合計為 100 %" in page.locator("#materials-state").inner_text()
    shot(page, "zh-manufacturer-product-form")
    page.click("#save-product")
    page.wait_for_selector(".messages .success")
    product = Product.objects.get()
    assert path_of(page) == f"/products/{product.pk}/"
    assert product.raw_materials == [
        {"name": "牛糞", "proportion_pct": 60.0},
        {"name": "蔗渣", "proportion_pct": 30.0},
        {"name": "稻殼", "proportion_pct": 10.0},
    ]
    assert product.process == {"fermentation_days": 80, "peak_temperature_c": 66.5, "turnings": 9}
    assert product.bagasse_based and AuditEntry.objects.filter(entity="product", entity_id=product.pk).count() == 1
    assert "牛糞 60 %、蔗渣 30 %、稻殼 10 %" in page.locator("#product-materials").inner_text()
    # edited with a reason: the reason is in the product's history
    page.click("#edit-product")
    page.wait_for_selector("#product-form")
    page.fill("#id_turnings", "10")
    page.fill("#id_reason", "增加一次翻堆")
    shot(page, "zh-manufacturer-product-edit")
    page.click("#save-product")
    page.wait_for_selector(".messages .success")
    assert "增加一次翻堆" in page.locator("#product-history").inner_text()
    shot(page, "zh-manufacturer-product-page")
