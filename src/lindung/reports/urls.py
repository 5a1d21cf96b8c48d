from django.urls import path, re_path

from . import correction_views, views

P = "p/<slug:code>/"
urlpatterns = [
    path(P + "dasbor/", views.dashboard_view, name="reports_dashboard"),
    path(P + "koreksi-parameter/", correction_views.corrections_view, name="reports_corrections"),
    path(
        P + "koreksi-parameter/bulan/",
        correction_views.apply_month,
        name="reports_corrections_month",
    ),
    path(
        P + "koreksi-parameter/klaim/<int:claim_id>/",
        correction_views.flag_claim,
        name="reports_corrections_claim",
    ),
    re_path(
        r"^p/(?P<code>[-\w]+)/dasbor/laporan\.(?P<fmt>pdf|xlsx|json)$",
        views.report_download,
        name="reports_download",
    ),
]
