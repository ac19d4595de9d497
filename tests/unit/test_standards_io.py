"""Standards editions as data (maturity.standards_io), DOMAIN.md §6."""

import datetime
from collections import Counter
from pathlib import Path

import pytest

from maturity.errors import InputError
from maturity.standards_io import (
    COLUMNS,
    Declaration,
    Edition,
    Requirement,
    load_edition_file,
    map_condition,
    parse_requirements_csv,
)

STANDARDS = Path(__file__).resolve().parents[2] / "maturity" / "standards"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "spec" / "data"
HEADER = ",".join(COLUMNS)


def csv_text(*rows):
    return "\n".join([HEADER, *rows]) + "\n"


GOOD = "general_compost,一般堆肥,cu,max,100,mg/kg,dry,,handbook"


def errors_of(text):
    with pytest.raises(InputError) as e:
        parse_requirements_csv(text)
    return e.value.errors


# --------------------------------------------------------------------------- the shipped edition


def test_tw_1997_edition_loads():
    e = load_edition_file(STANDARDS / "tw-1997.yaml")
    assert isinstance(e, Edition)
    assert e.code == "tw-1997"
    assert e.title == "肥料品目及規格 Fertilizer categories and specifications (organic fertilizers)"
    assert e.issuing_body == "Executive Yuan, Council of Agriculture (行政院農業委員會)"
    assert e.in_force == datetime.date(1997, 2, 3)
    assert e.source == "TARI special publication no. 88 (1999), ch. 11 table 3; ch. 12 table 5; ch. 12 §4"
    # every row of the requirements CSV (the brief's "39" undercounts the file: it has 41 rows)
    assert len(e.requirements) == 41
    assert Counter(r.category for r in e.requirements) == {
        "general_compost": 8,
        "layer_manure_compost": 7,
        "misc_organic": 7,
        "refuse_compost": 12,
        "bark_compost": 7,
    }
    assert e.categories["general_compost"] == {"name_zh": "一般堆肥", "name_en": "General compost"}
    assert e.categories["misc_organic"]["name_zh"] == "雜項有機質肥料"
    assert set(e.categories) == {
        "general_compost",
        "layer_manure_compost",
        "misc_organic",
        "refuse_compost",
        "bark_compost",
    }
    decl = Declaration("general_compost", "no_chemical_fertilizer", "未添加化學肥料", "No chemical fertilizer added")
    assert e.declarations_for("general_compost") == [decl]
    assert [d.key for d in e.declarations_for("layer_manure_compost")] == ["no_chemical_fertilizer"]
    assert e.declarations_for("misc_organic") == []


def test_tw_1997_requirement_details():
    e = load_edition_file(STANDARDS / "tw-1997.yaml")
    by = {(r.category, r.parameter, r.kind, r.condition): r for r in e.requirements}
    cu = by[("general_compost", "cu", "max", "")]
    assert (cu.limit, cu.unit, cu.basis) == (100.0, "mg/kg", "dry")
    assert cu.source == "Executive Yuan 1997-02-03 amendment; handbook ch. 11 table 3 and ch. 12 table 5 (0.01 %)"
    m35 = by[("general_compost", "moisture_pct", "max", "not_bagasse")]
    m40 = by[("general_compost", "moisture_pct", "max", "bagasse")]
    assert (m35.limit, m35.basis, m35.condition_text) == (35.0, "as_received", "not bagasse-based")
    assert (m40.limit, m40.condition_text) == (40.0, "bagasse-based (蔗渣)")
    npk = by[("misc_organic", "npk_sum_pct", "max_exclusive", "")]
    assert npk.limit == 15 and npk.condition_text.startswith("N + P2O5 + K2O")
    assert by[("refuse_compost", "hg", "max", "")].source == "handbook ch. 12 section 4(4) and ch. 8 table 2"
    assert by[("bark_compost", "cec_meq_100g", "min", "")].unit == "meq/100 g"
    assert by[("bark_compost", "ec_ds_m", "max", "")].basis == ""
    assert by[("bark_compost", "moisture_pct", "max", "")].source == "handbook ch. 12 section 4(3)"


@pytest.mark.skipif(not SHARED.exists(), reason="../shared not checked out beside the repo")
@pytest.mark.parametrize("name", ["tw_1997_categories.csv", "heavy_metal_limits_1999.csv"])
def test_shipped_copies_match_the_spec_data(name):
    assert (STANDARDS / name).read_bytes() == (SHARED / name).read_bytes()


