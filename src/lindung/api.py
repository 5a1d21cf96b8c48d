"""The JSON API under ``/api/v1/`` (django-ninja; OpenAPI docs at ``/api/docs``, served locally).

Each app contributes a router; the permission helper guards every endpoint.
"""

from django.http import Http404
from ninja import NinjaAPI
from ninja.security import django_auth

from lindung.claims.api import router as claims_router
from lindung.core.api import router as rules_router
from lindung.core.errors import DomainError, api_response
from lindung.coverage.api import router as coverage_router
from lindung.planning.api import router as planning_router
from lindung.programmes.api import router as programmes_router
from lindung.registry.api import router as registry_router
from lindung.reports.api import router as reports_router

api = NinjaAPI(
    title="Lindung API",
    version="1",
    urls_namespace="api",
    auth=django_auth,
    docs_url="/docs",
    openapi_url="/v1/openapi.json",
    description="API Lindung: program JKK-JKM BPJS Ketenagakerjaan yang dibiayai Pemda.",
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
