"""Issue 4 through the API: the EXAMPLES.md compliance example under both
decision rules, jurisdictions, the pre-check, standards loading and the
regulator's market view, exports and statistics."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

pytestmark = pytest.mark.django_db

EXAMPLE = {
    "moisture_pct": {"value": 32.0, "unit": "%", "basis": "as_received"},
    "organic_matter_pct": {"value": 64.2, "unit": "%", "basis": "dry"},
    "total_nitrogen_pct": {"value": 1.8, "unit": "%", "basis": "dry"},
    "p2o5_pct": {"value": 2.1, "unit": "%", "basis": "dry"},
    "k2o_pct": {"value": 1.2, "unit": "%", "basis": "dry"},
    "cu": {"value": 60, "unit": "mg/kg", "basis": "as_received", "uncertainty": 10},
    "zn": {"value": 5, "unit": "mg/kg", "basis": "dry", "qualifier": "<"},
}


def sample_with(client_for, make_sample, product, values):
    s = make_sample(product, "received")
    r = client_for("technician").post(
        f"/api/v1/samples/{s.pk}/assays/", {"method": "direct", "data": {"values": values}}, format="json"
    )
    assert r.status_code == 201, r.content
    return s


def checks_by_param(body):
    return {(c["parameter"], c.get("condition", "")): c for c in body["checks"]}


def test_example_simple_rule_passes(client_for, make_sample, product_a):
    s = sample_with(client_for, make_sample, product_a, EXAMPLE)
    r = client_for("regulator").get(f"/api/v1/samples/{s.pk}/compliance/?standard=tw-1997&decision_rule=simple")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["standard"] == "tw-1997" and body["category"] == "general_compost"
    assert body["decision_rule"] == "simple" and body["verdict"] == "pass"
    cu = checks_by_param(body)[("cu", "")]
    assert abs(cu["value"] - 60 / 0.68) < 1e-6 * 88 and abs(cu["uncertainty"] - 10 / 0.68) < 1e-6 * 14
    assert set(cu) >= {"parameter", "kind", "limit", "unit", "value", "uncertainty", "status", "reason"}
    assert all(c["status"] == "pass" for c in body["checks"])


def test_example_guarded_rule_is_conditional(client_for, make_sample, product_a):
    s = sample_with(client_for, make_sample, product_a, EXAMPLE)
    body = client_for("reviewer").get(f"/api/v1/samples/{s.pk}/compliance/?decision_rule=guarded").json()
    assert body["decision_rule"] == "guarded"
    assert checks_by_param(body)[("cu", "")]["status"] == "conditional"
    assert body["verdict"] == "conditional"


def test_example_without_moisture_is_incomplete(client_for, make_sample, product_a):
    values = {k: v for k, v in EXAMPLE.items() if k != "moisture_pct"}
    s = sample_with(client_for, make_sample, product_a, values)
    body = client_for("regulator").get(f"/api/v1/samples/{s.pk}/compliance/").json()
    checks = checks_by_param(body)
    assert checks[("cu", "")]["status"] == "missing" and "moisture" in checks[("cu", "")]["reason"]
    assert checks[("moisture_pct", "not_bagasse")]["status"] == "missing"
    assert body["verdict"] == "incomplete"


def test_example_bagasse_product_with_38_percent_moisture(client_for, make_sample, product_a):
    client_for("manufacturer").patch(f"/api/v1/products/{product_a.pk}/", {"bagasse_based": True}, format="json")
    product_a.refresh_from_db()
    s = sample_with(
        client_for, make_sample, product_a, dict(EXAMPLE, moisture_pct={"value": 38.0, "basis": "as_received"})
    )
    body = client_for("regulator").get(f"/api/v1/samples/{s.pk}/compliance/").json()
    moist = [c for c in body["checks"] if c["parameter"] == "moisture_pct"]
    assert len(moist) == 1 and moist[0]["limit"] == 40 and moist[0]["status"] == "pass"


def test_declaration_failure_and_category_override(client_for, make_sample, product_a):
    client_for("manufacturer").patch(
        f"/api/v1/products/{product_a.pk}/", {"chemical_fertilizer_added": True}, format="json"
    )
    s = sample_with(client_for, make_sample, product_a, EXAMPLE)
    body = client_for("regulator").get(f"/api/v1/samples/{s.pk}/compliance/").json()
    assert body["verdict"] == "fail"
    decl = [c for c in body["checks"] if c["status"] == "fail"]
    assert len(decl) == 1 and "chemical" in decl[0]["parameter"]
    misc = client_for("regulator").get(f"/api/v1/samples/{s.pk}/compliance/?category=misc_organic").json()
    assert misc["category"] == "misc_organic" and any(c["parameter"] == "npk_sum_pct" for c in misc["checks"])


@pytest.mark.parametrize(
    "query,field",
    [
        ("standard=tw-2099", "standard"),
        ("category=rocket_fuel", "category"),
        ("decision_rule=lenient", "decision_rule"),
    ],
)
def test_bad_compliance_query_is_400(client_for, make_sample, product_a, query, field):
    s = sample_with(client_for, make_sample, product_a, EXAMPLE)
    r = client_for("regulator").get(f"/api/v1/samples/{s.pk}/compliance/?{query}")
    assert r.status_code == 400 and field in r.json()


def test_jurisdictions(client_for, make_sample, product_a):
    values = dict(EXAMPLE, cr={"value": 180, "unit": "mg/kg", "basis": "dry"})
    s = sample_with(client_for, make_sample, product_a, values)
    body = client_for("regulator").get(f"/api/v1/samples/{s.pk}/jurisdictions/").json()
    cr = next(m for m in body["metals"] if m["metal"] == "cr")
    by = {j["jurisdiction"] + j["note"]: j for j in cr["jurisdictions"]}
    assert by["AT"]["status"] == "exceeds"  # 150
    assert by["BE"]["status"] == "within_range"  # 150–200
    assert by["US"]["status"] == "meets"  # 1000
    assert by["JP"]["status"] == "not_comparable"  # water extract (1.5)
    assert by["BE"]["limit_display"] in ("150–200", "150-200")
    cu = next(m for m in body["metals"] if m["metal"] == "cu")
    assert abs(cu["value"] - 60 / 0.68) < 1e-6


def test_assess_precheck_without_storing(client_for, standards):
    from lims.models import Sample
    from maturity.models import Assay

    for role in ("manufacturer", "regulator", "technician"):
        r = client_for(role).post(
            "/api/v1/assess/",
            {"category": "general_compost", "decision_rule": "guarded", "results": EXAMPLE},
            format="json",
        )
        assert r.status_code == 200, r.content
        assert r.json()["verdict"] == "conditional" and r.json()["standard"] == "tw-1997"
    assert Assay.objects.count() == 0 and Sample.objects.count() == 0
    r = client_for("manufacturer").post(
        "/api/v1/assess/",
        {"category": "general_compost", "results": {"cu": {"value": 5, "unit": "ppb"}}},
        format="json",
    )
    assert r.status_code == 400 and "results.cu.unit" in r.json()
    r = client_for("manufacturer").post("/api/v1/assess/", {"category": "nope", "results": EXAMPLE}, format="json")
    assert r.status_code == 400 and "category" in r.json()


def test_standards_loader_rejects_bad_files_and_loads_nothing(tmp_path, standards):
    from maturity.models import StandardEdition

    before = StandardEdition.objects.count()
    csv_bad = (
        "category,category_zh,parameter,kind,limit,unit,basis,condition,source\n"
        "general_compost,一般堆肥,cu,max,abc,mg/kg,dry,,x\n"
        "general_compost,一般堆肥,cu,max,100,mg/kg,dry,,x\n"
        "general_compost,一般堆肥,cu,max,100,mg/kg,dry,,x\n"
        "general_compost,一般堆肥,zn,max,800,furlongs,dry,,x\n"
    )
    (tmp_path / "r.csv").write_text(csv_bad)
    (tmp_path / "e.yaml").write_text(
        "code: tw-2030\ntitle: test\nissuing_body: x\nin_force: 2030-01-01\n"
        "source: x\nrequirements_csv: r.csv\n"
        "categories:\n  general_compost: {name_zh: 一般堆肥, name_en: General compost}\n"
    )
    with pytest.raises(CommandError) as e:
        call_command("load_standard", str(tmp_path / "e.yaml"))
    msg = str(e.value)
    assert "Nothing loaded" in msg and "not a number" in msg and "duplicate" in msg.lower() and "furlongs" in msg
    (tmp_path / "r.csv").write_text("category,parameter,kind,limit\ngeneral_compost,cu,max,100\n")
    with pytest.raises(CommandError) as e:
        call_command("load_standard", str(tmp_path / "e.yaml"))
    assert "column" in str(e.value).lower()
    assert StandardEdition.objects.count() == before


def test_new_edition_loads_and_used_edition_is_frozen(tmp_path, standards, client_for, make_sample, product_a, users):
    from maturity.models import StandardEdition

    (tmp_path / "r.csv").write_text(
        "category,category_zh,parameter,kind,limit,unit,basis,condition,source\n"
        "general_compost,一般堆肥,cu,max,80,mg/kg,dry,,test\n"
    )
    (tmp_path / "e.yaml").write_text(
        "code: tw-2030\ntitle: test\nissuing_body: x\nin_force: 2030-01-01\n"
        "source: x\nrequirements_csv: r.csv\n"
        "categories:\n  general_compost: {name_zh: 一般堆肥, name_en: General compost}\n"
    )
    call_command("load_standard", str(tmp_path / "e.yaml"))
    s = sample_with(client_for, make_sample, product_a, EXAMPLE)
    body = client_for("regulator").get(f"/api/v1/samples/{s.pk}/compliance/?standard=tw-2030").json()
    assert body["standard"] == "tw-2030" and body["verdict"] == "fail"  # 88.2 > 80
    StandardEdition.objects.filter(code="tw-2030").update(used_in_judgement=True)
    (tmp_path / "r.csv").write_text(
        "category,category_zh,parameter,kind,limit,unit,basis,condition,source\n"
        "general_compost,一般堆肥,cu,max,90,mg/kg,dry,,test\n"
    )
    with pytest.raises(CommandError, match="new edition"):
        call_command("load_standard", str(tmp_path / "e.yaml"), "--replace")


@pytest.fixture
def market(client_for, make_sample, product_a, product_b, users):
    """Three verified samples: one passing, one failing Cu, one from another manufacturer failing Zn."""
    from lims import services

    specs = [
        (product_a, EXAMPLE),
        (product_a, dict(EXAMPLE, cu={"value": 150, "unit": "mg/kg", "basis": "dry"})),
        (product_b, dict(EXAMPLE, zn={"value": 0.12, "unit": "%", "basis": "dry"})),
    ]
    out = []
    for product, values in specs:
        s = sample_with(client_for, make_sample, product, values)
        s = services.sample_transition(actor=users["technician"], sample=s, action="submit")
        out.append(services.sample_transition(actor=users["reviewer"], sample=s, action="verify"))
    make_sample(product_a, "received")  # not verified: not part of the market view
    return out


def test_regulator_market_table_filters(client_for, market):
    c = client_for("regulator")
    body = c.get("/api/v1/regulator/samples/").json()
    assert body["standard"] == "tw-1997" and body["decision_rule"] == "simple" and body["count"] == 3
    verdicts = {r["code"]: r["verdict"] for r in body["results"]}
    assert verdicts == {market[0].code: "pass", market[1].code: "fail", market[2].code: "fail"}
    fails = c.get("/api/v1/regulator/samples/?verdict=fail").json()
    assert fails["count"] == 2
    cu = c.get("/api/v1/regulator/samples/?failing=cu").json()
    assert [r["code"] for r in cu["results"]] == [market[1].code] and cu["results"][0]["failing"] == ["cu"]
    by_maker = c.get(f"/api/v1/regulator/samples/?manufacturer={market[2].product.manufacturer_id}").json()
    assert by_maker["count"] == 1
    guarded = c.get("/api/v1/regulator/samples/?decision_rule=guarded").json()
    assert guarded["decision_rule"] == "guarded"
    assert {r["code"]: r["verdict"] for r in guarded["results"]}[market[0].code] == "conditional"


def test_market_matches_single_sample_judgement(client_for, market):
    c = client_for("regulator")
    table = {r["id"]: r for r in c.get("/api/v1/regulator/samples/?decision_rule=guarded").json()["results"]}
    for s in market:
        single = c.get(f"/api/v1/samples/{s.pk}/compliance/?decision_rule=guarded").json()
        assert table[s.pk]["verdict"] == single["verdict"]


@pytest.mark.parametrize(
    "role,expected",
    [("regulator", 200), ("lab_admin", 200), ("reviewer", 200), ("technician", 200), ("manufacturer", 403)],
)
def test_market_roles(client_for, market, role, expected):
    for url in [
        "/api/v1/regulator/samples/",
        "/api/v1/regulator/statistics/",
        "/api/v1/regulator/samples/export/?format=csv",
    ]:
        assert client_for(role).get(url).status_code == expected


def test_exports_csv_and_xlsx(client_for, market):
    import pandas as pd

    c = client_for("regulator")
    r = c.get("/api/v1/regulator/samples/export/?format=csv&verdict=fail")
    assert r.status_code == 200 and "tw-1997" in r["Content-Disposition"]
    df = pd.read_csv(io.BytesIO(b"".join(r.streaming_content)))  # streamed: bounded memory
    assert len(df) == 2 and set(df["decision_rule"]) == {"simple"} and set(df["standard"]) == {"tw-1997"}
    assert "cu" in df.columns and "failing" in df.columns
    r = c.get("/api/v1/regulator/samples/export/?format=xlsx")
    x = pd.read_excel(io.BytesIO(b"".join(r.streaming_content)), sheet_name="samples")
    assert len(x) == 3
    assert c.get("/api/v1/regulator/samples/export/?format=pdf").status_code == 400


def test_statistics_with_links_back_to_samples(client_for, market):
    c = client_for("regulator")
    body = c.get("/api/v1/regulator/statistics/").json()
    assert body["standard"] == "tw-1997" and body["samples"] == 3
    cu = next(s for s in body["statistics"] if s["parameter"] == "cu")
    assert cu["count"] == 3 and cu["unit"] == "mg/kg" and cu["basis"] == "dry"
    assert abs(cu["max"] - 150) < 1e-9 and abs(cu["min"] - 60 / 0.68) < 1e-9
    limit = cu["limits"][0]
    assert limit["beyond"] == 1 and abs(limit["share_pct"] - 33.33) < 0.01
    assert "sample_ids" not in limit  # a count and a link to those samples, not their ids (issue 9)
    linked = c.get(limit["samples_url"]).json()
    assert [r["id"] for r in linked["results"]] == [market[1].pk]
    zn = next(s for s in body["statistics"] if s["parameter"] == "zn")
    assert zn["below_detection"] == 2 and abs(zn["max"] - 1200) < 1e-9
    assert c.get(cu["samples_url"]).json()["count"] == 3


def test_admin_loads_edition_from_uploaded_files(client, users, standards):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from maturity.models import StandardEdition

    client.force_login(users["lab_admin"])
    csv = (
        "category,category_zh,parameter,kind,limit,unit,basis,condition,source\n"
        "general_compost,一般堆肥,cu,max,80,mg/kg,dry,,test\n"
    ).encode()
    yaml_text = (
        "code: tw-2031\ntitle: t\nissuing_body: x\nin_force: 2031-01-01\nsource: x\n"
        "requirements_csv: r.csv\ncategories:\n  general_compost: {name_zh: 一般堆肥, name_en: General}\n"
    )
    r = client.post(
        "/admin/maturity/standardedition/load/",
        {
            "manifest": SimpleUploadedFile("e.yaml", yaml_text.encode()),
            "requirements": SimpleUploadedFile("r.csv", csv),
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    assert StandardEdition.objects.get(code="tw-2031").requirements.count() == 1
    bad = csv.replace(b",80,", b",eighty,")
    for lang, problem in (
        ("zh-hant", "row 2.limit: 「eighty」不是數值"),
        ("en", "row 2.limit: &#x27;eighty&#x27; is not a number"),
    ):
        r = client.post(
            "/admin/maturity/standardedition/load/",
            {
                "manifest": SimpleUploadedFile("e.yaml", yaml_text.replace("2031", "2032").encode()),
                "requirements": SimpleUploadedFile("r.csv", bad),
            },
            HTTP_ACCEPT_LANGUAGE=lang,
        )
        assert r.status_code == 200 and problem in r.content.decode(), lang
    assert not StandardEdition.objects.filter(code="tw-2032").exists()
    # a file loaded again: the lab admin is told so, in the reader's language
    for lang, told in (
        ("zh-hant", "版本 tw-2031 先前已載入：共 1 項規格要求。"),
        ("en", "Edition tw-2031 was already loaded"),
    ):
        r = client.post(
            "/admin/maturity/standardedition/load/",
            {
                "manifest": SimpleUploadedFile("e.yaml", yaml_text.encode()),
                "requirements": SimpleUploadedFile("r.csv", csv),
            },
            HTTP_ACCEPT_LANGUAGE=lang,
            follow=True,
        )
        assert told in r.content.decode(), lang


def test_admin_pages_for_lab_admin(client, users, standards):
    client.force_login(users["lab_admin"])
    for url in [
        "/admin/",
        "/admin/maturity/standardedition/",
        "/admin/lims/user/",
        "/admin/lims/labsettings/",
        "/admin/lims/manufacturer/",
        "/admin/maturity/standardedition/load/",
    ]:
        assert client.get(url).status_code == 200, url
    changelist = "/admin/maturity/standardedition/"
    assert "Load an edition from a file" in client.get(changelist, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "從檔案載入版本" in client.get(changelist, HTTP_ACCEPT_LANGUAGE="zh-hant").content.decode()


# ------------------------------------------------------------------ messages with codes, in the reader's language


def test_compliance_errors_carry_codes_in_both_languages(client_for, make_sample, product_a, users):
    from rest_framework.test import APIClient

    s = make_sample(product_a, "received")
    zh = APIClient()
    zh.credentials(HTTP_ACCEPT_LANGUAGE="zh-hant")
    zh.force_authenticate(users["reviewer"])
    en = client_for("reviewer")
    url = f"/api/v1/samples/{s.pk}/compliance/"
    cases = [
        (
            "?decision_rule=lenient",
            "decision_rule",
            "unknown_decision_rule",
            "Unknown decision rule 'lenient'; use simple or guarded.",
            "不明的判定規則「lenient」；請使用 simple（簡單判定）或 guarded（保護帶判定）。",
        ),
        (
            "?standard=tw-2099",
            "standard",
            "unknown_standard",
            "Unknown standard edition 'tw-2099'. Known: tw-1997.",
            "不明的標準版本「tw-2099」。已知版本：tw-1997。",
        ),
        (
            "?category=fish_meal",
            "category",
            "unknown_category",
            "Unknown category 'fish_meal' in tw-1997. Known: ",
            "tw-1997 中沒有肥料類別「fish_meal」。已知類別：",
        ),
    ]
    for query, field, code, english, chinese in cases:
        r, c = en.get(url + query), zh.get(url + query)
        assert r.status_code == c.status_code == 400, r.content
        assert r.json()["code"] == c.json()["code"] == code
        assert r.json()["codes"] == c.json()["codes"] == {field: [code]}
        assert r.json()["detail"].startswith(english) and r.json()[field][0].startswith(english)
        assert c.json()["detail"].startswith(chinese) and c.json()[field][0].startswith(chinese)


def test_no_edition_loaded_reads_none_loaded(client_for, make_sample, product_a):
    from maturity.models import StandardEdition

    s = make_sample(product_a, "received")
    StandardEdition.objects.all().delete()
    r = client_for("reviewer").get(f"/api/v1/samples/{s.pk}/compliance/?standard=tw-1997")
    assert r.status_code == 400 and r.json()["code"] == "unknown_standard"
    assert r.json()["detail"] == "Unknown standard edition 'tw-1997'. Known: none loaded."


def test_compliance_reasons_read_in_the_readers_language(client_for, make_sample, product_a, users):
    from rest_framework.test import APIClient

    s = sample_with(client_for, make_sample, product_a, EXAMPLE)
    zh = APIClient()
    zh.credentials(HTTP_ACCEPT_LANGUAGE="zh-hant")
    zh.force_authenticate(users["reviewer"])
    url = f"/api/v1/samples/{s.pk}/compliance/?standard=tw-1997&decision_rule=guarded"
    en_checks = checks_by_param(client_for("reviewer").get(url).json())
    zh_checks = checks_by_param(zh.get(url).json())
    assert en_checks[("cu", "")]["reason"] == "88.235 + 14.706 = 102.94 > 100, but 88.235 − 14.706 = 73.529 ≤ 100"
    assert zh_checks[("cu", "")]["reason"] == (
        "88.235 + 14.706 = 102.94 > 100，但 88.235 − 14.706 = 73.529 ≤ 100（落在不確定度範圍內）"
    )
    zn_en, zn_zh = en_checks[("zn", "")]["reason"], zh_checks[("zn", "")]["reason"]
    assert zn_en.startswith("<5, and 5 ≤ ") and zn_zh.startswith("<5，且 5 ≤ ")
    declared = [c for c in zh.get(url).json()["checks"] if c["kind"] == "declaration"]
    assert declared and all(c["reason"].startswith("已聲明：") for c in declared)
