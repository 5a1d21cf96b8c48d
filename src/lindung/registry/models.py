"""The participant registry: people, their families, agencies and participants.

A :class:`Person` belongs to one programme (NIK unique per programme); the same human being may be
a person in several programmes. A :class:`Participant` is a person's enrolment in the programme
with a segment: ``PU`` (Pemda non-ASN, wage earner) or ``BPU`` (vulnerable informal worker).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lindung.core.history import audit_trail
from lindung.programmes.models import Job, Programme


class Sex(models.TextChoices):
    L = "L", _("Laki-laki")
    P = "P", _("Perempuan")


class Segment(models.TextChoices):
    PU = "PU", _("Non-ASN (Penerima Upah)")
    BPU = "BPU", _("Pekerja rentan (Bukan Penerima Upah)")


class RiskClass(models.IntegerChoices):
    I = 1, _("I — sangat rendah (0,24 %)")  # noqa: E741
    II = 2, _("II — rendah (0,54 %)")
    III = 3, _("III — sedang (0,89 %)")
    IV = 4, _("IV — tinggi (1,27 %)")
    V = 5, _("V — sangat tinggi (1,74 %)")


class Agency(models.Model):
    """An OPD (Pemda agency) or another employer of PU participants."""

    class Kind(models.TextChoices):
        OPD = "opd", _("OPD")
        EMPLOYER = "employer", _("Pemberi kerja lain")

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="agencies", verbose_name=_("program")
    )
    code = models.CharField(_("kode instansi"), max_length=30)
    name = models.CharField(_("nama instansi"), max_length=200)
    kind = models.CharField(_("jenis"), max_length=10, choices=Kind.choices, default=Kind.OPD)
    history = audit_trail()

    class Meta:
        verbose_name = _("instansi")
        verbose_name_plural = _("instansi")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "code"], name="agency_code_per_programme")
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class Person(models.Model):
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="persons", verbose_name=_("program")
    )
    nik = models.CharField(_("NIK"), max_length=16)
    kk_number = models.CharField(_("nomor KK"), max_length=16, blank=True)
    full_name = models.CharField(_("nama lengkap"), max_length=200)
    birth_place = models.CharField(_("tempat lahir"), max_length=100, blank=True)
    birth_date = models.DateField(_("tanggal lahir"))
    sex = models.CharField(_("jenis kelamin"), max_length=1, choices=Sex.choices)
    address = models.CharField(_("alamat"), max_length=300, blank=True)
    rt = models.CharField(_("RT"), max_length=3, blank=True)
    rw = models.CharField(_("RW"), max_length=3, blank=True)
    kelurahan_code = models.CharField(_("kode kelurahan"), max_length=13, blank=True, db_index=True)
    phone = models.CharField(_("nomor HP"), max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("dibuat pada"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("diubah pada"))
    history = audit_trail(no_db_index=["kelurahan_code"])

    class Meta:
        verbose_name = _("orang")
        verbose_name_plural = _("orang")
        constraints = [
            models.UniqueConstraint(fields=["programme", "nik"], name="nik_unique_per_programme")
        ]
        indexes = [
            models.Index(fields=["programme", "full_name", "birth_date"]),
            models.Index(fields=["programme", "kk_number"]),
        ]

    def __str__(self) -> str:
        return self.full_name


class Participant(models.Model):
    """A person enrolled in the programme, with a segment and its working data."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("aktif")
        INACTIVE = "inactive", _("tidak aktif")
        DIED = "died", _("meninggal")
        LEFT = "left", _("keluar")
        LAPSED = "lapsed", _("berhenti (menunggak)")

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="participants", verbose_name=_("program")
    )
    person = models.OneToOneField(
        Person, on_delete=models.CASCADE, related_name="participant", verbose_name=_("orang")
    )
    segment = models.CharField(_("segmen"), max_length=3, choices=Segment.choices)
    status = models.CharField(
        _("status kepesertaan"),
        max_length=10,
        choices=Status.choices,
        default=Status.ACTIVE,
    )
    start_date = models.DateField(_("tanggal mulai"))
    end_date = models.DateField(_("tanggal berakhir"), null=True, blank=True)
    # PU (non-ASN)
    agency = models.ForeignKey(
        Agency,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="participants",
        verbose_name=_("instansi (OPD)"),
    )
    position = models.CharField(_("jabatan"), max_length=150, blank=True)
    monthly_wage = models.BigIntegerField(_("upah sebulan (Rp)"), null=True, blank=True)
    risk_class = models.PositiveSmallIntegerField(
        _("kelas risiko JKK"), choices=RiskClass.choices, null=True, blank=True
    )
    # BPU (pekerja rentan)
    occupation = models.CharField(_("pekerjaan"), max_length=150, blank=True)
    income_tier = models.BigIntegerField(_("penghasilan/tingkat upah (Rp)"), null=True, blank=True)
    decile = models.PositiveSmallIntegerField(_("desil DTSEN"), null=True, blank=True)
    breadwinner = models.BooleanField(_("tulang punggung keluarga"), null=True, blank=True)
    # Earlier BPJS TK JKK/JKM membership carried in (counts towards the scholarship's 36 months)
    prior_months = models.PositiveSmallIntegerField(
        _("bulan iuran sebelum program"),
        default=0,
        help_text=_(
            "Jumlah bulan iuran BPJS Ketenagakerjaan (JKK/JKM) yang sudah dibayar sebelum "
            "peserta masuk program ini; ikut dihitung untuk syarat beasiswa 36 bulan."
        ),
    )
    prior_evidence = models.CharField(
        _("bukti iuran sebelum program"),
        max_length=200,
        blank=True,
        help_text=_("Mis. nomor surat keterangan atau rincian iuran dari BPJS Ketenagakerjaan."),
    )
    # Taking over a membership that already runs with BPJS TK (the import's takeover columns):
    # what BPJS's list says; coverage derives the ledger's opening from it (lindung.registry.
    # takeover; the enrolment starts at the first month Lindung bills).
    kpj = models.CharField(
        _("nomor KPJ"),
        max_length=20,
        blank=True,
        default="",
        db_default="",  # bulk writers that do not know the takeover columns keep working
        help_text=_("Nomor kartu peserta BPJS Ketenagakerjaan (KPJ), 11 angka."),
    )
    bpjs_since = models.DateField(_("tanggal kepesertaan BPJS"), null=True, blank=True)
    paid_through = models.DateField(
        _("bulan terakhir dibayar sebelum Lindung"),
        null=True,
        blank=True,
        help_text=_("Hari pertama bulan iuran terakhir yang sudah dibayar ke BPJS TK."),
    )
    arrears_months = models.PositiveSmallIntegerField(
        _("tunggakan (bulan)"),
        default=0,
        db_default=0,
        help_text=_("Bulan iuran sesudah bulan terakhir dibayar yang belum dibayar."),
    )
    arrears_amount = models.BigIntegerField(_("tunggakan (Rp)"), default=0, db_default=0)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("dibuat pada"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("diubah pada"))
    history = audit_trail(no_db_index=["person", "agency"])

    class Meta:
        verbose_name = _("peserta")
        verbose_name_plural = _("peserta")
        indexes = [
            models.Index(fields=["programme", "segment", "status"]),
            models.Index(fields=["programme", "agency"]),
        ]

    def __str__(self) -> str:
        return f"{self.person.full_name} ({self.segment})"

    @property
    def wage_basis(self) -> int | None:
        """The rupiah amount contributions and benefits are computed on."""
        return self.monthly_wage if self.segment == Segment.PU else self.income_tier


