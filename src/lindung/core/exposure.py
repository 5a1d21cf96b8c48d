"""Is a demo password still valid on a server others can reach? ``lindung check`` and
``lindung serve`` warn loudly when the demo accounts (``lindung demo``) still log in with the
demo password and the server is bound to an address other than loopback."""

from __future__ import annotations

import ipaddress

#: The demo's accounts and password (``lindung.demo.build`` creates them with these).
DEMO_PASSWORD = "lindung-demo"
DEMO_USERNAMES = (
    "admin",
    "operator",
    "verifikator",
    "verifikator2",
    "pimpinan",
    "auditor",
    "mitra",
)


def is_loopback(bind: str) -> bool:
    """``127.0.0.1:8000``, ``localhost:8000``, ``[::1]:8000`` and ``unix:/path`` are reachable
    from this machine only; ``0.0.0.0:8000``, ``:8000`` or a LAN address are not."""
    bind = (bind or "").strip()
    if bind.startswith("unix:"):
        return True
    host = bind.rsplit(":", 1)[0] if ":" in bind and not bind.endswith("]") else bind
    host = host.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name or an empty host (every address)


def demo_logins() -> list[str]:
    """The active demo accounts whose password is still the demo password."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(username__in=DEMO_USERNAMES, is_active=True)
    return sorted(u.username for u in users if u.check_password(DEMO_PASSWORD))


def exposure_warning(bind: str) -> str:
    """An Indonesian warning when a demo password works and ``bind`` is not loopback, or ``""``."""
    if is_loopback(bind):
        return ""
    names = demo_logins()
    if not names:
        return ""
    return (
        f"PERINGATAN KEAMANAN: akun demo ({', '.join(names)}) masih dapat masuk dengan kata sandi "
        f"demo, dan Lindung melayani alamat {bind} yang dapat dijangkau komputer lain. Ganti kata "
        "sandinya (lindung changepassword NAMA) atau nonaktifkan akun itu, atau layani hanya di "
        "127.0.0.1."
    )
