"""``GET /api/v1/participants`` and ``/participants/{id}``: scoped by programme and role."""

from __future__ import annotations

import pytest

from lindung.programmes.models import AccessLog, Role
from lindung.registry.models import Participant
from tests.actors import system

from .conftest import one, pu

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(programme, agencies, write, run):
    run(write([one(), pu()], "awal.xlsx"))
    return {p.person.nik: p for p in Participant.objects.select_related("person")}


def test_lookup_by_nik_with_full_nik_for_operator(programme, people, users, client_for):
    response = client_for(users["operator"]).get(
        "/api/v1/participants", {"nik": "3577014101900001", "programme": programme.code}
    )
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 1
    item = data["items"][0]
    assert item["nik"] == "3577014101900001" and item["nik_masked"] is False
    assert item["full_name"] == "SITI AMINAH" and item["segment"] == "BPU"
    assert item["income_tier"] == 1_000_000 and item["programme"] == programme.code
    log = AccessLog.objects.get()
    assert log.channel == "api" and log.action == "view" and log.user == users["operator"]


def test_nik_masked_for_auditor(programme, people, users, client_for):
    data = (
        client_for(users["auditor"])
        .get("/api/v1/participants", {"programme": programme.code})
        .json()
    )
    assert data["count"] == 2
    assert {i["nik"] for i in data["items"]} == {"3577••••••••0001", "3577••••••••0002"}
    assert all(i["nik_masked"] for i in data["items"])


def test_detail_with_family_and_log(programme, people, users, client_for):
    participant = people["3577020203850002"]
    response = client_for(users["verifikator"]).get(f"/api/v1/participants/{participant.pk}")
    assert response.status_code == 200
    data = response.json()
    assert data["monthly_wage"] == 2_422_105 and data["agency"] == "DINKES" and data["family"] == []
    assert (
        AccessLog.objects.filter(channel="api", object_id=str(participant.person_id)).count() == 1
    )


def test_other_programme_is_invisible(programme, other_programme, people, make_user, client_for):
    outsider = client_for(make_user("luar", other_programme, Role.ADMIN))
    participant = people["3577014101900001"]
    assert outsider.get(f"/api/v1/participants/{participant.pk}").status_code == 404
    assert outsider.get("/api/v1/participants", {"programme": programme.code}).status_code == 404
    data = outsider.get("/api/v1/participants", {"nik": "3577014101900001"}).json()
    assert data["count"] == 0
    assert AccessLog.objects.filter(programme=programme).count() == 0


def test_without_programme_searches_every_visible_programme(
    programme, other_programme, people, users, client_for, run, write
):
    from lindung.programmes.services import set_membership

    operator = users["operator"]
    set_membership(programme=other_programme, user=operator, role=Role.PIMPINAN, actor=system())
    run(write([one(kode_kelurahan="35.19.01.2001")], "lain.xlsx"), prog=other_programme)
    data = client_for(operator).get("/api/v1/participants", {"nik": "3577014101900001"}).json()
    assert data["count"] == 2
    by_programme = {i["programme"]: i["nik"] for i in data["items"]}
    assert by_programme == {
        programme.code: "3577014101900001",
        other_programme.code: "3577••••••••0001",
    }


def test_mitra_csr_and_anonymous(programme, people, users, client_for):
    from django.test import Client

    assert (
        client_for(users["mitra_csr"])
        .get("/api/v1/participants", {"programme": programme.code})
        .json()["count"]
        == 0
    )
    participant = people["3577014101900001"]
    assert (
        client_for(users["mitra_csr"]).get(f"/api/v1/participants/{participant.pk}").status_code
        == 404
    )
    assert Client().get("/api/v1/participants").status_code == 401


def test_pagination_limits(programme, people, users, client_for):
    client = client_for(users["operator"])
    data = client.get(
        "/api/v1/participants", {"programme": programme.code, "limit": 1, "offset": 1}
    ).json()
    assert data["count"] == 2 and len(data["items"]) == 1 and data["offset"] == 1
