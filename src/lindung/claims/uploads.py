"""Safe storage of claim documents.

- **Size**: at most :data:`MAX_UPLOAD_BYTES` (10 MB by default; ``LINDUNG_CLAIM_UPLOAD_MAX_BYTES``
  in the settings overrides it).
- **Type**: decided by the content, never by the name or the browser's content type: only PDF,
  JPEG and PNG, recognised by their magic bytes; a PDF with active content (JavaScript, launch
  actions, embedded files, a link opened by itself) is refused — found by parsing the PDF
  (pypdf), so escaped names (``/Java#53cript``) and compressed object streams do not hide it; a
  PDF that cannot be parsed or is encrypted is refused too; the name's extension must agree
  with the content.
- **Names**: a name with a path (``/``, ``\\``, ``..``) or control characters is refused; other
  characters are replaced; the file is stored under a random name, the cleaned original name is
  kept only for display and download.
- **Place**: ``MEDIA_ROOT/claims/<programme>/<claim>/<random>.<ext>``, created exclusively with
  mode 0640, never served from a public URL (see the permission-checked download view).
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import unicodedata
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from .errors import DocumentError

MAX_UPLOAD_BYTES = int(getattr(settings, "LINDUNG_CLAIM_UPLOAD_MAX_BYTES", 10 * 1024 * 1024))

#: (magic bytes, content type, stored extension, accepted name extensions)
ALLOWED = (
    (b"%PDF-", "application/pdf", "pdf", {"pdf"}),
    (b"\xff\xd8\xff", "image/jpeg", "jpg", {"jpg", "jpeg"}),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png", {"png"}),
)
ALLOWED_EXTENSIONS = {ext for *_rest, exts in ALLOWED for ext in exts}

#: Recognisable content that is refused, for a helpful message.
KNOWN_CONTENT = (
    (b"MZ", "program Windows (EXE/DLL)", "Windows program (EXE/DLL)"),
    (b"\x7fELF", "program Linux (ELF)", "Linux program (ELF)"),
    (b"\xcf\xfa\xed\xfe", "program macOS", "macOS program"),
    (b"#!", "skrip", "script"),
    (b"PK\x03\x04", "arsip ZIP atau dokumen Office", "ZIP archive or Office document"),
    (b"Rar!", "arsip RAR", "RAR archive"),
    (b"7z\xbc\xaf", "arsip 7-Zip", "7-Zip archive"),
    (b"<", "HTML/XML", "HTML/XML"),
)
#: PDF names (keys or values, decoded by the parser: ``/Java#53cript`` is ``/JavaScript``) that
#: make a document active; a scanned certificate never needs them.
PDF_ACTIVE_NAMES = frozenset(
    {
        "/JavaScript",
        "/JS",
        "/Launch",
        "/EmbeddedFile",
        "/EmbeddedFiles",
        "/RichMedia",
        "/RichMediaExecute",
        "/SubmitForm",
        "/ImportData",
        "/GoToE",
        "/XFA",
    }
)
#: Actions a viewer runs by itself (on opening the file or a page, on focus …): any of these
#: there is refused, a ``/URI`` too (a link the reader clicks stays allowed).
PDF_AUTOMATIC = ("/OpenAction", "/AA")
PDF_AUTOMATIC_ACTIONS = frozenset({"/URI", "/GoToR", "/Launch", "/JavaScript", "/SubmitForm"})
#: More objects than a scanned document ever has: refuse rather than walk for ever.
PDF_MAX_OBJECTS = 200_000

_NAME_OK = re.compile(r"[^\w .()\-]", re.UNICODE)


@dataclass(frozen=True)
class CheckedFile:
    data: bytes
    name: str
    content_type: str
    extension: str
    sha256: str

    @property
    def size(self) -> int:
        return len(self.data)


def mb(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MB" if n >= 1024 * 1024 else f"{n // 1024} KB"


def clean_name(name: str) -> str:
    """The display name of an upload; refuses names with a path or control characters."""
    raw = name or ""
    if not raw.strip():
        raise DocumentError(
            "Nama berkas kosong.", message_en="The file name is empty.", field="file"
        )
    if "/" in raw or "\\" in raw or ".." in raw or any(ord(c) < 32 or ord(c) == 127 for c in raw):
        raise DocumentError(
            "Nama berkas tidak boleh memuat folder, '..', garis miring atau karakter kendali. "
            "Ganti nama berkas, mis. 'akta-kematian.pdf', lalu unggah lagi.",
            message_en=(
                "The file name must not contain folders, '..', slashes or control characters. "
                "Rename the file, e.g. 'death-certificate.pdf', and upload it again."
            ),
            field="file",
        )
    text = unicodedata.normalize("NFKC", raw).strip().lstrip(".")
    text = _NAME_OK.sub("_", text)
    text = re.sub(r"\s+", " ", text)
    stem, dot, ext = text.rpartition(".")
    if not dot:
        stem, ext = text, ""
    stem = stem[:90] or "berkas"
    return f"{stem}.{ext[:10]}" if ext else stem


def extension_of(name: str) -> str:
    return name.rpartition(".")[2].lower() if "." in name else ""


def read_limited(upload, limit: int | None = None) -> bytes:
    """Read an upload (bytes or a file object), refusing more than ``limit`` bytes."""
    limit = MAX_UPLOAD_BYTES if limit is None else limit
    too_big = DocumentError(
        f"Berkas terlalu besar: paling besar {mb(limit)}. Perkecil hasil pindaian (mis. 150 dpi, "
        "hitam-putih) lalu unggah lagi.",
        f"The file is too large (limit {limit} bytes).",
        "file",
    )
    if isinstance(upload, bytes | bytearray):
        data = bytes(upload)
    else:
        size = getattr(upload, "size", None)
        if size is not None and size > limit:
            raise too_big
        if hasattr(upload, "seek"):
            upload.seek(0)
        data = upload.read(limit + 1)
    if len(data) > limit:
        raise too_big
    if not data:
        raise DocumentError("Berkas kosong.", message_en="The file is empty.", field="file")
    return data


def check(upload, filename: str, limit: int | None = None) -> CheckedFile:
    """Validate an upload: name, size, content type (magic bytes) and active PDF content."""
    name = clean_name(filename)
    data = read_limited(upload, limit)
    detected = next((a for a in ALLOWED if data.startswith(a[0])), None)
    if detected is None:
        what = next((k for k in KNOWN_CONTENT if data.startswith(k[0])), None)
        seen = f" (terdeteksi: {what[1]})" if what else ""
        seen_en = f" (detected: {what[2]})" if what else ""
        raise DocumentError(
            f"Isi berkas bukan PDF, JPEG atau PNG{seen}. Hanya pindaian/foto dokumen dalam "
            "format PDF, JPEG atau PNG yang diterima.",
            message_en=(
                f"The file's content is not PDF, JPEG or PNG{seen_en}. Only scans/photos "
                "of documents in PDF, JPEG or PNG format are accepted."
            ),
            field="file",
        )
    _magic, content_type, stored_ext, name_exts = detected
    ext = extension_of(name)
    if ext not in name_exts:
        raise DocumentError(
            f"Nama berkas berakhiran '.{ext or '?'}' tetapi isinya {stored_ext.upper()}. "
            f"Beri nama berakhiran .{stored_ext} (jenis yang diterima: PDF, JPEG, PNG).",
            message_en=(
                f"The file name ends in '.{ext or '?'}' but its content is {stored_ext.upper()}. "
                f"Give it a name ending in .{stored_ext} (accepted types: PDF, JPEG, PNG)."
            ),
            field="file",
        )
    if content_type == "application/pdf":
        found = pdf_active_content(data)
        if found:
            raise DocumentError(
                "PDF ini memuat konten aktif (JavaScript, tautan yang dibuka otomatis, lampiran "
                f"atau perintah menjalankan program: {found}) dan ditolak. Cetak ulang ke PDF "
                "atau pindai dokumennya.",
                message_en=(
                    "This PDF contains active content (JavaScript, links opened automatically, "
                    f"attachments or commands that run programs: {found}) and is refused. Print "
                    "it to PDF again or scan the document."
                ),
                field="file",
            )
    return CheckedFile(data, name, content_type, stored_ext, hashlib.sha256(data).hexdigest())


def pdf_active_content(data: bytes) -> str | None:
    """The first active element of a PDF (``"/JavaScript"``, ``"/OpenAction /URI"`` …) or
    ``None``. The file is parsed (pypdf): names are decoded (``/Java#53cript``), compressed
    object streams opened, and every object reachable from the trailer and every object in the
    cross-reference table visited. A PDF that cannot be parsed, or is encrypted, is refused
    (:class:`DocumentError`): what cannot be inspected cannot be trusted."""
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PyPdfError
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

    unreadable = DocumentError(
        "PDF ini rusak atau terkunci kata sandi sehingga tidak dapat diperiksa. Cetak ulang ke "
        "PDF (tanpa kata sandi) atau pindai dokumennya, lalu unggah lagi.",
        message_en="This PDF is damaged or locked with a password, so it cannot be checked. Print "
        "it to PDF again (without a password) or scan the document, then upload it again.",
        field="file",
    )
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # damaged files are reported, not logged
    try:
        try:
            reader = PdfReader(io.BytesIO(data), strict=False)
        except (PyPdfError, ValueError):
            # No usable ``startxref`` (hand-made or cut files): let the parser rebuild the
            # cross-reference table by scanning the objects, as lenient viewers do.
            reader = PdfReader(io.BytesIO(data + b"\nstartxref\n0\n%%EOF\n"), strict=False)
        if reader.is_encrypted:
            raise unreadable
        roots: list = [reader.trailer]
        for generation, numbers in reader.xref.items():
            roots.extend(IndirectObject(n, generation, reader) for n in numbers)
        roots.extend(IndirectObject(n, 0, reader) for n in reader.xref_objStm)
        seen: set[tuple[int, int]] = set()
        stack = roots
        visited = 0
        while stack:
            item = stack.pop()
            if isinstance(item, IndirectObject):
                key = (item.idnum, item.generation)
                if key in seen:
                    continue
                seen.add(key)
                item = item.get_object()
            visited += 1
            if visited > PDF_MAX_OBJECTS:
                raise unreadable
            if isinstance(item, DictionaryObject):
                for name, value in item.items():
                    if name in PDF_ACTIVE_NAMES:
                        return str(name)
                    if name == "/S" and isinstance(value, NameObject):
                        if value in PDF_ACTIVE_NAMES:
                            return str(value)
                    if name in PDF_AUTOMATIC:
                        action = _automatic_action(value, PDF_AUTOMATIC_ACTIONS)
                        if action:
                            return f"{name} {action}"
                    stack.append(value)
            elif isinstance(item, ArrayObject):
                stack.extend(item)
    except DocumentError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        raise unreadable from exc
    return None


def _automatic_action(value, kinds: frozenset[str]) -> str | None:
    """The kind of an automatic action found in an ``/OpenAction`` or ``/AA`` entry.

    An ``/OpenAction`` is either a destination (an array ``[page /Fit]``: harmless) or an action
    dictionary (``/S`` its kind, ``/Next`` the actions after it); an ``/AA`` dictionary maps
    triggers (``/O``, ``/C``, ``/K`` …) to actions. Only action chains are followed, never the
    pages a destination points to."""
    from pypdf.generic import ArrayObject, DictionaryObject

    stack, steps = [value], 0
    while stack and steps < 1000:
        steps += 1
        item = stack.pop()
        item = item.get_object() if hasattr(item, "get_object") else item
        if not isinstance(item, DictionaryObject):
            continue  # a destination array, a null: no action
        if "/S" in item:
            kind = item.get("/S")
            if kind in kinds:
                return str(kind)
            following = item.get("/Next")
            following = following.get_object() if hasattr(following, "get_object") else following
            if isinstance(following, ArrayObject):
                stack.extend(following)
            elif following is not None:
                stack.append(following)
        else:  # an /AA dictionary: trigger -> action
            stack.extend(item.values())
    return None


def media_root() -> Path:
    return Path(settings.MEDIA_ROOT).resolve()


def store(checked: CheckedFile, programme_id: int, claim_id: int) -> str:
    """Write the file under a random name; returns its path relative to ``MEDIA_ROOT``."""
    rel = Path("claims") / str(int(programme_id)) / str(int(claim_id))
    rel = rel / f"{uuid.uuid4().hex}.{checked.extension}"
    full = resolve(str(rel))
    full.parent.mkdir(parents=True, exist_ok=True, mode=0o750)
    fd = os.open(full, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    with os.fdopen(fd, "wb") as fh:
        fh.write(checked.data)
    return rel.as_posix()


def resolve(relative: str) -> Path:
    """The absolute path of a stored file, refusing anything outside ``MEDIA_ROOT/claims``."""
    root = media_root() / "claims"
    full = (media_root() / relative).resolve()
    if not full.is_relative_to(root):
        raise DocumentError("Lokasi berkas tidak sah.", message_en="Invalid file location.")
    return full


def remove(relative: str) -> None:
    try:
        resolve(relative).unlink(missing_ok=True)
    except (DocumentError, OSError):
        pass
