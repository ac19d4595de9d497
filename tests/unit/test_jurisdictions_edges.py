"""Heavy-metal limits of other jurisdictions (DOMAIN.md §6.2; issue #20): the limits file's
validation word for word, every status at its limit's edge, and the rows the page reads."""

import pytest

from maturity.errors import InputError
from maturity.jurisdictions import by_jurisdiction, compare, limit_display, load_limits_csv
from maturity.measurements import Measurement as M

HEADER = "jurisdiction,jurisdiction_zh,metal,limit_low,limit_high,basis,note\n"


def load(*rows):
    return load_limits_csv(HEADER + "".join(r + "\n" for r in rows))


def errors(*rows, header=HEADER):
    with pytest.raises(InputError) as e:
        load_limits_csv(header + "".join(r + "\n" for r in rows))
    return e.value.errors


def test_rows_read_as_they_are():
    rows = load("US,美國,Cu,450,1000,total,", "JP,日本,cr,1.5,1.5,water_extract,", "IT,意大利,cr,0,0,total,Cr(VI)")
    assert rows == [
        {
            "jurisdiction": "US",
            "jurisdiction_zh": "美國",
            "metal": "cu",
            "limit_low": 450.0,
            "limit_high": 1000.0,
            "basis": "total",
            "note": "",
        },
        {
            "jurisdiction": "JP",
            "jurisdiction_zh": "日本",
            "metal": "cr",
            "limit_low": 1.5,
            "limit_high": 1.5,
            "basis": "water_extract",
            "note": "",
        },
        {
            "jurisdiction": "IT",
            "jurisdiction_zh": "意大利",
            "metal": "cr",
            "limit_low": 0.0,
            "limit_high": 0.0,
            "basis": "total",
            "note": "Cr(VI)",
        },
    ]


def test_byte_order_mark_and_blank_rows():
    rows = load_limits_csv("\ufeff" + HEADER + "US,美國,cd,2,25,total,\n,,,,,,\nAT,奧地利,cd,4,4,total,\n")
    assert [r["jurisdiction"] for r in rows] == ["US", "AT"]


def test_every_problem_of_every_row_word_for_word():
    errs = errors(",,zz,x,-1,soil,", "US,美國,cu,5,3,total,", "US,美國,cu,1,2,total,", "US,美國,CU,1,2,total,")
    assert errs == {
        "row 2.jurisdiction": ["is required"],
        "row 2.jurisdiction_zh": ["is required"],
        "row 2.metal": ["unknown metal 'zz'; expected one of cd, cr, cu, hg, ni, pb, zn, as, co, mo"],
        "row 2.limit_low": ["'x' is not a number"],
        "row 2.limit_high": ["-1 is negative"],
        "row 2.basis": ["unknown basis 'soil'; expected total or water_extract"],
        "row 3.limit_low": ["5 is above limit_high 3"],
        "row 5": ["duplicate of row 4 (US cu)"],
    }


@pytest.mark.parametrize(
    "row, field",
    [
        ("US,,cu,1,2,total,", "row 2.jurisdiction_zh"),
        (",美國,cu,1,2,total,", "row 2.jurisdiction"),
        ("US,美國,cu,1,2,,", "row 2.basis"),
        ("US,美國,cu,-0.5,2,total,", "row 2.limit_low"),
    ],
)
def test_one_bad_field_refuses_the_file(row, field):
    assert list(errors(row, "AT,奧地利,cu,400,400,total,")) == [field]


def test_zero_and_equal_limits_are_accepted():
    assert load("US,美國,cd,0,0,total,")[0]["limit_low"] == 0.0
    assert load("US,美國,cd,2,2,total,")[0]["limit_high"] == 2.0


def test_same_metal_with_another_note_is_not_a_duplicate():
    assert len(load("IT,意大利,cr,500,500,total,Cr(III)", "IT,意大利,cr,10,10,total,Cr(VI)")) == 2


def test_missing_columns_and_empty_file():
    assert errors(header="jurisdiction,metal,limit_low\n") == {
        "columns": [
            "required column(s) missing: jurisdiction_zh, limit_high, basis, note; expected jurisdiction, "
            "jurisdiction_zh, metal, limit_low, limit_high, basis, note"
        ]
    }
    assert errors() == {"rows": ["the file has no limits"]}


# --------------------------------------------------------------------------- statuses at the edges

LIMITS = load(
    "R,範圍,cu,100,500,total,", "S,單一,cu,100,100,total,", "W,水萃,cu,1,1,water_extract,", "V,六價,cr,8,8,total,Cr(VI)"
)


