"""The audit records' links to who and where are not checked by the database row by row (an
import's COMMIT would pay one check per history and log row, issue 14), yet deleting a user
still clears them as Django's ``on_delete`` says, and the audit keeps its rows."""

from __future__ import annotations

from datetime import date

import pytest
from django.apps import apps
from django.db import connection

from lindung.coverage import services
from lindung.coverage.models import Enrolment, EnrolmentEvent
from lindung.programmes.models import TransitionLog
from lindung.registry.models import Participant, Person

pytestmark = pytest.mark.django_db


def history_models():
    return [m for m in apps.get_models() if m.__name__.startswith("Historical")]


def test_no_history_table_and_no_log_checks_its_user_or_programme_per_row():
    hist = history_models()
    assert len(hist) >= 30
    assert [m.__name__ for m in hist if m._meta.get_field("history_user").db_constraint] == []
    logs = [m for m in apps.get_models() if issubclass(m, TransitionLog)]
    assert {m.__name__ for m in logs} >= {"EnrolmentEvent", "InvoiceEvent", "ClaimTransition"}
    for model in logs:
        for name in ("programme", "user"):
            field = model._meta.get_field(name)
            assert not field.db_constraint, f"{model.__name__}.{name}"
            assert field.db_index, f"{model.__name__}.{name} is looked up by the audit page"
    # the subject of a log stays a database foreign key
    assert EnrolmentEvent._meta.get_field("enrolment").db_constraint


def test_history_indexes_only_what_is_looked_up():
    person = Person.history.model._meta
    participant = Participant.history.model._meta
    period = Enrolment.history.model._meta
    assert not person.get_field("kelurahan_code").db_index
    assert not participant.get_field("person").db_index
    assert not participant.get_field("agency").db_index
    assert not period.get_field("participant").db_index
    assert not period.get_field("funder").db_index
    for meta in (person, participant, period):
        for name in ("id", "programme", "history_date", "history_user"):
            assert meta.get_field(name).db_index, f"{meta.model_name}.{name}"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's catalogue")
def test_postgres_has_no_per_row_check_on_the_written_audit_links():
    tables = [
        Person.history.model._meta.db_table,
        Participant.history.model._meta.db_table,
        Enrolment.history.model._meta.db_table,
        EnrolmentEvent._meta.db_table,
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, a.attname FROM pg_constraint c "
            "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey) "
            "WHERE c.contype = 'f' AND conrelid::regclass::text = ANY (%s)",
            [tables],
        )
        found = sorted(cursor.fetchall())
    assert found == [(EnrolmentEvent._meta.db_table, "enrolment_id")]


def test_deleting_a_user_clears_their_name_from_history_and_logs(
    programme, make_participant, make_user
):
    clerk = make_user("petugas-lama", programme, "operator")
    p = make_participant(programme, "BPU", start=date(2025, 1, 1))
    services.end_enrolment(p, date(2025, 4, 30), "moved", actor=clerk)
    period = Enrolment.objects.get(participant=p)
    event = EnrolmentEvent.objects.filter(enrolment=period).latest("id")
    assert event.user_id == clerk.pk
    changed = Enrolment.history.filter(id=period.pk, history_user_id=clerk.pk)
    assert changed.exists()
    kept = Enrolment.history.filter(id=period.pk).count()
    clerk_id = clerk.pk

    clerk.delete()

    event.refresh_from_db()
    assert event.user_id is None
    assert not Enrolment.history.filter(history_user_id=clerk_id).exists()
    assert Enrolment.history.filter(id=period.pk, history_user__isnull=True).count() >= 1
    assert Enrolment.history.filter(id=period.pk).count() == kept
