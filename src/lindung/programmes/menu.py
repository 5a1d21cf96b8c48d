"""The programme menu. Each app registers its entries in ``AppConfig.ready``; the menu shows
only the entries whose action the user's role allows."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from .permissions import can


@dataclass(frozen=True)
class MenuEntry:
    label: str
    url_name: str
    action: str
    order: int = 100


_ENTRIES: list[MenuEntry] = []


def register(label: str, url_name: str, action: str, order: int = 100) -> None:
    entry = MenuEntry(label, url_name, action, order)
    if entry not in _ENTRIES:
        _ENTRIES.append(entry)
        _ENTRIES.sort(key=lambda e: e.order)


def entries_for(user, programme) -> list[dict]:
    return [
        {
            "label": e.label,
            "url": reverse(e.url_name, args=[programme.code]),
            "url_name": e.url_name,
        }
        for e in _ENTRIES
        if can(user, programme, e.action)
    ]
