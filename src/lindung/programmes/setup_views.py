"""First-run set-up (a superuser creates a programme), the programme's settings (its Admin),
its logo, and the login page that tells a fresh install what to do.

The region is chosen province → kabupaten/kota from the Kemendagri table. With JavaScript, htmx
swaps the next step in place (``hx-select`` picks it from this same page); without, the
"Tampilkan" buttons submit the choice and the page comes back with the next step.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from lindung.core import params
from lindung.rules import regions

from . import services
from .decorators import programme_view
from .forms import ProfileForm, SetupForm
from .hooks import setup_steps
from .models import Programme
from .services import ProgrammeError


class LoginForm(AuthenticationForm):
    """Django's login form with its refusal said once: Django's Indonesian catalogue puts the
    field's name after "nama pengguna" ("nama pengguna nama pengguna")."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "Nama pengguna atau kata sandi salah. Perhatikan huruf besar dan kecil pada keduanya."
        ),
        "inactive": _("Akun ini tidak aktif. Hubungi Admin program Anda."),
    }


class LoginView(auth_views.LoginView):
    """Django's login; on an install without any user it says how to create the first one."""

    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["first_run"] = not get_user_model().objects.exists()
        return context


def _superuser(request) -> None:
    if not (request.user.is_active and request.user.is_superuser):
        raise Http404("Halaman tidak ditemukan.")


def _form_error(form, exc: ProgrammeError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.in_language())


@never_cache
@login_required
def setup(request):
    """Create a programme: the Pemda (province → kabupaten/kota), its wording and letters."""
    _superuser(request)
    source = request.POST if request.method == "POST" else request.GET
    province = source.get("province") or ""
    region_code = source.get("region_code") or ""
    if province and not region_code.startswith(province + "."):
        region_code = ""  # the province changed: its regencies are to be chosen again
    defaults = {}
    if region_code:
        try:
            defaults = services.programme_defaults(region_code)
        except ProgrammeError:
            region_code = ""
        else:
            province = defaults["region_code"][:2]
    if request.method == "POST":
        form = SetupForm(request.POST, request.FILES, province=province)
        if form.is_valid():
            try:
                programme = services.create_programme(
                    actor=request.user,
                    admin=request.user,
                    region_code=form.cleaned_data["region_code"],
                    code=form.cleaned_data["code"],
                    logo=form.logo_bytes(),
                    **form.profile(),
                )
            except ProgrammeError as exc:
                _form_error(form, exc)
            else:
                messages.success(
                    request,
                    gettext(
                        "%(programme)s dibuat; Anda Admin-nya. Lanjutkan dengan langkah "
                        "penyiapan di bawah."
                    )
                    % {"programme": programme.name},
                )
                return redirect("programme_home", programme.code)
    else:
        form = SetupForm(
            initial={"province": province, **defaults},
            province=province,
        )
    return render(
        request,
        "programmes/setup.html",
        {
            "form": form,
            "province": province,
            "region_code": region_code,
            "region_name": regions.region_name(region_code) if region_code else "",
            "existing": Programme.objects.order_by("name"),
        },
    )


@programme_view("programme.edit")
def settings_view(request, programme):
    """The Admin's programme settings: names, kind, letters' signers, logo."""
    initial = {name: getattr(programme, name) for name in services.PROFILE_FIELDS}
    if request.method == "POST":
        form = ProfileForm(request.POST, request.FILES, initial=initial)
        if form.is_valid():
            try:
                services.update_programme(
                    actor=request.user,
                    programme=programme,
                    logo=form.logo_bytes(),
                    remove_logo=form.cleaned_data.get("remove_logo", False),
                    **form.profile(),
                )
            except ProgrammeError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, gettext("Pengaturan program disimpan."))
                return redirect("programme_settings", programme.code)
    else:
        form = ProfileForm(initial=initial)
    return render(request, "programmes/settings.html", {"form": form})


@require_POST
@programme_view("programme.edit")
def four_eyes(request, programme):
    """The Admin turns the four-eyes rule on claim approvals on or off (with a reason)."""
    enabled = params.choice(request.POST, "empat_mata", ["ya", "tidak"]) == "ya"
    reason = params.text(request.POST, "alasan", 90)
    services.set_four_eyes(actor=request.user, programme=programme, enabled=enabled, reason=reason)
    messages.success(
        request,
        gettext("Aturan empat mata pada persetujuan klaim kini aktif.")
        if enabled
        else gettext("Aturan empat mata pada persetujuan klaim kini tidak aktif."),
    )
    return redirect("programme_settings", programme.code)


@programme_view()
def logo(request, programme):
    if not programme.has_logo:
        raise Http404("Program ini belum mempunyai logo.")
    response = HttpResponse(bytes(programme.logo), content_type="image/png")
    response["Cache-Control"] = "private, max-age=300"
    return response


def steps_for(programme) -> list[dict]:
    """The set-up checklist of a programme: each step, whether it is done, and where to do it."""
    out = []
    for step in setup_steps():
        out.append(
            {
                "label": step.label,
                "help": step.help,
                "done": bool(step.done(programme)),
                "url": reverse(step.url_name, args=[programme.code]),
            }
        )
    return out
