"""Issue 18 in a real browser (headless Chromium), in Traditional Chinese and English, at 1280 px
and on a 768 px tablet: retest by analysis with its confirmation, nothing irreversible by accident,
forms that help, a document page that keeps up, the public lookup, tap targets and no sideways
scrolling on the technician's pages, and the clicks of the routine task."""

import pytest

from tests.browser.test_workflows import browser, login, path_of, shot  # noqa: F401 (browser is a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGS = [("zh-hant", 1280), ("en", 768)]  # every test runs in both languages, one at each width


@pytest.fixture
def open_page(browser, live_server):  # noqa: F811
    contexts = []

    def make(lang="zh-hant", width=1280, touch=None):
        ctx = browser.new_context(
            viewport={"width": width, "height": 1000 if width < 1000 else 860},
            accept_downloads=True,
            locale="en-US" if lang == "en" else "zh-TW",
            has_touch=width < 1000 if touch is None else touch,
        )
        ctx.add_cookies([{"name": "django_language", "value": lang, "url": live_server.url}])
        ctx.set_default_timeout(20_000)
        contexts.append(ctx)
        page = ctx.new_page()
        page.base = live_server.url
        page.errors = []
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        return page

    yield make
    for ctx in contexts:
        ctx.close()


@pytest.fixture
def verified(product_a, make_sample, users):
    from web.demo_results import enter_example_results, verify_sample

    s = make_sample(product_a, "in_testing", lot="V18")
    enter_example_results(s, users["technician"])
    return verify_sample(s, users["technician"], users["reviewer"])


def confirm(page, expect_text=None):
    dialog = page.locator("#confirm-dialog")
    dialog.wait_for(state="visible")
    body = dialog.inner_text()
    if expect_text:
        assert expect_text in body, body
    page.click("#confirm-ok")
    return body


@pytest.mark.parametrize("lang,width", LANGS)
def test_reviewer_retests_one_assay_after_confirming(open_page, verified, lang, width):
    from maturity.models import Assay

    page = open_page(lang, width)
    login(page, "reviewer")
    page.goto(page.base + f"/review/samples/{verified.pk}/")
    oc = Assay.objects.get(sample=verified, method="organic_carbon_wet_oxidation")
    page.check(f"#retest-form input[name=assays][value='{oc.pk}']")
    page.fill("#retest-form input[name=reason]", "OC duplicates disagree")
    page.click("#retest")
    dialog = page.locator("#confirm-dialog")
    dialog.wait_for(state="visible")
    assert f"#{oc.pk}" in dialog.inner_text()  # the ticked assay is named in the question
    shot(page, f"{lang}-{width}-retest-confirm")
    page.click("#confirm-cancel")  # cancel: nothing happens
    assert not dialog.is_visible()
    verified.refresh_from_db()
    assert verified.status == "verified"
    page.click("#retest")
    with page.expect_navigation():
        confirm(page)
    page.wait_for_selector(".messages .success")
    statuses = dict(Assay.objects.filter(sample=verified).values_list("method", "status"))
    assert statuses.pop("organic_carbon_wet_oxidation") == "invalidated" and set(statuses.values()) == {"verified"}
    history = page.locator("#assay-history")
    assert history.count() == 1 and history.get_attribute("open") is None  # folded away
    assert not page.locator(f"#assay-history section[data-assay='{oc.pk}']").is_visible()
    shot(page, f"{lang}-{width}-retest-done")
    assert page.errors == []


@pytest.mark.parametrize("lang,width", LANGS)
def test_issue_with_missing_results_needs_issue_anyway_with_a_reason(
    open_page, product_a, make_sample, users, lang, width
):
    from maturity.assays import assay_enter
    from web.demo_results import verify_sample

    s = make_sample(product_a, "received", lot="IA-1")
    assay_enter(
        actor=users["technician"],
        sample=s,
        method="direct",
        data={"values": {"cu": {"value": 20, "unit": "mg/kg", "basis": "dry"}}},
    )
    verify_sample(s, users["technician"], users["reviewer"])
    page = open_page(lang, width)
    login(page, "reviewer")
    page.goto(page.base + f"/review/samples/{s.pk}/")
    assert ("全磷酐" if lang != "en" else "Total P₂O₅") in page.locator("#missing-required").inner_text()
    page.click("#issue")  # the reason is required before the question is even asked
    assert not page.locator("#confirm-dialog").is_visible()
    page.fill("#issue-anyway-reason", "metals only, on request")
    page.click("#issue")
    with page.expect_navigation():
        body = confirm(page)
    assert ("全磷酐" if lang != "en" else "Total P₂O₅") in body
    page.wait_for_selector("#doc-number")
    doc = s.certificates.get()
    assert doc.context["issue_anyway"]["reason"] == "metals only, on request"
    page.wait_for_selector("#download")  # the page polls and shows the download once rendered
    shot(page, f"{lang}-{width}-issue-anyway-document")


