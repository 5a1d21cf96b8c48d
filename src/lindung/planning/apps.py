from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "lindung.planning"
    verbose_name = "Perencanaan"
