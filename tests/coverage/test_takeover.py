"""Taking over a programme that already runs with BPJS TK (issue 13, part C).

The Operator imports BPJS's list of existing members with their KPJ number, BPJS enrolment date,
last month paid and arrears; the preview says what the ledger will say; after the commit the
months paid before Lindung count as paid (never billed again), the first billing run bills from
the month after the last paid, the arrears from before Lindung are listed, and undoing the import
undoes the opening too."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from django.urls import reverse

from lindung.coverage import queries, services
from lindung.coverage.models import CoverageMonth, Enrolment
from lindung.registry import services as registry
from lindung.registry import synthetic
from lindung.registry.models import ImportBatch, Participant
from lindung.registry.reading import ROW
from tests.actors import system

pytestmark = pytest.mark.django_db

HEADERS = {
    "no_kpj": "No KPJ",
    "tanggal_kepesertaan_bpjs": "Tgl kepesertaan BPJS",
    "bulan_terakhir_dibayar": "Bulan terakhir dibayar",
    "tunggakan": "Tunggakan",
}


def _file(tmp_path, takeover: list[tuple], name="bpjs.xlsx"):
    """BPU workers (the synthetic list's first rows) with the takeover columns under the office's
    own headers; ``takeover``: (KPJ, BPJS date, last month paid, arrears, start) per row."""
    base = synthetic.clean_rows(len(takeover), seed=11).with_columns(
        pl.lit("BPU").alias("segmen"),
        pl.lit(None, dtype=pl.String).alias("instansi"),
        pl.lit(None, dtype=pl.String).alias("upah"),
        pl.lit("1000000").alias("penghasilan"),
    )
    columns = list(zip(*takeover, strict=True))
    frame = base.with_columns(
        pl.Series("no_kpj", columns[0], dtype=pl.String),
        pl.Series("tanggal_kepesertaan_bpjs", columns[1], dtype=pl.String),
        pl.Series("bulan_terakhir_dibayar", columns[2], dtype=pl.String),
        pl.Series("tunggakan", columns[3], dtype=pl.String),
        pl.Series("tanggal_mulai", columns[4], dtype=pl.String),
    ).rename(HEADERS)
    return synthetic.write_xlsx(frame, tmp_path / name), base.get_column("nik").to_list()


ROWS = [
    # paid 36 months (Mar 2022–Feb 2025); the file's start (Jan 2025) is moved to March
    ("12345678901", "15/03/2022", "02/2025", "0", "01/01/2025"),
    # an odd KPJ (warning); paid Jun–Oct 2024, November and December 2024 owed before Lindung
    ("1234", "01/06/2024", "Oktober 2024", "2 bulan", "01/01/2025"),
    # owed as an amount
    ("23456789012", "01/01/2023", "Desember 2024", "Rp 150.000", "01/01/2025"),
    # not taken over: starts at the PKS like any new participant
    (None, None, None, None, "01/01/2025"),
]


@pytest.fixture
def taken_over(billing_ready, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    path, niks = _file(tmp_path, ROWS)
    preview = registry.run_import(programme=billing_ready, path=path, commit=False, actor=system())
    return path, niks, preview


def _p(nik) -> Participant:
    return Participant.objects.get(person__nik=nik)


def test_the_preview_shows_what_the_ledger_will_say(taken_over):
    _, _, preview = taken_over
    assert (preview["created"], preview["rejected"]) == (4, 0)
    ledger = preview["ledger"]
    assert ledger["rows"] == 3
    assert ledger["paid_months"] == 36 + 5 + 24
    assert (ledger["owed_rows"], ledger["owed_months"], ledger["owed_amount"]) == (2, 2, 150_000)
    firsts = {f["label"]: f["count"] for f in ledger["first_billed"]}
    assert firsts == {"Maret 2025": 1, "Januari 2025": 2}
    by_kpj = {r["kpj"]: r for r in ledger["sample"]}
    assert by_kpj["12345678901"]["paid_months"] == 36
    assert by_kpj["12345678901"]["first_billed"] == "Maret 2025"
    assert by_kpj["1234"]["owed_months"] == 2
    assert by_kpj["23456789012"]["arrears_amount_text"] == "Rp\u00a0150.000"


def test_odd_values_are_warned_or_refused_with_the_reason(billing_ready, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    path, _ = _file(
        tmp_path,
        [
            ("1234", "01/06/2024", "10/2024", "0", None),  # KPJ not 11 digits: warning
            ("12345678901", "01/06/2024", "bulan lalu", "0", None),  # unreadable month
            ("12345678902", "01/06/2024", "03/2024", "0", None),  # paid before enrolled
            ("12345678903", None, None, "3", None),  # months of arrears without a last month
            ("12345678904", "01/06/2024", "05/2025", "0", "01/01/2025"),  # start moved: warning
        ],
    )
    result = registry.run_import(programme=billing_ready, path=path, commit=False, actor=system())
    assert (result["created"], result["rejected"], result["warned"]) == (2, 3, 2)
    batch = ImportBatch.objects.get(pk=result["batch"])
    issues = (
        pl.read_parquet(registry.queries.import_dir(batch) / "errors.parquet")
        .get_column("message")
        .to_list()
        + pl.read_parquet(registry.queries.import_dir(batch) / "warnings.parquet")
        .get_column("message")
        .to_list()
    )
    text = " | ".join(issues)
    assert "Nomor KPJ 1234 bukan 11 angka" in text
    assert "Bulan terakhir dibayar tidak terbaca" in text
    assert "sebelum Tgl kepesertaan BPJS" in text
    assert "Tunggakan dalam bulan perlu Bulan terakhir dibayar" in text
    assert "Lindung mulai menagih 06/2025" in text


def _warnings(result, niks) -> dict[str, str]:
    """The preview's warnings by NIK (a row's warnings joined), from its file row numbers (the
    header is row 1)."""
    batch = ImportBatch.objects.get(pk=result["batch"])
    frame = pl.read_parquet(registry.queries.import_dir(batch) / "warnings.parquet")
    out: dict[str, str] = {}
    for row, message in frame.select(ROW, "message").iter_rows():
        nik = niks[row - 2]
        out[nik] = f"{out[nik]} | {message}" if nik in out else message
    return out


def test_months_between_the_last_paid_and_the_first_billed_are_warned_about(
    billing_ready, tmp_path, settings
):
    """A worker whose BPJS contributions stopped before Lindung starts billing is not covered in
    between: unless those months are given as arrears, the preview says how many."""
    settings.MEDIA_ROOT = tmp_path / "media"
    path, niks = _file(
        tmp_path,
        [
            # paid through October 2024, the Pemda pays from March 2025: Nov–Feb unpaid
            ("12345678901", "01/06/2024", "10/2024", "0", "01/03/2025"),
            # the same, with two months of arrears owed to BPJS: Jan–Feb still unpaid
            ("12345678902", "01/06/2024", "10/2024", "2", "01/03/2025"),
            # owed as an amount: which months is not known, nothing claimed
            ("12345678903", "01/06/2024", "10/2024", "Rp 150.000", "01/03/2025"),
            # paid through December 2024 and billed from January 2025: no gap
            ("12345678904", "01/06/2024", "12/2024", "0", "01/01/2025"),
            # paid through 02/2025, start given earlier: moved to March, no gap
            ("12345678905", "01/06/2024", "02/2025", "0", "01/01/2025"),
        ],
    )
    result = registry.run_import(programme=billing_ready, path=path, commit=False, actor=system())
    assert (result["created"], result["rejected"]) == (5, 0)
    found = _warnings(result, niks)
    gaps = {n: m for n, m in found.items() if "tidak terlindungi" in m}
    assert set(gaps) == {niks[0], niks[1]}
    assert gaps[niks[0]].startswith(
        "Dibayar ke BPJS TK sampai 10/2024 dan Lindung mulai menagih 03/2025: 4 bulan di "
        "antaranya tidak dibayar dan tidak tercatat sebagai tunggakan"
    )
    assert "isi kolom Tunggakan" in gaps[niks[0]]
    assert ": 2 bulan di antaranya" in gaps[niks[1]]
    assert "Lindung mulai menagih 03/2025 (bulan sesudahnya)" in found[niks[4]]
    # a warning, not a refusal: the worker is imported and billed from March
    committed = registry.run_import(programme=billing_ready, path=path, commit=True, actor=system())
    assert committed["created"] == 5
    assert _p(niks[0]).start_date == date(2025, 3, 1)
    # the person page says it too, from the participant's recorded fields
    on_page = registry.queries.participant_warnings(billing_ready, _p(niks[0]))
    assert any(m == gaps[niks[0]] for m in on_page), on_page
    for quiet in (niks[2], niks[3]):  # arrears as an amount; no gap
        said = registry.queries.participant_warnings(billing_ready, _p(quiet))
        assert said == [], said


def test_commit_bill_and_arrears_follow_the_takeover(billing_ready, taken_over):
    path, niks, _ = taken_over
    result = registry.run_import(programme=billing_ready, path=path, commit=True, actor=system())
    assert result["created"] == 4
    a, b, c, d = (_p(n) for n in niks)
    assert (a.kpj, a.bpjs_since, a.paid_through) == (
        "12345678901",
        date(2022, 3, 15),
        date(2025, 2, 1),
    )
    assert a.start_date == date(2025, 3, 1)
    assert Enrolment.objects.get(participant=a).start_date == date(2025, 3, 1)
    assert (b.arrears_months, c.arrears_amount) == (2, 150_000)

    # the months paid before Lindung count (scholarship) and cover their days
    assert queries.paid_months_before(a, date(2025, 3, 10)) == 36
    assert queries.paid_months_before_many([a.pk, b.pk, d.pk], date(2025, 1, 5)) == {
        a.pk: 34,
        b.pk: 5,
        d.pk: 0,
    }
    assert queries.covered_on(a, date(2022, 3, 15))
    assert not queries.covered_on(a, date(2022, 3, 14))
    assert not queries.covered_on(b, date(2024, 11, 20))  # owed, not paid
    assert queries.covered_on_many([a.pk, b.pk], date(2024, 8, 1)) == {a.pk: True, b.pk: True}

    # the first billing run bills from the month after the last paid
    services.run_billing(billing_ready, 2025, 1, actor=system())
    billed = set(
        CoverageMonth.objects.filter(month=date(2025, 1, 1)).values_list(
            "participant_id", flat=True
        )
    )
    assert billed == {b.pk, c.pk, d.pk}
    services.run_billing(billing_ready, 2025, 3, actor=system())
    billed = set(
        CoverageMonth.objects.filter(month=date(2025, 3, 1)).values_list(
            "participant_id", flat=True
        )
    )
    assert billed == {a.pk, b.pk, c.pk, d.pk}

    # arrears from before Lindung are listed
    owed = {
        r["participant"].pk: r["opening"].owed_label()
        for r in queries.takeover_arrears(billing_ready)
    }
    assert owed == {
        b.pk: "2 bulan (November 2024–Desember 2024)",
        c.pk: "Rp\u00a0150.000",
    }


def test_undo_removes_the_opening_until_billing_used_it(billing_ready, taken_over):
    path, niks, _ = taken_over
    result = registry.run_import(programme=billing_ready, path=path, commit=True, actor=system())
    batch = ImportBatch.objects.get(pk=result["batch"])
    assert registry.undo_refusal(batch) is None
    registry.start_undo(batch=batch, background=False, actor=system())
    registry.undo_import(batch.pk, actor=system())
    assert not Participant.objects.exists() and not Enrolment.objects.exists()
    assert queries.takeover_arrears(billing_ready) == []

    again = registry.run_import(programme=billing_ready, path=path, commit=True, actor=system())
    services.run_billing(billing_ready, 2025, 1, actor=system())
    batch = ImportBatch.objects.get(pk=again["batch"])
    assert "penagihan Januari 2025" in registry.undo_refusal(batch)


def test_pages_show_the_ledger_opening(billing_ready, taken_over, client, users):
    path, niks, preview = taken_over
    client.force_login(users["operator"])
    code = billing_ready.code
    page = client.get(reverse("registry_import_batch", args=[code, preview["batch"]]))
    html = page.content.decode()
    assert 'id="ledger-preview"' in html and "Maret 2025" in html and "Rp\u00a0150.000" in html
    registry.run_import(programme=billing_ready, path=path, commit=True, actor=system())
    b = _p(niks[1])
    html = client.get(reverse("coverage_participant", args=[code, b.pk])).content.decode()
    assert 'id="paid-before"' in html and "5 bulan dibayar ke BPJS TK sebelum Lindung" in html
    assert "2 bulan (November 2024–Desember 2024)" in html
    html = client.get(reverse("coverage_arrears", args=[code])).content.decode()
    assert "2 bulan (November 2024–Desember 2024)" in html and "Rp\u00a0150.000" in html


def test_the_person_page_shows_months_before_lindung_apart(
    billing_ready, taken_over, client, users
):
    """Item 2: carried-in months and months paid to BPJS before Lindung are their own rows of
    the person page's coverage section, apart from Lindung's months."""
    path, niks, _ = taken_over
    registry.run_import(programme=billing_ready, path=path, commit=True, actor=system())
    a = _p(niks[0])
    registry.set_prior_months(actor=system(), participant=a, months=12, evidence="BPJS/KET/7")
    services.run_billing(billing_ready, 2025, 3, actor=system())
    client.force_login(users["operator"])
    html = client.get(reverse("registry_person", args=[billing_ready.code, a.pk])).content.decode()
    section = html[html.index('id="person-coverage"') :]
    before, lindung = section.split('id="person-coverage-months"', 1)
    assert 'id="prior-carried"' in before and "12 bulan iuran BPJS TK sebelum program" in before
    assert 'id="paid-before"' in before and "36 bulan dibayar ke BPJS TK sebelum Lindung" in before
    assert "Maret 2022" in before and "Februari 2025" in before
    months_table = lindung.split("</table>")[0]
    assert "belum ditagih" in months_table  # Lindung's own months (the last 12)
    assert "2022" not in months_table and "Februari 2025" not in months_table


def test_the_kpj_number_is_shown_only_to_roles_that_see_niks(
    billing_ready, taken_over, client, users
):
    path, niks, _ = taken_over
    registry.run_import(programme=billing_ready, path=path, commit=True, actor=system())
    code, c = billing_ready.code, _p(niks[2])
    for role, shown in (("operator", True), ("pimpinan", False), ("auditor", False)):
        client.force_login(users[role])
        arrears = client.get(reverse("coverage_arrears", args=[code])).content.decode()
        timeline = client.get(reverse("coverage_participant", args=[code, c.pk])).content.decode()
        assert "Rp\u00a0150.000" in arrears and 'id="paid-before"' in timeline
        assert ("23456789012" in arrears) is shown
        assert ("23456789012" in timeline) is shown
