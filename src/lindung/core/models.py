"""Two small tables every app may use: the named system actors and the change feed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SystemActor(models.Model):
    """A named actor that is not a person: the demo builder, the command line run without
    ``--user``, a scheduled job, a data migration. Each is a user account that cannot log in
    (inactive, no usable password), so that the history records it by name like any user; this
    row is what makes it a system actor (a user cannot become one by choosing a name)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        primary_key=True,
        related_name="system_actor",
    )
    name = models.SlugField(_("nama"), max_length=30, unique=True)
    description = models.CharField(_("keterangan"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("aktor sistem")
        verbose_name_plural = _("aktor sistem")

    def __str__(self) -> str:
        return f"sistem: {self.name}"


class Change(models.Model):
    """One entry of the change feed (:mod:`lindung.core.changes`): a record whose change may move
    a figure a read model keeps, appended in the transaction that changed it and taken out by
    the read model in that same transaction."""

    class Kind(models.TextChoices):
        ENROLMENT = "E", _("periode kepesertaan")
        PARTICIPANT = "P", _("peserta")
        PERSON = "R", _("orang")
        CLAIM = "C", _("klaim")
        PROGRAMME = "A", _("seluruh program")

    programme_id = models.BigIntegerField()
    kind = models.CharField(max_length=1, choices=Kind.choices)
    object_id = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("perubahan tertunda")
        verbose_name_plural = _("perubahan tertunda")
        indexes = [models.Index(fields=["programme_id", "kind"], name="core_change_prog")]

    def __str__(self) -> str:
        return f"{self.programme_id} {self.kind}{self.object_id}"
