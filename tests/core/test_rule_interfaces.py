"""The rules through their interfaces: `lindung quote`, `lindung nik`, the API and the web page."""

from __future__ import annotations

import json
import subprocess
import sys

from django.urls import reverse

MADIUN_129 = {
    "benefit": "jkm_death",
    "segment": "PU",
    "event_date": "2025-12-01",
    "contribution_months": 40,
    "children": [{"birth_date": "2022-03-01", "level": "none"}],
}


def run_cli(*args, stdin=""):
    return subprocess.run(
        [sys.executable, "-m", "lindung", *args], input=stdin, capture_output=True, text=True
    )


def test_quote_cli_single_request():
    out = run_cli("quote", stdin=json.dumps(MADIUN_129))
    assert out.returncode == 0, out.stderr
    body = json.loads(out.stdout)
    assert body["cash_total"] == 42_000_000
    assert body["scholarship_commitment"] == 87_000_000
    assert body["scholarship_eligible"] is True
    assert all(p["ref"] and p["from"] for p in body["parameters"])


def test_quote_cli_invalid_input_names_the_field_without_traceback():
    out = run_cli(
        "quote",
        stdin=json.dumps({"benefit": "jkk_death", "segment": "PU", "event_date": "2025-06-01"}),
    )
    assert out.returncode == 1
    assert "Traceback" not in out.stderr + out.stdout
    err = json.loads(out.stdout)["error"]
    assert err["field"] == "monthly_wage"
    assert err["message_id"] and err["message_en"]


def test_quote_cli_batch_one_response_per_line():
    lines = [
        json.dumps(MADIUN_129),
        "{not json",
        json.dumps({**MADIUN_129, "contribution_months": 20}),
    ]
    out = run_cli("quote", "--batch", stdin="\n".join(lines) + "\n")
    assert out.returncode == 0
    replies = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(replies) == 3
    assert replies[0]["grand_total"] == 129_000_000
    assert "error" in replies[1]
    assert replies[2]["scholarship_eligible"] is False
    assert replies[2]["scholarship_commitment"] == 0
    assert replies[2]["cash_total"] == 42_000_000


def test_nik_cli_prints_one_json_object_per_nik():
    out = run_cli(
        "nik", "check", "3577014101100001", "3577010101100000", "--birth-date", "2010-01-01"
    )
    assert out.returncode == 1  # the second one is invalid
    first, second = (json.loads(line) for line in out.stdout.splitlines())
    assert first["valid"] is True
    assert first["sex"] == "P" and first["birth_date"] == "2010-01-01"  # not 1910
    assert (first["province"], first["regency"], first["district"]) == (
        "Jawa Timur",
        "Kota Madiun",
        "Kartoharjo",
    )
    assert second["valid"] is False
    assert second["errors"] and all(e["message_id"] for e in second["errors"])


def test_nik_cli_old_region_code_and_corrected_birth_date_are_valid_with_warnings():
    # issue 17: NIKs Dukcapil really issued
    out = run_cli("nik", "check", "9109011708850001", "6473011708850001", "9271011708850001")
    assert out.returncode == 0, out.stdout
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["valid"] for r in rows] == [True, True, True]
    assert [r["current_regency_code"] for r in rows] == ["94.04", "65.71", "96.71"]
    assert all(r["warnings"][0]["code"] == "regency_old" for r in rows)
    assert "sekarang 94.04 Mimika" in rows[0]["warnings"][0]["message_id"]
    out = run_cli("nik", "check", "3577011708850001", "--birth-date", "1985-08-18")
    assert out.returncode == 0
    row = json.loads(out.stdout)
    assert row["valid"] is True and row["errors"] == []
    assert [w["code"] for w in row["warnings"]] == ["birth_date_mismatch"]
    strict = run_cli("nik", "check", "3577011708850001", "--birth-date=1985-08-18", "--strict")
    assert strict.returncode == 1 and json.loads(strict.stdout)["valid"] is False


def test_nik_cli_malformed_arguments_answer_json_with_exit_2():
    for args, field in [
        (("nik", "check", "3577011708850001", "--birth-date", "1985-02-30"), "birth_date"),
        (("nik", "check", "3577011708850001", "--birth-date"), "birth_date"),
        (("nik", "check", "3577011708850001", "--reference-date", "kemarin"), "reference_date"),
        (("nik", "check", "3577011708850001", "--tanggal", "1985-08-17"), "options"),
        (("nik", "check"), "nik"),
        (("nik",), "action"),
        (("nik", "periksa", "3577011708850001"), "action"),
    ]:
        out = run_cli(*args)
        assert out.returncode == 2, args
        assert out.stderr == "" and len(out.stdout.splitlines()) == 1, args  # no argparse text
        error = json.loads(out.stdout)["error"]
        assert error["field"] == field, args
        assert "Pemakaian: lindung nik check" in error["message_id"]


