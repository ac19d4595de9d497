"""The worksheet grid, its API and the instrument import for every method family (issue 11): germination
(several dishes per position, the blank is the water control), titrations (sample mass ≠ 0.100 g, the
blank is the reagent blank, or each row gives its own), direct (one value per parameter), and the grid's
columns of every method."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from qc import grid

pytestmark = pytest.mark.django_db

TN = "total_nitrogen_pct"


def dishes(*triples):
    return [{"sown": s, "germinated": g, "mean_root_length_mm": length} for s, g, length in triples]


@pytest.fixture
def three(product_a, make_sample):
    return [make_sample(product_a, "received", lot=f"G-{i}") for i in range(3)]


def make_ws(client, method, samples, blank=True, duplicate=True):
    items = ([{"kind": "blank"}] if blank else []) + ([{"kind": "duplicate", "of": samples[0].pk}] if duplicate else [])
    r = client.post(
        "/api/v1/worksheets/",
        {"method": method, "samples": [s.pk for s in samples], "qc_items": items},
        format="json",
    )
    assert r.status_code == 201, r.content
    return r.json()


# --------------------------------------------------------------------------- the grid's columns (pure)


def test_every_method_has_grid_columns_named_as_its_raw_fields():
    from maturity import calculations as calc
    from web import assay_forms

    for method in calc.METHODS:
        assert grid.supported(method)
        cols = grid.columns(method, ["ph"])
        assert cols, method
        if method in grid.FLAT_FIELDS:  # the same raw fields as the single-sample entry form
            form = [f.name for f in assay_forms.method_fields(method)]
            assert [c.key for c in cols] == form, method


def test_germination_columns_cells_and_what_the_water_control_supplies():
    cols = grid.columns("germination")
    assert [c.key for c in cols][:4] == ["protocol", "dish1.sown", "dish1.germinated", "dish1.mean_root_length_mm"]
    assert len(cols) == 1 + 3 * grid.DISHES
    assert cols[1].path("sample") == "sample.0.sown" and cols[1].path("blank") == "control.0.sown"
    cells = {"dish1.sown": "25", "dish1.germinated": "20", "dish1.mean_root_length_mm": "30", "dish2.sown": ""}
    assert grid.cells_to_data("germination", "sample", cells) == {
        "sample": [{"sown": "25", "germinated": "20", "mean_root_length_mm": "30"}]
    }
    blank = grid.cells_to_data("germination", "blank", {"protocol": "tari_cabbage", **cells})
    assert blank["control"][0]["sown"] == "25" and blank["protocol"] == "tari_cabbage"
    full, taken = grid.complete("germination", "sample", {"sample": []}, blank)
    assert full["control"] == blank["control"] and taken == ["control", "protocol"]
    own, taken = grid.complete("germination", "sample", {"sample": [], "protocol": "livestock_radish"}, blank)
    assert own["protocol"] == "livestock_radish" and taken == ["control"]
    assert grid.cells_to_data("germination", "sample", {"dish1.sown": " "}) is None
    assert grid.cells_to_data("germination", "sample", {"nonsense": "1"}) == {"__unknown__": ["nonsense"]}


def test_direct_and_observation_cells():
    assert grid.cells_to_data("direct", "sample", {TN: "<0,02", "ph": "7.1"}) == {
        "values": {TN: {"qualifier": "<", "value": "0.02"}, "ph": {"value": "7.1"}}
    }
    data = grid.cells_to_data("observation", "sample", {"colour": "dark_brown", "manure_odour": "FALSE"})
    assert data == {"observations": {"colour": "dark_brown", "manure_odour": False}}
    cols = grid.columns("direct", [TN])
    assert grid.data_to_cells("direct", "sample", {"values": {TN: {"value": 0.02, "qualifier": "<"}}}, cols) == {
        TN: "<0.02"
    }


def test_reagent_blank_checks_and_supplies_blank_ml():
    assert grid.reagent_blank_errors({"titrant_ml": "39.6"}) == {}
    assert grid.reagent_blank_errors({}) == {"titrant_ml": ["required"]}
    assert grid.reagent_blank_errors({"titrant_ml": "x"}) == {"titrant_ml": ["not_a_number"]}
    assert grid.reagent_blank_errors({"titrant_ml": "-1"}) == {"titrant_ml": ["negative"]}
    full, taken = grid.complete("total_nitrogen_kjeldahl", "sample", {"titrant_ml": 7}, {"titrant_ml": 0.15})
    assert full["blank_ml"] == 0.15 and taken == ["blank_ml"]
    full, taken = grid.complete("total_nitrogen_kjeldahl", "sample", {"blank_ml": 0.2}, {"titrant_ml": 0.15})
    assert full["blank_ml"] == 0.2 and taken == []


# --------------------------------------------------------------------------- germination through the API


def germination_entries(dup_germinated=23):
    return {
        "1": {"sample": dishes((25, 23, 30.0), (25, 22, 31.0), (25, 24, 29.0))},
        "2": {"sample": dishes((25, 20, 25.0), (25, 21, 24.0), (25, 19, 26.0))},
        "3": {"sample": dishes((25, 25, 33.0), (25, 24, 32.0), (25, 25, 34.0))},
        "4": {"protocol": "tari_cabbage", "control": dishes((25, 24, 32.0), (25, 25, 33.0), (25, 24, 31.0))},
        "5": {"sample": dishes((25, dup_germinated, 30.0), (25, 22, 31.0), (25, 24, 29.0))},
    }


def test_germination_worksheet_water_control_duplicate_and_assays_with_the_control(client_for, three):
    from maturity import calculations as calc
    from maturity.models import Assay

    tech = client_for("technician")
    ws = make_ws(tech, "germination", three)
    url = f"/api/v1/worksheets/{ws['id']}/"
    entries = germination_entries()
    body = tech.post(url + "preview/", {"entries": entries}, format="json").json()
    expected = calc.compute("germination", {**entries["4"], "sample": entries["1"]["sample"]}).results
    assert body["1"]["results"]["germination_index_pct"] == pytest.approx(expected["germination_index_pct"].value)
    assert body["1"]["from_blank"] == {"position": 4, "fields": ["control", "protocol"]}
    assert body["4"]["results"] == {}  # the water control is no measured blank: no LOD/LOQ from it
    assert body["4"]["judgements"]["control_germination"]["status"] == "pass"
    assert body["4"]["judgements"]["control_germination"]["params"]["g_control"] == pytest.approx(73 / 75 * 100)
    assert body["5"]["judgements"]["germination_index_pct"]["status"] == "pass"  # identical dishes: RPD 0

    # a duplicate far off fails its RPD; per-cell errors, nothing saved
    body = tech.post(url + "preview/", {"entries": germination_entries(dup_germinated=5)}, format="json").json()
    assert body["5"]["judgements"]["relative_germination_pct"]["code"] == "rpd_above_limit"
    bad = germination_entries()
    bad["2"]["sample"][1]["germinated"] = 26
    del bad["3"]
    r = tech.post(url + "enter/", {"entries": bad}, format="json")
    assert r.status_code == 400
    assert r.json()["positions.2.sample.1.germinated"] == ["must be ≤ sown (25)"]
    assert "positions.3.data" in r.json()
    assert not Assay.objects.filter(sample__in=three).exists()

    r = tech.post(url + "enter/", {"entries": germination_entries()}, format="json")
    assert r.status_code == 200, r.content
    assay = Assay.objects.get(sample=three[0])
    assert assay.data["control"] == entries["4"]["control"] and assay.data["protocol"] == "tari_cabbage"
    assert assay.results["germination_index_pct"]["value"] == pytest.approx(expected["germination_index_pct"].value)
    pos = {p["number"]: p for p in r.json()["positions"]}
    assert pos[4]["judgements"]["control_germination"]["status"] == "pass"
    assert tech.post(url + "submit/").status_code == 200


def test_germination_control_below_validity_fails_and_a_bad_control_dish_is_its_own_error(client_for, three):
    tech = client_for("technician")
    ws = make_ws(tech, "germination", three[:1], duplicate=False)
    url = f"/api/v1/worksheets/{ws['id']}/preview/"
    entries = {
        "1": {"sample": dishes((25, 20, 30.0))},
        "2": {"protocol": "tari_cabbage", "control": dishes((25, 15, 30.0))},  # G 60 % < 70 %
    }
    body = tech.post(url, {"entries": entries}, format="json").json()
    j = body["2"]["judgements"]["control_germination"]
    assert j["status"] == "fail" and j["code"] == "control_germination_below_validity" and j["params"]["limit"] == 70
    entries["2"]["control"][0]["sown"] = 0
    body = tech.post(url, {"entries": entries}, format="json").json()
    assert list(body["2"]["errors"]) == ["control.0.sown"]  # once, not also as the sample group


def test_germination_without_a_water_control_takes_each_rows_own(client_for, three):
    tech = client_for("technician")
    ws = make_ws(tech, "germination", three[:1], blank=False, duplicate=False)
    url = f"/api/v1/worksheets/{ws['id']}/preview/"
    body = tech.post(url, {"entries": {"1": {"sample": dishes((25, 20, 30.0))}}}, format="json").json()
    assert set(body["1"]["errors"]) == {"control", "protocol"}
    full = {"protocol": "tari_cabbage", "control": dishes((25, 25, 30.0)), "sample": dishes((25, 20, 30.0))}
    body = tech.post(url, {"entries": {"1": full}}, format="json").json()
    assert body["1"]["errors"] == {} and body["1"]["results"]["relative_germination_pct"] == pytest.approx(80)


# --------------------------------------------------------------------------- titrations


def test_wet_oxidation_with_a_quarter_gram_and_the_reagent_blank(client_for, three):
    from maturity.models import Assay

    tech = client_for("technician")
    ws = make_ws(tech, "organic_carbon_wet_oxidation", three[:2])
    url = f"/api/v1/worksheets/{ws['id']}/"
    entries = {
        "1": {"sample_mass_g": 0.25, "ferrous_normality": 0.5, "titrant_ml": 18.4},
        "2": {"sample_mass_g": "0.250", "ferrous_normality": 0.5, "titrant_ml": 19.0},
        "3": {"titrant_ml": 39.6},  # reagent blank
        "4": {"sample_mass_g": 0.25, "ferrous_normality": 0.5, "titrant_ml": 18.6},
    }
    body = tech.post(url + "preview/", {"entries": entries}, format="json").json()
    # meq = 0.5 × (39.6 − 18.4) = 10.6; OC = 10.6 × 3 × 1.3 / (0.25 × 10) = 16.536 %
    assert body["1"]["results"]["organic_carbon_pct"] == pytest.approx(16.536)
    assert body["1"]["from_blank"] == {"position": 3, "fields": ["blank_ml"]}
    assert body["3"] == {"kind": "blank", "results": {}, "errors": {}, "judgements": {}, "from_blank": None}
    rpd = body["4"]["judgements"]["organic_carbon_pct"]
    assert rpd["status"] == "pass" and rpd["params"]["rpd"] == pytest.approx(abs(10.6 - 10.5) / 10.55 * 100, rel=1e-3)
    bad = {**entries, "3": {"titrant_ml": "-2"}}
    r = tech.post(url + "enter/", {"entries": bad}, format="json")
    assert r.status_code == 400 and r.json()["positions.3.titrant_ml"] == ["must not be negative"]
    r = tech.post(url + "enter/", {"entries": entries}, format="json")
    assert r.status_code == 200, r.content
    assay = Assay.objects.get(sample=three[0])
    assert assay.data["blank_ml"] == 39.6 and assay.data["sample_mass_g"] == 0.25
    assert assay.results["organic_carbon_pct"]["value"] == pytest.approx(16.536)
    from qc.models import WorksheetPosition

    assert WorksheetPosition.objects.get(worksheet_id=ws["id"], number=1).data.get("blank_ml") is None  # as entered


def test_kjeldahl_each_row_with_its_own_blank_volume(client_for, three):
    tech = client_for("technician")
    ws = make_ws(tech, "total_nitrogen_kjeldahl", three[:1])
    url = f"/api/v1/worksheets/{ws['id']}/preview/"
    row = {"sample_mass_g": 0.5, "acid_normality": 0.1, "titrant_ml": 7.35, "blank_ml": 0.15}
    entries = {"1": row, "2": {"titrant_ml": 0.15}, "3": {**row, "titrant_ml": 7.45}}
    body = tech.post(url, {"entries": entries}, format="json").json()
    # (7.35 − 0.15) × 0.1 × 14.007 / (0.5 × 1000) × 100 = 2.0170 %
    assert body["1"]["results"][TN] == pytest.approx(2.017008)
    assert body["1"]["from_blank"] is None  # the row gave its own blank volume
    assert body["3"]["judgements"][TN]["status"] == "pass"
    entries["1"] = {**row, "titrant_ml": "0.1"}
    body = tech.post(url, {"entries": entries}, format="json").json()
    assert body["1"]["errors"] == {"titrant_ml": ["must be > blank_ml (0.15)"]}


# --------------------------------------------------------------------------- direct and the grid's cells


def test_direct_by_cells_and_by_raw_data_give_the_same_grid(client_for, three):
    tech = client_for("technician")
    ws = make_ws(tech, "direct", three[:1])
    url = f"/api/v1/worksheets/{ws['id']}/preview/"
    by_cells = {"1": {"cells": {TN: "1.50"}}, "2": {"cells": {TN: "<0.02"}}, "3": {"cells": {TN: "1.53"}}}
    by_data = {
        "1": {"values": {TN: {"value": 1.5}}},
        "2": {"values": {TN: {"value": 0.02, "qualifier": "<"}}},
        "3": {"values": {TN: {"value": 1.53}}},
    }
    a = tech.post(url, {"entries": by_cells}, format="json").json()
    b = tech.post(url, {"entries": by_data}, format="json").json()
    assert a == b and a["3"]["judgements"][TN]["status"] == "pass"
    body = tech.post(url, {"entries": {**by_cells, "1": {"cells": {TN: "abc", "nope": "1"}}}}, format="json").json()
    assert "values.nope" in body["1"]["errors"] and "values.total_nitrogen_pct.value" in body["1"]["errors"]


def test_cells_naming_no_raw_field_of_the_method_are_per_field_errors(client_for, three):
    tech = client_for("technician")
    ws = make_ws(tech, "moisture", three[:1], blank=False, duplicate=False)
    body = tech.post(
        f"/api/v1/worksheets/{ws['id']}/preview/",
        {"entries": {"1": {"cells": {"wet_mass_g": "10", "dry_mass_g": "6", "titrant_ml": "3"}}}},
        format="json",
    ).json()
    assert list(body["1"]["errors"]) == ["titrant_ml"]
    assert "is not a raw field of the method 'moisture'" in body["1"]["errors"]["titrant_ml"][0]


# --------------------------------------------------------------------------- instrument import, one row per position


def upload(client, ws, text, name="run.csv"):
    return client.post(
        f"/api/v1/worksheets/{ws['id']}/import/",
        {"file": SimpleUploadedFile(name, text.encode())},
        format="multipart",
    )


def test_germination_instrument_file_one_row_per_position(client_for, three):
    from maturity.models import Assay

    tech = client_for("technician")
    ws = make_ws(tech, "germination", three[:2])
    header = "sample_code,protocol," + ",".join(f"dish{d}.{f}" for d in (1, 2) for f in grid.DISH_FIELDS)
    lines = [
        header,
        f"{three[0].code},,25,23,30,25,22,31",
        f"{three[1].code},,25,20,25,25,21,24",
        f"WS-{ws['id']}-3,tari_cabbage,25,24,32,25,25,33",
        f"WS-{ws['id']}-4,,25,23,30,25,22,31",
    ]
    bad = list(lines)
    bad[2] = f"{three[1].code},,25,26,25,25,21,24"  # germinated > sown
    bad.append(f"WS-{ws['id']}-9,,25,1,1,,,")
    r = upload(tech, ws, "\n".join(bad))
    assert r.status_code == 400
    errors = r.json()["errors"]
    assert {"row": 6, "column": "sample_code"}.items() <= errors[-1].items()
    r = upload(tech, ws, "\n".join(bad[:-1]))
    errors = r.json()["errors"]
    assert errors == [{"row": 3, "column": "dish1.germinated", "reason": f"{three[1].code}: must be ≤ sown (25)"}], (
        errors
    )
    r = upload(tech, ws, "\n".join([header + ",colour"] + lines[1:]))
    assert r.status_code == 400 and r.json()["errors"][0]["column"] == "colour"
    assert not Assay.objects.filter(sample__in=three).exists()

    r = upload(tech, ws, "\n".join(lines))
    assert r.status_code == 200, r.content
    pos = {p["number"]: p for p in r.json()["positions"]}
    assert pos[4]["judgements"]["germination_index_pct"]["status"] == "pass"
    assert Assay.objects.get(sample=three[0]).source == "import:run.csv"


def test_kjeldahl_instrument_file_missing_position_and_given_twice(client_for, three):
    tech = client_for("technician")
    ws = make_ws(tech, "total_nitrogen_kjeldahl", three[:1])
    header = "sample_code,sample_mass_g,acid_normality,titrant_ml,blank_ml"
    lines = [header, f"{three[0].code},0.5,0.1,7.35,", f"WS-{ws['id']}-2,,,0.15,"]
    r = upload(tech, ws, "\n".join(lines))
    assert r.status_code == 400
    assert r.json()["errors"] == [
        {"row": None, "column": "sample_code", "reason": f"WS-{ws['id']}-3: Enter this position's results."}
    ]
    dup = lines + [f"{three[0].code},0.5,0.1,7.4,"]
    assert "given twice (row 2)" in upload(tech, ws, "\n".join(dup)).json()["errors"][0]["reason"]
    r = upload(tech, ws, "\n".join(lines + [f"WS-{ws['id']}-3,0.5,0.1,7.45,"]))
    assert r.status_code == 200, r.content
    pos = {p["number"]: p for p in r.json()["positions"]}
    assert pos[1]["results"][TN] == pytest.approx(2.017008)


# --------------------------------------------------------------------------- the page


def test_grid_page_lays_out_the_methods_raw_fields_and_shows_entered_data_again(web, client_for, three):
    tech = client_for("technician")
    ws = make_ws(tech, "germination", three[:1], duplicate=False)
    page = web("technician").get(f"/qc/worksheets/{ws['id']}/").content.decode()
    assert page.count('class="param"') == 10 and "培養皿 3" in page and "蒸餾水對照" in page
    assert 'data-path="control.2.mean_root_length_mm"' in page and 'data-path="sample.0.sown"' in page
    assert 'list="choices-0"' in page and '<option value="tari_cabbage">' in page
    entries = {
        "1": {"sample": dishes((25, 20, 30.0))},
        "2": {"protocol": "livestock_radish", "control": dishes((50, 45, 30.0))},
    }
    assert tech.post(f"/api/v1/worksheets/{ws['id']}/enter/", {"entries": entries}, format="json").status_code == 200
    page = web("technician", lang="en").get(f"/qc/worksheets/{ws['id']}/").content.decode()
    assert 'data-path="control.0.germinated" aria-label="2 dish1.germinated" value="45"' in page
    assert 'data-readonly="1"' in page and "control_germination: pass" in page
    assert "relative_germination_pct = 88.89" in page  # (20/25) / (45/50)

    ws = make_ws(tech, "organic_carbon_wet_oxidation", three[1:2], duplicate=False)
    page = web("technician", lang="en").get(f"/qc/worksheets/{ws['id']}/").content.decode()
    assert "reagent blank" in page and "Sample mass (g)" in page and 'data-parameter="correction_factor"' in page


def test_odd_cells_are_field_errors_not_crashes(client_for, three):
    tech = client_for("technician")
    ws = make_ws(tech, "germination", three[:1], duplicate=False)
    url = f"/api/v1/worksheets/{ws['id']}/preview/"
    body = tech.post(
        url, {"entries": {"1": {"cells": {"dish9.sown": "1"}}, "2": {"cells": {"x.0": "1"}}}}, format="json"
    ).json()
    assert list(body["1"]["errors"]) == ["dish9.sown"] and list(body["2"]["errors"]) == ["x.0"]
    ws = make_ws(tech, "direct", three[1:2], blank=False, duplicate=False)
    body = tech.post(
        f"/api/v1/worksheets/{ws['id']}/preview/", {"entries": {"1": {"cells": {"a.0": "1", TN: [1]}}}}, format="json"
    ).json()
    assert "values.a.0" in body["1"]["errors"] and "values.total_nitrogen_pct.value" in body["1"]["errors"]


def test_instrument_file_row_reasons_are_messages_with_codes(client_for, users, three):
    """Issue 14: each row's reason carries a stable code (the rule's own for a position's result) and reads in the
    reader's language."""
    from django.utils import translation

    from maturity.importing import ImportRejected
    from qc import services
    from qc.models import Worksheet

    ws = make_ws(client_for("technician"), "total_nitrogen_kjeldahl", three[:1])
    worksheet = Worksheet.objects.get(pk=ws["id"])
    header = "sample_code,sample_mass_g,acid_normality,titrant_ml,blank_ml"
    lines = [header, f"{three[0].code},0.5,0.1,7.35,", f"WS-{ws['id']}-2,,,0.15,"]

    def reasons(text):
        with pytest.raises(ImportRejected) as e:
            services.worksheet_import(
                actor=users["technician"], worksheet=worksheet, filename="run.csv", content=text.encode()
            )
        return [(err["row"], err["column"], err["reason"]) for err in e.value.errors]

    bad = lines + [f"{three[0].code},0.5,0.1,7.4,", f"WS-{ws['id']}-9,0.5,0.1,7.4,"]
    (twice_row, twice_col, twice), (nine_row, _col, nine) = reasons("\n".join(bad))
    assert (twice_row, twice_col, twice.code, twice.params["row"]) == (4, "sample_code", "position_given_twice", 2)
    assert (nine_row, nine.code, nine.params["label"]) == (5, "not_a_position", f"WS-{ws['id']}-9")
    assert nine.english() == f"WS-{ws['id']}-9 is not a position of worksheet WS-{ws['id']}"
    (missing,) = reasons("\n".join(lines))
    assert (
        missing[2].code == "position_results_required"
        and missing[2].english() == f"WS-{ws['id']}-3: Enter this position's results."
    )
    wrong = reasons(
        "\n".join(lines[:1] + [f"{three[0].code},0,0.1,7.35,"] + lines[2:] + [f"WS-{ws['id']}-3,0.5,0.1,7.45,"])
    )
    assert [(row, column, reason.code) for row, column, reason in wrong] == [(2, "sample_mass_g", "min_value")]
    with translation.override("zh-hant"):
        assert str(nine) == f"WS-{ws['id']}-9 不是工作單 WS-{ws['id']} 的位置"
        assert str(twice) == f"{three[0].code} 重複出現（第 2 列）"
        assert str(missing[2]).startswith(f"WS-{ws['id']}-3：") and "Enter" not in str(missing[2])
