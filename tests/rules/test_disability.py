"""The disability table: groups, search, the left-handed swap, range and per-unit rows."""

from datetime import date
from decimal import Decimal

import pytest

from lindung.rules.disability import (
    disability_groups,
    disability_percent,
    disability_table,
    resolve_disability,
    search_disability,
)
from lindung.rules.errors import RulesError

D = date(2025, 6, 1)


def test_groups_cover_every_row_in_table_order():
    groups = disability_groups(D)
    assert [g.code for g in groups] == ["kepala", "lengan", "jari_tangan", "tungkai", "jari_kaki"]
    assert groups[2].label == "Jari tangan"
    assert sum(len(g.items) for g in groups) == len(disability_table(D))
    fingers = [i.code for i in groups[2].items]
    assert fingers[:4] == ["ibu_jari_kanan", "ibu_jari_kiri", "telunjuk_kanan", "telunjuk_kiri"]


def test_search_matches_every_word_in_label_group_or_code():
    assert [i.code for i in search_disability("kelingking kanan", D)] == ["jari_lain_kanan"]
    assert {i.code for i in search_disability("JARI KAKI", D)} >= {
        "ibu_jari_kaki",
        "telunjuk_kaki",
        "jari_kaki_lain",
    }
    assert [i.code for i in search_disability("index finger", D)][:2] == [
        "telunjuk_kanan",
        "telunjuk_kiri",
    ]
    assert search_disability("tidak ada baris ini", D) == []
    assert len(search_disability("", D)) == len(disability_table(D))


def test_shown_and_to_dict():
    t = disability_table(D)
    assert t["telunjuk_kanan"].shown == "9%"
    assert t["ruas_telunjuk_kanan"].shown == "4,5%"
    assert t["kulit_kepala"].shown == "10–30%"
    assert t["dengar_turun_keduanya"].shown == "6% per 10 desibel"
    d = t["ruas_telunjuk_kanan"].to_dict()
    assert (d["kind"], d["percent"], d["left_handed_swap"]) == (
        "fixed",
        "4.5",
        "ruas_telunjuk_kiri",
    )
    assert t["kulit_kepala"].to_dict()["range"] == [10, 30]
    assert t["dengar_turun_keduanya"].to_dict()["unit"] == "10 desibel"


def test_resolve_left_handed_note_and_fields_at_fault():
    r = resolve_disability("ibu_jari_kanan", D, left_handed=True)
    assert (r.asked.code, r.item.code, r.percent) == ("ibu_jari_kanan", "ibu_jari_kiri", 12)
    assert "kidal" in r.note
    assert resolve_disability("kulit_kepala", D, percent="12,5").percent == Decimal("12.5")
    assert disability_percent("lapangan_pandang", D, units="1.5") == Decimal("10.5")
    cases = [
        (dict(code="telunjuk_kanan", units=2), "disability_units"),
        (dict(code="telunjuk_kanan", percent=9), "disability_percent"),
        (dict(code="kulit_kepala", percent="banyak"), "disability_percent"),
        (dict(code="dengar_turun_satu", units=0), "disability_units"),
        (dict(code="dengar_turun_satu", units=True), "disability_units"),
        (dict(code=None), "disability_item"),
    ]
    for kwargs, field in cases:
        code = kwargs.pop("code")
        with pytest.raises(RulesError) as exc:
            resolve_disability(code, D, **kwargs)
        assert exc.value.field == field, (code, kwargs)
