from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "lindung.reports"
    verbose_name = "Laporan"

    def ready(self) -> None:
        from lindung.programmes import jobs, menu

        from . import counts

        menu.register("Dasbor", "reports_dashboard", "report.view", order=5)
        # After an import, an adoption or a billing run, the participant counts catch up in the
        # worker rather than in the first dashboard view.
        jobs.register_after_job(counts.refresh_quietly)
