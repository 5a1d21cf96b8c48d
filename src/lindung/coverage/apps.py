from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoverageConfig(AppConfig):
    name = "lindung.coverage"
    verbose_name = "Kepesertaan dan iuran"

    def ready(self) -> None:
        from lindung.programmes import audit, menu
        from lindung.programmes.hooks import register_person_panel
        from lindung.registry import membership as registry_membership
        from lindung.registry.queries import (
            register_billing_start,
            register_csr_scope,
            register_funding_source,
        )
        from lindung.registry.undo import register_undo_hook

        from . import membership, models, undo
        from .queries import (
            first_billed_day,
            funding_sources,
            person_panel,
            sponsored_participants,
        )

        register_person_panel(person_panel)
        register_billing_start(first_billed_day)
        register_csr_scope(sponsored_participants)
        register_funding_source(funding_sources)
        register_undo_hook(
            "coverage",
            refuse=undo.refuse,
            undo=undo.undo,
            handles=(models.Enrolment,),
        )
        registry_membership.register(
            registry_membership.Handlers(
                status=membership.change_status,
                imported=membership.after_import,
                created=membership.after_create,
                start_changed=membership.follow_start_dates,
            )
        )

        from . import setup

        setup.register()

        for model in (
            models.Agreement,
            models.Funder,
            models.Pledge,
            models.AllocationRule,
            models.AllocationMember,
            models.Enrolment,
            models.BillingRun,
            models.Invoice,
            models.Payment,
            models.Reconciliation,
            models.Difference,
        ):
            audit.register(model, "programme")
        # Append-only logs are their own record (no history table); derived or immutable rows
        # written in bulk (ledger, correction lines, rate cards) are not historised.
        audit.register_log(models.EnrolmentEvent)
        audit.register_log(models.InvoiceEvent)

        menu.register(_("Iuran & tagihan"), "coverage_billing", "billing.view", order=300)
        menu.register(
            _("Kerja sama & penyandang dana"), "coverage_funders", "billing.view", order=310
        )
        # Reconciliation lists personal data of the whole roster: the roles that may export
        # participant lists (Admin, Operator, Auditor) see it; only Admin/Operator may edit.
        menu.register(_("Rekonsiliasi BPJS"), "coverage_reconciliations", "participant.export", 320)
