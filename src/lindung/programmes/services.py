"""Write use cases for tenancy: programmes, memberships, the access log.

Each function is one transaction and raises typed errors; views, API and CLI call these.
User accounts are in :mod:`lindung.programmes.accounts`, programme parameters in
:mod:`lindung.programmes.parameters`.
"""

from __future__ import annotations

import hashlib
import io
import re
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.text import slugify

from lindung.core.actors import is_system
from lindung.core.errors import AccessDenied, DomainError
from lindung.rules import regions

from .models import AccessLog, Membership, Programme, Role
from .permissions import authorize
from .wording import Kind, Wording, region_kind_and_name


class ProgrammeError(DomainError):
    """A refused tenancy change, with an Indonesian message (and the form field it is about)."""

    def __init__(self, message: str, field: str | None = None, message_en: str = ""):
        super().__init__(message, message_en, field)


def _with_actor(obj, actor):
    if actor is not None and getattr(actor, "pk", None):
        obj._history_user = actor
    return obj


#: What an Admin may change about their programme (the region and the code stay).
PROFILE_FIELDS = (
    "name",
    "pemda_name",
    "kind",
    "place_name",
    "bpjs_branch",
    "dinas_name",
    "head_name",
    "head_title",
    "head_nip",
    "regional_head_name",
    "handover_place",
    "workforce",
    "covered_elsewhere",
    "agreement_start",
    "agreement_end",
)

LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_MAX_SIDE = 600
LOGO_FORMATS = {"PNG": "PNG", "JPEG": "JPEG", "GIF": "GIF", "WEBP": "WebP"}


def regency(region_code: str) -> regions.Region:
    """The kabupaten/kota of a Kemendagri code, or :class:`ProgrammeError`."""
    code = regions.normalize_code((region_code or "").strip())
    found = regions.region(code) if code else None
    if found is None or found.level != 2:
        raise ProgrammeError(
            f"Kode wilayah '{region_code}' bukan kabupaten/kota dalam tabel Kemendagri "
            "(dua angka provinsi, titik, dua angka kabupaten/kota; pilih dari daftar).",
            "region_code",
            message_en=f"Region code '{region_code}' is not a regency/city in the Kemendagri "
            "table (two digits for the province, a dot, two digits for the regency/city; "
            "choose from the list).",
        )
    return found


def programme_defaults(region_code: str, kind: str | None = None) -> dict[str, str]:
    """What the set-up page proposes for a region: kind, names, code and handover place."""
    found = regency(region_code)
    region_kind, place = region_kind_and_name(found.code)
    kind = kind or region_kind or Kind.KABUPATEN
    words = Wording(kind, place or found.name)
    prefix = "kab" if kind == Kind.KABUPATEN else "kota"
    return {
        "region_code": found.code,
        "kind": str(kind),
        "place_name": words.name,
        "pemda_name": words.government,
        "name": f"Program JKK-JKM {words.area}",
        "code": slugify(f"{prefix}-{words.name}")[:50],
        "handover_place": words.hall_name,
    }


def _clean_profile(fields: dict) -> dict:
    out = {}
    for name, value in fields.items():
        if name not in PROFILE_FIELDS:
            raise ProgrammeError(
                f"Data program '{name}' tidak dapat diubah di sini.",
                name,
                message_en=f"The programme's '{name}' cannot be changed here.",
            )
        out[name] = value.strip() if isinstance(value, str) else value
    if "kind" in out and out["kind"] not in Kind.values:
        raise ProgrammeError(
            "Jenis daerah harus kabupaten atau kota.",
            "kind",
            message_en="The kind of region must be regency (kabupaten) or city (kota).",
        )
    nip = out.get("head_nip") or ""
    if nip and not re.fullmatch(r"\d{18}", nip.replace(" ", "")):
        raise ProgrammeError(
            f"NIP harus 18 digit angka (yang diisi {len(nip.replace(' ', ''))} karakter).",
            "head_nip",
            message_en=f"The NIP must be 18 digits ({len(nip.replace(' ', ''))} characters "
            "were entered).",
        )
    if nip:
        out["head_nip"] = nip.replace(" ", "")
    return out


def _full_clean(programme: Programme) -> None:
    try:
        programme.full_clean(exclude=["logo"])
    except ValidationError as exc:
        field, text = _validation_text(exc, "id")
        _field, text_en = _validation_text(exc, "en")
        raise ProgrammeError(text, field, message_en=text_en) from exc


