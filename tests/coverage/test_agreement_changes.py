"""A PKS stays editable (and deletable) until its first billing run; a PKS billed on the UMK
needs the UMK of its year (what to enter and where); no PKS silently lacks its UMK."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from lindung.coverage import queries, services
from lindung.coverage.errors import AgreementError
from lindung.coverage.models import Agreement
from lindung.programmes import parameters
from tests.actors import system

pytestmark = pytest.mark.django_db

PKS_2027 = {
    "year": 2027,
    "number": "PKS/2027",
    "signed_on": date(2026, 12, 20),
    "period_start": date(2027, 1, 1),
    "period_end": date(2027, 12, 31),
}


def _umk_basis(programme, actor, on=date(2027, 1, 1)):
    parameters.record_parameter(
        actor=actor,
        programme=programme,
        name="pu.basis",
        basis="umk",
        valid_from=on,
        reference="PKS pasal 4 (uji)",
    )


def _umk_2027(programme, actor, value=2_750_000):
    parameters.record_parameter(
        actor=actor,
        programme=programme,
        name="umk",
        value=value,
        valid_from=date(2027, 1, 1),
        reference="Keputusan Gubernur Jawa Timur tentang UMK 2027 (uji)",
    )


def test_a_pks_created_before_the_umk_can_be_edited_and_then_carries_it(programme, users):
    """The Ponorogo story of issue 13: PKS first, UMK afterwards, the PKS not stuck."""
    agreement = services.create_agreement(programme, **PKS_2027, actor=users["admin"])
    assert queries.agreement_umk_missing(agreement) == [2027]
    names = {v["name"] for v in agreement.parameters["values"]}
    assert "umk.35.77" not in names

    _umk_2027(programme, users["admin"])
    updated = services.update_agreement(
        agreement, number="PKS/2027/REV", budget_pu=1_000_000, actor=users["admin"]
    )
    assert (updated.number, updated.budget_pu) == ("PKS/2027/REV", 1_000_000)
    values = {v["name"]: v for v in updated.parameters["values"]}
    assert values["umk.35.77"]["value"] == 2_750_000
    assert queries.agreement_umk_missing(updated) == []
    assert updated.history.count() == 2
    assert updated.history.first().history_user == users["admin"]


def test_a_pks_can_be_deleted_and_recorded_again_for_the_same_year(programme, users):
    agreement = services.create_agreement(programme, **PKS_2027, actor=users["admin"])
    services.delete_agreement(agreement, actor=users["admin"])
    assert not Agreement.objects.filter(programme=programme).exists()
    again = services.create_agreement(programme, **PKS_2027, actor=users["admin"])
    assert again.year == 2027
    assert Agreement.history.filter(id=agreement.pk, history_type="-").exists()


def test_after_the_first_billing_run_the_pks_is_locked_and_says_why(billing_ready, users):
    agreement = Agreement.objects.get(programme=billing_ready, year=2025)
    services.update_agreement(agreement, note="dikoreksi", actor=users["admin"])  # not billed yet
    services.run_billing(billing_ready, 2025, 3, actor=system())
    assert queries.agreement_first_billing(agreement) == date(2025, 3, 1)
    with pytest.raises(AgreementError, match="Maret 2025.*sudah ditagih"):
        services.update_agreement(agreement, budget_pu=1, actor=users["admin"])
    with pytest.raises(AgreementError, match="tidak dapat dihapus"):
        services.delete_agreement(agreement, actor=users["admin"])
    agreement.refresh_from_db()
    assert agreement.note == "dikoreksi" and agreement.budget_pu == 2_000_000_000


def test_an_edit_is_checked_like_a_new_pks(programme, users):
    services.create_agreement(
        programme,
        year=2026,
        number="PKS/2026",
        signed_on=date(2025, 12, 1),
        period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31),
        actor=users["admin"],
    )
    pks = services.create_agreement(programme, **PKS_2027, actor=users["admin"])
    with pytest.raises(AgreementError, match="'PKS/2026' sudah dipakai"):
        services.update_agreement(pks, number="PKS/2026", actor=users["admin"])
    with pytest.raises(AgreementError, match="bertumpang tindih"):
        services.update_agreement(pks, period_start=date(2026, 6, 1), actor=users["admin"])
    with pytest.raises(AgreementError, match="tidak dapat diubah: programme"):
        services.update_agreement(pks, programme=None, actor=users["admin"])
    with pytest.raises(Exception, match=r"Peran Anda \(Operator\) tidak mengizinkan"):
        services.update_agreement(pks, note="x", actor=users["operator"])


def test_umk_basis_without_the_umk_of_the_year_is_refused_with_what_to_enter(
    programme, users, make_participant
):
    make_participant(programme, "PU", enrol=False)
    _umk_basis(programme, users["admin"])
    with pytest.raises(AgreementError) as refused:
        services.create_agreement(programme, **PKS_2027, actor=users["admin"])
    text = str(refused.value)
    assert "UMK Kota Madiun tahun 2027 belum tercatat" in text
    assert "halaman Parameter" in text and "Keputusan Gubernur" in text
    assert not Agreement.objects.filter(programme=programme).exists()

    _umk_2027(programme, users["admin"])
    agreement = services.create_agreement(programme, **PKS_2027, actor=users["admin"])
    values = {v["name"]: v for v in agreement.parameters["values"]}
    assert values["umk.35.77"]["value"] == 2_750_000


def test_umk_basis_also_needs_the_umk_when_an_edit_moves_into_a_year_without_one(programme, users):
    _umk_basis(programme, users["admin"], on=date(2026, 1, 1))
    pks = services.create_agreement(
        programme,
        year=2026,
        number="PKS/2026",
        signed_on=date(2025, 12, 1),
        period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31),
        budget_pu=5_000_000,
        actor=users["admin"],
    )  # 2026's UMK of Kota Madiun is shipped
    with pytest.raises(AgreementError, match="tahun 2027 belum tercatat"):
        services.update_agreement(pks, period_end=date(2027, 6, 30), actor=users["admin"])


def test_a_bpu_only_pks_or_a_wage_basis_needs_no_umk(programme, users):
    _umk_basis(programme, users["admin"], on=date(2026, 6, 1))
    bpu_only = services.create_agreement(
        programme, **PKS_2027, budget_bpu=1_000_000, actor=users["admin"]
    )
    assert bpu_only.budget_pu == 0
    services.delete_agreement(bpu_only, actor=users["admin"])
    parameters.record_parameter(
        actor=users["admin"],
        programme=programme,
        name="pu.basis",
        basis="wage",
        valid_from=date(2027, 1, 1),
        reference="PKS pasal 4 (uji)",
    )
    wage = services.create_agreement(
        programme, **PKS_2027, budget_pu=1_000_000, actor=users["admin"]
    )
    # created, but not silently: the page says the UMK is missing
    assert queries.agreement_umk_missing(wage) == [2027]


def test_the_pages_edit_delete_and_say_why_not(billing_ready, users, client_for):
    c = client_for(users["admin"])
    code = billing_ready.code
    pks = services.create_agreement(billing_ready, **PKS_2027, actor=users["admin"])
    page = c.get(reverse("coverage_funders", args=[code])).content.decode()
    assert reverse("coverage_agreement", args=[code, pks.pk]) in page
    assert "UMK 2027 belum tercatat" in page

    form = c.get(reverse("coverage_agreement", args=[code, pks.pk]))
    assert form.status_code == 200 and "Simpan perubahan" in form.content.decode()
    data = {
        "year": 2027,
        "number": "PKS/2027/B",
        "signed_on": "2026-12-21",
        "period_start": "2027-01-01",
        "period_end": "2027-12-31",
        "bpjs_branch": "Cabang Uji",
        "budget_pu": 0,
        "budget_bpu": 10,
        "note": "",
    }
    r = c.post(reverse("coverage_agreement", args=[code, pks.pk]), data)
    assert r.status_code == 302
    pks.refresh_from_db()
    assert (pks.number, pks.budget_bpu) == ("PKS/2027/B", 10)
    warned = [str(m) for m in get_messages(r.wsgi_request)]
    assert any("UMK Kota Madiun tahun 2027 belum tercatat" in m for m in warned)

    r = c.post(reverse("coverage_agreement_delete", args=[code, pks.pk]))
    assert r.status_code == 302 and not Agreement.objects.filter(pk=pks.pk).exists()

    billed = Agreement.objects.get(programme=billing_ready, year=2025)
    services.run_billing(billing_ready, 2025, 1, actor=system())
    page = c.get(reverse("coverage_agreement", args=[code, billed.pk])).content.decode()
    assert "Januari 2025" in page and "sudah ditagih" in page and "Simpan perubahan" not in page
    r = c.post(reverse("coverage_agreement", args=[code, billed.pk]), {**data, "year": 2025})
    billed.refresh_from_db()
    assert billed.number == "PKS/001/2025"
    r = c.post(reverse("coverage_agreement_delete", args=[code, billed.pk]))
    assert Agreement.objects.filter(pk=billed.pk).exists()
    assert any("tidak dapat dihapus" in str(m) for m in get_messages(r.wsgi_request))


def test_another_programmes_pks_answers_404(billing_ready, other_programme, make_user, client_for):
    stranger = make_user("admin-lain", other_programme, "admin")
    pks = Agreement.objects.get(programme=billing_ready)
    c = client_for(stranger)
    for name in ("coverage_agreement", "coverage_agreement_delete"):
        r = c.post(reverse(name, args=[other_programme.code, pks.pk]))
        assert r.status_code == 404
    assert Agreement.objects.filter(pk=pks.pk).exists()
