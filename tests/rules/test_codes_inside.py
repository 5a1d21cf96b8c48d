"""rules.regions.codes_inside: the codes that mean a regency/city, old ones included."""

from lindung.rules import regions


def test_a_region_with_no_history_is_only_itself():
    assert regions.codes_inside("35.02") == {"35.02"}
    assert regions.codes_inside("3502") == {"35.02"}


def test_a_regency_that_moved_province_keeps_its_old_code():
    former = regions.former_code("91.09")
    assert former is not None and former.kind == "moved"
    assert regions.codes_inside(former.current) >= {former.current, "91.09"}


def test_the_successor_of_a_split_takes_the_retired_numbers_of_its_parent():
    former = regions.former_code("64.73")  # Tarakan, now in Kalimantan Utara
    assert former is not None
    new = former.current or former.successors[0]
    assert "64.73" in regions.codes_inside(new)


def test_not_a_regency_code_means_nothing():
    assert regions.codes_inside("") == frozenset()
    assert regions.codes_inside("35") == frozenset()
    assert regions.codes_inside("35.02.01") == frozenset()
