"""The handover letter (berita acara penyerahan santunan) as a PDF, from an HTML template.

WeasyPrint renders ``claims/handover_letter.html`` with local fonts only: every external URL is
refused (no network, no CDN).
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from lindung.registry.queries import show_nik
from lindung.rules.money import terbilang

from .models import Claim, Handover


def _no_fetch(url: str, *args, **kwargs):
    """Only ``data:`` URIs (the programme's logo) are read; nothing from a network or disk."""
    if url.startswith("data:"):
        from weasyprint.urls import URLFetcher

        return URLFetcher(allowed_protocols={"data"})(url)
    raise ValueError(f"external resources are not loaded: {url}")


def letter_context(claim: Claim, handover: Handover, user) -> dict:
    quote = claim.current_entitlement or {}
    commitment = int(quote.get("scholarship_commitment") or 0)
    recipient = handover.recipient_heir
    if recipient is None:
        recipient = claim.heirs.filter(is_recipient=True).first()
    plans = list(claim.scholarship_plans.all())
    return {
        "programme": claim.programme,
        "claim": claim,
        "handover": handover,
        "person": claim.participant.person,
        "nik": show_nik(user, claim.programme, claim.participant.person.nik),
        "lines": quote.get("lines", []),
        "cash_total": int(quote.get("cash_total") or 0),
        "commitment": commitment,
        "commitment_words": terbilang(commitment) if commitment else "",
        "plans": plans,
        "heir": recipient if recipient and recipient.full_name == handover.recipient else None,
        "printed_at": timezone.localtime(),
    }


def handover_html(claim: Claim, handover: Handover, user) -> str:
    return render_to_string("claims/handover_letter.html", letter_context(claim, handover, user))


def handover_pdf(claim: Claim, handover: Handover, user) -> bytes:
    from weasyprint import HTML

    html = handover_html(claim, handover, user)
    return HTML(string=html, url_fetcher=_no_fetch).write_pdf()
