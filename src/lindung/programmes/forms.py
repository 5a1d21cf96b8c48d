"""Forms of the set-up, programme settings, users and parameter pages (values go to services)."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lindung.core import fields
from lindung.core.formatting import rupiah
from lindung.rules import regions

from .hooks import agency_choices, funder_choices
from .models import ProgrammeParameter, Role
from .wording import Kind

DATE = fields.DateInput()
IMAGE_TYPES = "image/png,image/jpeg,image/gif,image/webp"


class ProfileForm(forms.Form):
    """What a programme says about its Pemda, its letters and its PDFs."""

    name = forms.CharField(label=_("Nama program"), max_length=200)
    kind = forms.ChoiceField(
        label=_("Jenis daerah"),
        choices=Kind.choices,
        widget=forms.RadioSelect,
        help_text=_("Kabupaten dipimpin Bupati (Pendopo); kota dipimpin Wali Kota (Balai Kota)."),
    )
    place_name = forms.CharField(
        label=_("Nama daerah"),
        max_length=100,
        help_text=_("Tanpa kata 'Kabupaten'/'Kota', mis. Ponorogo."),
    )
    pemda_name = forms.CharField(label=_("Nama Pemda (kop surat)"), max_length=200)
    bpjs_branch = forms.CharField(
        label=_("Kantor cabang BPJS Ketenagakerjaan"),
        max_length=200,
        help_text=_("Nama kantor cabang yang menandatangani PKS dengan Pemda."),
    )
    dinas_name = forms.CharField(
        label=_("Dinas pengelola"),
        max_length=200,
        required=False,
        help_text=_("Nama lengkap dinas, mis. Dinas Tenaga Kerja."),
    )
    head_name = forms.CharField(label=_("Nama kepala dinas"), max_length=200, required=False)
    head_title = forms.CharField(
        label=_("Jabatan penanda tangan tagihan"),
        max_length=200,
        required=False,
        help_text=_("Kosongkan untuk 'Kepala' + nama dinas."),
    )
    head_nip = forms.CharField(label=_("NIP kepala dinas"), max_length=22, required=False)
    regional_head_name = forms.CharField(
        label=_("Nama kepala daerah"),
        max_length=200,
        required=False,
        help_text=_("Nama Bupati/Wali Kota yang menyerahkan santunan."),
    )
    handover_place = forms.CharField(
        label=_("Tempat penyerahan santunan"),
        max_length=200,
        required=False,
        help_text=_("Usulan pada setiap penyerahan; dapat diubah saat itu."),
    )
    workforce = forms.IntegerField(
        label=_("Jumlah angkatan kerja"),
        min_value=0,
        required=False,
        help_text=_("Penduduk bekerja di daerah, untuk cakupan UCJ (BPS)."),
    )
    covered_elsewhere = forms.IntegerField(
        label=_("Pekerja terlindungi di luar program"),
        min_value=0,
        required=False,
        help_text=_("Peserta aktif BPJS TK di luar program ini (data BPJS TK cabang)."),
    )
    logo = forms.FileField(
        label=_("Logo untuk PDF"),
        required=False,
        help_text=_(
            "PNG, JPEG, GIF atau WebP, paling besar 2 MB; disimpan sebagai PNG 600 piksel."
        ),
        widget=forms.FileInput(attrs={"accept": IMAGE_TYPES}),
    )
    remove_logo = forms.BooleanField(label=_("Hapus logo yang ada"), required=False)

    SECTIONS = (
        ("Pemda", ("kind", "place_name", "pemda_name", "name")),
        (_("Kerja sama"), ("bpjs_branch", "workforce", "covered_elsewhere")),
        (
            _("Surat dan penanda tangan"),
            (
                "dinas_name",
                "head_name",
                "head_title",
                "head_nip",
                "regional_head_name",
                "handover_place",
                "logo",
                "remove_logo",
            ),
        ),
    )

    def sections(self):
        return [(title, [self[name] for name in names]) for title, names in self.SECTIONS]

    def profile(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("logo", None)
        data.pop("remove_logo", None)
        return data

    def logo_bytes(self) -> bytes | None:
        upload = self.cleaned_data.get("logo")
        return upload.read() if upload else None


class SetupForm(ProfileForm):
    """The first-run set-up: the Pemda from the Kemendagri list, then the profile."""

    province = forms.ChoiceField(label=_("Provinsi"))
    region_code = forms.ChoiceField(label=_("Kabupaten/kota"))
    code = forms.SlugField(
        label=_("Kode program"),
        max_length=50,
        help_text=_("Dipakai di alamat halaman dan perintah CLI, mis. kab-ponorogo."),
    )

    SECTIONS = (
        ("Pemda", ("kind", "place_name", "pemda_name", "name", "code")),
        ProfileForm.SECTIONS[1],
        (ProfileForm.SECTIONS[2][0], ProfileForm.SECTIONS[2][1][:-1]),
    )

    def __init__(self, *args, province: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].choices = [("", "— pilih provinsi —")] + [
            (p.code, p.name) for p in regions.children()
        ]
        self.fields["region_code"].choices = regency_choices(province)

    def profile(self) -> dict:
        data = super().profile()
        for name in ("province", "region_code", "code"):
            data.pop(name, None)
        return data


def regency_choices(province: str | None) -> list[tuple[str, str]]:
    if not province or regions.normalize_code(province) is None:
        return [("", "— pilih provinsi dulu —")]
    return [("", "— pilih kabupaten/kota —")] + [
        (r.code, r.name) for r in regions.children(province) if r.level == 2
    ]


class UserForm(forms.Form):
    """A new user of the programme (the Admin's *Pengguna* page)."""

    username = forms.CharField(
        label=_("Nama pengguna"),
        max_length=40,
        help_text=_("Untuk masuk: huruf kecil, angka, titik atau tanda hubung, mis. budi.santoso."),
    )
    full_name = forms.CharField(label=_("Nama lengkap"), max_length=150)
    email = forms.EmailField(label=_("Surel (tidak wajib)"), required=False)
    role = forms.ChoiceField(label=_("Peran"), choices=Role.choices, widget=forms.RadioSelect)
    scope = forms.MultipleChoiceField(
        label=_("Penyandang dana yang boleh dilihat (khusus Mitra CSR)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Mitra CSR hanya melihat pekerja dan uang penyandang dana yang dicentang."),
    )

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope"].choices = funder_choices(programme)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Peran"), choices=Role.choices, widget=forms.RadioSelect)
    scope = UserForm.base_fields["scope"]

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope"].choices = funder_choices(programme)


