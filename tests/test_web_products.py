"""Registering and editing a product on the pages: the API's rules
(ProductSerializer) with their messages inline in Chinese, writes through the
services with an audit entry, nothing half-saved, and who may do it."""

import re

import pytest

from lims.models import AuditEntry, Product

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hant"}


def text(response):
    return response.content.decode()


def body(**over):
    data = {
        "name": "甲廠堆肥二號 Compost No. 2",
        "category": "general_compost",
        "bagasse_based": "on",
        "raw_materials.0.name": "牛糞 cattle manure",
        "raw_materials.0.proportion_pct": "60",
        "raw_materials.1.name": "稻殼 rice husk",
        "raw_materials.1.proportion_pct": "25.5",
        "raw_materials.2.name": "菇類廢棄包 spent mushroom substrate",
        "raw_materials.2.proportion_pct": "14.5",
        "raw_materials.3.name": "",
        "raw_materials.3.proportion_pct": "",  # the spare row, left empty
        "fermentation_days": "90",
        "peak_temperature_c": "68.5",
        "turnings": "12",
    }
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


def test_manufacturer_registers_a_product_from_the_portal(web, standards, org_a, users):
    c = web("manufacturer")
    portal = text(c.get("/portal/"))
    assert "登記新產品" in portal and 'href="/products/new/"' in portal
    page = text(c.get("/products/new/"))
    # categories of the loaded standards, as 中文名 English name; no manufacturer to choose
    assert re.search(r'<option value="general_compost"[^>]*>[^<]*[\u4e00-\u9fff][^<]* [A-Za-z]', page)
    assert 'name="manufacturer"' not in page and 'name="reason"' not in page
    r = c.post("/products/new/", body(manufacturer="999"))  # a posted manufacturer is ignored
    product = Product.objects.get(name="甲廠堆肥二號 Compost No. 2")
    assert r.status_code == 302 and r["Location"] == f"/products/{product.pk}/"
    assert product.manufacturer == org_a and product.category == "general_compost"
    assert product.bagasse_based is True and product.chemical_fertilizer_added is False
    assert product.raw_materials == [
        {"name": "牛糞 cattle manure", "proportion_pct": 60.0},
        {"name": "稻殼 rice husk", "proportion_pct": 25.5},
        {"name": "菇類廢棄包 spent mushroom substrate", "proportion_pct": 14.5},
    ]
    assert product.process == {"fermentation_days": 90, "peak_temperature_c": 68.5, "turnings": 12}
    assert isinstance(product.process["fermentation_days"], int)
    entry = AuditEntry.objects.get(entity="product", entity_id=product.pk)
    assert entry.action == "create" and entry.actor == users["manufacturer"] and entry.manufacturer == org_a
    assert entry.changes["raw_materials"][1] == product.raw_materials
    page = text(c.get(r["Location"]))
    assert (
        "已登記產品" in page and "牛糞 cattle manure 60 %" in page and "醱酵 90 天，最高溫 68.5 °C，翻堆 12 次" in page
    )


@pytest.mark.parametrize(
    "rows,where,message",
    [
        ({"raw_materials.0.proportion_pct": "50"}, "raw_materials", "比例合計必須為 100 %（目前合計 90 %）"),
        (
            {"raw_materials.1.proportion_pct": "0", "raw_materials.0.proportion_pct": "85.5"},
            "raw_materials.1.proportion_pct",
            "必須大於 0",
        ),
        ({"raw_materials.1.proportion_pct": "abc"}, "raw_materials.1.proportion_pct", "必須為數字"),
        ({"raw_materials.2.name": " "}, "raw_materials.2.name", "必填"),
        ({"raw_materials.0.proportion_pct": "160"}, "raw_materials.0.proportion_pct", "必須介於 0 與 100 之間"),
    ],
)
def test_bad_raw_materials_show_inline_and_nothing_is_saved(web, standards, users, rows, where, message):
    c = web("manufacturer")
    r = c.post("/products/new/", body(**rows))
    assert r.status_code == 200
    page = text(r)
    box = re.search(r'data-error-for="%s">([^<]*)<' % re.escape(where), page)
    assert box and message in box.group(1), (where, box and box.group(1))
    assert "未儲存任何資料" in page
    assert not Product.objects.exists() and not AuditEntry.objects.filter(entity="product").exists()
    # what was typed is kept, and a spare row offered
    assert 'value="牛糞 cattle manure"' in page and 'name="raw_materials.3.name"' in page


