from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "lindung.core"
    verbose_name = "Lindung"
