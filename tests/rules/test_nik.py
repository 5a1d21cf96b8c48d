"""NIK parsing and validation."""

from datetime import date

import pytest

from lindung.rules.errors import RulesError
from lindung.rules.nik import SEVERITY, check, check_request, is_valid, mask

REF = date(2025, 6, 1)


def codes(result):
    return [p.code for p in result.errors]


def test_kota_madiun_male():
    r = check("3577011505900001", reference_date=REF)
    assert r.valid and r.errors == () and r.warnings == ()
    assert (r.sex, r.birth_date) == ("L", date(1990, 5, 15))
    assert (r.province, r.regency, r.district) == ("Jawa Timur", "Kota Madiun", "Kartoharjo")
    assert (r.province_code, r.regency_code, r.district_code) == ("35", "35.77", "35.77.01")
    assert r.serial == "0001"


def test_kota_madiun_female_day_plus_40():
    r = check("3577025505900002", reference_date=REF)
    assert r.valid and r.sex == "P" and r.birth_date == date(1990, 5, 15)
    assert r.district == "Manguharjo"
    d = r.to_dict()
    assert d["sex"] == "P" and d["birth_date"] == "1990-05-15" and d["valid"] is True
    assert d["nik"] == "3577025505900002"


def test_kalimantan_utara_65():
    r = check("6501010101900001", reference_date=REF)
    assert r.valid
    assert (r.province, r.regency, r.district) == (
        "Kalimantan Utara",
        "Kabupaten Bulungan",
        "Tanjung Palas",
    )
    assert check("6571034101850003", reference_date=REF).regency == "Kota Tarakan"


def test_papua_barat_92_and_papua_barat_daya_96():
    r = check("9202030101900001", reference_date=REF)
    assert r.valid and r.province == "Papua Barat" and r.regency == "Kabupaten Manokwari"
    r = check("9671015202950004", reference_date=REF)
    assert r.valid and r.province == "Papua Barat Daya" and r.regency == "Kota Sorong"
    assert r.sex == "P"


def test_old_code_after_split_is_a_warning_naming_the_current_code():
    # 91.01 Merauke (Papua) before the 2022 split is 93.01 (Papua Selatan) now
    r = check("9101010101900001", reference_date=REF)
    assert r.valid and codes(r) == []
    assert [w.code for w in r.warnings] == ["regency_old"]
    assert "sekarang 93.01 Merauke" in r.warnings[0].message_id
    assert (r.current_regency_code, r.current_province) == ("93.01", "Papua Selatan")
    assert r.regency == "Kabupaten Merauke" and r.district is None
    strict = check("9101010101900001", reference_date=REF, strict_regions=True)
    assert codes(strict) == ["regency_old"] and strict.errors[0].severity == "error"
    assert "tetap sah" not in strict.errors[0].message_id
    assert codes(check("9101010101900001", reference_date=REF, strict=True)) == ["regency_old"]


def test_codes_never_issued_stay_errors():
    # Kota Madiun has districts 01-03: 09 was never issued
    assert codes(check("3577090101900001", reference_date=REF)) == ["district_unknown"]
    assert codes(check("1001010101900001", reference_date=REF)) == ["province_unknown"]
    assert codes(check("3599010101900001", reference_date=REF)) == ["regency_unknown"]
    assert codes(check("3580010101900001", reference_date=REF)) == ["regency_unknown"]
    # an old regency code still needs a real district number
    assert codes(check("9109001708850001", reference_date=REF)) == ["district_unknown"]


def test_strict_accepts_a_set_of_codes_and_rejects_unknown_ones():
    r = check("3577011708850001", birth_date=date(1985, 8, 18), strict={"birth_date_mismatch"})
    assert codes(r) == ["birth_date_mismatch"]
    r = check("9109011708850001", birth_date=date(1985, 8, 18), strict={"birth_date_mismatch"})
    assert codes(r) == ["birth_date_mismatch"] and [w.code for w in r.warnings] == ["regency_old"]
    with pytest.raises(ValueError, match="no_such_code"):
        check("3577011708850001", strict={"no_such_code"})
    # century_unknown is never promoted: there is nothing wrong with the NIK
    assert check("3577011708850001", strict=True).valid


def test_severity_table_covers_every_code():
    assert set(SEVERITY.values()) == {"error", "warning"}
    assert {c for c, s in SEVERITY.items() if s == "warning"} == {
        "regency_old",
        "district_old",
        "birth_date_mismatch",
        "century_unknown",
    }


@pytest.mark.parametrize(
    "nik",
    [
        "3577013202900001",  # day 32
        "3577017202900001",  # day 72 - 40 = 32
        "3577010001900001",  # day 00
        "3577013002900001",  # 30 February
        "3577012902010001",  # 29 February 2001 / 1901
        "3577011513900001",  # month 13
    ],
)
def test_bad_birth_date(nik):
    r = check(nik, reference_date=REF)
    assert codes(r) == ["birth_date_invalid"]
    assert r.sex is None and r.birth_date is None
    assert "40" in r.errors[0].message_id


def test_29_february_resolution():
    assert check("3577012902000001", reference_date=REF).birth_date == date(2000, 2, 29)
    r = check("3577012902000001", reference_date=date(1999, 1, 1))  # → 1900, not a leap year
    assert codes(r) == ["birth_date_invalid"] and "1900" in r.errors[0].message_id


