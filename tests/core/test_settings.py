"""Settings come from the environment; checked in a fresh interpreter each time."""

from __future__ import annotations

import json
import os
import subprocess
import sys

PROBE = (
    "import json, django; from django.conf import settings; django.setup();"
    "db = settings.DATABASES['default'];"
    "print(json.dumps({'engine': db['ENGINE'], 'name': str(db['NAME']), 'host': db.get('HOST'),"
    " 'debug': settings.DEBUG, 'hosts': settings.ALLOWED_HOSTS, 'key': settings.SECRET_KEY,"
    " 'tz': settings.TIME_ZONE, 'lang': settings.LANGUAGE_CODE,"
    " 'secure': getattr(settings, 'SESSION_COOKIE_SECURE', False),"
    " 'hasher': settings.PASSWORD_HASHERS[0]}))"
)


def probe(tmp_path, **env):
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("LINDUNG_", "DATABASE_URL", "DJANGO_ALLOW_ASYNC"))
    }
    base.update({"DJANGO_SETTINGS_MODULE": "lindung.settings", "LINDUNG_VAR_DIR": str(tmp_path)})
    base.update(env)
    out = subprocess.run(
        [sys.executable, "-c", PROBE], env=base, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def test_defaults_sqlite_in_var_dir_and_generated_key(tmp_path):
    first = probe(tmp_path)
    assert first["engine"] == "django.db.backends.sqlite3"
    assert first["name"] == str(tmp_path / "lindung.sqlite3")
    assert first["debug"] is False
    assert first["tz"] == "Asia/Jakarta"
    assert first["lang"] == "id"
    assert first["hasher"].endswith("Argon2PasswordHasher")
    assert len(first["key"]) > 50
    key_file = tmp_path / "secret_key"
    assert key_file.read_text().strip() == first["key"]
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    # The generated key is kept: a second start uses the same one.
    assert probe(tmp_path)["key"] == first["key"]


def test_environment_overrides(tmp_path):
    got = probe(
        tmp_path,
        DATABASE_URL="postgres://lindung:rahasia@db.example:5433/lindung",
        LINDUNG_SECRET_KEY="k" * 60,
        LINDUNG_DEBUG="1",
        LINDUNG_ALLOWED_HOSTS="lindung.madiunkota.go.id, localhost",
        LINDUNG_HTTPS="1",
    )
    assert got["engine"] == "django.db.backends.postgresql"
    assert got["host"] == "db.example"
    assert got["name"] == "lindung"
    assert got["key"] == "k" * 60
    assert got["debug"] is True
    assert got["hosts"] == ["lindung.madiunkota.go.id", "localhost"]
    assert got["secure"] is True
    assert not (tmp_path / "secret_key").exists()


# Documented in docs/deployment.md: HSTS preload is the deployer's decision (it binds the domain
# and its subdomains in browsers for months), so it is opt-in with LINDUNG_HSTS_PRELOAD=1.
DOCUMENTED_DEPLOY_EXCEPTIONS = {"security.W021"}


def test_deploy_check_reports_nothing_in_production_settings(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("LINDUNG_", "DATABASE_URL", "DJANGO_ALLOW_ASYNC"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="lindung.settings",
        LINDUNG_VAR_DIR=str(tmp_path),
        LINDUNG_SECRET_KEY="x9-" + "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789" * 2,
        LINDUNG_DEBUG="0",
        LINDUNG_HTTPS="1",
        LINDUNG_ALLOWED_HOSTS="lindung.example.go.id",
    )
    out = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
    )
    import re

    found = set(re.findall(r"\((\w+\.[WE]\d+)\)", out.stdout + out.stderr))
    assert found <= DOCUMENTED_DEPLOY_EXCEPTIONS, out.stdout + out.stderr
    assert "Traceback" not in out.stderr
    env["LINDUNG_HSTS_PRELOAD"] = "1"
    out = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stdout + out.stderr
