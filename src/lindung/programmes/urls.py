from django.urls import path

from . import calculator, parameter_views, setup_views, user_views, views

P = "p/<slug:code>/"
U = P + "pengguna/<int:user_id>/"

urlpatterns = [
    path("", views.home, name="home"),
    path("pasang/", setup_views.setup, name="setup"),
    path(P, views.programme_home, name="programme_home"),
    path(P + "pengaturan/", setup_views.settings_view, name="programme_settings"),
    path(P + "logo.png", setup_views.logo, name="programme_logo"),
    path(P + "pengaturan/empat-mata/", setup_views.four_eyes, name="programme_four_eyes"),
    path(P + "audit/", views.audit_trail, name="audit_trail"),
    path(P + "audit/akses/", views.access_log, name="access_log"),
    path(P + "audit/akses/laporan/", views.access_report, name="access_report"),
    path(P + "riwayat/<str:label>/<int:pk>/", views.record_history, name="record_history"),
    path(P + "pengguna/", user_views.members, name="members"),
    path(P + "pengguna/baru/", user_views.user_create, name="user_create"),
    path(U, user_views.user_detail, name="user_detail"),
    path(U + "peran/", user_views.user_role, name="user_role"),
    path(U + "data/", user_views.user_identity, name="user_identity"),
    path(U + "kata-sandi/", user_views.user_reset, name="user_reset"),
    path(U + "aktif/", user_views.user_active, name="user_active"),
    path(U + "cabut/", user_views.user_remove, name="user_remove"),
    path(P + "token-api/", views.api_tokens, name="api_tokens"),
    path(P + "kalkulator/", calculator.calculator, name="calculator"),
    path(P + "parameter/", parameter_views.parameters, name="parameters"),
    path(P + "parameter/tambah/<str:name>/", parameter_views.add, name="parameter_add"),
    path(P + "parameter/<int:pk>/", parameter_views.edit, name="parameter_edit"),
    path(P + "parameter/<int:pk>/hapus/", parameter_views.delete, name="parameter_delete"),
    path(P + "tugas/<uuid:job_id>/", views.job_progress, name="job_progress"),
]