def statuses(value, qualifier="", metal="cu", unit="mg/kg", basis="dry", moisture=None):
    out = compare(LIMITS, {metal: M(value, unit, basis, qualifier)}, moisture)
    item = next(i for i in out if i["metal"] == metal)
    return {j["jurisdiction"]: (j["status"], j["reason"]) for j in item["jurisdictions"]}


def test_at_and_around_a_range():
    assert statuses(100)["R"] == ("meets", "100 ≤ 100")
    assert statuses(100.5)["R"] == ("within_range", "100 < 100.5 ≤ 500: meets the lenient end of the range only")
    assert statuses(500)["R"] == ("within_range", "100 < 500 ≤ 500: meets the lenient end of the range only")
    assert statuses(500.5)["R"] == ("exceeds", "500.5 > 500")
    assert statuses(100)["S"] == ("meets", "100 ≤ 100")
    assert statuses(100.5)["S"] == ("exceeds", "100.5 > 100")
    assert statuses(50)["W"] == ("not_comparable", "water-extract limit: not comparable with a total content")


def test_below_detection_at_the_edges():
    assert statuses(100, "<")["R"] == ("meets", "<100, and 100 ≤ 100")
    assert statuses(500, "<")["R"] == (
        "within_range",
        "<500: 500 ≤ 500 meets the lenient end; the strict end 100 cannot be told",
    )
    assert statuses(500.5, "<")["R"] == ("uncertain", "<500.5, but 500.5 > 500: below detection, may exceed the limit")


def test_total_content_against_a_species_limit():
    assert statuses(8, metal="cr")["V"] == ("meets", "8 ≤ 8")
    assert statuses(9, metal="cr")["V"] == (
        "uncertain",
        "total 9 > 8, but the limit is for Cr(VI) only, which was not measured",
    )


def test_units_and_moisture():
    assert statuses(0.01, unit="%")["S"][0] == "meets"  # 0.01 % = 100 mg/kg
    assert statuses(0.0101, unit="%")["S"][0] == "exceeds"
    # 80 mg/kg as received at 20 % moisture = 100 mg/kg dry
    assert statuses(80, basis="as_received", moisture=20)["S"] == ("meets", "100 ≤ 100")
    assert statuses(80.5, basis="as_received", moisture=20)["S"][0] == "exceeds"
    out = compare(LIMITS, {"cu": M(80, "mg/kg", "as_received"), "moisture_pct": M(20, "%", "as_received")})
    assert next(i for i in out if i["metal"] == "cu")["value"] == pytest.approx(100.0)
    missing = statuses(80, basis="as_received")
    assert missing["S"] == ("missing", "as-received value cannot be put on the dry basis: no moisture result")
    assert missing["W"][0] == "not_comparable"


def test_comparison_rows_shape():
    out = compare(LIMITS, {"cu": M(120, "mg/kg", "dry", "<")})
    assert [i["metal"] for i in out] == ["cr", "cu"]  # METALS order, only limited metals
    cr, cu = out
    assert (cr["value"], cr["qualifier"]) == (None, "")
    assert cr["jurisdictions"][0]["reason"] == "no result"
    assert (cu["value"], cu["qualifier"]) == (120, "<")
    assert cu["jurisdictions"][0] == {
        "jurisdiction": "R",
        "jurisdiction_zh": "範圍",
        "limit_low": 100.0,
        "limit_high": 500.0,
        "basis": "total",
        "limit_display": "100–500",
        "note": "",
        "status": "within_range",
        "reason": "<120: 120 ≤ 500 meets the lenient end; the strict end 100 cannot be told",
    }
    assert cr["jurisdictions"][0]["note"] == "Cr(VI)"
    assert [j["limit_display"] for j in cu["jurisdictions"]] == ["100–500", "100", "(1)"]


def test_limit_display():
    assert limit_display({"limit_low": 1.5, "limit_high": 1.5, "basis": "water_extract"}) == "(1.5)"
    assert limit_display({"limit_low": 2.0, "limit_high": 25.0, "basis": "total"}) == "2–25"


def test_by_jurisdiction_worst_status_and_its_metals():
    limits = load(
        "A,甲,cu,100,100,total,",
        "A,甲,zn,100,200,total,",
        "A,甲,pb,1,1,water_extract,",
        "B,乙,pb,5,5,water_extract,",
        "C,丙,cd,1,1,total,",
    )
    out = by_jurisdiction(compare(limits, {"cu": M(50, "mg/kg", "dry"), "zn": M(150, "mg/kg", "dry")}))
    assert out == [  # first seen in METALS order: cd (C), cu (A), pb (A, B)
        {"jurisdiction": "C", "jurisdiction_zh": "丙", "status": "missing", "metals": ["cd"], "not_comparable": []},
        {
            "jurisdiction": "A",
            "jurisdiction_zh": "甲",
            "status": "within_range",
            "metals": ["zn"],
            "not_comparable": ["pb"],
        },
        {
            "jurisdiction": "B",
            "jurisdiction_zh": "乙",
            "status": "not_comparable",
            "metals": [],
            "not_comparable": ["pb"],
        },
    ]


