"""Children's scholarships (beasiswa pendidikan anak). DOMAIN.md §4.

Definitions and assumptions (flagged in the parameters where they are not statutory):

- **School year**: starts on 1 July (``scholarship.school_year_start_month``); school year ``2025``
  means 2025/2026 (1 July 2025 – 30 June 2026). The *current* school year is the one containing
  the event date; a child's ``level`` and ``year_in_level`` describe that school year.
- **Instalments**: one per school year, claimed yearly, at the amount of the level the child is in
  that year; the current school year is included. The projection assumes one level-year per
  school year (no repeated or skipped years) up to the 5th year of higher education (PT/S1).
- **Child not yet at school** (level ``none``) follows the normal path from the next school
  year, by the child's age on 1 July (the reference date of school admission, Permendikbud
  1/2021 Pasal 4–5): TK group A at 4, group B at 5 (``scholarship.tk_entry_age``), SD year 1 at
  6 or 7 (``scholarship.sd_entry_age``). A child who will be 5 next July starts in TK year 2, one
  who will be 6 or 7 goes straight to SD year 1, one who will be 8 or older is past school age
  and gets nothing until enrolled (ASSUMPTIONS, flagged). Per child the path can be overridden:
  ``start_level`` (``TK``: two TK years first; ``SD``: straight to SD) and/or
  ``start_school_year`` (the school year the child will start).
- **Stop conditions**: age 23 (a school year is paid only if the child is under 23 on its first
  day; for the current year, under 23 on the event date), married, or working — except, from
  Permenaker 1/2025, a child still in education working as PU for at most 6 consecutive months,
  as BPU, or in an apprenticeship.
- **At most 2 children** (1 before PP 82/2019): those marked ``chosen`` if any, else the 2 eldest
  among the children who will receive something. A child who will receive nothing (married,
  working, 23 or older, not enrolled and past school age, no instalment left) does not take
  one of the places unless chosen.
- Before PP 82/2019 (event before 2019-12-02) the scholarship was a single Rp 12,000,000 for one
  child (``scholarship.regime = lump_sum``).

>>> from datetime import date
>>> kid = Child(birth_date=date(2021, 3, 1))
>>> r = scholarships("jkm_death", date(2025, 6, 1), 40, [kid])
>>> r.eligible, r.this_year, r.commitment
(True, 0, 87000000)
>>> scholarships("jkm_death", date(2025, 6, 1), 20, [kid]).reason_en
'No scholarship: 20 contribution months, fewer than the 36 required for a JKM death.'
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from lindung.rules.errors import RulesError
from lindung.rules.money import format_rupiah
from lindung.rules.parameters import ParamSet, Value, params_on

__all__ = [
    "LEVELS",
    "SCHOLARSHIP_BENEFITS",
    "WORKING",
    "Child",
    "ChildScholarship",
    "Instalment",
    "ScholarshipResult",
    "SchoolPath",
    "age_on",
    "instalment_schedule",
    "participant_eligibility",
    "scholarships",
    "school_path",
    "school_year_label",
    "school_year_of",
]

#: School levels in order; ``none`` = not (yet) at school.
LEVELS = ("none", "TK", "SD", "SMP", "SMA", "PT")
#: Values of ``Child.working``.
WORKING = ("no", "pu", "bpu", "apprenticeship")
#: Benefits that carry a scholarship.
SCHOLARSHIP_BENEFITS = ("jkm_death", "jkk_death", "jkk_total_disability")

_LEVEL_NAMES = {
    "none": "belum sekolah",
    "TK": "TK",
    "SD": "SD",
    "SMP": "SMP",
    "SMA": "SMA",
    "PT": "Perguruan Tinggi/pelatihan",
}


@dataclass(frozen=True, slots=True)
class Child:
    """A child of the participant as registered in the family data (KK).

    ``level``/``year_in_level`` describe the school year containing the event date (``none``/0
    for a child not at school). ``working``: ``no``, ``pu`` (wage earner; give
    ``working_months``, the consecutive months worked), ``bpu`` or ``apprenticeship``.
    ``start_level`` (``TK``/``SD``) and ``start_school_year`` override the projected path of a
    child not at school (see :func:`school_path`).
    """

    birth_date: date
    level: str = "none"
    year_in_level: int = 0
    married: bool = False
    working: str = "no"
    working_months: int | None = None
    chosen: bool = False
    name: str | None = None
    start_level: str | None = None
    start_school_year: int | None = None


@dataclass(frozen=True, slots=True)
class Instalment:
    """One yearly scholarship instalment of one child."""

    school_year: int
    level: str
    year_in_level: int
    amount: int

    @property
    def label(self) -> str:
        """``2025/2026``."""
        return school_year_label(self.school_year)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return dict(_instalment_dict(self.school_year, self.level, self.year_in_level, self.amount))


@functools.lru_cache(maxsize=8192)
def _instalment_dict(school_year: int, level: str, year_in_level: int, amount: int) -> dict:
    return {
        "school_year": school_year_label(school_year),
        "level": level,
        "year_in_level": year_in_level,
        "amount": amount,
    }


@dataclass(frozen=True, slots=True)
class ChildScholarship:
    """What one child gets: this school year, the whole commitment and the schedule."""

    index: int
    child: Child
    age_at_event: int
    eligible: bool
    selected: bool
    reason_id: str
    reason_en: str
    schedule: tuple[Instalment, ...] = ()
    start_school_year: int | None = None
    #: Amount due for the current school year.
    this_year: int = 0
    #: Everything still to be paid, current school year included, to the end of S1.
    commitment: int = 0
    #: For a child not at school: how the start was projected (Indonesian), else ``None``.
    path: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        c = self.child
        return {
            "index": self.index,
            "name": c.name,
            "birth_date": c.birth_date.isoformat(),
            "age_at_event": self.age_at_event,
            "level": c.level,
            "year_in_level": c.year_in_level,
            "eligible": self.eligible,
            "selected": self.selected,
            "reason": self.reason_id,
            "reason_en": self.reason_en,
            "start_school_year": (
                school_year_label(self.start_school_year) if self.start_school_year else None
            ),
            "this_year": self.this_year,
            "commitment": self.commitment,
            "schedule": [i.to_dict() for i in self.schedule],
            "path": self.path,
        }


@dataclass(frozen=True, slots=True)
class ScholarshipResult:
    """Scholarship outcome of one event for all children."""

    eligible: bool
    reason_id: str
    reason_en: str
    regime: str
    school_year: int
    children: tuple[ChildScholarship, ...]
    params: tuple[Value, ...]

    @property
    def this_year(self) -> int:
        """Total due for the current school year (selected children)."""
        return sum(c.this_year for c in self.children)

    @property
    def commitment(self) -> int:
        """Total still to be paid to the end of S1 (selected children)."""
        return sum(c.commitment for c in self.children)


def school_year_of(day: date, start_month: int = 7) -> int:
    """The school year containing ``day`` (its starting calendar year).

    >>> school_year_of(date(2025, 6, 30)), school_year_of(date(2025, 7, 1))
    (2024, 2025)
    """
    return day.year if day.month >= start_month else day.year - 1


def school_year_label(year: int) -> str:
    """``2025`` → ``2025/2026``."""
    return f"{year}/{year + 1}"


def age_on(birth_date: date, day: date) -> int:
    """Age in full years on ``day`` (a 29 February birthday counts from 1 March).

    >>> age_on(date(2000, 2, 29), date(2023, 2, 28)), age_on(date(2000, 2, 29), date(2023, 3, 1))
    (22, 23)
    """
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


_SEQ_CACHE: dict[int, tuple[Any, tuple[tuple[str, int, int], ...], dict[tuple[str, int], int]]] = {}


def _sequence(levels: list[dict[str, Any]]) -> tuple[tuple[tuple[str, int, int], ...], dict]:
    """(level, year, amount) for every school year from TK 1 to PT 5, and an index."""
    hit = _SEQ_CACHE.get(id(levels))
    if hit is not None and hit[0] is levels:
        return hit[1], hit[2]
    seq = tuple(
        (row["level"], k, row["per_year"]) for row in levels for k in range(1, row["years"] + 1)
    )
    index = {(lvl, k): i for i, (lvl, k, _) in enumerate(seq)}
    _SEQ_CACHE[id(levels)] = (levels, seq, index)
    return seq, index


def participant_eligibility(
    benefit: str, contribution_months: int, ps: ParamSet
) -> tuple[bool, str, str, list[Value]]:
    """Whether the event gives a scholarship at all: (eligible, reason id, reason en, values)."""
    if benefit == "jkm_death":
        min_v = ps["jkm.scholarship_min_months"]
        need = min_v.value
        if contribution_months >= need:
            return (
                True,
                f"Berhak beasiswa: masa iur {contribution_months} bulan memenuhi syarat minimal "
                f"{need} bulan untuk JKM meninggal dunia.",
                f"Scholarship due: {contribution_months} contribution months meet the "
                f"{need}-month minimum for a JKM death.",
                [min_v],
            )
        return (
            False,
            f"Tidak berhak beasiswa: masa iur {contribution_months} bulan kurang dari syarat "
            f"minimal {need} bulan untuk JKM meninggal dunia.",
            f"No scholarship: {contribution_months} contribution months, fewer than the {need} "
            "required for a JKM death.",
            [min_v],
        )
    if benefit in ("jkk_death", "jkk_total_disability"):
        what_id = "meninggal dunia" if benefit == "jkk_death" else "cacat total tetap"
        what_en = "death" if benefit == "jkk_death" else "total permanent disability"
        return (
            True,
            f"Berhak beasiswa: JKK {what_id}, tanpa syarat masa iur.",
            f"Scholarship due: JKK {what_en}, no minimum contribution period.",
            [],
        )
    return (
        False,
        "Tidak ada beasiswa: beasiswa hanya untuk JKM meninggal dunia, JKK meninggal dunia, "
        "atau JKK cacat total tetap.",
        "No scholarship: scholarships follow only a JKM death, a JKK death or a JKK total "
        "permanent disability.",
        [],
    )


def _stop_reason(child: Child, age: int, ps: ParamSet) -> tuple[str, str] | None:
    max_age = ps.value("scholarship.max_age")
    if age >= max_age:
        return (
            f"Tidak berhak: anak sudah berusia {age} tahun (batas {max_age} tahun).",
            f"Not eligible: the child is {age} (limit {max_age}).",
        )
    if child.married:
        return ("Tidak berhak: anak sudah menikah.", "Not eligible: the child is married.")
    work = child.working
    if work != "no":
        exc = ps.value("scholarship.working_exceptions")
        in_school = child.level != "none"
        ok = in_school and (
            (work == "bpu" and exc["bpu"])
            or (work == "apprenticeship" and exc["apprenticeship"])
            or (
                work == "pu"
                and child.working_months is not None
                and 0 < exc["pu_max_consecutive_months"]
                and child.working_months <= exc["pu_max_consecutive_months"]
            )
        )
        if not ok:
            if exc["pu_max_consecutive_months"]:
                return (
                    "Tidak berhak: anak sudah bekerja (pengecualian Permenaker 1/2025 hanya bagi "
                    f"anak yang masih sekolah dan bekerja sebagai PU paling lama "
                    f"{exc['pu_max_consecutive_months']} bulan berturut-turut, sebagai BPU, "
                    "atau magang).",
                    "Not eligible: the child works (Permenaker 1/2025 keeps only a child still in "
                    f"education working as PU for at most {exc['pu_max_consecutive_months']} "
                    "consecutive months, as BPU, or as an apprentice).",
                )
            return ("Tidak berhak: anak sudah bekerja.", "Not eligible: the child works.")
    return None


@dataclass(frozen=True, slots=True)
class SchoolPath:
    """Where a child not at school is projected to start: the school year, the position in
    the TK 1 … PT 5 sequence, and why (Indonesian and English)."""

    first_year: int
    position: int
    level: str
    year_in_level: int
    note_id: str
    note_en: str


#: Levels a child not at school may be projected to start in (``Child.start_level``).
START_LEVELS = ("TK", "SD")


def school_path(
    child: Child, event_date: date, params: ParamSet | None = None
) -> SchoolPath | None:
    """The projected start of a child not at school (``level="none"``), or ``None`` when the
    child is past school age and no start was given (nothing is projected).

    Normal path by the age on 1 July of each school year after the current one: TK year 1 at
    ``scholarship.tk_entry_age`` (4), TK year 2 at 5, SD year 1 at
    ``scholarship.sd_entry_age`` min–max (6–7); 8 or older: past school age. Overrides:
    ``start_level="SD"`` goes straight to SD (first year the child is at least 6),
    ``start_level="TK"`` does both TK years first, ``start_school_year`` fixes the year (the
    level then follows the age, or ``start_level``).

    >>> p = school_path(Child(date(2020, 7, 1)), date(2025, 12, 1))   # 5 years 5 months
    >>> p.first_year, p.level, p.year_in_level
    (2026, 'SD', 1)
    >>> school_path(Child(date(2020, 7, 1), start_level="TK"), date(2025, 12, 1)).level
    'TK'
    >>> school_path(Child(date(2017, 7, 1)), date(2025, 12, 1)) is None   # 8 next July
    True
    """
    ps = params if params is not None else params_on(event_date)
    start_month = ps.value("scholarship.school_year_start_month")
    current = school_year_of(event_date, start_month)
    levels = ps.value("scholarship.levels")
    seq, index = _sequence(levels)
    sd_pos = index[("SD", 1)]
    tk_age = ps.value("scholarship.tk_entry_age")
    sd_age = ps.value("scholarship.sd_entry_age")

    def age(year: int) -> int:
        return age_on(child.birth_date, date(year, start_month, 1))

    def first_year(minimum_age: int) -> int:
        year = current + 1
        while age(year) < minimum_age:
            year += 1
        return year

    chosen_year = child.start_school_year
    if chosen_year is not None:
        year = chosen_year
        if child.start_level == "TK":
            pos = 0
        elif child.start_level == "SD" or age(year) >= sd_age["min"]:
            pos = sd_pos
        else:
            pos = max(0, sd_pos - (sd_age["min"] - age(year)))
        how_id, how_en = "tahun mulai sekolah yang diisi", "the school start given"
    elif child.start_level == "SD":
        year, pos = first_year(sd_age["min"]), sd_pos
        how_id, how_en = "langsung SD (pilihan)", "straight to SD (chosen)"
    elif child.start_level == "TK":
        year, pos = first_year(tk_age), 0
        how_id, how_en = "TK dua tahun lalu SD (pilihan)", "two TK years then SD (chosen)"
    else:
        year = first_year(tk_age)
        a = age(year)
        if a > sd_age["max"]:
            return None
        pos = sd_pos if a >= sd_age["min"] else max(0, sd_pos - (sd_age["min"] - a))
        how_id, how_en = "jalur normal menurut usia per 1 Juli", "normal path by age on 1 July"
    level, year_in_level, _ = seq[pos]
    return SchoolPath(
        year,
        pos,
        level,
        year_in_level,
        f"Belum sekolah: mulai {level} {year_in_level} tahun ajaran {school_year_label(year)} "
        f"(usia {age(year)} tahun per 1 Juli; {how_id}).",
        f"Not at school: starts {level} {year_in_level} in school year {school_year_label(year)} "
        f"(aged {age(year)} on 1 July; {how_en}).",
    )


def _nothing_reason(child: Child, path: SchoolPath | None, lump_sum: bool) -> tuple[str, str]:
    if child.level == "none" and path is None and not lump_sum:
        return (
            "Anak belum terdaftar di sekolah dan sudah melewati usia masuk SD: tidak ada "
            "angsuran sampai anak bersekolah (isi jenjangnya, atau tahun mulai sekolah).",
            "The child is not enrolled and past school-entry age: no instalment until the child "
            "is at school (enter the level, or the school start year).",
        )
    return (
        "Tidak ada lagi angsuran: batas usia atau lama jenjang sudah terlampaui.",
        "No instalment left: the age limit or the length of the level is exceeded.",
    )


def instalment_schedule(
    child: Child, event_date: date, params: ParamSet | None = None
) -> list[Instalment]:
    """Every yearly instalment still due for one child, from the current school year on.

    Applies the level table in force on the event date, the projected start of a child not at
    school (:func:`school_path`) and the age limit (see the module docstring). It does not check participant eligibility, the
    other stop conditions or the 2-children limit (see :func:`scholarships`).

    >>> [(i.label, i.level, i.year_in_level, i.amount) for i in instalment_schedule(
    ...     Child(date(2004, 5, 1), "PT", 4), date(2025, 9, 1))]
    [('2025/2026', 'PT', 4, 12000000), ('2026/2027', 'PT', 5, 12000000)]
    >>> len(instalment_schedule(Child(date(2003, 6, 1), "PT", 4), date(2025, 9, 1)))
    1
    """
    ps = params if params is not None else params_on(event_date)
    start_month = ps.value("scholarship.school_year_start_month")
    current = school_year_of(event_date, start_month)
    max_age = ps.value("scholarship.max_age")
    birth = child.birth_date
    if age_on(birth, event_date) >= max_age:
        return []
    if ps.value("scholarship.regime") == "lump_sum":
        return [
            Instalment(current, child.level, child.year_in_level, ps.value("scholarship.lump_sum"))
        ]
    levels = ps.value("scholarship.levels")
    if child.level == "none":
        path = school_path(child, event_date, ps)
        if path is None:
            return []
        first_year, pos = path.first_year, path.position
    else:
        _, index = _sequence(levels)
        key = (child.level, child.year_in_level)
        if key not in index:
            return []
        first_year, pos = current, index[key]
    run = _run(levels, pos, first_year)
    # A later school year is paid only if the child is under max_age on its first day:
    # age on (Y, start_month, 1) < max_age  <=>  Y < limit.
    limit = birth.year + max_age + ((start_month, 1) < (birth.month, birth.day))
    # (The current year always passes: its 1 July is not after the event date checked above.)
    return list(run[: max(0, min(len(run), limit - first_year))])


@functools.lru_cache(maxsize=4096)
def _run_cached(levels_id: int, pos: int, first_year: int) -> tuple[Instalment, ...]:
    seq = _SEQ_CACHE[levels_id][1]
    return tuple(
        Instalment(first_year + offset, lvl, k, amount)
        for offset, (lvl, k, amount) in enumerate(seq[pos:])
    )


def _run(levels: list[dict[str, Any]], pos: int, first_year: int) -> tuple[Instalment, ...]:
    """Instalments from sequence position ``pos`` starting in ``first_year`` to PT 5 (cached)."""
    _sequence(levels)  # registers the table in _SEQ_CACHE under id(levels)
    return _run_cached(id(levels), pos, first_year)


def scholarships(
    benefit: str,
    event_date: date,
    contribution_months: int,
    children: Sequence[Child],
    params: ParamSet | None = None,
) -> ScholarshipResult:
    """Scholarship outcome of an event: participant eligibility, then each child.

    ``children`` in any order; results keep the input order (``index``).
    """
    ps = params if params is not None else params_on(event_date)
    ok, reason_id, reason_en, used = participant_eligibility(benefit, contribution_months, ps)
    regime_v = ps["scholarship.regime"]
    start_month = ps.value("scholarship.school_year_start_month")
    current = school_year_of(event_date, start_month)
    max_v = ps["scholarship.max_children"]
    used += [regime_v, max_v, ps["scholarship.max_age"]]
    if regime_v.value == "lump_sum":
        used.append(ps["scholarship.lump_sum"])
    else:
        used.append(ps["scholarship.levels"])
        if any(c.level == "none" for c in children):
            used += [ps["scholarship.tk_entry_age"], ps["scholarship.sd_entry_age"]]
    if any(c.working != "no" for c in children):
        used.append(ps["scholarship.working_exceptions"])

    ages = [max(age_on(c.birth_date, event_date), 0) for c in children]
    if not ok:
        results = tuple(
            ChildScholarship(i, c, ages[i], False, False, reason_id, reason_en)
            for i, c in enumerate(children)
        )
        return ScholarshipResult(
            False, reason_id, reason_en, regime_v.value, current, results, tuple(used)
        )

    stops = [_stop_reason(c, ages[i], ps) for i, c in enumerate(children)]
    schedules = [
        () if stops[i] else tuple(instalment_schedule(c, event_date, ps))
        for i, c in enumerate(children)
    ]
    lump_sum = regime_v.value == "lump_sum"
    paths = [
        school_path(c, event_date, ps) if c.level == "none" and not lump_sum else None
        for c in children
    ]
    max_children = max_v.value
    if any(c.chosen for c in children):
        if sum(1 for c in children if c.chosen) > max_children:
            raise RulesError(
                f"Paling banyak {max_children} anak dapat dipilih.",
                f"At most {max_children} children can be chosen.",
                "children",
            )
        selected = {i for i, c in enumerate(children) if c.chosen and stops[i] is None}
    else:
        # Only children who will receive something take one of the places.
        receiving = [i for i in range(len(children)) if schedules[i]]
        order = sorted(receiving, key=lambda i: (children[i].birth_date, i))
        selected = set(order[:max_children])

    results_list = []
    for i, c in enumerate(children):
        path = paths[i].note_id if paths[i] else None
        if stops[i] is not None:
            rid, ren = stops[i]
            results_list.append(ChildScholarship(i, c, ages[i], False, False, rid, ren))
            continue
        schedule = schedules[i]
        if i not in selected:
            if schedule:
                rid = f"Tidak dipilih: beasiswa paling banyak untuk {max_children} anak."
                ren = f"Not selected: scholarships go to at most {max_children} children."
            else:
                rid, ren = _nothing_reason(c, paths[i], lump_sum)
                rid += " Tidak mengambil jatah beasiswa anak (kecuali dipilih)."
                ren += " Does not take a scholarship place (unless chosen)."
            results_list.append(ChildScholarship(i, c, ages[i], True, False, rid, ren, path=path))
            continue
        start = schedule[0].school_year if schedule else None
        total = sum(s.amount for s in schedule)
        now = schedule[0].amount if schedule and start == current else 0
        if not schedule:
            rid, ren = _nothing_reason(c, paths[i], lump_sum)
        else:
            rid = (
                f"Berhak: {len(schedule)} angsuran tahunan mulai {school_year_label(start)}, "
                f"jumlah {format_rupiah(total)}."
            )
            ren = (
                f"Eligible: {len(schedule)} yearly instalments from {school_year_label(start)}, "
                f"total {format_rupiah(total)}."
            )
            if paths[i]:
                rid, ren = f"{rid} {paths[i].note_id}", f"{ren} {paths[i].note_en}"
        results_list.append(
            ChildScholarship(i, c, ages[i], True, True, rid, ren, schedule, start, now, total, path)
        )
    return ScholarshipResult(
        True, reason_id, reason_en, regime_v.value, current, tuple(results_list), tuple(used)
    )
