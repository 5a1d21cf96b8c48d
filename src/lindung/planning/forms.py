"""The scenario form: turns what a programme officer types into the engine's scenario JSON."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from lindung.core.formatting import MONTHS as MONTH_NAMES
from lindung.core.formatting import group as thousands
from lindung.core.formatting import rupiah

from .engine import CRITERIA, CRITERIA_LABELS

MONTHS = list(enumerate(MONTH_NAMES, start=1))
CRITERIA_CHOICES = [("", "—")] + [(c, _(CRITERIA_LABELS[c])) for c in CRITERIA]
QUOTA_LINE = re.compile(r"^\s*(kelurahan|pekerjaan)\s+(.+?)\s*[=:]\s*([\d.]+)\s*$", re.IGNORECASE)


def _rupiah_field(label, help_text="", required=True, placeholder="2.000.000.000"):
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=required,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": placeholder}),
    )


def parse_rupiah(value: str, label: str) -> int:
    text = (value or "").strip().replace("Rp", "").replace(" ", "")
    if not text:
        return 0
    negative = text.startswith("-")
    digits = text.lstrip("-").replace(".", "")
    if "," in digits:
        whole, _, cents = digits.partition(",")
        if cents.strip("0"):
            raise forms.ValidationError(f"{label}: tulis dalam rupiah penuh, tanpa sen.")
        digits = whole
    if not (digits.isascii() and digits.isdigit()):
        raise forms.ValidationError(f"{label}: tulis angka rupiah, mis. 2.000.000.000.")
    if len(digits) > 15:  # Rp 1.000 triliun: far above any Pemda's budget
        raise forms.ValidationError(f"{label}: jumlah terlalu besar.")
    amount = int(digits)
    return -amount if negative else amount


class ScenarioForm(forms.Form):
    name = forms.CharField(label=_("Nama skenario"), max_length=120, required=False)
    year = forms.IntegerField(label=_("Tahun"), min_value=2000, max_value=2100)
    start_month = forms.TypedChoiceField(
        label=_("Mulai bulan"), choices=MONTHS, coerce=int, initial=1
    )
    apbd_budget = _rupiah_field(_("Anggaran APBD (Rp)"))
    csr_pledges = forms.MultipleChoiceField(
        label=_("Komitmen CSR yang dipakai"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    csr_budget = _rupiah_field(
        _("Dana CSR lain (Rp)"), _("Komitmen yang belum tercatat sebagai penyandang dana."), False
    )
    segment = forms.ChoiceField(
        label=_("Segmen peserta baru"),
        choices=[("BPU", "Pekerja rentan (BPU)"), ("PU", "Non-ASN (PU)")],
        initial="BPU",
    )
    income_tier = forms.TypedChoiceField(
        label=_("Tingkat penghasilan BPU"), coerce=int, required=False
    )
    monthly_wage = _rupiah_field(_("Upah sebulan PU (Rp)"), required=False)
    priority_1 = forms.ChoiceField(label=_("Prioritas 1"), choices=CRITERIA_CHOICES, required=False)
    priority_2 = forms.ChoiceField(label=_("Prioritas 2"), choices=CRITERIA_CHOICES, required=False)
    priority_3 = forms.ChoiceField(label=_("Prioritas 3"), choices=CRITERIA_CHOICES, required=False)
    priority_4 = forms.ChoiceField(label=_("Prioritas 4"), choices=CRITERIA_CHOICES, required=False)
    priority_5 = forms.ChoiceField(label=_("Prioritas 5"), choices=CRITERIA_CHOICES, required=False)
    occupation_order = forms.CharField(
        label=_("Pekerjaan prioritas (urut, pisahkan dengan koma)"),
        required=False,
        help_text=_("Dipakai bila kriteria 'pekerjaan prioritas' dipilih."),
    )
    kelurahan_order = forms.CharField(
        label=_("Kode kelurahan prioritas (urut, pisahkan dengan koma)"), required=False
    )
    quotas = forms.CharField(
        label=_("Kuota (opsional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Satu baris per kuota: 'kelurahan KODE = jumlah' atau 'pekerjaan NAMA = jumlah'."
        ),
    )
    include_current = forms.BooleanField(
        label=_("Peserta yang sudah ada tetap dibiayai (biayanya diambil lebih dahulu)"),
        required=False,
        initial=True,
    )
    seed = forms.IntegerField(
        label=_("Benih simulasi"),
        initial=1,
        min_value=0,
        help_text=_("Benih yang sama memberi hasil proyeksi yang sama."),
    )

    def __init__(
        self,
        *args,
        pledges=(),
        tiers=(),
        kelurahan_example="PP.KK.CC.DDDD",
        wage_example: int | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        # A wage a PU worker of this programme may earn (its UMK), not a budget-sized figure.
        wage = self.fields["monthly_wage"].widget.attrs
        wage["placeholder"] = thousands(wage_example) if wage_example else ""
        self.quota_example = f"kelurahan {kelurahan_example} = 500"  # the programme's own region
        self.fields["quotas"].widget.attrs["placeholder"] = self.quota_example
        self.pledges = {str(p["id"]): p for p in pledges}
        self.fields["csr_pledges"].choices = [
            (str(p["id"]), f"{p['name']} ({p['funder']}): {rupiah(p['amount'])}") for p in pledges
        ]
        self.fields["income_tier"].choices = [(t, rupiah(t)) for t in tiers]

    def clean_apbd_budget(self):
        return parse_rupiah(self.cleaned_data["apbd_budget"], "Anggaran APBD")

    def clean_csr_budget(self):
        return parse_rupiah(self.cleaned_data.get("csr_budget", ""), "Dana CSR lain")

    def clean_monthly_wage(self):
        return parse_rupiah(self.cleaned_data.get("monthly_wage", ""), "Upah sebulan") or None

    def clean_quotas(self):
        out: dict[str, dict[str, int]] = {}
        for line in (self.cleaned_data.get("quotas") or "").splitlines():
            if not line.strip():
                continue
            m = QUOTA_LINE.match(line)
            if not m:
                raise forms.ValidationError(
                    f"Baris kuota tidak dipahami: '{line.strip()}'. Contoh: {self.quota_example}"
                )
            group = "kelurahan" if m.group(1).lower() == "kelurahan" else "occupation"
            key = m.group(2).strip()
            if group == "occupation":
                key = key.upper()
            out.setdefault(group, {})[key] = int(m.group(3).replace(".", ""))
        return out

    def scenario_data(self) -> dict:
        """The engine's scenario JSON from the cleaned form."""
        d = self.cleaned_data
        priority = [d[f"priority_{i}"] for i in range(1, 6) if d.get(f"priority_{i}")]
        data = {
            "name": d.get("name") or "",
            "year": d["year"],
            "start_month": d["start_month"],
            "apbd_budget": d["apbd_budget"],
            "csr_budget": d.get("csr_budget") or 0,
            "csr_pledges": [
                {"funder": self.pledges[i]["funder"], "amount": self.pledges[i]["amount"]}
                for i in d.get("csr_pledges") or []
            ],
            "segment": d["segment"],
            "priority": priority,
            "quotas": d.get("quotas") or {},
            "include_current": bool(d.get("include_current")),
            "seed": d["seed"],
            "occupation_order": [
                v.strip().upper() for v in (d.get("occupation_order") or "").split(",") if v.strip()
            ],
            "kelurahan_order": [
                v.strip() for v in (d.get("kelurahan_order") or "").split(",") if v.strip()
            ],
        }
        if d["segment"] == "BPU":
            data["income_tier"] = d.get("income_tier")
        else:
            data["income_tier"] = None
            data["monthly_wage"] = d.get("monthly_wage")
        return data

    @classmethod
    def initial_from(cls, params: dict) -> dict:
        """Form initial values from a stored scenario's params (to copy and change it)."""
        initial = {
            k: params.get(k)
            for k in ("name", "year", "start_month", "segment", "income_tier", "seed")
        }
        initial["name"] = f"{params.get('name', '')} (salinan)".strip()
        initial["apbd_budget"] = f"{params.get('apbd_budget', 0):,}".replace(",", ".")
        initial["csr_budget"] = f"{params.get('csr_budget', 0):,}".replace(",", ".")
        if params.get("monthly_wage"):
            initial["monthly_wage"] = f"{params['monthly_wage']:,}".replace(",", ".")
        for i, c in enumerate(params.get("priority") or [], start=1):
            initial[f"priority_{i}"] = c
        initial["include_current"] = params.get("include_current", True)
        initial["occupation_order"] = ", ".join(params.get("occupation_order") or [])
        initial["kelurahan_order"] = ", ".join(params.get("kelurahan_order") or [])
        lines = []
        for group, caps in (params.get("quotas") or {}).items():
            word = "kelurahan" if group == "kelurahan" else "pekerjaan"
            lines += [f"{word} {k} = {v}" for k, v in caps.items()]
        initial["quotas"] = "\n".join(lines)
        return initial
