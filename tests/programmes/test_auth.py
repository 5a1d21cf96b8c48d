from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from lindung.programmes.models import Role

from ..conftest import PASSWORD


def test_passwords_are_hashed_with_argon2(make_user):
    user = make_user("ani")
    assert user.password.startswith("argon2")


def test_login_shows_programme_home_in_indonesian(programme, make_user):
    make_user("ani", programme, Role.OPERATOR)
    client = Client()
    page = client.get(reverse("login"))
    assert "Masuk ke Lindung" in page.content.decode()
    response = client.post(reverse("login"), {"username": "ani", "password": PASSWORD}, follow=True)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Pro JKK-JKM Kota Madiun" in html
    assert "Operator" in html
    assert '<html lang="id">' in html


def test_wrong_password_is_refused_with_a_message(programme, make_user):
    make_user("ani", programme, Role.OPERATOR)
    response = Client().post(reverse("login"), {"username": "ani", "password": "salah"})
    assert response.status_code == 200
    assert "_auth_user_id" not in Client().session
    assert "benar" in response.content.decode()  # Django's Indonesian "masukkan ... yang benar"


def test_lockout_after_repeated_failures(programme, make_user):
    make_user("ani", programme, Role.OPERATOR)
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "ani", "password": "salah"})
    # Now even the right password is refused, with an explanation.
    response = client.post(reverse("login"), {"username": "ani", "password": PASSWORD})
    assert response.status_code == 429
    assert "dikunci sementara" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_user_not_per_office(programme, make_user):
    make_user("ani", programme, Role.OPERATOR)
    make_user("budi", programme, Role.OPERATOR)
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "ani", "password": "salah"})
    response = client.post(reverse("login"), {"username": "budi", "password": PASSWORD})
    assert response.status_code == 302


def test_session_expires(programme, make_user):
    assert settings.SESSION_COOKIE_AGE <= 8 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    user = make_user("ani", programme, Role.OPERATOR)
    client = Client()
    client.force_login(user)
    assert client.get(reverse("home")).status_code == 302  # to the programme
    session = client.session
    session.set_expiry(-1)  # expired
    session.save()
    response = client.get(reverse("programme_home", args=[programme.code]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_logout_and_password_change(programme, make_user, client_for):
    user = make_user("ani", programme, Role.OPERATOR)
    client = client_for(user)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Madiun-Baru-2026!",
            "new_password2": "Madiun-Baru-2026!",
        },
    )
    assert response.status_code == 302
    assert get_user_model().objects.get(pk=user.pk).check_password("Madiun-Baru-2026!")
    client.post(reverse("logout"))
    response = client.get(reverse("programme_home", args=[programme.code]))
    assert response.status_code == 302 and "masuk" in response.url


def test_anonymous_is_sent_to_login(programme):
    response = Client().get(reverse("programme_home", args=[programme.code]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_language_switcher_offers_english(programme, make_user, client_for):
    user = make_user("ani", programme, Role.OPERATOR)
    client = client_for(user)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("programme_home", args=[programme.code])).content.decode()
    assert '<html lang="en">' in html