def test_bare_csv_with_metadata_as_keywords():
    e = load_edition_file(
        STANDARDS / "tw_1997_categories.csv",
        code="tw-1997-csv",
        title="T",
        issuing_body="B",
        in_force="1997-02-03",
        source="S",
    )
    assert e.code == "tw-1997-csv" and e.in_force == datetime.date(1997, 2, 3)
    assert len(e.requirements) == 41 and e.declarations == []
    assert e.categories["bark_compost"]["name_zh"] == "樹皮堆肥"
    with pytest.raises(InputError) as err:
        load_edition_file(STANDARDS / "tw_1997_categories.csv", code="x")
    assert {"title", "issuing_body", "in_force", "source"} <= set(err.value.errors)


def test_condition_mapping():
    assert map_condition("not bagasse-based") == "not_bagasse"
    assert map_condition("bagasse-based (蔗渣)") == "bagasse"
    assert map_condition("Bagasse") == "bagasse"
    assert map_condition("") == ""
    assert map_condition("N + P2O5 + K2O must stay below 15") == ""


# --------------------------------------------------------------------------- parser


def test_parse_good_rows_and_same_source():
    reqs = parse_requirements_csv(
        csv_text(
            GOOD,
            "general_compost,一般堆肥,zn,max,0.08,%,dry,,same (0.08 %)",
            "general_compost,一般堆肥,moisture_pct,max,35,%,as_received,not bagasse-based,same",
        )
    )
    assert reqs[0] == Requirement("general_compost", "cu", "max", 100.0, "mg/kg", "dry", "", "", "handbook")
    assert reqs[1].source == "handbook (0.08 %)" and reqs[1].unit == "%"
    assert reqs[2].source == "handbook"
    assert (reqs[2].condition, reqs[2].condition_text) == ("not_bagasse", "not bagasse-based")


def test_bom_extra_columns_and_blank_lines_are_tolerated():
    text = "\ufeff" + HEADER + ",note\n" + GOOD + ",x\n\n"
    assert len(parse_requirements_csv(text)) == 1


def test_missing_column():
    errors = errors_of(
        "category,parameter,kind,limit,unit,basis,condition,source\ngeneral_compost,cu,max,100,mg/kg,dry,,h\n"
    )
    assert list(errors) == ["columns"] and "category_zh" in errors["columns"][0]


def test_non_number_limit():
    assert errors_of(csv_text(GOOD.replace(",100,", ",abc,"))) == {"row 2.limit": ["'abc' is not a number"]}
    assert "row 2.limit" in errors_of(csv_text(GOOD.replace(",100,", ",-1,")))
    assert "row 2.limit" in errors_of(csv_text(GOOD.replace(",100,", ",,")))
    assert "row 2.limit" in errors_of(csv_text(GOOD.replace(",100,", ",nan,")))


def test_duplicate_requirement():
    errors = errors_of(csv_text(GOOD, "general_compost,一般堆肥,cu,max,150,mg/kg,dry,,x"))
    assert list(errors) == ["row 3"] and "row 2" in errors["row 3"][0]
    # a different condition or kind is not a duplicate
    ok = parse_requirements_csv(
        csv_text(
            "general_compost,一般堆肥,moisture_pct,max,35,%,as_received,not bagasse-based,h",
            "general_compost,一般堆肥,moisture_pct,max,40,%,as_received,bagasse-based (蔗渣),h",
            "general_compost,一般堆肥,moisture_pct,min,10,%,as_received,,h",
        )
    )
    assert len(ok) == 3


def test_unknown_unit():
    errors = errors_of(csv_text(GOOD.replace("mg/kg", "dS/m")))
    assert list(errors) == ["row 2.unit"] and "dS/m" in errors["row 2.unit"][0]
    assert "row 2.unit" in errors_of(csv_text(GOOD.replace("mg/kg", "furlongs")))
    # a ratio's % is not a mass fraction
    assert "row 2.unit" in errors_of(csv_text("x,x,relative_germination_pct,min,90,mg/kg,,,h"))
    # convertible units are fine
    assert parse_requirements_csv(csv_text(GOOD.replace("mg/kg", "%").replace(",100,", ",0.01,")))[0].unit == "%"


