"""Warnings a Pemda wants (issue 13), never blocking: a NIK issued outside the programme's
region (an old code that maps into it counts as inside), a PU wage below the UMK of its year,
a BPU income that is not a tier (rounded up, and said to what). On the import and the person
page."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from django.urls import reverse

from lindung.registry import services
from lindung.registry.validation import Reference, validate_participants
from lindung.rules import regions
from tests.actors import system

from .conftest import one, pu
from .test_validation import frame_of

REF = Reference(
    today=date(2025, 6, 1),
    agencies={"dinkes": 1},
    tiers=(1_000_000, 2_000_000, 20_700_000),
    default_risk=1,
    default_start=date(2025, 1, 1),
    region_code="35.77",
    umk_by_year={2025: 2_422_105},
)


def _warnings(result, column):
    w = result.warnings.filter(pl.col("column") == column)
    return w["message"].to_list()


def test_a_bpu_income_between_tiers_is_imported_rounded_up_with_a_warning():
    result = validate_participants(frame_of([one(penghasilan="1500000")]), REF)
    assert result.errors.height == 0 and result.valid.height == 1
    assert result.valid["income_tier"].to_list() == [2_000_000]
    (message,) = _warnings(result, "penghasilan")
    assert "Penghasilan Rp\u00a01.500.000 bukan nominal tabel BPU" in message
    assert "dibulatkan ke atas menjadi Rp\u00a02.000.000" in message


def test_a_bpu_income_on_a_tier_has_no_warning_and_above_the_top_is_refused():
    assert _warnings(validate_participants(frame_of([one()]), REF), "penghasilan") == []
    above = validate_participants(frame_of([one(penghasilan="21000000")]), REF)
    assert above.valid.height == 0
    assert "di atas nominal tertinggi" in above.errors["message"][0]


def test_a_pu_wage_below_the_umk_of_its_year_is_a_warning():
    low = validate_participants(frame_of([pu(upah="2000000")]), REF)
    assert low.errors.height == 0 and low.valid.height == 1
    (message,) = _warnings(low, "upah")
    assert (
        "Upah Rp\u00a02.000.000 di bawah UMK Kota Madiun tahun 2025 (Rp\u00a02.422.105)" in message
    )
    at_umk = validate_participants(frame_of([pu(upah="2422105")]), REF)
    assert _warnings(at_umk, "upah") == []
    # a year without a recorded UMK: nothing to compare with, no warning
    later = validate_participants(frame_of([pu(upah="100000", tanggal_mulai="01/01/2026")]), REF)
    assert _warnings(later, "upah") == []


def test_a_nik_of_another_region_is_a_warning_and_an_old_code_of_the_region_is_not():
    other = one(nik="3502014101900001", kode_kelurahan="35.77.01.1001")
    result = validate_participants(frame_of([other]), REF)
    assert result.errors.height == 0 and result.valid.height == 1
    (message,) = _warnings(result, "nik")
    assert "di luar wilayah program (kode wilayah 35.02, bukan Kota Madiun)" in message
    assert _warnings(validate_participants(frame_of([one()]), REF), "nik") == []


def test_old_region_codes_that_map_into_the_region_count_as_inside():
    former = regions.former_code("91.09")  # Mimika, now in Papua Tengah
    assert former is not None and former.current
    assert "91.09" in regions.codes_inside(former.current)
    assert regions.codes_inside(former.current) >= {former.current}
    assert "91.09" not in regions.codes_inside("35.77")


@pytest.mark.django_db
def test_the_person_page_lists_the_warnings(programme, users, client_for, agencies):
    p = services.save_participant(
        actor=system(),
        programme=programme,
        record=pu(nik="3502020203850002", upah="2000000", tanggal_mulai="01/01/2025"),
    )
    assert any("di bawah UMK" in w for w in p.warnings)
    assert any("di luar wilayah program" in w for w in p.warnings)
    page = client_for(users["operator"]).get(
        reverse("registry_person", args=[programme.code, p.pk])
    )
    text = page.content.decode()
    assert "di bawah UMK Kota Madiun tahun" in text
    assert "Upah Rp\u00a02.000.000" in text or "Upah Rp 2.000.000" in text
    assert "Upah 2000000" not in text
    assert "NIK diterbitkan di luar wilayah program" in text
