"""Forms of the registry. They only collect text: the checks are the import's own
(``services.save_participant`` → ``validation.validate_participants``), so a record accepted by the
form is exactly one the import would accept, with the same Indonesian messages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from lindung.core import fields
from lindung.core.formatting import rupiah

from . import queries
from .columns import FAMILY_COLUMNS, PARTICIPANT_COLUMNS
from .models import Agency, FamilyMember, Participant, PossibleDuplicate

DATE_COLUMNS = {"tanggal_lahir", "tanggal_mulai"}
DATE_WIDGET = fields.DateInput()


def _choices(values, blank=True):
    out = [("", "—")] if blank else []
    return out + list(values)


class ParticipantForm(forms.Form):
    """Canonical import columns as form fields."""

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        ref = queries.reference_for(programme)
        kel = queries.kelurahan_choices(programme.region_code)
        agencies = list(queries.agencies(programme).values_list("code", "name"))
        selects = {
            "jenis_kelamin": _choices([("L", "L — laki-laki"), ("P", "P — perempuan")]),
            "segmen": _choices(
                [("PU", "PU — non-ASN (penerima upah)"), ("BPU", "BPU — pekerja rentan")]
            ),
            "instansi": _choices([(c, f"{c} — {n}") for c, n in agencies]),
            "kode_kelurahan": _choices([(c, f"{c} — {n} ({d})") for c, n, d in kel]),
            "kelas_risiko": _choices(
                [
                    (str(v), str(label))
                    for v, label in Participant._meta.get_field("risk_class").choices
                ]
            ),
            "penghasilan": _choices([(str(t), rupiah(t)) for t in ref.tiers]),
            "tulang_punggung": _choices([("Y", "Ya"), ("T", "Tidak")]),
        }
        for col in PARTICIPANT_COLUMNS:
            required = col.required == "all"
            help_text = f"{col.form_text} ({col.required_label})"
            if col.name in selects:
                choices = selects[col.name]
                initial = self.initial.get(col.name)
                if initial and initial not in {c for c, _ in choices}:
                    choices = [*choices, (initial, initial)]
                field = forms.ChoiceField(
                    label=col.label, choices=choices, required=required, help_text=help_text
                )
            elif col.name in DATE_COLUMNS:
                field = forms.CharField(
                    label=col.label,
                    required=required,
                    help_text=help_text,
                    widget=fields.DateInput(),
                )
            else:
                attrs = (
                    {"inputmode": "numeric"}
                    if col.name
                    in {
                        "nik",
                        "no_kk",
                        "no_hp",
                        "upah",
                        "rt",
                        "rw",
                        "desil",
                        "bulan_iuran_sebelumnya",
                    }
                    else {}
                )
                field = forms.CharField(
                    label=col.label,
                    required=required,
                    help_text=help_text,
                    max_length=300,
                    widget=forms.TextInput(attrs=attrs),
                )
            self.fields[col.name] = field

    GROUPS = (
        (
            _("Data diri"),
            ("nik", "nama", "tempat_lahir", "tanggal_lahir", "jenis_kelamin", "no_kk"),
        ),
        (_("Alamat dan kontak"), ("alamat", "rt", "rw", "kode_kelurahan", "no_hp")),
        (_("Kepesertaan"), ("segmen", "tanggal_mulai")),
        (_("Khusus PU (non-ASN)"), ("instansi", "jabatan", "upah", "kelas_risiko")),
        (
            _("Khusus BPU (pekerja rentan)"),
            ("pekerjaan", "penghasilan", "desil", "tulang_punggung"),
        ),
        (
            _("Iuran BPJS TK sebelum program"),
            ("bulan_iuran_sebelumnya", "bukti_iuran_sebelumnya"),
        ),
    )

    def fieldsets(self):
        return [(legend, [self[name] for name in names]) for legend, names in self.GROUPS]

    @staticmethod
    def initial_for(participant: Participant) -> dict[str, str]:
        return queries.record_of(participant)

    def record(self) -> dict[str, str]:
        return {name: (self.cleaned_data.get(name) or "") for name in self.fields}


class FamilyForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        selects = {
            "hubungan": _choices(
                [(v, str(label)) for v, label in FamilyMember.Relationship.choices], blank=False
            ),
            "jenis_kelamin": _choices([("L", "L — laki-laki"), ("P", "P — perempuan")]),
            "jenjang": _choices([(v, str(label)) for v, label in FamilyMember.Level.choices]),
            "menikah": _choices([("T", "Belum"), ("Y", "Sudah")], blank=False),
            "bekerja": _choices([("T", "Belum"), ("Y", "Sudah")], blank=False),
            "hidup": _choices([("Y", "Ya"), ("T", "Meninggal")], blank=False),
        }
        for col in FAMILY_COLUMNS:
            if col.name == "nik_peserta":
                continue
            required = col.required == "all"
            if col.name in selects:
                field = forms.ChoiceField(
                    label=col.label,
                    choices=selects[col.name],
                    required=required,
                    help_text=col.help,
                )
            elif col.name == "tanggal_lahir":
                field = forms.CharField(
                    label=col.label,
                    required=False,
                    help_text=col.help,
                    widget=fields.DateInput(),
                )
            else:
                field = forms.CharField(
                    label=col.label, required=required, help_text=col.help, max_length=200
                )
            self.fields[col.name] = field

    @staticmethod
    def initial_for(member: FamilyMember) -> dict[str, str]:
        yn = {True: "Y", False: "T"}
        return {
            "hubungan": member.relationship,
            "nama": member.full_name,
            "nik": member.nik,
            "tanggal_lahir": member.birth_date.isoformat() if member.birth_date else "",
            "jenis_kelamin": member.sex,
            "no_hp": member.phone,
            "jenjang": member.education_level,
            "kelas": "" if member.year_in_level is None else str(member.year_in_level),
            "menikah": yn[member.married],
            "bekerja": yn[member.working],
            "hidup": yn[member.alive],
        }

    def record(self) -> dict[str, str]:
        data = {name: (self.cleaned_data.get(name) or "") for name in self.fields}
        # The form's "hubungan" holds the stored value (spouse, child …): map it to the import's word.
        words = {
            "spouse": "pasangan",
            "child": "anak",
            "parent": "orang tua",
            "grandchild": "cucu",
            "grandparent": "kakek",
            "sibling": "saudara",
            "parent_in_law": "mertua",
            "will": "wasiat",
        }
        data["hubungan"] = words.get(data["hubungan"], data["hubungan"])
        levels = {"none": "belum"}
        data["jenjang"] = levels.get(data["jenjang"], data["jenjang"])
        return data


class AgencyForm(forms.Form):
    code = forms.CharField(
        label=_("Kode instansi"), max_length=30, help_text=_("Singkat, tanpa spasi, mis. DINKES.")
    )
    name = forms.CharField(label=_("Nama instansi"), max_length=200)
    kind = forms.ChoiceField(label=_("Jenis"), choices=Agency.Kind.choices)


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Berkas daftar (.xlsx atau .csv)"),
        help_text=_(
            "Templat Lindung atau daftar kantor sendiri: kolom dipetakan pada langkah berikutnya."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.csv"}),
    )
    kind = forms.ChoiceField(
        label=_("Isi berkas"),
        choices=[
            ("participants", _("Peserta")),
            ("family", _("Anggota keluarga peserta")),
            ("candidates", _("Calon peserta (untuk perencanaan perluasan)")),
        ],
        initial="participants",
    )


class MappingForm(forms.Form):
    """The mapping step: one choice per column of the file, values for the whole file, save.

    Column fields are named ``col-<position>`` (headers can be anything); the form gives back a
    :class:`~lindung.registry.mapping.Mapping`.
    """

    save = forms.BooleanField(
        label=_("Simpan pemetaan ini untuk berkas berikutnya di program ini"), required=False
    )

    def __init__(self, *args, batch, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = batch.kind
        self.rows = queries.mapping_rows(batch)
        current = batch.mapping or {}
        values = current.get("set", {})
        choices = [("", _("— lewati kolom ini —")), *queries.field_choices(batch.kind)]
        for i, row in enumerate(self.rows):
            field = forms.ChoiceField(
                label=row["header"], choices=choices, required=False, initial=row["field"]
            )
            field.samples = row["samples"]
            self.fields[f"col-{i}"] = field
        ref = queries.reference_for(programme)
        options = {
            "segmen": [("PU", "PU — non-ASN"), ("BPU", "BPU — pekerja rentan")],
            "instansi": list(queries.agencies(programme).values_list("code", "name")),
            "penghasilan": [(str(t), rupiah(t)) for t in ref.tiers],
            "kelas_risiko": [
                (str(v), str(label))
                for v, label in Participant._meta.get_field("risk_class").choices
            ],
            "terlindungi_lain": [("Y", "Ya"), ("T", "Tidak")],
        }
        self.set_names = []
        for name, label, _unused in queries.settable_fields(batch.kind):
            key = f"set-{name}"
            self.set_names.append(key)
            if name in options:
                self.fields[key] = forms.ChoiceField(
                    label=label,
                    choices=[("", _("— dari kolom berkas —")), *options[name]],
                    required=False,
                    initial=values.get(name, ""),
                )
            elif name == "tanggal_mulai":
                self.fields[key] = fields.DateField(
                    label=label, required=False, widget=DATE_WIDGET, initial=values.get(name)
                )
            else:
                self.fields[key] = forms.CharField(
                    label=label, required=False, initial=values.get(name, "")
                )

    def column_fields(self):
        return [self[f"col-{i}"] for i in range(len(self.rows))]

    def set_fields(self):
        return [self[k] for k in self.set_names]

    def mapping(self):
        from .mapping import Mapping

        columns = {
            row["header"]: self.cleaned_data.get(f"col-{i}") or ""
            for i, row in enumerate(self.rows)
        }
        values = {}
        for key in self.set_names:
            value = self.cleaned_data.get(key)
            if value in (None, ""):
                continue
            values[key[4:]] = (
                value.strftime("%d/%m/%Y") if hasattr(value, "strftime") else str(value)
            )
        return Mapping(columns=columns, values=values)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Keputusan"), choices=PossibleDuplicate.Decision.choices)
    note = forms.CharField(label=_("Catatan"), required=False, max_length=300)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Participant.Status.choices)
    on = fields.DateField(
        label=_("Berlaku sejak"),
        required=False,
        widget=fields.DateInput(),
        help_text=_("Tanggal meninggal/berakhir, atau tanggal aktif kembali. Kosong: hari ini."),
    )
    note = forms.CharField(label=_("Alasan"), required=False, max_length=200)


class PriorMonthsForm(forms.Form):
    months = forms.IntegerField(
        label=_("Bulan iuran sebelum program"),
        min_value=0,
        max_value=600,
        help_text=_(
            "Bulan iuran BPJS TK JKK/JKM yang dibayar sebelum masuk program (0: tidak ada)."
        ),
    )
    evidence = forms.CharField(
        label=_("Bukti"),
        required=False,
        max_length=200,
        help_text=_("Mis. nomor surat keterangan atau rincian iuran BPJS Ketenagakerjaan."),
    )
