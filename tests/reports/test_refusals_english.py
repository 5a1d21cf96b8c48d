"""A period or date the dashboard cannot use is answered in the page's language (issue #16:
English complete): the 400 page of :mod:`lindung.core.params` and the date fields of forms."""

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from lindung.core import dates, fields, params
from lindung.reports.queries import Period

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("query", "indonesian", "english"),
    [
        (
            "dari=2025-06&sampai=2025-01",
            "Bulan akhir periode tidak boleh sebelum bulan awal.",
            "The period&#x27;s last month must not be before its first month.",
        ),
        (
            "dari=2025-01&sampai=2025-03&per=31-02-2025",
            "Tanggal &#x27;31-02-2025&#x27; tidak dikenali; tulis sebagai hh/bb/tttt",
            "Date &#x27;31-02-2025&#x27; is not recognised; write it as dd/mm/yyyy",
        ),
    ],
)
def test_the_dashboard_refuses_a_period_in_the_chosen_language(
    programme, users, client_for, query, indonesian, english
):
    client = client_for(users["pimpinan"])
    url = reverse("reports_dashboard", args=[programme.code]) + "?" + query
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    answer = client.get(url)
    assert answer.status_code == 400
    assert english in answer.text and indonesian not in answer.text
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"
    answer = client.get(url)
    assert answer.status_code == 400
    assert indonesian in answer.text and english not in answer.text


def test_every_reading_refusal_has_both_sentences():
    with pytest.raises(params.BadParameter) as caught:
        params.choice({"jenis": "x"}, "jenis", ["a", "b"])
    assert caught.value.in_language("id") == (
        "Nilai 'x' tidak dikenal untuk 'jenis'; pilih salah satu: a, b."
    )
    assert (
        caught.value.in_language("en") == "Value 'x' is not known for 'jenis'; choose one of: a, b."
    )
    with pytest.raises(params.BadParameter) as caught:
        params.month({"bulan": "Maret"}, "bulan")
    assert caught.value.message_en.startswith(
        "Month 'Maret' is not recognised; write it as mm/yyyy"
    )
    assert caught.value.message.startswith("Bulan 'Maret' tidak dikenali; tulis sebagai bb/tttt")
    with pytest.raises(dates.InvalidValue) as period:
        Period.parse("01/2000", "01/2025")
    assert period.value.message_en == "A period is at most 240 months long."
    assert str(period.value) == "Periode paling panjang 240 bulan."


def test_a_date_field_refuses_in_the_page_language():
    field = fields.DateField()
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        field.clean("31/13/2025")
    assert caught.value.messages == [
        "Date '31/13/2025' is not recognised; write it as dd/mm/yyyy, e.g. 31/12/2025."
    ]
    with translation.override("id"), pytest.raises(ValidationError) as caught:
        field.clean("31/13/2025")
    assert caught.value.messages == [
        "Tanggal '31/13/2025' tidak dikenali; tulis sebagai hh/bb/tttt, mis. 31/12/2025."
    ]
