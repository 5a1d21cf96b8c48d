"""The JSON API under ``/api/v1/`` (django-ninja; OpenAPI docs at ``/api/docs``, served locally).

Each app contributes a router; the permission helper guards every endpoint. Authentication: a
personal API token (``Authorization: Bearer lnd_…``, see :mod:`lindung.programmes.tokens`) or
the browser's session (with CSRF on writes); neither answers 401. Every operation is throttled
per token and per user (429 with ``Retry-After``). Every error answers JSON with an Indonesian
``detail``; the OpenAPI document declares, for every operation, each error status it can answer.
"""

from __future__ import annotations

from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from lindung.claims.api import router as claims_router
from lindung.core.api import router as rules_router
from lindung.core.errors import DomainError, api_response
from lindung.coverage.api import router as coverage_router
from lindung.planning.api import router as planning_router
from lindung.programmes.api import router as programmes_router
from lindung.programmes.tokens import SessionAuth, TokenAuth, TokenThrottle, UserThrottle
from lindung.registry.api import router as registry_router
from lindung.reports.api import router as reports_router

ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "detail": {"description": "Pesan dalam bahasa Indonesia (atau daftar kesalahan isian)."},
        "errors": {"type": "array", "items": {"type": "object"}},
        "error": {"type": "object"},
    },
}
#: Errors any operation can answer, with the reason (added to every operation's responses).
COMMON_ERRORS = {
    "400": "Permintaan tidak sah (isian di luar batas, karakter NUL, …).",
    "401": "Tanpa token API atau sesi masuk yang sah.",
    "403": "Peran Anda tidak mengizinkan tindakan ini, atau pemeriksaan CSRF gagal.",
    "404": "Tidak ditemukan (atau program lain).",
    "422": "Isian tidak sesuai skema (jenis data, format tanggal, …).",
    "429": "Terlalu banyak permintaan; lihat header Retry-After.",
}


class LindungAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["Error"] = ERROR_SCHEMA
        for path in schema.get("paths", {}).values():
            for operation in path.values():
                if not isinstance(operation, dict) or "responses" not in operation:
                    continue
                responses = operation["responses"]
                for status, description in COMMON_ERRORS.items():
                    if status in responses or int(status) in responses:
                        continue
                    responses[status] = {
                        "description": description,
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                        },
                    }
                    if status == "429":
                        responses[status]["headers"] = {
                            "Retry-After": {
                                "description": "Detik sampai permintaan boleh diulang.",
                                "schema": {"type": "integer"},
                            }
                        }
        return schema


api = LindungAPI(
    title="Lindung API",
    version="1",
    urls_namespace="api",
    auth=[TokenAuth(), SessionAuth()],
    throttle=[TokenThrottle(), UserThrottle()],
    docs_url="/docs",
    openapi_url="/v1/openapi.json",
    description=(
        "API Lindung: program JKK-JKM BPJS Ketenagakerjaan yang dibiayai Pemda. Masuk dengan "
        "token API pribadi (halaman *Token API* di program Anda): `Authorization: Bearer lnd_…`."
    ),
)
api.add_router("/v1/", rules_router)
api.add_router("/v1/", programmes_router)
api.add_router("/v1/", registry_router)
api.add_router("/v1/", coverage_router)
api.add_router("/v1/", claims_router)
api.add_router("/v1/", reports_router)
api.add_router("/v1/", planning_router)


@api.exception_handler(DomainError)
def refused(request, exc):
    """Every refusal of every endpoint: 400 (403 for the authorization path) with
    ``{"detail": message, "error": {"field", "message_id", "message_en"}}``."""
    return api_response(api, request, exc)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": str(exc) or "Tidak ditemukan."}, status=404)


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    response = api.create_response(
        request,
        {
            "detail": "Belum masuk: kirim token API (Authorization: Bearer lnd_…) atau masuk "
            "lewat halaman Lindung."
        },
        status=401,
    )
    response["WWW-Authenticate"] = 'Bearer realm="lindung"'
    return response


@api.exception_handler(Throttled)
def throttled(request, exc):
    wait = f" dalam {int(exc.wait)} detik" if exc.wait else " nanti"
    return api.create_response(
        request, {"detail": f"Terlalu banyak permintaan; coba lagi{wait}."}, status=429
    )


@api.exception_handler(ValidationError)
def invalid(request, exc):
    parts = []
    for error in exc.errors[:5]:
        where = ".".join(str(p) for p in error.get("loc", ()) if p not in ("body", "query"))
        parts.append(f"{where or 'isian'}: {error.get('msg', 'tidak sah')}")
    return api.create_response(
        request,
        {"detail": "Isian tidak sah — " + "; ".join(parts), "errors": _plain(exc.errors)},
        status=422,
    )


@api.exception_handler(HttpError)
def http_error(request, exc):
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


def _plain(errors: list) -> list[dict]:
    """Validation errors as JSON-safe dictionaries (pydantic may put exceptions in ``ctx``)."""
    out = []
    for error in errors:
        item = {k: v for k, v in error.items() if k in ("type", "loc", "msg")}
        item["loc"] = [str(p) for p in item.get("loc", ())]
        out.append(item)
    return out
