"""What the registry tells the programme app (which may not import it) through its hooks: the
agencies a default risk class may be set for, and the set-up step "import participants"."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from .models import Agency, ImportBatch, Participant


def agency_choices(programme) -> list[tuple[str, str]]:
    return list(
        Agency.objects.filter(programme=programme).order_by("code").values_list("code", "name")
    )


def _participants_done(programme) -> bool:
    return Participant.objects.filter(programme=programme).exists()


def register() -> None:
    from lindung.programmes import hooks

    hooks.register_agency_choices(agency_choices)
    hooks.register_todo(todo)
    hooks.register_record_page("registry.participant", "registry_person")
    hooks.register_record_page("registry.importbatch", "registry_import_batch")
    hooks.register_setup_step(
        70,
        gettext_lazy("Impor daftar peserta"),
        "registry_import",
        _participants_done,
        gettext_lazy(
            "Unduh templat, isi satu baris per orang (kolom NIK sebagai teks), lalu unggah."
        ),
    )


def todo(user, programme, role: str) -> list:
    """The Operator's to-do line: imports read and checked, waiting to be saved (or waiting for
    their columns to be matched)."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from lindung.programmes.hooks import Todo
    from lindung.programmes.models import Role
    from lindung.programmes.queries import count_each

    if role != Role.OPERATOR:
        return []
    batches = ImportBatch.objects.filter(programme=programme)
    n = count_each(
        programme,
        ready=batches.filter(state=ImportBatch.State.VALIDATED),
        mapping=batches.filter(state=ImportBatch.State.MAPPING),
    )
    url = reverse("registry_import", args=[programme.code])
    lines = [
        Todo(_("Impor sudah diperiksa, menunggu disimpan"), n["ready"], url, 30),
        Todo(_("Impor menunggu pemetaan kolom"), n["mapping"], url, 31),
    ]
    return [line for line in lines if line.count]
