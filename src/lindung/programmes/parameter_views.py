"""The *Parameter* page: the programme's own dated, cited values (UMK per year, PU wage basis,
default BPU tier, default risk class per agency) with forms for the Admin, then the national
statutory parameters shipped with Lindung. Thin views over :mod:`.parameters` and
:mod:`.queries`."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from lindung.core.formatting import parameter_value
from lindung.rules.parameters import all_parameters, discounts, params_on

from . import parameters as services
from . import queries
from .decorators import programme_view
from .forms import PARAMETER_FORMS, DeleteParameterForm, RiskForm, TierForm
from .hooks import agency_choices
from .models import ProgrammeParameter
from .permissions import can
from .services import ProgrammeError

ROMAN_LABEL = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V"}


def _form(name: str, programme, data=None, initial=None):
    cls = PARAMETER_FORMS.get(name)
    if cls is None:
        raise Http404("Parameter tidak dikenal.")
    kwargs = {"data": data, "initial": initial or {}}
    if cls is TierForm:
        kwargs["tiers"] = [int(t) for t in params_on(timezone.localdate()).value("bpu.tiers")]
    if cls is RiskForm:
        kwargs["programme"] = programme
    kwargs["prefix"] = name.replace(".", "-")
    return cls(**kwargs)


def _national_rows(programme) -> list[dict]:
    own_umk = queries.umk_name(programme)
    params = all_parameters()
    labels = {name: param.label for name, param in params.items()}
    rows = []
    for name, param in sorted(params.items(), key=lambda item: item[1].label.lower()):
        if name.startswith("umk.") and name != own_umk:
            continue  # other regions' minimum wages are not this programme's business
        for value in param.values:
            rows.append(
                {
                    "name": name,
                    "label": param.label,
                    "shown": parameter_value(value.value, param.unit, labels, name),
                    "v": value,
                }
            )
    return rows


def _page(request, programme, bound=None):
    today = timezone.localdate()
    editable = can(request.user, programme, "parameters.edit")
    forms = {}
    if editable:
        for name in PARAMETER_FORMS:
            forms[name] = _form(name, programme, initial={"valid_from": today})
        if bound is not None:
            forms[bound.name] = bound
    agencies = dict(agency_choices(programme))
    risk = queries.default_risk_class(programme, today)
    context = {
        "today": today,
        "editable": editable,
        "forms": forms,
        "open_form": bound.name if bound is not None else "",
        "umk_years": queries.umk_table(programme, range(today.year - 3, today.year + 2)),
        "basis": queries.pu_basis(programme, today),
        "tier": queries.default_bpu_tier(programme, today),
        "risk": risk,
        "risk_label": ROMAN_LABEL.get(int(risk.value), str(risk.value)),
        "agency_risk": [
            (code, agencies.get(code, code), ROMAN_LABEL.get(value, str(value)))
            for code, value in sorted(queries.agency_risk_classes(programme, today).items())
        ],
        "entries": queries.parameter_entries(programme),
        "rows": _national_rows(programme),
        "discounts": discounts(),
    }
    return render(request, "programmes/parameters.html", context)


@programme_view("parameters.view")
def parameters(request, programme):
    return _page(request, programme)


def _refuse_into(form, exc: ProgrammeError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.in_language())


@programme_view("parameters.edit")
def add(request, programme, name):
    if request.method != "POST":
        return redirect("parameters", programme.code)
    form = _form(name, programme, data=request.POST)
    if form.is_valid():
        try:
            row = services.record_parameter(
                actor=request.user, programme=programme, name=form.name, **form.values()
            )
        except ProgrammeError as exc:
            _refuse_into(form, exc)
        else:
            messages.success(request, _("Dicatat: %(parameter)s.") % {"parameter": row})
            return redirect("parameters", programme.code)
    return _page(request, programme, bound=form)


def _entry(programme, pk) -> ProgrammeParameter:
    return get_object_or_404(ProgrammeParameter, programme=programme, pk=pk)


@programme_view("parameters.edit")
def edit(request, programme, pk):
    row = _entry(programme, pk)
    initial = {
        "valid_from": row.valid_from,
        "year": row.valid_from.year,
        "value": row.value,
        "basis": row.basis,
        "key": row.key,
        "reference": row.reference,
        "note": row.note,
        "unconfirmed": row.unconfirmed,
    }
    form = _form(row.name, programme, data=request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_parameter(actor=request.user, parameter=row, **form.values())
        except ProgrammeError as exc:
            _refuse_into(form, exc)
        else:
            messages.success(request, _("Diubah: %(parameter)s.") % {"parameter": row})
            return redirect("parameters", programme.code)
    return render(
        request,
        "programmes/parameter_edit.html",
        {"row": row, "form": form, "delete_form": DeleteParameterForm()},
    )


@programme_view("parameters.edit")
def delete(request, programme, pk):
    row = _entry(programme, pk)
    form = DeleteParameterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        label = str(row)
        services.delete_parameter(actor=request.user, parameter=row, **form.cleaned_data)
        messages.success(request, _("Dihapus: %(parameter)s.") % {"parameter": label})
        return redirect("parameters", programme.code)
    if request.method == "POST":
        messages.error(request, _("Tulis alasan menghapus nilai ini."))
    return redirect("parameter_edit", programme.code, row.pk)
