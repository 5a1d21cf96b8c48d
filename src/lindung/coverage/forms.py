"""Forms of the coverage screens (Indonesian labels; values go to the services)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lindung.core import fields
from lindung.registry.models import Segment

from .models import Enrolment, Funder, FunderKind

DATE = fields.DateInput()


class RunBillingForm(forms.Form):
    month = fields.MonthField(label=_("Bulan iuran"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["month"].initial = timezone.localdate().strftime("%Y-%m")


class LapseForm(forms.Form):
    on = fields.DateField(label=_("Periksa per tanggal"), widget=DATE)


class AgreementForm(forms.Form):
    year = forms.IntegerField(label=_("Tahun program"), min_value=2015, max_value=2100)
    number = forms.CharField(label=_("Nomor PKS"), max_length=100)
    signed_on = fields.DateField(label=_("Tanggal penandatanganan"), widget=DATE)
    period_start = fields.DateField(label=_("Awal periode"), widget=DATE)
    period_end = fields.DateField(label=_("Akhir periode"), widget=DATE)
    bpjs_branch = forms.CharField(label=_("Kantor cabang BPJS TK"), max_length=200, required=False)
    budget_pu = forms.IntegerField(label=_("Anggaran non-ASN/PU (Rp)"), min_value=0, initial=0)
    budget_bpu = forms.IntegerField(
        label=_("Anggaran pekerja rentan/BPU (Rp)"), min_value=0, initial=0
    )
    note = forms.CharField(
        label=_("Catatan"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class FunderForm(forms.Form):
    code = forms.SlugField(label=_("Kode"), max_length=30, help_text=_("mis. APBD, CSR-BANKJATIM"))
    name = forms.CharField(label=_("Nama"), max_length=200)
    kind = forms.ChoiceField(label=_("Kelompok (kode BPJS)"), choices=FunderKind.choices)
    is_default = forms.BooleanField(
        label=_("Penyandang dana cadangan (membayar semua yang tidak dialokasikan)"), required=False
    )
    contact = forms.CharField(label=_("Kontak"), max_length=200, required=False)


class PledgeForm(forms.Form):
    amount = forms.IntegerField(label=_("Jumlah komitmen (Rp)"), min_value=1)
    start = fields.DateField(label=_("Mulai"), widget=DATE)
    end = fields.DateField(label=_("Sampai"), widget=DATE)
    note = forms.CharField(label=_("Catatan"), max_length=300, required=False)


class RuleForm(forms.Form):
    priority = forms.IntegerField(label=_("Urutan (kecil dulu)"), min_value=0, initial=100)
    segment = forms.ChoiceField(
        label=_("Segmen"), choices=[("", "semua segmen"), *Segment.choices], required=False
    )
    kelurahan_code = forms.CharField(label=_("Kode kelurahan"), max_length=13, required=False)
    participants = forms.CharField(
        label=_("Nomor peserta yang disebut (pisahkan dengan koma)"),
        required=False,
        help_text=_("Kosongkan bila aturan tidak menyebut nama pekerja."),
    )
    quota = forms.IntegerField(label=_("Kuota pekerja per bulan"), min_value=1, required=False)
    max_amount = forms.IntegerField(
        label=_("Batas iuran per bulan (Rp)"), min_value=1, required=False
    )
    valid_from = fields.DateField(label=_("Berlaku mulai"), widget=DATE, required=False)
    valid_until = fields.DateField(label=_("Berlaku sampai"), widget=DATE, required=False)
    note = forms.CharField(label=_("Catatan"), max_length=300, required=False)

    def clean_participants(self):
        text = self.cleaned_data.get("participants") or ""
        ids = []
        for part in text.replace(";", ",").split(","):
            part = part.strip()
            if not part:
                continue
            if not (part.isascii() and part.isdigit() and len(part) < 19):
                raise forms.ValidationError(f"'{part[:30]}' bukan nomor peserta.")
            ids.append(int(part))
        return ids


class PaymentForm(forms.Form):
    amount = forms.IntegerField(label=_("Jumlah dibayar (Rp)"), min_value=1)
    paid_on = fields.DateField(label=_("Tanggal bayar"), widget=DATE)
    reference = forms.CharField(label=_("Referensi (SP2D / bukti transfer)"), max_length=100)
    note = forms.CharField(label=_("Catatan"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["paid_on"].initial = timezone.localdate()


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Alasan pembatalan"), max_length=300)


class EnrolForm(forms.Form):
    start = fields.DateField(label=_("Mulai"), widget=DATE)
    reason = forms.ChoiceField(
        label=_("Alasan"),
        choices=[(r.value, r.label) for r in Enrolment.Reason if r in Enrolment.START_REASONS],
    )
    note = forms.CharField(label=_("Catatan"), max_length=300, required=False)


class EndEnrolmentForm(forms.Form):
    end = fields.DateField(label=_("Berakhir"), widget=DATE)
    reason = forms.ChoiceField(
        label=_("Alasan"),
        choices=[(r.value, r.label) for r in Enrolment.Reason if r in Enrolment.END_REASONS],
    )
    note = forms.CharField(label=_("Catatan"), max_length=300, required=False)


class UploadForm(forms.Form):
    month = fields.MonthField(label=_("Bulan iuran"))
    file = forms.FileField(label=_("Berkas BPJS TK (.xlsx atau .csv)"))
    segment = forms.ChoiceField(
        label=_("Segmen yang direkonsiliasi"),
        choices=[("", "Semua segmen"), ("PU", "PU — non-ASN"), ("BPU", "BPU — pekerja rentan")],
        required=False,
    )
    funder = forms.ModelChoiceField(
        label=_("Tagihan penyandang dana"),
        queryset=Funder.objects.none(),
        required=False,
        empty_label=_("Semua penyandang dana"),
    )

    def __init__(self, *args, programme=None, **kwargs):
        super().__init__(*args, **kwargs)
        if programme is not None:
            self.fields["funder"].queryset = Funder.objects.filter(programme=programme)

    def clean_file(self):
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith((".xlsx", ".xlsm", ".xls", ".ods", ".csv", ".txt")):
            raise forms.ValidationError("Unggah berkas .xlsx atau .csv.")
        return f


class ResolveForm(forms.Form):
    note = forms.CharField(label=_("Catatan penyelesaian"), max_length=500)