def test_unknown_kind_parameter_basis():
    assert "row 2.kind" in errors_of(csv_text(GOOD.replace(",max,", ",maximum,")))
    assert "row 2.parameter" in errors_of(csv_text(GOOD.replace(",cu,", ",copper,")))
    assert "row 2.basis" in errors_of(csv_text(GOOD.replace(",dry,", ",wet,")))
    assert "row 2.basis" in errors_of(csv_text("x,x,moisture_pct,max,35,%,dry,,h"))


def test_other_row_problems():
    assert "row 2.source" in errors_of(csv_text(GOOD.replace(",handbook", ",same")))
    assert "row 2.source" in errors_of(csv_text(GOOD.replace(",handbook", ",")))
    assert "row 2.category" in errors_of(csv_text(GOOD.replace("general_compost,", ",", 1)))
    assert "row 3.category_zh" in errors_of(csv_text(GOOD, GOOD.replace("一般堆肥", "堆肥").replace(",cu,", ",zn,")))
    assert "rows" in errors_of(HEADER + "\n")
    # a minimum that can never be met with the maximum
    errors = errors_of(csv_text("x,x,total_carbon_pct,min,50,%,dry,,h", "x,x,total_carbon_pct,max,40,%,dry,,same"))
    assert "row 2.limit" in errors


def test_every_problem_is_reported_and_nothing_returned():
    text = csv_text(
        GOOD,
        "general_compost,一般堆肥,zn,max,abc,mg/kg,dry,,same",
        "general_compost,一般堆肥,cu,max,100,mg/kg,dry,,same",
        "general_compost,一般堆肥,pb,between,1,mg/kg,dry,,same",
        "general_compost,一般堆肥,hg,max,1,mmol,dry,,same",
    )
    errors = errors_of(text)
    assert set(errors) == {"row 3.limit", "row 4", "row 5.kind", "row 6.unit"}
    assert errors["row 3.limit"] == ["'abc' is not a number"]


# --------------------------------------------------------------------------- manifests


def write_edition(tmp_path, manifest, rows=(GOOD,)):
    (tmp_path / "req.csv").write_text(csv_text(*rows), encoding="utf-8")
    path = tmp_path / "ed.yaml"
    path.write_text(manifest, encoding="utf-8")
    return path


MANIFEST = """code: test-1
title: Test edition
issuing_body: Somebody
in_force: 2001-01-01
source: somewhere
requirements_csv: req.csv
categories:
  general_compost: {name_zh: 一般堆肥, name_en: General compost}
declarations:
  general_compost:
    - {key: no_chemical_fertilizer, text_zh: 未添加化學肥料, text_en: No chemical fertilizer added}
"""


def test_manifest_loads(tmp_path):
    e = load_edition_file(write_edition(tmp_path, MANIFEST))
    assert e.code == "test-1" and len(e.requirements) == 1 and len(e.declarations) == 1


@pytest.mark.parametrize(
    "change,key",
    [
        (("code: test-1\n", ""), "code"),
        (("code: test-1", "code: bad code!"), "code"),
        (("2001-01-01", "01/01/2001"), "in_force"),
        (("req.csv", "nope.csv"), "requirements_csv"),
        (("general_compost: {name_zh", "other: {name_zh"), "categories"),
        (("name_en: General compost}", "name_en: ''}"), "categories.general_compost.name_en"),
        (("key: no_chemical_fertilizer", "key: organic_certified"), "declarations.general_compost.0.key"),
        (("source: somewhere", "source: somewhere\ncolour: green"), "colour"),
    ],
)
def test_manifest_problems(tmp_path, change, key):
    with pytest.raises(InputError) as e:
        load_edition_file(write_edition(tmp_path, MANIFEST.replace(*change)))
    assert key in e.value.errors, e.value.errors


def test_manifest_reports_csv_problems_too(tmp_path):
    with pytest.raises(InputError) as e:
        load_edition_file(
            write_edition(tmp_path, MANIFEST.replace("2001-01-01", "never"), rows=(GOOD.replace(",100,", ",abc,"),))
        )
    assert {"in_force", "row 2.limit"} <= set(e.value.errors)


