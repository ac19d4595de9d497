"""Composting batches through the API (DOMAIN.md §9): isolation, logger upload with its row report, turnings,
the evaluation, sample links, audit."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from composting import logger
from composting.models import Batch, Criterion, TemperatureReading
from lims.models import AuditEntry

URL = "/api/v1/composting/batches/"


@pytest.fixture
def batch(users, org_a):
    from composting import services

    return services.batch_create(
        actor=users["manufacturer"], manufacturer=org_a, name="W-1", method="in_vessel", started_on=dt.date(2026, 1, 1)
    )


def csv_file(rows, name="logger.csv"):
    body = "time,probe,temperature_c\n" + "".join(f"{t},{p},{c}\n" for t, p, c in rows)
    return SimpleUploadedFile(name, body.encode(), content_type="text/csv")


def hourly(n, temp=58, probe="core"):
    t0 = dt.datetime(2026, 1, 1)
    return [((t0 + dt.timedelta(hours=i)).strftime("%Y-%m-%d %H:%M"), probe, temp) for i in range(n)]


def test_manufacturer_creates_and_sees_only_own(client_for, users, org_a, org_b, batch):
    c = client_for("manufacturer")
    r = c.post(URL, {"name": "W-2", "method": "windrow", "started_on": "2026-02-01"}, format="json")
    assert r.status_code == 201 and r.json()["manufacturer"] == org_a.pk
    r = c.post(
        URL, {"name": "X", "method": "windrow", "started_on": "2026-02-01", "manufacturer": org_b.pk}, format="json"
    )
    assert r.status_code == 403
    b = client_for("manufacturer_b")
    assert b.get(URL).json()["count"] == 0
    assert b.get(f"{URL}{batch.pk}/").status_code == 404
    assert b.get(f"{URL}{batch.pk}/evaluation/").status_code == 404
    assert client_for("regulator").get(URL).json()["count"] == 2
    assert client_for("regulator").post(URL, {}, format="json").status_code == 403
    assert AuditEntry.objects.filter(entity="composting_batch", action="create").count() == 2


def test_bad_batch_fields_named(client_for):
    r = client_for("manufacturer").post(
        URL, {"name": "", "method": "heap", "started_on": "2026-02-01", "ended_on": "2026-01-01"}, format="json"
    )
    assert r.status_code == 400 and {"name", "method"} <= set(r.json())
    r = client_for("manufacturer").post(
        URL, {"name": "a", "method": "windrow", "started_on": "2026-02-01", "ended_on": "2026-01-01"}, format="json"
    )
    assert r.status_code == 400 and "ended_on" in r.json()
    r = client_for("technician").post(
        URL, {"name": "a", "method": "windrow", "started_on": "2026-02-01"}, format="json"
    )
    assert r.status_code == 400 and "manufacturer" in r.json()


def test_upload_stores_and_evaluation_judges(client_for, batch):
    c = client_for("manufacturer")
    rows = hourly(72) + hourly(72, temp=54, probe="edge")[:10] + hourly(72, temp=60, probe="edge")[10:]
    r = c.post(f"{URL}{batch.pk}/upload/", {"file": csv_file(rows)}, format="multipart")
    assert r.status_code == 201 and r.json()["stored_readings"] == 144
    ev = c.get(f"{URL}{batch.pk}/evaluation/").json()
    assert len(ev["governing"]) == 72 and ev["governing"][0]["temperature_c"] == 54
    pfrp = next(x for x in ev["criteria"] if x["key"] == "us_epa_pfrp")
    assert pfrp["status"] == "not_shown" and pfrp["run"]["length_hours"] == 62
    assert {x["key"] for x in ev["criteria"]} == {
        "tari_organisms",
        "us_epa_pfrp",
        "tari_comprehensive",
        "tw_msw_compost",
        "reheat",
    }
    entry = AuditEntry.objects.get(entity="composting_batch", action="readings:add")
    assert entry.changes["readings"] == [None, 144] and entry.actor.username == "maker_a"


def test_upload_row_report_nothing_stored(client_for, batch):
    rows = hourly(3) + [
        ("yesterday", "core", 50),
        ("2026-01-02 00:00", "", 50),
        ("2026-01-02 01:00", "a", "hot"),
        ("2026-01-02 02:00", "a", 250),
        ("2026-01-01 00:00", "core", 59),
    ]
    r = client_for("manufacturer").post(f"{URL}{batch.pk}/upload/", {"file": csv_file(rows)}, format="multipart")
    body = r.json()
    assert r.status_code == 400 and body["code"] == "logger_file_rejected" and body["problems"] == 5
    got = {(e["row"], e["column"], e["code"]) for e in body["errors"]}
    assert got == {
        (5, "time", "logger_time_invalid"),
        (6, "probe", "logger_probe_missing"),
        (7, "temperature_c", "logger_temperature_invalid"),
        (8, "temperature_c", "logger_temperature_range"),
        (9, "time", "logger_duplicate"),
    }
    assert TemperatureReading.objects.count() == 0


def test_upload_limits_and_bad_files(client_for, batch, monkeypatch):
    c = client_for("manufacturer")
    r = c.post(f"{URL}{batch.pk}/upload/", {"file": SimpleUploadedFile("x.pdf", b"%PDF")}, format="multipart")
    assert r.status_code == 400 and r.json()["errors"][0]["code"] == "logger_file_type"
    r = c.post(
        f"{URL}{batch.pk}/upload/", {"file": SimpleUploadedFile("x.csv", b"when,where\n1,2\n")}, format="multipart"
    )
    assert r.status_code == 400 and {e["column"] for e in r.json()["errors"]} == {"time", "probe", "temperature_c"}
    r = c.post(
        f"{URL}{batch.pk}/upload/", {"file": SimpleUploadedFile("x.csv", b"\xff\xfe\x00bad")}, format="multipart"
    )
    assert r.status_code == 400 and r.json()["errors"][0]["code"] == "logger_file_encoding"
    r = c.post(f"{URL}{batch.pk}/upload/", {"file": csv_file([])}, format="multipart")
    assert r.status_code == 400 and r.json()["errors"][0]["code"] == "logger_file_empty"
    monkeypatch.setattr(logger, "MAX_ROWS", 5)
    r = c.post(f"{URL}{batch.pk}/upload/", {"file": csv_file(hourly(6))}, format="multipart")
    assert r.status_code == 400 and r.json()["errors"][0]["code"] == "logger_too_many_rows"
    monkeypatch.setattr(logger, "MAX_BYTES", 10)
    r = c.post(f"{URL}{batch.pk}/upload/", {"file": csv_file(hourly(2))}, format="multipart")
    assert r.status_code == 400 and r.json()["errors"][0]["code"] == "logger_file_too_large"
    assert r.json()["errors"][0]["row"] is None
    assert c.post(f"{URL}{batch.pk}/upload/", {}, format="multipart").status_code == 400
    assert TemperatureReading.objects.count() == 0


def test_second_upload_of_same_readings_is_refused(client_for, batch):
    c = client_for("manufacturer")
    assert c.post(f"{URL}{batch.pk}/upload/", {"file": csv_file(hourly(3))}, format="multipart").status_code == 201
    r = c.post(f"{URL}{batch.pk}/upload/", {"file": csv_file(hourly(4))}, format="multipart")
    assert r.status_code == 400 and r.json()["problems"] == 3
    assert TemperatureReading.objects.count() == 3


def test_typed_readings_turnings_moisture(client_for, batch):
    c = client_for("technician")
    r = c.post(
        f"{URL}{batch.pk}/readings/",
        {"readings": [{"at": "2026-01-01T00:00:00+08:00", "probe": "a", "temperature_c": 61}]},
        format="json",
    )
    assert r.status_code == 201
    r = c.post(
        f"{URL}{batch.pk}/readings/", {"readings": [{"at": "x", "probe": "a", "temperature_c": 1e9}]}, format="json"
    )
    errors = r.json()["readings"]
    first = errors["0"] if isinstance(errors, dict) else errors[0]
    assert r.status_code == 400 and set(first) == {"at", "temperature_c"}
    twice = {"at": "2026-01-01T05:00:00+08:00", "probe": "a", "temperature_c": 61}
    r = c.post(f"{URL}{batch.pk}/readings/", {"readings": [twice, twice]}, format="json")
    err = r.json()["errors"][0]
    assert r.status_code == 400 and (err["row"], err["column"], err["code"]) == (1, "time", "logger_duplicate")
    assert "given twice" in err["reason"]
    assert c.post(f"{URL}{batch.pk}/turnings/", {"at": "2026-01-01T02:00:00+08:00"}, format="json").status_code == 201
    assert c.post(f"{URL}{batch.pk}/turnings/", {"at": "nope"}, format="json").status_code == 400
    assert (
        c.post(
            f"{URL}{batch.pk}/moisture/", {"at": "2026-01-01T02:00:00+08:00", "moisture_pct": 62}, format="json"
        ).status_code
        == 201
    )
    r = c.post(f"{URL}{batch.pk}/moisture/", {"at": "2026-01-01T02:00:00+08:00", "moisture_pct": 101}, format="json")
    assert r.status_code == 400 and "moisture_pct" in r.json()
    assert (
        client_for("manufacturer_b")
        .post(f"{URL}{batch.pk}/turnings/", {"at": "2026-01-01T02:00:00+08:00"}, format="json")
        .status_code
        == 404
    )
    actions = set(AuditEntry.objects.filter(entity="composting_batch").values_list("action", flat=True))
    assert {"turning:add", "moisture:add", "readings:add"} <= actions


def test_sample_names_its_batch(client_for, users, batch, product_a, product_b, make_sample, org_b):
    from composting import services

    s = make_sample(product_a)
    c = client_for("manufacturer")
    r = c.post("/api/v1/composting/sample-batch/", {"sample": s.pk, "batch": batch.pk}, format="json")
    assert r.status_code == 200 and s.composting_batch.batch == batch
    other = services.batch_create(
        actor=users["manufacturer_b"], manufacturer=org_b, name="B", method="windrow", started_on=dt.date(2026, 1, 1)
    )
    assert (
        c.post("/api/v1/composting/sample-batch/", {"sample": s.pk, "batch": other.pk}, format="json").status_code
        == 404
    )
    r = client_for("technician").post(
        "/api/v1/composting/sample-batch/", {"sample": s.pk, "batch": other.pk}, format="json"
    )
    assert r.status_code == 400 and "batch" in r.json()
    sb = make_sample(product_b)
    assert (
        c.post("/api/v1/composting/sample-batch/", {"sample": sb.pk, "batch": batch.pk}, format="json").status_code
        == 404
    )
    assert AuditEntry.objects.filter(entity="sample", sample=s, changes__composting_batch=[None, batch.pk]).exists()
    r = client_for("lab_admin").patch(f"{URL}{batch.pk}/", {"manufacturer": org_b.pk}, format="json")
    assert r.status_code == 400 and "manufacturer" in r.json()
    r = c.post("/api/v1/composting/sample-batch/", {"sample": s.pk, "batch": None}, format="json")
    assert r.status_code == 200 and not type(s).objects.get(pk=s.pk).__dict__.get("composting_batch")


def test_criteria_are_data(client_for, batch):
    c = client_for("manufacturer")
    c.post(f"{URL}{batch.pk}/upload/", {"file": csv_file(hourly(72, temp=52))}, format="multipart")
    status = lambda: next(
        x
        for x in c.get(f"{URL}{batch.pk}/evaluation/").json()["criteria"]  # noqa: E731
        if x["key"] == "us_epa_pfrp"
    )["status"]
    assert status() == "not_shown"
    crit = Criterion.objects.get(key="us_epa_pfrp")
    crit.params = dict(crit.params, temperature_c=50)
    crit.save()
    assert status() == "met"
    crit.params = {"temperature_c": "hot"}
    crit.save()
    assert status() == "not_judged"


def test_criterion_clean_names_the_parameter(db):
    from django.core.exceptions import ValidationError

    crit = Criterion.objects.get(key="reheat")
    crit.params = {"rise_c": -1, "window_hours": 72}
    with pytest.raises(ValidationError) as e:
        crit.full_clean()
    assert "params" in e.value.message_dict and "rise_c" in e.value.message_dict["params"][0]
    assert Batch.objects.count() == 0


ROLES = ["technician", "reviewer", "manufacturer", "manufacturer_b", "regulator", "lab_admin"]
MATRIX = [  # (method, url, body, expected per role in ROLES order); the batch belongs to "manufacturer"
    ("get", URL, None, (200, 200, 200, 200, 200, 200)),
    ("get", URL + "{batch}/", None, (200, 200, 200, 404, 200, 200)),
    ("get", URL + "{batch}/evaluation/", None, (200, 200, 200, 404, 200, 200)),
    ("get", URL + "{batch}/history/", None, (200, 200, 403, 403, 200, 200)),
    ("patch", URL + "{batch}/", {"name": "renamed"}, (200, 403, 200, 404, 403, 200)),
    ("post", URL + "{batch}/turnings/", {"at": "2026-01-02T00:00:00+08:00"}, (201, 403, 201, 404, 403, 201)),
    (
        "post",
        URL + "{batch}/moisture/",
        {"at": "2026-01-02T00:00:00+08:00", "moisture_pct": 60},
        (201, 403, 201, 404, 403, 201),
    ),
    ("post", URL + "{batch}/upload/", {}, (400, 403, 400, 404, 403, 400)),
    ("get", "/api/v1/composting/materials/", None, (200, 200, 200, 200, 200, 200)),
    ("get", "/api/v1/composting/soil/", None, (200, 200, 200, 200, 200, 200)),
    ("post", "/api/v1/composting/sample-batch/", {"sample": 0, "batch": None}, (404, 403, 404, 404, 403, 404)),
]


@pytest.mark.parametrize("method,url,body,expected", MATRIX, ids=[f"{m} {u}" for m, u, _, _ in MATRIX])
def test_endpoint_matrix(client_for, batch, method, url, body, expected):
    url = url.format(batch=batch.pk)
    for role, want in zip(ROLES, expected):
        c = client_for(role)
        fmt = "multipart" if url.endswith("upload/") else "json"
        r = getattr(c, method)(url, body, format=fmt) if body is not None else getattr(c, method)(url)
        assert r.status_code == want, (role, method, url, r.status_code, r.content[:200])
    assert AuditEntry.objects.filter(entity="composting_batch").exists()


def test_unreadable_csv_and_out_of_range_ids_are_400(client_for, batch):
    c = client_for("manufacturer")
    for content, code in (
        (b"time,probe,temperature_c\n2026-01-01 00:00,a\x00,60\n", "logger_file_binary"),
        (b'time,probe,temperature_c\n"2026-01-01 00:00,a,60\n' + b"x" * 200_000, "logger_csv_invalid"),
    ):
        r = c.post(f"{URL}{batch.pk}/upload/", {"file": SimpleUploadedFile("x.csv", content)}, format="multipart")
        assert r.status_code == 400 and r.json()["errors"][0]["code"] == code
    r = c.post("/api/v1/composting/sample-batch/", {"sample": 10**30, "batch": None}, format="json")
    assert r.status_code == 400 and "sample" in r.json()
    r = c.post("/api/v1/composting/mix/", {"materials": [{"material": 10**30}, {"material": 1}]}, format="json")
    assert r.status_code == 400
    assert TemperatureReading.objects.count() == 0


def test_upload_row_report_reads_in_the_request_language(users, batch):
    """Issue 14: a logger file's problems are messages: their code, and their reason in the request's language."""
    from rest_framework.test import APIClient

    rows = hourly(2) + [("yesterday", "core", 50), ("2026-01-02 02:00", "a", 250)]
    answers = {}
    for lang in ("en", "zh-hant"):
        c = APIClient(HTTP_ACCEPT_LANGUAGE=lang)
        c.force_authenticate(users["manufacturer"])
        body = c.post(f"{URL}{batch.pk}/upload/", {"file": csv_file(rows)}, format="multipart").json()
        answers[lang] = {e["code"]: e["reason"] for e in body["errors"]}
    assert answers["en"] == {
        "logger_time_invalid": "'yesterday' is not a date and time (YYYY-MM-DD HH:MM)",
        "logger_temperature_range": "250 °C is outside -30–100 °C",
    }
    assert answers["zh-hant"] == {
        "logger_time_invalid": "「yesterday」不是日期時間（YYYY-MM-DD HH:MM）",
        "logger_temperature_range": "250 °C 超出 -30–100 °C",
    }
