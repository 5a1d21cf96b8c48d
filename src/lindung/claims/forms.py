"""Forms of the claims screens (validation of shape only; the rules live in the services)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from lindung.core import fields
from lindung.registry.models import FamilyMember, Segment

from .models import ClaimState, ClaimType, HeirRelationship

DATE = fields.DateInput()


ALL = _("— semua —")


def _blank(choices, label=ALL):
    return [("", label), *choices]


class ClaimFilterForm(forms.Form):
    type = forms.ChoiceField(label=_("Jenis"), choices=_blank(ClaimType.choices), required=False)
    state = forms.ChoiceField(label=_("Status"), choices=_blank(ClaimState.choices), required=False)
    month = fields.MonthField(label=_("Bulan peristiwa"), required=False)
    segment = forms.ChoiceField(label=_("Segmen"), choices=_blank(Segment.choices), required=False)
    q = forms.CharField(label=_("Cari (nomor, nama, NIK)"), required=False)
    dokumen = forms.ChoiceField(
        label=_("Dokumen"),
        choices=_blank([("kurang", _("dokumen wajib belum lengkap"))]),
        required=False,
    )


class ClaimForm(forms.Form):
    """Entry and correction of a claim's details."""

    type = forms.ChoiceField(label=_("Jenis klaim"), choices=ClaimType.choices)
    event_date = fields.DateField(label=_("Tanggal peristiwa"), widget=DATE)
    place = forms.CharField(label=_("Tempat peristiwa"), max_length=200, required=False)
    chronology = forms.CharField(
        label=_("Kronologi (tempat, sebab, tanggal/jam)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    reporter = forms.CharField(label=_("Nama pelapor"), max_length=200, required=False)
    reporter_phone = forms.CharField(label=_("Nomor HP pelapor"), max_length=20, required=False)
    wage = forms.IntegerField(
        label=_("Upah/tingkat penghasilan (Rp)"),
        min_value=1,
        required=False,
        help_text=_("Untuk JKK. Kosongkan untuk memakai data peserta."),
    )
    stage1_reported_on = fields.DateField(
        label=_("Tanggal laporan tahap I (JKK)"), required=False, widget=DATE
    )
    doctor_statement_on = fields.DateField(
        label=_("Tanggal surat keterangan dokter (JKK)"), required=False, widget=DATE
    )
    stage2_reported_on = fields.DateField(
        label=_("Tanggal laporan tahap II (JKK)"), required=False, widget=DATE
    )
    disability_percent = forms.DecimalField(
        label=_("Persentase cacat menurut tabel (%)"),
        min_value=0,
        max_value=100,
        required=False,
        decimal_places=2,
    )
    function_loss_percent = forms.DecimalField(
        label=_("Persentase hilangnya fungsi (%)"),
        min_value=0,
        max_value=100,
        required=False,
        decimal_places=2,
    )
    incapacity_months = forms.IntegerField(
        label=_("Lama tidak mampu bekerja (bulan, STMB)"), min_value=1, required=False
    )
    transport_land = forms.IntegerField(
        label=_("Biaya angkutan darat/sungai/danau (Rp)"), min_value=0, required=False
    )
    transport_sea = forms.IntegerField(
        label=_("Biaya angkutan laut (Rp)"), min_value=0, required=False
    )
    transport_air = forms.IntegerField(
        label=_("Biaya angkutan udara (Rp)"), min_value=0, required=False
    )
    home_care_cost = forms.IntegerField(
        label=_("Biaya perawatan di rumah (Rp)"), min_value=0, required=False
    )

    DETAILS = (
        "reporter_phone",
        "wage",
        "stage1_reported_on",
        "doctor_statement_on",
        "stage2_reported_on",
        "disability_percent",
        "function_loss_percent",
        "incapacity_months",
        "transport_land",
        "transport_sea",
        "transport_air",
        "home_care_cost",
    )

    #: Fields that only a JKK claim uses (JKM pays fixed amounts: no wage, reports or costs).
    JKK_ONLY = (
        "wage",
        "stage1_reported_on",
        "doctor_statement_on",
        "stage2_reported_on",
        "disability_percent",
        "function_loss_percent",
        "incapacity_months",
        "transport_land",
        "transport_sea",
        "transport_air",
        "home_care_cost",
    )

    def is_jkk(self) -> bool:
        return str(self.cleaned_data.get("type") or "").startswith("jkk_")

    def details(self) -> dict:
        """The details to store; a JKM claim's JKK-only fields are ignored."""
        jkk = self.is_jkk()
        return {
            k: self.cleaned_data.get(k)
            for k in self.DETAILS
            if k in self.fields and (jkk or k not in self.JKK_ONLY)
        }

    def general_fields(self):
        return [f for f in self if f.name not in self.JKK_ONLY]

    def jkk_fields(self):
        return [f for f in self if f.name in self.JKK_ONLY]


class ClaimEditForm(ClaimForm):
    """Correction of a claim: its type is fixed, so a JKM claim shows no JKK-only field."""

    reason = forms.CharField(label=_("Alasan perubahan"), max_length=100, required=False)

    def __init__(self, *args, claim_type: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].disabled = True
        if claim_type and not claim_type.startswith("jkk_"):
            for name in self.JKK_ONLY:
                del self.fields[name]


class TransitionForm(forms.Form):
    to = forms.ChoiceField(choices=ClaimState.choices)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    override_reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class BpjsForm(forms.Form):
    bpjs_reference = forms.CharField(label=_("Nomor klaim BPJS"), max_length=100, required=False)
    bpjs_decided = forms.IntegerField(label=_("Diputuskan BPJS (Rp)"), min_value=0, required=False)
    bpjs_paid = forms.IntegerField(label=_("Dibayar BPJS (Rp)"), min_value=0, required=False)
    bpjs_paid_on = fields.DateField(label=_("Tanggal dibayar"), required=False, widget=DATE)


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Berkas (PDF, JPEG, PNG)"))


class HeirForm(forms.Form):
    full_name = forms.CharField(label=_("Nama lengkap"), max_length=200)
    relationship = forms.ChoiceField(label=_("Hubungan"), choices=HeirRelationship.choices)
    nik = forms.CharField(label=_("NIK"), max_length=16, required=False)
    birth_date = fields.DateField(label=_("Tanggal lahir"), required=False, widget=DATE)
    phone = forms.CharField(label=_("Nomor HP"), max_length=20, required=False)
    address = forms.CharField(label=_("Alamat"), max_length=300, required=False)
    entitled = forms.BooleanField(label=_("Berhak"), required=False, initial=True)
    reason = forms.CharField(
        label=_("Alasan (wajib)"),
        max_length=500,
        help_text=_("Mis. 'sesuai surat keterangan ahli waris kelurahan'."),
    )


class RecipientForm(forms.Form):
    bank_name = forms.CharField(label=_("Nama bank"), max_length=100, required=False)
    bank_account = forms.CharField(label=_("Nomor rekening"), max_length=30, required=False)
    account_holder = forms.CharField(
        label=_("Nama pemilik rekening"), max_length=200, required=False
    )
    guardian_name = forms.CharField(label=_("Nama wali (untuk anak di bawah umur)"), required=False)
    guardian_nik = forms.CharField(label=_("NIK wali"), max_length=16, required=False)
    guardian_relationship = forms.CharField(
        label=_("Hubungan wali"), max_length=100, required=False
    )
    guardian_phone = forms.CharField(label=_("Nomor HP wali"), max_length=20, required=False)
    reason = forms.CharField(label=_("Catatan"), max_length=500, required=False)


class HandoverForm(forms.Form):
    date = fields.DateField(label=_("Tanggal penyerahan"), widget=DATE)
    place = forms.CharField(label=_("Tempat"), max_length=200)
    handed_by = forms.CharField(label=_("Diserahkan oleh"), max_length=200)
    recipient = forms.CharField(label=_("Penerima"), max_length=200)
    amount = forms.IntegerField(label=_("Jumlah (Rp)"), min_value=1)
    note = forms.CharField(label=_("Catatan"), max_length=300, required=False)

    def __init__(self, *args, programme=None, **kwargs):
        super().__init__(*args, **kwargs)
        if programme is not None:  # "Mis. Bupati Ponorogo." / "Mis. Wali Kota Madiun."
            self.fields["handed_by"].help_text = f"Mis. {programme.wording.head}."


WORKING_CHOICES = [
    ("no", "tidak bekerja"),
    ("pu", "bekerja sebagai penerima upah (PU)"),
    ("bpu", "bekerja sebagai BPU"),
    ("apprenticeship", "magang"),
]


class VerifyInstalmentForm(forms.Form):
    level = forms.ChoiceField(
        label=_("Jenjang tahun ajaran ini"), choices=FamilyMember.Level.choices
    )
    year_in_level = forms.IntegerField(label=_("Kelas/tahun ke-"), min_value=0, required=False)
    school_name = forms.CharField(
        label=_("Nama sekolah/perguruan tinggi"), max_length=200, required=False
    )
    married = forms.BooleanField(label=_("Sudah menikah"), required=False)
    working = forms.ChoiceField(label=_("Status bekerja"), choices=WORKING_CHOICES)
    working_months = forms.IntegerField(
        label=_("Lama bekerja berturut-turut (bulan, untuk PU)"), min_value=0, required=False
    )
    note = forms.CharField(
        label=_("Catatan"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class InstalmentPaidForm(forms.Form):
    paid_on = fields.DateField(label=_("Tanggal dibayar"), widget=DATE)
    amount = forms.IntegerField(label=_("Jumlah dibayar (Rp)"), min_value=0, required=False)
    reference = forms.CharField(label=_("Referensi"), max_length=100, required=False)


class NoteForm(forms.Form):
    to = forms.CharField(required=False)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
