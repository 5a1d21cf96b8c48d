"""The Indonesian user guide (*Panduan*), served offline from the package.

One source: the Markdown pages and their screenshots live in ``lindung/core/panduan/`` (shipped in
the wheel; ``docs/panduan`` in the repository is a link to that folder). ``/panduan/`` shows the
index and ``/panduan/<peran>/`` one role's page, rendered with markdown-it-py (CommonMark plus
tables, raw HTML off, so the page stays within the strict Content-Security-Policy). Links between
the pages (``operator.md``) and images (``img/…png``) are rewritten to Lindung's addresses;
images are served by :func:`image` from the same folder. Logged-in users only.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import reverse
from markdown_it import MarkdownIt

FOLDER = Path(__file__).parent / "panduan"
IMAGES = FOLDER / "img"
#: The role pages in the order of the index (slug in the address = Markdown file name).
PAGES = ["operator", "verifikator", "pimpinan", "admin", "auditor", "mitra-csr"]
PAGE_LINK = re.compile(r"^(index|[a-z-]+)\.md(#[\w-]+)?$")
IMAGE_NAME = re.compile(r"^[a-z0-9-]+\.png$")


def _url(slug: str) -> str:
    return reverse("panduan") if slug == "index" else reverse("panduan_page", args=[slug])


@cache
def _rendered(slug: str) -> tuple[str, str]:
    """(title, HTML) of a page; the title is its first heading."""
    text = (FOLDER / f"{slug}.md").read_text(encoding="utf-8")
    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    tokens = md.parse(text)
    title = ""
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == "h1" and not title:
            title = tokens[i + 1].content
        if token.type == "table_open":
            token.attrSet("class", "table")
        for child in token.children or []:
            if child.type == "link_open":
                m = PAGE_LINK.match(str(child.attrGet("href") or ""))
                if m and (m.group(1) == "index" or m.group(1) in PAGES):
                    child.attrSet("href", _url(m.group(1)) + (m.group(2) or ""))
            elif child.type == "image":
                src = str(child.attrGet("src") or "")
                if src.startswith("img/") and IMAGE_NAME.match(src[4:]):
                    child.attrSet("src", reverse("panduan_image", args=[src[4:]]))
                    child.attrSet("loading", "lazy")
    return title, md.renderer.render(tokens, md.options, {})


def _nav() -> list[tuple[str, str]]:
    return [(_url(slug), _rendered(slug)[0].removeprefix("Panduan ")) for slug in PAGES]


@login_required
def index(request):
    return _page(request, "index")


@login_required
def page(request, peran: str):
    if peran not in PAGES:
        raise Http404("Halaman panduan tidak ditemukan.")
    return _page(request, peran)


def _page(request, slug: str):
    title, html = _rendered(slug)
    return render(
        request,
        "core/panduan.html",
        {"title": title, "html": html, "nav": _nav(), "current": _url(slug)},
    )


@login_required
def image(request, name: str):
    path = IMAGES / name
    if not IMAGE_NAME.match(name) or not path.is_file():
        raise Http404("Gambar panduan tidak ditemukan.")
    return FileResponse(path.open("rb"), content_type="image/png")
