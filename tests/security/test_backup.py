"""``lindung backup`` and ``lindung restore``: a programme with participants, billing, a claim
with a document and an import round-trips — every table's row count, the uploaded files and the
programme report are the same after restoring onto an empty database of the same engine — SQLite
through its online backup API, PostgreSQL through pg_dump and pg_restore (issue 15)."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
from datetime import date

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from lindung.claims import services as claims_services
from lindung.claims.models import Document
from lindung.core.backup import row_counts
from lindung.coverage import services as coverage_services
from tests.actors import system

pytestmark = pytest.mark.django_db(transaction=True)
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def report(env=None) -> dict:
    args = ["report", "--programme", "kota-madiun", "--from", "2025-01", "--to", "2025-12",
            "--as-of", "2025-12-31", "--format", "json"]  # fmt: skip
    if env is None:
        out = io.StringIO()
        call_command(*args, stdout=out)
        return json.loads(out.getvalue())
    done = subprocess.run(
        [sys.executable, "-m", "lindung", *args], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def empty_target(tmp_path):
    """An empty database of the same engine for the restore, the environment of a ``lindung``
    process that uses it, a way to count its rows, and a clean-up."""
    target = tmp_path / "pulih"
    target.mkdir()
    env = dict(os.environ, LINDUNG_VAR_DIR=str(target), DJANGO_SETTINGS_MODULE="lindung.settings")
    if connection.vendor == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{target / 'lindung.sqlite3'}"

        def count(table):
            with sqlite3.connect(target / "lindung.sqlite3") as c:
                return c.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]

        return target, env, count, lambda: None
    import psycopg

    db = settings.DATABASES["default"]
    name = f"lindung_pulih_{os.getpid()}"
    conninfo = dict(host=db["HOST"] or "localhost", port=db["PORT"] or 5432, user=db["USER"])
    if db.get("PASSWORD"):
        conninfo["password"] = db["PASSWORD"]
    with psycopg.connect(dbname="postgres", autocommit=True, **conninfo) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    env["DATABASE_URL"] = (
        f"postgres://{db['USER']}{password}@{conninfo['host']}:{conninfo['port']}/{name}"
    )

    def count(table):
        with psycopg.connect(dbname=name, **conninfo) as c:
            return c.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]

    def drop():
        with psycopg.connect(dbname="postgres", autocommit=True, **conninfo) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return target, env, count, drop


def test_backup_and_restore_round_trip(
    billing_ready, make_participant, users, tmp_path, media_root
):
    programme = billing_ready
    workers = [make_participant(programme, "PU", name=f"Pekerja {i}") for i in range(5)]
    coverage_services.run_billing(programme, 2025, 3, actor=system())
    claim = claims_services.create_claim(
        programme, workers[0], "jkm_death", date(2025, 3, 10), actor=users["operator"]
    )
    document = Document.objects.filter(claim=claim).first()
    claims_services.upload_document(document, PDF, "akta.pdf", actor=users["operator"])
    before_report = report()  # (writes the access log and the dashboard read model)
    before_counts = row_counts()

    archive = tmp_path / "cadangan.tar.gz"
    call_command("backup", "--out", str(archive), stdout=io.StringIO())
    assert archive.stat().st_mode & 0o077 == 0  # the archive is private
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
    dump = "db.sqlite3" if connection.vendor == "sqlite" else "db.pgdump"
    assert manifest["engine"] == connection.vendor and manifest["database"] == dump
    assert dump in names and "secret_key" not in names
    assert any(n.startswith("media/claims/") for n in names)
    assert manifest["tables"] == before_counts

    target, env, count, drop = empty_target(tmp_path)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "lindung", "restore", str(archive)],
            env=env, capture_output=True, text=True,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-2000:]
        for table, n in before_counts.items():
            assert count(table) == n, table
        restored_file = target / "media" / Document.objects.get(pk=document.pk).file_path
        assert restored_file.read_bytes() == PDF
        assert report(env) == before_report
        # a database that already holds data is refused
        again = subprocess.run(
            [sys.executable, "-m", "lindung", "restore", str(archive)],
            env=env, capture_output=True, text=True,
        )  # fmt: skip
        assert again.returncode != 0 and "sudah berisi data" in again.stderr
    finally:
        drop()