def test_unreadable_or_invalid_yaml(tmp_path):
    with pytest.raises(InputError) as e:
        load_edition_file(tmp_path / "absent.yaml")
    assert "file" in e.value.errors
    bad = tmp_path / "bad.yaml"
    bad.write_text("code: [unclosed\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        load_edition_file(bad)
    assert "file" in e.value.errors


# --------------------------------------------------------------------------- what a lab admin reads (issue #14)


def only(errors, key):
    (message,) = errors[key]
    return message.code, message.english()


@pytest.mark.parametrize(
    "rows, key, code, english",
    [
        (
            (GOOD.replace(",max,", ",maximum,"),),
            "row 2.kind",
            "unknown_kind",
            "unknown kind 'maximum'; expected one of min, max, max_exclusive",
        ),
        ((GOOD.replace(",cu,", ",copper,"),), "row 2.parameter", "unknown_parameter", "unknown parameter 'copper'"),
        (
            (GOOD.replace(",dry,", ",wet,"),),
            "row 2.basis",
            "unknown_basis",
            "unknown basis 'wet'; expected dry, as_received or empty",
        ),
        (
            ("x,x,moisture_pct,max,35,%,dry,,h",),
            "row 2.basis",
            "moisture_as_received_only",
            "moisture is judged as received only",
        ),
        (
            (GOOD.replace(",handbook", ",same"),),
            "row 2.source",
            "no_previous_source",
            "'same' on the first row: there is no previous source",
        ),
        ((GOOD.replace(",handbook", ","),), "row 2.source", "required", "is required"),
        ((GOOD.replace("general_compost,", ",", 1),), "row 2.category", "required", "is required"),
        (
            (GOOD.replace("general_compost,", "General,", 1),),
            "row 2.category",
            "not_a_key",
            "'General' is not a key (lower case letters, digits, _)",
        ),
        (
            (GOOD, GOOD.replace("一般堆肥", "堆肥").replace(",cu,", ",zn,")),
            "row 3.category_zh",
            "name_differs",
            "'堆肥' differs from '一般堆肥' given earlier for general_compost",
        ),
        ((GOOD.replace(",100,", ",abc,"),), "row 2.limit", "not_a_number", "'abc' is not a number"),
        ((GOOD.replace(",100,", ",-1,"),), "row 2.limit", "negative", "-1 is negative"),
        (
            (GOOD.replace("mg/kg", "mmol"),),
            "row 2.unit",
            "unit_not_convertible",
            "unit 'mmol' cannot be converted to 'mg/kg', the unit of cu",
        ),
        (
            (GOOD, GOOD),
            "row 3",
            "duplicate_requirement",
            "duplicate requirement: general_compost cu max already given in row 2",
        ),
        (
            ("x,x,cu,max,1,mg/kg,dry,bagasse based,h", "x,x,cu,max,2,mg/kg,dry,bagasse,h"),
            "row 3",
            "duplicate_requirement",
            "duplicate requirement: x cu max (bagasse) already given in row 2",
        ),
        (
            ("x,x,total_carbon_pct,min,50,%,dry,,h", "x,x,total_carbon_pct,max_exclusive,50,%,dry,,same"),
            "row 2.limit",
            "limits_contradict",
            "the minimum 50 can never be met with the max_exclusive 50 of row 3",
        ),
        ((), "rows", "no_requirements", "the file has no requirements"),
    ],
)
def test_csv_problems_carry_codes_and_read_as_before(rows, key, code, english):
    assert only(errors_of(csv_text(*rows)), key) == (code, english)


def test_missing_columns_message():
    message = errors_of("category,parameter\nx,cu\n")["columns"][0]
    assert message.code == "required_column" and message.params["missing"] == (
        "category_zh",
        "kind",
        "limit",
        "unit",
        "basis",
        "condition",
        "source",
    )
    assert message.english() == (
        "required column(s) missing: category_zh, kind, limit, unit, basis, condition, source; "
        "expected category, category_zh, parameter, kind, limit, unit, basis, condition, source"
    )


@pytest.mark.parametrize(
    "change, key, code, english",
    [
        (("code: test-1\n", ""), "code", "required", "is required"),
        (
            ("code: test-1", "code: bad code!"),
            "code",
            "not_a_code",
            "'bad code!' is not a code (letters, digits, '.', '_', '-')",
        ),
        (("2001-01-01", "01/01/2001"), "in_force", "not_a_date", "'01/01/2001' is not a date (YYYY-MM-DD)"),
        (("title: Test edition", "title: [a, b]"), "title", "not_text", "must be text"),
        (
            ("general_compost: {name_zh", "other: {name_zh"),
            "categories",
            "category_not_listed",
            "category 'general_compost' of the requirements CSV is not listed",
        ),
        (
            ("general_compost: {name_zh", "Other: {name_zh"),
            "categories.Other",
            "not_a_key",
            "'Other' is not a key (lower case letters, digits, _)",
        ),
        (
            ("categories:\n  general_compost: {name_zh: 一般堆肥, name_en: General compost}", "categories: [1]"),
            "categories",
            "not_an_object",
            "must map category keys to {name_zh, name_en}",
        ),
        (
            ("general_compost: {name_zh: 一般堆肥, name_en: General compost}", "general_compost: 1"),
            "categories.general_compost",
            "not_an_object",
            "must have name_zh and name_en",
        ),
        (
            ("name_zh: 一般堆肥, name_en", "name_zh: 堆肥, name_en"),
            "categories.general_compost.name_zh",
            "name_differs",
            "'堆肥' differs from the CSV's '一般堆肥'",
        ),
        (
            ("declarations:\n  general_compost:", "declarations: [1]\nx:"),
            "declarations",
            "not_an_object",
            "must map category keys to lists of {key, text_zh, text_en}",
        ),
        (
            ("declarations:\n  general_compost:", "declarations:\n  other:"),
            "declarations.other",
            "unknown_category",
            "unknown category 'other'",
        ),
        (
            (
                "    - {key: no_chemical_fertilizer, text_zh: 未添加化學肥料, text_en: No chemical fertilizer added}",
                "    x",
            ),
            "declarations.general_compost",
            "not_a_list",
            "must be a list of {key, text_zh, text_en}",
        ),
        (
            (
                "    - {key: no_chemical_fertilizer, text_zh: 未添加化學肥料, text_en: No chemical fertilizer added}",
                "    - 1",
            ),
            "declarations.general_compost.0",
            "not_an_object",
            "must have key, text_zh and text_en",
        ),
        (
            ("key: no_chemical_fertilizer", "key: organic_certified"),
            "declarations.general_compost.0.key",
            "unknown_declaration",
            "unknown declaration 'organic_certified'; known: no_chemical_fertilizer",
        ),
        (
            (
                "No chemical fertilizer added}",
                "No chemical fertilizer added}\n    - {key: no_chemical_fertilizer, text_zh: a, text_en: b}",
            ),
            "declarations.general_compost.1.key",
            "duplicate_declaration",
            "duplicate declaration 'no_chemical_fertilizer' for general_compost",
        ),
        (("source: somewhere", "source: somewhere\ncolour: green"), "colour", "unknown_field", "unknown field"),
        (("requirements_csv: req.csv\n", ""), "requirements_csv", "required", "is required"),
    ],
)
def test_manifest_problems_carry_codes_and_read_as_before(tmp_path, change, key, code, english):
    assert change[0] in MANIFEST
    with pytest.raises(InputError) as e:
        load_edition_file(write_edition(tmp_path, MANIFEST.replace(*change)))
    assert only(e.value.errors, key) == (code, english)


def test_file_problems_carry_codes(tmp_path):
    with pytest.raises(InputError) as e:
        load_edition_file(tmp_path / "absent.yaml")
    (message,) = e.value.errors["file"]
    assert message.code == "unreadable_file" and message.params["file"] == "absent.yaml"
    assert message.english().startswith("cannot read absent.yaml: ")
    bad = tmp_path / "bad.yaml"
    for text, code, english in (
        ("code: [unclosed\n", "invalid_yaml", "bad.yaml is not valid YAML: "),
        ("- a list\n", "not_an_object", "bad.yaml must be a mapping of edition fields"),
    ):
        bad.write_text(text, encoding="utf-8")
        with pytest.raises(InputError) as e:
            load_edition_file(bad)
        (message,) = e.value.errors["file"]
        assert message.code == code and message.english().startswith(english)
    with pytest.raises(InputError) as e:
        load_edition_file(write_edition(tmp_path, MANIFEST.replace("req.csv", "nope.csv")))
    (message,) = e.value.errors["requirements_csv"]
    assert message.code == "unreadable_file" and message.english().startswith("cannot read nope.csv: ")


def test_a_lab_admin_reading_chinese_reads_the_problems_in_chinese():
    from django.utils import translation

    errors = errors_of(
        csv_text(
            GOOD.replace(",dry,", ",wet,").replace(",100,", ",abc,"),
            GOOD.replace(",cu,", ",zn,").replace(",handbook", ","),
        )
    )
    with translation.override("zh-hant"):
        assert str(errors["row 2.basis"][0]) == "不明的基準「wet」；應為 dry（乾基）、as_received（濕基）或留空"
        assert str(errors["row 2.limit"][0]) == "「abc」不是數值"
        assert str(errors["row 3.source"][0]) == "必填"
