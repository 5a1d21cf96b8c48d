"""Tenancy: programmes, memberships with a role, the access log and background jobs.

Every later domain row hangs off a :class:`Programme`; every query is scoped by it.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history import register as register_history
from simple_history.models import HistoricalRecords

from lindung.core.formatting import rupiah
from lindung.core.history import audit_trail

from .wording import Kind, Wording


class Role(models.TextChoices):
    ADMIN = "admin", _("Admin")
    OPERATOR = "operator", _("Operator")
    VERIFIKATOR = "verifikator", _("Verifikator")
    PIMPINAN = "pimpinan", _("Pimpinan")
    AUDITOR = "auditor", _("Auditor")
    MITRA_CSR = "mitra_csr", _("Mitra CSR")


class Programme(models.Model):
    """One Pemda's programme with BPJS Ketenagakerjaan (e.g. "Pro JKK-JKM Kabupaten Ponorogo").

    The programme knows whether its Pemda is a *kabupaten* or a *kota*; every page, PDF and
    message takes its wording (Bupati/Wali Kota, Pendopo/Balai Kota, …) from :attr:`wording`.
    """

    code = models.SlugField(_("kode"), max_length=50, unique=True)
    name = models.CharField(_("nama program"), max_length=200)
    pemda_name = models.CharField(_("nama Pemda"), max_length=200)
    region_code = models.CharField(
        _("kode wilayah Kemendagri"),
        max_length=13,
        help_text=_("Kode kabupaten/kota Kemendagri (dua angka provinsi, titik, dua angka)."),
    )
    kind = models.CharField(
        _("jenis daerah"),
        max_length=10,
        choices=Kind.choices,
        help_text=_("Kabupaten (dipimpin Bupati) atau kota (dipimpin Wali Kota)."),
    )
    place_name = models.CharField(
        _("nama daerah"),
        max_length=100,
        blank=True,
        help_text=_("Nama kabupaten/kota tanpa kata 'Kabupaten'/'Kota'."),
    )
    bpjs_branch = models.CharField(_("kantor cabang BPJS Ketenagakerjaan"), max_length=200)
    agreement_start = models.DateField(_("awal periode kerja sama"), null=True, blank=True)
    agreement_end = models.DateField(_("akhir periode kerja sama"), null=True, blank=True)
    workforce = models.PositiveIntegerField(
        _("jumlah angkatan kerja"),
        null=True,
        blank=True,
        help_text=_("Penduduk bekerja di wilayah, untuk menghitung cakupan UCJ."),
    )
    covered_elsewhere = models.PositiveIntegerField(
        _("pekerja terlindungi di luar program"),
        null=True,
        blank=True,
        help_text=_("Pekerja yang sudah menjadi peserta aktif BPJS TK di luar program ini."),
    )
    # Letters: the Dinas that runs the programme, its head (signs invoices and reports) and the
    # regional head (hands over benefits).
    dinas_name = models.CharField(
        _("dinas pengelola"),
        max_length=200,
        blank=True,
        help_text=_("Nama lengkap dinas yang mengelola program."),
    )
    head_name = models.CharField(_("nama kepala dinas"), max_length=200, blank=True)
    head_title = models.CharField(
        _("jabatan penanda tangan"),
        max_length=200,
        blank=True,
        help_text=_("Kosongkan untuk 'Kepala' + nama dinas."),
    )
    head_nip = models.CharField(
        _("NIP kepala dinas"), max_length=18, blank=True, help_text=_("18 digit.")
    )
    regional_head_name = models.CharField(
        _("nama kepala daerah"),
        max_length=200,
        blank=True,
        help_text=_("Nama Bupati/Wali Kota, untuk berita acara penyerahan santunan."),
    )
    handover_place = models.CharField(
        _("tempat penyerahan santunan"),
        max_length=200,
        blank=True,
        help_text=_("Kosongkan untuk Pendopo/Balai Kota daerah Anda."),
    )
    four_eyes = models.BooleanField(
        _("empat mata pada persetujuan klaim"),
        default=True,
        help_text=_(
            "Bila aktif, klaim tidak dapat disetujui oleh pengguna yang mencatat atau "
            "memverifikasinya."
        ),
    )
    #: The logo for PDFs, normalised to PNG (see ``services.set_logo``); kept out of the
    #: history tables, whose ``logo_sha256`` records every change.
    logo = models.BinaryField(_("logo"), null=True, blank=True, editable=False)
    logo_sha256 = models.CharField(_("sidik logo"), max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("dibuat pada"))
    history = audit_trail(excluded_fields=["logo"])

    class Meta:
        verbose_name = _("program")
        verbose_name_plural = _("program")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def programme(self) -> Programme:
        """Every domain row answers ``.programme``; a programme is its own."""
        return self

    @property
    def wording(self) -> Wording:
        """Kabupaten/kota wording: ``wording.head`` = "Bupati Ponorogo", ``wording.hall_name``…"""
        return Wording.for_region(self.kind, self.place_name, self.region_code, self.pemda_name)

    @property
    def default_handover_place(self) -> str:
        return self.handover_place or self.wording.hall_name

    @property
    def handover_by(self) -> str:
        """Who hands benefits over: "Sri Wahyuni, Bupati Ponorogo" (or just the title)."""
        head = self.wording.head
        return f"{self.regional_head_name}, {head}" if self.regional_head_name else head

    @property
    def signer_title(self) -> str:
        """Who signs invoices and reports: the given title, else "Kepala <dinas>"."""
        if self.head_title:
            return self.head_title
        return f"Kepala {self.dinas_name}" if self.dinas_name else ""

    @property
    def has_logo(self) -> bool:
        return bool(self.logo_sha256)


class Membership(models.Model):
    """A user's role in one programme. A user may belong to several programmes."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("pengguna"),
    )
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("program")
    )
    role = models.CharField(_("peran"), max_length=20, choices=Role.choices)
    scope = models.CharField(
        _("lingkup"),
        max_length=100,
        blank=True,
        help_text=_("Untuk Mitra CSR: kode penyandang dana yang boleh dilihat."),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("dibuat pada"))
    history = audit_trail()

    class Meta:
        verbose_name = _("keanggotaan")
        verbose_name_plural = _("keanggotaan")
        constraints = [
            models.UniqueConstraint(fields=["user", "programme"], name="one_role_per_programme")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.programme.code}"


