"""Response headers every dynamic response carries.

``Cache-Control: no-store`` (with Django's ``never_cache`` set: ``max-age=0, no-cache, no-store,
must-revalidate, private`` and an ``Expires`` in the past) on every page, API answer and
download Lindung renders: nearly all of them show personal data (names, NIKs, addresses,
claims), and a shared office computer or a proxy must not keep a copy. Static files (CSS, the
htmx script, icons) are served by WhiteNoise before this middleware and stay cacheable.

The Content-Security-Policy is set by django-csp (``CONTENT_SECURITY_POLICY`` in the settings).
"""

from __future__ import annotations

from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        add_never_cache_headers(response)
        return response


class BadParameterMiddleware:
    """A page's query parameter it cannot use (:class:`lindung.core.params.BadParameter`) is
    answered with 400 and the Indonesian message, instead of a server error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.shortcuts import render

        from .params import BadParameter

        if isinstance(exception, BadParameter):
            return render(
                request,
                "400.html",
                {"message": exception.in_language(), "parameter": exception.name},
                status=400,
            )
        return None


class NulCharacterMiddleware:
    """A NUL character (``%00``, ``\\u0000``) in a query string, a form or a JSON body is
    refused with 400 before any view runs: no name, address or search ever contains one, and
    PostgreSQL cannot store it (it would be a server error there). File uploads (multipart) are
    left alone: their files are binary."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "")
        bad = "%00" in query or "\x00" in query
        if not bad and request.method in ("POST", "PUT", "PATCH"):
            content_type = request.META.get("CONTENT_TYPE", "")
            if content_type.startswith(("application/x-www-form-urlencoded", "application/json")):
                try:
                    body = request.body
                except Exception:  # noqa: BLE001 — too large a body: Django answers it later
                    body = b""
                bad = b"%00" in body or b"\\u0000" in body or b"\x00" in body
        if bad:
            from django.http import JsonResponse
            from django.shortcuts import render

            message = "Isian memuat karakter NUL (kode 0) yang tidak sah. Hapus karakter itu."
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=400)
            return render(request, "400.html", {"message": message}, status=400)
        return self.get_response(request)


class ChosenLanguageMiddleware:
    """Bahasa Indonesia unless the user chose another language with the switch in the page
    footer (Django's ``set_language`` keeps the choice in the language cookie). The browser's
    ``Accept-Language`` is ignored on purpose: an office computer set to English must still show
    Indonesian pages, and a page is never half translated because of a browser setting."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.utils import translation
        from django.utils.cache import patch_vary_headers

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        available = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response
