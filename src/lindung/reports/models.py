"""The dashboard's read model: participant counts and paid claims per group (see
:mod:`lindung.reports.counts`).

Nothing here is a source of truth: every row is derived from the enrolment periods, the
participants, the people and the claims, and rebuilt from them when it is missing or after a
large change.
Plain integer columns, not foreign keys, so that writes to the source tables never wait on
these.
"""

from __future__ import annotations

from django.db import models

#: ``agency_id`` of a participant without an agency (BPU); NULLs would defeat the unique key.
NO_AGENCY = 0


class CountState(models.Model):
    """A programme's read model: built (``rebuilt_at``) or not yet, and its version (one more
    at every change applied; the dashboard's cache key). Its row is the lock the change feed's
    consumers of the programme take turns on."""

    programme_id = models.BigIntegerField(primary_key=True)
    version = models.BigIntegerField(default=0)
    applied_at = models.DateTimeField(null=True)
    rebuilt_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"{self.programme_id}: v{self.version}"


class EnrolmentFact(models.Model):
    """An enrolment period as the counts last saw it: its own dates, the participant's segment
    and agency and the person's kelurahan. Kept so that a change can be taken back out of
    :class:`CountChange` exactly as it was put in."""

    enrolment_id = models.BigIntegerField(primary_key=True)
    programme_id = models.BigIntegerField()
    segment = models.CharField(max_length=3)
    kelurahan_code = models.CharField(max_length=13)
    agency_id = models.BigIntegerField()
    start_date = models.DateField()
    end_date = models.DateField(null=True)

    def __str__(self) -> str:
        return f"{self.enrolment_id}: {self.start_date}–{self.end_date or '…'}"


class GroupCount(models.Model):
    """How many enrolment periods of a group (programme, segment, kelurahan, agency) start and
    how many end on a day or in a month."""

    programme_id = models.BigIntegerField()
    segment = models.CharField(max_length=3)
    kelurahan_code = models.CharField(max_length=13)
    agency_id = models.BigIntegerField()
    starts = models.IntegerField(default=0)
    ends = models.IntegerField(default=0)

    class Meta:
        abstract = True


class CountChange(GroupCount):
    """Starts and ends per group and ``day``. Participants active on a day D = Σ starts with
    day ≤ D − Σ ends with day < D (a period covers its end day); :class:`CountMonth` holds the
    same sums per month, so that only the days of D's own month are read here."""

    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["programme_id", "segment", "kelurahan_code", "agency_id", "day"],
                name="reports_countchange_key",
            )
        ]
        indexes = [models.Index(fields=["programme_id", "day"], name="reports_countchange_day")]

    def __str__(self) -> str:
        return f"{self.day}: +{self.starts} −{self.ends}"


class CountMonth(GroupCount):
    """:class:`CountChange` summed per calendar month (``month`` = its first day)."""

    month = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["programme_id", "segment", "kelurahan_code", "agency_id", "month"],
                name="reports_countmonth_key",
            )
        ]
        indexes = [models.Index(fields=["programme_id", "month"], name="reports_countmonth_month")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}: +{self.starts} −{self.ends}"


class ClaimFact(models.Model):
    """A claim paid by BPJS, with the group of its participant as the counts see it (the
    person's kelurahan, the participant's agency): claims per kelurahan and per agency without
    joining the claims to a million participants and people."""

    claim_id = models.BigIntegerField(primary_key=True)
    programme_id = models.BigIntegerField()
    segment = models.CharField(max_length=3)
    kelurahan_code = models.CharField(max_length=13)
    agency_id = models.BigIntegerField()
    paid_on = models.DateField()
    amount = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["programme_id", "paid_on"], name="reports_claimfact_paid")]

    def __str__(self) -> str:
        return f"{self.claim_id}: {self.paid_on} Rp {self.amount}"
