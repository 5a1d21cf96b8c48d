from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from lindung.api import api
from lindung.core import guide
from lindung.programmes.setup_views import LoginView
from lindung.programmes.user_views import PasswordChangeDoneView, PasswordChangeView

admin.site.site_header = "Lindung — administrasi sistem"
admin.site.site_title = "Lindung"

urlpatterns = [
    path("masuk/", LoginView.as_view(), name="login"),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("kata-sandi/", PasswordChangeView.as_view(), name="password_change"),
    path(
        "kata-sandi/selesai/",
        PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("panduan/", guide.index, name="panduan"),
    path("panduan/img/<str:name>", guide.image, name="panduan_image"),
    path("panduan/<slug:peran>/", guide.page, name="panduan_page"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("", include("lindung.programmes.urls")),
    path("", include("lindung.registry.urls")),
    path("", include("lindung.coverage.urls")),
    path("", include("lindung.claims.urls")),
    path("", include("lindung.reports.urls")),
    path("", include("lindung.planning.urls")),
]

handler403 = "lindung.core.denied.permission_denied"
