"""View decorator: resolve ``<code>`` to a programme the user may act in."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required

from .permissions import programme_for


def programme_view(action: str = "programme.view"):
    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, code, *args, **kwargs):
            request.programme = programme_for(request.user, code, action)
            return view(request, request.programme, *args, **kwargs)

        return wrapper

    return decorator
