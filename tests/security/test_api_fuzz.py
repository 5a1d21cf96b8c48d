"""Property-based fuzzing of the whole API from its OpenAPI document (schemathesis).

Every operation is called with generated valid and invalid input (wrong types, negative
offsets, absurd periods, 1e30 amounts, over-long strings, NUL characters …) as an Admin holding
an API token; the programme code in the path is the real one so the calls reach the code behind
the permission check. Checked: **no 5xx**, and every status answered is declared in the schema.
Heavy: runs on SQLite only (``./dev test`` runs the suite on both databases).
"""

from __future__ import annotations

from datetime import date

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, connection
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import status_code_conformance

from lindung.claims import services as claims_services
from lindung.coverage import services as coverage_services
from lindung.programmes import tokens
from tests.actors import system

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "sqlite", reason="heavy: fuzzed on one database (SQLite)"
    ),
]


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """The raw WSGI application closes the database connection when a request ends; inside a
    test's transaction that would close the test database (a file on SQLite) under it. Django's
    own test client does the same as this, per request."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def admin_token(billing_ready, make_participant, users, settings):
    settings.LINDUNG_API_RATE_TOKEN = "100000/min"
    settings.LINDUNG_API_RATE_USER = "100000/min"
    programme = billing_ready
    worker = make_participant(programme, "PU", name="Budi Santoso")
    make_participant(programme, "BPU", name="Sri Wahyuni")
    coverage_services.run_billing(programme, 2025, 3, actor=system())
    claims_services.create_claim(
        programme, worker, "jkm_death", date(2025, 3, 10), actor=users["operator"]
    )
    secret = tokens.create_token(actor=users["admin"], programme=programme, name="fuzz").secret
    return programme, secret


@schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_server_error_and_every_status_documented(case, admin_token):
    programme, secret = admin_token
    if case.path_parameters and "code" in case.path_parameters:
        case.path_parameters["code"] = programme.code
    case.call_and_validate(
        headers={"Authorization": f"Bearer {secret}"},
        checks=[not_a_server_error, status_code_conformance],
        excluded_checks=[],
    )


@pytest.fixture
def api(admin_token):
    from django.test import Client

    programme, secret = admin_token
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return programme, client


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/claims?offset=-1", None),
        ("get", "/scholarships?offset=-1", None),
        ("get", "/claims?limit=99999999999999999999999", None),
        ("get", "/dashboard?dari=0001-01&sampai=9999-12", None),
        ("get", "/dashboard?dari=2025-01&sampai=2025-12&per=0001-01-01", None),
        ("get", "/invoices?offset=99999999999999", None),
        ("get", "/invoices/99999999999999999999999", None),
        ("post", "/claims", {"participant_id": 1, "type": "jkm_death", "event_date": "2025-03-10", "wage": 1e30}),
        ("post", "/claims", {"participant_id": 1, "type": "jkm_death", "event_date": "2025-03-10", "place": "x" * 1_000_000}),
        ("post", "/claims", {"participant_id": 1, "type": "jkm_death", "event_date": "0001-01-01"}),
        ("post", "/claims", {"participant_id": 1, "type": "jkk_accident", "event_date": "2025-03-10", "disability_percent": "abc"}),
        ("post", "/claims", {"participant_id": 1, "type": "jkm_death", "event_date": "2025-03-10", "reporter": "\u0000"}),
        ("post", "/plan", {"year": 2025, "start_month": 1, "apbd_budget": 1e30}),
        ("post", "/plan", {"year": 2025, "start_month": 1, "apbd_budget": 1000000, "csr_pledges": "x"}),
        ("post", "/plan", {"year": 99999, "start_month": 1, "apbd_budget": "1"}),
        ("post", "/plan", []),
    ],
)  # fmt: skip
def test_the_issue_examples_answer_4xx_with_a_reason(api, method, path, body):
    programme, client = api
    url = f"/api/v1/programmes/{programme.code}{path}"
    if method == "get":
        r = client.get(url)
    else:
        r = client.post(url, body, content_type="application/json")
    assert 400 <= r.status_code < 500, (path, r.status_code, r.content[:300])
    payload = r.json()
    assert payload.get("detail") or payload.get("error"), payload
