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
    assert "kata sandi salah" in response.content.decode()  # said once, see below


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


def test_browser_language_is_ignored_until_english_is_chosen(programme, make_user, client_for):
    """An office computer set to English still gets Indonesian pages; English only by choice."""
    user = make_user("ani", programme, Role.OPERATOR)
    client = client_for(user)
    page = client.get(reverse("password_change"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    html = page.content.decode()
    assert '<html lang="id">' in html
    assert "Kata sandi lama" in html and "Your password can" not in html
    assert page["Content-Language"] == "id"
    # the switch sits in the footer and posts to set_language with a CSRF token
    footer = html[html.index('<footer class="foot">') :]
    assert 'action="/i18n/setlang/"' in footer and "csrfmiddlewaretoken" in footer
    assert '<option value="en" lang="en">English</option>' in footer
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("password_change")).content.decode()
    assert '<html lang="en">' in html
    assert "Your password can" in html  # Django's own English
    assert "<h1>Change password</h1>" in html and "Old password" in html  # Lindung's catalogue
    assert "Ganti kata sandi" not in html
    client.post(reverse("set_language"), {"language": "id", "next": "/"})
    html = client.get(reverse("password_change"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="id">' in html and "Kata sandi lama" in html


def test_unknown_language_cookie_falls_back_to_indonesian(programme, make_user, client_for):
    client = client_for(make_user("ani", programme, Role.OPERATOR))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    html = client.get(reverse("password_change")).content.decode()
    assert '<html lang="id">' in html


def test_wrong_password_message_says_the_field_once(programme, make_user):
    make_user("ani", programme, Role.OPERATOR)
    response = Client().post(reverse("login"), {"username": "ani", "password": "salah"})
    html = response.content.decode()
    message = "Nama pengguna atau kata sandi salah. Perhatikan huruf besar dan kecil pada keduanya."
    assert html.count(message) == 1
    assert "nama pengguna nama pengguna" not in html.lower()


def test_password_change_is_lindungs_own_page_with_the_menu(programme, make_user, client_for):
    client = client_for(make_user("ani", programme, Role.OPERATOR))
    page = client.get(reverse("programme_home", args=[programme.code])).content.decode()
    assert f'href="{reverse("password_change")}"' in page
    html = client.get(reverse("password_change")).content.decode()
    assert "Django" not in html and "admin/" not in html
    assert '<nav class="menu"' in html and programme.name in html
    assert "<h1>Ganti kata sandi</h1>" in html
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Madiun-Baru-2026!",
            "new_password2": "Madiun-Baru-2026!",
        },
        follow=True,
    )
    html = response.content.decode()
    assert "Kata sandi Anda sudah diganti." in html and '<nav class="menu"' in html
    assert "Django" not in html


def test_forced_password_change_lands_on_lindungs_page(programme, make_user, client_for):
    from lindung.programmes.middleware import SESSION_KEY

    client = client_for(make_user("ani", programme, Role.OPERATOR))
    session = client.session
    session[SESSION_KEY] = True
    session.save()
    response = client.get(reverse("programme_home", args=[programme.code]), follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("password_change")
    assert "kata sandi sementara" in html and "Django" not in html
