"""The claims app's lines of the to-do queue on the programme home (registered with
``programmes.hooks.register_todo``): counted in one query, each line a link to the filtered list
where the work is done."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from lindung.programmes.hooks import Todo
from lindung.programmes.models import Role
from lindung.programmes.queries import count_each

from .models import Claim, ClaimState, ClaimTransition, Document, InstalmentState, ScholarshipPlan
from .models import Instalment as Inst


def missing_documents() -> Exists:
    """A claim (the outer row) with a required document of its own not yet received."""
    return Exists(
        Document.objects.filter(
            claim=OuterRef("pk"), instalment=None, required=True, received=False
        )
    )


def _claims_url(programme, **query) -> str:
    return reverse("claims_list", args=[programme.code]) + "?" + urlencode(query)


def _operator(programme, claims, instalments) -> dict:
    today = timezone.localdate()
    return count_each(
        programme,
        draft=claims.filter(state=ClaimState.DRAFT),
        incomplete=claims.filter(Q(state=ClaimState.DRAFT), missing_documents()),
        approved=claims.filter(state=ClaimState.APPROVED),
        due=instalments.filter(state=InstalmentState.UPCOMING, due_date__lte=today),
        awaiting=instalments.filter(state=InstalmentState.AWAITING),
        claimed=instalments.filter(state=InstalmentState.CLAIMED),
    )


def _verifier(user, programme, claims, instalments) -> dict:
    approvable = claims.filter(state=ClaimState.VERIFIED)
    if programme.four_eyes:
        # Four eyes: what this Verifikator entered or verified is for someone else to approve.
        mine = ClaimTransition.objects.filter(
            claim=OuterRef("pk"), to_state=ClaimState.VERIFIED, user_id=user.pk
        )
        approvable = approvable.exclude(created_by_id=user.pk).exclude(Exists(mine))
    return count_each(
        programme,
        submitted=claims.filter(state=ClaimState.SUBMITTED),
        approvable=approvable,
        reverify=instalments.filter(state=InstalmentState.AWAITING, verified_at=None),
    )


def todo(user, programme, role: str) -> list[Todo]:
    if role not in (Role.OPERATOR, Role.VERIFIKATOR):
        return []
    claims = Claim.objects.filter(programme=programme)
    instalments = Inst.objects.filter(programme=programme, plan__state=ScholarshipPlan.State.ACTIVE)
    due_url = reverse("claims_scholarships_due", args=[programme.code])
    if role == Role.OPERATOR:
        n = _operator(programme, claims, instalments)
        lines = [
            Todo(
                _("Klaim draf menunggu diajukan ke BPJS"),
                n["draft"],
                _claims_url(programme, state=ClaimState.DRAFT),
                10,
            ),
            Todo(
                _("Klaim draf yang dokumen wajibnya belum lengkap"),
                n["incomplete"],
                _claims_url(programme, state=ClaimState.DRAFT, dokumen="kurang"),
                11,
            ),
            Todo(
                _("Klaim disetujui menunggu dicatat dibayar BPJS"),
                n["approved"],
                _claims_url(programme, state=ClaimState.APPROVED),
                12,
            ),
            Todo(_("Angsuran beasiswa jatuh tempo yang belum dibuka"), n["due"], due_url, 20),
            Todo(_("Angsuran beasiswa menunggu dokumen keluarga"), n["awaiting"], due_url, 21),
            Todo(
                _("Klaim beasiswa diajukan, menunggu dicatat dibayar"),
                n["claimed"],
                reverse("claims_scholarships", args=[programme.code]),
                22,
            ),
        ]
    else:
        n = _verifier(user, programme, claims, instalments)
        approve = (
            _("Klaim terverifikasi menunggu persetujuan Anda (empat mata)")
            if programme.four_eyes
            else _("Klaim terverifikasi menunggu persetujuan")
        )
        lines = [
            Todo(
                _("Klaim diajukan menunggu verifikasi"),
                n["submitted"],
                _claims_url(programme, state=ClaimState.SUBMITTED),
                10,
            ),
            Todo(approve, n["approvable"], _claims_url(programme, state=ClaimState.VERIFIED), 11),
            Todo(_("Tahun beasiswa menunggu verifikasi ulang"), n["reverify"], due_url, 20),
        ]
    return [line for line in lines if line.count]
