"""Role permissions per programme, and cross-programme isolation through web, API and CLI."""

import pytest
from django.urls import reverse

from lindung.programmes.models import Membership, Role
from lindung.programmes.permissions import (
    PERMISSIONS,
    AccessDenied,
    allowed_actions,
    can,
    programme_for,
    require,
)
from lindung.programmes.services import set_membership
from tests.actors import system


def test_each_role_gets_its_own_menu(programme, users, client_for):
    html = {
        r: client_for(u).get(reverse("programme_home", args=[programme.code])).content.decode()
        for r, u in users.items()
    }
    audit_url = reverse("audit_trail", args=[programme.code])
    members_url = reverse("members", args=[programme.code])
    assert audit_url in html["admin"] and audit_url in html["auditor"]
    assert audit_url not in html["operator"] and audit_url not in html["mitra_csr"]
    assert members_url in html["admin"] and members_url not in html["auditor"]


def test_role_table_is_enforced(programme, users):
    assert can(users["auditor"], programme, "audit.view")
    assert not can(users["operator"], programme, "audit.view")
    assert not can(
        users["auditor"], programme, "participant.edit"
    )  # read everything, change nothing
    assert can(users["verifikator"], programme, "claim.verify")
    assert not can(users["operator"], programme, "claim.verify")
    with pytest.raises(AccessDenied) as err:
        require(users["mitra_csr"], programme, "audit.view")
    assert "tidak mengizinkan" in str(err.value)
    assert allowed_actions(users["pimpinan"], programme) >= {"report.view", "plan.edit"}


def test_auditor_changes_nothing():
    writes = {
        a
        for a in PERMISSIONS
        if a.split(".")[1] in {"edit", "import", "run", "record", "verify", "adopt", "manage"}
    }
    assert writes
    assert not any(Role.AUDITOR in PERMISSIONS[a] for a in writes)


def test_user_of_programme_a_sees_nothing_of_programme_b(
    programme, other_programme, users, client_for, make_user
):
    outsider = make_user("orang-luar", other_programme, Role.ADMIN)
    client = client_for(outsider)
    for name in ["programme_home", "audit_trail", "access_log", "members"]:
        response = client.get(reverse(name, args=[programme.code]))
        assert response.status_code == 404, name
    history_url = reverse(
        "record_history", args=[programme.code, "programmes.programme", programme.pk]
    )
    assert client.get(history_url).status_code == 404
    # Its own programme's history page cannot be used to read the other programme's records.
    foreign = reverse(
        "record_history", args=[other_programme.code, "programmes.programme", programme.pk]
    )
    assert client.get(foreign).status_code == 404
    membership = Membership.objects.get(user=users["admin"], programme=programme)
    foreign_member = reverse(
        "record_history", args=[other_programme.code, "programmes.membership", membership.pk]
    )
    assert client.get(foreign_member).status_code == 404
    # The home page lists only its own programme.
    home = client.get(reverse("home"), follow=True).content.decode()
    assert "Pro JKK-JKM Kota Madiun" not in home
    # The API neither lists nor returns it.
    assert [p["code"] for p in client.get("/api/v1/programmes").json()] == ["kab-lain"]
    assert client.get(f"/api/v1/programmes/{programme.code}").status_code == 404
    # The same helper guards the CLI/services.
    from django.http import Http404

    with pytest.raises(Http404):
        programme_for(outsider, programme.code)


def test_user_of_programme_a_cannot_change_programme_b(programme, other_programme, make_user):
    from lindung.programmes.services import update_programme

    outsider = make_user("orang-luar", other_programme, Role.ADMIN)
    with pytest.raises(AccessDenied):
        update_programme(actor=outsider, programme=programme, name="Dibajak")
    with pytest.raises(AccessDenied):
        set_membership(actor=outsider, programme=programme, user=outsider, role=Role.ADMIN)
    programme.refresh_from_db()
    assert programme.name == "Pro JKK-JKM Kota Madiun"
    assert not Membership.objects.filter(user=outsider, programme=programme).exists()


def test_user_without_role_sees_nothing(programme, make_user, client_for):
    nobody = make_user("tanpa-peran")
    client = client_for(nobody)
    assert client.get(reverse("programme_home", args=[programme.code])).status_code == 404
    assert "belum memiliki peran" in client.get(reverse("home")).content.decode()
    assert client.get("/api/v1/programmes").json() == []


def test_forbidden_action_explains_itself_in_indonesian(programme, users, client_for):
    response = client_for(users["operator"]).get(reverse("audit_trail", args=[programme.code]))
    assert response.status_code == 403
    assert "tidak mengizinkan" in response.content.decode()


def test_multiple_programmes_with_different_roles(
    programme, other_programme, make_user, client_for
):
    user = make_user("dua-program", programme, Role.OPERATOR)
    set_membership(programme=other_programme, user=user, role=Role.AUDITOR, actor=system())
    html = client_for(user).get(reverse("home")).content.decode()
    assert "Pro JKK-JKM Kota Madiun" in html and "Program Kabupaten Lain" in html
    assert can(user, other_programme, "audit.view") and not can(user, programme, "audit.view")


def test_api_requires_login(programme):
    from django.test import Client

    assert Client().get("/api/v1/programmes").status_code == 401


def test_a_refusal_says_in_words_what_the_user_may_not_do(programme, users, client_for):
    from lindung.programmes.permissions import ACTION_WORDS, PERMISSIONS

    assert set(ACTION_WORDS) == set(PERMISSIONS)
    response = client_for(users["operator"]).get(reverse("audit_trail", args=[programme.code]))
    text = response.content.decode()
    assert response.status_code == 403
    assert "tidak mengizinkan melihat jejak audit dan log akses" in text
    assert "audit.view" not in text
    response = client_for(users["pimpinan"]).get(reverse("registry_import", args=[programme.code]))
    assert response.status_code == 403
    assert "participant.import" not in response.content.decode()
    assert "mengimpor data peserta" in response.content.decode()
