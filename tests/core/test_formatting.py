from decimal import Decimal

import pytest

from lindung.core.formatting import group, mask_nik, percent, rupiah, rupiah_short


def test_rupiah_uses_indonesian_grouping():
    assert rupiah(1234567) == "Rp\u00a01.234.567"  # a non-breaking space: Rp never wraps away
    assert rupiah(6800) == "Rp\u00a06.800"
    assert rupiah(0) == "Rp\u00a00"
    assert rupiah(-42000000) == "Rp\u00a0-42.000.000"
    assert rupiah(None) == "–"


def test_rupiah_refuses_floats():
    with pytest.raises(TypeError):
        rupiah(1.5)


def test_short_amounts_for_dashboards():
    assert rupiah_short(6_200_000_000) == "Rp\u00a06,2\u00a0M"
    assert rupiah_short(3_000_000_000) == "Rp\u00a03\u00a0M"
    assert rupiah_short(42_000_000) == "Rp\u00a042\u00a0jt"
    assert rupiah_short(950) == "Rp\u00a0950"


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


def test_dates_in_the_pages_language():
    from datetime import UTC, date, datetime

    from django.utils import translation

    from lindung.core.formatting import long_date, month_name, month_year, short_date

    assert long_date(date(2025, 8, 17)) == "17 Agustus 2025"  # domain messages: Indonesian
    assert long_date(date(2025, 8, 17), "en") == "17 August 2025"
    assert month_year(date(2025, 12, 1)) == "Desember 2025"
    assert month_year(date(2025, 12, 1), "en") == "December 2025"
    assert month_name(5, "id", short=True) == "Mei" and month_name(5, "en", short=True) == "May"
    # a timestamp in Jakarta time with its hour: 03:05 UTC is 10.05 WIB
    stamp = datetime(2025, 12, 10, 3, 5, tzinfo=UTC)
    assert long_date(stamp) == "10 Desember 2025 10.05"
    assert long_date(stamp, "en") == "10 December 2025 10:05"
    assert short_date(date(2026, 1, 2)) == "02/01/2026"
    with translation.override("en"):
        assert long_date(date(2025, 8, 17), None) == "17 August 2025"
        assert long_date(date(2025, 8, 17)) == "17 Agustus 2025"
    with translation.override("id"):
        assert month_year(date(2026, 1, 1), None) == "Januari 2026"


def test_one_date_filter_in_both_languages():
    from datetime import UTC, date, datetime

    from django.template import Context, Template
    from django.utils import translation

    template = Template(
        "{% load lindung %}{{ d|tanggal }}|{{ d|tanggal:'pendek' }}|{{ d|tanggal:'bulan' }}|"
        "{{ t|tanggal }}|{{ t|tanggal:'hari' }}|{{ none|tanggal }}|{{ iso|tanggal }}"
    )
    context = {
        "d": date(2025, 12, 10),
        "t": datetime(2025, 12, 10, 3, 0, tzinfo=UTC),
        "none": None,
        "iso": "2026-01-31",
    }
    with translation.override("id"):
        assert template.render(Context(context)) == (
            "10 Desember 2025|10/12/2025|Desember 2025|10 Desember 2025 10.00|"
            "10 Desember 2025|–|31 Januari 2026"
        )
    with translation.override("en"):
        assert template.render(Context(context)) == (
            "10 December 2025|10/12/2025|December 2025|10 December 2025 10:00|"
            "10 December 2025|–|31 January 2026"
        )


def test_no_template_formats_dates_on_its_own():
    """One date filter: Django's ``|date`` (whose names follow a catalogue, not Lindung's
    words) is not used by any template."""
    from pathlib import Path

    import lindung

    root = Path(lindung.__file__).parent
    offenders = [
        str(p.relative_to(root))
        for p in root.rglob("templates/**/*.html")
        if "|date:" in p.read_text() or "|date }}" in p.read_text()
    ]
    assert offenders == []


def test_rule_texts_in_the_pages_language():
    from django.template import Context, Template
    from django.utils import translation

    template = Template('{% load lindung %}{{ line|teks:"label" }}|{{ other|teks:"label" }}')
    context = {
        "line": {"label": "Santunan kematian", "label_en": "Death benefit"},
        "other": {"label": "Biaya pemakaman"},
    }
    with translation.override("id"):
        assert template.render(Context(context)) == "Santunan kematian|Biaya pemakaman"
    with translation.override("en"):
        assert template.render(Context(context)) == "Death benefit|Biaya pemakaman"
