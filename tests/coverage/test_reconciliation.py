"""Reconciliation with BPJS TK's list: exactly the planted differences are found."""

import io
from datetime import date

import polars as pl
import pytest
import xlsxwriter

from lindung.coverage import documents, services
from lindung.coverage.errors import ReconciliationError
from lindung.coverage.models import Difference
from lindung.coverage.reconcile import map_columns, parse_amount, parse_segment
from tests.actors import system

pytestmark = pytest.mark.django_db

PU, BPU = 13_079, 16_800


@pytest.fixture
def billed_march(billing_ready, make_participant):
    people = [make_participant(billing_ready, "PU") for _ in range(10)]
    people += [make_participant(billing_ready, "BPU") for _ in range(10)]
    left = make_participant(billing_ready, "BPU", end=date(2025, 2, 10))
    services.run_billing(billing_ready, 2025, 3, actor=system())
    return people, left


def bpjs_rows(people, left):
    """The BPJS list with 3 planted differences of each kind."""
    rows = []
    for i, p in enumerate(people):
        nik, name = p.person.nik, p.person.full_name
        seg = p.segment
        wage = p.monthly_wage if seg == "PU" else p.income_tier
        amount = PU if seg == "PU" else BPU
        if i < 3:
            continue  # in Lindung, not in BPJS
        if 3 <= i < 6:
            amount += 100  # amount mismatch
        if 6 <= i < 9:
            wage, amount = 3_000_000, 16_200  # wage mismatch (PU)
        rows.append((nik, name, seg, wage, amount))
    rows.append(("3577019999000001", "Orang Asing Satu", "BPU", 1_000_000, BPU))
    rows.append(("3577019999000002", "Orang Asing Dua", "PU", 2_422_105, PU))
    rows.append((left.person.nik, left.person.full_name, "BPU", 1_000_000, BPU))
    return rows


def rp(n):
    return f"{n:,}".replace(",", ".")


def test_csv_with_planted_differences_finds_exactly_those(billing_ready, billed_march):
    people, left = billed_march
    lines = ["No. KTP;Nama Tenaga Kerja;Segmen Kepesertaan;Upah Dilaporkan;Total Iuran;Periode"]
    for nik, name, seg, wage, amount in bpjs_rows(people, left):
        seg_text = "Penerima Upah" if seg == "PU" else "Bukan Penerima Upah"
        lines.append(f"{nik};{name};{seg_text};Rp {rp(wage)};{rp(amount)};03/2025")
    data = ("\n".join(lines) + "\n").encode("utf-8-sig")
    recon = services.import_reconciliation(
        billing_ready, date(2025, 3, 1), data, "bpjs.csv", actor=system()
    )
    assert recon.summary == {"bpjs_only": 3, "lindung_only": 3, "amount": 3, "wage": 3}
    assert recon.matched == 11
    assert recon.errors == []
    got = {
        kind: sorted(Difference.objects.filter(kind=kind).values_list("nik", flat=True))
        for kind in Difference.Kind.values
    }
    nik = [p.person.nik for p in people]
    assert got["lindung_only"] == sorted(nik[0:3])
    assert got["amount"] == sorted(nik[3:6])
    assert got["wage"] == sorted(nik[6:9])
    assert got["bpjs_only"] == sorted(["3577019999000001", "3577019999000002", left.person.nik])
    known = Difference.objects.get(nik=left.person.nik)
    assert known.participant_id == left.pk and "registri" in known.detail
    wage_diff = Difference.objects.filter(kind="wage").first()
    assert (wage_diff.bpjs_wage, wage_diff.lindung_wage) == (3_000_000, 2_422_105)
    amount_diff = Difference.objects.filter(kind="amount").first()
    assert amount_diff.bpjs_amount - amount_diff.lindung_amount == 100


def test_xlsx_with_jkk_jkm_columns(billing_ready, billed_march):
    people, left = billed_march
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf)
    ws = book.add_worksheet()
    ws.write_row(0, 0, ["NIK", "Nama", "Program", "Upah", "Iuran JKK", "Iuran JKM"])
    for r, (nik, name, seg, wage, amount) in enumerate(bpjs_rows(people, left), start=1):
        ws.write_string(r, 0, nik)
        jkm = 6_800 if seg == "BPU" else round(wage * 0.003)
        ws.write_row(r, 1, [name, seg, wage, amount - jkm, jkm])
    book.close()
    recon = services.import_reconciliation(
        billing_ready, date(2025, 3, 1), buf.getvalue(), "BPJS Maret.xlsx", actor=system()
    )
    assert recon.summary == {"bpjs_only": 3, "lindung_only": 3, "amount": 3, "wage": 3}
    assert recon.columns["jkk"] == "Iuran JKK"


