from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammesConfig(AppConfig):
    name = "lindung.programmes"
    verbose_name = "Program"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.contrib.auth.signals import user_logged_in

        from . import audit, hooks, menu, setup_steps
        from .middleware import note_temporary_password
        from .models import Account, ApiToken, Membership, Programme, ProgrammeParameter

        audit.register(Programme, "self")
        audit.register(Membership, "programme")
        audit.register(ProgrammeParameter, "programme")
        audit.register(ApiToken, "programme")
        audit.register(Account, audit.members_of("user_id"))
        audit.register(get_user_model(), audit.members_of("id"))

        menu.register(_("Beranda"), "programme_home", "programme.view", order=0)
        menu.register(_("Kalkulator Manfaat"), "calculator", "benefit.quote", order=700)
        menu.register(_("Parameter"), "parameters", "parameters.view", order=800)
        menu.register(_("Audit"), "audit_trail", "audit.view", order=900)
        menu.register(_("Log akses"), "access_log", "audit.view", order=910)
        menu.register(_("Pengguna"), "members", "members.manage", order=950)
        menu.register(_("Token API"), "api_tokens", "api.token", order=970)
        menu.register(_("Pengaturan"), "programme_settings", "programme.edit", order=960)

        user_logged_in.connect(note_temporary_password, dispatch_uid="lindung-temporary-password")
        for step in setup_steps.STEPS:
            hooks.register_setup_step(*step)