def test_serial_0000():
    r = check("3577011505900000", reference_date=REF)
    assert codes(r) == ["serial_zero"]
    assert "0000" in r.errors[0].message_id and "0000" in r.errors[0].message_en


def test_every_problem_is_reported():
    r = check("1099017202900000")
    assert codes(r) == ["province_unknown", "birth_date_invalid", "serial_zero"]


@pytest.mark.parametrize("nik", ["357701150590001", "35770115059000011", ""])
def test_wrong_length(nik):
    r = check(nik)
    assert codes(r) == ["length"]
    assert f"{len(nik)} digit" in r.errors[0].message_id


def test_15_digits_hint():
    assert "Excel" in check("357701150590001").errors[0].message_id


@pytest.mark.parametrize(
    "nik", ["35770115059O0001", "3577-0115-0590-000A", "３５７７０１１５０５９０００１"]
)
def test_non_digits(nik):
    assert codes(check(nik)) == ["non_digit"]


def test_separators_and_excel_apostrophe_are_tolerated():
    assert check("'3577 0115 0590 0001", reference_date=REF).nik == "3577011505900001"
    assert check("3577.0115.0590.0001", reference_date=REF).valid


def test_numbers_are_rejected():
    r = check(3577011505900001)
    assert codes(r) == ["not_text"] and "Excel" in r.errors[0].message_id
    assert r.to_dict()["nik"] == "3577011505900001"
    assert codes(check(3.577011505900001e15)) == ["not_text"]
    assert codes(check("3,57701E+15")) == ["scientific_notation"]
    assert codes(check("3.57701E+15")) == ["scientific_notation"]


def test_century_from_birth_date_2010_not_1910():
    r = check("3577010101100001", birth_date=date(2010, 1, 1))
    assert r.valid and r.birth_date == date(2010, 1, 1)
    assert check("3577010101100001", birth_date=date(1910, 1, 1)).birth_date == date(1910, 1, 1)


def test_century_from_reference_date():
    assert check("3577010101100001", reference_date=REF).birth_date == date(2010, 1, 1)
    assert check("3577010101100001", reference_date=date(2010, 1, 1)).birth_date == date(2010, 1, 1)
    assert check("3577010201100001", reference_date=date(2010, 1, 1)).birth_date == date(1910, 1, 2)
    assert check("3577011505990001", reference_date=REF).birth_date == date(1999, 5, 15)


def test_century_unknown_is_a_warning_not_a_guess():
    r = check("3577010101100001")
    assert r.valid and r.birth_date is None and r.sex == "L"
    assert [w.code for w in r.warnings] == ["century_unknown"]
    assert r.warnings[0].severity == "warning"
    assert r.birth_ddmmyy == "010110"


def test_birth_date_mismatch_is_a_warning_and_future_an_error():
    r = check("3577010101100001", birth_date=date(2010, 1, 2))
    assert r.valid and codes(r) == []
    assert [w.code for w in r.warnings] == ["birth_date_mismatch"]
    assert r.birth_date == date(2010, 1, 1)  # the NIK's own date, century from the stated one
    assert "2010-01-02" in r.warnings[0].message_id and "01-01-10" in r.warnings[0].message_id
    # a different year: the century is the one nearest to the stated year
    assert check("3577010101990001", birth_date=date(2000, 1, 1)).birth_date == date(1999, 1, 1)
    assert check("3577010101010001", birth_date=date(1999, 12, 1)).birth_date == date(2001, 1, 1)
    r = check("3577010101100001", birth_date=date(2010, 1, 1), reference_date=date(2009, 1, 1))
    assert codes(r) == ["birth_date_future"]


def test_29_february_of_a_non_leap_century_year_is_refused():
    r = check("3577012902000001", birth_date=date(1900, 3, 1))
    assert codes(r) == ["birth_date_invalid"] and "1900" in r.errors[0].message_id


def test_check_request_parses_dates_and_names_the_bad_field():
    r = check_request("3577011708850001", birth_date="1985-08-18")
    assert r.valid and r.warnings[0].code == "birth_date_mismatch"
    r = check_request("3577011708850001", today=date(2025, 1, 1))
    assert r.birth_date == date(1985, 8, 17) and r.clean
    assert check_request("3577011708850001", reference_date="1980-01-01").birth_date == date(
        1885, 8, 17
    )
    for bad in ("1985-02-30", "30/02/1985", "yesterday"):
        with pytest.raises(RulesError) as exc:
            check_request("3577011708850001", birth_date=bad)
        assert exc.value.field == "birth_date" and bad in exc.value.message_id
    with pytest.raises(RulesError) as exc:
        check_request("3577011708850001", reference_date="2025-13-01")
    assert exc.value.field == "reference_date"
    assert check_request("3577011708850001", birth_date=date(1985, 8, 17)).clean


def test_is_valid_and_mask():
    assert is_valid("3577011505900001", reference_date=REF)
    assert not is_valid("3577011505900000")
    assert mask("3577011505900001") == "3577••••••••0001"
    assert mask("123") == "•••"


def test_to_dict_shape():
    d = check("3577011505900000").to_dict()
    assert set(d) >= {
        "nik",
        "valid",
        "errors",
        "warnings",
        "current_regency_code",
        "sex",
        "birth_date",
        "province",
        "regency",
        "district",
    }
    assert d["errors"][0] == {
        "code": "serial_zero",
        "message_id": "Nomor urut NIK (4 digit terakhir) tidak boleh 0000.",
        "message_en": "The NIK serial (last 4 digits) cannot be 0000.",
        "severity": "error",
    }
