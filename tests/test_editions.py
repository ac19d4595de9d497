"""Editions are immutable once used (issue 19 item 3): any compliance answer,
pre-check, regulator view or document that cites an edition marks it used, and
`load_standard --replace` then refuses it with a clear message."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from maturity.models import StandardEdition
from tests.test_compliance_api import EXAMPLE, sample_with

pytestmark = pytest.mark.django_db
HEADER = "category,category_zh,parameter,kind,limit,unit,basis,condition,source\n"


def write_edition(tmp_path, cu_limit):
    (tmp_path / "r.csv").write_text(HEADER + f"general_compost,一般堆肥,cu,max,{cu_limit},mg/kg,dry,,test\n")
    (tmp_path / "e.yaml").write_text(
        "code: tw-2040\ntitle: test\nissuing_body: x\nin_force: 2040-01-01\n"
        "source: x\nrequirements_csv: r.csv\n"
        "categories:\n  general_compost: {name_zh: 一般堆肥, name_en: General compost}\n"
    )
    return str(tmp_path / "e.yaml")


@pytest.fixture
def edition(standards, tmp_path):
    call_command("load_standard", write_edition(tmp_path, 80))
    assert not StandardEdition.objects.get(code="tw-2040").used_in_judgement
    return tmp_path


def assert_replace_refused(tmp_path, first_use):
    before = list(StandardEdition.objects.get(code="tw-2040").requirements.values_list("limit", flat=True))
    with pytest.raises(CommandError) as e:
        call_command("load_standard", write_edition(tmp_path, 90), "--replace")
    msg = str(e.value)
    assert "Nothing loaded" in msg and "tw-2040" in msg and "can never be replaced" in msg
    assert first_use in msg and "new edition with its own code" in msg
    edition = StandardEdition.objects.get(code="tw-2040")
    assert edition.used_in_judgement and edition.used_since is not None
    assert list(edition.requirements.values_list("limit", flat=True)) == before == [80.0]


def test_an_unused_edition_can_still_be_replaced(edition):
    call_command("load_standard", write_edition(edition, 90), "--replace")
    assert list(StandardEdition.objects.get(code="tw-2040").requirements.values_list("limit", flat=True)) == [90.0]


def test_a_compliance_answer_freezes_the_edition(edition, client_for, make_sample, product_a):
    s = sample_with(client_for, make_sample, product_a, EXAMPLE)
    r = client_for("technician").get(f"/api/v1/samples/{s.pk}/compliance/?standard=tw-2040")
    assert r.status_code == 200 and r.json()["verdict"] == "fail"  # Cu 88.2 dry > 80
    assert_replace_refused(edition, f"compliance of sample {s.code}")


def test_a_pre_check_freezes_the_edition(edition, client_for):
    r = client_for("manufacturer").post(
        "/api/v1/assess/",
        {
            "standard": "tw-2040",
            "category": "general_compost",
            "results": {"cu": {"value": 90, "unit": "mg/kg", "basis": "dry"}},
        },
        format="json",
    )
    assert r.status_code == 200, r.content
    assert_replace_refused(edition, "pre-check")


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/regulator/samples/?standard=tw-2040",
        "/api/v1/regulator/statistics/?standard=tw-2040",
        "/api/v1/regulator/samples/export/?standard=tw-2040&format=csv",
    ],
)
def test_a_regulator_view_freezes_the_edition(edition, client_for, url):
    assert client_for("regulator").get(url).status_code == 200
    assert_replace_refused(edition, "regulator's market view")


def test_the_regulator_page_freezes_the_edition(edition, web):
    assert web("regulator").get("/regulator/?standard=tw-2040").status_code == 200
    assert_replace_refused(edition, "regulator's market view")


def test_a_bad_request_does_not_freeze_an_edition(edition, client_for, make_sample, product_a):
    s = sample_with(client_for, make_sample, product_a, EXAMPLE)
    r = client_for("regulator").get(f"/api/v1/samples/{s.pk}/compliance/?standard=tw-2040&decision_rule=x")
    assert r.status_code == 400
    assert not StandardEdition.objects.get(code="tw-2040").used_in_judgement


def test_admin_load_page_says_which_editions_are_in_use_before_the_upload(
    edition, client_for, make_sample, product_a, client, users
):
    client.force_login(users["lab_admin"])
    url = "/admin/maturity/standardedition/load/"
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "immutable once used" in page and "No edition is in use yet" in page
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hant").content.decode()  # the page reads in the admin's language
    assert "版本一經使用即不可更動" in page and "尚無使用中的版本" in page and "immutable once used" not in page
    s = sample_with(client_for, make_sample, product_a, EXAMPLE)
    client_for("regulator").get(f"/api/v1/samples/{s.pk}/compliance/?standard=tw-2040")
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Editions in use (cannot be replaced)" in page and "<strong>tw-2040</strong>" in page
    assert f"compliance of sample {s.code}" in page and "in use since " in page
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hant").content.decode()
    assert "使用中的版本（不可取代）" in page and f"（首次：compliance of sample {s.code}）" in page
    assert "起使用中" in page and 'value="載入"' in page


def test_an_unknown_category_does_not_freeze_an_edition(edition, client_for, make_sample, product_a):
    s = sample_with(client_for, make_sample, product_a, EXAMPLE)
    r = client_for("technician").get(f"/api/v1/samples/{s.pk}/compliance/?standard=tw-2040&category=bark_compost")
    assert r.status_code == 400
    assert not StandardEdition.objects.get(code="tw-2040").used_in_judgement


@pytest.mark.django_db(transaction=True)
def test_an_issued_certificate_freezes_its_edition(standards, client_for, product_a, make_sample, users, tmp_path):
    import shutil

    from maturity.services import STANDARDS_DIR
    from web.demo_results import enter_example_results, verify_sample

    s = make_sample(product_a, "received", "LOT-E1")
    enter_example_results(s, users["technician"])
    verify_sample(s, users["technician"], users["reviewer"])
    StandardEdition.objects.update(used_in_judgement=False, used_since=None, first_use="")
    r = client_for("reviewer").post("/api/v1/certificates/", {"sample": s.pk}, format="json")
    assert r.status_code == 202, r.content
    edition = StandardEdition.objects.get(code="tw-1997")  # the lab's default edition
    assert edition.used_in_judgement and s.code in edition.first_use
    shutil.copy(STANDARDS_DIR / "tw-1997.yaml", tmp_path / "tw-1997.yaml")
    csv = (STANDARDS_DIR / "tw_1997_categories.csv").read_text(encoding="utf-8")
    (tmp_path / "tw_1997_categories.csv").write_text(csv.replace(",100,", ",110,", 1), encoding="utf-8")
    assert csv != (tmp_path / "tw_1997_categories.csv").read_text(encoding="utf-8")
    with pytest.raises(CommandError, match="can never be replaced"):
        call_command("load_standard", str(tmp_path / "tw-1997.yaml"), "--replace")


def test_refusals_carry_codes_and_read_in_the_readers_language(edition):
    """What a lab admin reads when a load is refused: a message with a code, in English or Chinese."""
    from django.utils import translation

    from maturity.errors import InputError
    from maturity.services import edition_load, edition_mark_used

    with pytest.raises(InputError) as e:
        edition_load(write_edition(edition, 90))
    (exists,) = e.value.errors["code"]
    assert exists.code == "edition_exists" and exists.params == {"code": "tw-2040"}
    assert exists.english().startswith("Edition 'tw-2040' already exists: load the change as a new edition")
    edition_mark_used(StandardEdition.objects.get(code="tw-2040"), "compliance of sample S-1")
    with pytest.raises(InputError) as e:
        edition_load(write_edition(edition, 95), replace=True)
    (in_use,) = e.value.errors["code"]
    assert in_use.code == "edition_in_use" and in_use.params["first"] == "compliance of sample S-1"
    assert in_use.english().startswith(f"Edition 'tw-2040' is in use since {in_use.params['since']} (first: compliance")
    assert in_use.english().endswith("(e.g. 'tw-2040-r1').")
    with translation.override("zh-hant"):
        assert str(exists).startswith("版本「tw-2040」已存在")
        assert str(in_use).startswith(
            f"版本「tw-2040」自 {in_use.params['since']} 起已被使用（首次：compliance of sample S-1）"
        )
    # an edition marked used before the time of first use was kept: no "since"
    StandardEdition.objects.filter(code="tw-2040").update(used_since=None, first_use="")
    with pytest.raises(InputError) as e:
        edition_load(write_edition(edition, 96), replace=True)
    assert e.value.errors["code"][0].english().startswith("Edition 'tw-2040' is in use and can never be replaced")


def test_the_command_reports_in_english_whatever_language_is_active(edition):
    from django.utils import translation

    StandardEdition.objects.filter(code="tw-2040").update(used_in_judgement=True, first_use="pre-check")
    with translation.override("zh-hant"), pytest.raises(CommandError) as e:
        call_command("load_standard", write_edition(edition, 90), "--replace")
    assert str(e.value).startswith("Nothing loaded. code: Edition 'tw-2040' is in use (first: pre-check) and can")


def test_load_and_replace_reasons_are_messages_with_codes(edition):
    """The audit history says in the reader's language why the system wrote an edition or a table."""
    from django.utils import translation

    from lims.models import AuditEntry

    call_command("load_standard", write_edition(edition, 90), "--replace")
    entries = AuditEntry.objects.filter(entity="standard_edition").order_by("id")
    replaced = entries.get(action="delete")
    assert replaced.reason_code == "reason_edition_replaced"
    assert replaced.reason == "replaced by a new file of the same code, not yet used in a judgement"
    loaded = entries.filter(action="create").last()
    assert (loaded.reason_code, loaded.reason) == ("reason_loaded_from", "loaded from e.yaml")
    table = AuditEntry.objects.get(entity="jurisdiction_limit", action="replace")
    assert (table.reason_code, table.reason) == ("reason_loaded_from", "loaded from heavy_metal_limits_1999.csv")
    with translation.override("zh-hant"):
        assert replaced.reason_shown == "已由同代碼的新檔案取代（尚未用於判定）"
        assert loaded.reason_shown == "由 e.yaml 載入"
        assert table.reason_shown == "由 heavy_metal_limits_1999.csv 載入"
