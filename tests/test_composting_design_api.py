"""Mix designer and soil forecast through the API (DOMAIN.md §10, §11), with a verified sample of the lab."""

import datetime as dt

import pytest

from composting.models import Batch, Material
from lims.models import AuditEntry
from web.demo_results import enter_example_results, verify_sample

MIX, FORECAST = "/api/v1/composting/mix/", "/api/v1/composting/forecast/"


@pytest.fixture
def verified(users, product_a, make_sample):
    s = make_sample(product_a, "received")
    enter_example_results(s, users["technician"])
    return verify_sample(s, users["technician"], users["reviewer"])


def lib(name):
    return Material.objects.get(name__icontains=name).pk


def test_library_worked_example_and_save_as_recipe(client_for, users, org_a):
    from composting import services

    batch = services.batch_create(
        actor=users["manufacturer"], manufacturer=org_a, name="W", method="windrow", started_on=dt.date(2026, 1, 1)
    )
    c = client_for("manufacturer")
    assert len(c.get("/api/v1/composting/materials/").json()) == 7
    r = c.post(
        MIX,
        {"materials": [{"material": lib("Chicken")}, {"material": lib("Rice straw")}], "batch": batch.pk},
        format="json",
    )
    body = r.json()
    assert r.status_code == 200 and body["method"] == "closed_form"
    assert body["materials"][0]["dry_kg"] == pytest.approx(25.806, abs=5e-4)
    assert body["materials"][1]["wet_kg"] == pytest.approx(86.272, abs=5e-4)
    assert body["water_to_add_kg"] == pytest.approx(140.79, abs=5e-3)
    recipe = Batch.objects.get(pk=batch.pk).recipe
    assert recipe["materials"][1]["name"].endswith("Rice straw")
    assert recipe["water_kg"] == pytest.approx(140.79, abs=5e-3)
    assert AuditEntry.objects.filter(entity="composting_batch", action="update", changes__has_key="recipe").exists()
    assert (
        client_for("manufacturer_b")
        .post(
            MIX,
            {"materials": [{"material": lib("Chicken")}, {"material": lib("Rice straw")}], "batch": batch.pk},
            format="json",
        )
        .status_code
        == 400
    )
    assert (
        client_for("regulator")
        .post(
            MIX,
            {"materials": [{"material": lib("Chicken")}, {"material": lib("Rice straw")}], "batch": batch.pk},
            format="json",
        )
        .status_code
        == 403
    )


def test_mix_errors_name_field_and_reason(client_for):
    c = client_for("manufacturer")
    r = c.post(
        MIX,
        {"materials": [{"material": lib("Chicken")}, {"material": lib("Rice straw")}], "target_cn": 80},
        format="json",
    )
    assert r.status_code == 400 and "outside the materials' range 8.095–75.71" in r.json()["target_cn"][0]
    r = c.post(MIX, {"materials": [{"name": "x", "carbon_pct": 40}, {"material": 999999}]}, format="json")
    assert r.status_code == 400
    r = c.post(
        MIX,
        {"materials": [{"name": "x", "carbon_pct": 40, "nitrogen_pct": 1, "moisture_pct": 50}, {"material": 999999}]},
        format="json",
    )
    assert r.status_code == 400 and "materials.1.material" in r.json()
    r = c.post(
        MIX,
        {
            "materials": [
                {"name": "x", "carbon_pct": 40, "nitrogen_pct": 1, "moisture_pct": 50, "cost_per_tonne": 100},
                {"name": "y", "carbon_pct": 50, "nitrogen_pct": 0.5, "moisture_pct": 10, "cost_per_tonne": 300},
                {"name": "z", "carbon_pct": 30, "nitrogen_pct": 3, "moisture_pct": 70, "cost_per_tonne": 50},
            ],
            "target_cn": 150,
        },
        format="json",
    )
    assert r.status_code == 400 and r.json()["target_cn"]
    r = c.post(
        MIX,
        {
            "materials": [
                {"name": "x", "carbon_pct": 40, "nitrogen_pct": 1, "moisture_pct": 50, "cost_per_tonne": 100},
                {"name": "y", "carbon_pct": 50, "nitrogen_pct": 0.5, "moisture_pct": 10, "cost_per_tonne": 300},
                {"name": "z", "carbon_pct": 30, "nitrogen_pct": 3, "moisture_pct": 70, "cost_per_tonne": 50},
            ],
            "target_cn": 30,
        },
        format="json",
    )
    assert r.status_code == 200 and r.json()["method"] == "linear_programme" and r.json()["cn"] == pytest.approx(30)
    zh = client_for("manufacturer")
    zh.credentials(HTTP_ACCEPT_LANGUAGE="zh-hant")
    r = zh.post(
        MIX,
        {"materials": [{"material": lib("Chicken")}, {"material": lib("Rice straw")}], "target_cn": 80},
        format="json",
    )
    assert r.status_code == 400 and "碳氮比" in r.json()["target_cn"][0]


def test_material_from_verified_sample(client_for, verified, make_sample, product_a):
    c = client_for("manufacturer")
    r = c.post(
        MIX, {"materials": [{"sample": verified.pk}, {"material": lib("Rice straw")}], "target_cn": 30}, format="json"
    )
    assert r.status_code in (200, 400)
    if r.status_code == 400:  # the example sample's C/N may lie outside the range: the message says so
        assert "target_cn" in r.json()
    else:
        assert r.json()["materials"][0]["name"] == verified.code
    unverified = make_sample(product_a, "received")
    r = c.post(MIX, {"materials": [{"sample": unverified.pk}, {"material": lib("Rice straw")}]}, format="json")
    assert r.status_code == 400 and "materials.0.sample" in r.json()
    assert (
        client_for("manufacturer_b")
        .post(MIX, {"materials": [{"sample": verified.pk}, {"material": lib("Rice straw")}]}, format="json")
        .status_code
        == 400
    )


