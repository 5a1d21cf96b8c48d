"""Coverage and contributions: agreements, funders, enrolment periods, invoices, payments, the
coverage ledger and reconciliation with BPJS Ketenagakerjaan. See ``docs/coverage.md``.

Money is integer rupiah (``BigIntegerField``); every amount comes from
:mod:`lindung.rules.contributions`. Every row belongs to a programme.

Lifecycles are explicit state machines (``TextChoices`` plus a transition table); every
transition is written to an event table with user, time and note.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lindung.core.formatting import rupiah
from lindung.core.history import audit_trail
from lindung.programmes.models import Programme, TransitionLog
from lindung.registry.models import Participant, Segment

# --- Agreement (PKS) -------------------------------------------------------------------------


class Agreement(models.Model):
    """The yearly cooperation agreement (Perjanjian Kerja Sama) with the BPJS TK branch."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="agreements", verbose_name=_("program")
    )
    year = models.PositiveSmallIntegerField(_("tahun program"))
    number = models.CharField(_("nomor PKS"), max_length=100)
    signed_on = models.DateField(_("tanggal penandatanganan"))
    period_start = models.DateField(_("awal periode"))
    period_end = models.DateField(_("akhir periode"))
    bpjs_branch = models.CharField(_("kantor cabang BPJS TK"), max_length=200, blank=True)
    budget_pu = models.BigIntegerField(_("anggaran non-ASN (PU) (Rp)"), default=0)
    budget_bpu = models.BigIntegerField(_("anggaran pekerja rentan (BPU) (Rp)"), default=0)
    parameters = models.JSONField(
        _("parameter iuran yang berlaku"),
        default=dict,
        blank=True,
        help_text=_("Salinan parameter iuran pada awal periode (dari lindung.rules)."),
    )
    note = models.TextField(_("catatan"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("dibuat pada"))
    history = audit_trail()

    class Meta:
        verbose_name = _("perjanjian kerja sama (PKS)")
        verbose_name_plural = _("perjanjian kerja sama (PKS)")
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "year"], name="cov_agreement_year"),
            models.UniqueConstraint(fields=["programme", "number"], name="cov_agreement_number"),
        ]

    def __str__(self) -> str:
        return f"PKS {self.year} — {self.number}"

    @property
    def budget_total(self) -> int:
        return self.budget_pu + self.budget_bpu


# --- Funders -----------------------------------------------------------------------------------


class FunderKind(models.TextChoices):
    """BPJS TK's funder groups for vulnerable workers (DOMAIN.md §7, [N20])."""

    SG = "SG", _("Pemda (APBD)")
    SD = "SD", _("Desa (APBDes)")
    SL = "SL", _("Dana lain")
    SC = "SC", _("CSR perusahaan")
    SB = "SB", _("Bank")


#: Funding source passed to ``lindung.rules.contributions`` (decides which discounts apply).
FUNDING_SOURCE = {"SG": "APBD", "SD": "APBDes", "SL": "LAIN", "SC": "CSR", "SB": "CSR"}


