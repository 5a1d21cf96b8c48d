"""Shared fixtures: programmes, users with roles, logged-in clients."""

from __future__ import annotations

import pytest
from django.test import Client

from lindung.programmes.models import Role
from lindung.programmes.services import create_programme, ensure_user, set_membership
from tests.actors import system

PASSWORD = "kata-sandi-uji-123"


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix) -> None:
    """SQLite test databases are files (see settings: concurrency is tested as in production);
    they need not survive a power cut, so commits are not flushed to disk (much faster
    migrations and flushes, same locking)."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        db["OPTIONS"]["init_command"] = db["OPTIONS"]["init_command"].replace(
            "synchronous=NORMAL", "synchronous=OFF"
        )


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: rolled-back tests reuse ids (SQLite), so a cached
    read model keyed by ids could otherwise outlive the data it was computed from."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def make_programme(db):
    def make(code="kota-uji", **fields):
        defaults = {
            "name": f"Program {code}",
            "pemda_name": f"Pemerintah {code}",
            "region_code": "35.77",
            "bpjs_branch": "Cabang Uji",
        }
        defaults.update(fields)
        return create_programme(actor=system(), code=code, **defaults)

    return make


@pytest.fixture
def programme(make_programme):
    return make_programme("kota-madiun", name="Pro JKK-JKM Kota Madiun")


@pytest.fixture
def other_programme(make_programme):
    return make_programme("kab-lain", name="Program Kabupaten Lain", region_code="35.19")


@pytest.fixture
def make_user(db):
    def make(username, programme=None, role=None):
        user = ensure_user(username, PASSWORD, first_name=username.title())
        if programme is not None and role is not None:
            set_membership(programme=programme, user=user, role=role, actor=system())
        return user

    return make


@pytest.fixture
def users(programme, make_user):
    """One user per role in ``programme``, keyed by role value."""
    return {role.value: make_user(f"u-{role.value}", programme, role) for role in Role}


@pytest.fixture
def client_for(db):
    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture(autouse=True)
def _private_throttle(settings):
    """The API's throttle counters in this process's memory (the file cache under ``var/`` is
    shared by the xdist workers, whose users have the same ids)."""
    settings.CACHES = {
        **settings.CACHES,
        "throttle": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "throttle-tests",
        },
    }
    from django.core.cache import caches

    caches["throttle"].clear()
    yield