def test_forecast_for_verified_sample(client_for, verified):
    c = client_for("manufacturer")
    r = c.post(
        FORECAST, {"sample": verified.pk, "rate_t_ha": 10, "soil_group": "total", "horizon_years": 50}, format="json"
    )
    body = r.json()
    assert r.status_code == 200, body
    cu = next(m for m in body["metals"] if m["metal"] == "Cu")
    assert cu["compost_mg_kg"] == pytest.approx(60 / 0.68, rel=1e-9)
    assert cu["yearly_rise_mg_kg"] == pytest.approx(1 / 3, rel=1e-9)
    assert cu["levels"]["monitoring"]["years"] == pytest.approx(60, rel=1e-9)  # (120 − 100) / (1/3)
    assert cu["levels"]["control"]["years"] == pytest.approx(300, rel=1e-9)  # (200 − 100) / (1/3)
    assert body["limiting_metal"] == "Cu" and body["soil_mass_kg_ha"] == 1_800_000
    assert body["largest_sustainable_rate_t_ha"] == pytest.approx(20 * 1.8e6 / (50 * 1000 * 0.68 * 60 / 0.68))
    r = c.post(
        FORECAST,
        {
            "sample": verified.pk,
            "rate_t_ha": 10,
            "land_use": "general",
            "start": {"Cu": 40, "Zn": 140, "Pb": 60, "Cd": 0.3},
        },
        format="json",
    )
    cu = next(m for m in r.json()["metals"] if m["metal"] == "Cu")
    assert cu["levels"]["monitoring"]["years"] == pytest.approx(540, rel=1e-9)  # (220 − 40) / (1/3)
    assert (
        client_for("regulator").post(FORECAST, {"sample": verified.pk, "rate_t_ha": 10}, format="json").status_code
        == 200
    )


def test_forecast_bad_input(client_for, verified, make_sample, product_a):
    c = client_for("manufacturer")
    for body, field in (
        ({"rate_t_ha": -1}, "rate_t_ha"),
        ({"rate_t_ha": 10, "soil_group": "moon"}, "soil_group"),
        ({"rate_t_ha": 10, "start": {"Cu": 1}}, "start"),
        ({"rate_t_ha": "x"}, "rate_t_ha"),
        ({"rate_t_ha": 10, "horizon_years": 0}, "horizon_years"),
    ):
        r = c.post(FORECAST, {"sample": verified.pk, **body}, format="json")
        assert r.status_code == 400 and field in r.json(), (body, r.json())
    assert (
        client_for("manufacturer_b").post(FORECAST, {"sample": verified.pk, "rate_t_ha": 1}, format="json").status_code
        == 400
    )
    s = make_sample(product_a, "received")
    assert c.post(FORECAST, {"sample": s.pk, "rate_t_ha": 1}, format="json").json()["sample"]
    soil = c.get("/api/v1/composting/soil/").json()
    assert len(soil["soil_groups"]) == 6 and soil["thresholds"]["farmland"]["monitoring"]["Cu"] == 120
    assert soil["thresholds"]["general"]["monitoring"]["Cu"] == 220


def test_mix_and_forecast_errors_are_messages_in_the_request_language(users, verified):
    """Issue 14: the designer's and the forecast's errors carry their code and read in the request's language."""
    from rest_framework.test import APIClient

    def client(lang):
        c = APIClient(HTTP_ACCEPT_LANGUAGE=lang)
        c.force_authenticate(users["manufacturer"])
        return c

    body = {"materials": [{"material": lib("Chicken")}, {"material": lib("Rice straw")}], "target_cn": 80}
    en, zh = (client(lang).post(MIX, body, format="json").json() for lang in ("en", "zh-hant"))
    assert en["codes"] == zh["codes"] == {"target_cn": ["mix_cn_outside_range"]}
    assert en["target_cn"] == ["C/N 80 is outside the materials' range 8.095–75.71"]
    assert zh["target_cn"][0] != en["target_cn"][0] and "8.095" in zh["target_cn"][0]
    body = {"materials": [{"material": 999999}, {"material": lib("Rice straw")}], "batch": 999999}
    assert client("en").post(MIX, body, format="json").json()["codes"] == {
        "materials.0.material": ["no_such_material"],
        "batch": ["no_such_batch"],
    }
    from django.utils import translation

    from composting import forecast, messages

    with pytest.raises(forecast.ForecastError) as e:  # the API's serializer refuses it first; the pages use this
        forecast.check_inputs(-1, 50, 10, 20, 1.2)
    message = messages.error_message(e.value)
    assert message.code == "forecast_out_of_range" and message.english() == "rate_t_ha must be 0 or more"
    with translation.override("zh-hant"):
        assert str(message) == "rate_t_ha 必須為 0 或以上"
    r = client("zh-hant").post(FORECAST, {"sample": verified.pk, "rate_t_ha": 10, "soil_group": "moon"}, format="json")
    assert r.json()["codes"] == {"soil_group": ["forecast_soil_group_unknown"]} and r.json()["soil_group"] == [
        "請選擇一種土類"
    ]
