from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClaimsConfig(AppConfig):
    name = "lindung.claims"
    verbose_name = "Klaim dan beasiswa"

    def ready(self) -> None:
        from lindung.programmes import audit

        from . import models

        for model in (
            models.Claim,
            models.Heir,
            models.Document,
            models.ScholarshipPlan,
            models.Instalment,
            models.Handover,
        ):
            audit.register(model, "programme")
        audit.register_log(models.ClaimTransition)
        from .checklists import document_label

        audit.register_value_labels(models.Document, "code", document_label)
        audit.register_log(models.InstalmentTransition)

        from lindung.programmes import hooks, menu

        from . import queries, todo

        hooks.register_person_panel(queries.person_panel)
        hooks.register_todo(todo.todo)
        hooks.register_record_page("claims.claim", "claims_detail")
        hooks.register_record_page("claims.scholarshipplan", "claims_scholarship")

        menu.register(_("Klaim"), "claims_list", "claim.view", order=400)
        menu.register(_("Beasiswa"), "claims_scholarships", "claim.view", order=410)
        menu.register(_("Penyerahan santunan"), "claims_handovers", "claim.view", order=420)
