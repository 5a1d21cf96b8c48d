"""UU PDP data-subject access (UU 27/2022, Art. 7): everything Lindung holds on one person.

Found generically, so that a new app's records are included without a change here: the person,
the participant and every row that refers to them through a foreign key — and the rows referring
to those, three levels deep (family, enrolment periods, coverage months, invoice lines, claims
with their heirs, documents, scholarship plans and instalments, transition logs, handovers …) —
plus the change history of the person, the participant and the family, and the access-log rows
about them. Only reverse foreign keys are followed (never up to an invoice or a programme), so
nothing about another person is included. Files are named, not attached (ask the Operator).
"""

from __future__ import annotations

import io
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import timezone

from lindung.programmes.models import AccessLog, Programme

from .models import FamilyMember, Participant, Person

DEPTH = 3
#: Models never followed (logs of reads are added on their own; history tables separately).
_SKIP = {"programmes.accesslog"}


def _value(field: models.Field, obj) -> Any:
    value = getattr(obj, field.attname)
    if isinstance(field, models.BinaryField):
        return None if value is None else f"<{len(value)} byte>"
    if isinstance(field, models.FileField):
        return value.name if value else ""
    if isinstance(value, datetime):
        return (
            timezone.localtime(value).isoformat(timespec="seconds") if value.tzinfo else str(value)
        )
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _row(obj) -> dict[str, Any]:
    return {f.attname: _value(f, obj) for f in obj._meta.concrete_fields}


def reverse_relations(model) -> list:
    """The foreign keys pointing at ``model`` (history tables and the access log left out)."""
    return [
        rel
        for rel in model._meta.related_objects
        if (rel.one_to_many or rel.one_to_one)
        and not rel.related_model.__name__.startswith("Historical")
        and rel.related_model._meta.label_lower not in _SKIP
    ]


def referring_objects(start: list[tuple[type, list]]) -> list[tuple[type, list]]:
    """``(model, rows)`` referring by foreign key, up to :data:`DEPTH` levels, to the ``start``
    rows (``(model, [pk, …])``), each row once."""
    found: list[tuple[type, list]] = []
    seen = {(model, pk) for model, pks in start for pk in pks}
    level = start
    for _depth in range(DEPTH):
        following = []
        for model, pks in level:
            for rel in reverse_relations(model):
                related = rel.related_model
                rows = [
                    obj
                    for obj in related._default_manager.filter(**{f"{rel.field.name}__in": pks})
                    if (related, obj.pk) not in seen
                ]
                if rows:
                    seen.update((related, obj.pk) for obj in rows)
                    found.append((related, rows))
                    following.append((related, [obj.pk for obj in rows]))
        level = following
    return found


def _referring(start: list[tuple[type, list]]) -> dict[str, list[dict]]:
    sections: dict[str, list[dict]] = {}
    for model, rows in referring_objects(start):
        name = str(model._meta.verbose_name_plural)
        sections.setdefault(name, []).extend(_row(obj) for obj in rows)
    return sections


def _history(model, pks: list) -> list[dict]:
    rows = model.history.filter(id__in=pks).order_by("history_date", "history_id")
    return [
        {
            "tabel": str(model._meta.verbose_name),
            "waktu": timezone.localtime(h.history_date).isoformat(timespec="seconds"),
            "jenis": {"+": "dibuat", "~": "diubah", "-": "dihapus"}.get(h.history_type, ""),
            "oleh": h.history_user.username if h.history_user_id else "",
            "alasan": h.history_change_reason or "",
            **{f.attname: _value(f, h) for f in model._meta.concrete_fields},
        }
        for h in rows.select_related("history_user")
    ]


def _access(programme: Programme, person: Person, participant: Participant) -> list[dict]:
    about = AccessLog.objects.filter(programme=programme).filter(
        models.Q(object_type="registry.person", object_id=str(person.pk))
        | models.Q(object_type="registry.participant", object_id=str(participant.pk))
    )
    return [
        {
            "waktu": timezone.localtime(log.at).isoformat(timespec="seconds"),
            "pengguna": log.user.username if log.user_id else "",
            "tindakan": log.get_action_display(),
            "kanal": log.channel,
            "keterangan": log.detail,
        }
        for log in about.select_related("user").order_by("at", "id")
    ]


def subject_data(participant: Participant) -> dict[str, Any]:
    """Everything held on the participant's person: ``{"program", "dibuat", "bagian": {section:
    [rows]}}`` (sections in Indonesian, rows as field -> value)."""
    programme = participant.programme
    person = participant.person
    sections: dict[str, list[dict]] = {
        "Data diri": [_row(person)],
        "Kepesertaan": [_row(participant)],
    }
    for name, rows in _referring([(Person, [person.pk]), (Participant, [participant.pk])]).items():
        sections.setdefault(name, []).extend(rows)
    family = list(FamilyMember.objects.filter(participant=participant).values_list("pk", flat=True))
    sections["Riwayat perubahan"] = (
        _history(Person, [person.pk])
        + _history(Participant, [participant.pk])
        + (_history(FamilyMember, family) if family else [])
    )
    sections["Log akses"] = _access(programme, person, participant)
    return {
        "program": programme.code,
        "nik": person.nik,
        "nama": person.full_name,
        "dibuat": timezone.localtime().isoformat(timespec="seconds"),
        "dasar": "UU 27/2022 tentang Pelindungan Data Pribadi, Pasal 7 (hak akses subjek data)",
        "bagian": sections,
    }


def subject_json(data: dict) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str).encode()


def subject_xlsx(data: dict) -> bytes:
    """One sheet per section; every cell written as text or number (never a formula)."""
    import xlsxwriter

    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False})
    head = book.add_format({"bold": True, "bg_color": "#E8F3EE", "border": 1})
    cover = book.add_worksheet("Ringkasan")
    for n, key in enumerate(("nama", "nik", "program", "dibuat", "dasar")):
        cover.write_string(n, 0, key)
        cover.write_string(n, 1, str(data[key]))
    used = {"ringkasan"}
    for name, rows in data["bagian"].items():
        title = name[:28]
        while title.lower() in used:
            title = f"{title[:25]}_{len(used)}"
        used.add(title.lower())
        sheet = book.add_worksheet(title)
        columns = list(dict.fromkeys(k for row in rows for k in row))
        for col, key in enumerate(columns):
            sheet.write_string(0, col, key, head)
        for r, row in enumerate(rows, start=1):
            for col, key in enumerate(columns):
                value = row.get(key)
                if isinstance(value, bool) or value is None:
                    sheet.write_string(
                        r, col, "" if value is None else ("ya" if value else "tidak")
                    )
                elif isinstance(value, int | float):
                    sheet.write_number(r, col, value)
                else:
                    sheet.write_string(r, col, str(value))
    book.close()
    return buf.getvalue()
