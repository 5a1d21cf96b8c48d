from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "lindung.reports"
    verbose_name = "Laporan"

    def ready(self) -> None:
        from lindung.claims.models import Claim
        from lindung.core import changes
        from lindung.coverage.models import Enrolment
        from lindung.programmes import hooks, menu
        from lindung.registry.models import Participant, Person

        from . import counts
        from .queries import todo

        menu.register(_("Dasbor"), "reports_dashboard", "report.view", order=5)
        hooks.register_todo(todo)
        menu.register(_("Koreksi parameter"), "reports_corrections", "audit.view", order=810)
        # The dashboard's read model follows every save and delete of the records it counts
        # (bulk writers record their changes themselves) and is brought up to date in the
        # writing transaction.
        changes.follow(Enrolment, changes.ENROLMENT)
        changes.follow(Participant, changes.PARTICIPANT)
        changes.follow(Person, changes.PERSON)
        changes.follow(Claim, changes.CLAIM)
        changes.register_consumer(counts.apply_pending)
        post_migrate.connect(_build_missing, sender=self, dispatch_uid="reports-build-missing")


def _build_missing(sender, using="default", **kwargs) -> None:
    """After ``migrate``: build the read model of programmes that have none (a live install
    upgraded to the change feed); nothing to do on a new database."""
    from .counts import build_missing

    build_missing()
