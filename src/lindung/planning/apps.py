from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "lindung.planning"
    verbose_name = "Perencanaan"

    def ready(self) -> None:
        from lindung.programmes import audit, menu

        from .models import Scenario

        audit.register(Scenario, "programme")
        menu.register("Perencanaan", "planning_list", "plan.view", order=60)