class FamilyMember(models.Model):
    """A member of a participant's family, for heirs and scholarships."""

    class Relationship(models.TextChoices):
        SPOUSE = "spouse", _("suami/istri")
        CHILD = "child", _("anak")
        PARENT = "parent", _("orang tua")
        GRANDCHILD = "grandchild", _("cucu")
        GRANDPARENT = "grandparent", _("kakek/nenek")
        SIBLING = "sibling", _("saudara kandung")
        PARENT_IN_LAW = "parent_in_law", _("mertua")
        WILL = "will", _("ditunjuk dalam wasiat")

    class Level(models.TextChoices):
        NONE = "none", _("belum sekolah")
        TK = "TK", _("TK")
        SD = "SD", _("SD")
        SMP = "SMP", _("SMP")
        SMA = "SMA", _("SMA/SMK")
        PT = "PT", _("Perguruan tinggi/pelatihan kerja")

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="+", verbose_name=_("program")
    )
    participant = models.ForeignKey(
        Participant,
        on_delete=models.CASCADE,
        related_name="family_members",
        verbose_name=_("peserta"),
    )
    relationship = models.CharField(_("hubungan"), max_length=15, choices=Relationship.choices)
    full_name = models.CharField(_("nama lengkap"), max_length=200)
    nik = models.CharField(_("NIK"), max_length=16, blank=True)
    birth_date = models.DateField(_("tanggal lahir"), null=True, blank=True)
    sex = models.CharField(_("jenis kelamin"), max_length=1, choices=Sex.choices, blank=True)
    phone = models.CharField(_("nomor HP"), max_length=20, blank=True)
    education_level = models.CharField(
        _("jenjang pendidikan"), max_length=4, choices=Level.choices, blank=True
    )
    year_in_level = models.PositiveSmallIntegerField(_("kelas/tahun ke-"), null=True, blank=True)
    married = models.BooleanField(_("sudah menikah"), default=False)
    working = models.BooleanField(_("sudah bekerja"), default=False)
    alive = models.BooleanField(_("masih hidup"), default=True)
    history = audit_trail()

    class Meta:
        verbose_name = _("anggota keluarga")
        verbose_name_plural = _("anggota keluarga")
        ordering = ["relationship", "birth_date"]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.get_relationship_display()})"