def test_api_nik_check_same_severities_and_json_errors(programme, users, client_for):
    client = client_for(users["operator"])
    ok = client.get("/api/v1/nik/9109011708850001")
    assert ok.status_code == 200
    body = ok.json()
    assert body["valid"] is True and body["warnings"][0]["code"] == "regency_old"
    assert body["current_regency_code"] == "94.04"
    mismatch = client.get("/api/v1/nik/3577011708850001", {"birth_date": "1985-08-18"}).json()
    assert mismatch["valid"] is True and mismatch["warnings"][0]["code"] == "birth_date_mismatch"
    strict = client.get(
        "/api/v1/nik/3577011708850001", {"birth_date": "1985-08-18", "strict": "true"}
    ).json()
    assert strict["valid"] is False
    bad = client.get("/api/v1/nik/3577011708850001", {"birth_date": "1985-02-30"})
    assert bad.status_code == 400
    assert bad.json()["error"]["field"] == "birth_date"
    assert "YYYY-MM-DD" in bad.json()["error"]["message_id"]


def test_api_quote(programme, users, client_for):
    client = client_for(users["operator"])
    ok = client.post("/api/v1/benefits/quote", MADIUN_129, content_type="application/json")
    assert ok.status_code == 200
    assert ok.json()["grand_total"] == 129_000_000
    bad = client.post(
        "/api/v1/benefits/quote",
        {"benefit": "jkm_death", "segment": "XX", "event_date": "2025-01-01"},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert bad.json()["error"]["field"] == "segment"


def test_api_docs_are_served_locally(programme, users, client_for):
    client = client_for(users["operator"])
    html = client.get("/api/docs").content.decode()
    assert "swagger" in html.lower()
    assert "cdn." not in html and "unpkg" not in html and "jsdelivr" not in html
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/benefits/quote" in schema["paths"]


def test_calculator_page_shows_lines_with_basis_and_totals(programme, users, client_for):
    url = reverse("calculator", args=[programme.code])
    client = client_for(users["operator"])
    first = client.get(url).content.decode()
    assert "Kalkulator Manfaat" in first
    params = {
        "benefit": "jkm_death",
        "segment": "PU",
        "event_date": "2025-12-01",
        "contribution_months": "40",
        "monthly_wage": "2422105",
        "anak-TOTAL_FORMS": "3",
        "anak-INITIAL_FORMS": "0",
        "anak-0-birth_date": "2022-03-01",
        "anak-0-level": "none",
    }
    html = client.get(url, params).content.decode()
    assert "Rp\u00a042.000.000" in html
    assert "Rp\u00a087.000.000" in html
    assert "Rp\u00a0129.000.000" in html
    assert "PP 82/2019" in html
    short = client.get(url, {**params, "contribution_months": "20"}).content.decode()
    assert "tidak berhak" in short and "36" in short


def test_calculator_refuses_roles_without_the_right(programme, users, client_for):
    url = reverse("calculator", args=[programme.code])
    assert client_for(users["mitra_csr"]).get(url).status_code == 403


def test_parameter_register_cites_sources(programme, users, client_for):
    html = client_for(users["auditor"]).get(reverse("parameters", args=[programme.code]))
    text = html.content.decode()
    assert "PP 82/2019" in text and "belum terkonfirmasi" in text and "2 Desember 2019" in text


def test_calculator_offers_the_disability_table_grouped_and_searchable(
    programme, users, client_for
):
    url = reverse("calculator", args=[programme.code])
    client = client_for(users["operator"])
    page = client.get(url).content.decode()
    assert '<optgroup label="Jari tangan">' in page and '<optgroup label="Jari kaki">' in page
    assert "Jari telunjuk tangan kanan — 9%" in page
    # the search box answers the filtered list (htmx)
    found = client.get(
        url, {"cari_cacat": "telunjuk kanan", "event_date": "2025-06-01"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert (
        "Jari telunjuk tangan kanan" in found and "Ruas pertama jari telunjuk tangan kanan" in found
    )
    assert "kiri" not in found and "Jari kaki" not in found
    assert found.startswith('<div id="disability-select">')
    params = {
        "benefit": "jkk_partial_disability",
        "segment": "PU",
        "event_date": "2025-06-01",
        "monthly_wage": "2422105",
        "disability_item": "telunjuk_kanan",
        "anak-TOTAL_FORMS": "3",
        "anak-INITIAL_FORMS": "0",
    }
    html = client.get(url, params).content.decode()
    assert "Rp\u00a017.439.156" in html and "Jari telunjuk tangan kanan — 9%" in html
    html = client.get(url, {**params, "left_handed": "on"}).content.decode()
    assert "Rp\u00a013.563.788" in html and 'id="disability-row">Jari telunjuk tangan kiri' in html
    html = client.get(
        url, {**params, "disability_item": "dengar_turun_keduanya", "monthly_wage": "2000000"}
    ).content.decode()
    assert "disability_units" in html and "Tidak dapat dihitung" in html


def test_calculator_child_not_at_school_follows_the_normal_path_or_the_chosen_one(
    programme, users, client_for
):
    url = reverse("calculator", args=[programme.code])
    client = client_for(users["operator"])
    params = {
        "benefit": "jkk_death",
        "segment": "PU",
        "event_date": "2025-12-01",
        "monthly_wage": "2000000",
        "anak-TOTAL_FORMS": "3",
        "anak-INITIAL_FORMS": "0",
        "anak-0-birth_date": "2020-07-01",  # 5 years 5 months
        "anak-0-level": "none",
    }
    html = client.get(url, params).content.decode()
    assert "Rp\u00a084.000.000" in html and "mulai SD 1 tahun ajaran 2026/2027" in html
    html = client.get(url, {**params, "anak-0-start_level": "TK"}).content.decode()
    assert "Rp\u00a063.000.000" in html and "mulai TK 1" in html
