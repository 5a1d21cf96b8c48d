"""`lindung check` and `lindung serve` warn loudly when a demo password still works and the
server is bound to an address other machines reach (issue 15)."""

from __future__ import annotations

import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from lindung.core import exposure
from lindung.core.management.commands.health import health
from lindung.demo.build import DEMO_PASSWORD, DEMO_USERS


@pytest.mark.parametrize(
    ("bind", "loopback"),
    [
        ("127.0.0.1:8000", True),
        ("localhost:8000", True),
        ("[::1]:8000", True),
        ("unix:/run/lindung.sock", True),
        ("0.0.0.0:8000", False),
        (":8000", False),
        ("192.168.1.20:80", False),
        ("[::]:8000", False),
        ("lindung.pemda.go.id:443", False),
    ],
)
def test_loopback_addresses(bind, loopback):
    assert exposure.is_loopback(bind) is loopback


def test_the_demo_accounts_are_the_ones_checked():
    assert {name for name, _full, _role in DEMO_USERS} == set(exposure.DEMO_USERNAMES)
    assert DEMO_PASSWORD == exposure.DEMO_PASSWORD


@pytest.mark.django_db
def test_check_fails_loudly_while_a_demo_password_works_on_a_public_address(monkeypatch):
    users = get_user_model().objects
    admin = users.create_user("admin", password=DEMO_PASSWORD)
    users.create_user("pimpinan", password="sesuatu-yang-lain-123")
    assert exposure.demo_logins() == ["admin"]
    assert health("127.0.0.1:8000")["problems"] == []
    report = health("0.0.0.0:8000")
    assert report["ok"] is False
    assert any("PERINGATAN KEAMANAN" in p and "admin" in p for p in report["problems"])
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit):
        call_command("health", "--bind", "0.0.0.0:8000", stdout=out, stderr=err)
    assert "PERINGATAN KEAMANAN" in err.getvalue()
    assert json.loads(out.getvalue())["ok"] is False
    monkeypatch.setenv("LINDUNG_BIND", "0.0.0.0:8000")
    assert health()["ok"] is False  # lindung check reads the address serve would use
    admin.set_password("kata-sandi-baru-yang-panjang")
    admin.save()
    assert exposure.exposure_warning("0.0.0.0:8000") == ""
    assert health("0.0.0.0:8000")["problems"] == []