def test_process_category_and_name_rules_are_the_serializers(web, product_a):
    c = web("manufacturer")
    r = c.post(
        "/products/new/",
        body(
            fermentation_days="12.5", peak_temperature_c="120", turnings="x", category="nonsense", name=product_a.name
        ),
    )
    page = text(r)
    for field, message in [
        ("fermentation_days", "必須為整數"),
        ("peak_temperature_c", "必須介於 0 與 100 之間"),
        ("turnings", "必須為數字"),
        ("category", "未知的肥料類別"),
    ]:
        box = re.search(r'data-error-for="%s">([^<]*)<' % field, page)
        assert box and message in box.group(1), (field, box and box.group(1))
    assert Product.objects.count() == 1
    # the name clash is judged once the fields are right
    page = text(c.post("/products/new/", body(name=product_a.name)))
    box = re.search(r'data-error-for="name">([^<]*)<', page)
    assert box and "已有名為" in box.group(1)
    assert Product.objects.count() == 1
    # English on request: the serializer's own words
    page = text(web("manufacturer", "en").post("/products/new/", body(**{"raw_materials.0.proportion_pct": "50"})))
    assert "proportions must add up to 100 % (they add up to 90 %)" in page


def test_edit_with_a_reason_shows_in_the_history(web, product_a, users):
    c = web("manufacturer")
    detail = text(c.get(f"/products/{product_a.pk}/"))
    assert f'href="/products/{product_a.pk}/edit/"' in detail and "編輯" in detail
    page = text(c.get(f"/products/{product_a.pk}/edit/"))
    assert 'value="cattle manure"' in page and 'value="70"' in page and 'value="75"' in page
    assert 'name="reason"' in page
    r = c.post(
        f"/products/{product_a.pk}/edit/",
        body(
            name=product_a.name,
            bagasse_based=None,
            chemical_fertilizer_added="on",
            **{
                "raw_materials.0.name": "cattle manure",
                "raw_materials.0.proportion_pct": "80",
                "raw_materials.1.name": "rice husk",
                "raw_materials.1.proportion_pct": "20",
                "raw_materials.2.name": "",
                "raw_materials.2.proportion_pct": "",
            },
            reason="配方調整 recipe change 2026-11",
        ),
    )
    assert r.status_code == 302
    product_a.refresh_from_db()
    assert product_a.raw_materials == [
        {"name": "cattle manure", "proportion_pct": 80.0},
        {"name": "rice husk", "proportion_pct": 20.0},
    ]
    assert product_a.chemical_fertilizer_added is True
    entry = AuditEntry.objects.get(entity="product", entity_id=product_a.pk, action="update")
    assert entry.reason == "配方調整 recipe change 2026-11" and entry.actor == users["manufacturer"]
    assert set(entry.changes) == {"raw_materials", "process", "chemical_fertilizer_added"}
    page = text(c.get(f"/products/{product_a.pk}/"))
    history = page[page.index('id="product-history"') :]
    assert "已編輯產品" in history and "原因: 配方調整 recipe change 2026-11" in history
    assert "原料: cattle manure 70 %、rice husk 30 % → cattle manure 80 %、rice husk 20 %" in history
    assert "添加化學肥料: 否 → 是" in history
    # the reviewer and the regulator read the same history
    assert "配方調整 recipe change 2026-11" in text(web("regulator").get(f"/products/{product_a.pk}/"))