class Candidate(models.Model):
    """A worker the programme could add: the candidate pool for expansion planning.

    Imported like participants (staged, every row accounted for), upserted by NIK. Planning ranks
    them; adopting a scenario turns the selected ones into participants.
    """

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="candidates", verbose_name=_("program")
    )
    nik = models.CharField(_("NIK"), max_length=16)
    full_name = models.CharField(_("nama lengkap"), max_length=200)
    kelurahan_code = models.CharField(_("kode kelurahan"), max_length=13, blank=True)
    occupation = models.CharField(_("pekerjaan"), max_length=150, blank=True)
    decile = models.PositiveSmallIntegerField(_("desil DTSEN"), null=True, blank=True)
    breadwinner = models.BooleanField(_("tulang punggung keluarga"), default=False)
    dependants = models.PositiveSmallIntegerField(_("jumlah tanggungan"), default=0)
    covered_elsewhere = models.BooleanField(_("sudah terlindungi di tempat lain"), default=False)
    history = audit_trail()

    class Meta:
        verbose_name = _("calon peserta")
        verbose_name_plural = _("calon peserta")
        constraints = [
            models.UniqueConstraint(fields=["programme", "nik"], name="candidate_nik_per_programme")
        ]

    def __str__(self) -> str:
        return self.full_name