def test_numeric_nik_cells_are_rejected_with_an_explanation(billing_ready, billed_march):
    people, _ = billed_march
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf)
    ws = book.add_worksheet()
    ws.write_row(0, 0, ["NIK", "Iuran"])
    for r, p in enumerate(people, start=1):
        ws.write_number(r, 0, int(p.person.nik))
        ws.write_number(r, 1, PU)
    book.close()
    recon = services.import_reconciliation(
        billing_ready, date(2025, 3, 1), buf.getvalue(), "a.xlsx", actor=system()
    )
    assert len(recon.errors) == 20
    assert "Teks" in recon.errors[0]["problems"][0]
    assert recon.summary["lindung_only"] == 20  # nothing usable came from BPJS


def test_bad_rows_and_duplicates_are_reported(billing_ready, billed_march):
    people, _ = billed_march
    nik = people[0].person.nik
    data = f"nik,iuran\n{nik},13079\n{nik},13079\n12345,100\n{people[1].person.nik},abc\n"
    recon = services.import_reconciliation(
        billing_ready, date(2025, 3, 1), data.encode(), "x.csv", actor=system()
    )
    problems = {e["line"]: e["problems"][0] for e in recon.errors}
    assert "NIK ganda" in problems[3]
    assert "16 angka" in problems[4]
    assert "bukan jumlah rupiah" in problems[5]
    assert recon.matched == 1


def test_file_without_nik_column_is_refused(billing_ready, billed_march):
    with pytest.raises(ReconciliationError, match="Kolom NIK tidak ditemukan"):
        services.import_reconciliation(
            billing_ready, date(2025, 3, 1), b"nama,iuran\nA,1\n", "x.csv", actor=system()
        )


def test_month_without_billing_is_refused(billing_ready, billed_march):
    with pytest.raises(ReconciliationError, match="Belum ada tagihan untuk April 2025"):
        services.import_reconciliation(
            billing_ready, date(2025, 4, 1), b"nik\n3577000000000001\n", "x.csv", actor=system()
        )


def test_differences_are_resolved_with_a_note_and_exported(billing_ready, billed_march, users):
    people, left = billed_march
    lines = ["nik;iuran"] + [f"{n};{a}" for n, _x, _s, _w, a in bpjs_rows(people, left)]
    recon = services.import_reconciliation(
        billing_ready, date(2025, 3, 1), "\n".join(lines).encode(), "b.csv", actor=system()
    )
    diff = recon.differences.first()
    with pytest.raises(ReconciliationError, match="catatan penyelesaian"):
        services.resolve_difference(diff, "  ", actor=system())
    services.resolve_difference(diff, "Sudah dikonfirmasi BPJS", actor=users["operator"])
    diff.refresh_from_db()
    assert diff.resolved and diff.resolved_by == users["operator"]
    frame = pl.read_excel(
        io.BytesIO(documents.reconciliation_xlsx(recon, show_nik=True)), sheet_name="Selisih"
    )
    assert frame.height == recon.differences.count()
    assert "Sudah dikonfirmasi BPJS" in frame["Catatan penyelesaian"].to_list()
    text = documents.reconciliation_csv(recon, show_nik=False).decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Jenis;NIK;Nama")
    assert "••••" in text


def test_header_and_value_tolerance():
    cols = map_columns(
        ["No KTP", "NAMA PESERTA", "Jenis Kepesertaan", "Upah/Penghasilan", "Jumlah"]
    )
    assert cols == {
        "nik": "No KTP",
        "name": "NAMA PESERTA",
        "segment": "Jenis Kepesertaan",
        "wage": "Upah/Penghasilan",
        "amount": "Jumlah",
    }
    assert parse_amount("Rp 13.079") == 13_079
    assert parse_amount("13,079") == 13_079
    assert parse_amount("2.422.105,00") == 2_422_105
    assert parse_amount("16800.0") == 16_800
    assert parse_amount("") is None
    with pytest.raises(ValueError):
        parse_amount("13.079,5")
    assert parse_segment("Bukan Penerima Upah") == "BPU"
    assert parse_segment("PU") == "PU"
    assert parse_segment("Non-ASN") == "PU"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Rp 10.000", 10_000),  # was read as 10: the plain pattern matched "10.000" first
        ("Rp10.000", 10_000),
        ("Rp. 10.000", 10_000),
        ("Rp 10.000,-", 10_000),
        ("10.000,-", 10_000),
        ("Rp 10.000,00", 10_000),
        ("IDR 10.000", 10_000),
        ("10,000", 10_000),
        ("10,000.00", 10_000),
        ("10 000", 10_000),
        ("10000", 10_000),
        ("10000.0", 10_000),
        ("10000,00", 10_000),
        (10_000, 10_000),
        (10_000.0, 10_000),
        ("1.234.567", 1_234_567),
        ("Rp 1.234.567,00", 1_234_567),
        ("1,234,567", 1_234_567),
        ("16.800", 16_800),
        ("-", None),
        ("", None),
        (None, None),
    ],
)
def test_every_indonesian_amount_form_is_read_exactly(text, value):
    assert parse_amount(text) == value


