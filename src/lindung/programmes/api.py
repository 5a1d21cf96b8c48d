from datetime import date

from django.core.exceptions import PermissionDenied
from ninja import Router, Schema, Status

from .permissions import allowed_actions, programme_for, role_of, visible_programmes

router = Router(tags=["programmes"])


class ProgrammeOut(Schema):
    code: str
    name: str
    pemda_name: str
    region_code: str
    kind: str
    area: str
    bpjs_branch: str
    agreement_start: date | None
    agreement_end: date | None
    role: str | None


class MeOut(Schema):
    username: str
    programmes: list[ProgrammeOut]


def _out(user, p) -> dict:
    role = role_of(user, p)
    return {
        "code": p.code,
        "name": p.name,
        "pemda_name": p.pemda_name,
        "region_code": p.region_code,
        "kind": p.kind,
        "area": p.wording.area,
        "bpjs_branch": p.bpjs_branch,
        "agreement_start": p.agreement_start,
        "agreement_end": p.agreement_end,
        "role": role.value if role else None,
    }


@router.get("/me", response=MeOut)
def me(request):
    return {
        "username": request.user.username,
        "programmes": [_out(request.user, p) for p in visible_programmes(request.user)],
    }


@router.get("/programmes", response=list[ProgrammeOut])
def programmes(request):
    return [_out(request.user, p) for p in visible_programmes(request.user)]


@router.get("/programmes/{code}", response={200: ProgrammeOut, 403: dict})
def programme(request, code: str):
    try:
        p = programme_for(request.user, code)
    except PermissionDenied as exc:
        return Status(403, {"detail": str(exc)})
    out = _out(request.user, p)
    out["actions"] = sorted(allowed_actions(request.user, p))
    return out
