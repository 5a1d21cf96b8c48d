from django.apps import AppConfig


class CoverageConfig(AppConfig):
    name = "lindung.coverage"
    verbose_name = "Kepesertaan dan iuran"

    def ready(self) -> None:
        from lindung.programmes import audit, menu
        from lindung.registry.queries import register_csr_scope, register_funding_source
        from lindung.registry.undo import register_undo_hook

        from . import models, undo
        from .queries import funding_sources, sponsored_participants

        register_csr_scope(sponsored_participants)
        register_funding_source(funding_sources)
        register_undo_hook(
            "coverage",
            refuse=undo.refuse,
            undo=undo.undo,
            handles=(models.Enrolment,),
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
            models.EnrolmentEvent,
            models.BillingRun,
            models.RateCard,
            models.Invoice,
            models.InvoiceEvent,
            models.CoverageMonth,
            models.Adjustment,
            models.CancelledLine,
            models.Payment,
            models.Reconciliation,
            models.Difference,
        ):
            audit.register(model, "programme")

        menu.register("Iuran & tagihan", "coverage_billing", "billing.view", order=300)
        menu.register("Kerja sama & penyandang dana", "coverage_funders", "billing.view", order=310)
        # Reconciliation lists personal data of the whole roster: the roles that may export
        # participant lists (Admin, Operator, Auditor) see it; only Admin/Operator may edit.
        menu.register("Rekonsiliasi BPJS", "coverage_reconciliations", "participant.export", 320)
