"""Browser test: marking a participant dead on the person page drops the dashboard's active
count at once — the status is the membership (the period ends in the same transaction) and the
read model follows in that transaction, so the very next dashboard view shows it."""

from __future__ import annotations

from datetime import date

import pytest

from lindung.core.actors import system_actor
from lindung.coverage import services as coverage
from lindung.programmes.models import Role
from lindung.programmes.services import create_programme, ensure_user, set_membership
from lindung.registry.models import Participant, Person

from .conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "kata-sandi-uji-123"


def _programme_with_three_workers():
    system = system_actor("cli")
    programme = create_programme(
        actor=system,
        code="kota-uji",
        name="Program Kota Uji",
        pemda_name="Pemerintah Kota Uji",
        region_code="35.77",
        bpjs_branch="Cabang Uji",
    )
    admin = ensure_user("admin-uji", PASSWORD, first_name="Admin")
    set_membership(actor=system, programme=programme, user=admin, role=Role.ADMIN)
    workers = []
    for n in range(3):
        person = Person.objects.create(
            programme=programme,
            nik=f"35770141019000{n + 1:02d}",
            full_name=f"PEKERJA {n + 1}",
            birth_date=date(1990, 1, 1),
            sex="P",
            kelurahan_code="35.77.01.1001",
        )
        participant = Participant.objects.create(
            programme=programme,
            person=person,
            segment="BPU",
            start_date=date(2025, 1, 1),
            income_tier=1_000_000,
        )
        coverage.enrol(participant, date(2025, 1, 1), actor=system)
        workers.append(participant)
    return programme, workers


def _active(page, code: str) -> str:
    page.goto(f"{page.base}/p/{code}/dasbor/?dari=2025-01&sampai=2025-12&per=2025-12-31")
    return page.locator("#kpi-active .v").inner_text().strip()


def test_marking_a_participant_dead_drops_the_active_count_at_once(page, shot):
    programme, workers = _programme_with_three_workers()
    login(page, "admin-uji", PASSWORD)
    assert _active(page, programme.code) == "3"
    shot(page, "membership-dashboard-before")

    page.goto(f"{page.base}/p/{programme.code}/peserta/{workers[1].pk}/")
    page.get_by_label("Ubah status kepesertaan").select_option("died")
    page.get_by_label("Berlaku sejak").fill("2025-06-10")
    page.get_by_label("Alasan (dicatat di riwayat)").fill("Akta kematian 12/2025")
    page.get_by_role("button", name="Simpan status").click()
    page.wait_for_load_state("networkidle")
    assert "Status peserta: meninggal" in page.content()
    shot(page, "membership-person-marked-dead")

    # The very next dashboard view: one fewer active participant on 31 December …
    assert _active(page, programme.code) == "2"
    shot(page, "membership-dashboard-after")
    # … and still three on 1 June, before the death.
    page.goto(f"{page.base}/p/{programme.code}/dasbor/?dari=2025-01&sampai=2025-05&per=2025-06-01")
    assert page.locator("#kpi-active .v").inner_text().strip() == "3"
    ended = workers[1].enrolments.get()
    assert (ended.end_date, ended.end_reason) == (date(2025, 6, 10), "died")
