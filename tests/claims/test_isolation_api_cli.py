"""Cross-programme isolation, the JSON API and ``lindung claims export``."""

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from lindung.claims import queries, services
from lindung.claims.models import Claim
from lindung.programmes.models import AccessLog, Role

from .helpers import CHILD_TK, SPOUSE, bill_and_pay, make_participant, ready_for_bpjs

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_claims(programme, other_programme, users, make_user):
    mine = make_participant(programme, family=[SPOUSE])
    theirs = make_participant(other_programme, family=[SPOUSE])
    other_op = make_user("op-lain", other_programme, Role.OPERATOR)
    a = services.create_claim(
        programme, mine, "jkm_death", date(2025, 6, 1), actor=users["operator"]
    )
    b = services.create_claim(
        other_programme, theirs, "jkm_death", date(2025, 6, 2), actor=other_op
    )
    return a, b, other_op


def test_claims_of_another_programme_are_invisible(programme, users, client_for, two_claims):
    a, b, other_op = two_claims
    assert list(queries.claims(programme)) == [a]
    op = client_for(users["operator"])
    code = programme.code
    assert op.get(f"/p/{code}/klaim/{b.pk}/").status_code == 404
    assert op.get(f"/p/{code}/klaim/{b.pk}/berita-acara.pdf").status_code == 404
    doc = b.documents.first()
    assert op.get(f"/p/{code}/klaim/dokumen/{doc.pk}/berkas/").status_code == 404
    assert op.post(f"/p/{code}/klaim/dokumen/{doc.pk}/", {"received": "1"}).status_code == 404
    r = op.post(f"/p/{code}/klaim/{b.pk}/status/", {"to": "submitted_to_bpjs"})
    assert r.status_code == 404
    assert Claim.objects.get(pk=b.pk).state == "draft"
    # The other programme itself is a 404 for this user.
    assert op.get("/p/kab-lain/klaim/").status_code == 404
    assert op.get("/api/v1/programmes/kab-lain/claims").status_code == 404
    assert op.get(f"/api/v1/programmes/{code}/claims/{b.pk}").status_code == 404
    # The other programme's participant cannot be used here.
    with pytest.raises(services.ClaimError, match="bukan milik program"):
        services.create_claim(
            programme, b.participant, "jkm_death", date(2025, 6, 1), actor=users["operator"]
        )
    r = op.post(
        f"/api/v1/programmes/{code}/claims",
        data={
            "participant_nik": b.participant.person.nik,
            "type": "jkm_death",
            "event_date": "2025-06-01",
        },
        content_type="application/json",
    )
    assert r.status_code == 404
    export = [c["number"] for c in queries.export_claims(programme)]
    assert export == [a.number]


