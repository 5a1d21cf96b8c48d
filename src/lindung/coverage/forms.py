"""Forms of the coverage screens (Indonesian labels; values go to the services)."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from lindung.registry.models import Segment

from . import months
from .models import Enrolment, Funder, FunderKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MonthField(forms.CharField):
    widget = forms.TextInput(attrs={"type": "month", "placeholder": "TTTT-BB"})

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return months.parse_month(value)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc


class RunBillingForm(forms.Form):
    month = MonthField(label="Bulan iuran")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["month"].initial = timezone.localdate().strftime("%Y-%m")


class LapseForm(forms.Form):
    on = forms.DateField(label="Periksa per tanggal", widget=DATE)


class AgreementForm(forms.Form):
    year = forms.IntegerField(label="Tahun program", min_value=2015, max_value=2100)
    number = forms.CharField(label="Nomor PKS", max_length=100)
    signed_on = forms.DateField(label="Tanggal penandatanganan", widget=DATE)
    period_start = forms.DateField(label="Awal periode", widget=DATE)
    period_end = forms.DateField(label="Akhir periode", widget=DATE)
    bpjs_branch = forms.CharField(label="Kantor cabang BPJS TK", max_length=200, required=False)
    budget_pu = forms.IntegerField(label="Anggaran non-ASN/PU (Rp)", min_value=0, initial=0)
    budget_bpu = forms.IntegerField(
        label="Anggaran pekerja rentan/BPU (Rp)", min_value=0, initial=0
    )
    note = forms.CharField(
        label="Catatan", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class FunderForm(forms.Form):
    code = forms.SlugField(label="Kode", max_length=30, help_text="mis. APBD, CSR-BANKJATIM")
    name = forms.CharField(label="Nama", max_length=200)
    kind = forms.ChoiceField(label="Kelompok (kode BPJS)", choices=FunderKind.choices)
    is_default = forms.BooleanField(
        label="Penyandang dana cadangan (membayar semua yang tidak dialokasikan)", required=False
    )
    contact = forms.CharField(label="Kontak", max_length=200, required=False)


class PledgeForm(forms.Form):
    amount = forms.IntegerField(label="Jumlah komitmen (Rp)", min_value=1)
    start = forms.DateField(label="Mulai", widget=DATE)
    end = forms.DateField(label="Sampai", widget=DATE)
    note = forms.CharField(label="Catatan", max_length=300, required=False)


class RuleForm(forms.Form):
    priority = forms.IntegerField(label="Urutan (kecil dulu)", min_value=0, initial=100)
    segment = forms.ChoiceField(
        label="Segmen", choices=[("", "semua segmen"), *Segment.choices], required=False
    )
    kelurahan_code = forms.CharField(label="Kode kelurahan", max_length=13, required=False)
    participants = forms.CharField(
        label="Nomor peserta yang disebut (pisahkan dengan koma)",
        required=False,
        help_text="Kosongkan bila aturan tidak menyebut nama pekerja.",
    )
    quota = forms.IntegerField(label="Kuota pekerja per bulan", min_value=1, required=False)
    max_amount = forms.IntegerField(label="Batas iuran per bulan (Rp)", min_value=1, required=False)
    valid_from = forms.DateField(label="Berlaku mulai", widget=DATE, required=False)
    valid_until = forms.DateField(label="Berlaku sampai", widget=DATE, required=False)
    note = forms.CharField(label="Catatan", max_length=300, required=False)

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
    amount = forms.IntegerField(label="Jumlah dibayar (Rp)", min_value=1)
    paid_on = forms.DateField(label="Tanggal bayar", widget=DATE)
    reference = forms.CharField(label="Referensi (SP2D / bukti transfer)", max_length=100)
    note = forms.CharField(label="Catatan", max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["paid_on"].initial = timezone.localdate()


class CancelForm(forms.Form):
    reason = forms.CharField(label="Alasan pembatalan", max_length=300)


class EnrolForm(forms.Form):
    start = forms.DateField(label="Mulai", widget=DATE)
    reason = forms.ChoiceField(
        label="Alasan",
        choices=[(r.value, r.label) for r in Enrolment.Reason if r in Enrolment.START_REASONS],
    )
    note = forms.CharField(label="Catatan", max_length=300, required=False)


class EndEnrolmentForm(forms.Form):
    end = forms.DateField(label="Berakhir", widget=DATE)
    reason = forms.ChoiceField(
        label="Alasan",
        choices=[(r.value, r.label) for r in Enrolment.Reason if r in Enrolment.END_REASONS],
    )
    note = forms.CharField(label="Catatan", max_length=300, required=False)


class UploadForm(forms.Form):
    month = MonthField(label="Bulan iuran")
    file = forms.FileField(label="Berkas BPJS TK (.xlsx atau .csv)")
    segment = forms.ChoiceField(
        label="Segmen yang direkonsiliasi",
        choices=[("", "Semua segmen"), ("PU", "PU — non-ASN"), ("BPU", "BPU — pekerja rentan")],
        required=False,
    )
    funder = forms.ModelChoiceField(
        label="Tagihan penyandang dana",
        queryset=Funder.objects.none(),
        required=False,
        empty_label="Semua penyandang dana",
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
    note = forms.CharField(label="Catatan penyelesaian", max_length=500)