@pytest.mark.parametrize("lang,width", LANGS)
def test_document_page_updates_itself_when_the_pdf_is_ready(open_page, verified, users, lang, width):
    from certificates import services as cert_services
    from certificates.models import Document

    doc = cert_services.certificate_request(actor=users["reviewer"], sample=verified)
    Document.objects.filter(pk=doc.pk).update(status="rendering")
    page = open_page(lang, width)
    login(page, "reviewer")
    page.goto(page.base + f"/documents/{doc.pk}/")
    assert page.locator("#download").count() == 0
    Document.objects.filter(pk=doc.pk).update(status="ready")
    page.wait_for_selector("#download", timeout=8000)  # no manual reload


@pytest.mark.parametrize("lang,width", LANGS)
def test_revoke_then_reissue_from_the_document_page(open_page, verified, users, lang, width):
    from certificates import services as cert_services

    doc = cert_services.certificate_request(actor=users["reviewer"], sample=verified)
    page = open_page(lang, width)
    login(page, "reviewer")
    page.goto(page.base + f"/documents/{doc.pk}/")
    page.fill("#revoke-reason", "wrong lot printed")
    page.click("#revoke")
    with page.expect_navigation():
        confirm(page, doc.number)
    page.fill("#reissue-reason", "lot corrected")
    page.click("#reissue")
    with page.expect_navigation():
        confirm(page, doc.number)
    new = verified.certificates.exclude(pk=doc.pk).get()
    assert page.locator("#doc-number").inner_text() == new.number and new.version == 2
    shot(page, f"{lang}-{width}-reissued")


@pytest.mark.parametrize("lang,width", LANGS)
def test_germination_form_helps(open_page, product_a, make_sample, lang, width):
    from maturity.models import Assay

    sample = make_sample(product_a, "received", lot="GF-1")
    page = open_page(lang, width)
    login(page, "technician")
    page.goto(page.base + f"/samples/{sample.pk}/assays/new/germination/")
    page.wait_for_timeout(700)  # the first preview has run
    assert page.locator(".field-error:visible").count() == 0 and page.locator(".has-error").count() == 0
    sown = page.locator("[name='control.0.sown']")
    assert sown.input_value() == "" and not (sown.get_attribute("placeholder") or "").isdigit()  # a hint
    # Enter moves to the next cell and never saves
    sown.fill("25")
    sown.press("Enter")
    assert page.evaluate("document.activeElement.name") == "control.0.germinated"
    page.keyboard.type("24")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.name") == "control.0.mean_root_length_mm"
    page.keyboard.type("20")
    page.keyboard.press("Enter")
    assert path_of(page).endswith("/germination/") and not Assay.objects.filter(sample=sample).exists()
    shot(page, f"{lang}-{width}-germination-enter")
    assert page.errors == []


@pytest.mark.parametrize("lang,width", LANGS)
def test_a_server_error_stays_until_the_field_changes(open_page, product_a, make_sample, users, lang, width):
    from maturity.assays import assay_enter

    sample = make_sample(product_a, "received", lot="CR-1")
    a = assay_enter(
        actor=users["technician"], sample=sample, method="moisture", data={"wet_mass_g": 50, "dry_mass_g": 34}
    )
    page = open_page(lang, width)
    login(page, "technician")
    page.goto(page.base + f"/samples/{sample.pk}/assays/{a.pk}/correct/")
    page.fill("[name=dry_mass_g]", "35")
    page.click("#save")
    box = page.locator("[data-error-for=reason]")
    box.wait_for(state="visible")
    message = box.inner_text()
    assert message
    page.fill("[name=dry_mass_g]", "35.5")  # the preview runs again ...
    page.wait_for_timeout(1500)
    assert box.inner_text() == message  # ... and the server's message is still there
    page.fill("#f-reason", "balance misread")
    page.wait_for_timeout(400)
    assert box.inner_text() == ""


