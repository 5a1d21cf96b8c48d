"""What a claim still lacks, as data: each gap says what is missing, where it is fixed and
whether it stops the claim from being submitted to BPJS ("Ajukan ke BPJS").

One rule, two readers: :func:`lindung.claims.services.transition` refuses the submission while
:func:`submission_gaps` is not empty (so the web page, the API and the CLI refuse alike), and
:func:`lindung.claims.queries.missing` lists every gap on the claim page with a link to where it
is fixed. Pure functions over already-loaded rows: no queries here.
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import DEATH_TYPES, Claim, Document, Heir

#: Where a gap is fixed (the claim page turns each into a link).
FIX_DOCUMENT = "document"  # a row of the documents table (``target``: the document)
FIX_HEIRS = "heirs"  # the heirs section (``target``: the heir to edit, when there is one)
FIX_PARTICIPANT = "participant"  # the person page's status form (the death is recorded there)
FIX_CLAIM = "claim"  # the claim's edit form
FIX_COVERAGE = "coverage"  # the participant's contribution ledger
FIX_BPJS = "bpjs"  # the "Jumlah dari BPJS" form


@dataclass(frozen=True)
class Gap:
    text: str
    fix: str
    target: int | None = None
    #: ``True``: the claim cannot be submitted to BPJS until this is fixed.
    blocks_submit: bool = False


def document_gaps(documents: list[Document]) -> list[Gap]:
    """One gap per required document of the claim itself that has not been received."""
    return [
        Gap(f"Dokumen wajib belum diterima: {d.label}.", FIX_DOCUMENT, d.pk, True)
        for d in documents
        if d.instalment_id is None and d.required and not d.received
    ]


def heir_gaps(claim: Claim, heirs: list[Heir]) -> list[Gap]:
    """A death claim needs an entitled heir chosen as the recipient; any claim needs a
    recipient (the participant themself when alive)."""
    entitled = [h for h in heirs if h.entitled]
    recipient = next((h for h in heirs if h.is_recipient), None)
    if claim.type in DEATH_TYPES and not entitled:
        return [
            Gap(
                "Tidak ada ahli waris dalam data keluarga peserta: lengkapi data keluarga atau "
                "tambahkan ahli waris (mis. yang ditunjuk dalam wasiat, atau pihak yang mengurus "
                "pemakaman).",
                FIX_HEIRS,
                None,
                True,
            )
        ]
    if recipient is None:
        first = entitled[0].pk if entitled else None
        return [Gap("Ahli waris penerima santunan belum dipilih.", FIX_HEIRS, first, True)]
    return []


def death_gaps(claim: Claim) -> list[Gap]:
    """A death claim needs the death recorded on the participant (status "meninggal")."""
    if claim.type in DEATH_TYPES and claim.participant.status != "died":
        return [
            Gap(
                "Kematian peserta belum dicatat di data peserta: ubah status kepesertaannya "
                "menjadi 'meninggal' dengan tanggal meninggalnya (agar tidak ditagih lagi).",
                FIX_PARTICIPANT,
                claim.participant_id,
                True,
            )
        ]
    return []


def submission_gaps(claim: Claim, heirs: list[Heir], documents: list[Document]) -> list[Gap]:
    """What stops "Ajukan ke BPJS": missing required documents, no heir chosen (death claims),
    the death not recorded on the participant."""
    return [*document_gaps(documents), *heir_gaps(claim, heirs), *death_gaps(claim)]
