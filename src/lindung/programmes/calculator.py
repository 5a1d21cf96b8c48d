"""The "Kalkulator Manfaat" page: a thin view over ``lindung.rules``."""

from __future__ import annotations

from datetime import date

from django import forms
from django.shortcuts import render
from django.utils import timezone

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
    benefit = forms.ChoiceField(label="Peristiwa", choices=BENEFITS)
    segment = forms.ChoiceField(
        label="Segmen", choices=[("PU", "Non-ASN (PU)"), ("BPU", "Pekerja rentan (BPU)")]
    )
    monthly_wage = forms.IntegerField(
        label="Upah sebulan / tingkat penghasilan (Rp)", min_value=1, required=False
    )
    event_date = forms.DateField(
        label="Tanggal peristiwa", widget=forms.DateInput(attrs={"type": "date"})
    )
    contribution_months = forms.IntegerField(
        label="Bulan iuran terbayar sebelum peristiwa", min_value=0, required=False
    )
    disability_percent = forms.DecimalField(
        label="Persentase cacat menurut tabel (%)", min_value=0, max_value=100, required=False
    )
    function_loss_percent = forms.DecimalField(
        label="Persentase hilangnya fungsi (%)", min_value=0, max_value=100, required=False
    )
    incapacity_months = forms.IntegerField(
        label="Lama tidak mampu bekerja (bulan)", min_value=1, required=False
    )


class ChildForm(forms.Form):
    birth_date = forms.DateField(
        label="Tanggal lahir anak", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    level = forms.ChoiceField(label="Jenjang", choices=LEVELS, required=False)
    year_in_level = forms.IntegerField(label="Kelas/tahun ke-", min_value=1, required=False)
    married = forms.BooleanField(label="Menikah", required=False)
    working = forms.BooleanField(label="Bekerja", required=False)


ChildFormSet = forms.formset_factory(ChildForm, extra=MAX_CHILDREN, max_num=MAX_CHILDREN)


def _request_from(form: QuoteForm, children) -> dict:
    data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
    data["event_date"] = data["event_date"].isoformat()
    for key in ("disability_percent", "function_loss_percent"):
        if key in data:
            data[key] = str(data[key])
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
    if "event_date" in request.GET:
        form = QuoteForm(request.GET)
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
            initial={
                "benefit": "jkm_death",
                "segment": "PU",
                "event_date": today.isoformat(),
                "monthly_wage": _default_wage(programme, today),
                "contribution_months": 36,
            }
        )
        children = ChildFormSet(prefix="anak")
    return render(
        request,
        "programmes/calculator.html",
        {"form": form, "children": children, "result": result, "error": error},
    )