@pytest.mark.parametrize("lang,width", LANGS)
def test_public_lookup_form(open_page, verified, users, lang, width):
    from certificates import services as cert_services

    doc = cert_services.certificate_request(actor=users["reviewer"], sample=verified)
    page = open_page(lang, width)
    page.goto(page.base + "/verify/")
    page.fill("#id_number", "  " + doc.number.lower() + " ")
    page.fill("#id_code", doc.verification_code)  # the status is shown only with the code
    with page.expect_navigation():
        page.click("#verify-lookup button")
    assert path_of(page) == f"/verify/{doc.number}/?code={doc.verification_code}"
    assert page.locator("#verify-answer").get_attribute("data-answer") == "valid"
    shot(page, f"{lang}-{width}-verify")


# --------------------------------------------------------------------------- tablet: tap targets, no sideways scroll

TAP_CHECK = """() => {
  const bad = [];
  const seen = (el) => { const s = getComputedStyle(el); const r = el.getBoundingClientRect();
    return s.visibility !== 'hidden' && s.display !== 'none' && r.width > 0 && r.height > 0 && !el.closest('dialog:not([open]), details:not([open]) > :not(summary), [hidden]'); };
  document.querySelectorAll('main a[href], main button, main select, main input:not([type=hidden]), main summary, nav a, header a, header button, header select').forEach((el) => {
    if (!seen(el)) return;
    let target = el;
    if (el.type === 'checkbox' || el.type === 'radio') target = el.closest('label, td, th') || el;
    const r = target.getBoundingClientRect();
    if (r.width < 44 - 0.5 || r.height < 44 - 0.5)
      bad.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''} "${(el.innerText || el.value || el.name || '').trim().slice(0, 20)}" ${Math.round(r.width)}x${Math.round(r.height)}`);
  });
  return bad;
}"""
OVERFLOW_CHECK = """() => {
  const w = document.documentElement.clientWidth;
  const wide = [];
  document.querySelectorAll('main *').forEach((el) => {
    const r = el.getBoundingClientRect();
    if (r.right > w + 1 && !el.closest('.tablewrap')) wide.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}.${el.className} ${Math.round(r.right)}`);
  });
  return {scroll: document.documentElement.scrollWidth, width: w, wide: wide.slice(0, 5),
          tables: Array.from(document.querySelectorAll('.tablewrap')).filter((t) => t.scrollWidth > t.clientWidth + 1 && t.querySelector('input[type=text], select')).map((t) => t.querySelector('table').id)};
}"""


@pytest.fixture
def technician_pages(product_a, make_sample, users):
    from maturity.assays import assay_enter

    received = make_sample(product_a, "received", lot="TP-1")
    make_sample(product_a, "registered", lot="TP-2")
    a = assay_enter(
        actor=users["technician"], sample=received, method="moisture", data={"wet_mass_g": 50, "dry_mass_g": 34}
    )
    return [
        "/lab/",
        "/lab/receive/",
        "/samples/",
        "/samples/new/",
        f"/samples/{received.pk}/",
        f"/samples/{received.pk}/label/",
        "/lab/import/",
        "/documents/",
        f"/samples/{received.pk}/assays/{a.pk}/correct/",
    ] + [
        f"/samples/{received.pk}/assays/new/{m}/"
        for m in ("germination", "direct", "organic_carbon_wet_oxidation", "chromatogram", "observation")
    ]


@pytest.mark.parametrize("lang", ["zh-hant", "en"])
def test_technician_pages_fit_a_768_tablet_with_44px_targets(open_page, technician_pages, lang):
    page = open_page(lang, 768)
    login(page, "technician")
    problems = {}
    for path in technician_pages:
        page.goto(page.base + path)
        page.wait_for_timeout(150)
        overflow = page.evaluate(OVERFLOW_CHECK)
        small = page.evaluate(TAP_CHECK)
        if overflow["scroll"] > overflow["width"] or overflow["tables"] or small:
            problems[path] = {"overflow": overflow, "small targets": small[:8]}
        shot(page, f"{lang}-768-{path.strip('/').replace('/', '-') or 'home'}")
    for path, p in problems.items():
        print(path, p)
    assert problems == {}
    assert page.errors == []


