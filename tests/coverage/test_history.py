"""History that is complete and cheap: a model that declares history gets it on its bulk writes
too; append-only logs and the billing run's derived rows declare none."""

from __future__ import annotations

from datetime import date

import pytest

from lindung.claims.models import ClaimTransition, InstalmentTransition
from lindung.coverage import services
from lindung.coverage.models import (
    Adjustment,
    AllocationMember,
    CancelledLine,
    CoverageMonth,
    Enrolment,
    EnrolmentEvent,
    Funder,
    InvoiceEvent,
    RateCard,
)

pytestmark = pytest.mark.django_db


def test_logs_and_derived_rows_keep_no_history_table():
    for model in (
        EnrolmentEvent,
        InvoiceEvent,
        ClaimTransition,
        InstalmentTransition,
        CoverageMonth,
        Adjustment,
        CancelledLine,
        RateCard,
    ):
        assert not hasattr(model, "history"), model


def test_bulk_enrolment_writes_a_history_row_per_period(programme, make_participant, users):
    people = [make_participant(programme, "BPU", enrol=False) for _ in range(5)]
    services.enrol_many(
        programme, [p.pk for p in people], date(2025, 2, 1), actor=users["operator"], note="x"
    )
    for period in Enrolment.objects.filter(participant__in=people):
        (row,) = period.history.all()
        assert (row.history_type, row.history_user, row.start_date) == (
            "+",
            users["operator"],
            date(2025, 2, 1),
        )
        assert period.events.get().user == users["operator"]


def test_named_allocation_members_and_a_new_default_funder_are_historised(
    programme, make_participant, users
):
    admin = users["admin"]
    apbd = services.create_funder(
        programme, code="APBD", name="APBD", kind="SG", is_default=True, actor=admin
    )
    csr = services.create_funder(programme, code="CSR", name="CSR", kind="SC", actor=admin)
    named = [make_participant(programme, "BPU") for _ in range(3)]
    rule = services.add_allocation_rule(csr, participants=named, actor=admin)
    members = AllocationMember.objects.filter(rule=rule)
    assert members.count() == 3
    for member in members:
        assert member.history.get().history_user == admin
    services.update_funder(csr, is_default=True, actor=admin)
    apbd = Funder.objects.get(pk=apbd.pk)
    assert apbd.is_default is False
    last = apbd.history.latest("history_id")
    assert (last.is_default, last.history_user) == (False, admin)
