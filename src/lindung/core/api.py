"""Rule endpoints of the API: benefit quotes and NIK checks (no personal data is stored)."""

from __future__ import annotations

from ninja import Body, Router, Status
from pydantic import TypeAdapter

from lindung.rules import nik as nik_rules
from lindung.rules.errors import RulesError
from lindung.rules.quote import QuoteRequest, QuoteResponse, quote

router = Router(tags=["rules"])
_JSON_BODY = Body(...)

_REQUEST_SCHEMA = TypeAdapter(QuoteRequest).json_schema()


@router.post(
    "/benefits/quote",
    response={200: QuoteResponse, 400: dict},
    summary="Hitung manfaat JKM/JKK (benefit quote)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": _REQUEST_SCHEMA}},
        }
    },
)
def benefits_quote(request, payload: dict = _JSON_BODY):
    """Same request and response as ``lindung quote``. Invalid input answers 400 with
    ``{"error": {"field", "message_id", "message_en"}}``."""
    try:
        return Status(200, quote(payload))
    except RulesError as exc:
        return Status(400, {"error": exc.to_dict()})


@router.get("/nik/{nik}", response={200: dict, 400: dict}, summary="Periksa NIK")
def nik_check(
    request,
    nik: str,
    birth_date: str | None = None,
    reference_date: str | None = None,
    strict: bool = False,
):
    """Same answer as ``lindung nik check``: ``valid`` (no error), ``errors``, ``warnings`` (old
    region codes, a birth date that differs from the NIK), the parts. ``birth_date`` and
    ``reference_date`` are ``YYYY-MM-DD``; a malformed one answers 400 with
    ``{"error": {"field", "message_id", "message_en"}}``. ``strict=true`` turns warnings into
    errors."""
    try:
        result = nik_rules.check_request(
            nik, birth_date=birth_date, reference_date=reference_date, strict=strict
        )
    except RulesError as exc:
        return Status(400, {"error": exc.to_dict()})
    return Status(200, result.to_dict())