class IdentityForm(forms.Form):
    full_name = forms.CharField(label=_("Nama lengkap"), max_length=150)
    email = forms.EmailField(label=_("Surel (tidak wajib)"), required=False)


# --- programme parameters ----------------------------------------------------------------------


class ParameterForm(forms.Form):
    """One dated, cited value; the fields shown depend on the parameter (``name``)."""

    valid_from = fields.DateField(label=_("Berlaku sejak"), widget=DATE)
    reference = forms.CharField(
        label=_("Dasar hukum"),
        max_length=300,
        required=False,  # the service says why it is needed
        help_text=_("Nomor keputusan/peraturan, mis. Keputusan Gubernur Jawa Timur Nomor …"),
    )
    note = forms.CharField(label=_("Catatan"), max_length=500, required=False)
    unconfirmed = forms.BooleanField(
        label=_("Belum terkonfirmasi (mis. masih usulan)"), required=False
    )

    name: str

    def values(self) -> dict:
        return dict(self.cleaned_data)


class UmkForm(ParameterForm):
    name = ProgrammeParameter.Name.UMK
    year = forms.IntegerField(label=_("Tahun"), min_value=2015, max_value=2100)
    value = forms.IntegerField(label=_("UMK sebulan (Rp)"), min_value=1)
    valid_from = fields.DateField(
        label=_("Berlaku sejak"),
        widget=DATE,
        required=False,
        help_text=_("Kosongkan untuk 1 Januari tahun itu."),
    )

    field_order = ["year", "value", "valid_from", "reference", "note", "unconfirmed"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year

    def clean(self):
        data = super().clean()
        year, start = data.get("year"), data.get("valid_from")
        if year and not start:
            data["valid_from"] = date(year, 1, 1)
        elif year and start and start.year != year:
            self.add_error("valid_from", "Tanggal berlaku harus di tahun UMK itu.")
        return data

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("year", None)
        return data


class BasisForm(ParameterForm):
    name = ProgrammeParameter.Name.PU_BASIS
    basis = forms.ChoiceField(
        label=_("Dasar upah iuran PU"),
        choices=ProgrammeParameter.Basis.choices,
        widget=forms.RadioSelect,
    )
    value = forms.IntegerField(
        label=_("Jumlah tetap (Rp, hanya untuk 'jumlah tetap')"), min_value=1, required=False
    )
    field_order = ["basis", "value", "valid_from", "reference", "note", "unconfirmed"]


class TierForm(ParameterForm):
    name = ProgrammeParameter.Name.BPU_TIER
    value = forms.TypedChoiceField(label=_("Tingkat penghasilan BPU bawaan"), coerce=int)
    field_order = ["value", "valid_from", "reference", "note", "unconfirmed"]

    def __init__(self, *args, tiers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["value"].choices = [(t, rupiah(t)) for t in tiers]


RISK_CHOICES = [(1, "I"), (2, "II"), (3, "III"), (4, "IV"), (5, "V")]


class RiskForm(ParameterForm):
    name = ProgrammeParameter.Name.RISK_CLASS
    key = forms.ChoiceField(label=_("Berlaku untuk"), required=False)
    value = forms.TypedChoiceField(label=_("Kelas risiko JKK"), choices=RISK_CHOICES, coerce=int)
    field_order = ["key", "value", "valid_from", "reference", "note", "unconfirmed"]

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["key"].choices = [("", "seluruh program")] + [
            (code, f"{code} — {label}") for code, label in agency_choices(programme)
        ]


PARAMETER_FORMS = {
    "umk": UmkForm,
    "pu.basis": BasisForm,
    "bpu.tier": TierForm,
    "pu.risk_class": RiskForm,
}


class DeleteParameterForm(forms.Form):
    reason = forms.CharField(label=_("Alasan menghapus"), max_length=300)