class Funder(models.Model):
    """Who pays: the Pemda's APBD line, a village's APBDes, a CSR sponsor, a bank…"""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="funders", verbose_name=_("program")
    )
    code = models.SlugField(
        _("kode"),
        max_length=30,
        help_text=_("Kode singkat, mis. APBD, DESA-NAMBANGAN, CSR-BANKJATIM."),
    )
    name = models.CharField(_("nama"), max_length=200)
    kind = models.CharField(_("kelompok"), max_length=2, choices=FunderKind.choices)
    is_default = models.BooleanField(
        _("penyandang dana cadangan"),
        default=False,
        help_text=_("Membayar semua peserta yang tidak dialokasikan ke penyandang dana lain."),
    )
    contact = models.CharField(_("kontak"), max_length=200, blank=True)
    active = models.BooleanField(_("aktif"), default=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("dibuat pada"))
    history = audit_trail()

    class Meta:
        verbose_name = _("penyandang dana")
        verbose_name_plural = _("penyandang dana")
        ordering = ["-is_default", "code"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "code"], name="cov_funder_code"),
            models.UniqueConstraint(
                fields=["programme"], condition=Q(is_default=True), name="cov_one_default_funder"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    @property
    def funding(self) -> str:
        return FUNDING_SOURCE[self.kind]


class Pledge(models.Model):
    """A funder's commitment: an amount for a period."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="+", verbose_name=_("program")
    )
    funder = models.ForeignKey(
        Funder, on_delete=models.CASCADE, related_name="pledges", verbose_name=_("penyandang dana")
    )
    amount = models.BigIntegerField(_("jumlah komitmen (Rp)"))
    start = models.DateField(_("mulai"))
    end = models.DateField(_("sampai"))
    note = models.CharField(_("catatan"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("dibuat pada"))
    history = audit_trail()

    class Meta:
        verbose_name = _("komitmen dana")
        verbose_name_plural = _("komitmen dana")
        ordering = ["start"]

    def __str__(self) -> str:
        return f"{self.funder.code} {self.start:%m/%Y}–{self.end:%m/%Y}: {self.amount}"


class AllocationRule(models.Model):
    """Which workers a funder pays for: a segment, a kelurahan or named workers, up to a quota
    (workers per month) or an amount (rupiah per month). Rules are applied in ``priority``
    order; see ``docs/coverage.md`` ("Allocation")."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="+", verbose_name=_("program")
    )
    funder = models.ForeignKey(
        Funder, on_delete=models.CASCADE, related_name="rules", verbose_name=_("penyandang dana")
    )
    priority = models.PositiveIntegerField(_("urutan"), default=100)
    segment = models.CharField(_("segmen"), max_length=3, choices=Segment.choices, blank=True)
    kelurahan_code = models.CharField(_("kode kelurahan"), max_length=13, blank=True)
    named_only = models.BooleanField(
        _("hanya pekerja yang disebut"),
        default=False,
        help_text=_("Aturan hanya berlaku bagi pekerja yang didaftarkan namanya pada aturan ini."),
    )
    quota = models.PositiveIntegerField(_("kuota pekerja per bulan"), null=True, blank=True)
    max_amount = models.BigIntegerField(_("batas iuran per bulan (Rp)"), null=True, blank=True)
    valid_from = models.DateField(_("berlaku mulai"), null=True, blank=True)
    valid_until = models.DateField(_("berlaku sampai"), null=True, blank=True)
    active = models.BooleanField(_("aktif"), default=True)
    note = models.CharField(_("catatan"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("dibuat pada"))
    history = audit_trail()

    class Meta:
        verbose_name = _("aturan alokasi")
        verbose_name_plural = _("aturan alokasi")
        ordering = ["priority", "id"]

    def __str__(self) -> str:
        return f"{self.funder.code} #{self.priority}: {self.describe()}"

    def describe(self) -> str:
        parts = []
        if self.named_only:
            parts.append("pekerja yang disebut namanya")
        if self.segment:
            parts.append(f"segmen {self.segment}")
        if self.kelurahan_code:
            parts.append(f"kelurahan {self.kelurahan_code}")
        if not parts:
            parts.append("semua peserta")
        if self.quota is not None:
            parts.append(f"kuota {self.quota} pekerja/bulan")
        if self.max_amount is not None:
            parts.append(f"maks. {rupiah(self.max_amount)}/bulan")
        return ", ".join(parts)


class AllocationMember(models.Model):
    """A named worker of an allocation rule."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="+", verbose_name=_("program")
    )
    rule = models.ForeignKey(
        AllocationRule,
        on_delete=models.CASCADE,
        related_name="members",
        verbose_name=_("aturan alokasi"),
    )
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="+", verbose_name=_("peserta")
    )
    history = audit_trail()

    class Meta:
        verbose_name = _("pekerja yang dialokasikan")
        verbose_name_plural = _("pekerja yang dialokasikan")
        constraints = [
            models.UniqueConstraint(fields=["rule", "participant"], name="cov_alloc_member")
        ]

    def __str__(self) -> str:
        return f"{self.rule_id}: {self.participant_id}"


# --- Enrolment periods -------------------------------------------------------------------------


class Enrolment(models.Model):
    """One period of membership of a participant (start, end, reasons)."""

    class State(models.TextChoices):
        ACTIVE = "active", _("aktif")
        ENDED = "ended", _("berakhir")
        LAPSED = "lapsed", _("berhenti (menunggak)")

    class Reason(models.TextChoices):
        NEW = "new", _("peserta baru")
        MOVED = "moved", _("pindah")
        DIED = "died", _("meninggal")
        LEFT = "left", _("keluar")
        LAPSED = "lapsed", _("menunggak lebih dari 3 bulan")
        REREGISTERED = "reregistered", _("daftar ulang")

    START_REASONS = frozenset({Reason.NEW, Reason.MOVED, Reason.REREGISTERED})
    END_REASONS = frozenset({Reason.MOVED, Reason.DIED, Reason.LEFT, Reason.LAPSED})

    #: The transition table: (from, to) -> what the transition is. A correction of a date
    #: keeps the state (logged as state -> same state).
    TRANSITIONS = {
        (None, State.ACTIVE): "mulai",
        (State.ACTIVE, State.ENDED): "berakhir",
        (State.ACTIVE, State.LAPSED): "berhenti karena menunggak",
        (State.ENDED, State.ACTIVE): "akhir kepesertaan dibatalkan (tercatat keliru)",
        (State.ACTIVE, State.ACTIVE): "koreksi tanggal mulai",
        (State.ENDED, State.ENDED): "koreksi tanggal mulai",
        (State.LAPSED, State.LAPSED): "koreksi tanggal mulai",
    }

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="+", verbose_name=_("program")
    )
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="enrolments", verbose_name=_("peserta")
    )
    start_date = models.DateField(_("mulai"))
    end_date = models.DateField(_("berakhir"), null=True, blank=True)
    start_reason = models.CharField(_("alasan mulai"), max_length=12, choices=Reason.choices)
    end_reason = models.CharField(
        _("alasan berakhir"), max_length=12, choices=Reason.choices, blank=True
    )
    state = models.CharField(_("status"), max_length=8, choices=State.choices, default="active")
    funder = models.ForeignKey(
        Funder,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("penyandang dana tetap"),
        help_text=_("Kosongkan agar penyandang dana ditentukan oleh aturan alokasi."),
    )
    note = models.CharField(_("catatan"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("dibuat pada"))
    history = audit_trail(no_db_index=["participant", "funder"])

    class Meta:
        verbose_name = _("periode kepesertaan")
        verbose_name_plural = _("periode kepesertaan")
        ordering = ["participant_id", "start_date"]
        indexes = [
            models.Index(fields=["programme", "start_date"], name="cov_enrol_prog_start"),
        ]
        constraints = [
            # Enrolment is the membership: at most one open period per participant (and so per
            # programme: a participant belongs to one), enforced by the database on both
            # engines (a partial unique index).
            models.UniqueConstraint(
                fields=["programme", "participant"],
                condition=Q(end_date__isnull=True),
                name="cov_one_open_enrolment",
            )
        ]

    def __str__(self) -> str:
        end = self.end_date.isoformat() if self.end_date else "…"
        return f"{self.participant_id}: {self.start_date.isoformat()}–{end}"

    @staticmethod
    def covering(day) -> models.Q:
        """The condition "this period covers ``day``" (start on or before, open or ending on or
        after it)."""
        return models.Q(start_date__lte=day) & (
            models.Q(end_date__isnull=True) | models.Q(end_date__gte=day)
        )


class EnrolmentEvent(TransitionLog):
    """A transition of an enrolment (append-only; a log is its own history, so it has no
    history table)."""

    STATES = Enrolment.State
    SUBJECT = "enrolment"

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(max_length=8, blank=True)
    to_state = models.CharField(max_length=8)
    at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("perubahan status kepesertaan")
        verbose_name_plural = _("perubahan status kepesertaan")
        ordering = ["at", "id"]


# --- Billing -----------------------------------------------------------------------------------


class BillingRun(models.Model):
    """One execution of the monthly billing run (kept for the audit trail)."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="+", verbose_name=_("program")
    )
    month = models.DateField(_("bulan iuran"))
    started_at = models.DateTimeField(auto_now_add=True, verbose_name=_("mulai pada"))
    finished_at = models.DateTimeField(null=True, blank=True, verbose_name=_("selesai pada"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("pengguna"),
    )
    result = models.JSONField(default=dict, blank=True, verbose_name=_("hasil"))
    history = audit_trail()

    class Meta:
        verbose_name = _("proses penagihan")
        verbose_name_plural = _("proses penagihan")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Penagihan {self.month:%Y-%m} ({self.started_at:%Y-%m-%d %H:%M})"


class RateCard(models.Model):
    """One computed contribution (``rules.contributions.monthly_contribution``) for a distinct
    (month, segment, wage, risk class, funding source), with its full trace. Immutable (so no
    history table); every ledger line and adjustment points to the rate card that produced its
    amount."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    segment = models.CharField(max_length=3)
    wage = models.BigIntegerField()
    risk_class = models.PositiveSmallIntegerField(default=0, help_text="0 = BPU / bawaan")
    funding = models.CharField(max_length=10)
    total = models.BigIntegerField()
    trace = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("tarif iuran terhitung")
        verbose_name_plural = _("tarif iuran terhitung")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "month", "segment", "wage", "risk_class", "funding"],
                name="cov_ratecard_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.segment} {self.wage} → {self.total}"


class Invoice(models.Model):
    """One invoice per funder and contribution month."""

    class State(models.TextChoices):
        ISSUED = "issued", _("terbit")
        PARTIAL = "partial", _("dibayar sebagian")
        PAID = "paid", _("lunas")
        CANCELLED = "cancelled", _("dibatalkan")

    #: The transition table: (from, to) -> what causes it.
    TRANSITIONS = {
        (None, State.ISSUED): "diterbitkan oleh proses penagihan",
        (State.ISSUED, State.PARTIAL): "pembayaran sebagian",
        (State.ISSUED, State.PAID): "pembayaran lunas",
        (State.PARTIAL, State.PAID): "pelunasan",
        (State.PARTIAL, State.PARTIAL): "pembayaran sebagian / koreksi",
        (State.PAID, State.PARTIAL): "koreksi menambah tagihan",
        (State.PAID, State.PAID): "koreksi",
        (State.ISSUED, State.ISSUED): "koreksi",
        (State.ISSUED, State.CANCELLED): "dibatalkan",
    }

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="+", verbose_name=_("program")
    )
    funder = models.ForeignKey(
        Funder, on_delete=models.PROTECT, related_name="invoices", verbose_name=_("penyandang dana")
    )
    month = models.DateField(_("bulan iuran"))
    number = models.CharField(_("nomor tagihan"), max_length=80)
    state = models.CharField(
        _("status"), max_length=10, choices=State.choices, default=State.ISSUED
    )
    due_date = models.DateField(_("jatuh tempo"))
    issued_at = models.DateTimeField(_("diterbitkan"), auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("diterbitkan oleh"),
    )
    run = models.ForeignKey(
        BillingRun,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        verbose_name=_("proses penagihan"),
    )
    total = models.BigIntegerField(_("jumlah tagihan (Rp)"), default=0)
    paid = models.BigIntegerField(_("sudah dibayar (Rp)"), default=0)
    line_count = models.PositiveIntegerField(_("jumlah peserta"), default=0)
    snapshot = models.JSONField(
        _("salinan saat terbit"),
        default=dict,
        help_text=_("Masukan yang dipakai saat tagihan terbit; tidak pernah diubah."),
    )
    cancel_reason = models.CharField(_("alasan pembatalan"), max_length=300, blank=True)
    history = audit_trail()

    class Meta:
        verbose_name = _("tagihan")
        verbose_name_plural = _("tagihan")
        ordering = ["-month", "funder__code"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="cov_invoice_number"),
            models.UniqueConstraint(
                fields=["programme", "funder", "month"],
                condition=~Q(state="cancelled"),
                name="cov_one_live_invoice_per_funder_month",
            ),
        ]
        indexes = [models.Index(fields=["programme", "month"], name="cov_invoice_prog_month")]

    def __str__(self) -> str:
        return self.number

    def save(self, *args, **kwargs):
        loaded = getattr(self, "_loaded_snapshot", None)
        if self.pk and loaded and self.snapshot != loaded:
            raise ValueError("The snapshot of an issued invoice is immutable.")
        super().save(*args, **kwargs)
        self._loaded_snapshot = self.snapshot

    @classmethod
    def from_db(cls, db, field_names, values):
        obj = super().from_db(db, field_names, values)
        obj._loaded_snapshot = obj.__dict__.get("snapshot")
        return obj

    @property
    def outstanding(self) -> int:
        if self.state == self.State.CANCELLED:
            return 0
        return max(self.total - self.paid, 0)

    @property
    def overpaid(self) -> int:
        """Credit left after a correction lowered the total below what was already paid."""
        return max(self.paid - self.total, 0)


class InvoiceEvent(TransitionLog):
    """A transition of an invoice (append-only)."""

    STATES = Invoice.State
    SUBJECT = "invoice"

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(max_length=10, blank=True)
    to_state = models.CharField(max_length=10)
    at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("perubahan status tagihan")
        verbose_name_plural = _("perubahan status tagihan")
        ordering = ["at", "id"]


class CoverageMonth(models.Model):
    """The coverage ledger: one row per participant and contribution month.

    It is at the same time the invoice line written by the billing run (``invoice``, ``rate``,
    ``amount``: immutable once written) and the derived coverage state (``billed`` = the line
    plus corrections, ``paid`` = the share of payments allocated to it, ``covered``), so that
    :func:`lindung.coverage.queries.covered_on` is one indexed lookup. Written in bulk with SQL.

    Only the participant and invoice references are database foreign keys; programme, funder,
    rule and rate are enforced by Django (``on_delete``) and by the billing run that writes the
    rows: at a million lines a month each database constraint costs a check per row (PostgreSQL
    runs them as deferred triggers at commit).

    No history table: the ledger is derived (recomputed from the invoices, correction lines and
    payments, which are kept) and written in bulk; a history row per line would double the
    billing run's writes. An issued line is never edited: a change is a correction line.
    """

    class Allocation(models.TextChoices):
        ENROLMENT = "E", _("ditetapkan pada kepesertaan")
        RULE = "R", _("aturan alokasi")
        DEFAULT = "D", _("penyandang dana cadangan")

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    month = models.DateField(_("bulan iuran"))
    segment = models.CharField(max_length=3)
    wage = models.BigIntegerField(_("upah/penghasilan (Rp)"))
    risk_class = models.PositiveSmallIntegerField(default=0)
    funder = models.ForeignKey(
        Funder,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    allocation = models.CharField(max_length=1, choices=Allocation.choices)
    rule = models.ForeignKey(
        AllocationRule,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    invoice = models.ForeignKey(
        Invoice, null=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    rate = models.ForeignKey(
        RateCard,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    amount = models.BigIntegerField(_("iuran pada tagihan (Rp)"), default=0)
    billed = models.BigIntegerField(_("tagihan bersih (Rp)"), default=0)
    paid = models.BigIntegerField(_("dibayar (Rp)"), default=0)
    covered = models.BooleanField(_("terlindungi"), default=False)
    enrolled_from = models.DateField()
    enrolled_until = models.DateField()

    class Meta:
        db_table = "coverage_ledger"
        verbose_name = _("buku kepesertaan bulanan")
        verbose_name_plural = _("buku kepesertaan bulanan")
        constraints = [
            models.UniqueConstraint(fields=["participant", "month"], name="cov_ledger_pm")
        ]
        indexes = [
            models.Index(fields=["programme", "month", "invoice"], name="cov_ledger_prog_month")
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} {self.month:%Y-%m}: {self.paid}/{self.billed}"


class Adjustment(models.Model):
    """A correction line added to an invoice after it was issued (never a silent edit).
    Append-only and written in bulk by the billing run: its rows are their own history."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="+")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="adjustments")
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="+")
    month = models.DateField()
    amount = models.BigIntegerField(_("koreksi (Rp)"))
    previous_amount = models.BigIntegerField(_("sebelumnya (Rp)"), default=0)
    new_amount = models.BigIntegerField(_("seharusnya (Rp)"), default=0)
    rate = models.ForeignKey(RateCard, null=True, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("alasan"), max_length=300)
    run = models.ForeignKey(BillingRun, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("baris koreksi")
        verbose_name_plural = _("baris koreksi")
        ordering = ["id"]
        indexes = [models.Index(fields=["programme", "month"], name="cov_adj_prog_month")]

    def __str__(self) -> str:
        return f"{self.invoice_id} {self.participant_id}: {self.amount:+d}"


class CancelledLine(models.Model):
    """The lines of a cancelled invoice, kept when the ledger rows are freed for a new invoice
    (an append-only archive, written in bulk: no history table)."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="+")
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="cancelled_lines")
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="+")
    month = models.DateField()
    segment = models.CharField(max_length=3)
    wage = models.BigIntegerField()
    amount = models.BigIntegerField()
    rate = models.ForeignKey(RateCard, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("baris tagihan batal")
        verbose_name_plural = _("baris tagihan batal")

    def __str__(self) -> str:
        return f"{self.invoice_id} {self.participant_id}: {self.amount}"


class Payment(models.Model):
    """A payment (full or partial) against an invoice."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="+", verbose_name=_("program")
    )
    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, related_name="payments", verbose_name=_("tagihan")
    )
    amount = models.BigIntegerField(_("jumlah (Rp)"))
    paid_on = models.DateField(_("tanggal bayar"))
    reference = models.CharField(_("referensi"), max_length=100)
    note = models.CharField(_("catatan"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("dicatat oleh"),
    )
    recorded_at = models.DateTimeField(auto_now_add=True, verbose_name=_("dicatat pada"))
    history = audit_trail()

    class Meta:
        verbose_name = _("pembayaran")
        verbose_name_plural = _("pembayaran")
        ordering = ["paid_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "reference"], name="cov_payment_ref")
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.amount}"


# --- Reconciliation with BPJS TK ---------------------------------------------------------------


class Reconciliation(models.Model):
    """An imported BPJS TK billing/participant list for a month, compared with Lindung."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="+", verbose_name=_("program")
    )
    month = models.DateField(_("bulan iuran"))
    filename = models.CharField(_("nama berkas"), max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("diunggah oleh"),
    )
    uploaded_at = models.DateTimeField(auto_now_add=True, verbose_name=_("diunggah pada"))
    rows = models.PositiveIntegerField(_("baris dibaca"), default=0)
    matched = models.PositiveIntegerField(_("cocok"), default=0)
    columns = models.JSONField(default=dict, blank=True, verbose_name=_("pemetaan kolom"))
    errors = models.JSONField(default=list, blank=True, verbose_name=_("baris ditolak"))
    summary = models.JSONField(default=dict, blank=True, verbose_name=_("ringkasan"))
    # What was reconciled: one segment and/or one funder's bill (blank: everything billed).
    segment = models.CharField(_("segmen"), max_length=3, choices=Segment.choices, blank=True)
    funder = models.ForeignKey(
        Funder,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("penyandang dana"),
    )
    skipped = models.PositiveIntegerField(
        _("baris di luar pilihan"), default=0, help_text=_("Baris BPJS dengan segmen lain.")
    )
    ignored = models.JSONField(
        default=list,
        blank=True,
        help_text="Rows below the table.",
        verbose_name=_("baris di bawah tabel (diabaikan)"),
    )
    history = audit_trail()

    class Meta:
        verbose_name = _("rekonsiliasi BPJS TK")
        verbose_name_plural = _("rekonsiliasi BPJS TK")
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return f"Rekonsiliasi {self.month:%Y-%m} ({self.filename})"


class Difference(models.Model):
    """One difference found by a reconciliation, resolvable with a note."""

    class Kind(models.TextChoices):
        BPJS_ONLY = "bpjs_only", _("ada di BPJS, tidak ada di Lindung")
        LINDUNG_ONLY = "lindung_only", _("ada di Lindung, tidak ada di BPJS")
        AMOUNT = "amount", _("iuran berbeda")
        WAGE = "wage", _("upah/tingkat penghasilan atau segmen berbeda")

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="+", verbose_name=_("program")
    )
    reconciliation = models.ForeignKey(
        Reconciliation,
        on_delete=models.CASCADE,
        related_name="differences",
        verbose_name=_("rekonsiliasi"),
    )
    kind = models.CharField(_("jenis"), max_length=12, choices=Kind.choices)
    participant = models.ForeignKey(
        Participant,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("peserta"),
    )
    nik = models.CharField(_("NIK"), max_length=32, blank=True)
    name = models.CharField(_("nama"), max_length=200, blank=True)
    bpjs_segment = models.CharField(max_length=3, blank=True, verbose_name=_("segmen menurut BPJS"))
    bpjs_wage = models.BigIntegerField(null=True, blank=True, verbose_name=_("upah menurut BPJS"))
    bpjs_amount = models.BigIntegerField(
        null=True, blank=True, verbose_name=_("iuran menurut BPJS")
    )
    lindung_segment = models.CharField(
        max_length=3, blank=True, verbose_name=_("segmen menurut Lindung")
    )
    lindung_wage = models.BigIntegerField(
        null=True, blank=True, verbose_name=_("upah menurut Lindung")
    )
    lindung_amount = models.BigIntegerField(
        null=True, blank=True, verbose_name=_("iuran menurut Lindung")
    )
    detail = models.CharField(_("keterangan"), max_length=500, blank=True)
    resolved = models.BooleanField(_("selesai"), default=False)
    resolution = models.CharField(_("catatan penyelesaian"), max_length=500, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("diselesaikan oleh"),
    )
    resolved_at = models.DateTimeField(null=True, blank=True, verbose_name=_("diselesaikan pada"))
    history = audit_trail()

    class Meta:
        verbose_name = _("selisih rekonsiliasi")
        verbose_name_plural = _("selisih rekonsiliasi")
        ordering = ["kind", "nik"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.nik} {self.name}"
