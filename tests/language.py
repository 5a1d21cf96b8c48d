"""Pages read in a chosen language (issue 16): the language cookie the footer's switch sets,
and the page's text unescaped for plain ``in`` assertions."""

from __future__ import annotations

import html

from django.conf import settings


def choose(client, language: str):
    """``client`` now reads pages in ``language`` (``"id"`` or ``"en"``)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def text(response) -> str:
    return html.unescape(response.content.decode())


def post(client, url, data, language, *, follow: bool = True) -> str:
    """The page answering ``data`` posted in ``language`` (the redirect followed unless
    ``follow=False``: a refused form answers itself), unescaped; it must answer 200."""
    response = choose(client, language).post(url, data, follow=follow)
    assert response.status_code == 200
    return text(response)


def page(client, url, data=None, language="id") -> str:
    """The page at ``url`` in ``language`` (``data`` posted when given), unescaped."""
    choose(client, language)
    return text(client.post(url, data) if data is not None else client.get(url))
