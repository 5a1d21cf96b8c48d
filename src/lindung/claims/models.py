"""Claims, heirs, documents, scholarships and benefit handovers.

A :class:`Claim` follows one participant's death, accident or disease from entry to BPJS's
payment; its lifecycle is the state machine in :mod:`lindung.claims.workflow`, each change logged
in :class:`ClaimTransition`. The entitlement is computed by :mod:`lindung.rules` on the event date
(``entitlement``, live until approval) and frozen at approval (``snapshot``, immutable).
Approved JKM/JKK death or total-disability claims get a :class:`ScholarshipPlan` per child with
yearly :class:`Instalment` rows (their own state machine). Money is integer rupiah.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lindung.core.history import audit_trail
from lindung.programmes.models import Programme, TransitionLog
from lindung.registry.models import FamilyMember, Participant, Segment


class ClaimType(models.TextChoices):
    JKM_DEATH = "jkm_death", _("JKM — meninggal dunia")
    JKK_DEATH = "jkk_death", _("JKK — meninggal karena kecelakaan kerja")
    JKK_TOTAL_DISABILITY = "jkk_total_disability", _("JKK — cacat total tetap")
    JKK_PARTIAL_DISABILITY = "jkk_partial_disability", _("JKK — cacat sebagian")
    JKK_STMB = "jkk_stmb", _("JKK — sementara tidak mampu bekerja (STMB)")
    JKK_MEDICAL = "jkk_medical", _("JKK — perawatan/pengangkutan saja")


DEATH_TYPES = frozenset({ClaimType.JKM_DEATH, ClaimType.JKK_DEATH})
JKK_TYPES = frozenset(t for t in ClaimType if t.value.startswith("jkk_"))
SCHOLARSHIP_TYPES = frozenset(
    {ClaimType.JKM_DEATH, ClaimType.JKK_DEATH, ClaimType.JKK_TOTAL_DISABILITY}
)


class ClaimState(models.TextChoices):
    DRAFT = "draft", _("draf")
    SUBMITTED = "submitted_to_bpjs", _("diajukan ke BPJS")
    VERIFIED = "verified", _("terverifikasi")
    APPROVED = "approved", _("disetujui")
    PAID = "paid", _("dibayar BPJS")
    REJECTED = "rejected", _("ditolak")
    WITHDRAWN = "withdrawn", _("ditarik")


class Claim(models.Model):
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="claims", verbose_name=_("program")
    )
    number = models.CharField(_("nomor klaim"), max_length=30)
    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="claims", verbose_name=_("peserta")
    )
    type = models.CharField(_("jenis klaim"), max_length=25, choices=ClaimType.choices)
    state = models.CharField(
        _("status"), max_length=20, choices=ClaimState.choices, default=ClaimState.DRAFT
    )
    segment = models.CharField(_("segmen"), max_length=3, choices=Segment.choices)
    event_date = models.DateField(_("tanggal peristiwa"))
    event_place = models.CharField(_("tempat peristiwa"), max_length=200, blank=True)
    chronology = models.TextField(_("kronologi"), blank=True)
    reporter = models.CharField(_("pelapor"), max_length=200, blank=True)
    reporter_phone = models.CharField(_("nomor HP pelapor"), max_length=20, blank=True)
    # JKK reporting (DOMAIN.md §5): stage I within 2 × 24 h of the accident, stage II within
    # 2 × 24 h of the doctor's statement of recovery, disability or death.
    stage1_reported_on = models.DateField(_("laporan tahap I"), null=True, blank=True)
    doctor_statement_on = models.DateField(
        _("tanggal surat keterangan dokter"), null=True, blank=True
    )
    stage2_reported_on = models.DateField(_("laporan tahap II"), null=True, blank=True)
    # Inputs for the rules.
    wage = models.BigIntegerField(_("upah/tingkat penghasilan (Rp)"), null=True, blank=True)
    disability_percent = models.DecimalField(
        _("persentase cacat menurut tabel (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
    )
    function_loss_percent = models.DecimalField(
        _("persentase hilangnya fungsi (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    incapacity_months = models.PositiveSmallIntegerField(
        _("lama tidak mampu bekerja (bulan)"), null=True, blank=True
    )
    transport_land = models.BigIntegerField(_("biaya angkutan darat (Rp)"), null=True, blank=True)
    transport_sea = models.BigIntegerField(_("biaya angkutan laut (Rp)"), null=True, blank=True)
    transport_air = models.BigIntegerField(_("biaya angkutan udara (Rp)"), null=True, blank=True)
    home_care_cost = models.BigIntegerField(
        _("biaya perawatan di rumah (Rp)"), null=True, blank=True
    )
    # Coverage on the event date, from the coverage ledger (refreshed until approval).
    covered = models.BooleanField(_("terlindungi pada tanggal peristiwa"), null=True)
    paid_months = models.PositiveIntegerField(
        _("bulan iuran terbayar sebelum peristiwa"), default=0
    )
    coverage_checked_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("kepesertaan diperiksa pada")
    )
    # Entitlement: the rules' quote (live until approval), its totals, and the frozen snapshot.
    entitlement = models.JSONField(_("hak menurut aturan"), default=dict, blank=True)
    entitled_cash = models.BigIntegerField(_("santunan tunai menurut aturan (Rp)"), default=0)
    scholarship_commitment = models.BigIntegerField(_("komitmen beasiswa (Rp)"), default=0)
    snapshot = models.JSONField(
        _("salinan saat disetujui"),
        null=True,
        blank=True,
        help_text=_("Masukan dan hasil perhitungan saat klaim disetujui; tidak pernah diubah."),
    )
    approved_at = models.DateTimeField(_("disetujui"), null=True, blank=True)
    # Approval although not covered on the event date: a Verifikator's explicit override.
    override_reason = models.TextField(_("alasan pengecualian"), blank=True)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("pengecualian oleh"),
    )
    override_at = models.DateTimeField(null=True, blank=True, verbose_name=_("pengecualian pada"))
    # What BPJS TK decided and paid.
    bpjs_reference = models.CharField(_("nomor klaim BPJS"), max_length=100, blank=True)
    bpjs_decided = models.BigIntegerField(_("diputuskan BPJS (Rp)"), null=True, blank=True)
    bpjs_paid = models.BigIntegerField(_("dibayar BPJS (Rp)"), null=True, blank=True)
    bpjs_paid_on = models.DateField(_("tanggal dibayar BPJS"), null=True, blank=True)
    difference = models.BigIntegerField(_("selisih (Rp)"), null=True, blank=True)
    difference_flag = models.BooleanField(_("ada selisih"), default=False)
    difference_note = models.CharField(_("keterangan selisih"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("dibuat oleh"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("dibuat pada"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("diubah pada"))
    history = audit_trail()

    class Meta:
        verbose_name = _("klaim")
        verbose_name_plural = _("klaim")
        ordering = ["-event_date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="claim_number_per_prog")
        ]
        indexes = [
            models.Index(fields=["programme", "state"], name="claim_prog_state"),
            models.Index(fields=["programme", "event_date"], name="claim_prog_event"),
            models.Index(fields=["programme", "type"], name="claim_prog_type"),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.get_type_display()})"

    def save(self, *args, **kwargs):
        loaded = getattr(self, "_loaded_snapshot", None)
        if self.pk and loaded is not None and self.snapshot != loaded:
            raise ValueError("The snapshot of an approved claim is immutable.")
        super().save(*args, **kwargs)
        self._loaded_snapshot = self.snapshot

    @classmethod
    def from_db(cls, db, field_names, values):
        obj = super().from_db(db, field_names, values)
        obj._loaded_snapshot = obj.__dict__.get("snapshot")
        return obj

    @property
    def is_death(self) -> bool:
        return self.type in DEATH_TYPES

    @property
    def is_jkk(self) -> bool:
        return self.type in JKK_TYPES

    @property
    def frozen(self) -> bool:
        return self.snapshot is not None

    @property
    def current_entitlement(self) -> dict:
        """The frozen quote after approval, else the live one."""
        if self.snapshot:
            return self.snapshot.get("quote") or {}
        return (self.entitlement or {}).get("quote") or {}


class ClaimTransition(TransitionLog):
    """One state change of a claim (append-only): who, when, from, to, note."""

    STATES = ClaimState
    SUBJECT = "claim"

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="transitions")
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20)
    at = models.DateTimeField(db_index=True)
    note = models.TextField(_("catatan"), blank=True)
    override = models.BooleanField(_("dengan pengecualian"), default=False)

    class Meta:
        verbose_name = _("perubahan status klaim")
        verbose_name_plural = _("perubahan status klaim")
        ordering = ["at", "id"]


class HeirRelationship(models.TextChoices):
    SPOUSE = "spouse", _("suami/istri")
    CHILD = "child", _("anak")
    PARENT = "parent", _("orang tua")
    GRANDCHILD = "grandchild", _("cucu")
    GRANDPARENT = "grandparent", _("kakek/nenek")
    SIBLING = "sibling", _("saudara kandung")
    PARENT_IN_LAW = "parent_in_law", _("mertua")
    WILL = "will", _("ditunjuk dalam wasiat")
    ARRANGER = "arranger", _("pihak yang mengurus pemakaman")
    SELF = "self", _("peserta sendiri")


class Heir(models.Model):
    """An heir (ahli waris) of a deceased participant, or the recipient of another benefit.

    Created from the participant's family data by the BPJS order (:mod:`lindung.rules.heirs`);
    every later edit carries a reason (kept in the history)."""

    class Source(models.TextChoices):
        RULES = "rules", _("dari data keluarga (urutan BPJS)")
        MANUAL = "manual", _("ditambahkan petugas")

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="+", verbose_name=_("program")
    )
    claim = models.ForeignKey(
        Claim, on_delete=models.CASCADE, related_name="heirs", verbose_name=_("klaim")
    )
    family_member = models.ForeignKey(
        FamilyMember,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("anggota keluarga"),
    )
    full_name = models.CharField(_("nama lengkap"), max_length=200)
    relationship = models.CharField(_("hubungan"), max_length=15, choices=HeirRelationship.choices)
    nik = models.CharField(_("NIK"), max_length=16, blank=True)
    birth_date = models.DateField(_("tanggal lahir"), null=True, blank=True)
    phone = models.CharField(_("nomor HP"), max_length=20, blank=True)
    address = models.CharField(_("alamat"), max_length=300, blank=True)
    rank = models.PositiveSmallIntegerField(_("golongan ahli waris"), null=True, blank=True)
    entitled = models.BooleanField(_("berhak"), default=True)
    source = models.CharField(
        max_length=10,
        choices=Source.choices,
        default=Source.RULES,
        verbose_name=_("sumber data ahli waris"),
    )
    is_recipient = models.BooleanField(_("penerima santunan"), default=False)
    bank_name = models.CharField(_("nama bank"), max_length=100, blank=True)
    bank_account = models.CharField(_("nomor rekening"), max_length=30, blank=True)
    account_holder = models.CharField(_("nama pemilik rekening"), max_length=200, blank=True)
    guardian_name = models.CharField(_("nama wali"), max_length=200, blank=True)
    guardian_nik = models.CharField(_("NIK wali"), max_length=16, blank=True)
    guardian_relationship = models.CharField(_("hubungan wali"), max_length=100, blank=True)
    guardian_phone = models.CharField(_("nomor HP wali"), max_length=20, blank=True)
    note = models.CharField(_("alasan perubahan terakhir"), max_length=500, blank=True)
    history = audit_trail()

    class Meta:
        verbose_name = _("ahli waris")
        verbose_name_plural = _("ahli waris")
        ordering = ["claim_id", "-is_recipient", "rank", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["claim"], condition=Q(is_recipient=True), name="claim_one_recipient"
            )
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.get_relationship_display()})"


class Document(models.Model):
    """One item of a claim's (or a scholarship instalment's) documents checklist, with its file.

    Files live under ``MEDIA_ROOT/claims/<programme>/<claim>/`` with a generated name and are
    served only through a permission-checked view."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="+", verbose_name=_("program")
    )
    claim = models.ForeignKey(
        Claim, on_delete=models.CASCADE, related_name="documents", verbose_name=_("klaim")
    )
    instalment = models.ForeignKey(
        "Instalment",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="documents",
        verbose_name=_("angsuran"),
    )
    code = models.CharField(max_length=40, verbose_name=_("jenis dokumen"))
    label = models.CharField(_("dokumen"), max_length=200)
    required = models.BooleanField(_("wajib"), default=True)
    received = models.BooleanField(_("diterima"), default=False)
    received_at = models.DateTimeField(null=True, blank=True, verbose_name=_("diterima pada"))
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("diterima oleh"),
    )
    file_path = models.CharField(
        max_length=300,
        blank=True,
        help_text="Relative to MEDIA_ROOT.",
        verbose_name=_("berkas tersimpan"),
    )
    original_name = models.CharField(_("nama berkas"), max_length=120, blank=True)
    content_type = models.CharField(max_length=40, blank=True, verbose_name=_("jenis berkas"))
    size = models.PositiveIntegerField(
        null=True, blank=True, verbose_name=_("ukuran berkas (bita)")
    )
    sha256 = models.CharField(max_length=64, blank=True, verbose_name=_("sidik berkas (SHA-256)"))
    uploaded_at = models.DateTimeField(null=True, blank=True, verbose_name=_("diunggah pada"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("diunggah oleh"),
    )
    note = models.CharField(_("catatan"), max_length=300, blank=True)
    history = audit_trail()

    class Meta:
        verbose_name = _("dokumen klaim")
        verbose_name_plural = _("dokumen klaim")
        ordering = ["claim_id", "instalment_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["claim", "code"], condition=Q(instalment=None), name="claim_doc_once"
            ),
            models.UniqueConstraint(
                fields=["instalment", "code"],
                condition=~Q(instalment=None),
                name="instalment_doc_once",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def has_file(self) -> bool:
        return bool(self.file_path)


class ScholarshipPlan(models.Model):
    """The scholarship of one child of an approved claim: yearly instalments to the end of S1."""

    class State(models.TextChoices):
        ACTIVE = "active", _("berjalan")
        STOPPED = "stopped", _("dihentikan")
        COMPLETED = "completed", _("selesai")

    programme = models.ForeignKey(
        Programme,
        on_delete=models.CASCADE,
        related_name="scholarship_plans",
        verbose_name=_("program"),
    )
    claim = models.ForeignKey(
        Claim, on_delete=models.CASCADE, related_name="scholarship_plans", verbose_name=_("klaim")
    )
    family_member = models.ForeignKey(
        FamilyMember,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("anggota keluarga"),
    )
    child_name = models.CharField(_("nama anak"), max_length=200)
    birth_date = models.DateField(_("tanggal lahir"))
    level_at_event = models.CharField(_("jenjang saat peristiwa"), max_length=4)
    year_in_level_at_event = models.PositiveSmallIntegerField(
        default=0, verbose_name=_("tahun di jenjang saat peristiwa")
    )
    state = models.CharField(
        _("status"), max_length=10, choices=State.choices, default=State.ACTIVE
    )
    commitment = models.BigIntegerField(_("komitmen saat disetujui (Rp)"))
    stop_conditions = models.CharField(_("syarat berhenti"), max_length=300, blank=True)
    stop_reason = models.CharField(_("alasan berhenti"), max_length=500, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True, verbose_name=_("dihentikan pada"))
    contact_name = models.CharField(_("nama kontak"), max_length=200, blank=True)
    contact_phone = models.CharField(_("nomor HP kontak"), max_length=20, blank=True)
    contact_address = models.CharField(_("alamat kontak"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("dibuat pada"))
    history = audit_trail()

    class Meta:
        verbose_name = _("rencana beasiswa")
        verbose_name_plural = _("rencana beasiswa")
        ordering = ["claim_id", "birth_date", "id"]

    def __str__(self) -> str:
        return f"Beasiswa {self.child_name}"


class InstalmentState(models.TextChoices):
    UPCOMING = "upcoming", _("akan datang")
    AWAITING = "awaiting_documents", _("menunggu dokumen")
    CLAIMED = "claimed", _("diajukan")
    PAID = "paid", _("dibayar")
    STOPPED = "stopped", _("dihentikan")


class Instalment(models.Model):
    """One school year's scholarship instalment of one child."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="+", verbose_name=_("program")
    )
    plan = models.ForeignKey(
        ScholarshipPlan,
        on_delete=models.CASCADE,
        related_name="instalments",
        verbose_name=_("rencana beasiswa"),
    )
    school_year = models.PositiveSmallIntegerField(_("tahun ajaran (tahun mulai)"))
    level = models.CharField(_("jenjang"), max_length=4)
    year_in_level = models.PositiveSmallIntegerField(_("kelas/tahun ke-"))
    amount = models.BigIntegerField(_("jumlah (Rp)"))
    state = models.CharField(
        _("status"),
        max_length=20,
        choices=InstalmentState.choices,
        default=InstalmentState.UPCOMING,
    )
    due_date = models.DateField(_("jatuh tempo"))
    verified_at = models.DateTimeField(_("diverifikasi ulang"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("diverifikasi oleh"),
    )
    verification = models.JSONField(_("hasil verifikasi ulang"), default=dict, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("diklaim pada"))
    paid_on = models.DateField(_("tanggal dibayar"), null=True, blank=True)
    paid_amount = models.BigIntegerField(_("jumlah dibayar (Rp)"), null=True, blank=True)
    payment_reference = models.CharField(_("referensi pembayaran"), max_length=100, blank=True)
    stop_reason = models.CharField(_("alasan berhenti"), max_length=500, blank=True)
    history = audit_trail()

    class Meta:
        verbose_name = _("angsuran beasiswa")
        verbose_name_plural = _("angsuran beasiswa")
        ordering = ["plan_id", "school_year"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "school_year"], name="instalment_per_year")
        ]
        indexes = [
            models.Index(fields=["programme", "state", "due_date"], name="instalment_due"),
        ]

    def __str__(self) -> str:
        return f"{self.school_year_label} {self.level} {self.year_in_level}"

    @property
    def school_year_label(self) -> str:
        return f"{self.school_year}/{self.school_year + 1}"


class InstalmentTransition(TransitionLog):
    """One state change of a scholarship instalment (append-only)."""

    STATES = InstalmentState
    SUBJECT = "instalment"

    instalment = models.ForeignKey(Instalment, on_delete=models.CASCADE, related_name="transitions")
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20)
    at = models.DateTimeField(db_index=True)
    note = models.TextField(_("catatan"), blank=True)

    class Meta:
        verbose_name = _("perubahan status angsuran")
        verbose_name_plural = _("perubahan status angsuran")
        ordering = ["at", "id"]


class Handover(models.Model):
    """The handover of a claim's benefit (penyerahan santunan), often in a ceremony."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="handovers", verbose_name=_("program")
    )
    claim = models.OneToOneField(
        Claim, on_delete=models.CASCADE, related_name="handover", verbose_name=_("klaim")
    )
    number = models.CharField(_("nomor berita acara"), max_length=60)
    date = models.DateField(_("tanggal penyerahan"))
    place = models.CharField(_("tempat"), max_length=200)
    handed_by = models.CharField(_("diserahkan oleh"), max_length=200)
    recipient = models.CharField(_("penerima"), max_length=200)
    recipient_heir = models.ForeignKey(
        Heir,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("ahli waris penerima"),
    )
    amount = models.BigIntegerField(_("jumlah (Rp)"))
    amount_words = models.CharField(_("terbilang"), max_length=400)
    note = models.CharField(_("catatan"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("dibuat oleh"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("dibuat pada"))
    history = audit_trail()

    class Meta:
        verbose_name = _("penyerahan santunan")
        verbose_name_plural = _("penyerahan santunan")
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="handover_number")
        ]

    def __str__(self) -> str:
        return f"{self.number} — {self.recipient}"
