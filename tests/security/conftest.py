"""Fixtures for the hardening tests: a small programme with billing, a claim, an import batch
and two scenarios, built through the services (re-using the coverage fixtures)."""

from __future__ import annotations

import pytest

from tests.coverage.conftest import (  # noqa: F401 — fixtures
    agreement,
    apbd,
    billing_ready,
    make_participant,
)


@pytest.fixture(autouse=True)
def media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
