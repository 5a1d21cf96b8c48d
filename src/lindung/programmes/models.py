"""Tenancy: programmes, memberships with a role, the access log and background jobs.

Every later domain row hangs off a :class:`Programme`; every query is scoped by it.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Role(models.TextChoices):
    ADMIN = "admin", _("Admin")
    OPERATOR = "operator", _("Operator")
    VERIFIKATOR = "verifikator", _("Verifikator")
    PIMPINAN = "pimpinan", _("Pimpinan")
    AUDITOR = "auditor", _("Auditor")
    MITRA_CSR = "mitra_csr", _("Mitra CSR")


class Programme(models.Model):
    """One Pemda's programme with BPJS Ketenagakerjaan (e.g. "Pro JKK-JKM Kota Madiun")."""

    code = models.SlugField(_("kode"), max_length=50, unique=True)
    name = models.CharField(_("nama program"), max_length=200)
    pemda_name = models.CharField(_("nama Pemda"), max_length=200)
    region_code = models.CharField(
        _("kode wilayah Kemendagri"),
        max_length=13,
        help_text=_("Kode provinsi/kabupaten/kota Kemendagri, mis. 35.77 untuk Kota Madiun."),
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
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

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


class Membership(models.Model):
    """A user's role in one programme. A user may belong to several programmes."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("peran"), max_length=20, choices=Role.choices)
    scope = models.CharField(
        _("lingkup"),
        max_length=100,
        blank=True,
        help_text=_("Untuk Mitra CSR: kode penyandang dana yang boleh dilihat."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("keanggotaan")
        verbose_name_plural = _("keanggotaan")
        constraints = [
            models.UniqueConstraint(fields=["user", "programme"], name="one_role_per_programme")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.programme.code}"


class AccessLog(models.Model):
    """Reads and exports of personal data (UU PDP 27/2022). Append-only."""

    class Action(models.TextChoices):
        VIEW = "view", _("lihat")
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

    class Meta:
        verbose_name = _("log akses data pribadi")
        verbose_name_plural = _("log akses data pribadi")
        ordering = ["-at"]

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


class TransitionLog(models.Model):
    """Base of the append-only state-change logs (enrolments, invoices, claims, instalments):
    the programme, who made the change, and the labels of the two states.

    A subclass declares the foreign key to the object that changed (named by ``SUBJECT``), its
    ``from_state``/``to_state``/``at``/``note`` fields and ``STATES``, the choices of the states.
    """

    STATES: type[models.TextChoices]
    SUBJECT: str

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
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
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("nama"), max_length=100)
    prefix = models.CharField(_("awalan"), max_length=16, help_text=_("Untuk mengenali token."))
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("berlaku sampai"))
    revoked_at = models.DateTimeField(_("dicabut"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_used_at = models.DateTimeField(_("terakhir dipakai"), null=True, blank=True)
    last_used_ip = models.GenericIPAddressField(null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["last_used_at", "last_used_ip"])

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