@pytest.mark.parametrize("text", ["13.079,5", "1,5", "10.5", "abc", "10.00.0", 10.5, True])
def test_fractions_and_words_are_not_amounts(text):
    with pytest.raises(ValueError):
        parse_amount(text)


def bpjs_workbook(rows, *, title_rows=True, totals=True) -> bytes:
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf)
    ws = book.add_worksheet("Tagihan")
    r = 0
    if title_rows:
        ws.write(0, 0, "BPJS KETENAGAKERJAAN KANTOR CABANG MADIUN")
        ws.write(1, 0, "RINCIAN TAGIHAN IURAN BULAN MARET 2025")
        r = 3
    ws.write_row(r, 0, ["NO", "NIK", "NAMA TENAGA KERJA", "PROGRAM", "UPAH", "IURAN"])
    total = 0
    for i, (nik, name, seg, wage, amount) in enumerate(rows, start=1):
        ws.write_number(r + i, 0, i)
        ws.write_string(r + i, 1, nik)
        ws.write_row(
            r + i,
            2,
            [name, "BPU" if seg == "BPU" else "PU", f"Rp {rp(wage)}", f"Rp {rp(amount)}"],
        )
        total += amount
    if totals:
        ws.write(r + len(rows) + 1, 2, "JUMLAH")
        ws.write(r + len(rows) + 1, 5, f"Rp {rp(total)}")
    book.close()
    return buf.getvalue()


def test_bpjs_billing_file_with_title_rows_and_a_totals_row(billing_ready, billed_march):
    people, left = billed_march
    data = bpjs_workbook(bpjs_rows(people, left))
    recon = services.import_reconciliation(
        billing_ready, date(2025, 3, 1), data, "tagihan.xlsx", actor=system()
    )
    assert recon.summary == {"bpjs_only": 3, "lindung_only": 3, "amount": 3, "wage": 3}
    assert recon.errors == [] and recon.matched == 11
    assert [r["text"].split(" | ")[0] for r in recon.ignored] == ["JUMLAH"]
    # Amounts as "Rp 13.079" are 13,079 rupiah, not 13.
    matched_pu = Difference.objects.filter(kind="amount").first()
    assert matched_pu.bpjs_amount > 10_000


def test_reconciling_one_segment(billing_ready, billed_march):
    people, left = billed_march
    bpu = [r for r in bpjs_rows(people, left) if r[2] == "BPU"]
    recon = services.import_reconciliation(
        billing_ready,
        date(2025, 3, 1),
        bpjs_workbook(bpu),
        "bpu.xlsx",
        segment="BPU",
        actor=system(),
    )
    assert recon.segment == "BPU" and recon.skipped == 0
    lindung_bpu = sum(1 for p in people if p.segment == "BPU")
    assert (
        recon.matched
        + recon.summary["lindung_only"]
        + recon.summary["amount"]
        + recon.summary["wage"]
        == lindung_bpu
    )
    assert all(d.lindung_segment in ("", "BPU") for d in recon.differences.all())
    # The whole file against the BPU choice: the PU rows are left out and counted.
    everything = services.import_reconciliation(
        billing_ready,
        date(2025, 3, 1),
        bpjs_workbook(bpjs_rows(people, left)),
        "semua.xlsx",
        segment="BPU",
        actor=system(),
    )
    assert everything.skipped == sum(1 for r in bpjs_rows(people, left) if r[2] == "PU")


def test_reconciling_one_funders_bill(billing_ready, billed_march, make_participant):
    people, left = billed_march
    csr = services.create_funder(
        billing_ready, code="CSR-X", name="PT X", kind="SC", actor=system()
    )
    sponsored = make_participant(billing_ready, "BPU", enrol=False)
    services.enrol(sponsored, date(2025, 3, 1), funder=csr, actor=system())
    services.run_billing(billing_ready, 2025, 3, actor=system())
    rows = [(sponsored.person.nik, "X", "BPU", 1_000_000, BPU)]
    # An APBD-billed worker on the CSR's bill is a difference that names who Lindung billed.
    apbd_worker = next(p for p in people if p.segment == "BPU")
    rows.append((apbd_worker.person.nik, "Y", "BPU", 1_000_000, BPU))
    recon = services.import_reconciliation(
        billing_ready, date(2025, 3, 1), bpjs_workbook(rows), "csr.xlsx", funder=csr, actor=system()
    )
    assert recon.funder == csr and recon.matched == 1
    diff = recon.differences.get()
    assert diff.kind == "bpjs_only" and "penyandang dana APBD" in diff.detail
    with pytest.raises(ReconciliationError, match="Segmen harus PU atau BPU"):
        services.import_reconciliation(
            billing_ready,
            date(2025, 3, 1),
            bpjs_workbook(rows),
            "x.xlsx",
            segment="ASN",
            actor=system(),
        )