def _validation_text(exc: ValidationError, language: str) -> tuple[str, str]:
    """The first field at fault and its messages, worded in ``language``."""
    with translation.override(language):
        field, messages = next(iter(exc.message_dict.items()))
        if field == "__all__":
            label = "program" if language == "id" else "programme"
        else:
            label = str(Programme._meta.get_field(field).verbose_name)
        return field, f"{label.capitalize()}: {' '.join(messages)}"


@transaction.atomic
def create_programme(
    *,
    actor,
    region_code: str,
    code: str = "",
    admin=None,
    logo: bytes | None = None,
    **fields,
) -> Programme:
    """Create a programme for a kabupaten/kota (the set-up page and ``lindung programme create``).

    Missing names are derived from the Kemendagri region (kind, "Pemerintah Kabupaten …",
    "Program JKK-JKM …", code ``kab-…``/``kota-…``). The actor is a system actor (CLI, demo)
    or an active superuser. ``admin`` gets the Admin role in it.
    """
    if not (is_system(actor) or getattr(actor, "is_superuser", False) and actor.is_active):
        raise AccessDenied(
            "Program baru hanya dapat dibuat oleh administrator sistem (superuser).",
            "Only a system administrator may create a programme.",
            action="programme.create",
        )
    fields = _clean_profile({k: v for k, v in fields.items() if v not in (None, "")})
    defaults = programme_defaults(region_code, fields.get("kind"))
    code = (code or defaults["code"]).strip()
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{1,49}", code):
        raise ProgrammeError(
            f"Kode program '{code}' tidak sah: pakai huruf kecil, angka dan tanda hubung "
            "(2–50 karakter), mis. kab-ponorogo.",
            "code",
            message_en=f"Programme code '{code}' is not valid: use lower-case letters, digits "
            "and hyphens (2–50 characters), e.g. kab-ponorogo.",
        )
    if Programme.objects.filter(code=code).exists():
        raise ProgrammeError(
            f"Kode program '{code}' sudah dipakai.",
            "code",
            message_en=f"Programme code '{code}' is already in use.",
        )
    values = {k: defaults[k] for k in ("kind", "place_name", "pemda_name", "name")}
    values.update(fields)
    programme = _with_actor(
        Programme(code=code, region_code=defaults["region_code"], **values), actor
    )
    _full_clean(programme)
    programme.save()
    if logo:
        _store_logo(programme, logo, actor)
    if admin is not None:
        _grant(actor, programme, admin, Role.ADMIN, None)
    return programme


@transaction.atomic
def update_programme(
    *,
    actor,
    programme: Programme,
    logo: bytes | None = None,
    remove_logo: bool = False,
    **fields,
) -> Programme:
    """The Admin's changes to the programme's profile (and its logo), in one transaction: a
    refused logo leaves the profile as it was."""
    authorize(actor, "programme.edit", programme)
    if logo or remove_logo:
        _store_logo(programme, logo or None, actor)
    for name, value in _clean_profile(fields).items():
        if value is None and isinstance(Programme._meta.get_field(name), models.CharField):
            value = ""
        setattr(programme, name, value)
    _full_clean(programme)
    _with_actor(programme, actor).save()
    return programme


def normalise_logo(data: bytes) -> bytes:
    """A logo upload as a PNG of at most 600 px a side, or :class:`ProgrammeError`.

    The content decides (Pillow opens it), never the name; the image is decoded and written
    again, so nothing but pixels survives (no metadata, no script, no second file inside).
    """
    from PIL import Image, UnidentifiedImageError

    if not data:
        raise ProgrammeError("Berkas logo kosong.", "logo", message_en="The logo file is empty.")
    if len(data) > LOGO_MAX_BYTES:
        raise ProgrammeError(
            f"Berkas logo terlalu besar ({len(data) // 1024} KB); paling besar 2 MB.",
            "logo",
            message_en=f"The logo file is too large ({len(data) // 1024} KB); 2 MB at most.",
        )
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            probe.verify()
        if kind not in LOGO_FORMATS:
            raise ProgrammeError(
                f"Logo harus gambar PNG, JPEG, GIF atau WebP (berkas ini {kind or 'tidak dikenal'}).",
                "logo",
                message_en="The logo must be a PNG, JPEG, GIF or WebP image (this file is "
                f"{kind or 'unknown'}).",
            )
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > 40_000_000:
                raise ProgrammeError(
                    "Gambar logo terlalu besar (piksel).",
                    "logo",
                    message_en="The logo image is too large (pixels).",
                )
            image.load()
            image = image.convert("RGBA")
            image.thumbnail((LOGO_MAX_SIDE, LOGO_MAX_SIDE))
            out = io.BytesIO()
            image.save(out, format="PNG", optimize=True)
    except ProgrammeError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ProgrammeError(
            "Berkas logo bukan gambar yang dapat dibaca (PNG, JPEG, GIF atau WebP).",
            "logo",
            message_en="The logo file is not a readable image (PNG, JPEG, GIF or WebP).",
        ) from exc
    return out.getvalue()