@pytest.mark.parametrize("lang", ["zh-hant", "en"])
def test_direct_entry_shows_names_not_keys_and_has_room_for_ten_metals(open_page, product_a, make_sample, lang):
    sample = make_sample(product_a, "received", lot="DE-1")
    page = open_page(lang, 768)
    login(page, "technician")
    page.goto(page.base + f"/samples/{sample.pk}/assays/new/direct/")
    assert page.locator("#direct-rows tbody tr").count() >= 10
    options = page.locator("[name='rows.0.parameter'] option").all_inner_texts()
    assert not any("moisture_pct" in o or "(cu)" in o for o in options), options[:5]


# --------------------------------------------------------------------------- fewer clicks


@pytest.mark.parametrize("lang,width", LANGS)
def test_receive_label_six_assays_and_submit_in_few_clicks(open_page, product_a, make_sample, lang, width):
    """The routine task: receive + label + six assays + submit: at most 15 clicks and 8 page loads."""
    from maturity.models import Assay
    from web.assay_forms import flatten
    from web.demo_results import EXAMPLE_ASSAYS

    sample = make_sample(product_a, "registered", lot="CL-1")
    page = open_page(lang, width)
    login(page, "technician")
    page.add_init_script("window.print = function () { window.__printed = (window.__printed || 0) + 1; };")
    loads, clicks, typed = [], 0, 0
    page.on("load", lambda p: loads.append(p.url))

    def click(selector):
        nonlocal clicks
        clicks += 1
        page.click(selector)

    page.goto(page.base + "/lab/receive/")
    page.fill("#id_code", sample.code)
    typed += 1
    with page.expect_navigation():
        click("#receive-and-enter")
    click("#print-label")
    assert page.evaluate("window.__printed") == 1 and page.locator(".printonly #label-code").inner_text() == sample.code
    six = dict(EXAMPLE_ASSAYS[:6])  # moisture, OC, N, germination, reducing sugar, chromatogram
    for i, (method, data) in enumerate(six.items()):
        assert path_of(page) == f"/samples/{sample.pk}/assays/new/{method}/", (method, page.url)
        for name, value in flatten(method, data).items():
            field = page.locator(f"#assay-form [name='{name}']")
            if field.evaluate("el => el.tagName") == "SELECT":
                if field.input_value() != value:
                    field.select_option(value)
                    clicks += 1
            else:
                field.fill(value)
                typed += 1
        if i < 5:
            with page.expect_navigation():
                click("#save-next")
        else:
            click("#save-submit")
            with page.expect_navigation():
                click("#confirm-ok")
    page.wait_for_selector(".messages .success")
    sample.refresh_from_db()
    assert sample.status == "to_be_verified"
    assert Assay.objects.filter(sample=sample, status="entered").count() == 6
    shot(page, f"{lang}-{width}-routine-done")
    print(f"routine task: {clicks} clicks, {typed} typed values, {len(loads)} page loads")
    assert clicks <= 15 and len(loads) <= 8, (clicks, len(loads), loads)


@pytest.mark.parametrize("lang,width", LANGS)
def test_bulk_receive_from_the_sorted_list(open_page, product_a, make_sample, lang, width):
    a, b = make_sample(product_a, "registered", lot="BL-B"), make_sample(product_a, "registered", lot="BL-A")
    page = open_page(lang, width)
    login(page, "technician")
    page.goto(page.base + "/samples/")
    with page.expect_navigation():
        page.click("a[data-sort=lot]")
    codes = page.locator("#sample-table tbody tr").evaluate_all("rows => rows.map(r => r.dataset.code)")
    assert codes.index(b.code) < codes.index(a.code)
    for s in (a, b):
        page.check(f"#sample-table input[name=samples][value='{s.pk}']")
    page.click("button[data-bulk=receive]")
    with page.expect_navigation():
        body = confirm(page)
    assert a.code in body and b.code in body
    page.wait_for_selector(".messages .success")
    a.refresh_from_db(), b.refresh_from_db()
    assert (a.status, b.status) == ("received", "received")
