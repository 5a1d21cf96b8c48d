"""The correction report: what a corrected parameter changes in issued invoices and approved
claims (one query over :mod:`lindung.coverage.repricing` and :mod:`lindung.claims.corrections`),
for the page and ``lindung corrections``."""

from __future__ import annotations

from datetime import date

from lindung.claims import corrections as claim_corrections
from lindung.coverage import repricing
from lindung.programmes.models import Programme


def report(programme: Programme, month: date | None = None) -> dict:
    invoices = repricing.corrections(programme, month)
    claims = claim_corrections.differences(programme)
    return {
        "programme": programme.code,
        "invoices": invoices,
        "claims": claims,
        "nothing": not invoices["months"] and not claims,
    }
