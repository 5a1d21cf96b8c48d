from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "lindung.programmes"
    verbose_name = "Program"

    def ready(self) -> None:
        from . import audit
        from .models import ApiToken, Membership, Programme

        audit.register(Programme, "self")
        audit.register(Membership, "programme")
        audit.register(ApiToken, "programme")

        from . import menu

        menu.register("Beranda", "programme_home", "programme.view", order=0)
        menu.register("Kalkulator Manfaat", "calculator", "benefit.quote", order=700)
        menu.register("Parameter", "parameters", "parameters.view", order=800)
        menu.register("Audit", "audit_trail", "audit.view", order=900)
        menu.register("Pengguna", "members", "members.manage", order=950)
        menu.register("Token API", "api_tokens", "api.token", order=960)
