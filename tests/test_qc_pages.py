"""Issue 11 pages: worksheet list and creation, the grid page, submit blocked and release, charts."""

import pytest

from tests.test_qc_api import TN, chart, create_worksheet, grid, rm, samples  # noqa: F401  fixtures

pytestmark = pytest.mark.django_db


def test_worksheet_pages_technician_and_reviewer(web, client_for, samples, rm, chart):  # noqa: F811
    tech = web("technician", "en")
    r = tech.get("/qc/worksheets/")
    assert r.status_code == 200 and samples[0].code in r.content.decode()
    r = tech.post(
        "/qc/worksheets/",
        {
            "method": "direct",
            "samples": [s.pk for s in samples],
            "blank": "1",
            "duplicate": "1",
            "reference_material": rm.pk,
        },
    )
    assert r.status_code == 302
    ws_url = r["Location"]
    page = tech.get(ws_url).content.decode()
    assert 'id="grid"' in page and 'data-parameter="total_nitrogen_pct"' in page and "qc_grid.js" in page
    ws_id = int(ws_url.rstrip("/").rsplit("/", 1)[1])
    assert (
        client_for("technician")
        .post(f"/api/v1/worksheets/{ws_id}/enter/", {"entries": grid(samples)}, format="json")
        .status_code
        == 200
    )
    page = tech.get(ws_url).content.decode()
    assert 'id="qc-reject"' in page and "2_2s" in page and "rpd_above_limit" in page
    r = tech.post(ws_url, {"action": "submit"}, follow=True)
    assert "a reviewer must release it" in r.content.decode()
    rev = web("reviewer", "en")
    assert 'id="release-form"' in rev.get(ws_url).content.decode()
    rev.post(ws_url, {"action": "release", "reason": "investigated: balance recalibrated"})
    r = tech.post(ws_url, {"action": "submit"}, follow=True)
    assert "Worksheet submitted" in r.content.decode()
    r = tech.get(f"/qc/charts/{chart.pk}/")
    assert r.status_code == 200 and "<svg" in r.content.decode() and 'class="point reject"' in r.content.decode()
    assert web("manufacturer", "en").get("/qc/worksheets/").status_code == 403
    assert web("manufacturer", "en").get(f"/qc/charts/{chart.pk}/").status_code == 403
    assert web("regulator", "en").get(f"/qc/charts/{chart.pk}/").status_code == 200


def test_create_errors_shown(web, samples):  # noqa: F811
    r = web("technician", "en").post("/qc/worksheets/", {"method": "direct"})
    assert r.status_code == 200 and 'id="create-errors"' in r.content.decode()


def test_pages_in_traditional_chinese_by_default(web):
    page = web("technician").get("/qc/worksheets/").content.decode()
    assert "新增工作單" in page and "等待檢驗方法的樣品" in page


def test_admin_audit_list_names_qc_records_in_words(web, client_for, samples, rm, chart):  # noqa: F811
    """workflow's one language at a time covers the qc app's audit records (worksheets, QC figures)."""
    from lims.models import AuditEntry

    tech = client_for("technician")
    ws = create_worksheet(tech, samples, rm).json()
    assert (
        tech.post(f"/api/v1/worksheets/{ws['id']}/enter/", {"entries": grid(samples)}, format="json").status_code == 200
    )
    qc_entities = ("worksheet", "worksheet_template", "reference_material", "qc_limits", "control_chart")
    codes = set(AuditEntry.objects.filter(entity__in=qc_entities).values_list("entity", "action"))
    assert {("worksheet", "create"), ("worksheet", "enter")} <= codes, codes
    page = web("lab_admin").get("/admin/lims/auditentry/").content.decode()
    assert "工作單" in page and "已輸入結果" in page
    for code in {c for pair in codes for c in pair}:
        assert f">{code}<" not in page, code
