"""``lindung backup`` / ``lindung restore``: one file with the database, the uploaded files
and (optionally) the secret key.

- **SQLite**: the online backup API (``sqlite3.Connection.backup``) copies a consistent
  snapshot while the server keeps running — never a copy of a live file with its WAL.
- **PostgreSQL**: ``pg_dump --format=custom`` (restored with ``pg_restore``).
- **Files**: ``MEDIA_ROOT`` (claim documents, import staging files), and with
  ``--with-secret-key`` the secret key (needed to keep sessions and signed links valid; keep
  such a backup as secret as the key itself).

The archive is a ``.tar.gz`` with ``manifest.json`` (Lindung version, engine, time, the row
count of every table) — ``restore`` checks the counts after restoring. It is written 0600.
``restore`` refuses a database that already holds data: restore onto an empty one (freshly
created, migrated or not).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import connection

import lindung
from lindung.core import sql


class BackupError(RuntimeError):
    """A backup or restore that cannot be done; the message is Indonesian."""


def row_counts() -> dict[str, int]:
    """Rows in every table of the database (Django's and Lindung's)."""
    return sql.table_row_counts()


def _pg_env() -> tuple[list[str], dict]:
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = ["--host", str(db.get("HOST") or "localhost"), "--port", str(db.get("PORT") or 5432)]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    return args, env


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for folder in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (folder / name).exists():
            return str(folder / name)
    raise BackupError(f"Program {name} tidak ditemukan: pasang paket postgresql-client.")


def backup(out: Path, *, with_secret_key: bool = False) -> dict:
    """Write the backup archive to ``out``; returns the manifest."""
    vendor = connection.vendor
    manifest = {
        "lindung": lindung.__version__,
        "engine": vendor,
        "created_at": datetime.now().astimezone().isoformat(timespec="seconds"),
        "tables": row_counts(),
        "secret_key": with_secret_key,
    }
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if vendor == "sqlite":
            sql.sqlite_backup_to(work / "db.sqlite3")
            db_name = "db.sqlite3"
        elif vendor == "postgresql":
            args, env = _pg_env()
            name = settings.DATABASES["default"]["NAME"]
            subprocess.run(
                [_pg_tool("pg_dump"), "--format=custom", "--no-owner", *args,
                 "--file", str(work / "db.pgdump"), name],
                env=env, check=True, capture_output=True,
            )  # fmt: skip
            db_name = "db.pgdump"
        else:  # pragma: no cover — Lindung runs on SQLite or PostgreSQL
            raise BackupError(f"Basis data {vendor} tidak didukung untuk cadangan.")
        manifest["database"] = db_name
        out.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh, tarfile.open(fileobj=fh, mode="w:gz") as tar:
            data = json.dumps(manifest, indent=2).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
            tar.add(work / db_name, arcname=db_name)
            media = Path(settings.MEDIA_ROOT)
            if media.exists():
                tar.add(media, arcname="media")
            if with_secret_key:
                key = settings.SECRET_KEY.encode()
                info = tarfile.TarInfo("secret_key")
                info.size, info.mode = len(key), 0o600
                tar.addfile(info, io.BytesIO(key))
    return manifest


def _database_is_empty() -> bool:
    tables = connection.introspection.table_names()
    if "programmes_programme" not in tables:
        return not any(t for t in tables if not t.startswith("sqlite_"))
    counts = row_counts()
    return all(
        n == 0
        for table, n in counts.items()
        if not table.startswith(("django_migrations", "django_content_type", "auth_permission"))
    )


def restore(archive: Path) -> dict:
    """Restore a backup onto an empty database and ``MEDIA_ROOT``; returns the manifest."""
    if not archive.exists():
        raise BackupError(f"Berkas cadangan {archive} tidak ada.")
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(archive, "r:gz") as tar:
        tar.extractall(tmp, filter="data")
        work = Path(tmp)
        manifest = json.loads((work / "manifest.json").read_text())
        vendor = connection.vendor
        if manifest["engine"] != vendor:
            raise BackupError(
                f"Cadangan ini dari {manifest['engine']}, basis data tujuan {vendor}: pulihkan "
                "ke jenis basis data yang sama."
            )
        if not _database_is_empty():
            raise BackupError(
                "Basis data tujuan sudah berisi data. Pulihkan ke basis data kosong (buat baru), "
                "agar tidak ada yang tertimpa."
            )
        if vendor == "sqlite":
            source = sqlite3.connect(work / manifest["database"])
            connection.ensure_connection()
            connection.close()
            target = sqlite3.connect(settings.DATABASES["default"]["NAME"])
            with target:
                source.backup(target)
            source.close()
            target.close()
        else:
            args, env = _pg_env()
            name = settings.DATABASES["default"]["NAME"]
            subprocess.run(
                [_pg_tool("pg_restore"), "--no-owner", "--clean", "--if-exists", *args,
                 "--dbname", name, str(work / manifest["database"])],
                env=env, check=True, capture_output=True,
            )  # fmt: skip
        media = work / "media"
        if media.exists():
            target_media = Path(settings.MEDIA_ROOT)
            shutil.copytree(media, target_media, dirs_exist_ok=True)
        if manifest.get("secret_key") and (work / "secret_key").exists():
            key_path = Path(settings.VAR_DIR) / "secret_key"
            if not key_path.exists():
                fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "w") as fh:
                    fh.write((work / "secret_key").read_text())
    connection.close()
    now = row_counts()
    wrong = {t: (n, now.get(t)) for t, n in manifest["tables"].items() if now.get(t) != n}
    if wrong:
        raise BackupError(f"Jumlah baris setelah pemulihan berbeda: {wrong}")
    return manifest
