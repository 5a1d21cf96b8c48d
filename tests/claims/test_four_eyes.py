"""Four eyes (issue 15): the person who entered or verified a claim may not approve it; a
per-programme setting, on by default, that the Admin changes with history; the demo still
builds (a second Verifikator approves)."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from lindung.claims import services
from lindung.claims.errors import FourEyesError
from lindung.claims.models import Claim, ClaimState
from lindung.core.errors import AccessDenied
from lindung.programmes.models import Programme
from lindung.programmes.services import set_four_eyes
from tests.actors import system

from .helpers import SPOUSE, bill_and_pay, make_participant, ready_for_bpjs

pytestmark = pytest.mark.django_db


def _workers(programme, n=1):
    workers = [
        make_participant(programme, start=date(2022, 10, 1), family=[SPOUSE]) for _ in range(n)
    ]
    bill_and_pay(programme, date(2022, 10, 1), date(2025, 12, 1))
    return workers


def _claim(programme, creator, worker=None):
    p = worker or _workers(programme)[0]
    claim = services.create_claim(programme, p, "jkm_death", date(2025, 11, 20), actor=creator)
    ready_for_bpjs(claim, creator)  # documents received, the death recorded
    services.submit(claim, actor=creator)
    return claim


def test_the_verifier_may_not_approve_what_they_verified(programme, users):
    assert programme.four_eyes is True  # on by default
    claim = _claim(programme, users["operator"])
    services.verify(claim, actor=users["verifikator"])
    with pytest.raises(FourEyesError, match="diverifikasi oleh Anda sendiri.*empat mata"):
        services.approve(claim, actor=users["verifikator"])
    assert Claim.objects.get(pk=claim.pk).state == ClaimState.VERIFIED
    approved = services.approve(claim, actor=users["admin"])
    assert approved.state == ClaimState.APPROVED


def test_the_creator_may_not_approve_even_when_another_verified(programme, users):
    first, second = _workers(programme, 2)
    claim = _claim(programme, users["admin"], first)  # the Admin entered the claim
    services.verify(claim, actor=users["verifikator"])
    with pytest.raises(FourEyesError, match="dicatat oleh Anda sendiri"):
        services.approve(claim, actor=users["admin"])
    # one Admin creating, verifying and approving alone (issue 15) is refused as well
    alone = _claim(programme, users["admin"], second)
    services.verify(alone, actor=users["admin"])
    with pytest.raises(FourEyesError, match="dicatat dan diverifikasi"):
        services.approve(alone, actor=users["admin"])


def test_the_admin_turns_it_off_with_history_and_then_one_person_may(programme, users, client_for):
    with pytest.raises(AccessDenied):
        set_four_eyes(actor=users["verifikator"], programme=programme, enabled=False)
    admin = client_for(users["admin"])
    page = admin.get(reverse("programme_settings", args=[programme.code]))
    assert "Empat mata pada persetujuan klaim" in page.text
    r = admin.post(
        reverse("programme_four_eyes", args=[programme.code]),
        {"empat_mata": "tidak", "alasan": "Hanya satu Verifikator di kantor"},
        follow=True,
    )
    assert "kini tidak aktif" in r.text
    programme.refresh_from_db()
    assert programme.four_eyes is False
    latest = Programme.history.filter(id=programme.pk).latest("history_id")
    assert latest.history_user == users["admin"] and not latest.four_eyes
    assert "Hanya satu Verifikator" in latest.history_change_reason
    claim = _claim(programme, users["operator"])
    services.verify(claim, actor=users["verifikator"])
    assert services.approve(claim, actor=users["verifikator"]).state == ClaimState.APPROVED
    set_four_eyes(actor=system(), programme=programme, enabled=True)
    assert Programme.objects.get(pk=programme.pk).four_eyes is True
