from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "lindung.registry"
    verbose_name = "Registri peserta"

    def ready(self) -> None:
        from lindung.programmes import audit

        from .models import Agency, FamilyMember, Participant, Person

        for model in (Agency, Person, Participant, FamilyMember):
            audit.register(model, "programme")
