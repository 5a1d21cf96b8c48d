"""Statutory parameters as people read them (issue 16): "1 %", "0,24 %", "Rp 6.800",
"48 × upah" — never "0.01 rate" or a raw key — each with its date and legal reference as text."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from lindung.core.formatting import legal_reference, parameter_value, ratio_percent


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (Decimal("0.01"), "rate", "1 %"),  # PP 44/2015: JKK BPU 1 % of income
        (Decimal("0.0024"), "rate", "0,24 %"),  # PP 44/2015 Lampiran I, risk class I
        (Decimal("0.0030"), "rate", "0,3 %"),  # JKM PU
        (Decimal("0.005"), "rate", "0,5 %"),  # PP 49/2020 late fine
        (6800, "IDR", "Rp\u00a06.800"),  # JKM BPU per month
        (48, "times_wage", "48 × upah"),  # PP 82/2019 JKK death
        (24, "month", "24 bulan"),
        (5, "year", "5 tahun"),
        (15, "day", "tanggal 15"),
        (None, "IDR", "berakhir"),
        ("next", "text", "hari kerja berikutnya"),
        ("I", "text", "kelompok I"),
        (
            {"I": Decimal("0.0024"), "II": Decimal("0.0054")},
            "rate",
            "kelompok I 0,24 %; kelompok II 0,54 %",
        ),
        (
            {"land": 5_000_000, "sea": 2_000_000},
            "IDR",
            "darat Rp\u00a05.000.000; laut Rp\u00a02.000.000",
        ),
        (
            [
                {"from_month": 1, "to_month": 12, "percent": 100},
                {"from_month": 13, "to_month": None, "percent": 50},
            ],
            "table",
            "bulan 1–12: 100 % upah; bulan 13 dan seterusnya: 50 % upah",
        ),
    ],
)
def test_values_in_words(value, unit, shown):
    assert parameter_value(value, unit) == shown


def test_a_value_that_refers_to_another_parameter_and_a_month_number():
    labels = {"jkm.lump_sum": "Santunan sekaligus JKM"}
    assert parameter_value("jkm.lump_sum", "parameter", labels) == (
        "sama dengan santunan sekaligus JKM"
    )
    assert parameter_value(7, "month", name="scholarship.school_year_start_month") == "Juli"
    assert ratio_percent(Decimal("0.99")) == "99 %"


def test_legal_references_drop_our_own_source_marks():
    assert legal_reference("[N24b] PP 44/2015 Lampiran I") == "PP 44/2015 Lampiran I"
    assert legal_reference("PP 44/2015 (tidak ada di DOMAIN.md)") == "PP 44/2015"
    assert legal_reference("PP 44/2015 (5 tahun; tidak ada di DOMAIN.md)") == "PP 44/2015 (5 tahun)"
    assert "UNCONFIRMED" not in legal_reference("PP 7/2025 (pengecualian APBD UNCONFIRMED)")


@pytest.mark.django_db
def test_the_parameter_page_and_the_calculator_read_in_words(programme, users, client_for):
    client = client_for(users["admin"])
    html = client.get(reverse("parameters", args=[programme.code])).content.decode()
    national = html[html.index('id="national"') :]
    row = re.search(r"Tarif iuran JKK Bukan Penerima Upah[^<]*</th><td>([^<]*)</td>", national)
    assert row and row.group(1) == "1 %"
    assert "<td>Rp\u00a06.800</td>" in national and "<td>48 × upah</td>" in national
    assert "kelompok I 0,24 %" in national
    for raw in ("bpu.jkk_rate", ">rate<", "times_wage", "[N24b]", "DOMAIN.md", "{&#x27;", "0,01"):
        assert raw not in national, raw
    assert "1 Juli 2015" in national and "PP 82/2019" in national

    calc = client.get(
        reverse("calculator", args=[programme.code]),
        {
            "benefit": "jkk_death",
            "segment": "PU",
            "monthly_wage": "3000000",
            "event_date": date(2025, 6, 1).isoformat(),
            "contribution_months": "40",
            "anak-TOTAL_FORMS": "0",
            "anak-INITIAL_FORMS": "0",
        },
    )
    assert calc.status_code == 200
    text = calc.content.decode()
    assert "Hasil perhitungan" in text, re.findall(r'class="error"[^>]*>([^<]*)', text)
    used = text[text.index("Parameter yang dipakai") :]
    assert "48 × upah" in used and "2 Desember 2019" in used
    for raw in ("times_wage", " IDR", "2019-12-02", "[N"):
        assert raw not in used, raw


def test_an_unconfirmed_reference_drops_the_word_when_the_row_has_its_badge():
    text = "PP 7/2025 (pengecualian APBD UNCONFIRMED)"
    assert legal_reference(text) == "PP 7/2025 (pengecualian APBD belum terkonfirmasi)"
    assert legal_reference(text, flagged=True) == "PP 7/2025 (pengecualian APBD)"
    assert legal_reference("PP 44/2015 (UNCONFIRMED)", flagged=True) == "PP 44/2015"


@pytest.mark.django_db
def test_the_parameter_page_says_unconfirmed_once_per_value(programme, users, client_for):
    html = client_for(users["admin"]).get(reverse("parameters", args=[programme.code]))
    rows = re.findall(r"<tr>.*?</tr>", html.content.decode(), flags=re.S)
    flagged = [row for row in rows if "belum terkonfirmasi" in row]
    assert flagged, "the shipped parameters have unconfirmed values"
    twice = [row for row in flagged if row.count("belum terkonfirmasi") > 1]
    assert twice == [], twice[:2]
