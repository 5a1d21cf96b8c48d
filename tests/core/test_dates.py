"""Dates and months typed as people in an office write them, never month-first."""

from datetime import date

import pytest
from django import forms

from lindung.core import dates, fields


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("31/12/2025", date(2025, 12, 31)),
        ("1/2/2026", date(2026, 2, 1)),
        ("01-02-2026", date(2026, 2, 1)),
        ("1-2-2026", date(2026, 2, 1)),
        ("31.12.2025", date(2025, 12, 31)),
        ("2025-12-31", date(2025, 12, 31)),
        (" 17/08/1945 ", date(1945, 8, 17)),
    ],
)
def test_dates_are_read_day_first(text, expected):
    assert dates.parse_date(text) == expected


@pytest.mark.parametrize(
    "text", ["12/31/2026", "31/02/2025", "2025-13-01", "kemarin", "", "31/12/25"]
)
def test_impossible_dates_are_refused_in_indonesian(text):
    with pytest.raises(ValueError, match="hh/bb/tttt"):
        dates.parse_date(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("03/2025", date(2025, 3, 1)),
        ("3/2025", date(2025, 3, 1)),
        ("2025-03", date(2025, 3, 1)),
        ("Maret 2025", date(2025, 3, 1)),
        ("Des 2025", date(2025, 12, 1)),
        ("December 2025", date(2025, 12, 1)),
        ("Mei 2026", date(2026, 5, 1)),
    ],
)
def test_months_are_read_in_every_usual_form(text, expected):
    assert dates.parse_month(text) == expected


@pytest.mark.parametrize("text", ["13/2025", "2025-00", "0-0", "Maretan 2025", "2025"])
def test_impossible_months_are_refused(text):
    with pytest.raises(ValueError, match="bb/tttt"):
        dates.parse_month(text)


class _Form(forms.Form):
    on = fields.DateField(label="Tanggal")
    month = fields.MonthField(label="Bulan", required=False)


def test_a_date_field_is_text_with_the_indonesian_placeholder_and_shows_day_first():
    form = _Form(initial={"on": date(2026, 1, 31), "month": date(2026, 1, 1)})
    html = str(form["on"])
    assert 'type="text"' in html and 'placeholder="hh/bb/tttt"' in html
    assert 'value="31/01/2026"' in html
    assert 'type="date"' not in html
    month = str(form["month"])
    assert 'placeholder="bb/tttt"' in month and 'value="01/2026"' in month


def test_a_date_field_reads_the_usual_forms_and_refuses_with_a_reason():
    for text in ("31/01/2026", "31-1-2026", "2026-01-31"):
        form = _Form(data={"on": text, "month": "01/2026"})
        assert form.is_valid(), form.errors
        assert form.cleaned_data["on"] == date(2026, 1, 31)
        assert form.cleaned_data["month"] == date(2026, 1, 1)
    form = _Form(data={"on": "01/31/2026"})
    assert not form.is_valid()
    assert "tidak dikenali; tulis sebagai hh/bb/tttt" in form.errors["on"][0]


def test_no_form_or_template_offers_the_browsers_own_date_field():
    from pathlib import Path

    import lindung

    root = Path(lindung.__file__).parent
    offenders = []
    for path in [*root.rglob("*.py"), *root.rglob("*.html")]:
        text = path.read_text()
        if 'type="date"' in text or '"type": "date"' in text or 'type="month"' in text:
            offenders.append(str(path.relative_to(root)))
        if '"type": "month"' in text:
            offenders.append(str(path.relative_to(root)))
    assert offenders == []


def test_page_parameters_outside_the_years_say_so_in_both_languages():
    """A date or month that reads but lies outside the years a programme can be about."""
    from lindung.core import params

    with pytest.raises(params.BadParameter) as refused:
        params.day({"dari": "01/01/1800"}, "dari")
    assert refused.value.message == "Tanggal '01/01/1800' di luar tahun 1990–2100."
    assert refused.value.message_en == "Date '01/01/1800' is outside the years 1990–2100."
    with pytest.raises(params.BadParameter) as refused:
        params.month({"bulan": "1800-03"}, "bulan")
    assert refused.value.message == "Bulan '1800-03' di luar tahun 1990–2100."
    assert refused.value.message_en == "Month '1800-03' is outside the years 1990–2100."
    with pytest.raises(params.BadParameter) as refused:
        params.day({"dari": "kemarin"}, "dari")
    assert refused.value.message.endswith("Tahun 1990–2100.")
    assert refused.value.message_en.endswith("Years 1990–2100.")
    assert params.day({"dari": "17/08/2025"}, "dari") == date(2025, 8, 17)
    assert params.month({"bulan": "Maret 2025"}, "bulan") == date(2025, 3, 1)
