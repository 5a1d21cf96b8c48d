import json
import os
import subprocess
import sys

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_lindung_check_prints_json_health(capsys):
    call_command("health")
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is True
    assert report["database"]["engine"] in {"sqlite", "postgresql"}
    assert report["database"]["reachable"] is True
    assert report["migrations"]["up_to_date"] is True
    assert report["migrations"]["pending"] == []
    assert report["version"]


def test_lindung_check_reports_pending_migrations(tmp_path):
    """On an empty database the health report says what is missing and exits non-zero."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("LINDUNG_", "DATABASE_URL", "DJANGO_ALLOW_ASYNC"))
    }
    env["LINDUNG_VAR_DIR"] = str(tmp_path)
    out = subprocess.run(
        [sys.executable, "-m", "lindung", "check"], env=env, capture_output=True, text=True
    )
    assert out.returncode == 1
    report = json.loads(out.stdout)
    assert report["ok"] is False
    assert report["migrations"]["pending"]
    assert "lindung migrate" in report["problems"][0]


@pytest.mark.django_db
def test_demo_builds_programme_and_users_idempotently(capsys):
    from django.contrib.auth import get_user_model

    from lindung.programmes.models import Membership, Programme

    call_command("demo", "--no-serve")
    out = capsys.readouterr().out
    assert "kota-madiun" in out and "lindung-demo" in out
    counts = (
        Programme.objects.count(),
        Membership.objects.count(),
        get_user_model().objects.count(),
        Programme.history.count(),
    )
    call_command("demo", "--no-serve")
    assert (
        Programme.objects.count(),
        Membership.objects.count(),
        get_user_model().objects.count(),
        Programme.history.count(),
    ) == counts
    assert Programme.objects.get(code="kota-madiun").name == "Pro JKK-JKM Kota Madiun"
    assert set(Membership.objects.values_list("role", flat=True)) == {
        "admin",
        "operator",
        "verifikator",
        "pimpinan",
        "auditor",
        "mitra_csr",
    }


@pytest.mark.django_db
def test_serve_says_what_to_do_first_only_on_a_fresh_database():
    """`lindung serve` on a database nobody can log in to names `lindung createsuperuser`; on a
    database with users (the demo, a Pemda at work) it says nothing of the kind."""
    import io

    from django.contrib.auth import get_user_model

    from lindung.core.management.commands.serve import Command

    out = io.StringIO()
    Command(stdout=out).first_run_hint()
    assert "lindung createsuperuser" in out.getvalue()
    get_user_model().objects.create_user("operator", password="x-Rahasia-123")
    out = io.StringIO()
    Command(stdout=out).first_run_hint()
    assert out.getvalue() == ""
