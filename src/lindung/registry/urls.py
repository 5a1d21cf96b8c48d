from django.urls import path

from . import views

P = "p/<slug:code>/"

urlpatterns = [
    path(P + "peserta/", views.participant_list, name="registry_list"),
    path(P + "peserta/baru/", views.participant_add, name="registry_add"),
    path(P + "peserta/ekspor.<str:fmt>", views.export, name="registry_export"),
    path(
        P + "peserta/kolektif-<str:segment>.xlsx", views.export_kolektif, name="registry_kolektif"
    ),
    path(P + "peserta/<int:pk>/", views.person, name="registry_person"),
    path(P + "peserta/<int:pk>/ubah/", views.participant_edit, name="registry_edit"),
    path(P + "peserta/<int:pk>/status/", views.participant_status, name="registry_status"),
    path(
        P + "peserta/<int:pk>/iuran-sebelumnya/",
        views.participant_prior_months,
        name="registry_prior_months",
    ),
    path(
        P + "peserta/<int:pk>/data-subjek.<str:fmt>", views.subject_export, name="registry_subject"
    ),
    path(P + "peserta/<int:pk>/keluarga/baru/", views.family_add, name="registry_family_add"),
    path(
        P + "peserta/<int:pk>/keluarga/<int:fid>/ubah/",
        views.family_edit,
        name="registry_family_edit",
    ),
    path(P + "instansi/", views.agencies, name="registry_agencies"),
    path(P + "impor/", views.import_start, name="registry_import"),
    path(
        P + "impor/templat-<str:kind>.xlsx", views.import_template, name="registry_import_template"
    ),
    path(P + "impor/<uuid:batch_id>/", views.import_batch, name="registry_import_batch"),
    path(P + "impor/<uuid:batch_id>/status/", views.import_status, name="registry_import_status"),
    path(P + "impor/<uuid:batch_id>/simpan/", views.import_commit, name="registry_import_commit"),
    path(P + "impor/<uuid:batch_id>/buang/", views.import_discard, name="registry_import_discard"),
    path(
        P + "impor/<uuid:batch_id>/pemetaan/", views.import_mapping, name="registry_import_mapping"
    ),
    path(P + "impor/<uuid:batch_id>/batal/", views.import_undo, name="registry_import_undo"),
    path(
        P + "impor/<uuid:batch_id>/peringatan.xlsx",
        views.import_warnings,
        name="registry_import_warnings",
    ),
    path(
        P + "impor/<uuid:batch_id>/ditolak.xlsx",
        views.import_rejected,
        name="registry_import_rejected",
    ),
    path(P + "duplikat/", views.duplicates, name="registry_duplicates"),
    path(P + "duplikat/<int:pk>/", views.duplicate_decide, name="registry_duplicate_decide"),
]
