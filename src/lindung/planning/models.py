"""Expansion scenarios: what was asked (the scenario), what came out, who was selected, adoption.

A :class:`Scenario` stores its input as the JSON of :class:`lindung.planning.engine.Scenario`
and its result as the engine's result JSON; the selected candidates are stored as
:class:`Selection` rows (a snapshot of the candidate's data at computation time), so that a
scenario can be read, compared, exported and adopted later exactly as it was computed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lindung.core.history import audit_trail
from lindung.programmes.models import Programme
from lindung.registry.models import Candidate


class Scenario(models.Model):
    class State(models.TextChoices):
        COMPUTED = "computed", _("dihitung")
        ADOPTED = "adopted", _("diterapkan")

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="scenarios", verbose_name=_("program")
    )
    name = models.CharField(_("nama skenario"), max_length=120)
    params = models.JSONField(_("masukan"), default=dict)
    result = models.JSONField(_("hasil"), default=dict)
    state = models.CharField(
        _("status"), max_length=10, choices=State.choices, default=State.COMPUTED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("dibuat oleh"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("dibuat pada"))
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("diterapkan oleh"),
    )
    adopted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("diterapkan pada"))
    adoption = models.JSONField(_("hasil penerapan"), default=dict, blank=True)
    history = audit_trail()

    class Meta:
        verbose_name = _("skenario perluasan")
        verbose_name_plural = _("skenario perluasan")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name

    @property
    def selected(self) -> int:
        return int(self.result.get("selected", 0))


class Selection(models.Model):
    """One selected candidate of a scenario, with rank and funder (snapshot)."""

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="selections")
    candidate = models.ForeignKey(
        Candidate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    position = models.PositiveIntegerField(_("urutan terpilih"))
    rank = models.PositiveIntegerField(_("peringkat di antara yang memenuhi syarat"))
    nik = models.CharField(_("NIK"), max_length=16)
    full_name = models.CharField(_("nama lengkap"), max_length=200)
    kelurahan_code = models.CharField(_("kode kelurahan"), max_length=13, blank=True)
    occupation = models.CharField(_("pekerjaan"), max_length=150, blank=True)
    decile = models.PositiveSmallIntegerField(_("desil"), null=True, blank=True)
    breadwinner = models.BooleanField(_("tulang punggung"), default=False)
    dependants = models.PositiveSmallIntegerField(_("tanggungan"), default=0)
    funder = models.CharField(_("penyandang dana"), max_length=60)

    class Meta:
        ordering = ["scenario", "position"]
        constraints = [
            models.UniqueConstraint(fields=["scenario", "position"], name="plan_selection_pos"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.full_name}"
