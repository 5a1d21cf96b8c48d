from django.urls import path

from . import views

P = "p/<slug:code>/"

urlpatterns = [
    path(P + "klaim/", views.claims_list, name="claims_list"),
    path(P + "klaim/baru/", views.claim_create, name="claims_new"),
    path(P + "klaim/ekspor.xlsx", views.claims_export, name="claims_export"),
    path(P + "klaim/selisih/", views.claims_differences, name="claims_differences"),
    path(P + "klaim/<int:pk>/", views.claim_detail, name="claims_detail"),
    path(P + "klaim/<int:pk>/ubah/", views.claim_edit, name="claims_edit"),
    path(P + "klaim/<int:pk>/status/", views.claim_transition, name="claims_transition"),
    path(P + "klaim/<int:pk>/bpjs/", views.claim_bpjs, name="claims_bpjs"),
    path(P + "klaim/<int:pk>/hitung-ulang/", views.claim_refresh, name="claims_refresh"),
    path(P + "klaim/<int:pk>/ahli-waris/", views.heir_add, name="claims_heir_add"),
    path(P + "klaim/<int:pk>/ahli-waris/<int:heir_pk>/", views.heir_edit, name="claims_heir_edit"),
    path(P + "klaim/<int:pk>/penyerahan/", views.handover_create, name="claims_handover_new"),
    path(P + "klaim/<int:pk>/berita-acara.pdf", views.handover_pdf, name="claims_handover_pdf"),
    path(P + "klaim/dokumen/<int:pk>/", views.document_action, name="claims_document"),
    path(P + "klaim/dokumen/<int:pk>/berkas/", views.document_file, name="claims_document_file"),
    path(P + "penyerahan/", views.handovers_list, name="claims_handovers"),
    path(P + "beasiswa/", views.scholarships, name="claims_scholarships"),
    path(P + "beasiswa/jatuh-tempo/", views.scholarships_due, name="claims_scholarships_due"),
    path(P + "beasiswa/<int:pk>/", views.plan_detail, name="claims_scholarship"),
    path(P + "beasiswa/<int:pk>/hentikan/", views.plan_stop, name="claims_scholarship_stop"),
    path(
        P + "beasiswa/angsuran/<int:pk>/status/",
        views.instalment_transition,
        name="claims_instalment_transition",
    ),
    path(
        P + "beasiswa/angsuran/<int:pk>/verifikasi/",
        views.instalment_verify,
        name="claims_instalment_verify",
    ),
    path(
        P + "beasiswa/angsuran/<int:pk>/bayar/", views.instalment_pay, name="claims_instalment_pay"
    ),
]
