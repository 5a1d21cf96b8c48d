from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "lindung.registry"
    verbose_name = "Registri peserta"

    def ready(self) -> None:
        from lindung.programmes import audit, menu

        from .models import (
            Agency,
            ColumnMapping,
            FamilyMember,
            Participant,
            Person,
            PossibleDuplicate,
        )

        for model in (Agency, Person, Participant, FamilyMember, PossibleDuplicate, ColumnMapping):
            audit.register(model, "programme")

        from lindung.programmes.jobs import register_on_abandoned

        from .services import recover_abandoned_job

        register_on_abandoned("registry.import.validate", recover_abandoned_job)
        register_on_abandoned("registry.import.commit", recover_abandoned_job)

        menu.register(_("Peserta"), "registry_list", "participant.view", order=100)
        menu.register(_("Impor"), "registry_import", "participant.import", order=110)
        menu.register(_("Instansi"), "registry_agencies", "participant.view", order=120)
        menu.register(_("Duplikat"), "registry_duplicates", "participant.edit", order=130)

        from . import setup

        setup.register()
