from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanningConfig(AppConfig):
    name = "lindung.planning"
    verbose_name = "Perencanaan"

    def ready(self) -> None:
        from lindung.programmes import audit, hooks, menu

        from .models import Scenario

        audit.register(Scenario, "programme")
        hooks.register_record_page("planning.scenario", "planning_detail")
        menu.register(_("Perencanaan"), "planning_list", "plan.view", order=60)

        from lindung.programmes.jobs import register_on_abandoned

        from .services import recover_abandoned_adoption

        register_on_abandoned("planning.adopt", recover_abandoned_adoption)
