"""Personal API tokens and the API's authentication and throttling.

**Token model.** A user creates a token for one programme in which they have a role (page
*Token API*). The secret (``lnd_`` + 43 random URL-safe characters, 256 bits) is shown once;
only its SHA-256 is stored (a high-entropy secret needs no slow hash). A request with
``Authorization: Bearer lnd_…`` acts as that user, **only in that programme** (every other
programme answers 404, as for a user without a role there) and with the user's *current* role
there: a changed role changes what the token may do, a removed membership or a deactivated user
ends it. Tokens expire (default 90 days, at most 365) and can be revoked by their owner or the
programme's Admin. Each use records the time and address (at most once a minute).

**Browser.** The session cookie keeps working for the browser, with Django's CSRF check on
writes. A request with neither a valid token nor a session answers **401** (not 403 CSRF).

**Throttling.** Per token (``LINDUNG_API_RATE_TOKEN``, default 120/min), per user across all
their tokens and sessions (``LINDUNG_API_RATE_USER``, 300/min); over the limit answers **429** with
``Retry-After`` (seconds until the oldest request in the window leaves it). The counters live in
the ``throttle`` cache (a file cache under ``LINDUNG_VAR_DIR/cache``, shared by the server's
processes).
"""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.core.cache import caches
from django.db import transaction
from django.utils import timezone, translation
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.throttling import SimpleRateThrottle
from ninja.utils import check_csrf

from .models import ApiToken, Membership, Programme
from .permissions import require

PREFIX = "lnd_"
DEFAULT_DAYS = 90
MAX_DAYS = 365
#: ``last_used_at`` is written at most this often per token (a busy integration must not turn
#: every read into a write).
TOUCH_EVERY = timedelta(minutes=1)


class TokenError(ValueError):
    """A refused token operation: ``str(exc)`` Indonesian, ``message_en`` English."""

    def __init__(self, message: str, message_en: str = ""):
        super().__init__(message)
        self.message_en = message_en or message

    def in_language(self, language: str | None = None) -> str:
        """The message in the page's language (as :meth:`DomainError.in_language`)."""
        language = language or translation.get_language() or "id"
        return self.message_en if language.startswith("en") else str(self)


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # shown once


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def create_token(*, actor, programme: Programme, name: str, days: int = DEFAULT_DAYS) -> NewToken:
    """A new token of ``actor`` for ``programme`` (any role may have one)."""
    require(actor, programme, "api.token")
    name = (name or "").strip()
    if not name:
        raise TokenError(
            "Beri nama token, mis. 'Integrasi SIMPEG'.",
            message_en="Give the token a name, e.g. 'SIMPEG integration'.",
        )
    if len(name) > 100:
        raise TokenError(
            "Nama token paling panjang 100 karakter.",
            message_en="A token's name has at most 100 characters.",
        )
    if not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise TokenError(
            f"Masa berlaku token 1 sampai {MAX_DAYS} hari.",
            message_en=f"A token is valid for 1 to {MAX_DAYS} days.",
        )
    secret = PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken(
            user=actor,
            programme=programme,
            name=name,
            prefix=secret[: len(PREFIX) + 6],
            token_hash=digest(secret),
            expires_at=timezone.now() + timedelta(days=days),
        )
        token._history_user = actor
        token.save()
    return NewToken(token, secret)


def revoke_token(*, actor, token: ApiToken) -> ApiToken:
    """Revoke a token: its owner, or the programme's Admin."""
    if token.user_id != actor.pk:
        require(actor, token.programme, "members.manage")
    else:
        require(actor, token.programme, "api.token")
    if token.revoked_at is not None:
        raise TokenError(
            "Token ini sudah dicabut.", message_en="This token has already been revoked."
        )
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.revoked_by = actor
        token._history_user = actor
        token.save(update_fields=["revoked_at", "revoked_by"])
    return token


def tokens_for(user, programme: Programme, *, everyone: bool = False):
    """The tokens shown on the page: the user's own, or (Admin) everyone's in the programme."""
    qs = ApiToken.objects.filter(programme=programme).select_related("user", "revoked_by")
    return qs if everyone else qs.filter(user=user)


def authenticate(secret: str, ip: str | None = None) -> ApiToken | None:
    """The active token with this secret (its user active and still a member), else ``None``."""
    if not secret or not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user", "programme")
        .filter(token_hash=digest(secret))
        .first()
    )
    if token is None or not token.active or not token.user.is_active:
        return None
    if not Membership.objects.filter(
        user_id=token.user_id, programme_id=token.programme_id
    ).exists():
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now, last_used_ip=ip)
        token.last_used_at, token.last_used_ip = now, ip
    return token


# --- django-ninja authentication ------------------------------------------------------------------


class TokenAuth(HttpBearer):
    """``Authorization: Bearer lnd_…``: the request acts as the token's user, in its programme."""

    def authenticate(self, request, token):
        found = authenticate(token, request.META.get("REMOTE_ADDR"))
        if found is None:
            return None
        user = found.user
        # permissions.role_of / visible_programmes read this: the token sees one programme.
        user._lindung_token_programme_id = found.programme_id
        request.user = user
        request.api_token = found
        return found


class SessionAuth(APIKeyCookie):
    """The browser's session; CSRF is checked on writes only for a logged-in session, so a
    request without credentials is a 401, not a 403 about CSRF."""

    param_name = "sessionid"

    def __init__(self) -> None:
        from django.conf import settings

        self.param_name = settings.SESSION_COOKIE_NAME
        super().__init__(csrf=True)

    def _get_key(self, request):
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request, key):
        if not request.user.is_authenticated:
            return None
        if request.method not in ("GET", "HEAD", "OPTIONS", "TRACE") and check_csrf(request):
            raise HttpError(
                403,
                "Pemeriksaan CSRF gagal: kirim header X-CSRFToken dari halaman Lindung, atau "
                "pakai token API (Authorization: Bearer …).",
            )
        return request.user


# --- throttling -----------------------------------------------------------------------------------


class _Throttle(SimpleRateThrottle):
    setting: str  # the rate, read from the settings at each request

    def __init__(self) -> None:
        super().__init__("1/s")

    def allow_request(self, request) -> bool:
        from django.conf import settings

        self.rate = getattr(settings, self.setting)
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    @property
    def cache(self):  # the file cache shared by the server's processes
        return caches["throttle"]

    def wait(self):
        """Seconds until the oldest request of the window leaves it (``Retry-After``)."""
        if not self.history:
            return None
        return max(1, math.ceil(self.duration - (self.now - self.history[-1])))


class TokenThrottle(_Throttle):
    setting, scope = "LINDUNG_API_RATE_TOKEN", "token"

    def get_cache_key(self, request):
        token = getattr(request, "api_token", None)
        return f"throttle-token-{token.pk}" if token is not None else None


class UserThrottle(_Throttle):
    setting, scope = "LINDUNG_API_RATE_USER", "user"

    def get_cache_key(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return f"throttle-user-{user.pk}"
