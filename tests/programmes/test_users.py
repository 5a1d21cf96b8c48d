"""Users and roles managed by the programme's Admin, in Lindung itself (not /admin/)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from lindung.coverage import services as coverage
from lindung.programmes import accounts
from lindung.programmes.models import Account, Membership, Role
from lindung.programmes.permissions import AccessDenied
from lindung.programmes.services import ProgrammeError, set_membership
from tests.actors import system

pytestmark = pytest.mark.django_db
PASSWORD = "kata-sandi-uji-123"
User = get_user_model()


def login(username: str, password: str) -> Client:
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": password})
    assert response.status_code == 302, f"{username} could not log in"
    return client


def can_log_in(username: str, password: str) -> bool:
    """Through the login page (django-axes needs the request)."""
    response = Client().post(reverse("login"), {"username": username, "password": password})
    return response.status_code == 302


def test_admin_creates_a_user_who_must_change_the_temporary_password(programme, users, client_for):
    admin = client_for(users["admin"])
    response = admin.post(
        reverse("user_create", args=[programme.code]),
        {
            "username": "budi.santoso",
            "full_name": "Budi Santoso",
            "email": "budi@disnaker.example.go.id",
            "role": "operator",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    budi = User.objects.get(username="budi.santoso")
    assert Membership.objects.get(user=budi, programme=programme).role == Role.OPERATOR
    page = admin.get(response.url).content.decode()
    temporary = page.split('id="temporary-password" class="big">')[1].split("<")[0]
    assert len(temporary) == 14 and budi.check_password(temporary)
    # Shown once only.
    assert "temporary-password" not in admin.get(response.url).content.decode()

    client = login("budi.santoso", temporary)
    for url in (
        reverse("programme_home", args=[programme.code]),
        reverse("registry_list", args=[programme.code]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response.url == reverse("password_change")
    assert client.get("/api/v1/programmes").status_code == 403
    form = client.get(reverse("password_change")).content.decode()
    assert "kata sandi sementara" in form
    # Keeping the temporary password is refused.
    same = client.post(
        reverse("password_change"),
        {"old_password": temporary, "new_password1": temporary, "new_password2": temporary},
    )
    assert same.status_code == 200 and "berbeda" in same.content.decode()
    done = client.post(
        reverse("password_change"),
        {
            "old_password": temporary,
            "new_password1": "Operator-Ponorogo-2026",
            "new_password2": "Operator-Ponorogo-2026",
        },
    )
    assert done.status_code == 302
    assert client.get(reverse("programme_home", args=[programme.code])).status_code == 200
    account = Account.objects.get(user=budi)
    assert not account.must_change_password and account.password_changed_at
    # The audit trail has the creation (by the Admin) and the password events.
    created = budi.history.earliest("history_date")
    assert created.history_type == "+" and created.history_user == users["admin"]
    # The password change is the account's event, not an empty change of the user.
    assert budi.history.count() == 1
    reasons = list(
        account.history.order_by("history_date").values_list("history_change_reason", flat=True)
    )
    assert reasons[-1] == "Kata sandi diganti oleh pengguna"
    assert "kata sandi sementara" in " ".join(r or "" for r in reasons)
    trail = client_for(users["auditor"]).get(reverse("audit_trail", args=[programme.code]))
    trail = trail.content.decode()
    assert "budi.santoso" in trail
    assert "<del>ya</del> → <ins>tidak</ins>" in trail  # must_change_password, in words


def test_password_reset_forces_a_change_and_ends_the_old_password(programme, users, client_for):
    operator = users["operator"]
    old_session = login(operator.username, PASSWORD)
    temporary = accounts.reset_password(actor=users["admin"], programme=programme, user=operator)
    operator.refresh_from_db()
    assert not operator.check_password(PASSWORD) and operator.check_password(temporary)
    # The operator's open session ends with the old password.
    response = old_session.get(reverse("programme_home", args=[programme.code]))
    assert response.status_code == 302 and reverse("login") in response.url
    assert not can_log_in(operator.username, PASSWORD)
    client = login(operator.username, temporary)
    response = client.get(reverse("programme_home", args=[programme.code]))
    assert response.url == reverse("password_change")
    last = Account.objects.get(user=operator).history.latest("history_date")
    assert last.must_change_password and last.history_user == users["admin"]
    assert last.history_change_reason == "Kata sandi direset oleh Admin"


def test_admin_gives_and_takes_roles_and_scopes_a_mitra_to_its_funders(
    programme, users, client_for
):
    coverage.create_funder(
        programme, code="APBD", name="APBD", kind="SG", is_default=True, actor=system()
    )
    coverage.create_funder(programme, code="CSR-PTX", name="PT X", kind="SC", actor=system())
    admin = users["admin"]
    verifikator = users["verifikator"]
    client = client_for(admin)
    url = reverse("user_role", args=[programme.code, verifikator.pk])
    # A Mitra CSR without a funder, or with a funder of nobody, is refused.
    response = client.post(url, {"role": "mitra_csr"})
    assert "Pilih paling sedikit satu penyandang dana" in response.content.decode()
    with pytest.raises(ProgrammeError, match="tidak dikenal"):
        accounts.change_role(
            actor=admin, programme=programme, user=verifikator, role="mitra_csr", scope=["X"]
        )
    response = client.post(url, {"role": "mitra_csr", "scope": ["CSR-PTX"]})
    assert response.status_code == 302
    membership = Membership.objects.get(user=verifikator, programme=programme)
    assert (membership.role, membership.scope) == ("mitra_csr", "CSR-PTX")
    assert membership.history.latest("history_date").history_user == admin
    # Take the role away: the login stays, the programme is gone for them.
    response = client.post(
        reverse("user_remove", args=[programme.code, verifikator.pk]), {"confirm": "1"}
    )
    assert response.status_code == 302
    assert not Membership.objects.filter(user=verifikator).exists()
    verifikator.refresh_from_db()
    assert verifikator.is_active
    home = client_for(verifikator).get(reverse("programme_home", args=[programme.code]))
    assert home.status_code == 404
    assert Membership.history.filter(user_id=verifikator.pk, history_type="-").exists()


def test_an_admin_cannot_touch_users_of_another_programme(
    programme, other_programme, users, client_for, make_user
):
    stranger = make_user("orang-lain", other_programme, Role.OPERATOR)
    client = client_for(users["admin"])
    for name in ("user_detail",):
        assert client.get(reverse(name, args=[programme.code, stranger.pk])).status_code == 404
    for name, data in [
        ("user_reset", {}),
        ("user_active", {"active": "0"}),
        ("user_role", {"role": "admin"}),
        ("user_identity", {"full_name": "Diubah"}),
        ("user_remove", {"confirm": "1"}),
    ]:
        response = client.post(reverse(name, args=[programme.code, stranger.pk]), data)
        assert response.status_code == 404, name
    # Nor through another programme's pages.
    response = client.get(reverse("user_detail", args=[other_programme.code, stranger.pk]))
    assert response.status_code == 404
    stranger.refresh_from_db()
    assert stranger.is_active and stranger.first_name == "Orang-Lain"
    assert Membership.objects.get(user=stranger).role == Role.OPERATOR
    with pytest.raises(ProgrammeError, match="tidak ditemukan"):
        accounts.reset_password(actor=users["admin"], programme=programme, user=stranger)


def test_a_shared_user_keeps_their_login_out_of_one_programmes_hands(
    programme, other_programme, users, client_for
):
    """A user in two programmes may get another role here, but only a superuser (or an Admin of
    both) changes their password, name or active status."""
    shared = users["pimpinan"]
    set_membership(programme=other_programme, user=shared, role=Role.AUDITOR, actor=system())
    admin = users["admin"]
    for change in (
        lambda: accounts.reset_password(actor=admin, programme=programme, user=shared),
        lambda: accounts.set_active(actor=admin, programme=programme, user=shared, active=False),
        lambda: accounts.update_user(
            actor=admin, programme=programme, user=shared, full_name="Nama Baru"
        ),
    ):
        with pytest.raises(ProgrammeError, match="program lain"):
            change()
    accounts.change_role(actor=admin, programme=programme, user=shared, role="auditor")
    assert Membership.objects.get(user=shared, programme=other_programme).role == Role.AUDITOR
    page = client_for(admin).get(reverse("user_detail", args=[programme.code, shared.pk]))
    assert "juga terdaftar di program lain" in page.content.decode()
    # An Admin of both programmes may.
    set_membership(programme=other_programme, user=admin, role=Role.ADMIN, actor=system())
    assert accounts.reset_password(actor=admin, programme=programme, user=shared)


def test_nobody_becomes_superuser_or_staff_through_the_programme_pages(
    programme, users, client_for
):
    admin = users["admin"]
    client = client_for(admin)
    client.post(
        reverse("user_create", args=[programme.code]),
        {
            "username": "penyusup",
            "full_name": "Penyusup",
            "role": "admin",
            "is_superuser": "on",
            "is_staff": "on",
        },
    )
    client.post(
        reverse("user_identity", args=[programme.code, admin.pk]),
        {"full_name": "Admin", "is_superuser": "on", "is_staff": "on"},
    )
    client.post(
        reverse("user_role", args=[programme.code, admin.pk]),
        {"role": "admin", "is_superuser": "on"},
    )
    assert not User.objects.filter(is_superuser=True).exists()
    assert not User.objects.filter(is_staff=True).exists()
    with pytest.raises(TypeError):
        accounts.create_user(
            actor=admin,
            programme=programme,
            username="x-user",
            full_name="X",
            role="admin",
            is_superuser=True,
        )
    # A superuser's login is the system administrators' business.
    root = User.objects.create_superuser("root", "", PASSWORD)
    set_membership(programme=programme, user=root, role=Role.ADMIN, actor=system())
    with pytest.raises(ProgrammeError, match="administrator sistem"):
        accounts.reset_password(actor=admin, programme=programme, user=root)
    with pytest.raises(ProgrammeError, match="administrator sistem"):
        accounts.change_role(actor=admin, programme=programme, user=root, role="auditor")


def test_an_admin_does_not_lock_the_programme_out(programme, users):
    admin = users["admin"]
    with pytest.raises(ProgrammeError, match="sendiri"):
        accounts.set_active(actor=admin, programme=programme, user=admin, active=False)
    with pytest.raises(ProgrammeError, match="Admin terakhir"):
        accounts.change_role(actor=admin, programme=programme, user=admin, role="operator")
    with pytest.raises(ProgrammeError, match="Admin terakhir"):
        accounts.remove_role(actor=admin, programme=programme, user=admin)
    assert Membership.objects.get(user=admin, programme=programme).role == Role.ADMIN


def test_deactivated_users_cannot_log_in_and_can_be_reactivated(programme, users, client_for):
    operator = users["operator"]
    client = client_for(users["admin"])
    url = reverse("user_active", args=[programme.code, operator.pk])
    assert client.post(url, {"active": "0"}).status_code == 302
    assert not can_log_in(operator.username, PASSWORD)
    last = operator.history.latest("history_date")
    assert last.is_active is False and last.history_user == users["admin"]
    assert last.history_change_reason == "Dinonaktifkan"
    client.post(url, {"active": "1"})
    assert can_log_in(operator.username, PASSWORD)


def test_only_the_admin_manages_users(programme, users, client_for):
    for role, user in users.items():
        if role == "admin":
            continue
        client = client_for(user)
        assert client.get(reverse("members", args=[programme.code])).status_code == 403
        response = client.post(
            reverse("user_create", args=[programme.code]),
            {"username": f"x-{role}", "full_name": "X", "role": "admin"},
        )
        assert response.status_code == 403
        with pytest.raises(AccessDenied):
            accounts.create_user(
                actor=user, programme=programme, username=f"y-{role}", full_name="Y", role="admin"
            )
    assert not User.objects.filter(username__startswith="x-").exists()


def test_create_user_refusals_are_explained(programme, users, client_for):
    client = client_for(users["admin"])
    url = reverse("user_create", args=[programme.code])
    for data, message in [
        ({"username": "u-operator", "full_name": "Dua", "role": "operator"}, "sudah dipakai"),
        ({"username": "A B", "full_name": "Spasi", "role": "operator"}, "huruf kecil"),
        ({"username": "tanpa-nama", "full_name": "", "role": "operator"}, "tidak boleh kosong"),
    ]:
        html = client.post(url, data).content.decode()
        assert message in html, data
    assert not User.objects.filter(username__in=["a b", "tanpa-nama"]).exists()


def test_users_page_lists_roles_and_missing_roles(programme, users, client_for):
    html = client_for(users["admin"]).get(reverse("members", args=[programme.code]))
    html = html.content.decode()
    assert "u-operator" in html and "Tambah pengguna" in html
    assert "/admin/" not in html.split('id="users"')[1].split("</table>")[0]
    csv = client_for(users["admin"]).get(
        reverse("members", args=[programme.code]), {"format": "csv"}
    )
    text = csv.content.decode("utf-8-sig")
    assert csv["Content-Type"].startswith("text/csv")
    assert text.splitlines()[0].startswith("nama_pengguna,nama,surel,peran")
    assert "u-mitra_csr,U-Mitra_Csr,,Mitra CSR" in text and len(text.splitlines()) == 7


def test_admin_site_is_for_superusers_only(programme, users, client_for):
    staff = users["admin"]
    staff.is_staff = True
    staff.save()
    response = client_for(staff).get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response.url
    response = client_for(staff).get("/admin/programmes/programme/")
    assert response.status_code == 302
    root = User.objects.create_superuser("root", "", PASSWORD)
    assert client_for(root).get("/admin/").status_code == 200
