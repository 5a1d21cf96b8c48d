import pytest

from lindung.demo.build import DEMO_PASSWORD, build_foundation

from .conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_login_and_home_page(page, shot):
    build_foundation()
    page.goto(page.base + "/")
    assert "/masuk/" in page.url
    shot(page, "01-login")
    login(page, "operator", DEMO_PASSWORD)
    assert page.locator("h1").inner_text() == "Pro JKK-JKM Kota Madiun"
    assert page.locator("html").get_attribute("lang") == "id"
    assert "Operator" in page.locator("header").inner_text()
    shot(page, "02-home-operator")
    # An operator's menu has no audit entry; the auditor's has.
    assert page.get_by_role("link", name="Audit").count() == 0
    page.get_by_role("button", name="Keluar").click()
    login(page, "auditor", DEMO_PASSWORD)
    page.get_by_role("navigation").get_by_role("link", name="Audit").click()
    assert page.locator("h1").inner_text() == "Jejak audit"
    shot(page, "03-audit-auditor")


def test_wrong_password_explains_itself(page, shot):
    build_foundation()
    login(page, "operator", "bukan-ini")
    assert page.get_by_role("alert").count() == 1
    assert "kata sandi salah" in page.get_by_role("alert").inner_text()
    shot(page, "04-login-error")
