"""The programme Admin's *Pengguna* pages, and the password change every user goes through.

Thin views over :mod:`lindung.programmes.accounts`. A user id of another programme answers
"not found". A temporary password is shown once, on the page the Admin lands on after creating
the user or resetting the password (kept in the server-side session until then, never in a
cookie or a URL).
"""

from __future__ import annotations

import csv
import io

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from lindung.core.downloads import file_response

from . import accounts
from .decorators import programme_view
from .forms import IdentityForm, RoleForm, UserForm
from .hooks import funder_choices
from .middleware import SESSION_KEY
from .models import Account, Membership, Role
from .permissions import visible_programmes
from .services import ProgrammeError

TEMP_KEY = "lindung_temporary_password"


def _member(programme, user_id) -> Membership:
    try:
        return accounts.member_of(programme, user_id)
    except ProgrammeError as exc:
        raise Http404(exc.in_language()) from exc


def _form_error(form, exc: ProgrammeError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.in_language())


def _remember_password(request, user, password: str) -> None:
    request.session[TEMP_KEY] = {"user_id": user.pk, "password": password}


@programme_view("members.manage")
def members(request, programme):
    rows = (
        Membership.objects.filter(programme=programme)
        .select_related("user", "user__lindung_account")
        .order_by("role", "user__username")
    )
    funders = dict(funder_choices(programme))
    people = []
    for m in rows:
        account = getattr(m.user, "lindung_account", None)
        people.append(
            {
                "m": m,
                "funders": [funders.get(c, c) for c in m.scope.split(",") if c],
                "must_change": bool(account and account.must_change_password),
            }
        )
    if request.GET.get("format") == "csv":
        return _members_csv(programme, people)
    counts = {role: 0 for role in Role}
    for m in rows:
        counts[Role(m.role)] += 1
    return render(
        request,
        "programmes/users/list.html",
        {"people": people, "missing": [r.label for r, n in counts.items() if n == 0]},
    )