def _store_logo(programme: Programme, data: bytes | None, actor) -> None:
    png = normalise_logo(data) if data else None
    programme.logo = png
    programme.logo_sha256 = hashlib.sha256(png).hexdigest() if png else ""
    _with_actor(programme, actor).save(update_fields=["logo", "logo_sha256"])


@transaction.atomic
def set_logo(*, actor, programme: Programme, data: bytes | None) -> Programme:
    """Replace (or, with ``data=None``, remove) the logo printed on the programme's PDFs."""
    authorize(actor, "programme.edit", programme)
    _store_logo(programme, data, actor)
    return programme


def _last_admin(programme: Programme, user) -> bool:
    admins = Membership.objects.filter(programme=programme, role=Role.ADMIN)
    return admins.filter(user=user).exists() and admins.count() == 1


def clean_scope(programme: Programme, role: Role, scope) -> str:
    """The comma-separated funder codes a Mitra CSR user sees; other roles have none.

    The codes must be the programme's own funders (supplied by ``coverage`` through
    :func:`lindung.programmes.hooks.register_funder_choices`).
    """
    from .hooks import funder_choices

    if role != Role.MITRA_CSR:
        return ""
    codes = [scope] if isinstance(scope, str) else list(scope or ())
    codes = [c.strip().upper() for part in codes for c in str(part).split(",") if c.strip()]
    known = {code.upper() for code, _label in funder_choices(programme)}
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise ProgrammeError(
            f"Penyandang dana tidak dikenal di program ini: {', '.join(unknown)}.",
            "scope",
            message_en=f"Funders not known in this programme: {', '.join(unknown)}.",
        )
    if not codes:
        if not known:
            raise ProgrammeError(
                "Mitra CSR hanya melihat pekerja dan uang penyandang dananya, tetapi program "
                "ini belum mempunyai penyandang dana: tambahkan dulu di menu Kerja sama & "
                "penyandang dana.",
                "scope",
                message_en="A CSR Partner sees only the workers and money of its funders, but "
                "this programme has no funder yet: add one first in the menu Agreements & "
                "funders.",
            )
        raise ProgrammeError(
            "Pilih paling sedikit satu penyandang dana yang boleh dilihat Mitra CSR ini.",
            "scope",
            message_en="Choose at least one funder this CSR Partner may see.",
        )
    return ",".join(dict.fromkeys(codes))


@transaction.atomic
def set_membership(
    *, actor, programme: Programme, user, role: Role | str, scope=None
) -> Membership:
    """Give ``user`` the ``role`` in ``programme`` (replacing a previous role); a Mitra CSR
    role needs its funders (``scope``: codes).

    By a system actor (set-up, demo, CLI) or the programme's Admin, who may not change a system
    administrator's role and may not take the Admin role from the programme's last Admin.
    """
    role = Role(role)
    authorize(actor, "members.manage", programme)
    return _grant(actor, programme, user, role, scope)


LAST_ADMIN_EN = "This is the programme's last Admin: give the Admin role to another user first."


def _grant(actor, programme: Programme, user, role: Role, scope) -> Membership:
    """``set_membership`` after its authorization (also the set-up's first Admin)."""
    system = is_system(actor)
    staff = user.is_superuser or user.is_staff
    if not system and not actor.is_superuser and staff and actor.pk != user.pk:
        raise ProgrammeError(
            "Peran administrator sistem hanya dapat diubah oleh administrator sistem.",
            message_en="A system administrator's role can only be changed by a system "
            "administrator.",
        )
    if not system and role != Role.ADMIN and _last_admin(programme, user):
        raise ProgrammeError(
            "Ini Admin terakhir program: berikan peran Admin kepada pengguna lain dulu.",
            "role",
            message_en=LAST_ADMIN_EN,
        )
    scope_codes = None if system and scope is None else clean_scope(programme, role, scope)
    membership = Membership.objects.filter(user=user, programme=programme).first()
    if membership is None:
        membership = Membership(user=user, programme=programme, role=role)
    elif membership.role == role and (scope_codes is None or membership.scope == scope_codes):
        return membership
    membership.role = role
    if scope_codes is not None:
        membership.scope = scope_codes
    _with_actor(membership, actor).save()
    user.__dict__.pop("_lindung_roles", None)
    return membership