def test_a_bad_edit_changes_nothing(web, product_a):
    c = web("manufacturer")
    before = Product.objects.values().get(pk=product_a.pk)
    r = c.post(f"/products/{product_a.pk}/edit/", body(name="renamed", turnings="2000", reason="x"))
    assert r.status_code == 200 and "必須介於 0 與 1000 之間" in text(r)
    assert Product.objects.values().get(pk=product_a.pk) == before
    assert not AuditEntry.objects.filter(entity="product", action="update").exists()


def test_manufacturer_b_cannot_open_or_edit_a_product_of_a(web, product_a):
    c = web("manufacturer_b")
    assert c.get(f"/products/{product_a.pk}/edit/").status_code == 404
    r = c.post(f"/products/{product_a.pk}/edit/", body(name="hijacked", reason="x"))
    assert r.status_code == 404
    product_a.refresh_from_db()
    assert product_a.name != "hijacked"
    assert f"/products/{product_a.pk}/edit/" not in text(web("manufacturer_b").get("/portal/"))


@pytest.mark.parametrize("role", ["regulator", "technician", "reviewer"])
def test_other_roles_get_the_403_page(web, product_a, role):
    c = web(role)
    for url in ("/products/new/", f"/products/{product_a.pk}/edit/"):
        r = c.get(url)
        assert r.status_code == 403 and "您無權開啟此頁面" in text(r)
    assert c.post("/products/new/", body()).status_code == 403
    assert Product.objects.count() == 1
    assert f"/products/{product_a.pk}/edit/" not in text(c.get(f"/products/{product_a.pk}/"))


def test_lab_admin_registers_a_product_for_a_chosen_manufacturer(web, standards, org_a, org_b, users):
    c = web("lab_admin")
    assert 'href="/products/new/"' in text(c.get("/lab/"))
    page = text(c.get("/products/new/"))
    assert 'name="manufacturer"' in page and org_a.name in page and org_b.name in page
    page = text(c.post("/products/new/", body()))  # the manufacturer is required
    box = re.search(r'data-error-for="manufacturer">([^<]*)<', page)
    assert box and "此欄位為必填" in box.group(1) and not Product.objects.exists()
    r = c.post("/products/new/", body(manufacturer=str(org_b.pk)))
    product = Product.objects.get()
    assert r.status_code == 302 and product.manufacturer == org_b
    entry = AuditEntry.objects.get(entity="product", entity_id=product.pk)
    assert entry.actor == users["lab_admin"] and entry.manufacturer == org_b
    # it is manufacturer B's product now: B sees and edits it, A does not
    assert web("manufacturer_b").get(f"/products/{product.pk}/edit/").status_code == 200
    assert web("manufacturer").get(f"/products/{product.pk}/edit/").status_code == 404


def test_product_pages_show_no_english_interface_strings(web, product_a):
    from tests.test_web_pages import _msgids

    english = sorted(
        {
            e["msgid"]
            for e in _msgids()
            if len(e["msgid"]) >= 6 and " " in e["msgid"] and "%(" not in e["msgid"] and e["msgid"] not in e["msgstr"]
        },
        key=len,
        reverse=True,
    )
    pages = [
        ("manufacturer", "/products/new/"),
        ("manufacturer", f"/products/{product_a.pk}/edit/"),
        ("lab_admin", "/products/new/"),
        ("manufacturer", f"/products/{product_a.pk}/"),
    ]
    for role, url in pages:
        r = (
            web(role).post(url, body(**{"raw_materials.0.proportion_pct": "50"}))
            if url.endswith("new/")
            else web(role).get(url)
        )
        visible = re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style|template)[^>]*>.*?</\1>", " ", text(r), flags=re.S))
        for name in (product_a.name, product_a.manufacturer.name, "cattle manure", "rice husk"):
            visible = visible.replace(name, "")
        found = [m for m in english if m in visible]
        assert found == [], (url, found[:5])
        assert not re.search(r"\b(must|required|proportions|between)\b", visible), url
