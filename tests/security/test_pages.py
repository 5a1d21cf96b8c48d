"""Every page answers hostile query parameters with a page or a 400 in Indonesian, never a 500;
every page carries the strict Content-Security-Policy and ``Cache-Control: no-store`` and has no
inline script, event handler or style (issue 15)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from lindung.claims import services as claims_services
from lindung.coverage import services as coverage_services
from lindung.registry import services as registry_services
from lindung.registry import synthetic
from tests.actors import system

pytestmark = pytest.mark.django_db

#: Every query parameter a Lindung page reads (grep request.GET in the views).
PARAMETERS = [
    "page", "tahun", "bulan", "dari", "sampai", "per", "s", "q", "status", "keputusan", "kolom",
    "tugas", "peserta", "jenis", "dana", "cari", "type", "state", "month", "segment", "segmen",
    "instansi", "kelurahan", "event_date", "state",
]  # fmt: skip
HOSTILE = [
    "-1",
    "0",
    "99999999999",
    "999999999999999999999999999999",
    "abc",
    "0001-01",
    "9999-12",
    "1e30",
    "²",
    "x" * 5000,
    "<script>alert(1)</script>",
    "'; DROP TABLE x; --",
]
INDONESIAN = re.compile(r"tidak|harus|tulis|pilih|paling", re.I)


@pytest.fixture
def world(billing_ready, make_participant, users, tmp_path):
    programme = billing_ready
    worker = make_participant(programme, "PU", name="Budi Santoso")
    coverage_services.run_billing(programme, 2025, 3, actor=system())
    claim = claims_services.create_claim(
        programme, worker, "jkm_death", date(2025, 3, 10), actor=users["operator"]
    )
    rows = synthetic.clean_rows(3, seed=5).to_dicts()
    rows[1]["nik"] = "123"
    frame = synthetic.pl.DataFrame(rows, schema=dict.fromkeys(rows[0], synthetic.pl.String))
    path = synthetic.write_csv(frame, tmp_path / "daftar.csv")
    batch = registry_services.create_import(
        actor=users["operator"],
        programme=programme,
        filename="daftar.csv",
        source=path,
        background=False,
    )
    registry_services.validate_import(batch.pk)
    return {"programme": programme, "participant": worker, "claim": claim, "batch": batch}


def _pages(world) -> list[str]:
    """Every GET page of a programme that needs no more than the ids of the world."""
    p = world["programme"]
    ids = {
        "pk": world["participant"].pk,
        "participant_id": world["participant"].pk,
        "batch_id": world["batch"].pk,
    }
    out = []

    def walk(patterns, prefix=""):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern) and entry.name:
                route = prefix + str(entry.pattern)
                if not route.startswith("p/") or "fmt" in route:
                    continue
                names = set(entry.pattern.regex.groupindex) - {"code"}
                if not names <= set(ids):
                    continue
                # forms that only take POST are skipped by the caller (405)
                kwargs = {"code": p.code, **{n: ids[n] for n in names}}
                try:
                    out.append(reverse(entry.name, kwargs=kwargs))
                except Exception:  # noqa: BLE001 — a name with another signature
                    continue

    walk(get_resolver().url_patterns)
    return sorted(set(out))


def test_the_issue_examples_answer_400_with_a_reason(world, users, client_for):
    admin = client_for(users["admin"])
    p = world["programme"]
    base = f"/p/{p.code}"
    for address, reason in [
        (f"{base}/iuran/?tahun=0", "Tahun"),
        (f"{base}/dasbor/?dari=0001-01&sampai=9999-12", "Tahun periode"),
        (f"{base}/dasbor/?dari=2025-01&sampai=2025-13", "bb/tttt"),
        (f"{base}/dasbor/?per=9999-99-99", "Tanggal"),
        (f"{base}/rencana/banding/?s=999999999999999999999999", "antara"),
        (f"{base}/klaim/?month=99999999999999999999-01", "bb/tttt"),
        (f"{base}/beasiswa/jatuh-tempo/?bulan=0-0", "bb/tttt"),
        (f"{base}/peserta/?q=%00", "NUL"),
    ]:
        r = admin.get(address)
        assert r.status_code in (200, 400), (address, r.status_code)
        assert reason in r.content.decode(), (address, r.content.decode()[:2000])
    big = admin.get(f"{base}/impor/{world['batch'].pk}/?page=99999999999")
    assert big.status_code == 200  # past the last page: the last page


def test_every_page_survives_hostile_parameters(world, users, client_for):
    admin = client_for(users["admin"])
    admin.raise_request_exception = True
    pages = _pages(world)
    assert len(pages) > 25, pages
    for page in pages:
        plain = admin.get(page)
        if plain.status_code in (404, 405):
            continue  # an id of another kind of record, or a form that only takes POST
        assert plain.status_code in (200, 204, 302), (page, plain.status_code)
        for value in HOSTILE:
            r = admin.get(page, dict.fromkeys(PARAMETERS, value))
            assert r.status_code in (200, 204, 302, 400, 404), (page, value, r.status_code)
            if r.status_code == 400:
                assert INDONESIAN.search(r.content.decode()), (page, value)
        for name in PARAMETERS:
            r = admin.get(page, {name: "999999999999999999999999999999"})
            assert r.status_code in (200, 204, 302, 400, 404), (page, name, r.status_code)


def test_pages_carry_a_strict_csp_no_store_and_no_inline_code(world, users, client_for):
    admin = client_for(users["admin"])
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
    handler = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
    style_attr = re.compile(
        r"<(?!svg|rect|path|g |text|line|circle|polyline|tspan)[^>]+\sstyle=", re.I
    )
    checked = 0
    for page in [*_pages(world), "/", "/masuk/"]:
        r = admin.get(page)
        if r.status_code != 200 or "text/html" not in r.get("Content-Type", ""):
            continue
        checked += 1
        csp = r["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp, page
        assert "style-src 'self'" in csp and "object-src 'none'" in csp, page
        assert "frame-ancestors 'none'" in csp, page
        assert "no-store" in r["Cache-Control"], page
        html = r.content.decode()
        assert not inline_script.search(html), (page, inline_script.search(html).group(0))
        assert not handler.search(html), (page, handler.search(html).group(0))
        assert "<style" not in html, page
        assert not style_attr.search(html), (page, style_attr.search(html).group(0))
    assert checked > 20


def test_downloads_with_personal_data_are_not_stored(world, users, client_for):
    admin = client_for(users["admin"])
    p = world["programme"]
    for address in [
        reverse("registry_export", args=[p.code, "csv"]),
        reverse("registry_export", args=[p.code, "xlsx"]),
        reverse("claims_export", args=[p.code]),
    ]:
        r = admin.get(address)
        assert r.status_code == 200
        assert "no-store" in r["Cache-Control"] and "private" in r["Cache-Control"]


def test_static_files_stay_cacheable(client):
    r = client.get("/static/lindung/lindung.js")
    assert r.status_code == 200
    assert "no-store" not in r.get("Cache-Control", "")