def test_api_reads_and_creates_claims(programme, users, client_for):
    p = make_participant(programme, start=date(2022, 10, 1), family=[SPOUSE, CHILD_TK])
    bill_and_pay(programme, date(2022, 10, 1), date(2025, 12, 1))
    op = client_for(users["operator"])
    base = f"/api/v1/programmes/{programme.code}/claims"
    r = op.post(
        base,
        data={
            "participant_nik": p.person.nik,
            "type": "jkm_death",
            "event_date": "2025-12-01",
            "place": "Madiun",
            "reporter": "Siti Aminah",
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["state"] == "draft" and body["covered"] is True
    assert body["entitlement"]["cash_total"] == 42_000_000
    assert body["entitlement"]["scholarship_commitment"] == 87_000_000
    r = op.post(
        base,
        data={"participant_nik": p.person.nik, "type": "jkk_death", "event_date": "2025-12-01"},
        content_type="application/json",
    )
    assert r.status_code == 400
    assert "Sudah ada klaim kematian" in r.json()["error"]["message_id"]
    r = client_for(users["verifikator"]).post(
        base,
        data={"participant_nik": p.person.nik, "type": "jkk_stmb", "event_date": "2025-12-01"},
        content_type="application/json",
    )
    assert r.status_code == 403

    rows = op.get(base, {"type": "jkm_death", "month": "2025-12"}).json()
    assert [c["number"] for c in rows] == [body["number"]]
    assert op.get(base, {"month": "2025-11"}).json() == []
    detail = op.get(f"{base}/{body['id']}").json()
    assert detail["heirs"][0]["full_name"] == "Siti Aminah"
    assert any("Akta kematian" in m for m in detail["missing"])
    assert detail["transitions"][0]["to_state"] == "draft"
    # A role without nik.full sees masked NIKs.
    pim = client_for(users["pimpinan"]).get(f"{base}/{body['id']}").json()
    assert "•" in pim["participant_nik"]
    assert AccessLog.objects.filter(channel="api", object_type="claims.claim").exists()

    claim = Claim.objects.get(pk=body["id"])
    ready_for_bpjs(claim, users["operator"])
    services.submit(claim, actor=users["operator"])
    services.verify(claim, actor=users["verifikator"])
    services.approve(claim, actor=users["admin"])
    plans = op.get(f"/api/v1/programmes/{programme.code}/scholarships").json()
    assert len(plans) == 1 and plans[0]["commitment"] == 87_000_000
    assert len(plans[0]["instalments"]) == 19
    due = op.get(f"/api/v1/programmes/{programme.code}/scholarships/due").json()
    assert due[0]["child_name"] == "Anak Calon TK" and due[0]["contact_phone"]


def test_cli_export_lists_every_claim_with_the_issue_fields(programme, users, tmp_path):
    p = make_participant(programme, start=date(2025, 1, 1), family=[SPOUSE])
    bill_and_pay(programme, date(2025, 1, 1), date(2025, 3, 1))
    claim = services.create_claim(
        programme, p, "jkm_death", date(2025, 3, 10), actor=users["operator"]
    )
    ready_for_bpjs(claim, users["operator"])
    services.submit(claim, actor=users["operator"])
    services.verify(claim, actor=users["verifikator"])
    services.approve(claim, actor=users["admin"])
    services.record_bpjs_amounts(claim, 42_000_000, 42_000_000, actor=users["operator"])
    services.mark_paid(claim, actor=users["operator"])
    services.record_handover(
        claim,
        date(2025, 4, 10),
        "Balai Kota",
        "Wali Kota Madiun",
        "Siti Aminah",
        42_000_000,
        actor=users["operator"],
    )
    q = make_participant(programme, start=date(2025, 1, 1))
    services.create_claim(
        programme, q, "jkk_stmb", date(2025, 3, 3), actor=users["operator"], incapacity_months=2
    )

    out = StringIO()
    call_command("claims", "export", "--programme", programme.code, "--format", "json", stdout=out)
    doc = json.loads(out.getvalue())
    assert doc["programme"] == programme.code and doc["count"] == 2
    second, first = doc["claims"]  # oldest event first: the STMB of 3 March, then the death
    for key in (
        "type",
        "state",
        "event_date",
        "participant_nik",
        "entitlement",
        "bpjs_decided",
        "bpjs_paid",
        "handover",
    ):
        assert key in first, key
    assert first["type"] == "jkm_death" and first["state"] == "paid"
    assert first["event_date"] == "2025-03-10"
    assert first["participant_nik"] == p.person.nik
    ent = first["entitlement"]
    assert ent["cash_total"] == 42_000_000 and ent["scholarship_commitment"] == 0
    assert ent["frozen"] is True
    assert [line["amount"] for line in ent["lines"]] == [20_000_000, 12_000_000, 10_000_000]
    assert set(ent["lines"][0]) == {"code", "label", "amount", "basis", "formula"}
    assert first["bpjs_decided"] == first["bpjs_paid"] == 42_000_000
    assert first["handover"]["date"] == "2025-04-10"
    assert first["handover"]["amount"] == 42_000_000
    assert second["type"] == "jkk_stmb" and second["handover"] is None
    assert second["bpjs_paid"] is None
    assert second["entitlement"]["cash_total"] == 2 * 2_422_105

    target = tmp_path / "klaim.xlsx"
    call_command(
        "claims", "export", "--programme", programme.code, "--format", "xlsx", "--out", str(target)
    )
    import polars as pl

    sheet = pl.read_excel(target, sheet_name="Klaim")
    assert sheet.height == 2
    assert sheet["NIK peserta"].to_list()[1] == p.person.nik  # text, all 16 digits
    assert sheet["Santunan tunai (Rp)"].to_list() == [2 * 2_422_105, 42_000_000]
    assert sheet["Tanggal penyerahan"].to_list()[1] == "2025-04-10"
    lines = pl.read_excel(target, sheet_name="Rincian hak")
    assert lines.height == 3 + 1
    assert AccessLog.objects.filter(channel="cli", action="export").count() == 2

    with pytest.raises(Exception, match="tidak ditemukan"):
        call_command("claims", "export", "--programme", "tidak-ada")
