import json

from django.core.exceptions import PermissionDenied
from ninja import Router, Status

from lindung.core import params
from lindung.programmes.permissions import programme_for

from .queries import Period, dashboard
from .render import to_json

router = Router(tags=["reports"])


@router.get(
    "/programmes/{code}/dashboard",
    summary="Angka dasbor program",
    response={200: dict, 400: dict, 403: dict},
)
def dashboard_api(request, code: str, dari: str, sampai: str, per: str | None = None):
    """Figures of the dashboard for a period (``dari``/``sampai`` as YYYY-MM)."""
    try:
        programme = programme_for(request.user, code, "report.view")
    except PermissionDenied as exc:
        return Status(403, {"detail": str(exc)})
    try:
        period = Period.parse(dari, sampai)
        as_of = params.day({"per": per}, "per")
    except ValueError as exc:
        return Status(400, {"detail": str(exc)})
    return json.loads(to_json(dashboard(programme, period, as_of)))
