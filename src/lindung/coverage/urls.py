from django.urls import path

from . import views

P = "p/<slug:code>/"

urlpatterns = [
    path(P + "iuran/", views.billing, name="coverage_billing"),
    path(P + "iuran/jalankan/", views.run_billing, name="coverage_run_billing"),
    path(P + "iuran/tunggakan/", views.arrears, name="coverage_arrears"),
    path(P + "iuran/tagihan/", views.invoice_list, name="coverage_invoices"),
    path(P + "iuran/tagihan/<int:invoice_id>/", views.invoice_detail, name="coverage_invoice"),
    path(
        P + "iuran/tagihan/<int:invoice_id>/bayar/",
        views.record_payment,
        name="coverage_record_payment",
    ),
    path(
        P + "iuran/tagihan/<int:invoice_id>/batal/",
        views.cancel_invoice,
        name="coverage_cancel_invoice",
    ),
    path(P + "iuran/tagihan/<int:invoice_id>/pdf/", views.invoice_pdf, name="coverage_invoice_pdf"),
    path(
        P + "iuran/tagihan/<int:invoice_id>/xlsx/", views.invoice_xlsx, name="coverage_invoice_xlsx"
    ),
    path(P + "iuran/pembayaran/", views.payment_list, name="coverage_payments"),
    path(P + "kerja-sama/", views.funders, name="coverage_funders"),
    path(P + "kerja-sama/pks/baru/", views.agreement_new, name="coverage_agreement_new"),
    path(
        P + "kerja-sama/pks/<int:agreement_id>/",
        views.agreement_edit,
        name="coverage_agreement",
    ),
    path(
        P + "kerja-sama/pks/<int:agreement_id>/hapus/",
        views.agreement_delete,
        name="coverage_agreement_delete",
    ),
    path(P + "kerja-sama/dana/baru/", views.funder_new, name="coverage_funder_new"),
    path(P + "kerja-sama/dana/<int:funder_id>/", views.funder_detail, name="coverage_funder"),
    path(
        P + "kerja-sama/dana/<int:funder_id>/komitmen/",
        views.pledge_new,
        name="coverage_pledge_new",
    ),
    path(P + "kerja-sama/dana/<int:funder_id>/aturan/", views.rule_new, name="coverage_rule_new"),
    path(
        P + "peserta/<int:participant_id>/kepesertaan/",
        views.participant,
        name="coverage_participant",
    ),
    path(
        P + "peserta/<int:participant_id>/kepesertaan/mulai/",
        views.participant_enrol,
        name="coverage_participant_enrol",
    ),
    path(
        P + "peserta/<int:participant_id>/kepesertaan/akhiri/",
        views.participant_end,
        name="coverage_participant_end",
    ),
    path(P + "iuran/rekonsiliasi/", views.reconciliation_list, name="coverage_reconciliations"),
    path(
        P + "iuran/rekonsiliasi/<int:recon_id>/",
        views.reconciliation_detail,
        name="coverage_reconciliation",
    ),
    path(
        P + "iuran/rekonsiliasi/<int:recon_id>/ekspor.<str:fmt>",
        views.reconciliation_export,
        name="coverage_reconciliation_export",
    ),
    path(
        P + "iuran/rekonsiliasi/selisih/<int:difference_id>/selesai/",
        views.resolve_difference,
        name="coverage_resolve_difference",
    ),
]
