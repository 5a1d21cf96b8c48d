"""A phone (390 px): the page never scrolls sideways, tables scroll inside their own box, the
menu folds behind one button and the filter forms fold away. Screenshots:
``test-artifacts/phone-*.png``."""

from datetime import date

import pytest

from lindung.claims.services import create_claim
from lindung.demo.build import DEMO_PASSWORD, build_foundation
from tests.actors import system
from tests.claims.helpers import SPOUSE, bill_and_pay, make_participant

from .conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
# A long name without spaces and a long place: neither may push the page wider than the phone.
LONG_NAME = "Raden Mas Bambang Kusumawardhana-Prawirodirdjo-Hadiningrat Santoso"


def page_width(page) -> tuple[int, int]:
    return page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


def assert_fits(page, what: str) -> None:
    page.wait_for_load_state("networkidle")
    scroll, inner = page_width(page)
    assert scroll <= inner, f"{what}: the page is {scroll} px wide on a {inner} px phone"


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(locale="id-ID", viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.base = live_server.url
    yield page
    context.close()


def test_table_pages_fit_a_phone(phone, shot):
    programme = build_foundation()
    worker = make_participant(programme, start=date(2023, 1, 1), name=LONG_NAME, family=[SPOUSE])
    bill_and_pay(programme, date(2023, 1, 1), date(2025, 11, 1))
    claim = create_claim(
        programme,
        worker,
        "jkm_death",
        date(2025, 11, 20),
        actor=system(),
        place="Rumah Sakit Umum Daerah dr. Soedono Madiun, Jalan Dr. Soetomo Nomor 59",
    )
    base = f"{phone.base}/p/{programme.code}"

    login(phone, "operator", DEMO_PASSWORD)
    # The menu is folded behind one button: the first thing below the header is the page.
    menu = phone.locator("nav.menu ul")
    assert not menu.is_visible()
    phone.locator("label.menu-button").click()
    assert menu.is_visible()
    assert (
        phone.get_by_role("navigation").get_by_role("link", name="Klaim", exact=True).is_visible()
    )
    shot(phone, "phone-menu-open")

    pages = {
        "daftar peserta": f"{base}/peserta/",
        "halaman orang": f"{base}/peserta/{worker.pk}/",
        "daftar klaim": f"{base}/klaim/",
        "halaman klaim": f"{base}/klaim/{claim.pk}/",
        "tagihan": f"{base}/iuran/tagihan/",
    }
    for what, url in pages.items():
        phone.goto(url)
        assert_fits(phone, what)
        # Wide tables scroll inside their own box, which the keyboard can reach.
        for box in phone.locator(".table-wrap").all():
            sizes = box.evaluate("b => [b.scrollWidth, b.clientWidth, b.tabIndex]")
            if sizes[0] > sizes[1]:
                assert sizes[2] == 0, f"{what}: a scrolling table box is not focusable"
    phone.goto(pages["daftar klaim"])
    assert phone.locator("#claims").locator("xpath=..").get_attribute("class") == "table-wrap"
    # The filter form is folded on a phone and opens with a tap.
    fold = phone.locator("details.fold")
    assert fold.get_attribute("open") is None
    fold.locator("summary").click()
    assert phone.get_by_label("Status").is_visible()
    shot(phone, "phone-claims")

    # A filter in use stays open, so the reader sees what is filtered.
    phone.goto(pages["daftar klaim"] + "?state=draft")
    assert phone.locator("details.fold").get_attribute("open") is not None
    assert_fits(phone, "daftar klaim tersaring")

    phone.context.clear_cookies()
    login(phone, "auditor", DEMO_PASSWORD)
    phone.goto(f"{base}/audit/")
    assert_fits(phone, "jejak audit")
    shot(phone, "phone-audit")
