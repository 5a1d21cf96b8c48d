from django.urls import reverse

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
