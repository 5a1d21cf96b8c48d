"""The "Kalkulator Manfaat" page: a thin view over ``lindung.rules``."""

from __future__ import annotations

from datetime import date

from django import forms
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lindung.core import dates, fields
from lindung.rules.disability import disability_groups, search_disability
from lindung.rules.errors import RulesError
from lindung.rules.quote import quote

from .decorators import programme_view
from .queries import umk_for

BENEFITS = [
    ("jkm_death", "JKM — meninggal bukan karena kecelakaan kerja"),
    ("jkk_death", "JKK — meninggal karena kecelakaan kerja"),
    ("jkk_total_disability", "JKK — cacat total tetap"),
    ("jkk_partial_disability", "JKK — cacat sebagian"),
    ("jkk_stmb", "JKK — sementara tidak mampu bekerja (STMB)"),
]
LEVELS = [
    ("", "—"),
    ("none", "belum sekolah"),
    ("TK", "TK"),
    ("SD", "SD"),
    ("SMP", "SMP"),
    ("SMA", "SMA/SMK"),
    ("PT", "Perguruan tinggi"),
]
MAX_CHILDREN = 3


class QuoteForm(forms.Form):
    benefit = forms.ChoiceField(label=_("Peristiwa"), choices=BENEFITS)
    segment = forms.ChoiceField(
        label=_("Segmen"), choices=[("PU", "Non-ASN (PU)"), ("BPU", "Pekerja rentan (BPU)")]
    )
    monthly_wage = forms.IntegerField(
        label=_("Upah sebulan / tingkat penghasilan (Rp)"), min_value=1, required=False
    )
    event_date = fields.DateField(label=_("Tanggal peristiwa"))
    contribution_months = forms.IntegerField(
        label=_("Bulan iuran terbayar sebelum peristiwa"), min_value=0, required=False
    )
    disability_percent = forms.DecimalField(
        label=_("Persentase cacat menurut tabel (%)"), min_value=0, max_value=100, required=False
    )
    function_loss_percent = forms.DecimalField(
        label=_("Persentase hilangnya fungsi (%)"), min_value=0, max_value=100, required=False
    )
    incapacity_months = forms.IntegerField(
        label=_("Lama tidak mampu bekerja (bulan)"), min_value=1, required=False
    )
    disability_item = forms.ChoiceField(
        label=_("Baris tabel cacat (PP 44/2015 Lampiran III)"), required=False
    )
    left_handed = forms.BooleanField(label=_("Kidal (kiri dan kanan ditukar)"), required=False)
    disability_units = forms.DecimalField(
        label=_("Jumlah satuan (baris 'per satuan', mis. 3 untuk 30 desibel)"),
        min_value=0,
        required=False,
    )

    #: Rendered in their own fieldset, with the search box.
    TABLE_FIELDS = ("disability_item", "left_handed", "disability_units")

    def __init__(self, *args, on: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["disability_item"].choices = disability_choices(on)

    def main_fields(self):
        return [f for f in self if f.name not in self.TABLE_FIELDS]

    def table_fields(self):
        return [self[name] for name in self.TABLE_FIELDS]


def disability_choices(on: date, query: str = "") -> list:
    """The table rows as grouped choices (one ``<optgroup>`` per body part), filtered by the
    words of ``query``."""
    wanted = {i.code for i in search_disability(query, on)} if query else None
    choices: list = [("", "— pilih baris tabel cacat —")]
    for group in disability_groups(on):
        rows = [
            (i.code, f"{i.label} — {i.shown}")
            for i in group.items
            if wanted is None or i.code in wanted
        ]
        if rows:
            choices.append((group.label, rows))
    return choices


def _event_date(data) -> date:
    try:
        return dates.parse_date(str(data.get("event_date", "")))
    except ValueError:
        return timezone.localdate()


def _disability_select(on: date, query: str, value: str) -> str:
    """The row list filtered by the search words (the selected row stays listed)."""
    choices = disability_choices(on, query)
    listed = {code for _g, rows in choices[1:] for code, _label in rows}
    if value and value not in listed:
        choices = disability_choices(on)
    return forms.Select(choices=choices).render(
        "disability_item", value or "", attrs={"id": "id_disability_item"}
    )


class ChildForm(forms.Form):
    birth_date = fields.DateField(label=_("Tanggal lahir anak"), required=False)
    level = forms.ChoiceField(label=_("Jenjang"), choices=LEVELS, required=False)
    year_in_level = forms.IntegerField(label=_("Kelas/tahun ke-"), min_value=1, required=False)
    married = forms.BooleanField(label=_("Menikah"), required=False)
    working = forms.BooleanField(label=_("Bekerja"), required=False)
    start_level = forms.ChoiceField(
        label=_("Mulai sekolah dengan"),
        choices=[("", "jalur normal"), ("TK", "TK dua tahun"), ("SD", "langsung SD")],
        required=False,
    )
    start_school_year = forms.IntegerField(
        label=_("Tahun ajaran mulai (mis. 2026)"), min_value=2015, max_value=2100, required=False
    )


ChildFormSet = forms.formset_factory(ChildForm, extra=MAX_CHILDREN, max_num=MAX_CHILDREN)


def _request_from(form: QuoteForm, children) -> dict:
    data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
    data["event_date"] = data["event_date"].isoformat()
    for key in ("disability_percent", "function_loss_percent", "disability_units"):
        if key in data:
            data[key] = str(data[key])
    if not data.get("left_handed"):
        data.pop("left_handed", None)
    kids = []
    for child in children:
        c = child.cleaned_data
        if not c or not c.get("birth_date"):
            continue
        kid = {"birth_date": c["birth_date"].isoformat(), "level": c.get("level") or "none"}
        if c.get("year_in_level"):
            kid["year_in_level"] = c["year_in_level"]
        kid["married"] = bool(c.get("married"))
        kid["working"] = bool(c.get("working"))
        if kid["level"] == "none":
            for key in ("start_level", "start_school_year"):
                if c.get(key):
                    kid[key] = c[key]
        kids.append(kid)
    if kids:
        data["children"] = kids
    return data


def _default_wage(programme, on: date) -> int | None:
    found = umk_for(programme, on)
    return int(found.value) if found is not None else None


@programme_view("benefit.quote")
def calculator(request, programme):
    today = timezone.localdate()
    result = error = None
    on = _event_date(request.GET)
    query = request.GET.get("cari_cacat", "").strip()
    select = _disability_select(on, query, request.GET.get("disability_item", ""))
    if request.htmx and "cari_cacat" in request.GET:
        return render(request, "programmes/_disability_select.html", {"select": select})
    if "event_date" in request.GET:
        form = QuoteForm(request.GET, on=on)
        children = ChildFormSet(request.GET, prefix="anak")
        if form.is_valid() and children.is_valid():
            try:
                result = quote(_request_from(form, children))
            except RulesError as exc:
                error = exc
            else:
                labels = dict(LEVELS)
                for child in result["children"]:
                    child["level_label"] = labels.get(child["level"], child["level"])
    else:
        form = QuoteForm(
            on=today,
            initial={
                "benefit": "jkm_death",
                "segment": "PU",
                "event_date": today,
                "monthly_wage": _default_wage(programme, today),
                "contribution_months": 36,
            },
        )
        children = ChildFormSet(prefix="anak")
    return render(
        request,
        "programmes/calculator.html",
        {
            "form": form,
            "children": children,
            "result": result,
            "error": error,
            "select": select,
            "query": query,
        },
    )
