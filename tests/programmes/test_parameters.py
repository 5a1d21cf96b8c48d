"""Programme parameters in the database: dated, cited, with who entered them and their history;
programme values override the shipped table."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from lindung.programmes import parameters, queries
from lindung.programmes.models import ProgrammeParameter
from lindung.programmes.permissions import AccessDenied
from lindung.programmes.services import ProgrammeError
from lindung.rules.parameters import params_on

pytestmark = pytest.mark.django_db
DECREE_2026 = "Keputusan Gubernur Jawa Timur Nomor 100.3.3.1/937/013/2025"


@pytest.fixture
def papua(make_programme):
    """A regency whose UMK Lindung does not ship (Kabupaten Merauke)."""
    return make_programme("kab-merauke", region_code="93.01", name="Program Merauke")


def record_umk(actor, programme, year, value, ref=DECREE_2026, **extra):
    return parameters.record_parameter(
        actor=actor,
        programme=programme,
        name="umk",
        valid_from=date(year, 1, 1),
        value=value,
        reference=ref,
        **extra,
    )


def test_shipped_umk_is_used_until_the_programme_enters_its_own(programme, users):
    shipped_2025 = params_on(date(2025, 1, 1))["umk.35.77"]
    found = queries.umk_for(programme, 2025)
    assert (found.value, found.source, found.ref) == (
        shipped_2025.value,
        "package",
        shipped_2025.ref,
    )
    row = record_umk(users["admin"], programme, 2025, 2_430_000, ref="Koreksi Kepgub")
    found = queries.umk_for(programme, date(2025, 6, 1))
    assert (found.value, found.source, found.entered_by, found.ref) == (
        2_430_000,
        "programme",
        users["admin"].username,
        "Koreksi Kepgub",
    )
    assert row.entered_by == users["admin"]
    # A newer shipped figure supersedes an older programme value.
    record_umk(users["admin"], programme, 2024, 2_300_000, ref="Kepgub 2024")
    assert queries.umk_for(programme, 2024).value == 2_300_000
    assert queries.umk_for(programme, 2025).value == 2_430_000
    # Nor is the shipped table's last year carried into the next.
    assert queries.umk_for(programme, 2026).value == 2_588_794
    assert queries.umk_for(programme, 2027) is None


def test_a_region_without_shipped_umk_has_none_until_the_admin_enters_it(papua, make_user):
    from lindung.programmes.models import Role

    admin = make_user("admin-merauke", papua, Role.ADMIN)
    assert queries.umk_for(papua, 2026) is None
    assert queries.pu_basis(papua, date(2026, 1, 1)).fallback is None
    record_umk(admin, papua, 2026, 4_500_000, ref="Keputusan Gubernur Papua Selatan Nomor …")
    assert queries.umk_for(papua, date(2026, 3, 1)).value == 4_500_000
    assert queries.umk_for(papua, 2025) is None
    # A UMK is for its year: 2026's is not carried into 2027.
    assert queries.umk_for(papua, date(2026, 12, 31)).value == 4_500_000
    assert queries.umk_for(papua, 2027) is None
    table = queries.umk_table(papua, range(2025, 2027))
    assert [(r.year, r.value and r.value.value) for r in table] == [(2025, None), (2026, 4_500_000)]


def test_each_value_is_dated_cited_and_in_the_history(programme, users):
    admin = users["admin"]
    row = record_umk(admin, programme, 2026, 2_594_414, unconfirmed=True, note="usulan")
    parameters.change_parameter(actor=admin, parameter=row, value=2_600_000, unconfirmed=False)
    history = list(row.history.order_by("history_date"))
    assert [h.history_type for h in history] == ["+", "~"]
    assert [h.value for h in history] == [2_594_414, 2_600_000]
    assert all(h.history_user == admin for h in history)
    assert all(h.reference == DECREE_2026 and h.valid_from == date(2026, 1, 1) for h in history)
    pk = row.pk
    parameters.delete_parameter(actor=admin, parameter=row, reason="salah daerah")
    gone = ProgrammeParameter.history.filter(id=pk).latest("history_date")
    assert gone.history_type == "-" and gone.history_change_reason == "salah daerah"
    # The audit trail shows it to the Auditor.
    from django.test import Client

    client = Client()
    client.force_login(users["auditor"])
    trail = client.get(reverse("audit_trail", args=[programme.code])).content.decode()
    assert "parameter program" in trail and "salah daerah" in trail


@pytest.mark.parametrize(
    "name,fields,field,message",
    [
        ("umk", {"value": 2_600_000, "reference": ""}, "reference", "Dasar hukum wajib"),
        ("umk", {"value": 2_594, "reference": "Kepgub"}, "value", "rupiah penuh"),
        ("umk", {"value": None, "reference": "Kepgub"}, "value", "UMK harus"),
        (
            "umk",
            {"value": 2_600_000, "reference": "Kepgub", "valid_from": None},
            "valid_from",
            "wajib",
        ),
        (
            "umk",
            {"value": 2_600_000, "reference": "K", "valid_from": date(2014, 1, 1)},
            "valid_from",
            "paling awal",
        ),
        ("bpu.tier", {"value": 1_500_000, "reference": "Perbup"}, "value", "bukan tingkat"),
        ("pu.risk_class", {"value": 6, "reference": "Perbup"}, "value", "I sampai V"),
        (
            "pu.risk_class",
            {"value": 2, "key": "TIDAK-ADA", "reference": "Perbup"},
            "key",
            "tidak ada",
        ),
        ("pu.basis", {"basis": "bonus", "reference": "PKS"}, "basis", "Pilih dasar upah"),
        ("pu.basis", {"basis": "fixed", "reference": "PKS"}, "value", "jumlah tetap"),
        ("gaji", {"value": 1, "reference": "x"}, "name", "tidak dikenal"),
    ],
)
def test_bad_values_are_refused_with_a_reason(programme, users, name, fields, field, message):
    values = {"valid_from": date(2026, 1, 1), **fields}
    with pytest.raises(ProgrammeError) as err:
        parameters.record_parameter(actor=users["admin"], programme=programme, name=name, **values)
    assert err.value.field == field and message in err.value.message
    assert not ProgrammeParameter.objects.exists()


def test_one_value_per_date_and_only_the_admin_edits(programme, users):
    record_umk(users["admin"], programme, 2026, 2_600_000)
    with pytest.raises(ProgrammeError, match="Sudah ada nilai"):
        record_umk(users["admin"], programme, 2026, 2_700_000)
    for role in ("operator", "verifikator", "pimpinan", "auditor", "mitra_csr"):
        with pytest.raises(AccessDenied):
            record_umk(users[role], programme, 2027, 2_800_000)
    assert ProgrammeParameter.objects.count() == 1


def test_programme_defaults_for_basis_tier_and_risk(programme, users):
    admin = users["admin"]
    basis = queries.pu_basis(programme, date(2025, 3, 1))
    assert (basis.basis, basis.override, basis.fallback) == ("wage", None, 2_422_105)
    assert basis.source.source == "default"
    parameters.record_parameter(
        actor=admin,
        programme=programme,
        name="pu.basis",
        basis="umk",
        valid_from=date(2025, 1, 1),
        reference="PKS 2025 pasal 4",
    )
    basis = queries.pu_basis(programme, date(2025, 3, 1))
    assert (basis.basis, basis.override) == ("umk", 2_422_105)
    parameters.record_parameter(
        actor=admin,
        programme=programme,
        name="pu.basis",
        basis="fixed",
        value=2_500_000,
        valid_from=date(2025, 7, 1),
        reference="Perwali 12/2025",
    )
    assert queries.pu_basis(programme, date(2025, 6, 30)).override == 2_422_105
    assert queries.pu_basis(programme, date(2025, 7, 1)).override == 2_500_000
    assert queries.default_bpu_tier(programme, 2025).value == 1_000_000
    parameters.record_parameter(
        actor=admin,
        programme=programme,
        name="bpu.tier",
        value=2_000_000,
        valid_from=date(2025, 1, 1),
        reference="Perwali 6/2020",
    )
    assert queries.default_bpu_tier(programme, 2025).value == 2_000_000
    assert queries.default_risk_class(programme, 2025).value == 1  # national assumption: I


def test_parameter_page_shows_values_and_forms_to_the_admin_only(programme, users, client_for):
    record_umk(users["admin"], programme, 2026, 2_600_000)
    url = reverse("parameters", args=[programme.code])
    admin_page = client_for(users["admin"]).get(url).content.decode()
    assert "Rp\u00a02.600.000" in admin_page and DECREE_2026 in admin_page
    assert "dicatat program" in admin_page and "Catat nilai baru" in admin_page
    operator_page = client_for(users["operator"]).get(url).content.decode()
    assert "Rp\u00a02.600.000" in operator_page and "Catat nilai baru" not in operator_page
    # Other regions' UMK are not listed among the national parameters (named in words, never
    # by their key such as umk.35.77).
    national = admin_page[admin_page.index('id="national"') :]
    assert "UMK Kota Madiun" in national and "Ponorogo" not in national
    assert "umk.35.77" not in admin_page
    # Posting through the page: errors are shown in the form, nothing is saved.
    add = reverse("parameter_add", args=[programme.code, "umk"])
    response = client_for(users["admin"]).post(
        add, {"umk-year": "2027", "umk-value": "2750000", "umk-reference": ""}
    )
    assert response.status_code == 200 and "wajib" in response.content.decode()
    response = client_for(users["admin"]).post(
        add,
        {"umk-year": "2027", "umk-value": "2750000", "umk-reference": "Kepgub 2027 (uji)"},
    )
    assert response.status_code == 302
    assert queries.umk_for(programme, 2027).value == 2_750_000
    assert client_for(users["operator"]).post(add, {}).status_code == 403


def test_calculator_offers_the_programmes_umk(papua, make_user, client_for):
    from lindung.programmes.models import Role

    admin = make_user("admin-merauke", papua, Role.ADMIN)
    url = reverse("calculator", args=[papua.code])
    assert 'name="monthly_wage"' in client_for(admin).get(url).content.decode()
    today = timezone.localdate()
    record_umk(admin, papua, today.year, 4_321_000, ref="Kepgub uji")
    html = client_for(admin).get(url).content.decode()
    assert 'value="4321000"' in html
