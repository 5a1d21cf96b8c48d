from decimal import Decimal

import pytest

from lindung.core.formatting import group, mask_nik, percent, rupiah, rupiah_short


def test_rupiah_uses_indonesian_grouping():
    assert rupiah(1234567) == "Rp 1.234.567"
    assert rupiah(0) == "Rp 0"
    assert rupiah(-42000000) == "Rp -42.000.000"
    assert rupiah(None) == "–"


def test_rupiah_refuses_floats():
    with pytest.raises(TypeError):
        rupiah(1.5)


def test_short_amounts_for_dashboards():
    assert rupiah_short(6_200_000_000) == "Rp 6,2 M"
    assert rupiah_short(3_000_000_000) == "Rp 3 M"
    assert rupiah_short(42_000_000) == "Rp 42 jt"
    assert rupiah_short(950) == "Rp 950"


def test_percent_and_grouping():
    assert percent(Decimal("2.06")) == "206 %"
    assert percent(Decimal("0.5349"), 2) == "53,49 %"
    assert group(17484) == "17.484"


def test_nik_masking_shows_only_region_and_serial():
    assert mask_nik("3577010101900001") == "3577••••••••0001"
    assert mask_nik("") == ""
    assert mask_nik("1234") == "••••"


def test_a_legal_reference_reads_without_our_own_source_markers():
    from lindung.core.formatting import legal_reference

    assert legal_reference("[N2][N3] PP 82/2019") == "PP 82/2019"
    assert legal_reference("DOMAIN.md §1.1") == "–"
    assert legal_reference("PP 44/2015 Pasal 34 (DOMAIN.md §2.1)") == "PP 44/2015 Pasal 34"
    assert legal_reference("") == "–"
    assert legal_reference("Permenaker 5/2021") == "Permenaker 5/2021"
