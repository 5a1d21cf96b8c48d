from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from lindung.programmes.models import AccessLog, Programme, Role
from lindung.programmes.services import log_access, set_membership, update_programme


def test_change_is_recorded_with_who_when_before_after(programme, users, client_for):
    admin = users["admin"]
    update_programme(actor=admin, programme=programme, bpjs_branch="Cabang Madiun Baru")
    last = Programme.history.filter(id=programme.pk).latest("history_date")
    assert last.history_user == admin
    assert last.history_type == "~"
    delta = last.diff_against(last.prev_record)
    assert [(c.field, c.old, c.new) for c in delta.changes] == [
        ("bpjs_branch", "Cabang Uji", "Cabang Madiun Baru")
    ]
    # Visible to Auditor and Admin on the record's history page and in the audit trail.
    url = reverse("record_history", args=[programme.code, "programmes.programme", programme.pk])
    for role in ("auditor", "admin"):
        html = client_for(users[role]).get(url).content.decode()
        assert "Cabang Madiun Baru" in html and "Cabang Uji" in html and admin.username in html
    trail = client_for(users["auditor"]).get(reverse("audit_trail", args=[programme.code]))
    assert "Cabang Madiun Baru" in trail.content.decode()
    assert client_for(users["operator"]).get(url).status_code == 403


def test_role_change_is_history_too(programme, users):
    set_membership(
        actor=users["admin"], programme=programme, user=users["operator"], role=Role.VERIFIKATOR
    )
    records = list(users["operator"].memberships.get().history.order_by("history_date"))
    assert [r.role for r in records] == ["operator", "verifikator"]
    assert records[-1].history_user == users["admin"]


