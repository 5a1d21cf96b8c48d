"""Personal API tokens, 401 for anonymous requests, throttling with Retry-After (issue 15)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from lindung.programmes import tokens
from lindung.programmes.models import ApiToken, Membership, Role

pytestmark = pytest.mark.django_db

QUOTE = {
    "benefit": "jkm_death",
    "segment": "BPU",
    "event_date": "2025-06-01",
    "contribution_months": 40,
}


def bearer(secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def two(programme, other_programme, make_user):
    """A Verifikator in both programmes."""
    user = make_user("integrasi", programme, Role.VERIFIKATOR)
    Membership.objects.create(user=user, programme=other_programme, role=Role.VERIFIKATOR)
    return user


def test_a_token_is_shown_once_and_stored_only_as_a_hash(programme, two):
    new = tokens.create_token(actor=two, programme=programme, name="SIMPEG")
    assert new.secret.startswith("lnd_") and len(new.secret) > 40
    row = ApiToken.objects.get()
    assert new.secret not in (row.token_hash, row.prefix, row.name)
    assert row.token_hash == tokens.digest(new.secret)
    assert new.secret.startswith(row.prefix)
    assert row.expires_at - timezone.now() > timedelta(days=89)


def test_a_token_acts_only_in_its_programme_with_the_users_role(programme, other_programme, two):
    secret = tokens.create_token(actor=two, programme=programme, name="SIMPEG").secret
    c = Client()
    me = c.get("/api/v1/me", **bearer(secret))
    assert me.status_code == 200
    assert [p["code"] for p in me.json()["programmes"]] == [programme.code]
    assert me.json()["programmes"][0]["role"] == "verifikator"
    assert c.get(f"/api/v1/programmes/{programme.code}/claims", **bearer(secret)).status_code == 200
    # the other programme, where the same user has a role, does not exist for this token
    foreign = c.get(f"/api/v1/programmes/{other_programme.code}/claims", **bearer(secret))
    assert foreign.status_code == 404
    # the role limits the token: a Verifikator may not create claims
    denied = c.post(
        f"/api/v1/programmes/{programme.code}/claims",
        {"participant_id": 1, "type": "jkm_death", "event_date": "2025-01-01"},
        content_type="application/json",
        **bearer(secret),
    )
    assert denied.status_code == 403
    # a removed membership ends the token
    Membership.objects.filter(user=two, programme=programme).delete()
    assert c.get("/api/v1/me", **bearer(secret)).status_code == 401


def test_expired_revoked_and_wrong_tokens_answer_401(programme, two):
    c = Client()
    expired = tokens.create_token(actor=two, programme=programme, name="lama")
    ApiToken.objects.filter(pk=expired.token.pk).update(expires_at=timezone.now())
    revoked = tokens.create_token(actor=two, programme=programme, name="dicabut")
    tokens.revoke_token(actor=two, token=revoked.token)
    for secret in (expired.secret, revoked.secret, "lnd_salah", "bukan-token", ""):
        r = c.get("/api/v1/me", **bearer(secret))
        assert r.status_code == 401, secret
        assert "token API" in r.json()["detail"]
        assert r["WWW-Authenticate"].startswith("Bearer")


def test_anonymous_writes_answer_401_not_csrf_403(programme):
    c = Client(enforce_csrf_checks=True)
    r = c.post(
        f"/api/v1/programmes/{programme.code}/claims",
        {"participant_id": 1, "type": "jkm_death", "event_date": "2025-01-01"},
        content_type="application/json",
    )
    assert r.status_code == 401
    assert c.post("/api/v1/benefits/quote", {}, content_type="application/json").status_code == 401


def test_the_browser_session_keeps_working_with_csrf(programme, users):
    c = Client(enforce_csrf_checks=True)
    c.force_login(users["operator"])
    assert c.get("/api/v1/me").status_code == 200
    r = c.post("/api/v1/benefits/quote", {}, content_type="application/json")
    assert r.status_code == 403 and "CSRF" in r.json()["detail"]
    c.get(f"/p/{programme.code}/")  # a page sets the CSRF cookie
    token = c.cookies["csrftoken"].value
    r = c.post(
        "/api/v1/benefits/quote",
        QUOTE,
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert r.status_code == 200, r.content
    # a token needs no CSRF token
    secret = tokens.create_token(actor=users["operator"], programme=programme, name="x").secret
    r = Client(enforce_csrf_checks=True).post(
        "/api/v1/benefits/quote",
        QUOTE,
        content_type="application/json",
        **bearer(secret),
    )
    assert r.status_code == 200


def test_throttle_per_token_and_per_user_with_retry_after(programme, two, settings):
    settings.LINDUNG_API_RATE_TOKEN = "3/min"
    settings.LINDUNG_API_RATE_USER = "6/min"  # the refused 4th request counts for the user too
    first = tokens.create_token(actor=two, programme=programme, name="a").secret
    second = tokens.create_token(actor=two, programme=programme, name="b").secret
    c = Client()
    assert [c.get("/api/v1/me", **bearer(first)).status_code for _ in range(3)] == [200] * 3
    limited = c.get("/api/v1/me", **bearer(first))
    assert limited.status_code == 429
    assert 1 <= int(limited["Retry-After"]) <= 60
    assert "Terlalu banyak permintaan" in limited.json()["detail"]
    # another token of the same user still has its own allowance, until the user's limit
    assert [c.get("/api/v1/me", **bearer(second)).status_code for _ in range(2)] == [200, 200]
    assert c.get("/api/v1/me", **bearer(second)).status_code == 429


def test_the_token_page_lists_creates_and_revokes(programme, users, client_for):
    op = client_for(users["operator"])
    url = f"/p/{programme.code}/token-api/"
    r = op.post(url, {"action": "create", "name": "Integrasi SIMPEG", "days": "30"})
    assert r.status_code == 200
    html = r.content.decode()
    secret = html.split('id="new-token" class="token-secret">')[1].split("<")[0]
    assert Client().get("/api/v1/me", **bearer(secret)).status_code == 200
    page = op.get(url).content.decode()
    assert "Integrasi SIMPEG" in page and secret not in page
    assert "aktif" in page and "Terakhir dipakai" in page
    token = ApiToken.objects.get()
    assert token.last_used_at is not None
    # another user cannot revoke it; its owner can
    other = client_for(users["verifikator"])
    assert other.post(url, {"action": "revoke", "token": token.pk}).status_code == 404
    op.post(url, {"action": "revoke", "token": token.pk})
    assert Client().get("/api/v1/me", **bearer(secret)).status_code == 401
    # the Admin sees everyone's tokens
    assert "Integrasi SIMPEG" in client_for(users["admin"]).get(url).content.decode()
    bad = op.post(url, {"action": "create", "name": "x", "days": "9999"})
    assert "antara 1 dan 365" in bad.content.decode()
