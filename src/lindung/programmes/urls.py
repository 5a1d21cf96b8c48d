from django.urls import path

from . import calculator, views

urlpatterns = [
    path("", views.home, name="home"),
    path("p/<slug:code>/", views.programme_home, name="programme_home"),
    path("p/<slug:code>/audit/", views.audit_trail, name="audit_trail"),
    path("p/<slug:code>/audit/akses/", views.access_log, name="access_log"),
    path(
        "p/<slug:code>/riwayat/<str:label>/<int:pk>/", views.record_history, name="record_history"
    ),
    path("p/<slug:code>/pengguna/", views.members, name="members"),
    path("p/<slug:code>/token-api/", views.api_tokens, name="api_tokens"),
    path("p/<slug:code>/kalkulator/", calculator.calculator, name="calculator"),
    path("p/<slug:code>/parameter/", calculator.parameters, name="parameters"),
    path("p/<slug:code>/tugas/<uuid:job_id>/", views.job_progress, name="job_progress"),
]