class ImportBatch(models.Model):
    """One uploaded participant (or family) list on its way into the registry.

    Staged: the upload is validated in the background into a staging file (valid rows, typed) and
    an error list; a user with ``participant.import`` commits it. Files live under
    ``MEDIA_ROOT/imports/<programme>/<id>/`` and are served only through permission-checked views.
    """

    class Kind(models.TextChoices):
        PARTICIPANTS = "participants", _("peserta")
        FAMILY = "family", _("anggota keluarga")
        CANDIDATES = "candidates", _("calon peserta (perencanaan)")

    class State(models.TextChoices):
        UPLOADED = "uploaded", _("diunggah")
        READING = "reading", _("sedang dibaca")
        MAPPING = "mapping", _("menunggu pemetaan kolom")
        VALIDATING = "validating", _("sedang diperiksa")
        VALIDATED = "validated", _("siap disimpan")
        COMMITTING = "committing", _("sedang disimpan")
        COMMITTED = "committed", _("tersimpan")
        UNDOING = "undoing", _("sedang dibatalkan")
        UNDONE = "undone", _("dibatalkan")
        FAILED = "failed", _("gagal")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="import_batches"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PARTICIPANTS)
    state = models.CharField(max_length=12, choices=State.choices, default=State.UPLOADED)
    filename = models.CharField(_("nama berkas"), max_length=255)
    directory = models.CharField(max_length=300, help_text="Relative to MEDIA_ROOT.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    validated_at = models.DateTimeField(null=True, blank=True)
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    committed_at = models.DateTimeField(null=True, blank=True)
    validate_job = models.ForeignKey(
        Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    commit_job = models.ForeignKey(
        Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    undo_job = models.ForeignKey(
        Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)
    # The column mapping used (see lindung.registry.mapping): {"columns": …, "set": …}.
    mapping = models.JSONField(default=dict, blank=True)
    # Counts: rows = data rows (blank rows and rows below the data excluded); after commit
    # created + updated + unchanged + rejected + copies == rows. ``warned`` rows are imported
    # (they are also in created/updated/unchanged or copies).
    rows = models.PositiveIntegerField(default=0)
    blank_rows = models.PositiveIntegerField(default=0)
    ignored_rows = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    warned = models.PositiveIntegerField(default=0)
    copies = models.PositiveIntegerField(default=0)
    planned_create = models.PositiveIntegerField(default=0)
    planned_update = models.PositiveIntegerField(default=0)
    planned_unchanged = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(null=True, blank=True)
    updated = models.PositiveIntegerField(null=True, blank=True)
    unchanged = models.PositiveIntegerField(null=True, blank=True)
    possible_duplicates = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=500, blank=True)
    info = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("impor data")
        verbose_name_plural = _("impor data")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_state_display()})"

    @property
    def valid_rows(self) -> int:
        return self.rows - self.rejected - self.copies

    @property
    def busy(self) -> bool:
        return self.state in {
            self.State.UPLOADED,
            self.State.READING,
            self.State.VALIDATING,
            self.State.COMMITTING,
            self.State.UNDOING,
        }


class ColumnMapping(models.Model):
    """A programme's saved column mapping for one kind of list: the next file with the same
    headers is mapped the same way (see :mod:`lindung.registry.mapping`)."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="+", verbose_name=_("program")
    )
    kind = models.CharField(
        max_length=20, choices=ImportBatch.Kind.choices, verbose_name=_("jenis impor")
    )
    columns = models.JSONField(
        default=dict,
        blank=True,
        help_text="{header key: field or ''}",
        verbose_name=_("pemetaan kolom"),
    )
    values = models.JSONField(
        default=dict,
        blank=True,
        help_text="{field: value for the file}",
        verbose_name=_("nilai tetap untuk berkas"),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("diubah oleh"),
    )
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("diubah pada"))
    history = audit_trail()

    class Meta:
        verbose_name = _("pemetaan kolom")
        verbose_name_plural = _("pemetaan kolom")
        constraints = [
            models.UniqueConstraint(fields=["programme", "kind"], name="column_mapping_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.programme_id} {self.kind}"


class PossibleDuplicate(models.Model):
    """Two persons with the same name and birth date but different NIKs: a person decides.

    Never merged automatically (UNICEF HOPE's rule): one of the NIKs may be mistyped, or they may
    really be two people.
    """

    class Decision(models.TextChoices):
        OPEN = "open", _("belum diputuskan")
        DIFFERENT = "different", _("orang berbeda")
        SAME = "same", _("orang yang sama (perlu perbaikan)")

    programme = models.ForeignKey(
        Programme,
        on_delete=models.CASCADE,
        related_name="possible_duplicates",
        verbose_name=_("program"),
    )
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="+", verbose_name=_("orang")
    )
    other = models.ForeignKey(
        Person,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("kemungkinan sama dengan"),
    )
    reason = models.CharField(_("alasan"), max_length=200)
    batch = models.ForeignKey(
        ImportBatch,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("batch impor"),
    )
    decision = models.CharField(
        _("keputusan"), max_length=10, choices=Decision.choices, default=Decision.OPEN
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("diputuskan oleh"),
    )
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("diputuskan pada"))
    note = models.CharField(_("catatan"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("dibuat pada"))
    history = audit_trail()

    class Meta:
        verbose_name = _("kemungkinan duplikat")
        verbose_name_plural = _("kemungkinan duplikat")
        ordering = ["decision", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["person", "other"], name="duplicate_pair_once")
        ]
        indexes = [models.Index(fields=["programme", "decision"])]

    def __str__(self) -> str:
        return f"{self.person_id} ~ {self.other_id} ({self.get_decision_display()})"