@transaction.atomic
def remove_membership(*, actor, programme: Programme, user) -> None:
    """Take ``user``'s role in ``programme`` away (the login itself stays)."""
    authorize(actor, "members.manage", programme)
    if (user.is_superuser or user.is_staff) and actor.pk != user.pk and not is_system(actor):
        raise ProgrammeError(
            "Peran administrator sistem hanya dapat diubah oleh administrator sistem.",
            message_en="A system administrator's role can only be changed by a system "
            "administrator.",
        )
    if _last_admin(programme, user):
        raise ProgrammeError(
            "Ini Admin terakhir program: berikan peran Admin kepada pengguna lain dulu.",
            message_en=LAST_ADMIN_EN,
        )
    for membership in Membership.objects.filter(user=user, programme=programme):
        _with_actor(membership, actor).delete()
    user.__dict__.pop("_lindung_roles", None)


def ensure_user(
    username: str,
    password: str,
    *,
    email: str = "",
    first_name: str = "",
    is_staff: bool = False,
    is_superuser: bool = False,
):
    """Create a user if missing (idempotent; an existing password is left alone)."""
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(
            username=username,
            email=email,
            first_name=first_name,
            is_staff=is_staff,
            is_superuser=is_superuser,
        )
        user.set_password(password)
        user.save()
    return user


def client_ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def log_read(
    request, programme, object_type: str, records: int, detail: str = "", action: str = "list"
) -> AccessLog:
    """Record one request that read a list of ``records`` persons (a page, an API list): the
    channel is ``api`` under ``/api/``, ``web`` otherwise. One row per request, never per person."""
    channel = "api" if request.path.startswith("/api/") else "web"
    return log_access(
        user=request.user,
        programme=programme,
        action=action,
        object_type=object_type,
        detail=detail,
        channel=channel,
        request=request,
        records=records,
    )


def log_access(
    *,
    user,
    programme: Programme | None,
    action: str,
    object_type: str,
    object_id: str = "",
    detail: str = "",
    channel: str = "web",
    request=None,
    records: int | None = None,
) -> AccessLog:
    """Record a read or export of personal data (UU PDP 27/2022): one row per request.
    ``records``: how many persons it gave (default 1 for one record, 0 otherwise)."""
    if records is None:
        records = 1 if object_id not in ("", None) else 0
    return AccessLog.objects.create(
        records=max(0, int(records)),
        user=user if getattr(user, "pk", None) else None,
        programme=programme,
        action=AccessLog.Action(action),
        object_type=object_type,
        object_id=str(object_id),
        detail=detail[:500],
        channel=channel,
        ip_address=client_ip(request),
    )


@transaction.atomic
def set_four_eyes(*, actor, programme: Programme, enabled: bool, reason: str = "") -> Programme:
    """Turn the four-eyes rule on claim approvals on or off (Admin; kept in the programme's
    history with ``reason``)."""
    authorize(actor, "programme.edit", programme, "mengubah aturan empat mata")
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    if programme.four_eyes == enabled:
        return programme
    programme.four_eyes = enabled
    state = "diaktifkan" if enabled else "dimatikan"
    programme._change_reason = (f"Empat mata {state}. {reason or ''}").strip()[:100]
    _with_actor(programme, actor).save(update_fields=["four_eyes"])
    return programme


def access_log_days() -> int:
    """How long access-log rows are kept (``LINDUNG_ACCESS_LOG_DAYS``)."""
    return int(settings.LINDUNG_ACCESS_LOG_DAYS)


def prune_access_log(*, actor, days: int | None = None) -> int:
    """Delete access-log rows older than ``days`` (default: ``LINDUNG_ACCESS_LOG_DAYS``) in
    every programme; a command of the system administrator (a named system actor). Returns how
    many rows were deleted."""
    if not is_system(actor):
        raise AccessDenied(
            "Pemangkasan log akses hanya lewat perintah `lindung accesslog prune` di server.",
            "Pruning the access log is a server command.",
            action="accesslog.prune",
        )
    days = access_log_days() if days is None else days
    if days < 1:
        raise DomainError(
            "Masa simpan paling sedikit 1 hari.", message_en="Keep the log for at least 1 day."
        )
    cutoff = timezone.now() - timedelta(days=days)
    with transaction.atomic():
        deleted, _ = AccessLog.objects.filter(at__lt=cutoff).delete()
    return deleted
