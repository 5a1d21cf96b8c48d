from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "lindung.reports"
    verbose_name = "Laporan"

    def ready(self) -> None:
        from lindung.programmes import menu

        menu.register("Dasbor", "reports_dashboard", "report.view", order=5)
