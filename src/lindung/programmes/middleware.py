"""A user holding a temporary password must choose their own before doing anything else.

At login (``user_logged_in``) the session notes whether the account has a temporary password;
while it does, every page except the password change, logout and language switch redirects to
the password change (the API answers 403 with the reason). The password change clears it.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext, gettext_noop

SESSION_KEY = "lindung_must_change_password"
#: Indonesian in the API's ``detail`` (as every API message); the page's language on pages.
MESSAGE = gettext_noop("Anda masuk dengan kata sandi sementara: buat kata sandi Anda sendiri dulu.")
ALLOWED = {"password_change", "password_change_done", "logout", "login", "set_language"}


def note_temporary_password(sender, request, user, **kwargs) -> None:
    """``user_logged_in`` receiver."""
    from .accounts import must_change_password

    if must_change_password(user):
        request.session[SESSION_KEY] = True
    else:
        request.session.pop(SESSION_KEY, None)


class PasswordChangeRequired:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        session = getattr(request, "session", None)
        if session is None or not session.get(SESSION_KEY):
            return None
        if not request.user.is_authenticated:
            return None
        match = request.resolver_match
        if match is not None and match.url_name in ALLOWED:
            return None
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": MESSAGE}, status=403)
        messages.warning(request, gettext(MESSAGE))
        return redirect("password_change")