def _members_csv(programme, people):
    """The users table as CSV (UTF-8 with BOM, so that Excel reads the names right)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["nama_pengguna", "nama", "surel", "peran", "penyandang_dana", "aktif", "terakhir_masuk"]
    )
    for row in people:
        user = row["m"].user
        writer.writerow(
            [
                user.username,
                user.get_full_name(),
                user.email,
                row["m"].get_role_display(),
                "; ".join(row["funders"]),
                "ya" if user.is_active else "tidak",
                timezone.localtime(user.last_login).strftime("%Y-%m-%d %H:%M")
                if user.last_login
                else "",
            ]
        )
    body = ("\ufeff" + out.getvalue()).encode("utf-8")
    return file_response(body, f"pengguna-{programme.code}.csv")


@programme_view("members.manage")
def user_create(request, programme):
    form = UserForm(request.POST or None, programme=programme)
    if request.method == "POST" and form.is_valid():
        try:
            user, password = accounts.create_user(
                actor=request.user, programme=programme, **form.cleaned_data
            )
        except ProgrammeError as exc:
            _form_error(form, exc)
        else:
            _remember_password(request, user, password)
            messages.success(
                request, gettext("Pengguna %(username)s dibuat.") % {"username": user.username}
            )
            return redirect("user_detail", programme.code, user.pk)
    return render(request, "programmes/users/create.html", {"form": form})


@never_cache
@programme_view("members.manage")
def user_detail(request, programme, user_id):
    return _detail_page(request, programme, _member(programme, user_id))


def _detail_page(request, programme, membership, forms_with_errors=None):
    user = membership.user
    shown = request.session.get(TEMP_KEY)
    temporary = None
    if shown and shown.get("user_id") == user.pk:
        temporary = request.session.pop(TEMP_KEY)["password"]
    forms_with_errors = forms_with_errors or {}
    role_form = forms_with_errors.get("role") or RoleForm(
        programme=programme,
        initial={"role": membership.role, "scope": [c for c in membership.scope.split(",") if c]},
    )
    identity_form = forms_with_errors.get("identity") or IdentityForm(
        initial={"full_name": user.get_full_name(), "email": user.email}
    )
    account = Account.objects.filter(user=user).first()
    return render(
        request,
        "programmes/users/detail.html",
        {
            "member": membership,
            "person": user,
            "account": account,
            "temporary": temporary,
            "role_form": role_form,
            "identity_form": identity_form,
            "login_locked": accounts.manages_login(request.user, programme, user),
            "is_self": user.pk == request.user.pk,
        },
    )


def _done(request, programme, user, message: str):
    messages.success(request, message)
    return redirect("user_detail", programme.code, user.pk)


def _refused(request, programme, user, exc: ProgrammeError):
    messages.error(request, exc.in_language())
    return redirect("user_detail", programme.code, user.pk)


@require_POST
@programme_view("members.manage")
def user_role(request, programme, user_id):
    membership = _member(programme, user_id)
    user = membership.user
    form = RoleForm(request.POST, programme=programme)
    if form.is_valid():
        try:
            accounts.change_role(
                actor=request.user, programme=programme, user=user, **form.cleaned_data
            )
        except ProgrammeError as exc:
            _form_error(form, exc)
        else:
            return _done(request, programme, user, gettext("Peran disimpan."))
    return _detail_page(request, programme, membership, {"role": form})


@require_POST
@programme_view("members.manage")
def user_identity(request, programme, user_id):
    membership = _member(programme, user_id)
    user = membership.user
    form = IdentityForm(request.POST)
    if form.is_valid():
        try:
            accounts.update_user(
                actor=request.user, programme=programme, user=user, **form.cleaned_data
            )
        except ProgrammeError as exc:
            _form_error(form, exc)
        else:
            return _done(request, programme, user, gettext("Data pengguna disimpan."))
    return _detail_page(request, programme, membership, {"identity": form})


@require_POST
@programme_view("members.manage")
def user_reset(request, programme, user_id):
    user = _member(programme, user_id).user
    try:
        password = accounts.reset_password(actor=request.user, programme=programme, user=user)
    except ProgrammeError as exc:
        return _refused(request, programme, user, exc)
    _remember_password(request, user, password)
    return _done(request, programme, user, gettext("Kata sandi sementara baru dibuat."))


@require_POST
@programme_view("members.manage")
def user_active(request, programme, user_id):
    user = _member(programme, user_id).user
    active = request.POST.get("active") == "1"
    try:
        accounts.set_active(actor=request.user, programme=programme, user=user, active=active)
    except ProgrammeError as exc:
        return _refused(request, programme, user, exc)
    return _done(
        request,
        programme,
        user,
        gettext("Akun diaktifkan kembali.") if active else gettext("Akun dinonaktifkan."),
    )


@require_POST
@programme_view("members.manage")
def user_remove(request, programme, user_id):
    user = _member(programme, user_id).user
    if request.POST.get("confirm") != "1":
        messages.error(request, gettext("Centang konfirmasi untuk mencabut peran."))
        return redirect("user_detail", programme.code, user.pk)
    try:
        accounts.remove_role(actor=request.user, programme=programme, user=user)
    except ProgrammeError as exc:
        return _refused(request, programme, user, exc)
    messages.success(
        request, gettext("Peran %(username)s di program ini dicabut.") % {"username": user.username}
    )
    return redirect("members", programme.code)


# --- the user's own password ------------------------------------------------------------------


class NewPasswordForm(PasswordChangeForm):
    """Django's password change, which also refuses keeping the same (temporary) password."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # "kata sandi" as everywhere else in Lindung (Django's catalogue says "sandi")
        self.fields["old_password"].label = _("Kata sandi lama")
        self.fields["new_password1"].label = _("Kata sandi baru")
        self.fields["new_password2"].label = _("Ulangi kata sandi baru")

    def save(self, commit=True):
        # Only the password column: the user's history (which leaves the hash out) gets no
        # empty "changed" row; the account's history records the change.
        self.user.set_password(self.cleaned_data["new_password1"])
        if commit:
            self.user.save(update_fields=["password"])
        return self.user

    def clean_new_password1(self):
        new = self.cleaned_data.get("new_password1")
        if new and self.user.check_password(new):
            raise forms.ValidationError("Kata sandi baru harus berbeda dari kata sandi lama.")
        return new


def with_own_programme(request) -> None:
    """The user's own pages (password change) carry the programme's menu when the user works
    in exactly one programme, so the page sits in the app's layout like every other."""
    programmes = list(visible_programmes(request.user)[:2])
    if len(programmes) == 1:
        request.programme = programmes[0]


class PasswordChangeView(auth_views.PasswordChangeView):
    """Lindung's own password change (template ``registration/password_change_form.html`` in
    ``core``, which comes before ``django.contrib.admin`` in ``INSTALLED_APPS``)."""

    form_class = NewPasswordForm
    success_url = reverse_lazy("password_change_done")

    def dispatch(self, request, *args, **kwargs):
        with_own_programme(request)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["forced"] = bool(self.request.session.get(SESSION_KEY))
        return context

    def form_valid(self, form):
        response = super().form_valid(form)
        accounts.password_changed(self.request.user)
        self.request.session.pop(SESSION_KEY, None)
        return response


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    def dispatch(self, request, *args, **kwargs):
        with_own_programme(request)
        return super().dispatch(request, *args, **kwargs)
