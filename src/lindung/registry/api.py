"""Registry API: ``GET /api/v1/participants`` and ``GET /api/v1/participants/{id}``.

Scoped by programme and role exactly like the pages: a programme the user has no role in does
not exist for them (404); NIKs are masked unless the role has ``nik.full`` (and then the birth date is only its year and the
kelurahan is not given: :mod:`lindung.programmes.masking`); looking a person up by
NIK and reading one participant are written to the access log (channel ``api``).
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied
from ninja import Field, Query, Router, Schema

from lindung.programmes import masking
from lindung.programmes.permissions import can, programme_for, visible_programmes
from lindung.programmes.services import log_access, log_read

from . import queries
from .models import Participant

router = Router(tags=["registry"])
MAX_LIMIT = 500


class FamilyOut(Schema):
    id: int
    relationship: str
    full_name: str
    nik: str
    birth_date: date | None = Field(
        description="Kosong (null) bila NIK tersamar: lihat birth_year."
    )
    birth_year: int | None
    sex: str
    education_level: str
    year_in_level: int | None
    alive: bool


class ParticipantOut(Schema):
    id: int
    programme: str
    nik: str
    nik_masked: bool
    kk_number: str
    full_name: str
    birth_place: str
    birth_date: date | None = Field(
        description="Kosong (null) bila NIK tersamar: lihat birth_year."
    )
    birth_year: int
    sex: str
    kelurahan_code: str | None = Field(description="Kosong (null) bila NIK tersamar.")
    segment: str
    status: str
    start_date: date
    end_date: date | None
    agency: str | None
    position: str
    monthly_wage: int | None
    risk_class: int | None
    occupation: str
    income_tier: int | None
    decile: int | None
    breadwinner: bool | None
    prior_months: int = 0
    prior_evidence: str = ""


class ParticipantDetailOut(ParticipantOut):
    family: list[FamilyOut]


class ParticipantPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ParticipantOut]


class ListParams(Schema):
    programme: str | None = Field(None, max_length=50)
    nik: str | None = Field(None, max_length=40)
    q: str | None = Field(None, max_length=100)
    segment: str | None = Field(None, max_length=10)
    status: str | None = Field(None, max_length=20)
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=10**9)


def _out(user, p: Participant) -> dict:
    programme = p.programme
    mask = masking.for_user(user, programme)
    person = p.person
    return {
        "id": p.pk,
        "programme": programme.code,
        "nik": mask.nik(person.nik),
        "nik_masked": mask.masked,
        "kk_number": mask.nik(person.kk_number),
        "full_name": person.full_name,
        "birth_place": person.birth_place,
        "birth_date": person.birth_date if mask.full else None,
        "birth_year": person.birth_date.year,
        "sex": person.sex,
        "kelurahan_code": mask.place(person.kelurahan_code),
        "segment": p.segment,
        "status": p.status,
        "start_date": p.start_date,
        "end_date": p.end_date,
        "agency": p.agency.code if p.agency_id else None,
        "position": p.position,
        "monthly_wage": p.monthly_wage,
        "risk_class": p.risk_class,
        "occupation": p.occupation,
        "income_tier": p.income_tier,
        "decile": p.decile,
        "breadwinner": p.breadwinner,
        "prior_months": p.prior_months,
        "prior_evidence": p.prior_evidence,
    }


def _programmes(user, code: str | None):
    if code:
        return [programme_for(user, code, "participant.view")]
    return [p for p in visible_programmes(user) if can(user, p, "participant.view")]


@router.get("/participants", response={200: ParticipantPage, 403: dict})
def list_participants(request, params: Query[ListParams]):
    try:
        programmes = _programmes(request.user, params.programme)
    except PermissionDenied as exc:
        return 403, {"detail": str(exc)}
    limit = max(1, min(params.limit, MAX_LIMIT))
    offset = max(0, params.offset)
    filters = queries.Filters(
        q=params.q or "", segment=params.segment or "", status=params.status or ""
    )
    items: list[Participant] = []
    count = 0
    for programme in programmes:
        if params.nik:
            qs = queries.find_by_nik(request.user, programme, params.nik)
        else:
            qs = queries.search(request.user, programme, filters)
        qs = qs.select_related("programme")
        n = qs.count()
        if offset < count + n and len(items) < limit:
            start = max(0, offset - count)
            items.extend(qs[start : start + (limit - len(items))])
        count += n
    for programme in programmes:
        given = sum(1 for p in items if p.programme_id == programme.pk)
        if given or params.nik or params.programme:
            what = "cari NIK" if params.nik else f"filter: {filters.describe(programme)}"
            action = "view" if params.nik else "list"
            detail = f"{what}; offset {offset}"
            log_read(request, programme, "registry.person", given, detail, action=action)
    return {
        "count": count,
        "limit": limit,
        "offset": offset,
        "items": [_out(request.user, p) for p in items],
    }


@router.get("/participants/{participant_id}", response={200: ParticipantDetailOut, 404: dict})
def participant_detail(request, participant_id: int):
    participant = queries.participant_anywhere(request.user, participant_id)
    programme = participant.programme
    log_access(
        user=request.user,
        programme=programme,
        action="view",
        object_type="registry.person",
        object_id=participant.person_id,
        detail=f"peserta {participant.pk}",
        channel="api",
        request=request,
    )
    out = _out(request.user, participant)
    mask = masking.for_user(request.user, programme)
    out["family"] = [
        {
            "id": m.pk,
            "relationship": m.relationship,
            "full_name": m.full_name,
            "nik": mask.nik(m.nik),
            "birth_date": m.birth_date if mask.full else None,
            "birth_year": m.birth_date.year if m.birth_date else None,
            "sex": m.sex,
            "education_level": m.education_level,
            "year_in_level": m.year_in_level,
            "alive": m.alive,
        }
        for m in queries.family_of(participant)
    ]
    return out
