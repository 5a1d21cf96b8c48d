"""File responses for the download links (exports, reports, invoices, letters)."""

from __future__ import annotations

from pathlib import PurePath

from django.http import HttpResponse

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".xlsx": XLSX,
    ".json": "application/json",
    ".csv": "text/csv; charset=utf-8",
}


def file_response(body: bytes, filename: str, *, inline: bool = False) -> HttpResponse:
    """``body`` as a download named ``filename`` (the content type from its extension);
    ``inline`` opens it in the browser instead (letters to print)."""
    content_type = CONTENT_TYPES.get(PurePath(filename).suffix.lower(), "application/octet-stream")
    response = HttpResponse(body, content_type=content_type)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response
