from django.urls import path, re_path

from . import views

P = "p/<slug:code>/"
urlpatterns = [
    path(P + "dasbor/", views.dashboard_view, name="reports_dashboard"),
    re_path(
        r"^p/(?P<code>[-\w]+)/dasbor/laporan\.(?P<fmt>pdf|xlsx|json)$",
        views.report_download,
        name="reports_download",
    ),
]
