"""What the registry tells the programme app (which may not import it) through its hooks: the
agencies a default risk class may be set for, and the set-up step "import participants"."""

from __future__ import annotations

from .models import Agency, Participant


def agency_choices(programme) -> list[tuple[str, str]]:
    return list(
        Agency.objects.filter(programme=programme).order_by("code").values_list("code", "name")
    )


def _participants_done(programme) -> bool:
    return Participant.objects.filter(programme=programme).exists()


def register() -> None:
    from lindung.programmes import hooks

    hooks.register_agency_choices(agency_choices)
    hooks.register_setup_step(
        70,
        "Impor daftar peserta",
        "registry_import",
        _participants_done,
        "Unduh templat, isi satu baris per orang (kolom NIK sebagai teks), lalu unggah.",
    )
