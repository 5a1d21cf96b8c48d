"""The participant registry: people, their families, agencies and participants.

A :class:`Person` belongs to one programme (NIK unique per programme); the same human being may be
a person in several programmes. A :class:`Participant` is a person's enrolment in the programme
with a segment: ``PU`` (Pemda non-ASN, wage earner) or ``BPU`` (vulnerable informal worker).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from lindung.programmes.models import Programme


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

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="agencies")
    code = models.CharField(_("kode instansi"), max_length=30)
    name = models.CharField(_("nama instansi"), max_length=200)
    kind = models.CharField(_("jenis"), max_length=10, choices=Kind.choices, default=Kind.OPD)
    history = HistoricalRecords()

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
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="persons")
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
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("orang")
        verbose_name_plural = _("orang")
        constraints = [
            models.UniqueConstraint(fields=["programme", "nik"], name="nik_unique_per_programme")
        ]
        indexes = [models.Index(fields=["programme", "full_name", "birth_date"])]

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

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="participants")
    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="participant")
    segment = models.CharField(_("segmen"), max_length=3, choices=Segment.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    start_date = models.DateField(_("tanggal mulai"))
    end_date = models.DateField(_("tanggal berakhir"), null=True, blank=True)
    # PU (non-ASN)
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="participants"
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
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

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

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="+")
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="family_members"
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
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("anggota keluarga")
        verbose_name_plural = _("anggota keluarga")
        ordering = ["relationship", "birth_date"]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.get_relationship_display()})"