def test_web_change_records_the_request_user(programme, users, client_for):
    users["admin"].is_staff = users["admin"].is_superuser = True
    users["admin"].save()
    client = client_for(users["admin"])
    response = client.post(
        reverse("admin:programmes_programme_change", args=[programme.pk]),
        {
            "code": programme.code,
            "name": "Pro JKK-JKM Kota Madiun 2026",
            "pemda_name": programme.pemda_name,
            "region_code": "35.77",
            "kind": "kota",
            "bpjs_branch": programme.bpjs_branch,
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert "login" not in response.url
    last = Programme.history.filter(id=programme.pk).latest("history_date")
    assert last.name == "Pro JKK-JKM Kota Madiun 2026"
    assert last.history_user == users["admin"]


def test_access_log_entry_for_personal_data_read(programme, users, client_for):
    log_access(
        user=users["operator"],
        programme=programme,
        action="view",
        object_type="participant",
        object_id="42",
        detail="lihat NIK lengkap",
    )
    entry = AccessLog.objects.get()
    assert entry.user == users["operator"] and entry.programme == programme
    assert entry.action == "view" and entry.object_id == "42"
    html = client_for(users["auditor"]).get(reverse("access_log", args=[programme.code]))
    assert "lihat NIK lengkap" in html.content.decode()


def _many_kinds_of_change(programme, users):
    """Changes of a dozen kinds of record, and transition-log entries."""
    from datetime import date

    from lindung.coverage import services as coverage
    from lindung.registry.models import Participant, Person

    admin, op = users["admin"], users["operator"]
    update_programme(actor=admin, programme=programme, bpjs_branch="Cabang Baru")
    funder = coverage.create_funder(
        programme, code="APBD", name="APBD", kind="SG", is_default=True, actor=admin
    )
    coverage.add_pledge(
        funder, amount=1_000_000, start=date(2025, 1, 1), end=date(2025, 12, 31), actor=admin
    )
    coverage.create_agreement(
        programme,
        year=2025,
        number="PKS/1",
        signed_on=date(2024, 12, 1),
        period_start=date(2025, 1, 1),
        period_end=date(2025, 12, 31),
        actor=admin,
    )
    for n in range(3):
        person = Person.objects.create(
            programme=programme,
            nik=f"35770141019000{n:02d}",
            full_name=f"Orang {n}",
            birth_date=date(1990, 1, 1),
        )
        p = Participant.objects.create(
            programme=programme, person=person, segment="BPU", start_date=date(2025, 1, 1)
        )
        coverage.enrol(p, date(2025, 1, 1), actor=op)
        coverage.end_enrolment(p, date(2025, 6, 30), "left", actor=op)
    set_membership(actor=admin, programme=programme, user=users["operator"], role=Role.VERIFIKATOR)


def test_the_audit_trail_reads_a_page_in_a_bounded_number_of_queries(
    programme, users, client_for, django_assert_max_num_queries
):
    from lindung.programmes import audit

    _many_kinds_of_change(programme, users)
    with django_assert_max_num_queries(3):
        changes = audit.recent_changes(programme, limit=200)
    labels = {c.model_label for c in changes}
    assert {"programmes.programme", "coverage.funder", "coverage.enrolment"} <= labels
    assert {"registry.person", "registry.participant", "programmes.membership"} <= labels
    assert [c.at for c in changes] == sorted((c.at for c in changes), reverse=True)
    # The enrolment events (an append-only log, no history table) are in the trail too.
    statuses = [c for c in changes if c.kind == "status"]
    assert len(statuses) == 6 and {s.changes[0][2] for s in statuses} == {"aktif", "berakhir"}
    branch = next(c for c in changes if c.model_label == "programmes.programme" and c.changes)
    assert ("kantor cabang BPJS Ketenagakerjaan", "Cabang Uji", "Cabang Baru") in branch.changes
    assert branch.user == users["admin"]
    # Paging: the next page starts where the first ended.
    first, second = (
        audit.recent_changes(programme, limit=5),
        audit.recent_changes(programme, limit=5, offset=5),
    )
    assert [c.at for c in first + second] == [c.at for c in changes[:10]]
    # The whole page, request and menu included.
    client = client_for(users["auditor"])
    client.get(reverse("audit_trail", args=[programme.code]))  # session and caches warm
    # (11: the ten of the page and the access-log row of this read, issue 15)
    with django_assert_max_num_queries(11):
        html = client.get(reverse("audit_trail", args=[programme.code])).content.decode()
    assert "Cabang Baru" in html and "berakhir" in html


def test_a_record_history_page_is_bounded_too(
    programme, users, client_for, django_assert_max_num_queries
):
    for n in range(20):
        update_programme(actor=users["admin"], programme=programme, bpjs_branch=f"Cabang {n}")
    client = client_for(users["auditor"])
    url = reverse("record_history", args=[programme.code, "programmes.programme", programme.pk])
    client.get(url)
    with django_assert_max_num_queries(10):
        html = client.get(url).content.decode()
    assert "Cabang 19" in html and "Cabang 18" in html


def test_the_audit_page_filters_by_user_record_type_and_date_and_pages(
    programme, users, client_for, django_assert_max_num_queries
):
    from lindung.programmes import audit

    _many_kinds_of_change(programme, users)
    everything = audit.recent_changes(programme, limit=500)
    by_admin = audit.recent_changes(
        programme, limit=500, flt=audit.Filter(user_id=users["admin"].pk)
    )
    assert by_admin and all(c.user == users["admin"] for c in by_admin)
    assert len(by_admin) < len(everything)
    with django_assert_max_num_queries(3):
        enrolments = audit.recent_changes(
            programme, limit=500, flt=audit.Filter(record_type="coverage.enrolment")
        )
    assert enrolments and {c.model_label for c in enrolments} == {"coverage.enrolment"}
    assert not audit.recent_changes(
        programme, limit=500, flt=audit.Filter(since=timezone.now() + timedelta(days=1))
    )
    assert len(
        audit.recent_changes(programme, limit=500, flt=audit.Filter(until=timezone.now()))
    ) == len(everything)

    client = client_for(users["auditor"])
    url = reverse("audit_trail", args=[programme.code])
    html = client.get(url, {"jenis": "programmes.programme"}).content.decode()
    # Verbose field names, not column names; the user by name.
    assert "Kantor cabang BPJS Ketenagakerjaan" in html and "bpjs_branch" not in html
    assert users["admin"].get_full_name() in html
    assert 'value="programmes.programme" selected' in html
    html = client.get(url, {"pengguna": str(users["operator"].pk)}).content.decode()
    assert "Kantor cabang BPJS" not in html
    # Paging: 50 a page, a link to the older ones.
    for n in range(55):
        update_programme(actor=users["admin"], programme=programme, bpjs_branch=f"Cabang {n}")
    html = client.get(url).content.decode()
    assert 'rel="next"' in html and "page=2" in html
    html = client.get(url, {"page": "2"}).content.decode()
    assert 'rel="prev"' in html
    # A bad filter value is refused with a reason, never a 500.
    assert client.get(url, {"dari": "kemarin"}).status_code == 400


def test_the_audit_page_pages_by_the_entry_it_stopped_at(programme, users, client_for):
    """Keyset paging: "Lebih lama" continues after the last entry shown, "Lebih baru" goes back;
    walking the pages both ways meets every entry once, in the same order as one long page."""
    import re
    from html import unescape

    from lindung.programmes import audit
    from lindung.programmes.views import AUDIT_PAGE

    _many_kinds_of_change(programme, users)
    for n in range(2 * AUDIT_PAGE + 7):
        update_programme(actor=users["admin"], programme=programme, bpjs_branch=f"Cabang {n}")
    everything = audit.recent_changes(programme, limit=1000)
    assert len(everything) > 2 * AUDIT_PAGE + 7
    # The service: pages next to a cursor, older and newer.
    first = audit.recent_changes(programme, limit=10)
    older = audit.recent_changes(programme, limit=10, cursor=audit.Cursor.of(first[-1]))
    assert [c.key for c in first + older] == [c.key for c in everything[:20]]
    newer = audit.recent_changes(programme, limit=10, cursor=audit.Cursor.of(older[0], False))
    assert [c.key for c in newer] == [c.key for c in first]
    cursor = audit.Cursor.decode(audit.Cursor.of(older[-1]).encode())
    assert cursor == audit.Cursor.of(older[-1])
    assert audit.Cursor.decode("2026-01-01~no.model~1") is None
    assert audit.Cursor.decode("kemarin") is None

    client = client_for(users["auditor"])
    url = reverse("audit_trail", args=[programme.code])

    def entries(html):
        return re.findall(r"Cabang \d+", html)

    def link(html, rel):
        found = re.search(rf'href="\?([^"]*)" rel="{rel}"', html)
        return unescape(found.group(1)) if found else None

    html, seen, pages = client.get(url).content.decode(), [], []
    while True:
        pages.append(html)
        seen += entries(html)
        nxt = link(html, "next")
        if nxt is None:
            break
        assert "sebelum=" in nxt
        html = client.get(f"{url}?{nxt}").content.decode()
    assert len(pages) >= 3 and f"Halaman {len(pages)}" in pages[-1]
    # Each change shows the branch before and after it: newest first, none twice, none lost.
    last = 2 * AUDIT_PAGE + 6
    pairs = [s for n in range(last, 0, -1) for s in (f"Cabang {n - 1}", f"Cabang {n}")]
    assert seen[: len(pairs)] == pairs
    # Back from the last page to the first with "Lebih baru".
    back = pages[-1]
    for expected in reversed(pages[:-1]):
        prev = link(back, "prev")
        assert prev is not None
        back = client.get(f"{url}?{prev}").content.decode()
        assert entries(back) == entries(expected)
    assert link(back, "prev") is None and "Halaman 1" in back
    # A mangled cursor shows the newest page, never an error.
    assert client.get(url, {"sebelum": "x~y~z"}).status_code == 200