class AccessLog(models.Model):
    """Reads and exports of personal data (UU PDP 27/2022). Append-only: one row per request
    (a list page, an API list, an export: ``records`` is how many persons it gave), pruned after
    ``LINDUNG_ACCESS_LOG_DAYS`` by ``lindung access-log prune``."""

    class Action(models.TextChoices):
        VIEW = "view", _("lihat")
        LIST = "list", _("daftar")
        EXPORT = "export", _("ekspor")
        REVEAL = "reveal", _("buka NIK")
        DOWNLOAD = "download", _("unduh")

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    programme = models.ForeignKey(
        Programme, null=True, on_delete=models.CASCADE, related_name="access_logs"
    )
    action = models.CharField(max_length=10, choices=Action.choices)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64, blank=True)
    detail = models.CharField(max_length=500, blank=True)
    channel = models.CharField(max_length=10, default="web")  # web / api / cli
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    records = models.PositiveIntegerField(_("jumlah orang dibaca"), default=0)

    class Meta:
        verbose_name = _("log akses data pribadi")
        verbose_name_plural = _("log akses data pribadi")
        ordering = ["-at"]
        indexes = [models.Index(fields=["programme", "at"], name="accesslog_programme_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.action} {self.object_type}"


class Job(models.Model):
    """Progress of a long-running background task, polled by the UI with htmx."""

    class State(models.TextChoices):
        QUEUED = "queued", _("menunggu")
        RUNNING = "running", _("berjalan")
        DONE = "done", _("selesai")
        FAILED = "failed", _("gagal")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="jobs")
    kind = models.CharField(max_length=50)
    label = models.CharField(max_length=200)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    percent = models.PositiveSmallIntegerField(default=0)
    message = models.CharField(max_length=500, blank=True)
    result = models.JSONField(default=dict, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    #: ``host:pid`` of the worker process running the job, and when it last said it was alive.
    worker = models.CharField(max_length=100, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("pekerjaan latar")
        verbose_name_plural = _("pekerjaan latar")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.label} ({self.state}, {self.percent} %)"

    @property
    def finished(self) -> bool:
        return self.state in {self.State.DONE, self.State.FAILED}

    def shown_message(self, language: str | None = None) -> str:
        """The message in ``language`` (default: the page's): a failure kept with its English
        (``result["error_en"]``) is shown in English on an English page."""
        from django.utils import translation

        language = language or translation.get_language() or "id"
        english = (self.result or {}).get("error_en") if self.state == self.State.FAILED else None
        if english and language.startswith("en"):
            return f"Failed: {english}"[:500]
        return self.message


class TransitionLog(models.Model):
    """Base of the append-only state-change logs (enrolments, invoices, claims, instalments):
    the programme, who made the change, and the labels of the two states.

    A subclass declares the foreign key to the object that changed (named by ``SUBJECT``), its
    ``from_state``/``to_state``/``at``/``note`` fields and ``STATES``, the choices of the states.
    """

    STATES: type[models.TextChoices]
    SUBJECT: str

    # A log, like the history tables: its programme and user are indexed, but not foreign keys
    # PostgreSQL checks row by row (an import writes one event per new membership period;
    # Django still applies ``on_delete`` when a programme or user is deleted).
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        subject = getattr(self, f"{self.SUBJECT}_id")
        return f"{subject}: {self.from_state or '–'} → {self.to_state}"

    @property
    def from_label(self) -> str:
        return str(self.STATES(self.from_state).label) if self.from_state else "–"

    @property
    def to_label(self) -> str:
        return str(self.STATES(self.to_state).label)


class ApiToken(models.Model):
    """A personal API token: one user, one programme, the user's role in it (read at each
    request, so a changed or removed role changes or ends what the token may do), an expiry,
    revocable. Only a SHA-256 hash of the secret is stored; the secret is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("pengguna"),
    )
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("program")
    )
    name = models.CharField(_("nama"), max_length=100)
    prefix = models.CharField(_("awalan"), max_length=16, help_text=_("Untuk mengenali token."))
    token_hash = models.CharField(max_length=64, unique=True, verbose_name=_("sidik token"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("dibuat pada"))
    expires_at = models.DateTimeField(_("berlaku sampai"))
    revoked_at = models.DateTimeField(_("dicabut"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("dicabut oleh"),
    )
    last_used_at = models.DateTimeField(_("terakhir dipakai"), null=True, blank=True)
    last_used_ip = models.GenericIPAddressField(null=True, blank=True)
    history = audit_trail(excluded_fields=["last_used_at", "last_used_ip"])

    class Meta:
        verbose_name = _("token API")
        verbose_name_plural = _("token API")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…, {self.user})"

    @property
    def active(self) -> bool:
        from django.utils import timezone

        return self.revoked_at is None and self.expires_at > timezone.now()


class Account(models.Model):
    """What Lindung keeps about a login beyond Django's user: a temporary password to replace.

    An Admin who creates a user or resets a password hands over a temporary password; the user
    must choose a new one at the next login (:mod:`lindung.programmes.middleware`).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="lindung_account",
        verbose_name=_("pengguna"),
    )
    must_change_password = models.BooleanField(_("wajib ganti kata sandi"), default=False)
    password_reset_at = models.DateTimeField(
        _("kata sandi sementara dibuat"), null=True, blank=True
    )
    password_changed_at = models.DateTimeField(_("kata sandi diganti"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("dibuat oleh"),
    )
    history = audit_trail()

    class Meta:
        verbose_name = _("akun pengguna")
        verbose_name_plural = _("akun pengguna")

    def __str__(self) -> str:
        return str(self.user)


class ProgrammeParameter(models.Model):
    """A programme's own dated, cited parameter value (UMK, PU basis, default tier, risk class).

    National statutory parameters stay in ``lindung/rules/params/*.yaml``; these are the values a
    Pemda decides or its province publishes. A value is in force from ``valid_from`` until the
    next value of the same name and key. Read them through :mod:`lindung.programmes.queries`
    (``umk_for``, ``pu_basis``, …), where a programme value overrides the shipped table.
    """

    class Name(models.TextChoices):
        UMK = "umk", _("UMK (upah minimum kabupaten/kota)")
        PU_BASIS = "pu.basis", _("Dasar upah iuran non-ASN (PU)")
        BPU_TIER = "bpu.tier", _("Tingkat penghasilan BPU bawaan")
        RISK_CLASS = "pu.risk_class", _("Kelas risiko JKK bawaan (PU)")

    class Basis(models.TextChoices):
        UMK = "umk", _("UMK daerah")
        FIXED = "fixed", _("jumlah tetap")
        WAGE = "wage", _("upah masing-masing pekerja (UMK bila kosong)")

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="parameters", verbose_name=_("program")
    )
    name = models.CharField(_("parameter"), max_length=20, choices=Name.choices)
    key = models.CharField(
        _("berlaku untuk"),
        max_length=30,
        blank=True,
        help_text=_("Kode instansi untuk kelas risiko per instansi; kosong = seluruh program."),
    )
    valid_from = models.DateField(_("berlaku sejak"))
    value = models.BigIntegerField(
        _("nilai"),
        null=True,
        blank=True,
        help_text=_("Rupiah (UMK, jumlah tetap, tingkat penghasilan) atau kelas risiko 1–5."),
    )
    basis = models.CharField(_("dasar upah"), max_length=10, choices=Basis.choices, blank=True)
    reference = models.CharField(
        _("dasar hukum"),
        max_length=300,
        help_text=_("Mis. nomor Keputusan Gubernur, Perbup/Perwali, atau PKS."),
    )
    note = models.CharField(_("catatan"), max_length=500, blank=True)
    unconfirmed = models.BooleanField(_("belum terkonfirmasi"), default=False)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("dicatat oleh"),
    )
    entered_at = models.DateTimeField(_("dicatat pada"), auto_now_add=True)
    history = audit_trail()

    class Meta:
        verbose_name = _("parameter program")
        verbose_name_plural = _("parameter program")
        ordering = ["name", "key", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "name", "key", "valid_from"], name="one_value_per_date"
            )
        ]
        indexes = [models.Index(fields=["programme", "name", "key", "valid_from"])]

    def __str__(self) -> str:
        key = f" [{self.key}]" if self.key else ""
        return (
            f"{self.get_name_display()}{key} sejak {self.valid_from:%d/%m/%Y}: {self.display_value}"
        )

    @property
    def display_value(self) -> str:
        if self.name == self.Name.PU_BASIS:
            label = str(self.Basis(self.basis).label) if self.basis else "–"
            return f"{label} {rupiah(self.value)}" if self.basis == self.Basis.FIXED else label
        if self.name == self.Name.RISK_CLASS:
            return {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V"}.get(self.value or 0, "–")
        return rupiah(self.value)


class _UserHistory(HistoricalRecords):
    """History of Django's users without the noise of a login (``last_login`` only)."""

    def post_save(self, instance, created, using=None, **kwargs):
        fields = kwargs.get("update_fields")
        if not created and fields and set(fields) <= {"last_login", "password"}:
            return
        super().post_save(instance, created, using=using, **kwargs)


# Every change to a login (name, e-mail, active, staff/superuser) is kept, like domain records;
# the password hash and the last login are not.
register_history(
    get_user_model(),
    app="lindung.programmes",
    records_class=_UserHistory,
    excluded_fields=["password", "last_login"],
    user_db_constraint=False,  # as every history table (lindung.core.history)
)
