"""The shipped UMK table: every kabupaten/kota of Jawa Timur for 2025 and 2026, from the
Governor's decrees, with the seven revisions of 1 November 2025."""

from __future__ import annotations

from datetime import date

import pytest

from lindung.rules import regions
from lindung.rules.contributions import umk
from lindung.rules.parameters import all_parameters

DECREE_2025 = "100.3.3.1/775/KPTS/013/2024"
REVISION_2025 = "100.3.3.1/771/013/2025"
DECREE_2026 = "100.3.3.1/937/013/2025"
JATIM = [r.code for r in regions.children("35")]


def test_every_regency_and_city_of_jawa_timur_has_2025_and_2026():
    assert len(JATIM) == 38
    for code in JATIM:
        jan25, jan26 = umk(code, date(2025, 1, 1)), umk(code, date(2026, 1, 1))
        assert DECREE_2025 in jan25.ref and DECREE_2026 in jan26.ref, code
        assert not jan25.unconfirmed and not jan26.unconfirmed
        assert regions.region_name(code) in jan25.label
        # A plausible rise (3–10 %) guards against a typing error in the table.
        dec25 = umk(code, date(2025, 12, 31)).value
        assert 1.03 < jan26.value / dec25 < 1.10, code
        assert 2_300_000 < jan25.value < 5_500_000


@pytest.mark.parametrize(
    "code,jan_2025,nov_2025,jan_2026",
    [
        ("35.78", 4_961_753, 5_032_635, 5_288_796),  # Kota Surabaya (revised by PTUN ruling)
        ("35.07", 3_553_530, 3_587_213, 3_802_862),  # Kabupaten Malang (revised)
        ("35.02", 2_402_959, 2_402_959, 2_549_876),  # Kabupaten Ponorogo
        ("35.77", 2_422_105, 2_422_105, 2_588_794),  # Kota Madiun
        ("35.12", 2_335_209, 2_335_209, 2_483_962),  # Kabupaten Situbondo, the lowest
    ],
)
def test_decreed_figures(code, jan_2025, nov_2025, jan_2026):
    assert umk(code, date(2025, 10, 31)).value == jan_2025
    november = umk(code, date(2025, 11, 1))
    assert november.value == nov_2025
    if nov_2025 != jan_2025:
        assert REVISION_2025 in november.ref and november.start == date(2025, 11, 1)
    assert umk(code, date(2026, 6, 1)).value == jan_2026


def test_only_regencies_and_cities_that_exist():
    for name in all_parameters():
        if name.startswith("umk."):
            code = name.removeprefix("umk.")
            found = regions.region(code)
            assert found is not None and found.level == 2, name
