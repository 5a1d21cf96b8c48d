"""The JSON API under ``/api/v1/`` (django-ninja; OpenAPI docs at ``/api/docs``, served locally).

Each app contributes a router; the permission helper guards every endpoint.
"""

from django.http import Http404
from ninja import NinjaAPI
from ninja.security import django_auth

from lindung.programmes.api import router as programmes_router

api = NinjaAPI(
    title="Lindung API",
    version="1",
    urls_namespace="api",
    auth=django_auth,
    docs_url="/docs",
    openapi_url="/v1/openapi.json",
    description="API Lindung: program JKK-JKM BPJS Ketenagakerjaan yang dibiayai Pemda.",
)
api.add_router("/v1/", programmes_router)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": str(exc) or "Tidak ditemukan."}, status=404)
