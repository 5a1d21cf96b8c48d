"""Planning API: run a scenario (stored, like the screen) and read stored results."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import PermissionDenied
from ninja import Body, Router, Status

from lindung.programmes.permissions import programme_for

from . import queries, services
from .engine import ScenarioError
from .models import Scenario

router = Router(tags=["planning"])


@router.post(
    "/programmes/{code}/plan",
    summary="Hitung skenario perluasan",
    response={200: dict, 400: dict, 403: dict},
)
def run_scenario(
    request,
    code: str,
    scenario: dict[str, Any] = Body(...),  # noqa: B008
    save: bool = True,
):
    """Compute a scenario (JSON as for ``lindung plan``). ``save=false`` computes without storing
    (Pimpinan/Admin need ``plan.edit`` either way)."""
    try:
        programme = programme_for(request.user, code, "plan.edit")
    except PermissionDenied as exc:
        return Status(403, {"detail": str(exc)})
    try:
        if save:
            stored = services.create_scenario(
                actor=request.user, programme=programme, data=scenario
            )
            return {"id": stored.pk, **stored.result}
        parsed = services.parse(programme, scenario)
        return services.result_json(services.evaluate(programme, parsed))
    except ScenarioError as exc:
        return Status(
            400, {"detail": exc.message, "message_en": exc.message_en, "field": exc.field}
        )


@router.get(
    "/programmes/{code}/plan/{scenario_id}",
    summary="Hasil skenario tersimpan",
    response={200: dict, 403: dict, 404: dict},
)
def get_scenario(request, code: str, scenario_id: int):
    try:
        programme = programme_for(request.user, code, "plan.view")
    except PermissionDenied as exc:
        return Status(403, {"detail": str(exc)})
    try:
        stored = queries.get_scenario(programme, scenario_id)
    except Scenario.DoesNotExist:
        return Status(404, {"detail": "Skenario tidak ditemukan."})
    return json.loads(json.dumps({"id": stored.pk, "state": stored.state, **stored.result}))