@pytest.mark.parametrize(
    "bad_row, field",
    [
        ("US,,cu,1,2,total,", "row 2.jurisdiction_zh"),
        ("US,美國,cu,x,2,total,", "row 2.limit_low"),
        ("US,美國,cu,1,,total,", "row 2.limit_high"),
        ("US,美國,cu,-1,2,total,", "row 2.limit_low"),
        ("US,美國,cu,5,3,total,", "row 2.limit_low"),
        ("US,美國,cu,1,2,soil,", "row 2.basis"),
    ],
)
def test_a_refused_row_is_not_a_row_later_rows_can_duplicate(bad_row, field):
    assert list(errors(bad_row, "US,美國,cu,1,2,total,")) == [field]


def test_refused_metals_are_not_compared_as_duplicates():
    assert errors("US,美國,zz,1,2,total,", "US,美國,zz,1,2,total,") == {
        "row 2.metal": ["unknown metal 'zz'; expected one of cd, cr, cu, hg, ni, pb, zn, as, co, mo"],
        "row 3.metal": ["unknown metal 'zz'; expected one of cd, cr, cu, hg, ni, pb, zn, as, co, mo"],
    }


def test_every_duplicate_names_the_first_row():
    assert errors("US,美國,cu,1,2,total,", "US,美國,cu,1,2,total,", "US,美國,cu,3,4,total,") == {
        "row 3": ["duplicate of row 2 (US cu)"],
        "row 4": ["duplicate of row 2 (US cu)"],
    }


# --------------------------------------------------------------------------- messages with codes (issue #14)


@pytest.mark.parametrize(
    "row, field, code, english",
    [
        (",美國,cu,1,2,total,", "row 2.jurisdiction", "required", "is required"),
        ("US,美國,zz,1,2,total,", "row 2.metal", "unknown_metal", "unknown metal 'zz'; expected one of "),
        ("US,美國,cu,abc,2,total,", "row 2.limit_low", "not_a_number", "'abc' is not a number"),
        ("US,美國,cu,1,-2,total,", "row 2.limit_high", "negative", "-2 is negative"),
        ("US,美國,cu,30,20,total,", "row 2.limit_low", "low_above_high", "30 is above limit_high 20"),
        (
            "US,美國,cu,1,2,leachate,",
            "row 2.basis",
            "unknown_basis",
            "unknown basis 'leachate'; expected total or water_extract",
        ),
    ],
)
def test_loader_problems_carry_codes(row, field, code, english):
    (message,) = errors(row)[field]
    assert message.code == code and message.english().startswith(english)


def test_loader_duplicate_and_empty_codes():
    (dup,) = errors("US,美國,cu,1,2,total,", "US,美國,cu,1,2,total,")["row 3"]
    assert dup.code == "duplicate_limit" and dup.english() == "duplicate of row 2 (US cu)"
    assert [m.code for m in errors()["rows"]] == ["no_limits"]
    assert [m.code for m in errors(header="jurisdiction,metal,limit_low\n")["columns"]] == ["required_column"]


def test_comparison_reasons_carry_codes_and_read_in_chinese():
    from django.utils import translation

    cases = {
        ("R", 100, ""): ("meets", "100 ≤ 100"),
        ("R", 100.5, ""): ("lenient_end_only", "100 < 100.5 ≤ 500：僅符合限值範圍較寬的一端"),
        ("S", 100.5, ""): ("exceeds", "100.5 > 100"),
        ("W", 50, ""): ("water_extract_not_comparable", "水萃取限值：無法與全量含量比較"),
        ("R", 100, "<"): ("below_detection_within_limit", "<100，且 100 ≤ 100"),
        ("R", 500, "<"): (
            "below_detection_lenient_end",
            "<500：500 ≤ 500，符合較寬的一端；無法判斷是否符合較嚴的一端 100",
        ),
        ("R", 500.5, "<"): ("below_detection_may_exceed", "<500.5，但 500.5 > 500：低於偵測極限，可能超過上限"),
    }
    for (jurisdiction, value, qualifier), (code, chinese) in cases.items():
        reason = statuses(value, qualifier)[jurisdiction][1]
        assert reason.code == code, (jurisdiction, value, qualifier)
        with translation.override("zh-hant"):
            assert str(reason) == chinese
    species = statuses(9, metal="cr")["V"][1]
    assert species.code == "species_not_measured"
    with translation.override("zh-hant"):
        assert str(species) == "總量 9 > 8，但此限值僅針對 Cr(VI)，而 Cr(VI) 未測定"
